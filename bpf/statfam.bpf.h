/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stat storms: the stat family (stat, lstat, fstat, newfstatat, statx,
 * access, faccessat(2), readlink(at), getdents64, statfs, fstatfs) and the
 * failed open/openat calls, per process.  At entry the path argument is read
 * into the call's record; at exit the call is counted per (process,
 * syscall) with its errno class, in the syscall pool (slots.bpf.h), and per
 * (tgid, path hash).  The
 * path string is stored once per hash.  Every map is bounded; what does not
 * fit is counted in fp_drops.
 *
 * Included by syscalls.bpf.c, whose one sys_enter/sys_exit pair calls
 * stat__enter()/stat__exit() (one program per tracepoint: see io.bpf.h).
 */
#ifndef FP_STATFAM_BPF_H
#define FP_STATFAM_BPF_H

#include <bpf/bpf_core_read.h>
#include "target.bpf.h"
#include "io.bpf.h"		/* fd_file() */
#include "fp_stat.h"
#include "iter.bpf.h"

#define MAX_ERRNO 4095
#define ENOENT 2
#define EACCES 13
#define ENOTDIR 20
#define AT_FDCWD -100

/* x86_64 syscall numbers (the Makefile builds for x86 only). */
#define NR_open 2
#define NR_stat 4
#define NR_fstat 5
#define NR_lstat 6
#define NR_access 21
#define NR_readlink 89
#define NR_statfs 137
#define NR_fstatfs 138
#define NR_getdents64 217
#define NR_openat 257
#define NR_newfstatat 262
#define NR_readlinkat 267
#define NR_faccessat 269
#define NR_statx 332
#define NR_faccessat2 439

#define HASH_SEED 0xcbf29ce484222325ULL

/* Off with --no-paths: counts only, no path is ever read. */
const volatile bool stat_paths = true;

/* What the entry hands to the exit of one call on this thread.  The path
 * is read straight into the call's record (syscalls.bpf.c's struct
 * sys_start): it has to survive until the exit anyway (an openat is only
 * counted if it fails), and the record follows the thread if it is
 * switched out meanwhile.  Reading it costs about what the kernel's own
 * copy of the same string costs (getname(), ~150-200 ns on the
 * development VM: strncpy_from_user and its usercopy checks). */
struct stat_start {
	__s32 nr;		/* -1: nothing pending */
	__s32 fault;		/* the path pointer could not be read */
	__u64 uptr;		/* the path pointer, for the retry at exit */
	struct fp_stat_dir_key known;	/* the last base noted in fp_stat_dirs on this CPU */
	struct fp_stat_str str;
};

/* Kept in the dispatcher's record of the call (struct sys_start). */

/* Not preallocated: the bound is a ceiling, memory follows the paths seen. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_STAT_MAX_PATHS);
	__type(key, struct fp_stat_path_key);
	__type(value, struct fp_stat_path_val);
} fp_stat_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_STAT_MAX_PATHS);
	__type(key, __u64);
	__type(value, struct fp_stat_str);
} fp_stat_strs SEC(".maps");

/* Shared by every process, like the strings: a directory's name does not
 * depend on who asked.  Never reaped (a few entries per working directory);
 * a dentry freed and reused for another directory within one recording
 * would keep the first name. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_STAT_MAX_DIRS);
	__type(key, struct fp_stat_dir_key);
	__type(value, struct fp_stat_dir_val);
} fp_stat_dirs SEC(".maps");

/* Scratch for one directory entry: too large for the stack this deep in
 * the exit's call chain. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_stat_dir_val);
} fp_stat_dirbuf SEC(".maps");


/* Which argument holds the path: 0 or 1; -1 for fd-based calls; -2 for
 * syscalls outside the family. */
static __always_inline int path_arg(long nr)
{
	switch (nr) {
	case NR_stat: case NR_lstat: case NR_access: case NR_readlink:
	case NR_statfs: case NR_open:
		return 0;
	case NR_newfstatat: case NR_statx: case NR_faccessat: case NR_faccessat2:
	case NR_readlinkat: case NR_openat:
		return 1;
	case NR_fstat: case NR_fstatfs: case NR_getdents64:
		return -1;
	default:
		return -2;
	}
}

/* The syscall's column among the family's (FP_STAT_NRS: the same order). */
static __always_inline int stat_col(long nr)
{
	switch (nr) {
	case NR_open: return 0;
	case NR_stat: return 1;
	case NR_fstat: return 2;
	case NR_lstat: return 3;
	case NR_access: return 4;
	case NR_readlink: return 5;
	case NR_statfs: return 6;
	case NR_fstatfs: return 7;
	case NR_getdents64: return 8;
	case NR_openat: return 9;
	case NR_newfstatat: return 10;
	case NR_readlinkat: return 11;
	case NR_faccessat: return 12;
	case NR_statx: return 13;
	case NR_faccessat2: return 14;
	default: return -1;
	}
}

static __always_inline void read_path(struct stat_start *s, const char *up)
{
	long n;
	char c;

	s->str.truncated = 0;
	s->str.len = 0;
	s->fault = 0;
	n = bpf_probe_read_user_str(s->str.path, FP_STAT_PATH_LEN, up);
	if (n < 0) {
		s->fault = 1;
		s->str.path[0] = 0;
		return;
	}
	s->str.len = n > 0 ? n - 1 : 0;
	/* A full buffer is ambiguous (exactly 255 bytes, or more): one more
	 * byte settles it, only on this rare path. */
	if (n == FP_STAT_PATH_LEN &&
	    (bpf_probe_read_user(&c, 1, up + FP_STAT_PATH_LEN - 1) || c))
		s->str.truncated = 1;
}

/* What a relative path of this call is relative to, read at entry (the
 * cwd as the kernel will use it): the dirfd's file for the *at() calls,
 * else the working directory.  Pointers only; named at exit. */
static __always_inline void path_base(struct task_struct *t, struct pt_regs *regs, int arg,
				      struct stat_start *s)
{
	struct file *f;
	int dirfd = (int)regs->di;

	s->str.base.dentry = 0;
	s->str.base.mnt = 0;
	if (arg == 1 && dirfd != AT_FDCWD) {
		f = fd_file(t, dirfd);
		if (!f)
			return;
		s->str.base.dentry = (__u64)BPF_CORE_READ(f, f_path.dentry);
		s->str.base.mnt = (__u64)BPF_CORE_READ(f, f_path.mnt);
		return;
	}
	s->str.base.dentry = (__u64)BPF_CORE_READ(t, fs, pwd.dentry);
	s->str.base.mnt = (__u64)BPF_CORE_READ(t, fs, pwd.mnt);
}

/* Entry of a syscall of an ACTIVE target. */
static __noinline void stat__enter(struct task_struct *t, struct pt_regs *regs, long id,
				   struct stat_start *s)
{
	int arg;

	arg = path_arg(id);
	if (arg == -2) {
		s->nr = -1;
		return;
	}
	s->nr = id;
	s->fault = 0;
	s->str.len = 0;
	s->uptr = 0;
	if (arg >= 0 && stat_paths) {
		s->uptr = arg ? regs->si : regs->di;
		read_path(s, (const char *)s->uptr);
		if (s->fault || s->str.path[0] != '/')
			path_base(t, regs, arg, s);
		else
			s->str.base.dentry = s->str.base.mnt = 0;
	}
}

/* MurmurHash64A's constants: its word step and final mix have the
 * avalanche a path's identity needs (the hash is the key of the shared
 * string map: two paths that collide would be counted as one). */
#define MM_M 0xc6a4a7935bd1e995ULL
#define MM_R 47

static __always_inline __u64 mm_mix(__u64 h, __u64 x)
{
	x *= MM_M;
	x ^= x >> MM_R;
	x *= MM_M;
	h ^= x;
	return h * MM_M;
}

/* Eight bytes a step: a stat storm's paths are long (a node_modules tree's
 * run to 60-100 bytes), and a byte loop cost the call ~1.5 ns per byte; the
 * verifier also unrolls 32 steps here where it unrolled 256.  The bytes
 * past len in the last word are not the path's (bpf_probe_read_user_str
 * leaves them as they were): masked off, and len is mixed in. */
static __always_inline __u64 path_hash(const struct stat_start *s)
{
	const __u64 *w = (const __u64 *)s->str.path;
	__u32 len = s->str.len, words, tail;
	__u64 h;

	/* len < FP_STAT_PATH_LEN already; said again for the verifier, so
	 * that w[words] below is within the buffer. */
	if (len > FP_STAT_PATH_LEN - 1)
		len = FP_STAT_PATH_LEN - 1;
	barrier_var(len);
	words = len / 8;
	tail = len % 8;
	h = HASH_SEED ^ (len * MM_M);

	/* The whole words, then the tail: no branch in the loop body but its
	 * exit, so the verifier's states stay one per step. */
	for (__u32 i = 0; i < FP_STAT_PATH_LEN / 8; i++) {
		if (i >= words)
			break;
		h = mm_mix(h, w[i]);
	}
	if (tail)
		h = mm_mix(h, w[words] & ((1ULL << (tail * 8)) - 1));
	/* A relative path is a different file in each directory. */
	if (s->str.base.dentry) {
		h = mm_mix(h, s->str.base.dentry);
		h = mm_mix(h, s->str.base.mnt);
	}
	h ^= h >> MM_R;
	h *= MM_M;
	h ^= h >> MM_R;
	return h ? h : 1;
}

/* The call in the process's column of the syscall pool (fp_stat.h). */
static __noinline void count_sys(__u32 slot1, long nr, long ret, const struct stat_start *s)
{
	struct fp_sys_val *v;
	int col = stat_col(nr);
	__u32 e;

	if (col < 0)
		return;
	v = fp_cell(slot1, FP_ROW_STAT + col, FP_DROP_STAT);
	if (!v)
		return;
	v->calls++;
	if (ret < 0 && ret >= -MAX_ERRNO) {
		if (ret == -ENOENT)
			e = FP_STAT_ENOENT;
		else if (ret == -ENOTDIR)
			e = FP_STAT_ENOTDIR;
		else if (ret == -EACCES)
			e = FP_STAT_EACCES;
		else
			e = FP_STAT_EOTHER;
		v->lat[e]++;
	}
	if (s->fault)
		v->lat[FP_STAT_CELL_FAULTED]++;
	if (s->str.truncated)
		v->lat[FP_STAT_CELL_TRUNCATED]++;
}

/* The string goes in once per hash, when a process first uses the path. */
static __always_inline void keep_string(__u64 hash, struct stat_start *s)
{
	if (bpf_map_lookup_elem(&fp_stat_strs, &hash))
		return;
	if (fp_no_room(bpf_map_update_elem(&fp_stat_strs, &hash, &s->str, BPF_NOEXIST)))
		fp_drop(FP_DROP_STAT_PATHS);
}

static __noinline void count_path(__u32 tgid, long ret, struct stat_start *s)
{
	struct fp_stat_path_key key = { .tgid = tgid };
	struct fp_stat_path_val zero = {}, *v;

	key.hash = path_hash(s);
	v = bpf_map_lookup_elem(&fp_stat_paths, &key);
	if (!v) {
		if (fp_no_room(bpf_map_update_elem(&fp_stat_paths, &key, &zero, BPF_NOEXIST))) {
			fp_drop(FP_DROP_STAT_PATHS);
			return;
		}
		keep_string(key.hash, s);
		v = bpf_map_lookup_elem(&fp_stat_paths, &key);
		if (!v)
			return;
	}
	v->calls++;
	if (ret < 0 && ret >= -MAX_ERRNO)
		v->errors++;
}

/* One step up from directory k, into v: the parent within the mount, or
 * from a mount's root to where it is mounted. */
static __always_inline void dir_up(const struct fp_stat_dir_key *k, struct fp_stat_dir_val *v,
				   const struct fp_stat_dir_key *root)
{
	struct dentry *d = (struct dentry *)k->dentry, *up;
	struct vfsmount *m = (struct vfsmount *)k->mnt;
	struct mount *mnt, *par;
	const unsigned char *name;
	long n;

	v->top = 0;
	v->len = 0;
	v->name[0] = 0;
	v->parent.dentry = 0;
	v->parent.mnt = 0;
	if (k->dentry == root->dentry && k->mnt == root->mnt) {
		v->top = 1;
		return;
	}
	if (d == BPF_CORE_READ(m, mnt_root)) {
		mnt = (struct mount *)((__u64)m - bpf_core_field_offset(struct mount, mnt));
		par = BPF_CORE_READ(mnt, mnt_parent);
		if (!par || par == mnt) {
			v->top = 1;
			return;
		}
		v->parent.dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		v->parent.mnt = (__u64)par + bpf_core_field_offset(struct mount, mnt);
		return;
	}
	up = BPF_CORE_READ(d, d_parent);
	name = BPF_CORE_READ(d, d_name.name);
	n = bpf_probe_read_kernel_str(v->name, FP_STAT_NAME_LEN, name);
	v->len = n > 0 ? n - 1 : 0;
	if (!up || up == d) {
		v->top = 1;
		return;
	}
	v->parent.dentry = (__u64)up;
	v->parent.mnt = k->mnt;
}

/* Note the base of a relative path and the directories above it, up to
 * the first one already known (or the process's root), so user space can
 * name it after the process (or the directory) is gone.  Once per new
 * directory: a call in the same cwd as the last one noted on its CPU stops at the
 * cached `known` (fp_stat_dirs is shared by all, so any thread's note holds).
 * A global function, like fp_io_mmsg_bytes(): the verifier checks its
 * walk once, instead of once for every state of sys_exit reaching it
 * (that, with the walk a bounded loop, was half of the syscall object's
 * load time, ~70 ms).  Global:
 * s may be NULL as far as the verifier knows, and the return is a scalar. */
__noinline int fp_stat_note_base(struct stat_start *s)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fp_stat_dir_key k, root;
	struct fp_stat_dir_val *v;
	struct bpf_iter_num it;
	bool full = false;
	__u32 zero = 0;

	if (!s)
		return 0;
	k = s->str.base;
	if (!k.dentry || (k.dentry == s->known.dentry && k.mnt == s->known.mnt))
		return 0;
	v = bpf_map_lookup_elem(&fp_stat_dirbuf, &zero);
	if (!v)
		return 0;
	root.dentry = (__u64)BPF_CORE_READ(t, fs, root.dentry);
	root.mnt = (__u64)BPF_CORE_READ(t, fs, root.mnt);
	/* At most FP_STAT_DIR_DEPTH steps, an open-coded iterator (iter.bpf.h). */
	bpf_iter_num_new(&it, 0, FP_STAT_DIR_DEPTH);
	while (bpf_iter_num_next(&it)) {
		if (!k.dentry || bpf_map_lookup_elem(&fp_stat_dirs, &k))
			break;
		dir_up(&k, v, &root);
		if (fp_no_room(bpf_map_update_elem(&fp_stat_dirs, &k, v, BPF_NOEXIST))) {
			fp_drop(FP_DROP_STAT_PATHS);
			full = true;
			break;
		}
		if (v->top)
			break;
		k = v->parent;
	}
	bpf_iter_num_destroy(&it);
	if (!full)
		s->known = s->str.base;
	return 0;
}

/* Exit of a syscall whose entry stat__enter() saw.  A global function: the
 * verifier checks it once, not once for every state of sys_exit that
 * reaches it (s may be NULL as far as it knows). */
__noinline int stat__exit(__u32 tgid, __u32 slot1, long ret, struct stat_start *s)
{
	long nr;

	if (!s)
		return 0;
	/* Not in the family. */
	nr = s->nr;
	if (nr < 0)
		return 0;
	s->nr = -1;
	if ((nr == NR_open || nr == NR_openat) && (ret >= 0 || ret < -MAX_ERRNO))
		return 0;
	/* BPF cannot fault pages in: a path in a page the program never
	 * touched (a string constant read first by this very call) fails at
	 * entry.  The syscall has paged it in by now, so read it again; a
	 * pointer that still faults is really bad ((char *)1) and counted. */
	if (s->fault)
		read_path(s, (const char *)s->uptr);
	if (s->str.path[0] == '/')
		s->str.base.dentry = s->str.base.mnt = 0;
	count_sys(slot1, nr, ret, s);
	if (stat_paths && s->str.len) {
		fp_stat_note_base(s);
		count_path(tgid, ret, s);
	}
	return 0;
}

#endif /* FP_STATFAM_BPF_H */
