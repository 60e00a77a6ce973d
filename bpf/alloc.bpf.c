// SPDX-License-Identifier: GPL-2.0
/*
 * Allocator calls: one entry uprobe program attached at every allocator
 * function (libc's malloc family, Go's runtime.mallocgc or mProf_Malloc).
 * The attach cookie names the function and where its size lives, so one
 * program serves them all.  Per (tgid, function): calls, requested bytes and
 * a size histogram; Go heap-profile samples by size; with stacks, calls and
 * bytes per (tgid, user stack, caller).  All per-CPU, nothing per event to
 * user space.  Entry probes only: never a uretprobe (fatal in Go code, and
 * twice the cost anywhere).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "target.bpf.h"
#include "gostack.bpf.h"
#include "fp_alloc.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool alloc_stacks = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_MAX_ALLOC_STATS);
	__type(key, struct fp_alloc_key);
	__type(value, struct fp_alloc_val);
} fp_alloc_stats SEC(".maps");

/* The value is 1.3 KiB, over the 512-byte BPF stack: new entries are copied
 * from this zeroed slot (as in syscalls.bpf.c). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_alloc_val);
} fp_alloc_zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_MAX_ALLOC_SAMPLES);
	__type(key, struct fp_alloc_sample_key);
	__type(value, __u64);
} fp_alloc_samples SEC(".maps");

/* Per probe slot (FP_COOKIE_SLOT - 1): the caller range whose calls are
 * counted elsewhere (see struct fp_alloc_skip).  An array: the JIT inlines
 * its lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_MAX_ALLOC_SKIP);
	__type(key, __u32);
	__type(value, struct fp_alloc_skip);
} fp_alloc_skip SEC(".maps");

/* tgid -> run-time address of the target's runtime.MemProfileRate, filled
 * by user space once it knows where the binary is mapped.  Reading the rate
 * at each sample (rare: one per ~512 KiB allocated) makes the scaling exact
 * even when the program changes the rate while traced; reading it from user
 * space raced with the change. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u64);
} fp_alloc_rate_addr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct fp_alloc_layout);
} fp_alloc_layout SEC(".maps");

/* tgid -> MemProfileRate when the process exited: a short program that
 * turns profiling off first thing can be gone before user space reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __s64);
} fp_alloc_exit_rate SEC(".maps");

/* The exiting task still has its memory here (the tracepoint runs before
 * exit_mm() since 6.16, the kernels whose tracepoint has group_dead). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(fp_alloc_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid;
	__u64 *addr;
	__s64 rate;

	if (!group_dead)
		return 0;
	addr = bpf_map_lookup_elem(&fp_alloc_rate_addr, &tgid);
	if (!addr || bpf_probe_read_user(&rate, sizeof(rate), (void *)*addr))
		return 0;
	bpf_map_update_elem(&fp_alloc_exit_rate, &tgid, &rate, BPF_ANY);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, FP_MAX_STACKS);
	__type(key, __u32);
	__uint(value_size, FP_STACK_DEPTH * sizeof(__u64));
} fp_alloc_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_MAX_ALLOC_SITES);
	__type(key, struct fp_site_key);
	__type(value, struct fp_site_val);
} fp_alloc_sites SEC(".maps");

/* A tgid with a new stack or sample size: user space saves its memory map
 * then (for symbolizing after it exits) and rereads its MemProfileRate.
 * Only on first inserts, so rare. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} fp_alloc_events SEC(".maps");

static __always_inline void notify(__u32 tgid)
{
	bpf_ringbuf_output(&fp_alloc_events, &tgid, sizeof(tgid), BPF_RB_FORCE_WAKEUP);
}

static __always_inline __u64 reg_arg(struct pt_regs *ctx, __u32 spec)
{
	__u64 v = 0;

	if (spec >= FP_ARG_STACK) {
		/* Go < 1.17: arguments sit above the return address. */
		bpf_probe_read_user(&v, sizeof(v), (void *)(ctx->sp + 8 * (spec - FP_ARG_STACK)));
		return v;
	}
	switch (spec) {
	case FP_ARG_REG + FP_REG_DI: return ctx->di;
	case FP_ARG_REG + FP_REG_SI: return ctx->si;
	case FP_ARG_REG + FP_REG_DX: return ctx->dx;
	case FP_ARG_REG + FP_REG_CX: return ctx->cx;
	case FP_ARG_REG + FP_REG_R8: return ctx->r8;
	case FP_ARG_REG + FP_REG_R9: return ctx->r9;
	case FP_ARG_REG + FP_REG_AX: return ctx->ax;
	case FP_ARG_REG + FP_REG_BX: return ctx->bx;
	}
	return 0;
}

static __always_inline struct fp_alloc_val *alloc_val(struct fp_alloc_key *key)
{
	struct fp_alloc_val *v;
	__u32 zero = 0;

	v = bpf_map_lookup_elem(&fp_alloc_stats, key);
	if (v)
		return v;
	v = bpf_map_lookup_elem(&fp_alloc_zero, &zero);
	if (!v)
		return NULL;
	if (fp_no_room(bpf_map_update_elem(&fp_alloc_stats, key, v, BPF_NOEXIST))) {
		fp_drop(FP_DROP_ALLOC);
		return NULL;
	}
	fp_proc_seen(key->tgid);
	return bpf_map_lookup_elem(&fp_alloc_stats, key);
}

/* The target's MemProfileRate now, 0 if unknown. */
static __always_inline __u64 profile_rate(__u32 tgid)
{
	__u64 *addr = bpf_map_lookup_elem(&fp_alloc_rate_addr, &tgid);
	__s64 rate = 0;

	if (addr && !bpf_probe_read_user(&rate, sizeof(rate), (void *)*addr) && rate > 0)
		return rate;
	return 0;
}

static __always_inline void count_sample(__u32 tgid, __u64 size, __u64 rate)
{
	struct fp_alloc_sample_key k = { .tgid = tgid, .size = size, .rate = rate };
	__u64 one = 1, *c;

	c = bpf_map_lookup_elem(&fp_alloc_samples, &k);
	if (c) {
		(*c)++;
		return;
	}
	if (fp_no_room(bpf_map_update_elem(&fp_alloc_samples, &k, &one, BPF_NOEXIST)))
		fp_drop(FP_DROP_ALLOC);
	else
		notify(tgid);
}

/* With a process's first site, and again with the first site of each image
 * an exec brings (see struct fp_alloc_layout): a child that allocated
 * before its exec and is gone before its new maps are read is rebuilt from
 * the note of the image it ended in. */
static __always_inline void note_layout(struct pt_regs *ctx, __u32 tgid, __u32 fn, __u64 image)
{
	struct fp_alloc_layout l = { .start_code = image, .probe_ip = ctx->ip, .fn = fn };
	struct fp_alloc_layout *old = bpf_map_lookup_elem(&fp_alloc_layout, &tgid);

	if (old && old->start_code == image)
		return;
	bpf_map_update_elem(&fp_alloc_layout, &tgid, &l, BPF_ANY);
}

static __always_inline void count_site(struct pt_regs *ctx, __u32 tgid, __u64 size,
				       bool sample, __u64 rate, __u32 fn)
{
	struct fp_site_key k = { .tgid = tgid };

	k.image = BPF_CORE_READ(bpf_get_current_task_btf(), mm, start_code);
	if (sample) {
		k.size = size;
		k.rate = rate;
	}
	struct fp_site_val *v, zero = {};
	long id;

	id = bpf_get_stackid(ctx, &fp_alloc_stacks, BPF_F_USER_STACK);
	if (id < 0) {
		/* -EEXIST: a hash collision with another stack; we do not
		 * overwrite (REUSE_STACKID would misattribute older counts). */
		fp_drop(FP_DROP_STACKS);
		return;
	}
	k.stack_id = id;
	/* Valid only while nothing was pushed since the entry: user space
	 * places every probe before the first push that moves %rsp... or on
	 * it (a push is probed before it runs). */
	bpf_probe_read_user(&k.caller, sizeof(k.caller), (void *)ctx->sp);
	v = bpf_map_lookup_elem(&fp_alloc_sites, &k);
	if (!v) {
		if (fp_no_room(bpf_map_update_elem(&fp_alloc_sites, &k, &zero, BPF_NOEXIST))) {
			fp_drop(FP_DROP_STACKS);
			return;
		}
		note_layout(ctx, tgid, fn, k.image);
		notify(tgid);
		v = bpf_map_lookup_elem(&fp_alloc_sites, &k);
		if (!v)
			return;
	}
	v->calls++;
	v->bytes += size;
}

/* Was this call made from the function the slot names (mallocgc handing a
 * small object to its size-specialised allocator)?  The probe sits before
 * the first push, so (%rsp) is the return address. */
static __always_inline bool called_from_skipped(struct pt_regs *ctx, __u32 slot)
{
	struct fp_alloc_skip *sk = bpf_map_lookup_elem(&fp_alloc_skip, &slot);
	__u64 ret = 0;
	long long d;

	if (!sk || bpf_probe_read_user(&ret, sizeof(ret), (void *)ctx->sp))
		return false;
	d = (long long)(ret - ctx->ip);
	return d >= sk->lo && d < sk->hi;
}

static __always_inline int alloc_entry(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 cookie, size = 0, a2;
	struct fp_alloc_key key = { .tgid = tgid };
	struct fp_alloc_val *v;
	__u32 fn, idx;

	if (!fp_traced(tgid))
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	fn = FP_COOKIE_FN(cookie);
	if (fn >= FP_AF_MAX)
		return 0;
	/* Going to morestack: the call is counted when the function restarts. */
	if (FP_COOKIE_CC(cookie) && jcc_taken(ctx->flags, FP_COOKIE_CC(cookie) - 1))
		return 0;
	if (FP_COOKIE_SLOT(cookie) && called_from_skipped(ctx, FP_COOKIE_SLOT(cookie) - 1))
		return 0;
	if (FP_COOKIE_A1(cookie))
		size = reg_arg(ctx, FP_COOKIE_A1(cookie));
	if (FP_COOKIE_A2(cookie)) {
		a2 = reg_arg(ctx, FP_COOKIE_A2(cookie));
		size = size * a2;	/* calloc(n, s): overflow fails in libc too */
	}
	key.fn = fn;
	v = alloc_val(&key);
	if (!v)
		return 0;
	v->calls++;
	if (fn == FP_AF_FREE)
		return 0;
	v->bytes += size;
	if (!v->min_size || size + 1 < v->min_size)
		v->min_size = size + 1;
	if (size > v->max_size)
		v->max_size = size;
	idx = fp_hist_bucket(size);
	/* clang checks one copy of idx and indexes with another. */
	barrier_var(idx);
	if (idx < FP_HIST_BUCKETS)
		v->size[idx]++;
	if (fn == FP_AF_GO_MPROF) {
		__u64 rate = profile_rate(tgid);

		count_sample(tgid, size, rate);
		if (alloc_stacks)
			count_site(ctx, tgid, size, true, rate, fn);
		return 0;
	}
	if (alloc_stacks)
		count_site(ctx, tgid, size, false, 0, fn);
	return 0;
}

/* Perf-event uprobes (one per function). */
SEC("uprobe")
int fp_alloc_entry(struct pt_regs *ctx)
{
	return alloc_entry(ctx);
}

/* The same, for uprobe_multi links (one per binary): a program is loaded
 * for one kind of link, and user space sets this one's type (libbpf 1.1
 * does not know SEC("uprobe.multi")). */
SEC("uprobe")
int fp_alloc_multi(struct pt_regs *ctx)
{
	return alloc_entry(ctx);
}
