/* The table of `fastpath top`, shared by the ncurses view and batch mode:
 * one row of per-second rates per process from an interval snapshot, its
 * ordering and filtering, and the fixed-width cell formatting.  Pure C, no
 * terminal: unit-tested in tests/unit/test_top.c. */
#ifndef FP_VIEWS_TOPFMT_H
#define FP_VIEWS_TOPFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/snapshot.h"

enum top_col {
	TOP_PID,
	TOP_COMM,
	TOP_SYS,	/* syscalls/s */
	TOP_P99,	/* p99 syscall latency in the interval */
	TOP_ERR,	/* failed syscalls/s */
	TOP_STAT,	/* stat-family calls/s */
	TOP_COPY,	/* copying data path, MiB/s */
	TOP_ZC,		/* zero-copy data path, MiB/s */
	TOP_ZCR,	/* zero-copy share of the bytes moved */
	TOP_ALLOC,	/* allocator calls/s */
	TOP_AMB,	/* allocated MiB/s */
	TOP_FLAGS,	/* active findings */
	TOP_NCOLS
};

struct top_col_info {
	const char *group;	/* first header line ("SYSCALLS") */
	const char *title;	/* second header line ("/s") */
	const char *name;	/* in help and the sort indicator */
	int width;		/* COMM and FLAGS: the minimum */
	int key;		/* sort key */
	bool left;		/* left-aligned (text) */
	bool desc;		/* natural order: biggest first */
};

extern const struct top_col_info top_cols[TOP_NCOLS];

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
 * NULL or "") keeps those whose comm contains it (case-insensitive) or whose
 * pid starts with it; active_only keeps those with any activity in the
 * interval or that exited in it (batch mode).  Returns the number of rows (at most max). */
size_t toprows__build(const struct fp_snapshot *d, struct top_row *rows, size_t max,
		      const char *filter, int linger, bool active_only);
/* Stable: ties in col go by pid.  desc reverses the column's order. */
void toprows__sort(struct top_row *rows, size_t n, int col, bool desc);
bool toprow__active(const struct top_row *r);
int topcol__by_key(int key);

/* The cell of column col (numeric columns, PID), right-aligned later. */
const char *topfmt__cell(const struct top_row *r, int col, char *buf, size_t len);
/* FLAGS in at most width characters: the upper-case kinds joined by ","
 * when they fit, else short codes, else the first code and "+N". */
const char *topfmt__flags(const struct fp_proc *p, int width, char *buf, size_t len);
int topfmt__severity(const char *severity);
/* Run time over an interval as a percentage of one CPU. */
double topfmt__cpu_pct(double busy_ns, double interval_s);

/* Where each column goes for a screen cols wide: COMM grows to 15
 * characters, FLAGS takes what is left.  One space between columns. */
struct top_layout {
	int x[TOP_NCOLS];
	int width[TOP_NCOLS];
	int total;
};
void toplayout__fit(struct top_layout *L, int cols);
/* Header lines: 0 the column groups ("SYSCALLS", ...), 1 the titles. */
const char *toplayout__header(const struct top_layout *L, int line, char *buf, size_t len);
/* One row, padded to L->total characters (text cut to its width). */
const char *toplayout__row(const struct top_layout *L, const struct top_row *r, char *buf, size_t len);

/* What a view shows beside the interval snapshot. */
struct top_info {
	long seq;		/* interval number, from 1 */
	double wall;		/* unix time of the read */
	double uptime_s;	/* since attach */
	double interval_s;	/* as asked (-i); the snapshot has the measured one */
	double self_cpu_pct;	/* fastpath's user+sys CPU over the interval */
	bool bpf_stats;		/* the kernel reports our programs' run time */
	bool targets_gone;	/* every target exited (targeted modes) */
	bool paused;
};
/* Per-second totals of the interval over every process. */
struct top_totals {
	size_t procs, exited;
	double syscalls, errors, allocs, events;	/* events: syscalls + allocator calls */
	double bpf_cpu_pct, bpf_runs;			/* BPF run time (% of one CPU), program runs/s */
	uint64_t dropped;				/* in the interval */
};
void toptotals__compute(const struct fp_snapshot *d, struct top_totals *t);

/* A bar of '#' proportional to count/max over width characters (at least
 * one for a non-zero count). */
const char *topfmt__bar(uint64_t count, uint64_t max, int width, char *buf, size_t len);

#endif
