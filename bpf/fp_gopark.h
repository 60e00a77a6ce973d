/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel/user contract of the Go park family (gopark.bpf.c): entry uprobes
 * on two functions of a Go runtime, never uretprobes.
 *
 *  - runtime.gopark(unlockf, lock, reason waitReason, ...): a goroutine is
 *    about to park.  Go's register ABI (1.17+): reason (a uint8) in CX, the
 *    current g in R14.  Counted per (tgid, reason), its start kept per g.
 *  - runtime.execute(gp *g, inheritTime bool): the scheduler runs gp (AX).
 *    Every way back from a park goes through it (ready -> run queue ->
 *    schedule -> execute; a park whose unlockf fails -> execute at once),
 *    so it closes the park: parked time = until the goroutine runs again,
 *    run-queue wait included.
 *
 * The reason's name is not known to the kernel: user space reads each
 * binary's waitReasonStrings (util/gowait.c), whose numbering changes
 * between Go releases.
 */
#ifndef FP_GOPARK_H
#define FP_GOPARK_H

#include "fp_hist.h"

#define FP_MAX_GOPARK_STATS 4096	/* (tgid, reason) pairs */
#define FP_MAX_GOPARK_OPEN 65536	/* goroutines parked at once, every target */
#define FP_MAX_GOPARK_SITES 8192	/* (tgid, reason, stack) */
#define FP_MAX_GOPARK_STACKS 8192
#define FP_GOPARK_STACK_DEPTH 32

/* The attach cookie: which function, and (bits 24-28) 1 + the condition
 * code of Go's stack-check branch when the probe sits on it (see
 * FP_COOKIE_SKIPCC in fp_alloc.h: a taken branch goes to morestack and the
 * function restarts, so that hit is not a call). */
enum fp_gopark_fn { FP_GP_PARK = 1, FP_GP_EXECUTE = 2 };
#define FP_GP_COOKIE(fn, cc) ((unsigned long long)(fn) | \
			      ((cc) >= 0 ? (unsigned long long)((cc) + 1) << 24 : 0))
#define FP_GP_COOKIE_FN(c) ((unsigned int)((c) & 0xff))
#define FP_GP_COOKIE_CC(c) ((unsigned int)(((c) >> 24) & 0x1f))

struct fp_gopark_key {
	unsigned int tgid;
	unsigned int reason;		/* the runtime's waitReason */
};

/* Per-CPU; user space sums the CPUs (max_ns: the maximum of them). */
struct fp_gopark_val {
	unsigned long long parks;	/* gopark calls */
	unsigned long long wakes;	/* parks closed at execute, timed */
	unsigned long long parked_ns;	/* total of the closed parks */
	unsigned long long max_ns;
	unsigned long long hist[FP_HIST_BUCKETS];	/* parked ns */
};

/* A goroutine parked now: its g (a pointer of the target's heap) within
 * its process. */
struct fp_gopark_open_key {
	unsigned int tgid;
	unsigned int pad;
	unsigned long long g;
};

struct fp_gopark_open {
	unsigned long long start_ns;
	unsigned int reason;
	int stack_id;			/* -1: none */
};

/* A parking site: the user stack at gopark (frame pointers). */
struct fp_gopark_site_key {
	unsigned int tgid;
	unsigned int reason;
	int stack_id;
	unsigned int pad;
};

struct fp_gopark_site_val {
	unsigned long long parks;
	unsigned long long wakes;
	unsigned long long parked_ns;
};

#endif /* FP_GOPARK_H */
