/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/user contract of the allocator family (alloc.bpf.c): entry uprobes
 * on libc's allocator and on Go's runtime.mallocgc / runtime.mProf_Malloc.
 * One BPF program per kind serves every attach point; the attach cookie says
 * which function it is and where its size arguments live.
 */
#ifndef FP_ALLOC_H
#define FP_ALLOC_H

#include "fp_hist.h"

/* Functions, in the order user space names them (model/alloc.c). */
enum fp_alloc_fn {
	FP_AF_MALLOC = 0,
	FP_AF_CALLOC,
	FP_AF_REALLOC,
	FP_AF_REALLOCARRAY,
	FP_AF_FREE,
	FP_AF_POSIX_MEMALIGN,
	FP_AF_ALIGNED_ALLOC,
	FP_AF_MEMALIGN,
	FP_AF_VALLOC,
	FP_AF_PVALLOC,
	FP_AF_LIBC_MAX,			/* end of the libc functions */
	FP_AF_GO_MALLOCGC = FP_AF_LIBC_MAX,	/* exact: one hit per allocation */
	FP_AF_GO_MPROF,			/* sampled: one hit per heap-profile sample */
	FP_AF_GO_SC,			/* exact, Go 1.27+: a size-specialised allocator */
	FP_AF_GO_TINY,			/* exact, Go 1.27+: mallocgcTinySC<n> */
	FP_AF_MAX,
};

/* Where an argument is at the probe: 0 none; FP_ARG_REG + n: register n
 * (below); FP_ARG_STACK + k: the k-th 8-byte slot above the return address
 * (Go before 1.17 passes arguments on the stack). */
enum fp_arg_reg {
	FP_REG_DI = 0, FP_REG_SI, FP_REG_DX, FP_REG_CX, FP_REG_R8, FP_REG_R9,
	FP_REG_AX, FP_REG_BX, FP_REG_MAX,
};
#define FP_ARG_NONE 0
#define FP_ARG_REG 0x10
#define FP_ARG_STACK 0x40

/* The attach cookie: fn | arg1 << 8 | arg2 << 16 | flags << 24.  The size
 * is arg1, times arg2 when arg2 is set (calloc, reallocarray). */
#define FP_COOKIE(fn, a1, a2) ((unsigned long long)(fn) | (unsigned long long)(a1) << 8 | \
			       (unsigned long long)(a2) << 16)
#define FP_COOKIE_FN(c) ((unsigned int)((c) & 0xff))
#define FP_COOKIE_A1(c) ((unsigned int)(((c) >> 8) & 0xff))
#define FP_COOKIE_A2(c) ((unsigned int)(((c) >> 16) & 0xff))
/* Bits 24-28: when the probe sits on Go's stack-check branch (cmp against
 * g.stackguard0; jbe morestack), 1 + the branch's x86 condition code.
 * morestack grows the stack and restarts the function from its entry, so
 * the branch runs again: a taken branch is not a call and must not count. */
#define FP_COOKIE_SKIPCC(cc) ((unsigned long long)((cc) + 1) << 24)
#define FP_COOKIE_CC(c) ((unsigned int)(((c) >> 24) & 0x1f))

/* Bits 32-47: 1 + a slot of fp_alloc_skip.  Go 1.27's size-specialised
 * allocators (mallocgcSmallNoScanSC3, ...) are called directly by compiled
 * code, and also by runtime.mallocgc, which is probed too: a hit whose return
 * address lies in mallocgc was already counted there.  The slot holds
 * mallocgc's bounds relative to this probe's address, so no load bias is
 * needed (PIE or not, before or after exec). */
#define FP_COOKIE_SKIPSLOT(slot) ((unsigned long long)((slot) + 1) << 32)
#define FP_COOKIE_SLOT(c) ((unsigned int)(((c) >> 32) & 0xffff))	/* 0: none */
#define FP_MAX_ALLOC_SKIP 4096

/* Skip the hit when lo <= return address - probe address < hi. */
struct fp_alloc_skip {
	long long lo;
	long long hi;
};

#define FP_MAX_ALLOC_STATS 4096		/* (tgid, function) pairs */
#define FP_MAX_ALLOC_SAMPLES 8192	/* (tgid, size) pairs of Go samples */
#define FP_MAX_ALLOC_SITES 16384	/* (tgid, stack, caller) */
#define FP_MAX_STACKS 16384
#define FP_STACK_DEPTH 64

struct fp_alloc_key {
	unsigned int tgid;
	unsigned int fn;
};

/* Per-CPU; user space sums the CPUs. */
struct fp_alloc_val {
	unsigned long long calls;
	unsigned long long bytes;
	unsigned long long min_size;	/* size + 1; 0 = unset */
	unsigned long long max_size;
	unsigned long long size[FP_HIST_BUCKETS];
};

/* Go heap-profile samples by exact size and the MemProfileRate in force
 * when the runtime took them: pprof scales each size on its own, and a
 * program may change its rate at any time (usually first thing in main). */
struct fp_alloc_sample_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long size;
	unsigned long long rate;	/* 0: not readable, user space decides */
};

/* A call site: the user stack from the frame-pointer chain plus the return
 * address at the top of the stack.  At a function's entry the caller's
 * frame is not yet on the chain (no push %rbp yet), so without `caller`
 * the function that called malloc would be missing. */
struct fp_site_key {
	unsigned int tgid;
	int stack_id;
	unsigned long long caller;
	/* Go sampled mode only (else 0): pprof scales every sample by its own
	 * size and rate, so a site is kept per size and rate too. */
	unsigned long long size;
	unsigned long long rate;
	/* The image that made the call: mm->start_code.  A child forked by a
	 * shell allocates in the shell's image, then execs: its pid's maps are
	 * the new image's by the time they are read, and the site must be
	 * symbolized with the image it ran in (user space picks the maps that
	 * map this address executable: the pid's earlier ones, or its
	 * parent's, which a fork child shares until its exec). */
	unsigned long long image;
};

/* Where a process's binary and libc were loaded, caught in the kernel with
 * its first call site (and its image's first after an exec): a process that
 * exits within milliseconds is gone before user space can read
 * /proc/PID/maps (or read them only before its exec, or before ld.so mapped
 * libc), and its stacks would stay unsymbolized.  With these two addresses
 * user space rebuilds the two mappings that matter. */
struct fp_alloc_layout {
	unsigned long long start_code;	/* mm->start_code: bias + first exec vaddr */
	unsigned long long probe_ip;	/* where the probe fired (in libc or Go) */
	unsigned int fn;		/* which probe: enum fp_alloc_fn */
	unsigned int pad;
};

struct fp_site_val {
	unsigned long long calls;	/* sampled mode: samples */
	unsigned long long bytes;	/* sampled mode: sampled bytes */
};

#endif /* FP_ALLOC_H */
