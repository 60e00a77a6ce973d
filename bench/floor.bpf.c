// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor: empty programs on the hooks fastpath's syscall
 * accounting uses (tp_btf sys_enter/sys_exit).  Whatever a traced stat()
 * loop loses under this is the price of having any BPF program there at
 * all (the syscall slow path taken once the tracepoint is enabled, and the
 * trampoline into BPF), which no tracer on these hooks can go below.
 * Built only for bench/ (build/bench/), never embedded in fastpath.
 *
 * With `floor -l LEVEL -p PID` the same programs do, cumulatively, the
 * parts of syscall accounting one at a time, so that bench/parts.sh can
 * price each part as the difference between two levels of one run (the
 * verifier drops the code of the levels above, parts is read-only data):
 *   1  the target filter: the current tgid, compared with PID's
 *   2  + the start record in this CPU's slot of a per-CPU array, the
 *        thread id checked at exit, as fastpath keeps it while the thread
 *        stays on the CPU (its switch hook, which moves a record to task
 *        storage when the thread leaves mid-call, runs per context switch,
 *        not per syscall, and is not here)
 *   3  + two bpf_ktime_get_ns(): the latency
 *   4  + the counters: one cell per (process, syscall) found through two
 *        inlined array lookups (a row of cells, then this CPU's copy of
 *        the cell), calls, errors, total, min/max and the histogram:
 *        what fastpath's dense pool does (bpf/slots.bpf.h)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "fp_sys.h"

char LICENSE[] SEC("license") = "GPL";

const volatile int parts;
const volatile __u32 target_tgid;
const volatile __u32 ncpus = 1;

struct start {
	__u64 ts;
	__u32 nr;
	__u32 tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

/* One process's row (cell + 1 per syscall number; the loader sets them). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_row);
} rows SEC(".maps");

/* FP_SYS_NR_MAX cells per CPU: cells[cpu * FP_SYS_NR_MAX + cell - 1]. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FP_SYS_NR_MAX);	/* * ncpus, set by the loader */
	__type(key, __u32);
	__type(value, struct fp_sys_val);
} cells SEC(".maps");

static __always_inline bool target(void)
{
	return bpf_get_current_pid_tgid() >> 32 == target_tgid;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	struct start *s;

	if (parts < 1 || !target() || parts < 2)
		return 0;
	s = bpf_map_lookup_elem(&starts, &zero);
	if (!s)
		return 0;
	s->tid = bpf_get_current_task_btf()->pid;
	s->nr = id;
	s->ts = parts >= 3 ? bpf_ktime_get_ns() : 1;
	return 0;
}

static __always_inline void count(__u32 nr, long ret, __u64 delta)
{
	struct fp_sys_val *v;
	struct fp_row *row;
	__u32 zero = 0, cell, i;

	if (nr >= FP_SYS_NR_MAX)
		return;
	row = bpf_map_lookup_elem(&rows, &zero);
	if (!row)
		return;
	cell = row->cell[nr];
	if (!cell || cell > FP_SYS_NR_MAX)
		return;
	i = bpf_get_smp_processor_id() * FP_SYS_NR_MAX + cell - 1;
	v = bpf_map_lookup_elem(&cells, &i);
	if (!v)
		return;
	v->calls++;
	if (ret < 0 && ret >= -4095)
		v->errors++;
	v->total_ns += delta;
	if (!delta)
		delta = 1;
	if (!v->min_ns || delta < v->min_ns)
		v->min_ns = delta;
	if (delta > v->max_ns)
		v->max_ns = delta;
	i = fp_hist_bucket(delta);
	barrier_var(i);
	if (i < FP_HIST_BUCKETS)
		v->lat[i]++;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	__u32 zero = 0;
	struct start *s;
	__u64 delta;

	if (parts < 1 || !target() || parts < 2)
		return 0;
	s = bpf_map_lookup_elem(&starts, &zero);
	if (!s || !s->ts || s->tid != bpf_get_current_task_btf()->pid)
		return 0;
	delta = parts >= 3 ? bpf_ktime_get_ns() - s->ts : 0;
	s->ts = 0;
	if (parts >= 4)
		count(s->nr, ret, delta);
	return 0;
}
