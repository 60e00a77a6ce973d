/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/user contract of the stat family (statfam.bpf.h): stat-like calls
 * per (tgid, syscall) with errno classes, per (tgid, path hash) with the path
 * string kept once per hash.  The peak rate is user space's (model/peak.h).
 * Plain C: both sides include it; never vmlinux.h here.
 */
#ifndef FP_STAT_H
#define FP_STAT_H

/* Path capture limit, NUL included: longer paths keep their first 255
 * bytes (hashed over those) and are counted as truncated. */
#define FP_STAT_PATH_LEN 256

#define FP_STAT_MAX_SYS 4096		/* (tgid, syscall) pairs */
#define FP_STAT_MAX_PATHS 65536		/* (tgid, path hash) pairs; also path strings */

/* Errno classes of a failed call, the index into fp_stat_val.err[]. */
enum fp_stat_err {
	FP_STAT_ENOENT = 0,
	FP_STAT_ENOTDIR,
	FP_STAT_EACCES,
	FP_STAT_EOTHER,
	FP_STAT_NERR,
};

struct fp_stat_key {
	unsigned int tgid;
	unsigned int nr;
};

/* Per-CPU value; user space sums the CPUs.  For open/openat only the failed
 * calls are counted: probing for files by opening them is part of a storm,
 * ordinary opens are not. */
struct fp_stat_val {
	unsigned long long calls;
	unsigned long long err[FP_STAT_NERR];
	unsigned long long truncated;	/* path longer than FP_STAT_PATH_LEN - 1 */
	unsigned long long faulted;	/* path pointer unreadable (calls kept, no path) */
};

/* The path as given to the kernel (relative paths stay relative).  Hash 0
 * is never used: it stands for "no path". */
struct fp_stat_path_key {
	unsigned int tgid;
	unsigned int pad;		/* zero: hashed as part of the key */
	unsigned long long hash;	/* FNV-1a 64 of the captured bytes */
};

struct fp_stat_path_val {
	unsigned long long calls;
	unsigned long long errors;
};

/* Value of the path string map, keyed by the hash alone (shared by every
 * process that used that path). */
struct fp_stat_str {
	unsigned int truncated;
	unsigned int len;		/* bytes captured, NUL excluded */
	char path[FP_STAT_PATH_LEN];
};

#endif /* FP_STAT_H */
