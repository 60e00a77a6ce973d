/* Model section: stat family: calls, errnos, paths (issue: stat storms). */
#ifndef FP_MODEL_STATFAM_H
#define FP_MODEL_STATFAM_H

#include "model/snapshot.h"

struct fp_stat_stats {
	uint64_t calls;
};

void stat_stats__free(struct fp_stat_stats *s);
struct fp_stat_stats *stat_stats__clone(const struct fp_stat_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_stat_stats *stat_stats__delta(const struct fp_stat_stats *cur, const struct fp_stat_stats *prev);

/* Summary accessors used by views (top, report, serve). */
uint64_t stat_stats__calls(const struct fp_stat_stats *s);
uint64_t stat_stats__errors(const struct fp_stat_stats *s);
size_t stat_stats__hists(const struct fp_stat_stats *s, struct fp_named_hist *out, size_t max);

#endif
