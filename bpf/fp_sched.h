/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel/user contract of the scheduler-wait family (sched.bpf.c): where
 * the threads of a process wait.  From sched_switch and sched_wakeup(_new),
 * per thread, the instant it became runnable (woken, or switched out while
 * still runnable: preempted) and the instant it went off CPU blocked:
 *   run-queue delay = runnable -> switched in (runqlat's measure);
 *   off-CPU time    = switched out not runnable -> woken (offcputime's).
 * Aggregated per process in per-CPU hashes; blocked time also by the
 * syscall the thread was in when it blocked (the sys family's per-thread
 * state), FP_SCHED_NR_NONE when it was in none that we saw start (a page
 * fault, or a syscall that began before attach).  Plain C: both sides
 * include it. */
#ifndef FP_SCHED_H
#define FP_SCHED_H

#include "fp_hist.h"

#define FP_SCHED_MAX_PROCS 4096		/* processes with wait counters at once */
#define FP_SCHED_MAX_BLOCK 16384	/* (process, syscall) pairs of blocked time */
#define FP_SCHED_NR_NONE 0xffffu	/* blocked outside any syscall seen starting */
/* Blocked in futex(2) waiting for a lock: FUTEX_WAIT on a word that holds 2
 * ("locked, with waiters": the contended slow path of glibc's low-level
 * locks, so pthread_mutex_lock, and of the Go runtime's own futex locks),
 * or FUTEX_LOCK_PI(2) (priority-inheritance mutexes).  Other futex waits
 * (condition variables, semaphores, pthread_join: glibc's FUTEX_WAIT_BITSET;
 * an idle Go thread's note: a word of 0) stay "futex": they are idle
 * waits, not contention. */
#define FP_SCHED_NR_FUTEX_LOCK 0xfffeu

/* Per process, per CPU (fp_sched_procs, keyed by tgid).  min 0 = unset (a
 * real 0 ns is stored as 1). */
struct fp_sched_val {
	unsigned long long rq_count;	/* run-queue waits that ended (switched in) */
	unsigned long long rq_ns;
	unsigned long long rq_min, rq_max;
	unsigned long long off_count;	/* blocked periods that ended (woken) */
	unsigned long long off_ns;
	unsigned long long off_min, off_max;
	unsigned long long on_ns;	/* on CPU, switch-in to switch-out */
	unsigned long long preempt;	/* switched out runnable (involuntary) */
	unsigned long long rq_hist[FP_HIST_BUCKETS];
	unsigned long long off_hist[FP_HIST_BUCKETS];
};

/* Blocked time by what the thread was doing (fp_sched_block). */
struct fp_sched_block_key {
	unsigned int tgid;
	unsigned int nr;		/* syscall number, or FP_SCHED_NR_NONE */
};

struct fp_sched_block_val {
	unsigned long long count;
	unsigned long long ns;
	unsigned long long max_ns;
};

/* Off-CPU stacks (--waits=stacks): at a blocking switch-out the thread's
 * user and kernel stacks (ids in fp_sched_stacks, a stack-trace map), and
 * at its wakeup the blocked time added to (process, user stack, kernel
 * stack), offcputime's aggregation.  A stack that could not be stored has
 * its id as -errno (shown as "[no stack]", its time still counted). */
#define FP_SCHED_DEPTH 64		/* frames kept per stack */
#define FP_SCHED_MAX_STACKS 8192	/* distinct stacks (both sides) */
#define FP_SCHED_MAX_OFFSTACKS 16384	/* distinct (process, stacks) */

struct fp_sched_stack_key {
	unsigned int tgid;
	int user_stack;
	int kern_stack;
	unsigned int pad;
};

struct fp_sched_stack_val {
	unsigned long long count;	/* blocked periods */
	unsigned long long ns;
};

/* fp_sched_events: a process recorded a new off-CPU stack.  User space
 * saves its maps (at once: a thread waits on the ring buffer) while the
 * process still runs; map_count (its mm's) tells it when they changed. */
struct fp_sched_event {
	unsigned int tgid;
	int map_count;
};

#endif /* FP_SCHED_H */
