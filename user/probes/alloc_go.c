/* The allocator family's Go half: which runtime functions take a Go
 * binary's heap allocations, by release (util/goalloc.h), and where
 * MemProfileRate lives.  Names come from .symtab or, in stripped binaries,
 * from the pclntab (util/elfsym.c looks in both).
 *
 * Exact: runtime.mallocgc, plus every size-specialised allocator the
 * binary has (Go 1.27: the compiler calls them directly for objects up to
 * 80 bytes).  mallocgc also calls them for the small objects it is asked
 * for; those hits are skipped in the kernel by their return address
 * (struct fp_alloc_skip), so each allocation counts once.
 * Sampled: runtime.mProf_Malloc (or profilealloc, its only caller, where a
 * release inlined it), the size register by version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/alloc_state.h"
#include "model/alloc.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/goalloc.h"
#include "util/prologue.h"
#include "util/gobuild.h"
#include "alloc.skel.h"

#define SC_NAME_MAX 64

struct sc_list {
	char (*names)[SC_NAME_MAX];
	size_t n, cap;
	struct fp_go_plan plan;
};

static int collect_entry(const char *name, void *arg)
{
	struct sc_list *l = arg;
	unsigned int sc;
	enum fp_go_entry k = goalloc__classify(name, &sc);

	if (k == FP_GOE_NONE || strlen(name) >= SC_NAME_MAX)
		return 0;
	goalloc__plan_add(&l->plan, name);
	if (k == FP_GOE_MALLOCGC)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return 0;	/* .symtab and .dynsym, or a duplicate */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		void *p = realloc(l->names, cap * sizeof(*l->names));

		if (!p)
			return -ENOMEM;
		l->names = p;
		l->cap = cap;
	}
	snprintf(l->names[l->n++], SC_NAME_MAX, "%s", name);
	return 0;
}

/* runtime.MemProfileRate's address; 0 if not found.  A stripped binary has
 * no symbol for it: gobuild__memprofilerate finds it where profilealloc
 * reads it. */
static uint64_t find_rate(struct fp_elf *e, const char **how)
{
	uint64_t addr;

	return gobuild__memprofilerate(e, &addr, how) ? 0 : addr;
}

static void set_rate_addr(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a,
			  uint64_t addr)
{
	a->rate_addr = addr;
	/* Not PIE (go build's default): the address is final, so the kernel
	 * reads the rate from the very first sample. */
	if (!a->exe_pie) {
		__u32 k = pid;
		__u64 v64 = addr;

		bpf_map_update_elem(bpf_map__fd(st->skel->maps.fp_alloc_rate_addr), &k, &v64, BPF_ANY);
	}
	/* What /proc/PID/exe will say once it runs this binary. */
	if (!realpath(path, a->exe))
		snprintf(a->exe, sizeof(a->exe), "%s", path);
}

static int attach_sampled(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a,
			  struct fp_elf *e)
{
	unsigned int arg = goalloc__size_arg(a->go_version, true);
	const char *how = NULL, *hook = "runtime.mProf_Malloc";
	uint64_t rate = find_rate(e, &how);
	int err;

	if (rate) {
		set_rate_addr(st, path, pid, a, rate);
		if (strcmp(how, "symbol"))
			alloc_pid__note(a, "runtime.MemProfileRate has no symbol: found where %s reads it", how);
	} else {
		alloc_pid__note(a, "%s", "runtime.MemProfileRate not found: assuming 512 KiB");
	}
	err = alloc_attach__fn(st, e, path, pid, "runtime.mProf_Malloc", FP_COOKIE(FP_AF_GO_MPROF, arg, 0),
			       FP_ARGS_GO, a, NULL, NULL);
	if (err == -ENOENT) {
		/* Its only caller takes (mp, x, size) in every register-ABI
		 * release: size in RCX. */
		hook = "runtime.profilealloc";
		if (gobuild__at_least(a->go_version, 1, 17))
			err = alloc_attach__fn(st, e, path, pid, hook,
					       FP_COOKIE(FP_AF_GO_MPROF, FP_ARG_REG + FP_REG_CX, 0),
					       FP_ARGS_GO, a, NULL, NULL);
		if (!err)
			alloc_pid__note(a, "%s", "runtime.mProf_Malloc not found: sampled at runtime.profilealloc");
	}
	if (!err)
		snprintf(a->go_entries, sizeof(a->go_entries), "%s (heap-profile samples)", hook);
	return err;
}

/* One size-specialised allocator; its hits from mallocgc are skipped. */
static int attach_sc(struct alloc_state *st, struct fp_elf *e, const char *path, int pid,
		     struct alloc_pid *a, const char *name, uint64_t mgc, uint64_t mgc_size)
{
	unsigned int sc, slot = st->nskip;
	enum fp_go_entry k = goalloc__classify(name, &sc);
	unsigned long long cookie = FP_COOKIE(k == FP_GOE_SC_TINY ? FP_AF_GO_TINY : FP_AF_GO_SC,
					      FP_ARG_REG + FP_REG_AX, 0);
	struct fp_alloc_skip skip;
	uint64_t probe;
	int err;

	if (slot >= FP_MAX_ALLOC_SKIP)
		return -ENOSPC;
	/* Until the slot is filled it skips nothing: mallocgc is not probed
	 * yet (attach_exact). */
	err = alloc_attach__fn(st, e, path, pid, name, cookie | FP_COOKIE_SKIPSLOT(slot), FP_ARGS_GO, a, NULL, &probe);
	if (err)
		return err;
	st->nskip++;
	skip.lo = (long long)(mgc - probe);
	skip.hi = (long long)(mgc + mgc_size - probe);
	return bpf_map_update_elem(bpf_map__fd(st->skel->maps.fp_alloc_skip), &slot, &skip, BPF_ANY) ? -errno : 0;
}

/* The size-specialised allocators first, each with its skip slot filled,
 * then mallocgc: attached to a running process, no allocation is ever
 * counted twice (until mallocgc's probe is in, its calls to them count
 * there once). */
static int attach_exact(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a,
			struct fp_elf *e)
{
	struct sc_list l = {};
	uint64_t mgc = 0, mgc_size = 0;
	int err;

	err = elf__for_each_symbol(e, collect_entry, &l);
	if (err < 0)
		goto cleanup;
	err = elf__symbol(e, "runtime.mallocgc", &mgc, &mgc_size);
	for (size_t i = 0; i < l.n && !err; i++)
		err = attach_sc(st, e, path, pid, a, l.names[i], mgc, mgc_size);
	if (err == -ENOSPC) {
		a->go_complete = false;
		alloc_pid__note(a, "%s", "out of probe slots for size-specialised allocators: exact counts are a lower bound");
		err = 0;
	}
	if (!err)
		err = alloc_attach__fn(st, e, path, pid, "runtime.mallocgc",
				       FP_COOKIE(FP_AF_GO_MALLOCGC, goalloc__size_arg(a->go_version, false), 0),
				       FP_ARGS_GO, a, NULL, NULL);
	if (err)
		goto cleanup;
	goalloc__plan_describe(&l.plan, a->go_entries, sizeof(a->go_entries));
	fp_debug("pid %d: Go %s: probed %s", pid, a->go_version, a->go_entries);
cleanup:
	free(l.names);
	return err;
}

int alloc_go__attach(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a, struct fp_elf *e)
{
	bool sampled = st->opts->alloc == FP_ALLOC_SAMPLED;
	int err;

	a->go_mode = sampled ? FP_GO_SAMPLED : FP_GO_EXACT;
	a->go_complete = true;
	a->go_entries[0] = 0;
	if (strchr(a->go_version, '+'))
		alloc_pid__note(a, "no .go.buildinfo: Go version %s from the function table's layout", a->go_version);
	if (strcmp(elf__symbol_source(e), "symtab"))
		alloc_pid__note(a, "stripped binary: Go symbols from %s", elf__symbol_source(e));
	err = sampled ? attach_sampled(st, path, pid, a, e) : attach_exact(st, path, pid, a, e);
	if (err == -ENOENT) {
		alloc_pid__note(a, "%s", sampled ? "runtime.mProf_Malloc not found: Go allocations not traced"
						 : "runtime.mallocgc not found: Go allocations not traced");
		a->go_complete = false;
		return 0;
	}
	return err;
}
