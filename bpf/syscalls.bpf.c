// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall accounting: per (tgid, syscall) calls, errors, total and a latency
 * histogram, aggregated in a per-CPU hash.  Nothing per event goes to user
 * space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "target.bpf.h"
#include "sys.h"

#define MAX_ERRNO 4095

char LICENSE[] SEC("license") = "GPL";

struct sys_start {
	__u64 ts;
	__u32 nr;
	__u32 pending;	/* entered while the target was PENDING */
};

/* Task storage rather than a hash keyed by tid: no contention, no size
 * limit to run out of, and freed by the kernel when the thread dies. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_start);
} fp_sys_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_MAX_SYS_STATS);
	__type(key, struct fp_sys_key);
	__type(value, struct fp_sys_val);
} fp_sys_stats SEC(".maps");

/* The value is 1.3 KiB, far over the 512-byte BPF stack: new entries are
 * copied from this zeroed array slot instead. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_sys_val);
} fp_sys_zero SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(fp_sys_enter, struct pt_regs *regs, long id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct sys_start *s;
	int st;

	/* Pending targets too: their execve returns counted, in the new image. */
	st = fp_target_state(tgid);
	if (!st)
		return 0;
	s = bpf_task_storage_get(&fp_sys_start, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		fp_drop(FP_DROP_TASK_STORAGE);
		return 0;
	}
	s->nr = id;
	s->pending = st != FP_TARGET_ACTIVE;
	s->ts = bpf_ktime_get_ns();
	return 0;
}

static __always_inline struct fp_sys_val *sys_val(struct fp_sys_key *key)
{
	struct fp_sys_val *v;
	__u32 zero = 0;
	long err;

	v = bpf_map_lookup_elem(&fp_sys_stats, key);
	if (v)
		return v;
	v = bpf_map_lookup_elem(&fp_sys_zero, &zero);
	if (!v)
		return NULL;
	err = bpf_map_update_elem(&fp_sys_stats, key, v, BPF_NOEXIST);
	if (err == -E2BIG) {
		fp_drop(FP_DROP_SYS_STATS);
		return NULL;
	}
	fp_proc_seen(key->tgid);
	return bpf_map_lookup_elem(&fp_sys_stats, key);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fp_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fp_sys_key key = { .tgid = tgid };
	struct fp_sys_val *v;
	struct sys_start *s;
	__u64 delta;
	__u32 idx;

	s = bpf_task_storage_get(&fp_sys_start, bpf_get_current_task_btf(), 0, 0);
	/* No start: not a target, the syscall began before we attached, or this
	 * is the child side of fork/clone (strace -f does not count that
	 * either).  Only targets get a start, so this is the filter. */
	if (!s || !s->ts)
		return 0;
	/* Skipping the fp_targets lookup for active targets saves ~27 ns per
	 * traced syscall (BENCHMARKS.md); a pending one must be active by now,
	 * as after its execve, to be counted. */
	if (s->pending && !fp_traced(tgid)) {
		s->ts = 0;
		return 0;
	}
	delta = bpf_ktime_get_ns() - s->ts;
	key.nr = s->nr;
	s->ts = 0;
	v = sys_val(&key);
	if (!v)
		return 0;
	v->calls++;
	if (ret < 0 && ret >= -MAX_ERRNO)
		v->errors++;
	v->total_ns += delta;
	if (!delta)
		delta = 1;
	if (!v->min_ns || delta < v->min_ns)
		v->min_ns = delta;
	if (delta > v->max_ns)
		v->max_ns = delta;
	idx = fp_hist_bucket(delta);
	/* clang checks a copy of idx and indexes with another; the barrier
	 * makes it check the register it uses, as the verifier needs. */
	barrier_var(idx);
	if (idx < FP_HIST_BUCKETS)
		v->lat[idx]++;
	return 0;
}
