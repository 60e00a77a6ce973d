/* fastpath check: can fastpath run here, and with what. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "cli/commands.h"
#include "probes/probes.h"
#include "util/err.h"
#include "util/procfs.h"

static void row(const char *what, bool ok, const char *detail)
{
	printf("  %-28s %-4s %s\n", what, ok ? "yes" : "NO", detail);
}

int cmd_check(int argc, char **argv)
{
	/* CapEff bits: CAP_PERFMON 38, CAP_BPF 39, CAP_SYS_ADMIN 21. */
	unsigned long long caps = procfs__cap_eff();
	bool bpf_caps = (caps >> 39 & 1) && (caps >> 38 & 1);
	bool priv = geteuid() == 0 || bpf_caps || (caps >> 21 & 1);
	struct fp_support s = {};
	struct utsname u;
	int missing = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: fastpath check\nPrints what this machine supports; exits non-zero if fastpath cannot run.\n");
		return 0;
	}
	if (argc > 1) {
		fp_err("check: unknown argument '%s' (see 'fastpath check --help')", argv[1]);
		return 2;
	}
	uname(&u);
	printf("fastpath %s on %s %s (%s)\n", FP_VERSION, u.sysname, u.release, u.machine);
	row("root or CAP_BPF+CAP_PERFMON", priv, geteuid() == 0 ? "(root)" : bpf_caps ? "(capabilities)" : "run as root");
	if (priv)
		probes__check_support(&s);
	else
		s.btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	row("kernel BTF", s.btf, "/sys/kernel/btf/vmlinux");
	row("tp_btf (syscalls, lifecycle)", s.tp_btf, s.tp_btf ? "loaded and attached" : s.tp_btf_err);
	row("uprobes (allocator)", s.uprobe, "perf-event uprobes, no tracefs needed");
	row("Go exact allocation counts", s.uprobe, "Go 1.17-1.27: runtime.mallocgc and the size-specialised allocators (docs/alloc.md)");
	row("BPF run-time statistics", s.bpf_stats, "for fastpath's own cost in top/serve");
	missing = !priv + !s.btf + !s.tp_btf;
	if (missing) {
		fp_err("cannot trace here: %s", !priv ? "run as root (or grant CAP_BPF and CAP_PERFMON)" :
		       !s.btf ? "the kernel lacks BTF (CONFIG_DEBUG_INFO_BTF=y)" :
		       "BTF tracepoints do not load (kernel 5.11+ with BPF task storage needed)");
		return 1;
	}
	printf("fastpath can trace on this machine\n");
	return 0;
}
