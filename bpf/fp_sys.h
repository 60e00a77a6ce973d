/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel/user contract of the syscall accounting family (syscalls.bpf.c).
 *
 * Counters live in a dense pool instead of a per-CPU hash keyed by (tgid,
 * nr): every traced process gets a slot once (its first counted syscall),
 * and a row of FP_ROW_WIDTH columns, one per syscall number then one per
 * data-path size histogram, holds the pool cell of each (0: none yet).  A
 * cell is one struct fp_sys_val per CPU, at cells[(cell - 1) * ncpus + cpu]
 * of one array that user space maps and reads without a syscall (the part
 * in use only: cells and slots are handed out from the bottom).  The hot
 * path does two inlined array lookups where the hash needed a hash and a
 * bucket walk; and nothing is allocated while tracing (a hash that grows
 * with use fails its inserts under fork churn when the per-CPU allocator
 * runs dry).  Slots and cells of exited processes go back to free queues
 * when user space reaps them.  Plain C: both sides include it. */
#ifndef FP_SYS_H
#define FP_SYS_H

#include "fp_hist.h"

#define FP_SYS_NR_MAX 512	/* syscall numbers 0..511 (x86_64 ends near 470) */
#define FP_ROW_IO_HISTS 32	/* data-path size histograms: family * FP_FD_KINDS + kind */
#define FP_ROW_IO FP_SYS_NR_MAX	/* the first of them */
#define FP_ROW_STAT_COLS 16	/* the stat family's counters, one per syscall of it (fp_stat.h) */
#define FP_ROW_STAT (FP_ROW_IO + FP_ROW_IO_HISTS)
#define FP_ROW_WIDTH (FP_ROW_STAT + FP_ROW_STAT_COLS)
#define FP_MAX_SLOTS 4096	/* processes with counters at once */
#define FP_MAX_CELLS 8192	/* (process, syscall or histogram) cells; fewer on many CPUs */

/* One slot's row: the pool cell + 1 of each column, 0 for none yet. */
struct fp_row {
	unsigned int cell[FP_ROW_WIDTH];
};

/* fp_slot_tgid values (u64: array elements are 8-byte aligned, and user
 * space reads them in place): the tgid, with this bit once the process has exited
 * (its counts are final; user space reaps the slot).  A new process that
 * reuses the pid gets a new slot. */
#define FP_SLOT_DEAD 0x80000000u

/* Per CPU, in the pool.  For a data-path size histogram calls, errors and
 * total_ns stay 0 and lat[] holds sizes.  For a stat family column, calls
 * are its calls and lat[] holds its counters (FP_STAT_CELL_* in fp_stat.h). */
struct fp_sys_val {
	unsigned long long calls;
	unsigned long long errors;
	unsigned long long total_ns;
	unsigned long long min_ns;	/* 0 = unset (a real 0 ns is stored as 1) */
	unsigned long long max_ns;
	unsigned long long lat[FP_HIST_BUCKETS];
};

#endif /* FP_SYS_H */
