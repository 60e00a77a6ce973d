/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/user contract for choosing which processes are traced and for the
 * per-process identity every probe family shares.  Plain C: both sides
 * include it; never vmlinux.h here.
 */
#ifndef FP_TARGET_H
#define FP_TARGET_H

#define FP_COMM_LEN 16
#define FP_MAX_TARGETS 8192	/* processes followed at once (tgids) */
#define FP_MAX_PROCS 16384	/* processes whose identity is kept */

/* fp_target_bits: two bits per tgid, 32 tgids per u64 word, so the hot
 * path's "is this a target?" is an array lookup the JIT inlines (~1 ns)
 * instead of a hash lookup (~20 ns) on every syscall of every process.
 * fp_targets (a hash) is the registry user space walks.  The two bits hold
 * enum fp_target_state. */
#define FP_TARGET_BITS_PER_WORD 32
#define FP_TARGET_BITS_DEFAULT_PID_MAX 4194304

/* Values in the fp_targets map, keyed by tgid. */
enum fp_target_state {
	FP_TARGET_PENDING = 1,	/* started by us, not yet exec'd: not counted */
	FP_TARGET_ACTIVE = 2,
};

/* What the probes are told at load time (read-only data, like targ_* in
 * libbpf-tools).  One struct so every skeleton receives the same copy. */
struct fp_targ_cfg {
	unsigned int self_tgid;		/* never trace the tracer */
	unsigned char all;		/* trace every process */
	unsigned char follow;		/* add children of targets at fork */
	unsigned char by_comm;		/* add processes that exec with comm */
	unsigned char hold_exec;	/* stop a target at exec until its per-process
					 * probes are attached (fp_held, fp_exec_events) */
	unsigned long long cgroup_id;	/* cgroup v2 id; 0 = any */
	/* 0: only cgroup_id itself (-G); else its whole subtree (--container:
	 * a container's own sub-cgroups are the container), cgroup_id being
	 * the ancestor at this level (the root is level 0). */
	unsigned int cgroup_level;
	char comm[FP_COMM_LEN];
};

/* The program a target exec'd, as execve was given it (bprm->filename),
 * kept in fp_exe_paths (proc.bpf.c) by tgid: a process that lives less
 * than one poll of user space (sh -c 'a; b') is gone before its
 * /proc/PID/exe can be read. */
#define FP_EXE_LEN 256
struct fp_exe_path {
	unsigned long long exec_ns;	/* the exec it names (fp_proc_info.exec_ns) */
	char path[FP_EXE_LEN];
};

/* Identity of a process seen by any probe; kept after it exits. */
struct fp_proc_info {
	char comm[FP_COMM_LEN];
	unsigned int ppid;
	int exit_code;			/* wait status, valid once exited */
	unsigned long long first_ns;	/* first seen (CLOCK_MONOTONIC) */
	unsigned long long exit_ns;	/* 0 while alive */
	unsigned long long exec_ns;	/* last exec: user space re-reads the exe */
	/* Taken in the kernel at first sight and at every exec, so a process
	 * that is gone before user space reads /proc still has them. */
	unsigned long long cgroup_id;	/* cgroup v2 id (its directory's inode) */
	unsigned int nspid;		/* pid in its own (innermost) PID namespace */
	unsigned int pad;
};

/* Indices of the fp_drops per-CPU array: what did not fit, counted. */
enum fp_drop_reason {
	FP_DROP_SYS_STATS = 0,	/* fp_sys_stats full */
	FP_DROP_PROCS,		/* fp_procs full */
	FP_DROP_TARGETS,	/* fp_targets full: a child not followed */
	FP_DROP_TASK_STORAGE,	/* no per-thread slot for a syscall start */
	FP_DROP_IO,
	FP_DROP_STAT,
	FP_DROP_STAT_PATHS,
	FP_DROP_ALLOC,
	FP_DROP_STACKS,
	FP_DROP_EXEC_HOLD,	/* a target's exec not held: probes late, early calls missed */
	FP_DROP_CPU,		/* fp_cpu_exit full: an exited process's CPU time */
	FP_DROP_PROFILE,	/* profile sample not counted (map full, no stack) */
	FP_DROP_GOPARK,		/* a Go park not timed (fp_gopark_open/stats full) */
	FP_DROP_GOPARK_SITES,	/* a Go parking site not kept (fp_gopark_sites full) */
	FP_DROP_WAITS,		/* scheduler waits: a process, (process, syscall) pair or thread not counted */
	FP_DROP_MAX = 16,
};

/* A target stopped at exec (fp_exec_events), until user space has attached
 * the probes that fit its new image and sends SIGCONT. */
struct fp_exec_event {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long exec_ns;
};
#define FP_MAX_HELD 1024	/* processes held at exec at once */

#endif /* FP_TARGET_H */
