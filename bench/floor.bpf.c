// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor: empty programs on the hooks fastpath's syscall
 * accounting uses (tp_btf sys_enter/sys_exit).  Whatever a traced stat()
 * loop loses under this is the price of having any BPF program there at
 * all (the syscall slow path taken once the tracepoint is enabled, and the
 * trampoline into BPF), which no tracer on these hooks can go below.
 * Built only for bench/ (build/bench/), never embedded in fastpath.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
