/* fastpath check: can fastpath run here, and with what. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "cli/commands.h"
#include "probes/probes.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/procfs.h"
#include "util/privs.h"
#include "util/gobuild.h"
#include "util/gowait.h"
#include "util/gopclntab.h"
#include "util/escape.h"

static void row(const char *what, bool ok, const char *detail)
{
	printf("  %-28s %-4s %s\n", what, ok ? "yes" : "NO", detail);
}

static int count_fn(const char *name, uint64_t vaddr, uint64_t size, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void entry(struct fp_elf *e, const char *name, const char *what)
{
	uint64_t a, sz;

	if (elf__symbol(e, name, &a, &sz))
		printf("  %-28s NO   not found: %s not probed\n", name, what);
	else
		printf("  %-28s yes  0x%llx (%s)\n", name, (unsigned long long)a, what);
}

/* The park reasons' names (util/gowait.h), and where chan send is. */
static void check_reasons(struct fp_elf *e)
{
	struct fp_gowait w;

	if (gowait__from_elf(e, &w))
		printf("  %-28s NO   not found: --parks names reasons by number\n", "runtime.waitReasonStrings");
	else
		printf("  %-28s yes  0x%llx (%u park reasons; chan send is %d)\n", "runtime.waitReasonStrings",
		       (unsigned long long)w.table_vaddr, w.n, gowait__index(&w, "chan send"));
}

/* What the allocator probes would use in one binary: its Go version, where
 * its symbols come from, the entry points found. */
static int check_binary(const char *path)
{
	const struct fp_gopcln *t;
	const char *how = NULL;
	struct fp_elf *e;
	char ver[32];
	uint64_t rate;
	int err = elf__open(path, &e), nsc = 0;

	if (err) {
		fp_err("check: cannot read %s: %s", path, strerror(-err));
		return 1;
	}
	if (gobuild__version_elf(e, ver, sizeof(ver))) {
		printf("%s: not a Go binary (no .go.buildinfo, no .gopclntab); symbols from %s; %s\n", ESC(path),
		       elf__symbol_source(e), elf__dynamic(e) ? "dynamically linked: libc probes apply"
							   : "statically linked: no libc probes");
		elf__close(e);
		return 0;
	}
	printf("%s: Go %s%s, symbols from %s", ESC(path), ESC(ver),
	       strchr(ver, '+') ? " (no .go.buildinfo: from the function table's layout)" : "",
	       elf__symbol_source(e));
	if (!elf__gopcln(e, &t))
		printf(", pclntab format %s", gopcln__format(t) == FP_GOPCLN_116 ? "1.16" :
					      gopcln__format(t) == FP_GOPCLN_118 ? "1.18" : "1.20+");
	printf("\n");
	entry(e, "runtime.mallocgc", "--alloc=exact");
	entry(e, "runtime.mProf_Malloc", "--alloc=sampled");
	if (gobuild__memprofilerate(e, &rate, &how))
		printf("  %-28s NO   not found: sampled estimates assume 512 KiB\n", "runtime.MemProfileRate");
	else
		printf("  %-28s yes  0x%llx (%s)\n", "runtime.MemProfileRate", (unsigned long long)rate,
		       strcmp(how, "symbol") ? "found where runtime.profilealloc reads it" : "symbol");
	elf__for_each_func(e, "runtime.mallocgcSmallNoScanSC", count_fn, &nsc);
	elf__for_each_func(e, "runtime.mallocgcSmallScanNoHeaderSC", count_fn, &nsc);
	elf__for_each_func(e, "runtime.mallocgcTinySC", count_fn, &nsc);
	printf("  %-28s %-4s %d entry points that bypass runtime.mallocgc\n", "size-specialised allocators",
	       nsc ? "yes" : "no", nsc);
	entry(e, "runtime.gopark", "--parks");
	entry(e, "runtime.execute", "--parks");
	check_reasons(e);
	elf__close(e);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct fp_privs pv;
	bool priv;
	struct fp_support s = {};
	struct utsname u;
	int missing = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: fastpath check [BINARY...]\nPrints what this machine supports; exits non-zero if fastpath cannot run.\n"
		       "With BINARY: its Go version, where its symbols come from (.symtab, or .gopclntab\n"
		       "when stripped) and the allocator entry points found.\n");
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-') {
		fp_err("check: unknown argument '%s' (see 'fastpath check --help')", argv[1]);
		return 2;
	}
	privs__get(&pv);
	priv = pv.can_load;
	uname(&u);
	printf("fastpath %s on %s %s (%s)\n", FP_VERSION, u.sysname, u.release, u.machine);
	row("BPF privileges", priv, priv ? pv.how : pv.missing);
	row("CAP_SYS_PTRACE", pv.read_others,
	    pv.read_others ? "other users' processes get uprobes and symbols" : "missing: only this user's processes get uprobes and symbols");
	if (priv)
		probes__check_support(&s);
	else
		s.btf = probes__have_btf();
	row("kernel BTF", s.btf, FP_VMLINUX_BTF);
	row("tp_btf (syscalls, lifecycle)", s.tp_btf, s.tp_btf ? "loaded and attached" : s.tp_btf_err);
	row("uprobes (allocator)", s.uprobe, "perf-event uprobes, no tracefs needed");
	row("Go exact allocation counts", s.uprobe, "Go 1.17-1.27: runtime.mallocgc and the size-specialised allocators (check BINARY)");
	row("BPF run-time statistics", s.bpf_stats, "for fastpath's own cost in top/serve");
	missing = !priv + !s.btf + !s.tp_btf;
	if (missing) {
		fp_err("cannot trace here: %s", !priv ? "grant CAP_BPF and CAP_PERFMON (or run as root)" :
		       !s.btf ? "the kernel lacks BTF (CONFIG_DEBUG_INFO_BTF=y)" :
		       "BTF tracepoints do not load (kernel 5.11+ with BPF task storage needed)");
		return 1;
	}
	printf("fastpath can trace on this machine\n");
	for (int i = 1; i < argc; i++)
		missing |= check_binary(argv[i]);
	return missing;
}
