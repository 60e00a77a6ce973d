/* The CPU family's rule for findings.c. */
#ifndef FP_MODEL_FINDINGS_CPU_H
#define FP_MODEL_FINDINGS_CPU_H

#include "model/snapshot.h"

/* bounds-check (warning): a function with >= 5% of the process's samples
 * whose loop holds compare-and-branch sequences to a Go bounds panic. */
int cpu__bounds_rule(struct fp_proc *p, double window_s);

#endif
