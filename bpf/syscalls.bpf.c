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
 * family.  The head (ts, nr, active) is what sched.bpf.c reads of it. */
struct sys_start {
	__u64 ts;	/* 0: no syscall of a target in flight */
	__u32 nr;
	__u32 active;	/* the target was ACTIVE at entry */
	__u32 tid;	/* in fp_sys_cur: whose record it is; 0: nobody's */
	__u32 pad;
	struct io_start io;
	struct stat_start stat;
};

/* The record of the thread running on this CPU, and the pool slot of the
 * last process that counted here.  A syscall that does not leave its CPU
 * (most of them: stat, getppid, a read that finds data) is accounted with
 * no task storage at all: an inlined per-CPU array lookup at each end
 * instead of two bpf_task_storage_get() (~80 ns a syscall, bench/parts.sh).
 * A thread can only lose the CPU through the scheduler, so fp_sys_switch
 * moves its record, if it has a call in flight, to its task storage, where
 * its sys_exit finds it on whichever CPU it resumes. */
struct sys_cpu {
	struct sys_start s;
	__u32 tgid;	/* slot is tgid's (checked against fp_slot_tgid) */
	__u32 slot;	/* pool slot + 1; 0: not looked up */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sys_cpu);
} fp_sys_cur SEC(".maps");

/* Records of threads switched out in a syscall (and a mark, ts 0, for a
 * thread seen since attach: see sys__moved).  Task storage rather than a
 * hash keyed by tid: no contention, no size limit to run out of, and
 * freed by the kernel when the thread dies. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sys_start);
} fp_sys_start SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(fp_sys_enter, struct pt_regs *regs, long id)
{
	/* The tgid from the task pointer: one helper call per hook, not two
	 * (bpf_get_current_pid_tgid is not inlined). */
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 tgid = t->tgid, zero = 0;
	struct sys_cpu *c;
	struct sys_start *s;
	int st;

	/* Pending targets too: their execve returns counted, in the new image. */
	st = fp_target_state(tgid);
	if (!st)
		return 0;
	c = bpf_map_lookup_elem(&fp_sys_cur, &zero);
	if (!c)
		return 0;
	/* Whoever had this CPU's record before was moved out at its switch. */
	s = &c->s;
	s->tid = t->pid;
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

/* One call in the process's cell for nr.  A global function, checked once
 * by the verifier (see io__exit). */
__noinline int sys__count(__u32 slot1, __u32 nr, long ret, __u64 delta)
{
	struct fp_sys_val *v;
	__u32 idx;

	/* Beyond the row (x32 numbers have bit 30 set): counted as a drop. */
	if (nr >= FP_SYS_NR_MAX) {
		fp_drop(FP_DROP_SYS_STATS);
		return 0;
	}
	v = fp_cell(slot1, nr, FP_DROP_SYS_STATS);
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

/* The pool slot + 1 of tgid, cached per CPU: a hash lookup only when
 * another process counted on this CPU since, or tgid's slot was closed
 * (the process exited: a new one with the same pid must get its own). */
static __always_inline __u32 sys__slot(struct sys_cpu *c, __u32 tgid)
{
	__u32 i = c->slot - 1;
	__u64 *owner;

	if (c->slot && c->tgid == tgid) {
		owner = bpf_map_lookup_elem(&fp_slot_tgid, &i);
		if (owner && *owner == tgid)
			return c->slot;
	}
	c->slot = fp_slot_get(tgid);
	c->tgid = tgid;
	return c->slot;
}

/* A call sys_enter never saw (see sys__moved).  orig_ax is -1 for a
 * call the kernel itself skipped without a number (ptrace's -1): not
 * counted, there is no call to name. */
static __noinline void sys__refused(struct sys_cpu *c, __u32 tgid, struct pt_regs *regs,
				    long ret)
{
	long nr = BPF_CORE_READ(regs, orig_ax);

	if (!hook_sys || nr < 0 || !fp_traced(tgid))
		return;
	sys__count(sys__slot(c, tgid), nr, ret, 0);
}

/* Task states, from linux/sched.h (defines, not in BTF). */
#define FP_TASK_DEAD 0x80

/* A thread leaves the CPU: if this CPU's record is its, move it to the
 * thread's task storage (a call in flight, whole; else the mark that the
 * thread was seen), and free the record for whoever runs next.  Runs at
 * every context switch on the machine: untraced ones cost the lookup and
 * one compare. */
SEC("tp_btf/sched_switch")
int BPF_PROG(fp_sys_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct sys_start *s;
	struct sys_cpu *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&fp_sys_cur, &zero);
	if (!c || !c->s.tid || c->s.tid != prev->pid)
		return 0;
	c->s.tid = 0;
	/* Its last switch: no syscall of it will ever exit. */
	if (prev_state & FP_TASK_DEAD)
		return 0;
	s = bpf_task_storage_get(&fp_sys_start, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s) {
		if (c->s.ts)
			fp_drop(FP_DROP_TASK_STORAGE);
		return 0;
	}
	if (!c->s.ts) {
		s->ts = 0;
		return 0;
	}
	__builtin_memcpy(s, &c->s, sizeof(*s));
	return 0;
}

/* The sys_exit of a thread whose record is not this CPU's: its call began
 * before a switch, so the record is in its task storage; or sys_enter
 * never saw the call.  The thread owns this CPU's record from here on.
 * The record, if there is one, is copied back into this CPU's, so that the
 * exit has a single kind of pointer to work on (the verifier would walk
 * the families' exit code twice, once per map, doubling its load time).
 * Returns whether there is a call to count; not:
 * - no record and the thread never seen (neither here nor in storage):
 *   its first call began before we attached, or this is the child side of
 *   fork/clone, which never entered (strace -f does not count it either);
 * - the thread seen, but no call in flight: the kernel skipped sys_enter.
 *   A seccomp filter that refuses a call (SECCOMP_RET_ERRNO, as systemd's
 *   SystemCallFilter= does) runs before the sys_enter tracepoint, so the
 *   call only reaches sys_exit, its number still in orig_ax and the errno
 *   in ret: counted as a call that failed, with no duration (it never ran)
 *   and nothing for the other families.  A new thread's or child's very
 *   first call refused is counted too: its fork's return marked it seen. */
static __always_inline bool sys__moved(struct task_struct *t, struct sys_cpu *c, __u32 tgid,
				       struct pt_regs *regs, long ret)
{
	struct sys_start *s = bpf_task_storage_get(&fp_sys_start, t, 0, 0);
	bool seen = c->s.tid == t->pid;

	if (s && s->ts) {
		__builtin_memcpy(&c->s, s, sizeof(*s));
		s->ts = 0;
		return true;
	}
	c->s.tid = t->pid;
	c->s.ts = 0;
	if (seen || s)
		sys__refused(c, tgid, regs, ret);
	return false;
}

/* The process's slot is closed at its exit: its counts are final and user
 * space reaps them; a new process with the same pid gets a slot of its own
 * (CPUs cache the last slot they counted in: sys__slot finds it closed). */
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
	__u32 tgid = t->tgid, zero = 0, slot1 = 0;
	struct sys_start *s;
	struct sys_cpu *c;
	__u64 delta;

	/* The bitmap answers for untraced processes before anything else;
	 * for targets, what entry decided is kept with the start time. */
	if (!fp_target_state(tgid))
		return 0;
	c = bpf_map_lookup_elem(&fp_sys_cur, &zero);
	if (!c)
		return 0;
	s = &c->s;
	if ((s->tid != t->pid || !s->ts) && !sys__moved(t, c, tgid, regs, ret))
		return 0;
	delta = bpf_ktime_get_ns() - s->ts;
	s->ts = 0;
	if (hook_sys || hook_io || hook_stat)
		slot1 = sys__slot(c, tgid);
	if (!s->active) {
		/* Only exec turns a pending target (fastpath -- CMD) active;
		 * the families start with the next syscall. */
		if (hook_sys && fp_traced(tgid))
			sys__count(slot1, s->nr, ret, delta);
		return 0;
	}
	if (hook_sys)
		sys__count(slot1, s->nr, ret, delta);
	if (hook_io)
		io__exit(tgid, slot1, ret, &s->io);
	if (hook_stat)
		stat__exit(tgid, slot1, ret, &s->stat);
	return 0;
}
