// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU family: on-CPU time per process from the scheduler's accounting
 * (a task iterator user space runs at every read, plus the times of exited
 * processes that proc.bpf.c saves at sched_process_exit), and, with
 * --profile, a sampled profile: a perf_event program on every CPU's
 * cpu-clock at HZ, counting (tgid, user stack, kernel stack, user ip).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "target.bpf.h"
#include "cpu.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int fp_cpu_iter(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct fp_cpu_task r;

	if (!t || !fp_task_traced(t))
		return 0;
	r.tgid = t->tgid;
	r.tid = t->pid;
	/* probe reads behind pointers of t: see fp_cpu_at_exit() */
	r.ppid = BPF_CORE_READ(t, real_parent, tgid);
	r.pad = 0;
	__builtin_memcpy(r.comm, t->comm, sizeof(r.comm));
	r.run_ns = t->se.sum_exec_runtime;
	r.utime_ns = t->utime;
	r.stime_ns = t->stime;
	if (t->pid == t->tgid) {
		/* What released threads left: counted once, with the leader. */
		r.run_ns += BPF_CORE_READ(t, signal, sum_sched_runtime);
		r.utime_ns += BPF_CORE_READ(t, signal, utime);
		r.stime_ns += BPF_CORE_READ(t, signal, stime);
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, FP_PROF_MAX_STACKS);
	__type(key, __u32);
	__uint(value_size, FP_PROF_DEPTH * sizeof(__u64));
} fp_prof_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_PROF_MAX_KEYS);
	__type(key, struct fp_prof_key);
	__type(value, __u64);
} fp_prof_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_PROF_LOST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fp_prof_lost SEC(".maps");

/* A tgid with a new (stack, ip) key: user space saves its memory map then,
 * for symbolizing after it exits.  Only on first inserts, so rare. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} fp_prof_events SEC(".maps");

static __always_inline void lost(__u32 why)
{
	__u64 *c = bpf_map_lookup_elem(&fp_prof_lost, &why);

	if (c)
		(*c)++;
	fp_drop(FP_DROP_PROFILE);
}

SEC("perf_event")
int fp_cpu_sample(struct bpf_perf_event_data *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct fp_prof_key k = {};
	__u64 one = 1, *c;

	/* The idle task (0) and everything that is not a target: first. */
	if (!tgid || !fp_traced(tgid))
		return 0;
	k.tgid = tgid;
	k.user_stack = bpf_get_stackid(ctx, &fp_prof_stacks, BPF_F_USER_STACK);
	k.kern_stack = bpf_get_stackid(ctx, &fp_prof_stacks, 0);
	/* -EFAULT: no stack on that side (a kernel thread has no user stack;
	 * in user mode the kernel stack is empty).  Anything else means the
	 * stack was there and did not fit: a collision or a full map. */
	if (k.user_stack < 0 && k.user_stack != -14)
		lost(FP_PROF_LOST_USTACK);
	if (k.kern_stack < 0 && k.kern_stack != -14)
		lost(FP_PROF_LOST_KSTACK);
	/* A kernel address (the upper half) means the sample hit in the
	 * kernel: the user leaf is then in the user stack.  (regs.cs is a u64
	 * the compiler reads as u16, which the verifier refuses.) */
	k.ip = ctx->regs.ip;
	if ((long)k.ip < 0)
		k.ip = 0;
	fp_proc_seen(tgid);
	c = bpf_map_lookup_elem(&fp_prof_counts, &k);
	if (c) {
		(*c)++;
		return 0;
	}
	/* Per-CPU and in the timer interrupt: nothing races this insert. */
	if (bpf_map_update_elem(&fp_prof_counts, &k, &one, BPF_NOEXIST) == -E2BIG)
		lost(FP_PROF_LOST_KEYS);
	else
		bpf_ringbuf_output(&fp_prof_events, &tgid, sizeof(tgid), 0);
	return 0;
}
