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
#include "cpu.bpf.h"


char LICENSE[] SEC("license") = "GPL";

#define FP_SIGSTOP 19

/* Targets stopped at exec, tgid -> exec time: user space deletes the entry
 * when it sends SIGCONT.  A guardian process holds this map's fd and
 * continues every pid still in it if fastpath dies (user/probes/hold.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_HELD);
	__type(key, __u32);
	__type(value, __u64);
} fp_held SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} fp_exec_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct fp_exe_path);
} fp_exe_paths SEC(".maps");

/* 264 bytes: too big for the BPF stack next to the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_exe_path);
} fp_exe_scratch SEC(".maps");

static __always_inline void note_exe(__u32 tgid, struct linux_binprm *bprm, __u64 now)
{
	__u32 zero = 0;
	struct fp_exe_path *e = bpf_map_lookup_elem(&fp_exe_scratch, &zero);

	if (!e)
		return;
	e->exec_ns = now;
	if (bpf_probe_read_kernel_str(e->path, sizeof(e->path), BPF_CORE_READ(bprm, filename)) < 0)
		e->path[0] = 0;
	/* Full: the name is read from /proc while the process lives, as
	 * before; only a process gone within one poll stays unnamed. */
	bpf_map_update_elem(&fp_exe_paths, &tgid, e, BPF_ANY);
}

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

	if (fp_no_room(bpf_map_update_elem(&fp_targets, &tgid, &st, BPF_ANY))) {
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

/* A target runs a new image: its allocator probes (uprobes on that binary
 * and its libc) do not exist yet.  Stop it before its first user
 * instruction (the signal is acted on when the exec returns to user space)
 * and tell user space, which attaches them and sends SIGCONT.  Held only
 * when the registry entry fits: else it runs on, is attached late and the
 * miss is counted (FP_DROP_EXEC_HOLD). */
static __always_inline void hold(__u32 tgid, __u64 now)
{
	bool held = !bpf_map_update_elem(&fp_held, &tgid, &now, BPF_ANY);
	struct fp_exec_event *e;

	e = bpf_ringbuf_reserve(&fp_exec_events, sizeof(*e), 0);
	if (!e) {
		if (held)
			bpf_map_delete_elem(&fp_held, &tgid);
		fp_drop(FP_DROP_EXEC_HOLD);
		return;
	}
	e->tgid = tgid;
	e->exec_ns = now;
	/* Registry full: attach late all the same, and count the miss. */
	if (held && bpf_send_signal(FP_SIGSTOP)) {
		bpf_map_delete_elem(&fp_held, &tgid);
		held = false;
	}
	e->pad = !held;
	if (!held)
		fp_drop(FP_DROP_EXEC_HOLD);
	bpf_ringbuf_submit(e, 0);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fp_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct fp_proc_info *info;
	__u64 now = bpf_ktime_get_ns();
	int st;

	st = fp_target_state(tgid);
	/* `fastpath -- CMD`: counting starts exactly here; its probes were
	 * attached before the exec. */
	if (st == FP_TARGET_PENDING) {
		add_target(tgid);
	} else if (!st && targ_cfg.by_comm && comm_matches(p->comm)) {
		add_target(tgid);
		if (targ_cfg.hold_exec)
			hold(tgid, now);
	} else if (!st) {
		return 0;
	} else if (targ_cfg.hold_exec && !targ_cfg.all) {
		/* A followed child, or a target that execs again (sh -c). */
		hold(tgid, now);
	}
	fp_proc_seen(tgid);
	info = bpf_map_lookup_elem(&fp_procs, &tgid);
	if (info) {
		__builtin_memcpy(info->comm, p->comm, FP_COMM_LEN);
		info->exec_ns = now;
		note_exe(tgid, bprm, now);
		fp_proc_where(info, p);	/* moved into a container before exec */
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
	if (fp_traced(tgid))
		fp_cpu_at_exit(p, tgid);
	info = bpf_map_lookup_elem(&fp_procs, &tgid);
	if (info) {
		info->exit_ns = bpf_ktime_get_ns();
		info->exit_code = p->exit_code;
	}
	bpf_map_delete_elem(&fp_held, &tgid);
	/* An empty fp_targets tells user space that every target has gone. */
	if (!bpf_map_delete_elem(&fp_targets, &tgid))
		fp_target_bits_set(tgid, 0);
	return 0;
}
