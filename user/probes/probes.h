/*
 * Probes: the only layer that touches BPF skeletons and maps.  Opens, loads
 * and attaches the probe families, manages targets, and reads the in-kernel
 * aggregates into a model snapshot.  Everything returns negative errno.
 */
#ifndef FP_PROBES_H
#define FP_PROBES_H

#include <stdbool.h>
#include "fp_target.h"
#include "model/snapshot.h"

enum fp_alloc_mode { FP_ALLOC_OFF = 0, FP_ALLOC_SAMPLED, FP_ALLOC_EXACT };

struct fp_probe_opts {
	struct fp_targ_cfg cfg;
	bool sys;		/* syscall accounting */
	bool io;		/* data path */
	bool stat;		/* stat family */
	bool stat_paths;	/* ...with paths */
	int alloc;		/* enum fp_alloc_mode */
	bool stacks;		/* allocation call sites */
	bool cpu;		/* on-CPU time per process (the CPU family) */
	unsigned int profile_hz;	/* sampled CPU profile: 0 = off */
	bool parks;		/* Go park reasons (the gopark family) */
	bool waits;		/* scheduler waits: run-queue delay, off-CPU time */
	bool waits_stacks;	/* ...and the stacks threads blocked in */
	bool bpf_stats;		/* ask the kernel for our programs' run time */
	bool transient;		/* top: forget reaped processes once read */
};

struct fp_probes;

int probes__open(struct fp_probes **out, const struct fp_probe_opts *opts);
/* Before or after attach: follow this tgid (state: enum fp_target_state). */
int probes__add_target(struct fp_probes *P, int tgid, int state);
int probes__attach(struct fp_probes *P);
/* Per-process probes (uprobes) for tgid, whose binary is exe (NULL: read
 * /proc/PID/exe).  probes__add_target does it for active targets; call it
 * for a pending command before it execs. */
int probes__attach_pid(struct fp_probes *P, int tgid, const char *exe);
/* Cumulative counters since attach, into an empty snapshot. */
int probes__read(struct fp_probes *P, struct fp_snapshot *s);
/* Housekeeping a few times a second (e.g. learn the exe of new processes
 * before they exit). */
void probes__poll(struct fp_probes *P);
/* The complete processes reaped since the last call (or since attach),
 * which later reads no longer include: for a caller that keeps their
 * totals in a smaller form (serve, by command name).  NULL on ENOMEM. */
struct fp_snapshot *probes__take_reaped(struct fp_probes *P);
/* Targets still alive (entries left in fp_targets); <0 on error. */
int probes__live_targets(struct fp_probes *P);
void probes__destroy(struct fp_probes *P);

/* What `fastpath check` reports: each probe actually tried on this kernel. */
struct fp_support {
	bool btf;		/* /sys/kernel/btf/vmlinux */
	bool tp_btf;		/* lifecycle + syscall probes load and attach */
	bool uprobe;		/* perf-event uprobes (PMU "uprobe" present) */
	bool bpf_stats;		/* BPF_ENABLE_STATS */
	char tp_btf_err[128];
};
void probes__check_support(struct fp_support *s);
/* The kernel's own BTF, which every program (CO-RE, tp_btf) is typed by. */
#define FP_VMLINUX_BTF "/sys/kernel/btf/vmlinux"
bool probes__have_btf(void);

#endif

