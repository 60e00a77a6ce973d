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

#endif
