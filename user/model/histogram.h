/* Histograms in the kernel's bucketing (bpf/fp_hist.h): log2 with 4 linear
 * sub-buckets.  Percentiles interpolate inside a bucket and are clamped to
 * the exact min/max, so they are never off by more than one bucket (25%). */
#ifndef FP_MODEL_HIST_H
#define FP_MODEL_HIST_H

#include <stdint.h>
#include <stdbool.h>
#include "fp_hist.h"

struct fp_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;		/* 0 when empty */
	uint64_t max;
	uint64_t b[FP_HIST_BUCKETS];
};

void hist__add(struct fp_hist *h, uint64_t v, uint64_t n);
void hist__merge(struct fp_hist *dst, const struct fp_hist *src);
/* dst = cur - prev, for rates; min/max are those of cur (not derivable). */
void hist__delta(struct fp_hist *dst, const struct fp_hist *cur, const struct fp_hist *prev);
/* Recompute count from the buckets (after filling b[] from a map). */
void hist__recount(struct fp_hist *h);
uint64_t hist__percentile(const struct fp_hist *h, double q);
void hist__bucket_bounds(unsigned int idx, uint64_t *lo, uint64_t *hi);
/* Inverse of bucket_bounds for data read back from JSON: -1 if not a bucket. */
int hist__bucket_of(uint64_t lo, uint64_t hi);
double hist__mean(const struct fp_hist *h);

/* The first and last non-empty buckets; false (and -1, -1) when empty. */
bool hist__span(const struct fp_hist *h, int *first, int *last);
/* Values below v, summed from the buckets: exact when v is a bucket's lower
 * bound, as every power of two is (Prometheus' cumulative "le" buckets). */
uint64_t hist__count_below(const struct fp_hist *h, uint64_t v);

/* One row per power of two (its FP_HIST_SUB buckets merged, exact since the
 * buckets split powers of two), from the lowest non-empty one to the highest,
 * empty ones between kept; past max rows the higher ones merge into the
 * last row.  The views draw their bars from these. */
struct fp_hist_row {
	uint64_t lo, hi;	/* [lo, hi); hi UINT64_MAX for the last bucket */
	uint64_t count;
};
#define FP_HIST_ROWS (FP_HIST_BUCKETS / FP_HIST_SUB)	/* rows of a full histogram */
size_t hist__pow2_rows(const struct fp_hist *h, struct fp_hist_row *out, size_t max);

#endif
