/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU times of a process at its exit, for proc.bpf.c's sched_process_exit
 * program (the only one on that hook) and the map profile.bpf.c shares.
 * Needs vmlinux.h and target.bpf.h before it.
 */
#ifndef FP_CPU_BPF_H
#define FP_CPU_BPF_H

#include "fp_cpu.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_CPU_MAX_EXITED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);		/* tgid */
	__type(value, struct fp_cpu_times);
} fp_cpu_exit SEC(".maps");

/* Called as the last thread of a target exits: its own times plus what the
 * threads released before it left in signal_struct (the leader, if it
 * exited first, is still a zombie and not yet folded in: add it too).
 * The exiting thread's last few microseconds since the scheduler last
 * updated sum_exec_runtime are not in it. */
static __always_inline void fp_cpu_at_exit(struct task_struct *p, __u32 tgid)
{
	/* Probe reads behind p->signal and p->group_leader: loading those
	 * pointers from the trusted p would cost the verifier two searches
	 * of the kernel's BTF each (target.bpf.h's fp_proc_seen); once per
	 * process exit. */
	struct task_struct *leader = BPF_CORE_READ(p, group_leader);
	struct fp_cpu_times t;

	t.run_ns = BPF_CORE_READ(p, signal, sum_sched_runtime) + p->se.sum_exec_runtime;
	t.utime_ns = BPF_CORE_READ(p, signal, utime) + p->utime;
	t.stime_ns = BPF_CORE_READ(p, signal, stime) + p->stime;
	if (leader && leader != p) {
		t.run_ns += BPF_CORE_READ(leader, se.sum_exec_runtime);
		t.utime_ns += BPF_CORE_READ(leader, utime);
		t.stime_ns += BPF_CORE_READ(leader, stime);
	}
	if (bpf_map_update_elem(&fp_cpu_exit, &tgid, &t, BPF_ANY) == -E2BIG)
		fp_drop(FP_DROP_CPU);
}

#endif /* FP_CPU_BPF_H */
