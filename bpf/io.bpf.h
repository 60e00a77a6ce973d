/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data path: calls and bytes of the copy-in, copy-out and zero-copy
 * syscalls per (tgid, syscall, source kind, destination kind), and transfer
 * size histograms, aggregated in per-CPU hashes.  The fd kinds are read at
 * entry from the task's fd table (the fd may be closed by another thread
 * before the exit); the byte count is the return value at exit.
 *
 * Included by syscalls.bpf.c, whose one sys_enter/sys_exit pair calls
 * io__enter()/io__exit(): every program attached to a tracepoint costs its
 * own dispatch (about 100 ns per syscall on this VM), so the families of the
 * syscall hooks share one program instead of attaching one each.
 */
#ifndef FP_IO_BPF_H
#define FP_IO_BPF_H

#include <bpf/bpf_core_read.h>
#include "target.bpf.h"
#include "fp_io.h"
#include "slots.bpf.h"
#include "iter.bpf.h"

#define S_IFMT   00170000
#define S_IFSOCK 0140000
#define S_IFREG  0100000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_UDPLITE 136
#define FMODE_WRITE 0x2
/* Since 6.15 anon inodes (eventfd, epoll, timerfd, ...) and pidfds report
 * S_IFREG; their superblocks tell them apart from regular files. */
#define ANON_INODE_FS_MAGIC 0x09041934
#define PIDFS_MAGIC 0x50494446

/* What sys_enter saw, for sys_exit of the same thread. */
struct io_start {
	__u16 nr;		/* 0 is read: `active` says whether it is set */
	__u8 src, dst;
	__u8 active;
	__u64 mmsg;		/* user address of the mmsghdr vector */
};

/* Kept in the dispatcher's record of the call (struct sys_start). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_MAX_IO_CELLS);
	__type(key, struct fp_io_key);
	__type(value, struct fp_io_val);
} fp_io_cells SEC(".maps");

/* The struct file behind fd in the current task, or NULL.  Probe reads
 * throughout: the table may be resized or the fd closed by another thread
 * meanwhile, and then we read a stale but valid pointer or NULL. */
static __always_inline struct file *fd_file(struct task_struct *t, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;
	unsigned int max;

	if (!fdt || fd < 0)
		return NULL;
	max = BPF_CORE_READ(fdt, max_fds);
	if (fd >= max)
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

static __always_inline __u8 sock_kind(struct file *f)
{
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	__u16 family, proto;

	if (!sk)
		return FP_FD_SOCKET;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* A plain u16 since 5.6 (it was a bitfield before; we need 5.11+). */
	proto = BPF_CORE_READ(sk, sk_protocol);
	if (family == AF_UNIX)
		return FP_FD_UNIX;
	if (family != AF_INET && family != AF_INET6)
		return FP_FD_SOCKET;
	if (proto == IPPROTO_TCP)
		return FP_FD_TCP;
	if (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE)
		return FP_FD_UDP;
	return FP_FD_SOCKET;
}

static __always_inline __u8 file_kind(struct file *f)
{
	struct inode *ino;
	unsigned long magic;
	umode_t mode;

	if (!f)
		return FP_FD_NONE;
	ino = BPF_CORE_READ(f, f_inode);
	mode = BPF_CORE_READ(ino, i_mode) & S_IFMT;
	switch (mode) {
	case S_IFREG:
		magic = BPF_CORE_READ(ino, i_sb, s_magic);
		if (magic == ANON_INODE_FS_MAGIC || magic == PIDFS_MAGIC)
			return FP_FD_OTHER;
		return FP_FD_FILE;
	case S_IFSOCK:
		return sock_kind(f);
	case S_IFIFO:
		return FP_FD_PIPE;
	case S_IFCHR:
		return FP_FD_CHARDEV;
	default:
		return FP_FD_OTHER;
	}
}

static __always_inline __u8 fd_kind(struct task_struct *t, long fd)
{
	return file_kind(fd_file(t, fd));
}

/* fd arguments of the data-path syscalls; MEMORY_END for the user-buffer
 * side.  Returns false for every other syscall. */
#define MEMORY_END (-1L)
#define VMSPLICE_END (-2L)

static __always_inline bool io_args(long id, struct pt_regs *regs, long *src, long *dst, __u64 *mmsg)
{
	switch (id) {
	case FP_NR_read: case FP_NR_readv: case FP_NR_pread64: case FP_NR_preadv:
	case FP_NR_preadv2: case FP_NR_recvfrom: case FP_NR_recvmsg:
		*src = PT_REGS_PARM1_CORE_SYSCALL(regs);
		*dst = MEMORY_END;
		return true;
	case FP_NR_recvmmsg:
		*src = PT_REGS_PARM1_CORE_SYSCALL(regs);
		*dst = MEMORY_END;
		*mmsg = PT_REGS_PARM2_CORE_SYSCALL(regs);
		return true;
	case FP_NR_write: case FP_NR_writev: case FP_NR_pwrite64: case FP_NR_pwritev:
	case FP_NR_pwritev2: case FP_NR_sendto: case FP_NR_sendmsg:
		*src = MEMORY_END;
		*dst = PT_REGS_PARM1_CORE_SYSCALL(regs);
		return true;
	case FP_NR_sendmmsg:
		*src = MEMORY_END;
		*dst = PT_REGS_PARM1_CORE_SYSCALL(regs);
		*mmsg = PT_REGS_PARM2_CORE_SYSCALL(regs);
		return true;
	case FP_NR_sendfile:		/* (out_fd, in_fd, ...) */
		*src = PT_REGS_PARM2_CORE_SYSCALL(regs);
		*dst = PT_REGS_PARM1_CORE_SYSCALL(regs);
		return true;
	case FP_NR_splice:		/* (fd_in, off_in, fd_out, ...) */
	case FP_NR_copy_file_range:
		*src = PT_REGS_PARM1_CORE_SYSCALL(regs);
		*dst = PT_REGS_PARM3_CORE_SYSCALL(regs);
		return true;
	case FP_NR_tee:			/* (fd_in, fd_out, ...) */
		*src = PT_REGS_PARM1_CORE_SYSCALL(regs);
		*dst = PT_REGS_PARM2_CORE_SYSCALL(regs);
		return true;
	case FP_NR_vmsplice:		/* direction from the pipe end: below */
		*src = PT_REGS_PARM1_CORE_SYSCALL(regs);
		*dst = VMSPLICE_END;
		return true;
	default:
		return false;
	}
}

/* Entry of a syscall of an ACTIVE target: note the fd kinds in s. */
static __noinline void io__enter(struct task_struct *t, struct pt_regs *regs,
				      long id, struct io_start *s)
{
	long src_fd, dst_fd;
	struct file *f;
	__u64 mmsg = 0;
	__u8 src, dst;

	s->active = 0;
	/* Everything else costs this switch. */
	if (!io_args(id, regs, &src_fd, &dst_fd, &mmsg))
		return;
	/* One inlined copy of the fd-table walk per end keeps the program
	 * small and its verification fast (a copy per case took 0.5 s). */
	f = src_fd == MEMORY_END ? NULL : fd_file(t, src_fd);
	src = src_fd == MEMORY_END ? FP_FD_MEMORY : file_kind(f);
	if (dst_fd == VMSPLICE_END) {
		/* vmsplice: user memory into a pipe's write end, or out of
		 * its read end. */
		dst = FP_FD_MEMORY;
		if (f && (BPF_CORE_READ(f, f_mode) & FMODE_WRITE)) {
			dst = src;
			src = FP_FD_MEMORY;
		}
	} else {
		dst = dst_fd == MEMORY_END ? FP_FD_MEMORY : fd_kind(t, dst_fd);
	}
	s->nr = id;
	s->src = src;
	s->dst = dst;
	s->mmsg = mmsg;
	s->active = 1;
}

/* struct mmsghdr is { struct msghdr msg_hdr; unsigned int msg_len; }:
 * 56 + 4, padded to 64 bytes on x86_64. */
#define MMSGHDR_SIZE 64
#define MMSGHDR_LEN_OFF 56

/* Bytes of the first n entries of an mmsghdr vector.  An open-coded
 * iterator (iter.bpf.h): bpf_loop()'s callback took the verifier 0.45 s
 * here (6.18), a bounded for loop ~13,000 instructions.  A global
 * function, so the verifier checks it once with unknown arguments instead of
 * once for every state reaching it from the shared sys_exit. */
__noinline __u64 fp_io_mmsg_bytes(__u64 vec, long n)
{
	struct bpf_iter_num it;
	__u64 bytes = 0;
	__u32 len;
	int *i;

	if (n > FP_IO_MAX_MMSG)
		n = FP_IO_MAX_MMSG;
	bpf_iter_num_new(&it, 0, n > 0 ? n : 0);
	while ((i = bpf_iter_num_next(&it))) {
		len = 0;
		bpf_probe_read_user(&len, sizeof(len),
				    (void *)(vec + (__u64)*i * MMSGHDR_SIZE + MMSGHDR_LEN_OFF));
		bytes += len;
	}
	bpf_iter_num_destroy(&it);
	return bytes;
}

/* The size histograms are columns of the process's row in the syscall
 * pool (slots.bpf.h): preallocated, as their 1.3 KiB per CPU would make
 * inserts into a growing hash fail under fork churn. */
static __always_inline void hist_add(__u32 slot1, __u8 family, __u8 kind, __u64 v)
{
	struct fp_sys_val *h;
	__u32 idx;

	h = fp_cell(slot1, FP_SYS_NR_MAX + family * FP_FD_KINDS + kind, FP_DROP_IO);
	if (!h)
		return;
	if (!h->min_ns || (v ? v : 1) < h->min_ns)
		h->min_ns = v ? v : 1;
	if (v > h->max_ns)
		h->max_ns = v;
	idx = fp_hist_bucket(v);
	/* clang checks a copy of idx and indexes with another. */
	barrier_var(idx);
	if (idx < FP_HIST_BUCKETS)
		h->lat[idx]++;
}

static __always_inline struct fp_io_val *cell(struct fp_io_key *key)
{
	struct fp_io_val *v, zero = {};

	v = bpf_map_lookup_elem(&fp_io_cells, key);
	if (v)
		return v;
	if (fp_no_room(bpf_map_update_elem(&fp_io_cells, key, &zero, BPF_NOEXIST))) {
		fp_drop(FP_DROP_IO);
		return NULL;
	}
	fp_proc_seen(key->tgid);
	return bpf_map_lookup_elem(&fp_io_cells, key);
}

/* Exit of a syscall whose entry io__enter() saw.  A global function: the
 * verifier checks it once, not once for every state of sys_exit that
 * reaches it (s may be NULL as far as it knows). */
__noinline int io__exit(__u32 tgid, __u32 slot1, long ret, struct io_start *s)
{
	struct fp_io_key key = { .tgid = tgid };
	struct fp_io_val *v;
	__u8 family, kind;
	__u64 bytes;

	/* Not a data-path call. */
	if (!s || !s->active)
		return 0;
	s->active = 0;
	key.nr = s->nr;
	key.src = s->src;
	key.dst = s->dst;
	v = cell(&key);
	if (!v)
		return 0;
	v->calls++;
	if (ret < 0)
		return 0;	/* an error: counted as a call, moved nothing */
	bytes = ret;
	/* ret is a message count: sum the lengths the kernel wrote. */
	if (s->mmsg)
		bytes = fp_io_mmsg_bytes(s->mmsg, ret);
	v->bytes += bytes;
	family = fp_io_family_of(key.nr);
	kind = family == FP_IO_COPY_IN ? key.src : key.dst;
	hist_add(slot1, family, kind, bytes);
	return 0;
}

#endif /* FP_IO_BPF_H */
