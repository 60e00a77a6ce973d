/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel/user contract of the syscall accounting family (syscalls.bpf.c). */
#ifndef FP_SYS_H
#define FP_SYS_H

#include "fp_hist.h"

#define FP_MAX_SYS_STATS 8192	/* (tgid, syscall) pairs */

struct fp_sys_key {
	unsigned int tgid;
	unsigned int nr;
};

/* Per-CPU value; user space sums the CPUs. */
struct fp_sys_val {
	unsigned long long calls;
	unsigned long long errors;
	unsigned long long total_ns;
	unsigned long long min_ns;	/* 0 = unset (a real 0 ns is stored as 1) */
	unsigned long long max_ns;
	unsigned long long lat[FP_HIST_BUCKETS];
};

#endif /* FP_SYS_H */
