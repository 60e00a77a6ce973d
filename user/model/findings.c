#include "model/findings.h"
#include "model/alloc_churn.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/findings_cpu.h"
#include "model/gopark.h"
#include "model/sched.h"

/* Each probe family's model file contributes its rule here. */
static const struct fp_rule rules[] = {
	{ "sendfile-lost", io__rule_sendfile_lost },
	{ "stat-storm", stat__storm_rule },
	{ "alloc-churn", alloc_churn__rule },
	{ "bounds-check", cpu__bounds_rule },
	{ "blocked-on-queue", gopark__queue_rule },
	{ "lock-contention", gopark__lock_rule },
	{ "cpu-saturated", sched__rule_saturated },
	{ "lock-contention", sched__rule_lock },	/* after the Go park rule's */
	{ NULL, NULL },
};

int findings__evaluate(struct fp_snapshot *s, double window_s)
{
	int err;

	for (size_t i = 0; i < s->nprocs; i++) {
		struct fp_proc *p = &s->procs[i];

		proc__clear_findings(p);
		for (const struct fp_rule *r = rules; r->fn; r++) {
			err = r->fn(p, window_s);
			if (err)
				return err;
		}
	}
	return 0;
}
