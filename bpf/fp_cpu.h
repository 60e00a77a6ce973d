/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/user contract of the CPU family (bpf/profile.bpf.c, and the exit
 * hook in bpf/proc.bpf.c through bpf/cpu.bpf.h).  Plain C: never vmlinux.h.
 *
 * On-CPU time is the scheduler's own accounting, read, not sampled:
 * sum_exec_runtime (ns, exact: updated at every context switch and tick)
 * and the utime/stime pair that splits it into user and system (tick-based
 * unless the kernel does precise accounting; the kernel scales
 * sum_exec_runtime by their ratio for /proc, and so do we).
 */
#ifndef FP_CPU_H
#define FP_CPU_H

/* One record per task, written by the task iterator (fp_cpu_iter).  The
 * thread-group leader's record also carries what the group's released
 * threads left in signal_struct, so summing a tgid's records gives what
 * the kernel's thread_group_cputime() gives. */
struct fp_cpu_task {
	unsigned int tgid;
	unsigned int tid;
	unsigned int ppid;
	unsigned int pad;
	char comm[16];		/* the thread's; the leader's names the process */
	unsigned long long run_ns;
	unsigned long long utime_ns;
	unsigned long long stime_ns;
};

/* fp_cpu_exit, keyed by tgid: the whole process's times when its last
 * thread exits (sched_process_exit with group_dead), so processes that are
 * reaped between two reads are still counted. */
struct fp_cpu_times {
	unsigned long long run_ns;
	unsigned long long utime_ns;
	unsigned long long stime_ns;
};

#define FP_CPU_MAX_EXITED 16384

/* The sampled profile (--profile): one count per (process, user stack,
 * kernel stack), in a per-CPU hash; stacks in a stack-trace map. */
#define FP_PROF_DEPTH 64		/* frames kept per stack */
#define FP_PROF_MAX_STACKS 16384	/* distinct stacks (each side) */
#define FP_PROF_MAX_KEYS 32768		/* distinct (tgid, stacks) */
#define FP_PROF_DEFAULT_HZ 49		/* odd: no lockstep with timers */
#define FP_PROF_MAX_HZ 20000

struct fp_prof_key {
	unsigned int tgid;
	int user_stack;		/* stack id, or <0: -errno of bpf_get_stackid */
	int kern_stack;
	unsigned int pad;
	unsigned long long ip;	/* the sampled user instruction (0 in kernel) */
};

/* fp_prof_lost indices: samples of targets that were not counted. */
enum fp_prof_lost {
	FP_PROF_LOST_KEYS = 0,	/* fp_prof_counts full */
	FP_PROF_LOST_USTACK,	/* user stack not stored (collision, full) */
	FP_PROF_LOST_KSTACK,	/* kernel stack not stored */
	FP_PROF_LOST_MAX = 4,
};

#endif /* FP_CPU_H */
