/* Findings from the scheduler waits (thresholds and why: model/sched.h):
 * "cpu-saturated": the process wants more CPU than it gets; its threads
 * wait on the run queue a large share of the time they run.
 * "lock-contention": its threads block on futex locks a large share of
 * the time they run. */
#include <stdio.h>
#include <string.h>
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

static bool has_finding(const struct fp_proc *p, const char *kind)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (!strcmp(p->findings[i].kind, kind))
			return true;
	return false;
}

static const struct fp_sched_block *block_of(const struct fp_sched_stats *s, int nr)
{
	for (size_t i = 0; i < s->nblocks; i++)
		if (s->blocks[i].nr == nr)
			return &s->blocks[i];
	return NULL;
}

int sched__rule_lock(struct fp_proc *p, double window_s)
{
	const struct fp_sched_stats *s = p->sched;
	const struct fp_sched_block *b;
	char summary[256], detail[512], tot[24], on[24], max[24];
	double share;

	if (!s || !s->on_ns || !(window_s > 0) || has_finding(p, "lock-contention"))
		return 0;
	b = block_of(s, FP_SCHED_BLOCK_FUTEX_LOCK);
	if (!b || !b->count)
		return 0;
	share = (double)b->ns / (double)s->on_ns;
	if (share < FP_LOCK_ON_SHARE || (double)b->ns < FP_SATURATED_MIN_SHARE * window_s * 1e9)
		return 0;
	units__dur(b->ns, tot, sizeof(tot));
	units__dur(s->on_ns, on, sizeof(on));
	units__dur(b->max_ns, max, sizeof(max));
	snprintf(summary, sizeof(summary), "threads wait for locks: %s blocked in futex locks against %s on CPU (%.0f%%), "
		 "%llu waits, longest %s", tot, on, share * 100, (unsigned long long)b->count, max);
	snprintf(detail, sizeof(detail),
		 "its threads blocked %.0f%% as long as they ran in futex waits on a contended lock (FUTEX_WAIT on a "
		 "locked word with waiters, or FUTEX_LOCK_PI: pthread_mutex_lock's slow path) over %.3g s. Remedy: "
		 "shorten the critical section, shard the lock, or keep the state per thread; --waits=stacks shows "
		 "where they wait.", share * 100, window_s);
	return proc__add_finding(p, "lock-contention", share >= 1.0 ? "critical" : "warning", summary, detail);
}
