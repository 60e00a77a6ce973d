/* Model section: allocator calls (issue: allocator). */
#ifndef FP_MODEL_ALLOC_H
#define FP_MODEL_ALLOC_H

#include "model/snapshot.h"

struct fp_alloc_stats {
	uint64_t calls;
};

void alloc_stats__free(struct fp_alloc_stats *s);
struct fp_alloc_stats *alloc_stats__clone(const struct fp_alloc_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_alloc_stats *alloc_stats__delta(const struct fp_alloc_stats *cur, const struct fp_alloc_stats *prev);

/* Summary accessors used by views (top, report, serve).  In sampled mode
 * these are the estimates. */
uint64_t alloc_stats__calls(const struct fp_alloc_stats *s);
uint64_t alloc_stats__bytes(const struct fp_alloc_stats *s);
size_t alloc_stats__hists(const struct fp_alloc_stats *s, struct fp_named_hist *out, size_t max);

#endif
