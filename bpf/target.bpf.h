/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF side of target selection, included by every .bpf.c.  Each object
 * declares the same shared maps; user space creates them once (proc.bpf.c's
 * copy) and hands the fds to the other objects with bpf_map__reuse_fd(), so
 * all families see one set of targets.  The hot path reads only
 * fp_target_bits; fp_targets is the registry of the same set.
 */
#ifndef FP_TARGET_BPF_H
#define FP_TARGET_BPF_H

#include <bpf/bpf_core_read.h>
#include "fp_target.h"

#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EEXIST
#define EEXIST 17
#endif

const volatile struct fp_targ_cfg targ_cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_TARGETS);
	__type(key, __u32);		/* tgid */
	__type(value, __u8);		/* enum fp_target_state */
} fp_targets SEC(".maps");

/* Sized from /proc/sys/kernel/pid_max by user space before load.  Mapped
 * into user space, which sets and clears bits with atomic operations too: a
 * read-modify-write through the syscall API would undo a bit the fork hook
 * set in the same word meanwhile (a followed child lost its counts). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FP_TARGET_BITS_DEFAULT_PID_MAX / FP_TARGET_BITS_PER_WORD);
	__type(key, __u32);
	__type(value, __u64);
} fp_target_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_PROCS);
	__type(key, __u32);		/* tgid */
	__type(value, struct fp_proc_info);
} fp_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} fp_drops SEC(".maps");

/* An insert that did not happen, other than losing a race with another CPU
 * inserting the same key (-EEXIST: the entry is there).  Not only a full
 * map (-E2BIG): maps that grow with use allocate from per-CPU caches that a
 * burst of inserts (fork churn) empties before they refill (-ENOMEM). */
static __always_inline bool fp_no_room(long err)
{
	return err && err != -EEXIST;
}

static __always_inline void fp_drop(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&fp_drops, &reason);

	if (c)
		(*c)++;
}

/* The current task is in the -G cgroup, or in --container's subtree: one
 * helper call either way. */
static __always_inline bool fp_in_cgroup(void)
{
	if (!targ_cfg.cgroup_id)
		return true;
	if (targ_cfg.cgroup_level)
		return bpf_get_current_ancestor_cgroup_id(targ_cfg.cgroup_level) == targ_cfg.cgroup_id;
	return bpf_get_current_cgroup_id() == targ_cfg.cgroup_id;
}

/* Filter first: a hash lookup for targeted runs, nothing at all for -a. */
static __always_inline int fp_target_state(__u32 tgid)
{
	__u64 *w;
	__u32 idx;

	if (tgid == targ_cfg.self_tgid)
		return 0;
	if (!fp_in_cgroup())
		return 0;
	if (targ_cfg.all)
		return FP_TARGET_ACTIVE;
	idx = tgid / FP_TARGET_BITS_PER_WORD;
	w = bpf_map_lookup_elem(&fp_target_bits, &idx);
	if (!w)
		return 0;
	return (*w >> (tgid % FP_TARGET_BITS_PER_WORD * 2)) & 3;
}

/* Set tgid's state in the bitmap (0: not a target).  Two atomic steps; a
 * reader in between sees "not a target" for that instant, which only ever
 * happens at fork, exec and exit of the process itself. */
static __always_inline void fp_target_bits_set(__u32 tgid, __u64 state)
{
	__u32 idx = tgid / FP_TARGET_BITS_PER_WORD;
	__u32 sh = tgid % FP_TARGET_BITS_PER_WORD * 2;
	__u64 *w = bpf_map_lookup_elem(&fp_target_bits, &idx);

	if (!w)
		return;
	__sync_fetch_and_and(w, ~(3ULL << sh));
	if (state)
		__sync_fetch_and_or(w, state << sh);
}

static __always_inline bool fp_traced(__u32 tgid)
{
	return fp_target_state(tgid) == FP_TARGET_ACTIVE;
}

/* The tgid as the process's own PID namespace numbers it (what `ps`
 * inside a container shows): the leader's struct pid, at its level. */
static __always_inline __u32 fp_nspid(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	if (level > 32)
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level]);
	return up.nr;
}

static __always_inline void fp_proc_where(struct fp_proc_info *info, struct task_struct *t)
{
	info->cgroup_id = bpf_get_current_cgroup_id();
	info->nspid = fp_nspid(t);
}

static __always_inline __u64 fp_task_cgroup_id(struct task_struct *t)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp), *anc = NULL;
	unsigned int level = targ_cfg.cgroup_level;

	/* --container: t's ancestor at the container's level, as
	 * bpf_get_current_ancestor_cgroup_id() answers for the current task. */
	if (!level)
		return BPF_CORE_READ(cg, kn, id);
	if (!cg || BPF_CORE_READ(cg, level) < (int)level || level > 64)
		return 0;
	bpf_probe_read_kernel(&anc, sizeof(anc), &cg->ancestors[level]);
	return anc ? BPF_CORE_READ(anc, kn, id) : 0;
}

/* Whether task t is a target.  fp_target_state() answers for the current
 * task (its cgroup check reads the current cgroup): the CPU family's
 * iterator runs in fastpath's context, and the scheduler hooks ask about the
 * task switched in or woken, so they check t's own cgroup.  Needs
 * bpf_core_read.h. */
static __always_inline bool fp_task_traced(struct task_struct *t)
{
	__u32 tgid = t->tgid, idx;
	__u64 *w;

	if (tgid == targ_cfg.self_tgid)
		return false;
	if (targ_cfg.cgroup_id && fp_task_cgroup_id(t) != targ_cfg.cgroup_id)
		return false;
	if (targ_cfg.all)
		return true;
	idx = tgid / FP_TARGET_BITS_PER_WORD;
	w = bpf_map_lookup_elem(&fp_target_bits, &idx);
	if (!w)
		return false;
	return ((*w >> (tgid % FP_TARGET_BITS_PER_WORD * 2)) & 3) == FP_TARGET_ACTIVE;
}

/* Remember who a process is the first time a family records data for it, so
 * its totals keep a name after it exits. */
static __always_inline void fp_proc_seen(__u32 tgid)
{
	struct fp_proc_info info = {};
	struct task_struct *t;

	if (bpf_map_lookup_elem(&fp_procs, &tgid))
		return;
	t = bpf_get_current_task_btf();
	bpf_get_current_comm(info.comm, sizeof(info.comm));
	/* A probe read, not t->real_parent->tgid: a pointer loaded from a
	 * trusted pointer makes the verifier search the kernel's 126k BTF
	 * types by name, twice, at every path through here (issue 13's
	 * start-up); once per process, so the helper call costs nothing. */
	info.ppid = BPF_CORE_READ(t, real_parent, tgid);
	info.first_ns = bpf_ktime_get_ns();
	fp_proc_where(&info, t);
	if (fp_no_room(bpf_map_update_elem(&fp_procs, &tgid, &info, BPF_NOEXIST)))
		fp_drop(FP_DROP_PROCS);
}

#endif /* FP_TARGET_BPF_H */
