/* JSON form of the model: the public "fastpath.record/1" schema
 * (docs/json-schema.md).  Writing for `record` and `top --json`, reading for
 * `report` and `diff`. */
#ifndef FP_VIEWS_JSON_H
#define FP_VIEWS_JSON_H

#include <stdio.h>
#include <jansson.h>
#include "model/snapshot.h"

#define FP_SCHEMA_RECORD "fastpath.record/1"

/* json_common.c: what every section's JSON shares. */
json_t *json__hist(const struct fp_hist *h);
/* Fills h from a HISTOGRAM object; err names the problem. */
int json__parse_hist(json_t *j, struct fp_hist *h, char *err, size_t errlen);
/* "where: what" into err; -EINVAL. */
int json__bad(char *err, size_t errlen, const char *where, const char *what);
/* o[key] as a non-negative integer, else json__bad naming where.key. */
int json__get_u64(json_t *o, const char *key, uint64_t *v, char *err, size_t errlen, const char *where);

/* An untrusted string (NULL: null): valid UTF-8 as it is, otherwise its
 * display form (util/escape.h); the raw bytes are in KEY_b64 then. */
json_t *json__str(const char *s);
/* The base64 of s when it is not valid UTF-8, else NULL. */
json_t *json__b64(const char *s);
/* o[key] = json__str(s), and o[key_b64] when s is not valid UTF-8. */
void json__set_str(json_t *o, const char *key, const char *s);
/* Back to the raw bytes: o[key_b64] decoded when present (*owned, for the
 * caller to free), else o[key]'s value; NULL when neither is a string. */
const char *json__get_str(json_t *o, const char *key, char **owned);
/* The same for a value and its base64 given apart (arrays). */
const char *json__str_value(json_t *str, json_t *b64, char **owned);
/* o[key] = an array of n untrusted strings; o[key_b64] beside it (null, or
 * the base64 of an element that is not UTF-8) when any needs it. */
void json__set_strs(json_t *o, const char *key, char *const *v, size_t n);
/* Element i of such an array, raw (*owned to free, as json__get_str). */
const char *json__get_strs_at(json_t *o, const char *key, size_t i, char **owned);
/* host, kernel and target of a recording or a top interval, and back. */
void json__meta(json_t *o, const struct fp_meta *m);
void json__get_meta(json_t *o, struct fp_meta *m);

json_t *json__proc(const struct fp_proc *p, double window_s);
json_t *json__record(const struct fp_snapshot *s);
int json__write_record(FILE *f, const struct fp_snapshot *s);

/* Reads a recording; on failure returns -EINVAL (or -errno) and err says
 * what is wrong and where. */
int json__read_record(const char *path, struct fp_snapshot **out, char *err, size_t errlen);

/* Sections (views/json_<section>.c). */
struct fp_io_stats;
struct fp_stat_stats;
struct fp_alloc_stats;
json_t *json_io__from(const struct fp_io_stats *s, double window_s);
int json_io__parse(json_t *j, struct fp_io_stats **out, char *err, size_t errlen);
json_t *json_stat__from(const struct fp_stat_stats *s, double window_s);
int json_stat__parse(json_t *j, struct fp_stat_stats **out, char *err, size_t errlen);
json_t *json_alloc__from(const struct fp_alloc_stats *s, double window_s);
int json_alloc__parse(json_t *j, struct fp_alloc_stats **out, char *err, size_t errlen);
struct fp_cpu_stats;
json_t *json_cpu__from(const struct fp_cpu_stats *s, double window_s);
int json_cpu__parse(json_t *j, struct fp_cpu_stats **out, char *err, size_t errlen);
struct fp_gopark_stats;
json_t *json_gopark__from(const struct fp_gopark_stats *s, double window_s);
int json_gopark__parse(json_t *j, struct fp_gopark_stats **out, char *err, size_t errlen);
struct fp_sched_stats;
json_t *json_sched__from(const struct fp_sched_stats *s, double window_s);
int json_sched__parse(json_t *j, struct fp_sched_stats **out, char *err, size_t errlen);
struct fp_cpu_prof;
json_t *json_cpu__profile(const struct fp_cpu_prof *p);
int json_cpu__parse_profile(json_t *j, struct fp_cpu_prof **out, char *err, size_t errlen);
/* A profile's stacks (the first FP_PROF_JSON_STACKS) as [{frames,
 * kernel_frames, WEIGHT}], WEIGHT "count" (samples) or "ns" (off-CPU);
 * and back, added to p (cpu_prof__finish() after). */
json_t *json_cpu__stacks(const struct fp_cpu_prof *p, const char *weight);
int json_cpu__parse_stacks(json_t *j, struct fp_cpu_prof *p, const char *weight, const char *where, char *err,
			   size_t errlen);

#endif
