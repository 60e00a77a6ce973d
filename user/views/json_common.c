/* What every section's JSON shares (json.c, json_io.c, json_alloc.c): the
 * one-line parse error, non-negative integers, histograms in JSON and back
 * ("buckets": [[lo, hi, count], ...]), untrusted strings losslessly. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "util/escape.h"

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

/* Untrusted strings, losslessly (docs/json-schema.md, "Strings"): valid
 * UTF-8 as it is (jansson escapes its control characters); anything else
 * as its display form (util/escape.h), which jansson accepts, with the raw
 * bytes in base64 beside it.  jansson refuses invalid UTF-8 outright, which
 * used to drop such a path (or a whole object packed with it). */
json_t *json__str(const char *s)
{
	char *d;
	json_t *j;

	if (!s)
		return json_null();
	if (esc__utf8_valid(s, strlen(s)))
		return json_string(s);
	d = esc__c_dup(s);
	j = d ? json_string(d) : NULL;
	free(d);
	return j;
}

json_t *json__b64(const char *s)
{
	char *b;
	json_t *j;

	if (!s || esc__utf8_valid(s, strlen(s)))
		return NULL;
	b = esc__b64(s, strlen(s));
	j = b ? json_string(b) : NULL;
	free(b);
	return j;
}

void json__set_str(json_t *o, const char *key, const char *s)
{
	json_t *b = json__b64(s);
	char k[128];

	json_object_set_new(o, key, json__str(s));
	if (b) {
		snprintf(k, sizeof(k), "%s_b64", key);
		json_object_set_new(o, k, b);
	}
}

const char *json__str_value(json_t *str, json_t *b64, char **owned)
{
	size_t n;

	*owned = NULL;
	if (json_is_string(b64) && !esc__unb64(json_string_value(b64), owned, &n))
		return *owned;
	return json_string_value(str);
}

const char *json__get_str(json_t *o, const char *key, char **owned)
{
	char k[128];

	snprintf(k, sizeof(k), "%s_b64", key);
	return json__str_value(json_object_get(o, key), json_object_get(o, k), owned);
}

void json__meta(json_t *o, const struct fp_meta *m)
{
	json__set_str(o, "host", m->host);
	json__set_str(o, "kernel", m->kernel);
	json__set_str(o, "target", m->target);	/* a command line: any bytes */
}

void json__get_meta(json_t *o, struct fp_meta *m)
{
	static const struct { const char *key; size_t off, len; } f[] = {
		{ "host", offsetof(struct fp_meta, host), sizeof(m->host) },
		{ "kernel", offsetof(struct fp_meta, kernel), sizeof(m->kernel) },
		{ "target", offsetof(struct fp_meta, target), sizeof(m->target) },
	};
	char *raw;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v = json__get_str(o, f[i].key, &raw);

		snprintf((char *)m + f[i].off, f[i].len, "%s", v ?: "");
		free(raw);
	}
}

void json__set_strs(json_t *o, const char *key, char *const *v, size_t n)
{
	json_t *a = json_array(), *b = NULL;
	char k[128];

	for (size_t i = 0; i < n; i++) {
		json_t *raw = json__b64(v[i]);

		if (raw && !b) {
			b = json_array();
			for (size_t j = 0; j < i; j++)
				json_array_append_new(b, json_null());
		}
		if (b)
			json_array_append_new(b, raw ?: json_null());
		json_array_append_new(a, json__str(v[i]));
	}
	json_object_set_new(o, key, a);
	if (b) {
		snprintf(k, sizeof(k), "%s_b64", key);
		json_object_set_new(o, k, b);
	}
}

const char *json__get_strs_at(json_t *o, const char *key, size_t i, char **owned)
{
	char k[128];

	snprintf(k, sizeof(k), "%s_b64", key);
	return json__str_value(json_array_get(json_object_get(o, key), i),
			       json_array_get(json_object_get(o, k), i), owned);
}
