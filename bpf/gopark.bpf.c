// SPDX-License-Identifier: GPL-2.0
/*
 * Go park reasons (issue 12): why and for how long goroutines park.  Two
 * entry uprobes per Go target (bpf/fp_gopark.h): runtime.gopark counts the
 * park by reason and notes when and where it started, keyed by the g;
 * runtime.execute, where the scheduler runs a goroutine again, closes it
 * into a histogram of parked time.  Everything is aggregated here, per
 * CPU; nothing per event goes to user space.  Never a uretprobe: Go moves
 * stacks, and a return probe's trampoline address on a moved stack kills
 * the process.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "target.bpf.h"
#include "gostack.bpf.h"
#include "fp_gopark.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool gopark_stacks = true;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_MAX_GOPARK_STATS);
	__type(key, struct fp_gopark_key);
	__type(value, struct fp_gopark_val);
} fp_gopark_stats SEC(".maps");

/* The value is 1.3 KiB, over the BPF stack: new entries copy this zeroed
 * slot (as alloc.bpf.c does). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_gopark_val);
} fp_gopark_zero SEC(".maps");

/* Preallocated: an insert and a delete per park must not allocate (a burst
 * of parks on a grow-on-use map fails with -ENOMEM).  Full: that park is
 * counted but not timed (FP_DROP_GOPARK). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_GOPARK_OPEN);
	__type(key, struct fp_gopark_open_key);
	__type(value, struct fp_gopark_open);
} fp_gopark_open SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, FP_MAX_GOPARK_STACKS);
	__type(key, __u32);
	__uint(value_size, FP_GOPARK_STACK_DEPTH * sizeof(__u64));
} fp_gopark_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_MAX_GOPARK_SITES);
	__type(key, struct fp_gopark_site_key);
	__type(value, struct fp_gopark_site_val);
} fp_gopark_sites SEC(".maps");

/* Going to morestack: the function restarts from its entry, and that hit
 * is the call. */
static __always_inline bool to_morestack(struct pt_regs *ctx)
{
	unsigned int cc = FP_GP_COOKIE_CC(bpf_get_attach_cookie(ctx));

	return cc && jcc_taken(ctx->flags, cc - 1);
}

static __always_inline struct fp_gopark_val *stats_val(struct fp_gopark_key *key)
{
	struct fp_gopark_val *v;
	__u32 zero = 0;

	v = bpf_map_lookup_elem(&fp_gopark_stats, key);
	if (v)
		return v;
	v = bpf_map_lookup_elem(&fp_gopark_zero, &zero);
	if (!v)
		return NULL;
	if (fp_no_room(bpf_map_update_elem(&fp_gopark_stats, key, v, BPF_NOEXIST))) {
		fp_drop(FP_DROP_GOPARK);
		return NULL;
	}
	fp_proc_seen(key->tgid);
	return bpf_map_lookup_elem(&fp_gopark_stats, key);
}

static __always_inline int park_site(struct pt_regs *ctx, __u32 tgid, __u32 reason)
{
	struct fp_gopark_site_key k = { .tgid = tgid, .reason = reason };
	struct fp_gopark_site_val *v, zero = {};
	long id;

	id = bpf_get_stackid(ctx, &fp_gopark_stacks, BPF_F_USER_STACK);
	if (id < 0) {
		fp_drop(FP_DROP_STACKS);
		return -1;
	}
	k.stack_id = id;
	v = bpf_map_lookup_elem(&fp_gopark_sites, &k);
	if (!v) {
		if (fp_no_room(bpf_map_update_elem(&fp_gopark_sites, &k, &zero, BPF_NOEXIST))) {
			fp_drop(FP_DROP_GOPARK_SITES);
			return -1;
		}
		v = bpf_map_lookup_elem(&fp_gopark_sites, &k);
		if (!v)
			return -1;
	}
	v->parks++;
	return (int)id;
}

SEC("uprobe")
int fp_gopark_park(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fp_gopark_key key = { .tgid = tgid };
	struct fp_gopark_open_key ok = { .tgid = tgid };
	struct fp_gopark_open o = { .stack_id = -1 };
	struct fp_gopark_val *v;

	if (!fp_traced(tgid) || to_morestack(ctx))
		return 0;
	key.reason = ctx->cx & 0xff;	/* waitReason is a uint8 */
	v = stats_val(&key);
	if (v)
		v->parks++;
	o.reason = key.reason;
	if (gopark_stacks)
		o.stack_id = park_site(ctx, tgid, key.reason);
	ok.g = ctx->r14;		/* ABIInternal: the current g */
	o.start_ns = bpf_ktime_get_ns();
	if (fp_no_room(bpf_map_update_elem(&fp_gopark_open, &ok, &o, BPF_ANY)))
		fp_drop(FP_DROP_GOPARK);
	return 0;
}

static __always_inline void close_site(__u32 tgid, const struct fp_gopark_open *o, __u64 dt)
{
	struct fp_gopark_site_key k = { .tgid = tgid, .reason = o->reason, .stack_id = o->stack_id };
	struct fp_gopark_site_val *v;

	if (o->stack_id < 0)
		return;
	v = bpf_map_lookup_elem(&fp_gopark_sites, &k);
	if (!v)
		return;
	v->wakes++;
	v->parked_ns += dt;
}

SEC("uprobe")
int fp_gopark_execute(struct pt_regs *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fp_gopark_open_key ok = { .tgid = tgid };
	struct fp_gopark_key key = { .tgid = tgid };
	struct fp_gopark_open *op, o;
	struct fp_gopark_val *v;
	__u64 now, dt;
	__u32 idx;

	if (!fp_traced(tgid) || to_morestack(ctx))
		return 0;
	ok.g = ctx->ax;			/* gp: the goroutine to run */
	op = bpf_map_lookup_elem(&fp_gopark_open, &ok);
	if (!op)
		return 0;		/* not parked (new, preempted) or before attach */
	now = bpf_ktime_get_ns();
	o = *op;
	bpf_map_delete_elem(&fp_gopark_open, &ok);
	dt = now > o.start_ns ? now - o.start_ns : 0;
	key.reason = o.reason;
	v = stats_val(&key);
	if (!v)
		return 0;
	v->wakes++;
	v->parked_ns += dt;
	if (dt > v->max_ns)
		v->max_ns = dt;
	idx = fp_hist_bucket(dt);
	barrier_var(idx);
	if (idx < FP_HIST_BUCKETS)
		v->hist[idx]++;
	close_site(tgid, &o, dt);
	return 0;
}
