/* The allocator family's attaching: where each uprobe goes, per binary.
 *
 * No tracefs: a binary's probes share one uprobe_multi link where that
 * loses nothing (a Go binary; libc's rare entry points; all of libc with
 * -a), else each is a perf-event uprobe (see attach_libc), both filtered
 * by pid; the BPF side checks fp_traced() too.  Each probe sits
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
#include <sys/stat.h>
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

/* libc's allocator: name, size arguments (SysV registers), and whether a
 * target's probe on it stays perf-event based (see attach_libc). */
static const struct { const char *name; unsigned int a1, a2; bool perf; } libc_fns[FP_AF_LIBC_MAX] = {
	[FP_AF_MALLOC] = { "malloc", FP_ARG_REG + FP_REG_DI, 0, true },
	[FP_AF_CALLOC] = { "calloc", FP_ARG_REG + FP_REG_DI, FP_ARG_REG + FP_REG_SI, true },
	[FP_AF_REALLOC] = { "realloc", FP_ARG_REG + FP_REG_SI, 0, true },
	[FP_AF_REALLOCARRAY] = { "reallocarray", FP_ARG_REG + FP_REG_SI, FP_ARG_REG + FP_REG_DX },
	[FP_AF_FREE] = { "free", 0, 0, true },
	[FP_AF_POSIX_MEMALIGN] = { "posix_memalign", FP_ARG_REG + FP_REG_DX, 0 },
	[FP_AF_ALIGNED_ALLOC] = { "aligned_alloc", FP_ARG_REG + FP_REG_SI, 0 },
	[FP_AF_MEMALIGN] = { "memalign", FP_ARG_REG + FP_REG_SI, 0 },
	[FP_AF_VALLOC] = { "valloc", FP_ARG_REG + FP_REG_DI, 0 },
	[FP_AF_PVALLOC] = { "pvalloc", FP_ARG_REG + FP_REG_DI, 0 },
};

/* One perf-event uprobe. */
static int attach_one(struct alloc_state *st, const char *path, int pid, uint64_t off,
		      unsigned long long cookie)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = cookie);
	struct bpf_link *l;

	l = bpf_program__attach_uprobe_opts(st->skel->progs.fp_alloc_entry, pid, path, off, &uo);
	if (!l)
		return -errno;
	return links__add(&st->links, l);
}

static int batch_add(struct alloc_batch *b, uint64_t off, unsigned long long cookie)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		void *o = realloc(b->offs, cap * sizeof(*b->offs)), *c;

		if (!o)
			return -ENOMEM;
		b->offs = o;
		c = realloc(b->cookies, cap * sizeof(*b->cookies));
		if (!c)
			return -ENOMEM;
		b->cookies = c;
		b->cap = cap;
	}
	b->offs[b->n] = off;
	b->cookies[b->n++] = cookie;
	return 0;
}

void alloc_attach__batch_begin(struct alloc_state *st, struct alloc_batch *b, const char *path, int pid)
{
	*b = (struct alloc_batch){ .path = path, .pid = pid };
	st->batch = b;
}

int alloc_attach__batch_end(struct alloc_state *st, struct alloc_batch *b)
{
	int err = 0;

	st->batch = NULL;
	if (b->n && !links__have_uprobe_multi())
		err = -EOPNOTSUPP;
	else if (b->n)
		err = links__add_uprobe_multi(&st->links, bpf_program__fd(st->skel->progs.fp_alloc_multi),
					      b->path, b->pid, b->offs, b->cookies, b->n);
	if (err) {
		/* Before 6.6: one link per probe (slower to detach, as good). */
		fp_debug("no uprobe_multi link on %s (%s): one uprobe per function", b->path, strerror(-err));
		err = 0;
		for (size_t i = 0; i < b->n && !err; i++)
			err = attach_one(st, b->path, b->pid, b->offs[i], b->cookies[i]);
	}
	free(b->offs);
	free(b->cookies);
	b->offs = b->cookies = NULL;
	b->n = b->cap = 0;
	return err;
}

/* The function's address is returned for deduplication: libc gives
 * aligned_alloc and memalign one body. */
int alloc_attach__fn(struct alloc_state *st, struct fp_elf *e, const char *path, int pid,
		     const char *name, unsigned long long cookie, unsigned int argmask,
		     struct alloc_pid *a, uint64_t *addr_out, uint64_t *probe_out)
{
	struct fp_probe_point pp;
	uint64_t addr, off;
	int err;

	err = prologue__for_symbol(e, name, argmask, &addr, &off, &pp);
	if (err)
		return err;
	if (addr_out)
		*addr_out = addr;
	if (pp.skip_cc >= 0)
		cookie |= FP_COOKIE_SKIPCC(pp.skip_cc);
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
	if (probe_out)
		*probe_out = addr + pp.offset;
	if (st->batch)
		return batch_add(st->batch, off + pp.offset, cookie);
	return attach_one(st, path, pid, off + pp.offset, cookie);
}

/* A uprobe_multi link runs its program only in the thread group it was
 * made for, where a perf-event uprobe's filter is the memory map: a vfork
 * child of a target (dash runs commands so, and mallocs before its exec)
 * shares the map but not the group, and only perf-event probes see it.
 * So for a target the common calls (malloc, calloc, realloc, free) stay
 * perf-event based, each ~110 ms to detach; the rare ones share one
 * multi link, as all do with -a (pid -1: no filter, nothing lost). */
static int attach_libc(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a)
{
	uint64_t addrs[FP_AF_LIBC_MAX] = {};
	struct alloc_batch b;
	struct fp_elf *e;
	int err, end, attached = 0;

	if (a)
		snprintf(a->libc_path, sizeof(a->libc_path), "%s", path);

	err = elf__open(path, &e);
	if (err)
		return err;
	alloc_attach__batch_begin(st, &b, path, pid);
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
		st->batch = pid > 0 && libc_fns[fn].perf ? NULL : &b;
		err = alloc_attach__fn(st, e, path, pid, libc_fns[fn].name,
				       FP_COOKIE(fn, libc_fns[fn].a1, libc_fns[fn].a2), FP_ARGS_SYSV, a, NULL, NULL);
		if (err)
			break;
		attached++;
	}
	end = alloc_attach__batch_end(st, &b);
	err = err ? err : end;
	elf__close(e);
	if (!err && !attached)
		err = -ENOENT;
	if (!err && a)
		a->libc = true;
	return err;
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

/* The libc of a process, also one held at exec, whose dynamic loader has
 * not mapped it yet: on our root, the one our loader found (the same
 * ld.so.cache); in another root (a container), the usual places there. */
static int exec_libc(int pid, char *out, size_t len)
{
	static const char *const libs[] = {
		"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/lib64/libc.so.6", "/usr/lib64/libc.so.6", "/lib/libc.so.6", "/usr/lib/libc.so.6",
	};
	struct stat ours, theirs;
	char root[64];
	int err = mapped_libc(pid, true, out, len);

	if (err != -ENOENT)
		return err;
	procfs__path(root, sizeof(root), pid, "root");
	if (!stat("/", &ours) && !stat(root, &theirs) && ours.st_dev == theirs.st_dev &&
	    ours.st_ino == theirs.st_ino)
		return loader_libc(out, len);
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (!procfs__root(pid, libs[i], out, len) && !access(out, R_OK))
			return 0;
	return -ENOENT;
}

/* A new image's Go probes: its version, fresh per-image state. */
static int attach_go_image(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a,
			   struct fp_elf *e)
{
	char ver[sizeof(a->go_version)];
	struct alloc_batch b;
	int err, end;

	if (gobuild__version_elf(e, ver, sizeof(ver)))
		return 0;	/* not Go */
	memcpy(a->go_version, ver, sizeof(ver));
	a->go_mode = FP_GO_NONE;
	a->rate_addr = 0;
	a->rate = -1;
	/* PIE Go binaries need the load bias at read time. */
	a->exe_pie = elf__pie(e);
	/* One link for the whole binary: a Go process forks only to exec
	 * (the child runs no allocator), so the thread-group filter of a
	 * uprobe_multi link loses nothing there; and it detaches in one
	 * grace period where the 15 perf-event probes of a Go 1.27 binary took
	 * 1.6 s. */
	alloc_attach__batch_begin(st, &b, path, pid);
	err = alloc_go__attach(st, path, pid, a, e);
	end = alloc_attach__batch_end(st, &b);
	return err ? err : end;
}

/* exe: the binary a command parked before its exec will run; NULL for a
 * running process, or one held at exec (/proc/PID/exe is its new image).
 * Called again for every exec of a target: only files not yet probed for
 * pid get probes. */
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
		if (!probed__before(&a->probed, exe_path))
			err = attach_go_image(st, exe_path, pid, a, e);
	}
	if (!err && exact && dynamic) {
		err = exe ? loader_libc(libc, sizeof(libc)) : exec_libc(pid, libc, sizeof(libc));
		if (err == -ENOENT) {
			err = 0;	/* static, or not glibc's libc.so */
			if (!a->go_version[0])
				alloc_pid__note(a, "%s", "no libc.so found: libc allocations not traced");
		} else if (!err && !probed__before(&a->probed, libc)) {
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
	err = links__add(&st->links, l);
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
