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

#define FP_STAT_MAX_PATHS 65536		/* (tgid, path hash) pairs; also path strings */
#define FP_STAT_MAX_DIRS 8192		/* directories relative paths were resolved against */
#define FP_STAT_NAME_LEN 128		/* one directory name, NUL included (longer: cut) */
#define FP_STAT_DIR_DEPTH 48		/* directories noted per call, walking up */

/* Errno classes of a failed call, the index into a stat cell's lat[] (FP_STAT_CELL_*). */
enum fp_stat_err {
	FP_STAT_ENOENT = 0,
	FP_STAT_ENOTDIR,
	FP_STAT_EACCES,
	FP_STAT_EOTHER,
	FP_STAT_NERR,
};

/* The family's syscalls (x86_64 numbers), in the order of their columns in
 * the syscall pool's rows (fp_sys.h: FP_ROW_STAT + index).  Counted per
 * process there, a cell per (process, syscall) like the syscall family's:
 * two inlined array lookups where a (tgid, nr) hash cost a hash and a bucket
 * walk on every stat call, and nothing allocated while tracing.  For
 * open/openat only the failed calls are counted: probing for files by
 * opening them is part of a storm, ordinary opens are not. */
#define FP_STAT_NRS { 2, 4, 5, 6, 21, 89, 137, 138, 217, 257, 262, 267, 269, 332, 439 }
#define FP_STAT_NSYS 15

/* A stat column's cell (struct fp_sys_val): `calls`, and in lat[] the errno
 * classes (enum fp_stat_err) then these; summed over the CPUs. */
#define FP_STAT_CELL_TRUNCATED FP_STAT_NERR	/* path longer than FP_STAT_PATH_LEN - 1 */
#define FP_STAT_CELL_FAULTED (FP_STAT_NERR + 1)	/* path pointer unreadable (calls kept, no path) */

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
