/* What every section's JSON shares (json.c, json_io.c, json_alloc.c): the
 * one-line parse error, non-negative integers, histograms in JSON and back
 * ("buckets": [[lo, hi, count], ...]). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "views/json.h"

int json__bad(char *err, size_t errlen, const char *where, const char *what)
{
	snprintf(err, errlen, "%s: %s", where, what);
	return -EINVAL;
}

int json__get_u64(json_t *o, const char *key, uint64_t *v, char *err, size_t errlen, const char *where)
{
	json_t *j = json_object_get(o, key);
	char w[256];

	if (!json_is_integer(j) || json_integer_value(j) < 0) {
		snprintf(w, sizeof(w), "%s.%s", where, key);
		return json__bad(err, errlen, w, j ? "expected a non-negative integer" : "missing");
	}
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

json_t *json__hist(const struct fp_hist *h)
{
	json_t *buckets = json_array();
	uint64_t lo, hi;

	for (int i = 0; i < FP_HIST_BUCKETS; i++) {
		if (!h->b[i])
			continue;
		hist__bucket_bounds(i, &lo, &hi);
		json_array_append_new(buckets, json_pack("{s:I,s:I,s:I}",
			"lo", (json_int_t)lo, "hi", (json_int_t)(hi == UINT64_MAX ? (uint64_t)INT64_MAX : hi),
			"count", (json_int_t)h->b[i]));
	}
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
		"count", (json_int_t)h->count, "sum", (json_int_t)h->sum,
		"min", (json_int_t)h->min, "max", (json_int_t)h->max,
		"p50", (json_int_t)hist__percentile(h, 0.50),
		"p90", (json_int_t)hist__percentile(h, 0.90),
		"p99", (json_int_t)hist__percentile(h, 0.99),
		"buckets", buckets);
}

int json__parse_hist(json_t *j, struct fp_hist *h, char *err, size_t errlen)
{
	json_t *buckets, *b;
	uint64_t lo, hi, cnt;
	size_t i;
	int idx, e;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(j))
		return json__bad(err, errlen, "histogram", "expected an object");
	if ((e = json__get_u64(j, "count", &h->count, err, errlen, "histogram")) ||
	    (e = json__get_u64(j, "sum", &h->sum, err, errlen, "histogram")) ||
	    (e = json__get_u64(j, "min", &h->min, err, errlen, "histogram")) ||
	    (e = json__get_u64(j, "max", &h->max, err, errlen, "histogram")))
		return e;
	buckets = json_object_get(j, "buckets");
	if (!json_is_array(buckets))
		return json__bad(err, errlen, "histogram.buckets", "expected an array");
	json_array_foreach(buckets, i, b) {
		if ((e = json__get_u64(b, "lo", &lo, err, errlen, "histogram.buckets[]")) ||
		    (e = json__get_u64(b, "hi", &hi, err, errlen, "histogram.buckets[]")) ||
		    (e = json__get_u64(b, "count", &cnt, err, errlen, "histogram.buckets[]")))
			return e;
		if (hi == (uint64_t)INT64_MAX)
			hi = UINT64_MAX;
		idx = hist__bucket_of(lo, hi);
		if (idx < 0)
			return json__bad(err, errlen, "histogram.buckets[]", "bounds are not fastpath's buckets");
		h->b[idx] = cnt;
	}
	return 0;
}
