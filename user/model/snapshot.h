/*
 * The model: what fastpath knows about each process at one instant.  Pure C;
 * filled by the probes, read by every view and exporter, and rebuilt from a
 * recording's JSON by `report` and `diff`.  Counters are cumulative since
 * attach; snapshot__delta() turns two snapshots into one interval.
 */
#ifndef FP_MODEL_SNAPSHOT_H
#define FP_MODEL_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/histogram.h"
#include "fp_target.h"

struct fp_io_stats;	/* model/io.h: data path (zero-copy vs copy) */
struct fp_stat_stats;	/* model/statfam.h: stat family and paths */
struct fp_alloc_stats;	/* model/alloc.h: allocator calls */
struct fp_cpu_stats;	/* model/cpu.h: on-CPU time and profile */
struct fp_gopark_stats;	/* model/gopark.h: Go park reasons */
struct fp_sched_stats;	/* model/sched.h: run-queue delay, off-CPU time */

/* A histogram with a title, for views that draw every histogram of a
 * process (top's detail, the HTML report, Prometheus). */
struct fp_named_hist {
	const char *name;	/* "syscall latency", "copy_in size", ... */
	const char *unit;	/* "ns" or "bytes" */
	const struct fp_hist *h;
};

struct fp_sys_stat {
	int nr;
	uint64_t calls;
	uint64_t errors;
	uint64_t total_ns;
	struct fp_hist lat;	/* ns */
};

struct fp_finding {
	char kind[32];		/* "sendfile-lost", "stat-storm", ... */
	char severity[12];	/* "info", "warning", "critical" */
	char *summary;
	char *detail;
};

struct fp_proc {
	int pid;
	int ppid;
	char comm[FP_COMM_LEN];
	char *exe;			/* NULL if unknown */
	char *cgroup;			/* cgroup v2 path ("/system.slice/x.service"); NULL if unknown */
	int nspid;			/* pid inside its own PID namespace; 0 if unknown */
	bool exited;
	int exit_code;
	uint64_t first_ns;		/* monotonic */
	uint64_t exit_ns;
	double traced_s;		/* read from a recording (snapshot__proc_secs), 0 if not */

	struct fp_sys_stat *sys;	/* sorted by nr */
	size_t nsys, cap_sys;

	struct fp_io_stats *io;		/* NULL when not collected */
	struct fp_stat_stats *stat;
	struct fp_alloc_stats *alloc;
	struct fp_cpu_stats *cpu;
	struct fp_gopark_stats *gopark;
	struct fp_sched_stats *sched;	/* JSON "wait" */

	struct fp_finding *findings;
	size_t nfindings;
};

/* Where and what was recorded: the header of a recording. */
struct fp_meta {
	char host[72];
	char kernel[72];
	char version[32];
	char target[256];	/* human description: "pid 123", "all", "cmd: ls -l" */
	double start_time;	/* unix seconds */
	double duration_s;
};

struct fp_snapshot {
	struct fp_meta meta;
	uint64_t ts_ns;			/* monotonic time of the read */
	double interval_s;		/* for deltas: length of the interval */
	struct fp_proc *procs;
	size_t nprocs, cap_procs;
	/* pid -> procs index + 1, open addressing (snapshot.c): a recording of
	 * fork churn holds tens of thousands of processes. */
	unsigned int *pid_idx;
	size_t pid_idx_cap;
	uint64_t drops[FP_DROP_MAX];	/* what did not fit, by enum fp_drop_reason */
	uint64_t bpf_run_ns;		/* kernel-reported run time of our programs */
	uint64_t bpf_run_cnt;
};

struct fp_snapshot *snapshot__new(void);
void snapshot__free(struct fp_snapshot *s);
/* Find pid; with create, append a zeroed process. NULL on ENOMEM. */
struct fp_proc *snapshot__proc(struct fp_snapshot *s, int pid, bool create);
struct fp_sys_stat *proc__sys(struct fp_proc *p, int nr, bool create);
void proc__sort_sys(struct fp_proc *p);
void snapshot__sort_pid(struct fp_snapshot *s);

uint64_t proc__sys_calls(const struct fp_proc *p);
uint64_t proc__sys_errors(const struct fp_proc *p);
uint64_t proc__sys_time(const struct fp_proc *p);
/* All syscalls' latencies merged into one histogram. */
void proc__sys_hist(const struct fp_proc *p, struct fp_hist *out);

/* Every histogram of p (all syscalls merged first, then each section's);
 * `merged` is caller storage for the merged syscall latency. */
size_t proc__hists(const struct fp_proc *p, struct fp_hist *merged,
		   struct fp_named_hist *out, size_t max);

int proc__add_finding(struct fp_proc *p, const char *kind, const char *severity,
		      const char *summary, const char *detail);
void proc__clear_findings(struct fp_proc *p);

/* cur - prev per process (prev may be NULL: everything counts); processes
 * absent from prev count from zero. Returns NULL on ENOMEM. */
struct fp_snapshot *snapshot__delta(const struct fp_snapshot *cur, const struct fp_snapshot *prev);
/* Append a deep copy of p, even if s has its pid already. NULL on ENOMEM. */
struct fp_proc *snapshot__append_copy(struct fp_snapshot *s, const struct fp_proc *p);
/* Append p itself (its sections move, src is left zeroed, to be freed as
 * an empty process), even if s has its pid already.  NULL on ENOMEM, src
 * untouched. */
struct fp_proc *snapshot__append_move(struct fp_snapshot *s, struct fp_proc *src);
/* Complete dst, an entry of the same process with no syscalls, data path or
 * stat section yet, with src's (copies).  dst keeps an identity it has (it
 * was read later, so it is the fresher one); one it lacks comes from src. */
int proc__absorb(struct fp_proc *dst, const struct fp_proc *src);
/* Deep copy, for keeping the previous interval. */
struct fp_snapshot *snapshot__clone(const struct fp_snapshot *s);

/* How long p was traced within s's window (the interval of a delta, the
 * recording otherwise): from when it was first seen, or the window's
 * start, to its exit or the window's end.  The denominator of every
 * per-process rate, so that a child living 2 ms of a 0.5 s recording is
 * not shown at a quarter of a percent of its rate. */
double snapshot__proc_secs(const struct fp_snapshot *s, const struct fp_proc *p);

const char *drop__name(int reason);

#endif
