/* The table model of `fastpath top` (as htop's ProcessTable is to its
 * Panel): one row of per-second rates per process of an interval snapshot,
 * which rows to show, their order, and the interval's totals.  No
 * formatting: views/topfmt.c lays the rows out as cells, and both the
 * ncurses view and batch mode draw from it.  Unit-tested in
 * tests/unit/test_top.c. */
#ifndef FP_MODEL_TOP_H
#define FP_MODEL_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/snapshot.h"

enum top_col {
	TOP_PID,
	TOP_COMM,
	TOP_CPU,	/* on-CPU time, % of one CPU (user + system) */
	TOP_RQ,		/* p99 run-queue delay in the interval (--waits) */
	TOP_OFF,	/* off-CPU (blocked) share of the threads' time (--waits) */
	TOP_SYS,	/* syscalls/s */
	TOP_P99,	/* p99 syscall latency in the interval */
	TOP_ERR,	/* failed syscalls/s */
	TOP_STAT,	/* stat-family calls/s */
	TOP_COPY,	/* copying data path, bytes/s (shown as MiB/s) */
	TOP_ZC,		/* zero-copy data path, bytes/s (shown as MiB/s) */
	TOP_ZCR,	/* zero-copy share of the bytes moved */
	TOP_ALLOC,	/* allocator calls/s */
	TOP_AMB,	/* allocated bytes/s (shown as MiB/s) */
	TOP_CTR,	/* container (short id) or systemd unit, from the cgroup */
	TOP_FLAGS,	/* active findings */
	TOP_NCOLS
};

/* Missing values (the section was not collected, or no data) are NAN and
 * print as "-". */
struct top_row {
	const struct fp_proc *p;	/* in the interval snapshot */
	int pid;
	bool exited;
	int severity;			/* worst finding: 0 none, 1 info, 2 warning, 3 critical */
	double v[TOP_NCOLS];		/* numeric columns */
};

/* Rows of the processes in an interval snapshot d.  Processes that exited
 * more than linger intervals before d was read are left out; filter (may be
 * NULL or "") keeps those whose comm contains it (case-insensitive), whose
 * pid starts with it, or whose container id or cgroup name starts with it; active_only keeps those with any activity in the
 * interval or that exited in it (batch mode).  Returns the number of rows (at most max). */
size_t toprows__build(const struct fp_snapshot *d, struct top_row *rows, size_t max,
		      const char *filter, int linger, bool active_only);
/* Stable: ties in col go by pid.  desc reverses the column's order. */
void toprows__sort(struct top_row *rows, size_t n, int col, bool desc);
bool toprow__active(const struct top_row *r);
/* The CONTAINER cell of p: the container's 12-digit short id, else its
 * systemd unit or slice, else "" (raw bytes: the view escapes). */
const char *top__container(const struct fp_proc *p, char *buf, size_t len);

/* A finding's severity as a rank: 3 critical, 2 warning, 1 otherwise. */
int top__severity(const char *severity);
/* Run time over an interval as a percentage of one CPU. */
double top__cpu_pct(double busy_ns, double interval_s);

/* Per-second totals of the interval over every process. */
struct top_totals {
	size_t procs, exited;
	double syscalls, errors, allocs, events;	/* events: syscalls + allocator calls */
	double bpf_cpu_pct, bpf_runs;			/* BPF run time (% of one CPU), program runs/s */
	uint64_t dropped;				/* in the interval */
};
void toptotals__compute(const struct fp_snapshot *d, struct top_totals *t);

#endif
