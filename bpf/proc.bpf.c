// SPDX-License-Identifier: GPL-2.0
/*
 * Process lifecycle: follows fork/exec/exit of targets.  Always loaded; owns
 * the shared maps (fp_targets, fp_procs, fp_drops) the other families reuse.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "target.bpf.h"


char LICENSE[] SEC("license") = "GPL";

static __always_inline bool comm_matches(const char *comm)
{
	for (int i = 0; i < FP_COMM_LEN; i++) {
		if (comm[i] != targ_cfg.comm[i])
			return false;
		if (!comm[i])
			return true;
	}
	return true;
}

static __always_inline void add_target(__u32 tgid)
{
	__u8 st = FP_TARGET_ACTIVE;

	if (bpf_map_update_elem(&fp_targets, &tgid, &st, BPF_ANY) == -E2BIG) {
		fp_drop(FP_DROP_TARGETS);
		return;
	}
	fp_target_bits_set(tgid, FP_TARGET_ACTIVE);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;

	/* Threads share the tgid and so are already covered. */
	if (ptgid == ctgid || targ_cfg.all)
		return 0;
	if (!targ_cfg.follow && !targ_cfg.by_comm)
		return 0;
	if (fp_target_state(ptgid) != FP_TARGET_ACTIVE)
		return 0;
	add_target(ctgid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fp_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct fp_proc_info *info;
	int st;

	st = fp_target_state(tgid);
	/* `fastpath -- CMD`: counting starts exactly here. */
	if (st == FP_TARGET_PENDING)
		add_target(tgid);
	else if (!st && targ_cfg.by_comm && comm_matches(p->comm))
		add_target(tgid);
	else if (!st)
		return 0;
	fp_proc_seen(tgid);
	info = bpf_map_lookup_elem(&fp_procs, &tgid);
	if (info) {
		__builtin_memcpy(info->comm, p->comm, FP_COMM_LEN);
		info->exec_ns = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fp_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid;
	struct fp_proc_info *info;

	if (!group_dead)
		return 0;
	info = bpf_map_lookup_elem(&fp_procs, &tgid);
	if (info) {
		info->exit_ns = bpf_ktime_get_ns();
		info->exit_code = p->exit_code;
	}
	/* An empty fp_targets tells user space that every target has gone. */
	if (!bpf_map_delete_elem(&fp_targets, &tgid))
		fp_target_bits_set(tgid, 0);
	return 0;
}
