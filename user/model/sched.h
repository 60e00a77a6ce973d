/* Model section: scheduler waits (issue 12, the kernel half): where the
 * threads of a process wait, from sched_switch and sched_wakeup
 * (bpf/fp_sched.h), exact (every switch, not sampled).
 *
 * rq: run-queue delay, each wait from runnable (woken, or preempted) to
 * switched in.  off: off-CPU blocked time, each period from switched out
 * not runnable to woken; blocks split it by the syscall the thread was in.
 * Both count periods that ended in the window: a thread blocked through the
 * whole window shows when it wakes. */
#ifndef FP_MODEL_SCHED_H
#define FP_MODEL_SCHED_H

#include "model/snapshot.h"
#include "fp_sched.h"
#include "model/cpu_prof.h"

/* Blocked time in one syscall (nr -1: in none seen starting: a page fault,
 * or a syscall begun before attach, or syscalls not traced). */
struct fp_sched_block {
	int nr;
	uint64_t count;
	uint64_t ns;
	uint64_t max_ns;
};

struct fp_sched_stats {
	uint64_t on_ns;		/* on CPU between the switches seen */
	uint64_t preempt;	/* involuntary switches (still runnable) */
	struct fp_hist rq;	/* run-queue delay, ns */
	struct fp_hist off;	/* off-CPU blocked, ns */
	struct fp_sched_block *blocks;
	size_t nblocks, cap;
	/* --waits=stacks: the stacks threads blocked in (user and kernel,
	 * leaf first), a profile whose counts are nanoseconds blocked (hz 0);
	 * NULL without. */
	struct fp_cpu_prof *stacks;
};

struct fp_sched_stats *sched_stats__new(void);
void sched_stats__free(struct fp_sched_stats *s);
struct fp_sched_stats *sched_stats__clone(const struct fp_sched_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_sched_stats *sched_stats__delta(const struct fp_sched_stats *cur, const struct fp_sched_stats *prev);
/* Adds to nr's entry (created if new); -ENOMEM. */
int sched_stats__add_block(struct fp_sched_stats *s, int nr, uint64_t count, uint64_t ns, uint64_t max_ns);
/* Blocks by most time first (then nr). */
void sched_stats__sort(struct fp_sched_stats *s);

/* How an off-CPU stack (leaf first) reads in one line: the first kernel
 * frame that is not the scheduler's own (schedule(), __schedule(), ...:
 * every blocked stack has them) is what it blocked in ("pipe_read"), the
 * user frames where.  Returns the index of that kernel frame, or -1. */
int sched__stack_kernel_frame(const struct fp_cpu_stack *st);

/* Share of the threads' time spent blocked: off / (on + rq + off), in
 * [0, 1]; NAN when nothing was seen. */
double sched_stats__off_share(const struct fp_sched_stats *s);
size_t sched_stats__hists(const struct fp_sched_stats *s, struct fp_named_hist *out, size_t max);
/* Blocked waiting for a lock in futex(2) (bpf/fp_sched.h): a block of its
 * own, named "futex_lock"; other futex waits are "futex". */
#define FP_SCHED_BLOCK_FUTEX_LOCK ((int)FP_SCHED_NR_FUTEX_LOCK)

/* "futex", "clock_nanosleep", "syscall_NNN" (model/syscalls.h), "futex_lock",
 * or "none" for nr -1. */
const char *sched__block_name(int nr);
/* Back from a name: -1 for "none", -2 if unknown. */
int sched__block_nr(const char *name);

/* Finding "cpu-saturated" (findings_sched.c): the process waited for a CPU
 * at least FP_SATURATED_RQ_SHARE of the time it ran, and at least
 * FP_SATURATED_MIN_SHARE of the window.  At 0.5 the threads spent a third
 * or more of their runnable time queued, i.e. they got at most two thirds
 * of the CPU they asked for; on a machine with idle cores the run-queue
 * delay is a few percent of the run time (wakeup latency, ~tens of us per
 * switch), so 50% is no accident of scheduling.  The floor keeps a mostly
 * idle process with a few slow wakeups out. */
#define FP_SATURATED_RQ_SHARE 0.5
#define FP_SATURATED_MIN_SHARE 0.05
int sched__rule_saturated(struct fp_proc *p, double window_s);

/* Finding "lock-contention" from the kernel's side (findings_sched.c): the
 * threads blocked waiting for futex locks ("futex_lock") at least
 * FP_LOCK_ON_SHARE as long as they ran, and at least FP_SATURATED_MIN_SHARE
 * of the window.  Measured against the time on CPU, not the time off it:
 * idle threads (a pool on its condition variable, a main thread in
 * pthread_join) block for as long as the process lives and would hide any
 * contention in a share of the off-CPU time.  At 0.5 the threads that
 * work lose a third of their time to a lock.  A Go process whose park
 * reasons (--parks) already raised lock-contention keeps that one. */
#define FP_LOCK_ON_SHARE 0.5
int sched__rule_lock(struct fp_proc *p, double window_s);

#endif
