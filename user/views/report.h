/* Reports of a recording (`fastpath report`, `fastpath diff`): text, HTML,
 * CSV, Prometheus exposition, folded stacks.  Each renders a snapshot (or a
 * diff) and nothing else. */
#ifndef FP_VIEWS_REPORT_H
#define FP_VIEWS_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "model/snapshot.h"
#include "model/diff.h"

#define FP_REPORT_MAX_HISTS 32

/* Processes busiest first (syscall time, then calls); caller frees. */
const struct fp_proc **report__order(const struct fp_snapshot *s, size_t *n);
/* "8cd5ed8 on vm (6.18.44), target ..., 2.50 s from 2026-01-01 10:00:00 UTC" */
void report__describe(const struct fp_snapshot *s, char *buf, size_t len);

/* report_text.c */
void report_text__write(FILE *f, const struct fp_snapshot *s, const char *name);
void report_text__hist(FILE *f, const struct fp_named_hist *nh);
void report_text__diff(FILE *f, const struct fp_diff *d, const char *before, const char *after);

/* report_alloc.c: the allocator section of a process (text, HTML). */
struct fp_alloc_stats;
void report_text__alloc(FILE *f, const struct fp_alloc_stats *a, double secs);
void report_html__alloc(FILE *f, const struct fp_alloc_stats *a, double secs);

/* report_cpu.c: the CPU section of a process (text, HTML). */
void report_text__cpu(FILE *f, const struct fp_proc *p, double secs);
void report_html__cpu(FILE *f, const struct fp_proc *p, double secs);
/* report_cpu.c: the scheduler waits of a process (HTML). */
void report_html__sched(FILE *f, const struct fp_proc *p);

/* report_gopark.c: the Go park section of a process (text, HTML). */
void report_text__gopark(FILE *f, const struct fp_proc *p, double secs);
void report_html__gopark(FILE *f, const struct fp_proc *p, double secs);

/* report_html.c: one self-contained page (inline CSS and SVG, no scripts). */
void report_html__write(FILE *f, const struct fp_snapshot *s, const char *name);
void report_html__diff(FILE *f, const struct fp_diff *d, const char *before, const char *after);
/* HTML-escaped text. */
void html__puts(FILE *f, const char *s);

/* csv.c: one row per (process, metric): pid,comm,metric,value,unit,note */
void csv__write(FILE *f, const struct fp_snapshot *s);
/* One field, quoted per RFC 4180 when it needs to be. */
void csv__field(FILE *f, const char *s);

/* prom.c: Prometheus text exposition format 0.0.4. */
struct fp_group;
struct fp_prom_opts {
	bool pid_label;		/* pid as a label too (cardinality grows with restarts) */
	double self_cpu_s;	/* fastpath's own CPU time; < 0 if unknown */
	double read_s;		/* time the last snapshot took to read; < 0 if unknown */
	/* serve: the processes gone, summed by command name (pid 0), added
	 * to the snapshot's groups; NULL if none. */
	const struct fp_group *gone;
	size_t ngone;
};
void prom__write(FILE *f, const struct fp_snapshot *s, const struct fp_prom_opts *o);
/* A label value: the display form (util/escape.h) with \\ and \" escaped. */
void prom__label_value(FILE *f, const char *s);
/* "copy_in size" + "bytes" -> "fastpath_copy_in_size_bytes"; buf >= 96. */
const char *prom__hist_name(const char *name, const char *unit, char *buf, size_t len);

/* folded.c: "frame;frame;frame count" lines of allocation stacks.
 * -ENOENT and err set when the recording has no stacks. */
int folded__write(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen);
/* A frame or command name (n bytes of s) in a folded line: its display form
 * (util/escape.h), the separators ';' and ' ' as ':' and '_'. */
void folded__name(FILE *f, const char *s, size_t n);
/* The sites of every process, weighted by calls or bytes. */
int folded__write_sites(FILE *f, const struct fp_snapshot *s, bool bytes);
/* folded_cpu.c: the CPU profile's stacks (what --format folded writes when
 * the recording has a profile). */
bool folded__has_cpu(const struct fp_snapshot *s);
/* pprof.c: the CPU profile as gzipped profile.proto (go tool pprof). */
int pprof__write(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen);
int folded__write_cpu(FILE *f, const struct fp_snapshot *s);
/* The off-CPU stacks (--waits=stacks), in microseconds blocked; -ENOENT
 * and err set when the recording has none. */
int folded__write_offcpu(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen);

#endif
