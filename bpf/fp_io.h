/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/user contract of the data-path family (io.bpf.c): which syscalls
 * move data, how (copy in, copy out, zero-copy) and between what kinds of
 * file descriptor.  Plain C, no vmlinux.h: both sides include it.
 */
#ifndef FP_IO_H
#define FP_IO_H

#include "fp_hist.h"

#define FP_MAX_IO_CELLS 16384	/* (tgid, syscall, source kind, destination kind) */
/* recvmmsg/sendmmsg return messages, not bytes: the bytes are summed from
 * the msg_len of each returned entry.  The kernel caps vlen at UIO_MAXIOV. */
#define FP_IO_MAX_MMSG 1024

/* x86_64 syscall numbers (the project builds for x86 only; see ARCH in the
 * Makefile).  The BPF side switches on these; user space names them from the
 * generated table. */
enum fp_io_nr {
	FP_NR_read = 0,
	FP_NR_write = 1,
	FP_NR_pread64 = 17,
	FP_NR_pwrite64 = 18,
	FP_NR_readv = 19,
	FP_NR_writev = 20,
	FP_NR_sendfile = 40,
	FP_NR_sendto = 44,
	FP_NR_recvfrom = 45,
	FP_NR_sendmsg = 46,
	FP_NR_recvmsg = 47,
	FP_NR_splice = 275,
	FP_NR_tee = 276,
	FP_NR_vmsplice = 278,
	FP_NR_preadv = 295,
	FP_NR_pwritev = 296,
	FP_NR_recvmmsg = 299,
	FP_NR_sendmmsg = 307,
	FP_NR_copy_file_range = 326,
	FP_NR_preadv2 = 327,
	FP_NR_pwritev2 = 328,
};

enum fp_io_family {
	FP_IO_COPY_IN = 0,	/* kernel -> user buffer */
	FP_IO_COPY_OUT,		/* user buffer -> kernel */
	FP_IO_ZERO_COPY,	/* fd -> fd without a user buffer */
	FP_IO_FAMILIES,
	FP_IO_NONE = 255,	/* not a data-path syscall */
};

/* Kind of one end of a transfer, from the fd's inode at syscall entry.
 * Sockets carry their protocol when it is one of the common ones. */
enum fp_fd_kind {
	FP_FD_NONE = 0,		/* fd not open (the call fails with EBADF) */
	FP_FD_FILE,		/* regular file */
	FP_FD_PIPE,
	FP_FD_CHARDEV,
	FP_FD_OTHER,		/* directory, block device, eventfd, epoll, ... */
	FP_FD_MEMORY,		/* the user buffer side of copy and vmsplice */
	FP_FD_SOCKET,		/* a socket of another family or protocol */
	FP_FD_TCP,
	FP_FD_UDP,
	FP_FD_UNIX,
	FP_FD_KINDS,
};

static inline int fp_fd_is_socket(unsigned int k)
{
	return k >= FP_FD_SOCKET && k < FP_FD_KINDS;
}

static inline unsigned int fp_io_family_of(long nr)
{
	switch (nr) {
	case FP_NR_read: case FP_NR_readv: case FP_NR_pread64: case FP_NR_preadv:
	case FP_NR_preadv2: case FP_NR_recvfrom: case FP_NR_recvmsg: case FP_NR_recvmmsg:
		return FP_IO_COPY_IN;
	case FP_NR_write: case FP_NR_writev: case FP_NR_pwrite64: case FP_NR_pwritev:
	case FP_NR_pwritev2: case FP_NR_sendto: case FP_NR_sendmsg: case FP_NR_sendmmsg:
		return FP_IO_COPY_OUT;
	case FP_NR_sendfile: case FP_NR_splice: case FP_NR_tee: case FP_NR_vmsplice:
	case FP_NR_copy_file_range:
		return FP_IO_ZERO_COPY;
	default:
		return FP_IO_NONE;
	}
}

/* One cell: a syscall between two kinds.  Copy-in cells have dst MEMORY,
 * copy-out cells src MEMORY. */
struct fp_io_key {
	unsigned int tgid;
	unsigned short nr;
	unsigned char src;	/* enum fp_fd_kind */
	unsigned char dst;
};

/* Per-CPU value; user space sums the CPUs. */
struct fp_io_val {
	unsigned long long calls;	/* every call, failed ones too (as strace -c) */
	unsigned long long bytes;	/* sum of successful return values */
};

/* Transfer sizes (successful returns) per family and fd kind, the fd read
 * for copy-in, written for copy-out, the destination for zero-copy: column
 * FP_SYS_NR_MAX + family * FP_FD_KINDS + kind of the process's row in the
 * syscall pool (fp_sys.h). */

#endif /* FP_IO_H */
