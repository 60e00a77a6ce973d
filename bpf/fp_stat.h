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
#define FP_STAT_MAX_DIRS 8192		/* directories relative paths were resolved against */
#define FP_STAT_NAME_LEN 128		/* one directory name, NUL included (longer: cut) */
#define FP_STAT_DIR_DEPTH 48		/* directories noted per call, walking up */

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

/* The path as given to the kernel.  A relative path is hashed with the
 * directory it was resolved against (the cwd at the call, or the *at()
 * call's dirfd), so "pkg0/a" in two directories is two paths.  Hash 0 is
 * never used: it stands for "no path". */
struct fp_stat_path_key {
	unsigned int tgid;
	unsigned int pad;		/* zero: hashed as part of the key */
	unsigned long long hash;	/* MurmurHash64A-style, of the captured bytes (statfam.bpf.h) */
};

struct fp_stat_path_val {
	unsigned long long calls;
	unsigned long long errors;
};

/* A directory as the kernel holds it: the dentry in its mount.  Both zero:
 * none (an absolute path, or a dirfd that was not a file). */
struct fp_stat_dir_key {
	unsigned long long dentry;
	unsigned long long mnt;
};

/* The directory map, fp_stat_dirs: one entry per directory on the way up
 * from a base to the process's root, so user space rebuilds the absolute
 * path by following `parent`.  Written once per directory, when a relative
 * path is first resolved against it (or one below it). */
struct fp_stat_dir_val {
	struct fp_stat_dir_key parent;
	unsigned int top;		/* the process's root (or the top of the mount tree) */
	unsigned int len;		/* bytes of name, NUL excluded; 0: a mount's root, same path as parent */
	char name[FP_STAT_NAME_LEN];
};

/* Value of the path string map, keyed by the hash alone (shared by every
 * process that used that path). */
struct fp_stat_str {
	unsigned int truncated;
	unsigned int len;		/* bytes captured, NUL excluded */
	struct fp_stat_dir_key base;	/* what a relative path is relative to; zero: unknown */
	char path[FP_STAT_PATH_LEN];
};

#endif /* FP_STAT_H */
