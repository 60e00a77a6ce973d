/* The table of `fastpath top` as text, shared by the ncurses view and batch
 * mode: column titles and widths, the fixed-width cells of the rows that
 * model/top.c computes, the layout for a screen width.  Pure C, no
 * terminal: unit-tested in tests/unit/test_top.c. */
#ifndef FP_VIEWS_TOPFMT_H
#define FP_VIEWS_TOPFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/snapshot.h"
#include "model/top.h"

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

int topcol__by_key(int key);

/* The cell of column col (numeric columns, PID), right-aligned later. */
const char *topfmt__cell(const struct top_row *r, int col, char *buf, size_t len);
/* FLAGS in at most width characters: the upper-case kinds joined by ","
 * when they fit, else short codes, else the first code and "+N". */
const char *topfmt__flags(const struct fp_proc *p, int width, char *buf, size_t len);

/* Where each column goes for a screen cols wide: COMM grows to 15
 * characters, FLAGS takes what is left.  One space between columns. */
struct top_layout {
	int x[TOP_NCOLS];
	int width[TOP_NCOLS];
	int total;
};
void toplayout__fit(struct top_layout *L, int cols);
/* The same with the waits columns (RQp99, OFF%) when waits is set: they
 * hide without --waits.  toplayout__has_waits: whether d has a wait
 * section (fastpath runs with --waits). */
void toplayout__fit_waits(struct top_layout *L, int cols, bool waits);
bool toplayout__has_waits(const struct fp_snapshot *d);
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
/* A bar of '#' proportional to count/max over width characters (at least
 * one for a non-zero count). */
const char *topfmt__bar(uint64_t count, uint64_t max, int width, char *buf, size_t len);

#endif
