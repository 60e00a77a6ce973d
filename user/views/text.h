/* Plain-text views: the strace -c style table of `record`. */
#ifndef FP_VIEWS_TEXT_H
#define FP_VIEWS_TEXT_H

#include <stdio.h>
#include "model/snapshot.h"

/* One process: calls, errors, time, mean, p99, % — sorted by time. */
void text__syscall_table(FILE *f, const struct fp_proc *p);
/* The data-path summary of one process (text_io.c); nothing without io. */
void text__io(FILE *f, const struct fp_proc *p);
/* Every process with activity, busiest first, then dropped counts. */
void text__record(FILE *f, const struct fp_snapshot *s);
/* Allocator summary of one process (nothing without an alloc section). */
void text__alloc(FILE *f, const struct fp_proc *p);
/* "  cgroup PATH  container RUNTIME ID  nspid N" (what is known), escaped. */
void text__where(FILE *f, const struct fp_proc *p);
/* Stat-family calls, errors, top paths and directories (views/text_stat.c). */
void text__stat_summary(FILE *f, const struct fp_proc *p, double window_s);
/* On-CPU time, user and system, and the share of one CPU over window_s
 * (views/text_cpu.c); nothing without a cpu section. */
void text__cpu(FILE *f, const struct fp_proc *p, double window_s);
/* Go park reasons and sites (views/text_gopark.c); nothing without them. */
void text__gopark(FILE *f, const struct fp_proc *p, double window_s);
/* Run-queue delay, off-CPU time and the syscalls blocked in
 * (views/text_sched.c); nothing without a wait section. */
void text__sched(FILE *f, const struct fp_proc *p);
/* The profile alone: functions, hot lines, the hottest function annotated. */
struct fp_cpu_prof;
struct fp_cpu_annot;
void text__cpu_profile(FILE *f, const struct fp_cpu_prof *p);
void text__cpu_annot(FILE *f, const struct fp_cpu_annot *a, uint64_t proc_samples);

#endif
