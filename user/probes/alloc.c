/* The allocator family (bpf/alloc.bpf.c): entry uprobes per target process
 * on the libc it maps and, for Go binaries, on the runtime's allocator.
 *
 * Uprobes are perf-event based (no tracefs) and filtered to the target's
 * memory map by pid; the BPF side checks fp_traced() too.  Each probe sits
 * where prologue__choose() says (an emulated instruction when possible).
 * A helper thread saves each process's memory map when it shows a new
 * stack (so sites can be symbolized after it exits) and rereads Go's
 * MemProfileRate. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/family.h"
#include "model/alloc.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/gobuild.h"
#include "util/prologue.h"
#include "util/symbolize.h"
#include "fp_alloc.h"
#include "alloc.skel.h"

struct alloc_pid {
	int pid;
	bool libc;
	int go_mode;			/* enum fp_go_mode */
	char go_version[24];
	bool go_complete;
	char exe[PATH_MAX];		/* for Go: where MemProfileRate lives */
	uint64_t rate_addr;		/* link-time address; 0 if unknown */
	bool exe_pie;
	int64_t rate;			/* -1 until read */
	char *maps;			/* last saved /proc/PID/maps */
	/* The symbolizer's view of that address space, rebuilt only when the
	 * maps change: building it opens every mapped ELF file, which took
	 * 0.5 s per read with --stacks and stalled top's refresh. */
	struct fp_addrspace *as;
	char *as_maps;
	/* For a process gone before its maps could be read (see struct
	 * fp_alloc_layout): its binary, its libc and where each probe sits. */
	char bin[PATH_MAX];
	char libc_path[PATH_MAX];
	uint64_t probe_vaddr[FP_AF_MAX];
	char notes[512];
};

struct alloc_state {
	struct alloc_bpf *skel;
	const struct fp_probe_opts *opts;
	struct bpf_link **links;
	size_t nlinks, cap_links;
	pthread_mutex_t lock;		/* pids, against the helper thread */
	struct alloc_pid *pids;
	size_t npids, cap_pids;
	struct ring_buffer *rb;
	pthread_t thread;
	bool thread_on;
	volatile bool stop;
	struct fp_symbolizer *sym;
};

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

/* -a in sampled mode probes nothing (Go processes are found per target,
 * libc only in exact mode): then the family is not even loaded. */
static bool alloc_wanted(const struct fp_probe_opts *o)
{
	if (o->cfg.all && o->alloc == FP_ALLOC_SAMPLED)
		return false;
	return o->alloc != FP_ALLOC_OFF;
}

/* Caller holds the lock. */
static struct alloc_pid *pid_info(struct alloc_state *st, int pid, bool create)
{
	struct alloc_pid *a;

	for (size_t i = 0; i < st->npids; i++)
		if (st->pids[i].pid == pid)
			return &st->pids[i];
	if (!create)
		return NULL;
	if (st->npids == st->cap_pids) {
		size_t cap = st->cap_pids ? st->cap_pids * 2 : 16;
		void *p = realloc(st->pids, cap * sizeof(*st->pids));

		if (!p)
			return NULL;
		st->pids = p;
		st->cap_pids = cap;
	}
	a = &st->pids[st->npids++];
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->rate = -1;
	return a;
}

static void add_note(struct alloc_pid *a, const char *fmt, const char *arg)
{
	size_t n = strlen(a->notes);
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (strstr(a->notes, msg))
		return;
	snprintf(a->notes + n, sizeof(a->notes) - n, "%s%s", n ? "; " : "", msg);
}

static char *read_file(const char *path)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = 0;
	if (!n) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void save_maps(struct alloc_state *st, int pid)
{
	char path[64], *maps;
	struct alloc_pid *a;

	/* Tests take the path of a process that exits too fast to be read. */
	if (getenv("FASTPATH_TEST_NO_MAPS"))
		return;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = read_file(path);
	if (!maps) {
		fp_debug("pid %d: memory map not readable (exited?)", pid);
		return;		/* gone: keep what we had */
	}
	pthread_mutex_lock(&st->lock);
	a = pid_info(st, pid, true);
	if (a) {
		free(a->maps);
		a->maps = maps;
		maps = NULL;
	}
	pthread_mutex_unlock(&st->lock);
	free(maps);
}

/* Load bias of a PIE executable: where its offset-0 mapping starts. */
static uint64_t exe_bias(int pid, const char *maps)
{
	char exe[PATH_MAX], path[64];
	unsigned long lo, off;
	const char *line = maps;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0 || !maps)
		return 0;
	exe[n] = 0;
	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = strchr(line, '/');
		size_t len = strcspn(p ? p : "", "\n");

		if (p && len == strlen(exe) && !strncmp(p, exe, len) &&
		    sscanf(line, "%lx-%*x %*s %lx", &lo, &off) == 2 && off == 0)
			return lo;
	}
	return 0;
}

/* runtime.MemProfileRate from the live process (an int: 8 bytes). */
static void read_rate(struct alloc_state *st, struct alloc_pid *a)
{
	char path[64], exe[PATH_MAX];
	uint64_t addr = a->rate_addr;
	ssize_t n;
	int64_t v;
	int fd;

	if (!addr)
		return;
	/* A command not yet exec'd is still a copy of fastpath. */
	snprintf(path, sizeof(path), "/proc/%d/exe", a->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	if (strcmp(exe, a->exe))
		return;
	if (a->exe_pie)
		addr += exe_bias(a->pid, a->maps);
	/* From now on the kernel reads the rate itself at every sample. */
	{
		__u32 k = a->pid;
		__u64 v64 = addr;

		bpf_map_update_elem(bpf_map__fd(st->skel->maps.fp_alloc_rate_addr), &k, &v64, BPF_ANY);
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", a->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (pread(fd, &v, sizeof(v), (off_t)addr) == sizeof(v) && v >= 0)
		a->rate = v;
	close(fd);
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct alloc_state *st = ctx;
	struct alloc_pid *a;

	if (len < sizeof(__u32))
		return 0;
	save_maps(st, *(__u32 *)data);
	/* A new sample size is also a moment the rate may have changed. */
	pthread_mutex_lock(&st->lock);
	a = pid_info(st, *(__u32 *)data, false);
	if (a && a->go_mode == FP_GO_SAMPLED)
		read_rate(st, a);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

/* Every ~100 ms: the maps of attached processes (cheap when unchanged in
 * practice: a few KiB) and Go's rate; at once on a new stack. */
static void *helper(void *arg)
{
	struct alloc_state *st = arg;

	while (!st->stop) {
		ring_buffer__poll(st->rb, 100);
		for (size_t i = 0;; i++) {
			int pid;

			pthread_mutex_lock(&st->lock);
			if (i >= st->npids) {
				pthread_mutex_unlock(&st->lock);
				break;
			}
			pid = st->pids[i].pid;
			pthread_mutex_unlock(&st->lock);
			if (pid > 0 && kill(pid, 0) == 0) {
				if (st->opts->stacks)
					save_maps(st, pid);
				pthread_mutex_lock(&st->lock);
				if (i < st->npids && st->pids[i].go_mode == FP_GO_SAMPLED)
					read_rate(st, &st->pids[i]);
				pthread_mutex_unlock(&st->lock);
			}
		}
	}
	return NULL;
}

static int alloc_load(struct fp_probes *P, void **state)
{
	struct alloc_state *st = calloc(1, sizeof(*st));
	const struct fp_probe_opts *o = probes__opts(P);
	int err;

	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	st->opts = o;
	st->skel = alloc_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	st->skel->rodata->targ_cfg = o->cfg;
	st->skel->rodata->alloc_stacks = o->stacks;
	err = probes__share_maps(P, st->skel->obj);
	if (!err)
		err = alloc_bpf__load(st->skel);
	if (!err)
		err = symbolizer__new(&st->sym);
	if (err)
		goto cleanup;
	st->rb = ring_buffer__new(bpf_map__fd(st->skel->maps.fp_alloc_events), on_event, st, NULL);
	if (!st->rb) {
		err = -errno;
		goto cleanup;
	}
	*state = st;
	return 0;
cleanup:
	ring_buffer__free(st->rb);
	symbolizer__free(st->sym);
	alloc_bpf__destroy(st->skel);
	free(st);
	return err;
}

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
			add_note(a, "%s", n);
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
				add_note(a, "%s shares its code with an earlier function and is counted under it",
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
		add_note(a, "%s calls size-specialised allocators that bypass runtime.mallocgc: exact counts are a lower bound, use --alloc=sampled",
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
			add_note(a, "%s", "runtime.MemProfileRate not found: assuming 512 KiB");
		}
	}
	err = attach_fn(st, e, path, pid, fn, FP_COOKIE(sampled ? FP_AF_GO_MPROF : FP_AF_GO_MALLOCGC, arg, 0),
			FP_ARGS_GO, a, NULL);
	if (err == -ENOENT)
		add_note(a, "%s not in the symbol table (stripped binary?): Go allocations not traced", fn);
	return err == -ENOENT ? 0 : err;
}

/* The libc the process maps, from its maps, through its root (containers). */
static int mapped_libc(int pid, char *out, size_t len)
{
	char path[64], *maps, *line;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = read_file(path);
	if (!maps)
		return -ESRCH;
	for (line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
		const char *p = strchr(line, '/'), *base = p ? strrchr(p, '/') + 1 : NULL;

		if (base && (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-2.", 7))) {
			snprintf(out, len, "/proc/%d/root%s", pid, p);
			err = 0;
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
	int err = mapped_libc(getpid(), out, len);
	char tmp[PATH_MAX];

	if (!err) {
		/* Drop the /proc/PID/root prefix: the path is ours. */
		const char *p = strstr(out, "/root/");

		snprintf(tmp, sizeof(tmp), "%s", p ? p + 5 : out);
		snprintf(out, len, "%s", tmp);
	}
	return err;
}

static int alloc_attach_pid(void *state, int pid, const char *exe)
{
	struct alloc_state *st = state;
	char exe_path[PATH_MAX], libc[PATH_MAX];
	struct alloc_pid *a;
	struct fp_elf *e = NULL;
	bool exact = st->opts->alloc == FP_ALLOC_EXACT, dynamic = true;
	int err = 0;

	pthread_mutex_lock(&st->lock);
	a = pid_info(st, pid, true);
	pthread_mutex_unlock(&st->lock);
	if (!a)
		return -ENOMEM;
	snprintf(exe_path, sizeof(exe_path), "%s", exe ? exe : "");
	if (!exe)
		snprintf(exe_path, sizeof(exe_path), "/proc/%d/exe", pid);
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
		err = exe ? loader_libc(libc, sizeof(libc)) : mapped_libc(pid, libc, sizeof(libc));
		if (err == -ENOENT) {
			err = 0;	/* static, or not glibc's libc.so */
			if (!a->go_version[0])
				add_note(a, "%s", "no libc.so mapped: libc allocations not traced");
		} else if (!err) {
			err = attach_libc(st, libc, pid, a);
		}
	}
	if (!err && !exact && !a->go_version[0])
		add_note(a, "%s", "libc allocations are counted with --alloc=exact only (about 0.7 us per call)");
	elf__close(e);
	if (err)
		fp_err("cannot attach the allocator probes to pid %d (%s): %s", pid, exe_path, strerror(-err));
	return err;
}

static int alloc_attach(void *state)
{
	struct alloc_state *st = state;
	char libc[PATH_MAX];
	int err = 0;

	struct bpf_link *l;

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
	if (pthread_create(&st->thread, NULL, helper, st))
		return -errno;
	st->thread_on = true;
	return 0;
}

static struct fp_alloc_stats *proc_alloc(struct fp_snapshot *s, int tgid)
{
	struct fp_proc *p = snapshot__proc(s, tgid, true);

	if (!p)
		return NULL;
	if (!p->alloc)
		p->alloc = alloc_stats__new();
	return p->alloc;
}

static int stats_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_alloc_key *key = e->key;
	const struct fp_alloc_val *sum = e->sum;
	struct fp_alloc_stats *a = proc_alloc(ctx, key->tgid);
	struct fp_hist h;

	if (!a)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	memcpy(h.b, sum->size, sizeof(h.b));
	hist__recount(&h);
	h.sum = sum->bytes;
	/* min_size is stored + 1 so that 0 means unset */
	h.min = probes__percpu_min(e, offsetof(struct fp_alloc_val, min_size));
	if (h.min)
		h.min--;
	h.max = probes__percpu_max(e, offsetof(struct fp_alloc_val, max_size));
	if (key->fn < FP_AF_LIBC_MAX) {
		a->fn[key->fn].calls = sum->calls;
		a->fn[key->fn].bytes = sum->bytes;
		if (key->fn != FP_AF_FREE)
			hist__merge(&a->size, &h);
	} else if (key->fn == FP_AF_GO_MALLOCGC) {
		a->go.calls = sum->calls;
		a->go.bytes = sum->bytes;
		hist__merge(&a->size, &h);
	} else if (key->fn == FP_AF_GO_MPROF) {
		a->go.samples = sum->calls;
	}
	return 0;
}

static int read_stats(struct alloc_state *st, struct fp_snapshot *s)
{
	return probes__each_percpu(bpf_map__fd(st->skel->maps.fp_alloc_stats), sizeof(struct fp_alloc_key),
				   sizeof(struct fp_alloc_val), stats_entry, s);
}

static int64_t rate_of(struct alloc_state *st, int tgid)
{
	struct alloc_pid *a;
	int64_t r = -1;

	pthread_mutex_lock(&st->lock);
	a = pid_info(st, tgid, false);
	if (a) {
		if (kill(tgid, 0) == 0)
			read_rate(st, a);
		r = a->rate;
	}
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* The rate a sample is scaled with: the target's, else the default. */
static int64_t scale_rate(int64_t r)
{
	return r > 0 ? r : 512 * 1024;
}

struct samples_read {
	struct alloc_state *st;
	struct fp_snapshot *s;
};

/* Go samples, scaled per exact size as pprof scales each record. */
static int sample_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_alloc_sample_key *key = e->key;
	uint64_t cnt = *(const uint64_t *)e->sum;
	struct samples_read *r = ctx;
	struct fp_alloc_stats *a = proc_alloc(r->s, key->tgid);
	double calls, bytes;

	if (!a)
		return -ENOMEM;
	/* The rate the kernel saw at the sample; else the last one read. */
	alloc__pprof_scale(cnt, cnt * key->size,
			   scale_rate(key->rate ? (int64_t)key->rate : rate_of(r->st, key->tgid)),
			   &calls, &bytes);
	a->go.calls += llround(calls);
	a->go.bytes += llround(bytes);
	hist__add(&a->size, key->size, llround(calls));
	return 0;
}

static int read_samples(struct alloc_state *st, struct fp_snapshot *s)
{
	struct samples_read r = { st, s };

	return probes__each_percpu(bpf_map__fd(st->skel->maps.fp_alloc_samples),
				   sizeof(struct fp_alloc_sample_key), sizeof(__u64), sample_entry, &r);
}

/* Frames leaf first: the probed function, the caller from the top of the
 * stack (unless the kernel already put it there), then the chain. */
static int site_frames(struct alloc_state *st, struct fp_addrspace *as, const struct fp_site_key *k,
		       const __u64 *ips, char **frames, size_t *nframes)
{
	char buf[512];
	size_t n = 0;

	for (int i = 0; i < FP_STACK_DEPTH && ips[i]; i++) {
		if (i == 1 && k->caller && ips[1] != k->caller) {
			symbolizer__frame(st->sym, as, k->caller, true, buf, sizeof(buf));
			if (!(frames[n++] = strdup(buf)))
				return -ENOMEM;
		}
		symbolizer__frame(st->sym, as, ips[i], i > 0, buf, sizeof(buf));
		if (!(frames[n++] = strdup(buf)))
			return -ENOMEM;
	}
	if (n == 1 && k->caller) {
		symbolizer__frame(st->sym, as, k->caller, true, buf, sizeof(buf));
		if (!(frames[n++] = strdup(buf)))
			return -ENOMEM;
	}
	*nframes = n;
	return 0;
}

/* One mapping line, as /proc/PID/maps would show the image of path loaded
 * at bias, for the symbolizer.  Returns the bytes written, 0 if unknown. */
static int layout_line(char *buf, size_t len, const char *path, uint64_t bias, int ino)
{
	uint64_t lo, hi, x;
	struct fp_elf *e;
	int n = 0;

	if (!path[0] || elf__open(path, &e))
		return 0;
	if (!elf__load_range(e, &lo, &hi, &x))
		n = snprintf(buf, len, "%llx-%llx r-xp 00000000 fd:00 %d %s\n",
			     (unsigned long long)(bias + lo), (unsigned long long)(bias + hi), ino, path);
	elf__close(e);
	return n > 0 && (size_t)n < len ? n : 0;
}

/* The maps of a process that exited before they could be read, rebuilt
 * from what the kernel noted with its first site: the binary's load bias
 * from mm->start_code, the libc's from the address the probe fired at.
 * Caller holds the lock. */
static char *layout_maps(struct alloc_state *st, struct alloc_pid *a)
{
	struct fp_alloc_layout l;
	uint64_t lo, hi, x, bias = 0;
	__u32 k = a->pid;
	struct fp_elf *e;
	char *buf;
	int n;

	if (bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.fp_alloc_layout), &k, &l) ||
	    !(buf = calloc(1, 2 * PATH_MAX + 256)))
		return NULL;
	if (!elf__open(a->bin, &e)) {
		if (elf__pie(e) && !elf__load_range(e, &lo, &hi, &x))
			bias = l.start_code - x;
		elf__close(e);
	}
	n = layout_line(buf, 2 * PATH_MAX + 256, a->bin, bias, 1);
	if (l.fn < FP_AF_LIBC_MAX && a->probe_vaddr[l.fn] && a->libc_path[0])
		n += layout_line(buf + n, 2 * PATH_MAX + 256 - n, a->libc_path,
				 l.probe_ip - a->probe_vaddr[l.fn], 2);
	if (!n) {
		free(buf);
		return NULL;
	}
	fp_debug("pid %d exited before its maps were read: rebuilt from the kernel's note:\n%s", a->pid, buf);
	return buf;
}

/* The (cached) address space of tgid; owned by its alloc_pid. */
static struct fp_addrspace *addrspace_of(struct alloc_state *st, int tgid)
{
	struct fp_addrspace *as = NULL;
	struct alloc_pid *a;

	save_maps(st, tgid);	/* fresher if still alive */
	pthread_mutex_lock(&st->lock);
	a = pid_info(st, tgid, false);
	if (a && !a->maps)
		a->maps = layout_maps(st, a);
	if (a && a->maps) {
		if (!a->as || !a->as_maps || strcmp(a->as_maps, a->maps)) {
			symbolizer__addrspace_free(a->as);
			free(a->as_maps);
			a->as = symbolizer__addrspace(st->sym, a->maps);
			a->as_maps = a->as ? strdup(a->maps) : NULL;
		}
		as = a->as;
	}
	pthread_mutex_unlock(&st->lock);
	return as;
}

static int add_site(struct alloc_state *st, struct fp_snapshot *s, struct fp_addrspace *as,
		    const struct fp_site_key *k, const struct fp_site_val *v, const __u64 *ips)
{
	char *frames[FP_STACK_DEPTH + 1] = {};
	struct fp_alloc_stats *a = proc_alloc(s, k->tgid);
	uint64_t calls = v->calls, bytes = v->bytes;
	size_t n = 0;
	int err;

	if (!a)
		return -ENOMEM;
	err = site_frames(st, as, k, ips, frames, &n);
	if (!err && a->go.mode == FP_GO_SAMPLED) {
		double c, b;

		/* pprof's scaling, per sample size and rate as the kernel saw
		 * them (sites are kept per size in sampled mode). */
		alloc__pprof_scale(calls, bytes,
				   scale_rate(k->rate ? (int64_t)k->rate : a->go.rate), &c, &b);
		calls = llround(c);
		bytes = llround(b);
	}
	if (!err)
		err = alloc_stats__add_site(a, (const char *const *)frames, n, calls, bytes);
	for (size_t i = 0; i < n; i++)
		free(frames[i]);
	return err;
}

static int read_sites(struct alloc_state *st, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(st->skel->maps.fp_alloc_sites);
	int sfd = bpf_map__fd(st->skel->maps.fp_alloc_stacks);
	struct fp_site_key key, next, *prev = NULL;
	struct fp_site_val *vals, sum;
	__u64 ips[FP_STACK_DEPTH];
	struct fp_addrspace *as = NULL;
	int as_pid = -1, err = 0;

	vals = calloc(probes__ncpus(), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		probes__sum_percpu(vals, sizeof(*vals), &sum);
		memset(ips, 0, sizeof(ips));
		if (bpf_map_lookup_elem(sfd, &key.stack_id, ips))
			continue;
		if ((int)key.tgid != as_pid) {
			as = addrspace_of(st, key.tgid);
			as_pid = key.tgid;
		}
		err = add_site(st, s, as, &key, &sum, ips);
	}
	free(vals);
	return err;
}

/* What the attach learnt about each process: Go version, mode, notes. */
static int read_info(struct alloc_state *st, struct fp_snapshot *s)
{
	int err = 0;

	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < st->npids && !err; i++) {
		struct alloc_pid *ap = &st->pids[i];
		struct fp_alloc_stats *a;

		if (!ap->libc && !ap->go_mode && !ap->notes[0])
			continue;	/* seen only by the helper thread */
		if (!(a = proc_alloc(s, ap->pid))) {
			err = -ENOMEM;
			break;
		}
		a->libc = ap->libc;
		a->go.mode = ap->go_mode;
		snprintf(a->go.version, sizeof(a->go.version), "%s", ap->go_version);
		a->go.complete = ap->go_complete;
		a->go.estimated = ap->go_mode == FP_GO_SAMPLED;
		if (ap->go_mode == FP_GO_SAMPLED) {
			__u32 k = ap->pid;
			__s64 exit_rate;

			/* Exited (a zombie too): the kernel read its last word. */
			if (!bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.fp_alloc_exit_rate),
						 &k, &exit_rate) && exit_rate >= 0) {
				ap->rate = exit_rate;
				fp_debug("pid %d: MemProfileRate %lld at exit", ap->pid, (long long)exit_rate);
			} else if (kill(ap->pid, 0) == 0) {
				read_rate(st, ap);
			}
			a->go.rate = ap->rate;
			if (ap->rate == 0)
				err = alloc_stats__add_note(a, "the program turned memory profiling off (MemProfileRate 0): no samples, no estimate");
			else if (ap->rate < 0 && ap->rate_addr)
				err = alloc_stats__add_note(a, "MemProfileRate could not be read: scaled at 512 KiB");
		}
		if (!err && ap->notes[0])
			err = alloc_stats__add_note(a, ap->notes);
	}
	pthread_mutex_unlock(&st->lock);
	return err;
}

static int alloc_read(void *state, struct fp_snapshot *s)
{
	struct alloc_state *st = state;
	int err;

	err = read_info(st, s);
	if (!err)
		err = read_stats(st, s);
	if (!err)
		err = read_samples(st, s);
	if (!err && st->opts->stacks)
		err = read_sites(st, s);
	for (size_t i = 0; !err && i < s->nprocs; i++)
		if (s->procs[i].alloc)
			alloc_stats__sort_sites(s->procs[i].alloc);
	return err;
}

static void alloc_destroy(void *state)
{
	struct alloc_state *st = state;

	if (st->thread_on) {
		st->stop = true;
		pthread_join(st->thread, NULL);
	}
	for (size_t i = 0; i < st->nlinks; i++)
		bpf_link__destroy(st->links[i]);
	free(st->links);
	ring_buffer__free(st->rb);
	alloc_bpf__destroy(st->skel);
	for (size_t i = 0; i < st->npids; i++) {
		free(st->pids[i].maps);
		symbolizer__addrspace_free(st->pids[i].as);
		free(st->pids[i].as_maps);
	}
	symbolizer__free(st->sym);
	free(st->pids);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static struct bpf_object *alloc_object(void *state)
{
	return ((struct alloc_state *)state)->skel->obj;
}

const struct fp_family fp_family_alloc = {
	.name = "allocator",
	.wanted = alloc_wanted,
	.load = alloc_load,
	.attach = alloc_attach,
	.attach_pid = alloc_attach_pid,
	.read = alloc_read,
	.destroy = alloc_destroy,
	.object = alloc_object,
};
