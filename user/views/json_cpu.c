/* JSON of the "cpu" section of a process (docs/json-schema.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "model/cpu.h"

json_t *json_cpu__from(const struct fp_cpu_stats *s, double window_s)
{
	uint64_t user = cpu_stats__user_ns(s), sys = cpu_stats__system_ns(s);
	double pct = cpu_stats__pct(s->run_ns, window_s);
	json_t *o = json_pack("{s:I,s:I,s:I,s:f,s:f}", "on_cpu_ns", (json_int_t)s->run_ns,
			      "user_ns", (json_int_t)user, "system_ns", (json_int_t)sys,
			      "user_seconds", user / 1e9, "system_seconds", sys / 1e9);

	json_object_set_new(o, "percent", isnan(pct) ? json_null() : json_real(pct));
	return o;
}

static int bad(char *err, size_t errlen, const char *where, const char *what)
{
	snprintf(err, errlen, "cpu.%s: %s", where, what);
	return -EINVAL;
}

static int get_ns(json_t *j, const char *key, uint64_t *v, char *err, size_t errlen)
{
	json_t *x = json_object_get(j, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return bad(err, errlen, key, "expected a non-negative integer");
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

int json_cpu__parse(json_t *j, struct fp_cpu_stats **out, char *err, size_t errlen)
{
	struct fp_cpu_stats *s;
	int e;

	if (!json_is_object(j))
		return bad(err, errlen, "", "expected an object");
	s = cpu_stats__new();
	if (!s)
		return -ENOMEM;
	/* The split is already scaled: keep it as the ratio. */
	if ((e = get_ns(j, "on_cpu_ns", &s->run_ns, err, errlen)) ||
	    (e = get_ns(j, "user_ns", &s->utime_ns, err, errlen)) ||
	    (e = get_ns(j, "system_ns", &s->stime_ns, err, errlen))) {
		cpu_stats__free(s);
		return e;
	}
	*out = s;
	return 0;
}
