/* JSON of the "gopark" section of a process (docs/json-schema.md): Go
 * park reasons, their parked-time histograms and the parking sites.  The
 * reason names and frames come from the traced binary: untrusted strings,
 * kept losslessly (json__set_str). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "model/gopark.h"

static json_t *reason_json(const struct fp_gopark_reason *r, double window_s)
{
	json_t *o = json_object();

	json__set_str(o, "reason", r->name);
	json_object_set_new(o, "index", json_integer(r->index));
	json_object_set_new(o, "parks", json_integer((json_int_t)r->parks));
	json_object_set_new(o, "parks_per_s", json_real(window_s > 0 ? r->parks / window_s : 0.0));
	json_object_set_new(o, "parked_ns", json_integer((json_int_t)r->parked.sum));
	json_object_set_new(o, "parked", json__hist(&r->parked));
	return o;
}

static json_t *site_json(const struct fp_gopark_site *t)
{
	json_t *o = json_object();

	json__set_str(o, "reason", t->reason);
	json__set_str(o, "where", t->where);
	json_object_set_new(o, "parks", json_integer((json_int_t)t->parks));
	json_object_set_new(o, "wakes", json_integer((json_int_t)t->wakes));
	json_object_set_new(o, "parked_ns", json_integer((json_int_t)t->parked_ns));
	json__set_strs(o, "frames", t->frames, t->nframes);
	return o;
}

json_t *json_gopark__from(const struct fp_gopark_stats *s, double window_s)
{
	json_t *o = json_object(), *rs = json_array(), *ts = json_array();

	json__set_str(o, "go_version", s->go_version);
	json_object_set_new(o, "parks", json_integer((json_int_t)gopark_stats__parks(s)));
	json_object_set_new(o, "parked_ns", json_integer((json_int_t)gopark_stats__parked_ns(s)));
	for (size_t i = 0; i < s->nreasons; i++)
		json_array_append_new(rs, reason_json(&s->reasons[i], window_s));
	for (size_t i = 0; i < s->nsites; i++)
		json_array_append_new(ts, site_json(&s->sites[i]));
	json_object_set_new(o, "reasons", rs);
	json_object_set_new(o, "sites", ts);
	if (s->notes)
		json__set_str(o, "notes", s->notes);
	return o;
}

static int parse_reason(json_t *j, struct fp_gopark_stats *s, char *err, size_t errlen)
{
	char *owned = NULL;
	const char *name = json__get_str(j, "reason", &owned);
	struct fp_gopark_reason *r;
	json_t *idx = json_object_get(j, "index");
	int e;

	if (!name) {
		free(owned);
		return json__bad(err, errlen, "gopark.reasons[].reason", "expected a string");
	}
	r = gopark_stats__reason(s, name, true);
	free(owned);
	if (!r)
		return -ENOMEM;
	r->index = json_is_integer(idx) ? (int)json_integer_value(idx) : -1;
	if ((e = json__get_u64(j, "parks", &r->parks, err, errlen, "gopark.reasons[]")))
		return e;
	return json__parse_hist(json_object_get(j, "parked"), &r->parked, err, errlen);
}

static int parse_site(json_t *j, struct fp_gopark_stats *s, char *err, size_t errlen)
{
	char *o1 = NULL, *o2 = NULL, **frames = NULL, **owned = NULL;
	const char *reason = json__get_str(j, "reason", &o1), *where = json__get_str(j, "where", &o2);
	json_t *fr = json_object_get(j, "frames");
	size_t n = json_is_array(fr) ? json_array_size(fr) : 0;
	uint64_t parks, wakes, ns;
	int e;

	if (!reason || !where) {
		e = json__bad(err, errlen, "gopark.sites[]", "expected reason and where strings");
		goto out;
	}
	if ((e = json__get_u64(j, "parks", &parks, err, errlen, "gopark.sites[]")) ||
	    (e = json__get_u64(j, "wakes", &wakes, err, errlen, "gopark.sites[]")) ||
	    (e = json__get_u64(j, "parked_ns", &ns, err, errlen, "gopark.sites[]")))
		goto out;
	frames = calloc(n ? n : 1, sizeof(*frames));
	owned = calloc(n ? n : 1, sizeof(*owned));
	if (!frames || !owned) {
		e = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *f = json__get_strs_at(j, "frames", i, &owned[i]);

		frames[i] = (char *)(f ? f : "?");
	}
	e = gopark_stats__add_site(s, reason, where, (const char *const *)frames, n, parks, wakes, ns);
out:
	for (size_t i = 0; owned && i < n; i++)
		free(owned[i]);
	free(owned);
	free(frames);
	free(o1);
	free(o2);
	return e;
}

int json_gopark__parse(json_t *j, struct fp_gopark_stats **out, char *err, size_t errlen)
{
	struct fp_gopark_stats *s;
	json_t *rs = json_object_get(j, "reasons"), *ts = json_object_get(j, "sites"), *x;
	char *owned = NULL;
	const char *str;
	size_t i;
	int e = 0;

	if (!json_is_object(j) || !json_is_array(rs) || !json_is_array(ts))
		return json__bad(err, errlen, "gopark", "expected an object with reasons and sites arrays");
	s = gopark_stats__new();
	if (!s)
		return -ENOMEM;
	str = json__get_str(j, "go_version", &owned);
	if (str)
		snprintf(s->go_version, sizeof(s->go_version), "%s", str);
	free(owned);
	owned = NULL;
	str = json__get_str(j, "notes", &owned);
	if (str)
		e = gopark_stats__add_note(s, str);
	free(owned);
	json_array_foreach(rs, i, x)
		if (!e)
			e = parse_reason(x, s, err, errlen);
	json_array_foreach(ts, i, x)
		if (!e)
			e = parse_site(x, s, err, errlen);
	if (e) {
		gopark_stats__free(s);
		return e;
	}
	gopark_stats__sort(s);
	*out = s;
	return 0;
}
