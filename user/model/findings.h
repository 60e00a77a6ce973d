/* Findings: named diagnoses of a process ("sendfile-lost", "stat-storm",
 * "alloc-churn").  One place evaluates them all, over a window of data
 * (cumulative for record, one interval for top). */
#ifndef FP_MODEL_FINDINGS_H
#define FP_MODEL_FINDINGS_H

#include "model/snapshot.h"

/* A rule looks at one process over window_s seconds and adds findings. */
typedef int (*fp_rule_fn)(struct fp_proc *p, double window_s);

struct fp_rule {
	const char *kind;
	fp_rule_fn fn;
};

/* Clears and re-evaluates the findings of every process in s. */
int findings__evaluate(struct fp_snapshot *s, double window_s);

#endif
