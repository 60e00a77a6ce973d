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
struct fp_cpu_prof;
json_t *json_cpu__profile(const struct fp_cpu_prof *p);
int json_cpu__parse_profile(json_t *j, struct fp_cpu_prof **out, char *err, size_t errlen);

#endif
