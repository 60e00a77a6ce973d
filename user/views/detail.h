/* The detail of one process in `fastpath top`, and its help screen, as
 * lines of text with a kind each (the ncurses view picks the attributes and
 * scrolls).  Pure C, unit-tested. */
#ifndef FP_VIEWS_DETAIL_H
#define FP_VIEWS_DETAIL_H

#include <stddef.h>
#include "model/snapshot.h"

enum detail_kind { DL_TEXT, DL_TITLE, DL_WARN, DL_CRIT, DL_DIM };

struct detail_line {
	int kind;
	char *text;
	int bar_x, bar_len;	/* a histogram bar to colour, if bar_len */
};

struct detail;

struct detail *detail__new(void);
void detail__free(struct detail *det);
size_t detail__count(const struct detail *det);
const struct detail_line *detail__line(const struct detail *det, size_t i);
/* A line, in its display form (util/escape.h): untrusted names may go in raw. */
int detail__add(struct detail *det, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends text (malloc'd, owned from now on, freed on failure); NULL on ENOMEM. */
struct detail_line *detail__push(struct detail *det, int kind, char *text);
/* Everything about p over an interval of secs seconds, for a screen width
 * columns wide: summary, findings in full, per-syscall table, histograms,
 * and each collected section's breakdown. */
void detail__proc(struct detail *det, const struct fp_proc *p, double secs, int width);
void detail__help(struct detail *det);

/* Each section's breakdown (views/detail_<section>.c). */
struct fp_io_stats;
struct fp_stat_stats;
struct fp_alloc_stats;
void detail__io(struct detail *det, const struct fp_io_stats *s, double secs);
void detail__stat(struct detail *det, const struct fp_stat_stats *s, double secs, int width);
void detail__alloc(struct detail *det, const struct fp_alloc_stats *s, double secs, int width);
struct fp_cpu_stats;
void detail__cpu(struct detail *det, const struct fp_cpu_stats *s, double secs, int width);
struct fp_gopark_stats;
void detail__gopark(struct detail *det, const struct fp_gopark_stats *s, double secs, int width);
struct fp_sched_stats;
void detail__sched(struct detail *det, const struct fp_sched_stats *s, double secs, int width);

#endif
