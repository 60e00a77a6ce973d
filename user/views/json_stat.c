/* JSON of the "stat" section of a process (docs/json-schema.md, STAT). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "model/statfam.h"
#include "model/syscalls.h"

static json_t *errors_obj(const uint64_t err[FP_STAT_NERR])
{
	json_t *o = json_object();

	for (int e = 0; e < FP_STAT_NERR; e++)
		json_object_set_new(o, stat__err_name(e), json_integer((json_int_t)err[e]));
	return o;
}

static json_t *by_syscall(const struct fp_stat_stats *s)
{
	json_t *o = json_object();

	for (size_t i = 0; i < s->nsys; i++) {
		const struct fp_stat_sys *y = &s->sys[i];

		if (!y->calls)
			continue;
		json_object_set_new(o, syscall__name(y->nr), json_pack("{s:I,s:o}",
			"calls", (json_int_t)y->calls, "errors", errors_obj(y->err)));
	}
	return o;
}

static json_t *top_paths(const struct fp_stat_stats *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->npaths && json_array_size(a) < FP_STAT_TOP; i++) {
		const struct fp_stat_path *p = &s->paths[i];
		json_t *o;

		if (!p->calls)
			continue;
		o = json_pack("{s:I,s:I}", "calls", (json_int_t)p->calls, "errors", (json_int_t)p->errors);
		json__set_str(o, "path", p->path);	/* path_b64 when not UTF-8 */
		if (p->given)
			json__set_str(o, "given", p->given);
		if (p->truncated)
			json_object_set_new(o, "truncated", json_true());
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *top_dirs(const struct fp_stat_stats *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->ndirs && i < FP_STAT_TOP; i++) {
		json_t *o = json_pack("{s:I,s:I}", "calls", (json_int_t)s->dirs[i].calls,
				      "errors", (json_int_t)s->dirs[i].errors);

		json__set_str(o, "dir", s->dirs[i].dir);
		json_array_append_new(a, o);
	}
	return a;
}

json_t *json_stat__from(const struct fp_stat_stats *s, double window_s)
{
	uint64_t err[FP_STAT_NERR], calls = stat_stats__calls(s);
	double rr = stat_stats__repeat_ratio(s);
	json_t *o;

	for (int e = 0; e < FP_STAT_NERR; e++)
		err[e] = stat_stats__errno(s, e);
	o = json_pack("{s:I,s:o,s:f,s:I,s:b,s:I,s:I,s:o}",
		"calls", (json_int_t)calls, "errors", errors_obj(err),
		"rate_per_s", window_s > 0 ? calls / window_s : 0.0,
		"peak_per_s", (json_int_t)stat_stats__peak(s, window_s, NULL),
		"paths", s->paths_on,
		"truncated_paths", (json_int_t)s->truncated,
		"faulted_paths", (json_int_t)s->faulted,
		"by_syscall", by_syscall(s));
	if (s->paths_on) {
		json_object_set_new(o, "path_calls", json_integer((json_int_t)s->path_calls));
		json_object_set_new(o, "distinct_paths", json_integer((json_int_t)s->distinct_paths));
		json_object_set_new(o, "repeat_ratio", rr < 0 ? json_real(0) : json_real(rr));
	} else {
		json_object_set_new(o, "path_calls", json_null());
		json_object_set_new(o, "distinct_paths", json_null());
		json_object_set_new(o, "repeat_ratio", json_null());
	}
	json_object_set_new(o, "top_paths", top_paths(s));
	json_object_set_new(o, "top_dirs", top_dirs(s));
	return o;
}

/* ---- reading ------------------------------------------------------------ */

static int bad(char *err, size_t errlen, const char *where, const char *what)
{
	snprintf(err, errlen, "stat.%s: %s", where, what);
	return -EINVAL;
}

static int u64_of(json_t *o, const char *k, uint64_t *v, char *err, size_t errlen, const char *where)
{
	json_t *j = json_object_get(o, k);
	char w[192];

	if (!json_is_integer(j) || json_integer_value(j) < 0) {
		snprintf(w, sizeof(w), "%s%s", where, k);
		return bad(err, errlen, w, j ? "expected a non-negative integer" : "missing");
	}
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

static int parse_errors(json_t *o, uint64_t out[FP_STAT_NERR], char *err, size_t errlen, const char *where)
{
	char w[160];
	int e;

	if (!json_is_object(o))
		return bad(err, errlen, where, "errors: expected an object");
	snprintf(w, sizeof(w), "%serrors.", where);
	for (int i = 0; i < FP_STAT_NERR; i++)
		if ((e = u64_of(o, stat__err_name(i), &out[i], err, errlen, w)))
			return e;
	return 0;
}

static int parse_sys(json_t *o, struct fp_stat_stats *s, char *err, size_t errlen)
{
	struct fp_stat_sys *y;
	const char *name;
	char w[128];
	json_t *v;
	int nr, e;

	if (!json_is_object(o))
		return bad(err, errlen, "by_syscall", "expected an object");
	json_object_foreach(o, name, v) {
		snprintf(w, sizeof(w), "by_syscall.%s.", name);
		if ((nr = syscall__nr(name)) < 0)
			return bad(err, errlen, w, "unknown syscall name");
		if (!(y = stat_stats__sys(s, nr)))
			return -ENOMEM;
		if ((e = u64_of(v, "calls", &y->calls, err, errlen, w)) ||
		    (e = parse_errors(json_object_get(v, "errors"), y->err, err, errlen, w)))
			return e;
	}
	return 0;
}

static int parse_tops(json_t *j, struct fp_stat_stats *s, char *err, size_t errlen)
{
	json_t *a = json_object_get(j, "top_paths"), *b = json_object_get(j, "top_dirs"), *v;
	uint64_t calls, errors;
	size_t i;
	int e;

	if (!json_is_array(a) || !json_is_array(b))
		return bad(err, errlen, json_is_array(a) ? "top_dirs" : "top_paths", "expected an array");
	char *raw;

	json_array_foreach(a, i, v) {
		if ((e = u64_of(v, "calls", &calls, err, errlen, "top_paths[].")) ||
		    (e = u64_of(v, "errors", &errors, err, errlen, "top_paths[].")))
			return e;
		e = stat_stats__add_path(s, 0, json__get_str(v, "path", &raw),
					 json_is_true(json_object_get(v, "truncated")), calls, errors);
		free(raw);
		if (!e) {
			e = stat_stats__path_given(s, json__get_str(v, "given", &raw));
			free(raw);
		}
		if (e)
			return -ENOMEM;
	}
	json_array_foreach(b, i, v) {
		const char *d = json__get_str(v, "dir", &raw);

		if (!d)
			return bad(err, errlen, "top_dirs[].dir", "expected a string");
		if ((e = u64_of(v, "calls", &calls, err, errlen, "top_dirs[].")) ||
		    (e = u64_of(v, "errors", &errors, err, errlen, "top_dirs[]."))) {
			free(raw);
			return e;
		}
		e = stat_stats__add_dir(s, d, calls, errors);
		free(raw);
		if (e)
			return -ENOMEM;
	}
	return 0;
}

static int parse_into(json_t *j, struct fp_stat_stats *s, char *err, size_t errlen)
{
	int e;

	if (!json_is_object(j))
		return bad(err, errlen, "", "expected an object");
	s->complete = false;	/* only the top paths were written */
	if ((e = u64_of(j, "peak_per_s", &s->peak_per_s, err, errlen, "")) ||
	    (e = u64_of(j, "truncated_paths", &s->truncated, err, errlen, "")) ||
	    (e = u64_of(j, "faulted_paths", &s->faulted, err, errlen, "")) ||
	    (e = parse_sys(json_object_get(j, "by_syscall"), s, err, errlen)))
		return e;
	if (s->paths_on &&
	    ((e = u64_of(j, "path_calls", &s->path_calls, err, errlen, "")) ||
	     (e = u64_of(j, "distinct_paths", &s->distinct_paths, err, errlen, ""))))
		return e;
	if ((e = parse_tops(j, s, err, errlen)))
		return e;
	return stat_stats__finish(s);
}

int json_stat__parse(json_t *j, struct fp_stat_stats **out, char *err, size_t errlen)
{
	struct fp_stat_stats *s = stat_stats__new(json_is_true(json_object_get(j, "paths")));
	int e;

	if (!s)
		return -ENOMEM;
	e = parse_into(j, s, err, errlen);
	if (e) {
		stat_stats__free(s);
		return e;
	}
	*out = s;
	return 0;
}
