/* The alloc-churn rule (model/findings.c's table). */
#ifndef FP_MODEL_ALLOC_CHURN_H
#define FP_MODEL_ALLOC_CHURN_H

#include "model/snapshot.h"

int alloc_churn__rule(struct fp_proc *p, double window_s);

#endif
