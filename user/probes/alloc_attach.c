/* The allocator family's attaching: where each uprobe goes, per binary.
 *
 * Uprobes are perf-event based (no tracefs) and filtered to the target's
 * memory map by pid; the BPF side checks fp_traced() too.  Each probe sits
 * where prologue__choose() says (an emulated instruction when possible).
 * libc's allocator is probed in every target that maps it (and, with -a,
 * in the system libc for every process); Go's runtime allocator in Go
 * binaries, by the version their build info names. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/alloc_state.h"
#include "model/alloc.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/gobuild.h"
#include "util/procfs.h"
#include "util/prologue.h"
#include "alloc.skel.h"

/* libc's allocator: name, size arguments (SysV registers). */
static const struct { const char *name; unsigned int a1, a2; } libc_fns[FP_AF_LIBC_MAX] = {
	[FP_AF_MALLOC] = { "malloc", FP_ARG_REG + FP_REG_DI, 0 },
	[FP_AF_CALLOC] = { "calloc", FP_ARG_REG + FP_REG_DI, FP_ARG_REG + FP_REG_SI },
	[FP_AF_REALLOC] = { "realloc", FP_ARG_REG + FP_REG_SI, 0 },
	[FP_AF_REALLOCARRAY] = { "reallocarray", FP_ARG_REG + FP_REG_SI, FP_ARG_REG + FP_REG_DX },
	[FP_AF_FREE] = { "free", 0, 0 },
	[FP_AF_POSIX_MEMALIGN] = { "posix_memalign", FP_ARG_REG + FP_REG_DX, 0 },
	[FP_AF_ALIGNED_ALLOC] = { "aligned_alloc", FP_ARG_REG + FP_REG_SI, 0 },
	[FP_AF_MEMALIGN] = { "memalign", FP_ARG_REG + FP_REG_SI, 0 },
	[FP_AF_VALLOC] = { "valloc", FP_ARG_REG + FP_REG_DI, 0 },
	[FP_AF_PVALLOC] = { "pvalloc", FP_ARG_REG + FP_REG_DI, 0 },
};

static int add_link(struct alloc_state *st, struct bpf_link *l)
{
	if (st->nlinks == st->cap_links) {
		size_t cap = st->cap_links ? st->cap_links * 2 : 32;
		void *p = realloc(st->links, cap * sizeof(*st->links));

		if (!p)
			return -ENOMEM;
		st->links = p;
		st->cap_links = cap;
	}
	st->links[st->nlinks++] = l;
	return 0;
}

/* One probe: function `name` of binary `path` (opened as e), for pid (-1:
 * every process mapping it).  The address is returned for deduplication:
 * libc gives aligned_alloc and memalign one body. */
static int attach_fn(struct alloc_state *st, struct fp_elf *e, const char *path, int pid,
		     const char *name, unsigned long long cookie, unsigned int argmask,
		     struct alloc_pid *a, uint64_t *addr_out)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookie);
	struct fp_probe_point pp;
	uint8_t code[4096];
	uint64_t addr, size, off;
	struct bpf_link *l;
	size_t len;
	int err;

	err = elf__symbol(e, name, &addr, &size);
	if (!err)
		err = elf__file_offset(e, addr, &off);
	if (err)
		return err;
	if (addr_out)
		*addr_out = addr;
	len = size && size < sizeof(code) ? size : sizeof(code);
	while (len > 16 && elf__read(e, addr, code, len))
		len /= 2;
	if (elf__read(e, addr, code, len) || prologue__choose(code, len, addr, argmask, &pp)) {
		memset(&pp, 0, sizeof(pp));
		pp.skip_cc = -1;
	}
	if (pp.skip_cc >= 0)
		uo.bpf_cookie |= FP_COOKIE_SKIPCC(pp.skip_cc);
	if (pp.note[0]) {
		char n[256];

		snprintf(n, sizeof(n), "%s: %s", name, pp.note);
		if (a)
			alloc_pid__note(a, "%s", n);
		fp_debug("probe %s in %s: %s", name, path, pp.note);
	} else {
		fp_debug("probe %s in %s at +%llu (%s)", name, path, (unsigned long long)pp.offset, pp.insn);
	}
	if (a && FP_COOKIE_FN(cookie) < FP_AF_MAX)
		a->probe_vaddr[FP_COOKIE_FN(cookie)] = addr + pp.offset;
	l = bpf_program__attach_uprobe_opts(st->skel->progs.fp_alloc_entry, pid, path,
					    off + pp.offset, &uo);
	if (!l)
		return -errno;
	return add_link(st, l);
}

static int attach_libc(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a)
{
	uint64_t addrs[FP_AF_LIBC_MAX] = {};
	struct fp_elf *e;
	int err, attached = 0;

	if (a)
		snprintf(a->libc_path, sizeof(a->libc_path), "%s", path);

	err = elf__open(path, &e);
	if (err)
		return err;
	for (int fn = 0; fn < FP_AF_LIBC_MAX; fn++) {
		bool dup = false;

		err = elf__symbol(e, libc_fns[fn].name, &addrs[fn], NULL);
		if (err)
			continue;	/* this libc lacks it (pvalloc in some) */
		for (int j = 0; j < fn; j++)
			dup |= addrs[j] == addrs[fn];
		if (dup) {
			/* Two names, one body: one probe, counted under the first. */
			if (a)
				alloc_pid__note(a, "%s shares its code with an earlier function and is counted under it",
					 libc_fns[fn].name);
			continue;
		}
		err = attach_fn(st, e, path, pid, libc_fns[fn].name,
				FP_COOKIE(fn, libc_fns[fn].a1, libc_fns[fn].a2), FP_ARGS_SYSV, a, NULL);
		if (err)
			break;
		attached++;
	}
	elf__close(e);
	if (!err && !attached)
		err = -ENOENT;
	if (!err && a)
		a->libc = true;
	return err;
}

static int find_malloc_sc(const char *name, void *arg)
{
	/* Size-specialised allocation functions the compiler calls directly,
	 * bypassing mallocgc (runtime/malloc_generated.go, Go 1.26). */
	return !strncmp(name, "runtime.mallocgcSmall", 21) && strstr(name, "SC") ? 1 : 0;
}

/* Where Go passes mallocgc's size / mProf_Malloc's size, by version. */
static unsigned int go_size_arg(const char *ver, bool sampled)
{
	if (!gobuild__at_least(ver, 1, 17))
		return FP_ARG_STACK + (sampled ? 2 : 1);	/* stack ABI0 */
	if (!sampled)
		return FP_ARG_REG + FP_REG_AX;		/* mallocgc(size, typ, needzero) */
	/* mProf_Malloc(p, size) until 1.22; (mp, p, size[, typ]) after. */
	return FP_ARG_REG + (gobuild__at_least(ver, 1, 23) ? FP_REG_CX : FP_REG_BX);
}

static int attach_go(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a,
		     struct fp_elf *e)
{
	bool sampled = st->opts->alloc == FP_ALLOC_SAMPLED;
	const char *fn = sampled ? "runtime.mProf_Malloc" : "runtime.mallocgc";
	unsigned int arg = go_size_arg(a->go_version, sampled);
	uint64_t addr, size;
	int err;

	a->go_mode = sampled ? FP_GO_SAMPLED : FP_GO_EXACT;
	a->go_complete = true;
	if (!sampled && (gobuild__at_least(a->go_version, 1, 26) ||
			 elf__for_each_symbol(e, find_malloc_sc, NULL) == 1)) {
		a->go_complete = false;
		alloc_pid__note(a, "%s calls size-specialised allocators that bypass runtime.mallocgc: exact counts are a lower bound, use --alloc=sampled",
			 a->go_version);
	}
	if (sampled) {
		if (!elf__symbol(e, "runtime.MemProfileRate", &addr, &size)) {
			a->rate_addr = addr;
			/* Not PIE (go build's default): the address is final, so
			 * the kernel reads the rate from the very first sample. */
			if (!a->exe_pie) {
				__u32 k = pid;
				__u64 v64 = addr;

				bpf_map_update_elem(bpf_map__fd(st->skel->maps.fp_alloc_rate_addr),
						    &k, &v64, BPF_ANY);
			}
			/* What /proc/PID/exe will say once it runs this binary. */
			if (!realpath(path, a->exe))
				snprintf(a->exe, sizeof(a->exe), "%s", path);
		} else {
			alloc_pid__note(a, "%s", "runtime.MemProfileRate not found: assuming 512 KiB");
		}
	}
	err = attach_fn(st, e, path, pid, fn, FP_COOKIE(sampled ? FP_AF_GO_MPROF : FP_AF_GO_MALLOCGC, arg, 0),
			FP_ARGS_GO, a, NULL);
	if (err == -ENOENT)
		alloc_pid__note(a, "%s not in the symbol table (stripped binary?): Go allocations not traced", fn);
	return err == -ENOENT ? 0 : err;
}

/* The libc a process maps, from its maps: through its root (containers)
 * for a target, or as the path itself for fastpath's own. */
static int mapped_libc(int pid, bool via_root, char *out, size_t len)
{
	char *maps = procfs__maps(pid), *line;
	int err = -ENOENT;

	if (!maps)
		return -ESRCH;
	for (line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
		const char *p = strchr(line, '/'), *base = p ? strrchr(p, '/') + 1 : NULL;

		if (base && (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-2.", 7))) {
			if (via_root)
				err = procfs__root(pid, p, out, len);
			else
				err = snprintf(out, len, "%s", p) < 0 ? -EINVAL : 0;
			break;
		}
	}
	free(maps);
	return err;
}

/* For a command not yet exec'd: the libc the dynamic loader will map.  On
 * the same root, that is the libc.so.6 fastpath's own loader found (the
 * same ld.so.cache); an RPATH or LD_LIBRARY_PATH pointing elsewhere would
 * differ, and the probes would then simply not fire (said in the docs). */
static int loader_libc(char *out, size_t len)
{
	return mapped_libc(getpid(), false, out, len);
}

int alloc_attach__pid(void *state, int pid, const char *exe)
{
	struct alloc_state *st = state;
	char exe_path[PATH_MAX], libc[PATH_MAX];
	struct alloc_pid *a;
	struct fp_elf *e = NULL;
	bool exact = st->opts->alloc == FP_ALLOC_EXACT, dynamic = true;
	int err = 0;

	pthread_mutex_lock(&st->lock);
	a = alloc_state__pid(st, pid, true);
	pthread_mutex_unlock(&st->lock);
	if (!a)
		return -ENOMEM;
	if (exe)
		snprintf(exe_path, sizeof(exe_path), "%s", exe);
	else
		procfs__path(exe_path, sizeof(exe_path), pid, "exe");
	if (!realpath(exe_path, a->bin))
		snprintf(a->bin, sizeof(a->bin), "%s", exe_path);
	if (!elf__open(exe_path, &e)) {
		dynamic = elf__dynamic(e);
		if (!gobuild__version_elf(e, a->go_version, sizeof(a->go_version))) {
			/* PIE Go binaries need the load bias at read time. */
			a->exe_pie = elf__pie(e);
			err = attach_go(st, exe_path, pid, a, e);
		}
	}
	if (!err && exact && dynamic) {
		err = exe ? loader_libc(libc, sizeof(libc)) : mapped_libc(pid, true, libc, sizeof(libc));
		if (err == -ENOENT) {
			err = 0;	/* static, or not glibc's libc.so */
			if (!a->go_version[0])
				alloc_pid__note(a, "%s", "no libc.so mapped: libc allocations not traced");
		} else if (!err) {
			err = attach_libc(st, libc, pid, a);
		}
	}
	if (!err && !exact && !a->go_version[0])
		alloc_pid__note(a, "%s", "libc allocations are counted with --alloc=exact only (about 0.7 us per call)");
	elf__close(e);
	if (err)
		fp_err("cannot attach the allocator probes to pid %d (%s): %s", pid, exe_path, strerror(-err));
	return err;
}

int alloc_attach__shared(void *state)
{
	struct alloc_state *st = state;
	char libc[PATH_MAX];
	struct bpf_link *l;
	int err = 0;

	/* The uprobes are attached per binary; this one is a tracepoint. */
	l = bpf_program__attach(st->skel->progs.fp_alloc_exit);
	if (!l)
		return -errno;
	err = add_link(st, l);
	if (err)
		return err;
	/* -a: every process that maps the system libc (Go binaries are not
	 * known in advance). */
	if (st->opts->cfg.all && st->opts->alloc == FP_ALLOC_EXACT) {
		err = loader_libc(libc, sizeof(libc));
		if (!err)
			err = attach_libc(st, libc, -1, NULL);
	}
	if (err)
		return err;
	return alloc_state__start_helper(st);
}
