// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler-wait family (--waits): where the threads of a target wait.
 * sched_switch and sched_wakeup(_new) give, per thread, when it became
 * runnable and when it went off CPU blocked (bpf/fp_sched.h):
 *   run-queue delay: woken, or preempted (still runnable), until switched in;
 *   off-CPU time:    switched out not runnable until woken, counted with the
 *                    syscall it was in (read from the sys family's record of
 *                    the call, whose maps user space shares with this object).
 * Per process in per-CPU hashes, with the syscall family's histogram
 * layout.  sched_switch runs on every context switch of the machine, so
 * the family is opt-in and the untraced path is one bitmap read per task.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "target.bpf.h"
#include "fp_sched.h"

char LICENSE[] SEC("license") = "GPL";

#define TASK_RUNNING 0

/* Per thread: the instants of its current state (0: not in it). */
struct sched_thr {
	__u64 rq_ts;	/* became runnable: woken or preempted */
	__u64 off_ts;	/* switched out blocked */
	__u64 on_ts;	/* switched in */
	__u32 nr;	/* what it blocked in (syscall or FP_SCHED_NR_NONE) */
	__s32 ustack;	/* --waits=stacks: its stacks when it blocked */
	__s32 kstack;
	__u32 pad;
};

/* Set by user space before load: record off-CPU stacks. */
const volatile bool want_stacks = false;

/* Task storage: no size limit to run out of, freed with the thread, and
 * the thread's own slot found without a hash (runqslower does the same). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sched_thr);
} fp_sched_thr SEC(".maps");

/* The head of syscalls.bpf.c's struct sys_start: user space points these
 * maps at the sys family's (bpf_map__reuse_fd, which takes that map's value
 * size), so a thread's syscall in flight is read where it is kept: this
 * CPU's record while the thread runs (fp_sys_cur), its task storage once
 * the sys family's own switch hook has moved it there (the two programs on
 * sched_switch run in either order).  Without the sys family both stay
 * empty and every block is FP_SCHED_NR_NONE. */
struct sys_start_head {
	__u64 ts;	/* 0: no syscall in flight */
	__u32 nr;
	__u32 active;
	__u32 tid;	/* fp_sys_cur only: whose record it is */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sys_start_head);
} fp_sys_cur SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_start_head);
} fp_sys_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, FP_SCHED_MAX_PROCS);
	__type(key, __u32);			/* tgid */
	__type(value, struct fp_sched_val);
} fp_sched_procs SEC(".maps");

/* Preallocated, unlike fp_sched_procs (2.6 KiB values): an insert from
 * sched_wakeup, often in an interrupt, must not allocate: a map that grows
 * with use failed one insert in a few hundred wakeups there (-ENOMEM). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_SCHED_MAX_BLOCK);
	__type(key, struct fp_sched_block_key);
	__type(value, struct fp_sched_block_val);
} fp_sched_block SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, FP_SCHED_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, FP_SCHED_DEPTH * sizeof(__u64));
} fp_sched_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_SCHED_MAX_OFFSTACKS);
	__type(key, struct fp_sched_stack_key);
	__type(value, struct fp_sched_stack_val);
} fp_sched_offstacks SEC(".maps");

/* A process's new off-CPU stack (struct fp_sched_event), so that user
 * space saves its maps while it runs (its stacks are symbolized later,
 * maybe after it exited).  A full buffer loses a hint, not a count: the
 * maps are also read when the stacks are. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} fp_sched_events SEC(".maps");

/* The zeroed value a new process's entry is inserted from: 2.6 KiB does
 * not fit on the BPF stack.  Never written. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_sched_val);
} fp_sched_zero SEC(".maps");

/* fp_proc_seen() for a task that is not the current one (the task switched
 * in, or woken): a process that only sleeps makes no syscall that names it. */
static __always_inline void sched_proc_seen(struct task_struct *t, __u32 tgid)
{
	struct fp_proc_info info = {};

	if (bpf_map_lookup_elem(&fp_procs, &tgid))
		return;
	BPF_CORE_READ_STR_INTO(&info.comm, t, group_leader, comm);
	info.ppid = BPF_CORE_READ(t, real_parent, tgid);
	info.first_ns = bpf_ktime_get_ns();
	if (fp_no_room(bpf_map_update_elem(&fp_procs, &tgid, &info, BPF_NOEXIST)))
		fp_drop(FP_DROP_PROCS);
}

static __always_inline struct fp_sched_val *proc_val(struct task_struct *t)
{
	__u32 tgid = t->tgid, zero = 0;
	struct fp_sched_val *v, *z;
	long err;

	v = bpf_map_lookup_elem(&fp_sched_procs, &tgid);
	if (v)
		return v;
	z = bpf_map_lookup_elem(&fp_sched_zero, &zero);
	if (!z)
		return NULL;
	err = bpf_map_update_elem(&fp_sched_procs, &tgid, z, BPF_NOEXIST);
	if (fp_no_room(err)) {
		fp_drop(FP_DROP_WAITS);
		return NULL;
	}
	sched_proc_seen(t, tgid);
	return bpf_map_lookup_elem(&fp_sched_procs, &tgid);
}

static __always_inline void hist_add(__u64 *h, __u64 d)
{
	__u32 idx = fp_hist_bucket(d);

	/* The verifier must see the bound on the register used to index. */
	barrier_var(idx);
	if (idx < FP_HIST_BUCKETS)
		h[idx]++;
}

static __always_inline void add_rq(struct fp_sched_val *v, __u64 d)
{
	v->rq_count++;
	v->rq_ns += d;
	if (!d)
		d = 1;
	if (!v->rq_min || d < v->rq_min)
		v->rq_min = d;
	if (d > v->rq_max)
		v->rq_max = d;
	hist_add(v->rq_hist, d);
}

static __always_inline void add_off(struct fp_sched_val *v, __u64 d)
{
	v->off_count++;
	v->off_ns += d;
	if (!d)
		d = 1;
	if (!v->off_min || d < v->off_min)
		v->off_min = d;
	if (d > v->off_max)
		v->off_max = d;
	hist_add(v->off_hist, d);
}

static __always_inline void add_block(__u32 tgid, __u32 nr, __u64 d)
{
	struct fp_sched_block_key k = { .tgid = tgid, .nr = nr };
	struct fp_sched_block_val *b, nb = { .count = 1, .ns = d, .max_ns = d };
	long err;

	b = bpf_map_lookup_elem(&fp_sched_block, &k);
	if (b) {
		b->count++;
		b->ns += d;
		if (d > b->max_ns)
			b->max_ns = d;
		return;
	}
	err = bpf_map_update_elem(&fp_sched_block, &k, &nb, BPF_NOEXIST);
	/* -EEXIST: inserted meanwhile (an interrupt on this CPU): add to it */
	if (err == -EEXIST && (b = bpf_map_lookup_elem(&fp_sched_block, &k))) {
		b->count++;
		b->ns += d;
		if (d > b->max_ns)
			b->max_ns = d;
	} else if (fp_no_room(err)) {
		fp_drop(FP_DROP_WAITS);
	}
}

static __always_inline void add_offstack(struct task_struct *t, const struct sched_thr *s, __u64 d)
{
	struct fp_sched_stack_key k = { .tgid = t->tgid, .user_stack = s->ustack, .kern_stack = s->kstack };
	struct fp_sched_event ev = { .tgid = t->tgid };
	struct fp_sched_stack_val *v, nv = { .count = 1, .ns = d };
	long err;

	v = bpf_map_lookup_elem(&fp_sched_offstacks, &k);
	if (v) {
		v->count++;
		v->ns += d;
		return;
	}
	err = bpf_map_update_elem(&fp_sched_offstacks, &k, &nv, BPF_NOEXIST);
	if (err == -EEXIST && (v = bpf_map_lookup_elem(&fp_sched_offstacks, &k))) {
		v->count++;
		v->ns += d;
	} else if (fp_no_room(err))
		fp_drop(FP_DROP_WAITS);
	else if (!err) {
		/* t is the woken task, not current (the waker): its mm */
		ev.map_count = BPF_CORE_READ(t, mm, map_count);
		bpf_ringbuf_output(&fp_sched_events, &ev, sizeof(ev), 0);
	}
}

static __always_inline bool traced(struct task_struct *t)
{
	/* tgid 0: the idle tasks, which wait for nothing. */
	return t->tgid && fp_task_traced(t);
}

static __always_inline struct sched_thr *thr(struct task_struct *t)
{
	struct sched_thr *s = bpf_task_storage_get(&fp_sched_thr, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!s)
		fp_drop(FP_DROP_WAITS);
	return s;
}

#define NR_FUTEX 202		/* x86_64 */
#define FUTEX_WAIT_ 0
#define FUTEX_LOCK_PI_ 6
#define FUTEX_LOCK_PI2_ 13
#define FUTEX_CMD_MASK_ 0x7f	/* without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */

/* A futex wait for a lock, or another (bpf/fp_sched.h): t is current (it
 * is switching out), so its user registers at syscall entry are its
 * arguments, which the kernel leaves as they were: op in rsi, val in rdx. */
static __always_inline bool futex_lock_wait(struct task_struct *t)
{
	struct pt_regs *r = (struct pt_regs *)bpf_task_pt_regs(t);
	unsigned long op, val;

	if (!r)
		return false;
	op = BPF_CORE_READ(r, si) & FUTEX_CMD_MASK_;
	val = BPF_CORE_READ(r, dx);
	return (op == FUTEX_WAIT_ && (__u32)val == 2) || op == FUTEX_LOCK_PI_ || op == FUTEX_LOCK_PI2_;
}

/* The syscall t is in, as its sys_enter recorded it. */
static __always_inline __u32 blocked_in(struct task_struct *t)
{
	struct sys_start_head *s;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&fp_sys_cur, &zero);
	if (!s || s->tid != t->pid)
		s = bpf_task_storage_get(&fp_sys_start, t, 0, 0);
	if (!s || !s->ts)
		return FP_SCHED_NR_NONE;
	return s->nr == NR_FUTEX && futex_lock_wait(t) ? FP_SCHED_NR_FUTEX_LOCK : s->nr;
}

static __always_inline void switch_out(void *ctx, struct task_struct *t, bool runnable, __u64 now)
{
	struct sched_thr *s = thr(t);
	struct fp_sched_val *v;

	if (!s)
		return;
	v = proc_val(t);
	if (v && s->on_ts)
		v->on_ns += now - s->on_ts;
	s->on_ts = 0;
	if (runnable) {
		s->rq_ts = now;
		s->off_ts = 0;
		if (v)
			v->preempt++;
	} else {
		s->off_ts = now;
		s->rq_ts = 0;
		s->nr = blocked_in(t);
		/* In sched_switch, current is still prev (t): its stacks are
		 * where it blocked. */
		if (want_stacks) {
			s->ustack = bpf_get_stackid(ctx, &fp_sched_stacks, BPF_F_USER_STACK);
			s->kstack = bpf_get_stackid(ctx, &fp_sched_stacks, 0);
		}
	}
}

static __always_inline void switch_in(struct task_struct *t, __u64 now)
{
	struct sched_thr *s = thr(t);
	struct fp_sched_val *v;
	__u64 rq;

	if (!s)
		return;
	s->on_ts = now;
	rq = s->rq_ts;
	s->rq_ts = 0;
	/* Runnable since before we saw it: its wait has no start. */
	if (!rq)
		return;
	v = proc_val(t);
	if (v)
		add_rq(v, now - rq);
}

static __always_inline void woken(struct task_struct *t)
{
	struct sched_thr *s;
	struct fp_sched_val *v;
	__u64 now, off;

	if (!traced(t))
		return;
	s = thr(t);
	if (!s)
		return;
	now = bpf_ktime_get_ns();
	off = s->off_ts;
	s->off_ts = 0;
	if (off) {
		v = proc_val(t);
		if (v)
			add_off(v, now - off);
		add_block(t->tgid, s->nr, now - off);
		if (want_stacks)
			add_offstack(t, s, now - off);
	}
	/* A wakeup of a thread on CPU (it set its state to sleep but had not
	 * switched out yet) starts no wait; nor does a second wakeup. */
	if (!s->on_ts && !s->rq_ts)
		s->rq_ts = now;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(fp_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = 0;

	/* Preempted, or TASK_RUNNING (yield, woken before it could block):
	 * it stays on the run queue. */
	if (traced(prev)) {
		now = bpf_ktime_get_ns();
		switch_out(ctx, prev, preempt || prev_state == TASK_RUNNING, now);
	}
	if (traced(next))
		switch_in(next, now ? now : bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(fp_sched_wakeup, struct task_struct *p)
{
	woken(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(fp_sched_wakeup_new, struct task_struct *p)
{
	woken(p);
	return 0;
}
