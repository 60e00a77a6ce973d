/* Finding "cpu-saturated": the process wants more CPU than it gets; its
 * threads wait on the run queue a large share of the time they run
 * (thresholds and why: model/sched.h). */
#include <stdio.h>
#include "model/sched.h"
#include "model/findings.h"
#include "views/units.h"

int sched__rule_saturated(struct fp_proc *p, double window_s)
{
	const struct fp_sched_stats *s = p->sched;
	char summary[256], detail[512], rq[24], on[24], p99[24];
	double share;

	if (!s || !s->rq.count || !s->on_ns || !(window_s > 0))
		return 0;
	share = (double)s->rq.sum / (double)s->on_ns;
	if (share < FP_SATURATED_RQ_SHARE || (double)s->rq.sum < FP_SATURATED_MIN_SHARE * window_s * 1e9)
		return 0;
	units__dur(s->rq.sum, rq, sizeof(rq));
	units__dur(s->on_ns, on, sizeof(on));
	units__dur(hist__percentile(&s->rq, 0.99), p99, sizeof(p99));
	snprintf(summary, sizeof(summary), "waits for a CPU: %s on the run queue against %s on CPU (%.0f%%), p99 wait %s",
		 rq, on, share * 100, p99);
	snprintf(detail, sizeof(detail),
		 "its threads were runnable but queued %.0f%% as long as they ran (%llu waits, %llu preemptions) over "
		 "%.3g s: it wants more CPU than it gets. Remedy: fewer runnable threads than the CPUs it may use "
		 "(affinity, cpu.max), or fewer competing processes, or more cpu.weight.",
		 share * 100, (unsigned long long)s->rq.count, (unsigned long long)s->preempt, window_s);
	return proc__add_finding(p, "cpu-saturated", share >= 1.0 ? "critical" : "warning", summary, detail);
}
