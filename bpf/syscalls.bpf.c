// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall hooks.  One sys_enter and one sys_exit program serve every
 * family that works on syscalls: each program attached to a tracepoint costs
 * its own dispatch (about 100 ns per syscall on a retpoline VM, more than the
 * work itself), so the families are inlined here rather than attached
 * separately.  Each family's code is in its own header (io.bpf.h,
 * statfam.bpf.h) and is switched off at load time through read-only flags,
 * which the verifier turns into dead code.
 *
 * Syscall accounting itself: per (process, syscall) calls, errors, total and
 * a latency histogram, in the dense per-CPU pool of slots.bpf.h (a slot per
 * process, a cell per syscall it makes).  Nothing per event goes to user
 * space.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "target.bpf.h"
#include "fp_sys.h"
#include "slots.bpf.h"
#include "io.bpf.h"
#include "statfam.bpf.h"

#define MAX_ERRNO 4095

char LICENSE[] SEC("license") = "GPL";

/* Families on the hooks, chosen at load time. */
const volatile bool hook_sys = true;
const volatile bool hook_io = true;
const volatile bool hook_stat = true;

/* Everything one thread's sys_enter hands to its sys_exit, for every
 * family: one task-storage lookup per hook instead of one per family. */
struct sys_start {
	__u64 ts;	/* 0: no syscall of a target in flight */
	__u32 nr;
	__u32 active;	/* the target was ACTIVE at entry */
	__u32 slot;	/* the process's pool slot + 1; 0: not looked up yet */
	__u32 pad;
	struct io_start io;
	struct stat_start stat;
};

/* Task storage rather than a hash keyed by tid: no contention, no size
 * limit to run out of, and freed by the kernel when the thread dies. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_start);
} fp_sys_start SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(fp_sys_enter, struct pt_regs *regs, long id)
{
	/* The tgid from the task the storage needs anyway: one helper call
	 * per hook, not two (bpf_get_current_pid_tgid is not inlined). */
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tgid = t->tgid;
	struct sys_start *s;
	int st;

	/* Pending targets too: their execve returns counted, in the new image. */
	st = fp_target_state(tgid);
	if (!st)
		return 0;
	s = bpf_task_storage_get(&fp_sys_start, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		fp_drop(FP_DROP_TASK_STORAGE);
		return 0;
	}
	s->nr = id;
	s->active = st == FP_TARGET_ACTIVE;
	/* The data families count from the exec on, never a pending target. */
	if (s->active && hook_io)
		io__enter(t, regs, id, &s->io);
	if (s->active && hook_stat)
		stat__enter(t, regs, id, &s->stat);
	/* Last, so the families' own work is not in the latency. */
	s->ts = bpf_ktime_get_ns();
	return 0;
}

static __noinline void sys__count(__u32 slot1, __u32 nr, long ret, __u64 delta)
{
	struct fp_sys_val *v;
	__u32 idx;

	/* Beyond the row (x32 numbers have bit 30 set): counted as a drop. */
	if (nr >= FP_SYS_NR_MAX) {
		fp_drop(FP_DROP_SYS_STATS);
		return;
	}
	v = fp_cell(slot1, nr, FP_DROP_SYS_STATS);
	if (!v)
		return;
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
}

/* A call sys_enter never saw (see fp_sys_exit).  orig_ax is -1 for a
 * call the kernel itself skipped without a number (ptrace's -1): not
 * counted, there is no call to name. */
static __noinline void sys__refused(struct task_struct *t, struct sys_start *s,
				    __u32 tgid, struct pt_regs *regs, long ret)
{
	long nr = BPF_CORE_READ(regs, orig_ax);

	if (!hook_sys || nr < 0 || !fp_traced(tgid))
		return;
	if (!s->slot)
		s->slot = fp_slot_get(tgid);
	sys__count(s->slot, nr, ret, 0);
}

/* The process's slot is closed at its exit: its counts are final and user
 * space reaps them; a new process with the same pid gets a slot of its own
 * (threads cache their slot, so the old one must never be found again). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(fp_sys_proc_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid, slot, *v;
	__u64 *owner;

	if (!group_dead)
		return 0;
	v = bpf_map_lookup_elem(&fp_slots, &tgid);
	if (!v)
		return 0;
	slot = *v;
	owner = bpf_map_lookup_elem(&fp_slot_tgid, &slot);
	if (owner)
		*owner = tgid | FP_SLOT_DEAD;
	bpf_map_delete_elem(&fp_slots, &tgid);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fp_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tgid = t->tgid;
	struct sys_start *s;
	__u64 delta;

	/* The bitmap answers for untraced processes before anything else
	 * (an inlined array read, cheaper than a task-storage miss); for
	 * targets, what entry decided is kept with the start time. */
	if (!fp_target_state(tgid))
		return 0;
	s = bpf_task_storage_get(&fp_sys_start, t, 0, 0);
	/* No storage: the thread's first syscall began before we attached, or
	 * this is the child side of fork/clone (strace -f does not count that
	 * either).  Neither is counted, but the storage is made now: a new
	 * thread's or child's very first call, if seccomp refuses it, never
	 * reaches sys_enter, and must find it (see below). */
	if (!s) {
		bpf_task_storage_get(&fp_sys_start, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		return 0;
	}
	/* Storage but no start: the kernel skipped sys_enter for this call.
	 * A seccomp filter that refuses it (SECCOMP_RET_ERRNO, as systemd's
	 * SystemCallFilter= does) runs before the sys_enter tracepoint, so a
	 * refused call only reaches sys_exit, with its number still in
	 * orig_ax and the errno in ret.  It is a call that failed: counted,
	 * with no duration (it never ran) and no data for the other families. */
	if (!s->ts) {
		sys__refused(t, s, tgid, regs, ret);
		return 0;
	}
	delta = bpf_ktime_get_ns() - s->ts;
	s->ts = 0;
	/* Once per thread: the slot outlives the thread, and is only given
	 * back after the whole process has exited. */
	if (!s->slot && (hook_sys || hook_io || hook_stat))
		s->slot = fp_slot_get(tgid);
	if (!s->active) {
		/* Only exec turns a pending target (fastpath -- CMD) active;
		 * the families start with the next syscall. */
		if (hook_sys && fp_traced(tgid))
			sys__count(s->slot, s->nr, ret, delta);
		return 0;
	}
	if (hook_sys)
		sys__count(s->slot, s->nr, ret, delta);
	if (hook_io)
		io__exit(tgid, s->slot, ret, &s->io);
	if (hook_stat)
		stat__exit(tgid, s->slot, ret, &s->stat);
	return 0;
}
