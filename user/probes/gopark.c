/* The Go park family (bpf/gopark.bpf.c, issue 12): entry uprobes on a Go
 * target's runtime.gopark and runtime.execute, placed per process as the
 * allocator's Go probes are (held at exec until attached).  The reason
 * numbers the kernel counts are named from each binary's own
 * waitReasonStrings (util/gowait.h); parking sites are symbolized against
 * the process's memory map (for a static Go binary, its one image).
 *
 * Gated behind --parks: a uprobe hit per park and per goroutine switch
 * costs more than the syscall families (BENCHMARKS.md). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/family.h"
#include "probes/links.h"
#include "probes/probed.h"
#include "model/gopark.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/gobuild.h"
#include "util/gowait.h"
#include "util/procfs.h"
#include "util/prologue.h"
#include "util/symbolize.h"
#include "fp_gopark.h"
#include "gopark.skel.h"

#define USER_ADDR_MAX 0x00007fffffffffffULL
#define USER_ADDR_MIN 0x10000ULL

struct gp_pid {
	int pid;
	char version[24];
	struct fp_gowait reasons;	/* names by waitReason, from the binary */
	char bin[PATH_MAX];
	char notes[384];
	char *maps;			/* last /proc/PID/maps read, or one made from bin */
	struct fp_addrspace *as;
	struct fp_probed probed;	/* files with park probes */
};

struct gp_state {
	struct gopark_bpf *skel;
	const struct fp_probe_opts *opts;
	struct fp_links links;
	bool multi;			/* the programs are of uprobe_multi links */
	pthread_mutex_t lock;		/* pids: attach (hold thread) against read */
	struct gp_pid **pids;		/* entries never move */
	size_t npids;
	struct fp_symbolizer *sym;
};

static bool gp_wanted(const struct fp_probe_opts *o)
{
	return o->parks;
}

/* Caller holds the lock. */
static struct gp_pid *gp_pid_of(struct gp_state *st, int pid, bool create)
{
	struct gp_pid *a;
	void *p;

	for (size_t i = 0; i < st->npids; i++)
		if (st->pids[i]->pid == pid)
			return st->pids[i];
	if (!create)
		return NULL;
	p = realloc(st->pids, (st->npids + 1) * sizeof(*st->pids));
	if (!p)
		return NULL;
	st->pids = p;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->pid = pid;
	st->pids[st->npids++] = a;
	return a;
}

static void gp_pid_free(struct gp_pid *a)
{
	if (!a)
		return;
	symbolizer__addrspace_free(a->as);
	free(a->maps);
	free(a);
}

static void note(struct gp_pid *a, const char *msg)
{
	size_t n = strlen(a->notes);

	if (strstr(a->notes, msg))
		return;
	snprintf(a->notes + n, sizeof(a->notes) - n, "%s%s", n ? "; " : "", msg);
}

/* One entry probe on function `name`, where prologue__choose() puts it
 * (an emulated instruction; Go's stack-check branch, with its condition in
 * the cookie so a trip to morestack is not counted).  A uprobe_multi link
 * of one probe where the kernel has them: a perf-event uprobe took ~110 ms
 * to destroy, under a kernel mutex, a multi link ~25 ms, overlapping
 * (probes/links.h); its thread-group filter loses nothing in a Go
 * process, which forks only to exec. */
static int attach_fn(struct gp_state *st, struct fp_elf *e, const char *path, int pid,
		     const char *name, struct bpf_program *prog, unsigned int fn)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	struct fp_probe_point pp;
	uint64_t addr, off, at, cookie;
	struct bpf_link *l;
	int err;

	err = prologue__for_symbol(e, name, FP_ARGS_GO, &addr, &off, &pp);
	if (err)
		return err;
	cookie = FP_GP_COOKIE(fn, pp.skip_cc);
	uo.bpf_cookie = cookie;
	at = off + pp.offset;
	fp_debug("pid %d: %s in %s at +%llu (%s)", pid, name, path, (unsigned long long)pp.offset,
		 pp.note[0] ? pp.note : pp.insn);
	if (st->multi)
		return links__add_uprobe_multi(&st->links, bpf_program__fd(prog), path, pid, &at, &cookie, 1);
	l = bpf_program__attach_uprobe_opts(prog, pid, path, at, &uo);
	if (!l)
		return -errno;
	return links__add(&st->links, l);
}

/* The reason names; without them the counts are still exact, by number. */
static void read_reasons(struct gp_pid *a, struct fp_elf *e)
{
	if (gowait__from_elf(e, &a->reasons)) {
		note(a, "runtime.waitReasonStrings not found: park reasons by number");
		return;
	}
	fp_debug("pid %d: %u park reasons at %#llx (chan send = %d)", a->pid, a->reasons.n,
		 (unsigned long long)a->reasons.table_vaddr, gowait__index(&a->reasons, "chan send"));
}

static int attach_go(struct gp_state *st, struct gp_pid *a, const char *path, struct fp_elf *e)
{
	int err;

	if (!gobuild__at_least(a->version, 1, 17)) {
		/* Before the register ABI the reason is on the stack, and R14
		 * is not the g: not handled. */
		note(a, "Go before 1.17: park reasons not traced");
		return 0;
	}
	if (strcmp(elf__symbol_source(e), "symtab"))
		note(a, "stripped binary: runtime functions from the function table");
	read_reasons(a, e);
	/* execute first: a park is never left open by a probe order race. */
	err = attach_fn(st, e, path, a->pid, "runtime.execute", st->skel->progs.fp_gopark_execute, FP_GP_EXECUTE);
	if (!err)
		err = attach_fn(st, e, path, a->pid, "runtime.gopark", st->skel->progs.fp_gopark_park, FP_GP_PARK);
	if (err == -ENOENT) {
		note(a, "runtime.gopark or runtime.execute not found: parks not traced");
		return 0;
	}
	return err;
}

static int gp_attach_pid(void *state, int pid, const char *exe)
{
	struct gp_state *st = state;
	char path[PATH_MAX], ver[24];
	struct fp_elf *e = NULL;
	struct gp_pid *a;
	int err = 0;

	if (exe)
		snprintf(path, sizeof(path), "%s", exe);
	else
		procfs__path(path, sizeof(path), pid, "exe");
	if (elf__open(path, &e))
		return 0;	/* not readable: not ours to trace */
	if (gobuild__version_elf(e, ver, sizeof(ver)))
		goto out;	/* not Go */
	pthread_mutex_lock(&st->lock);
	a = gp_pid_of(st, pid, true);
	pthread_mutex_unlock(&st->lock);
	if (!a) {
		err = -ENOMEM;
		goto out;
	}
	if (probed__before(&a->probed, path))
		goto out;
	memcpy(a->version, ver, sizeof(ver));
	if (!realpath(path, a->bin))
		snprintf(a->bin, sizeof(a->bin), "%s", path);
	err = attach_go(st, a, path, e);
	if (err)
		fp_err("cannot attach the Go park probes to pid %d (%s): %s", pid, path, strerror(-err));
out:
	elf__close(e);
	return err;
}

static int gp_attach(void *state)
{
	return 0;	/* every probe is per process (gp_attach_pid) */
}

static int gp_load(struct fp_probes *P, void **state)
{
	struct gp_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	st->opts = probes__opts(P);
	st->skel = gopark_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	probes__log_step("Go park", "opened", -1);
	st->skel->rodata->targ_cfg = st->opts->cfg;
	/* libbpf 1.1 knows no SEC("uprobe.multi"): the type is set here. */
	st->multi = links__have_uprobe_multi();
	if (st->multi) {
		bpf_program__set_expected_attach_type(st->skel->progs.fp_gopark_execute, FP_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(st->skel->progs.fp_gopark_park, FP_BPF_TRACE_UPROBE_MULTI);
	}
	err = probes__share_maps(P, st->skel->obj);
	if (!err)
		err = gopark_bpf__load(st->skel);
	if (!err)
		err = symbolizer__new(&st->sym);
	if (err)
		goto cleanup;
	*state = st;
	return 0;
cleanup:
	gopark_bpf__destroy(st->skel);
	pthread_mutex_destroy(&st->lock);
	free(st);
	return err;
}

/* ---- reading ------------------------------------------------------- */

struct gp_read {
	struct gp_state *st;
	struct fp_snapshot *s;
};

/* Caller holds the lock. */
static struct fp_gopark_stats *proc_gopark(struct gp_read *r, int tgid)
{
	struct fp_proc *p = snapshot__proc(r->s, tgid, true);
	struct gp_pid *a;

	if (!p)
		return NULL;
	if (!p->gopark) {
		p->gopark = gopark_stats__new();
		a = gp_pid_of(r->st, tgid, false);
		if (p->gopark && a) {
			memcpy(p->gopark->go_version, a->version, sizeof(a->version));
			if (a->notes[0] && gopark_stats__add_note(p->gopark, a->notes))
				return NULL;
		}
	}
	return p->gopark;
}

static void reason_name(struct gp_state *st, int tgid, unsigned int idx, char *buf, size_t len)
{
	struct gp_pid *a = gp_pid_of(st, tgid, false);

	if (a && idx && idx < a->reasons.n)
		snprintf(buf, len, "%s", a->reasons.names[idx]);
	else
		snprintf(buf, len, "reason %u", idx);
}

static int stats_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_gopark_key *key = e->key;
	const struct fp_gopark_val *sum = e->sum;
	struct gp_read *r = ctx;
	struct fp_gopark_stats *g = proc_gopark(r, key->tgid);
	struct fp_gopark_reason *rs;
	char name[FP_GOPARK_NAME];
	uint64_t lo, hi;
	int first, last;

	if (!g)
		return -ENOMEM;
	reason_name(r->st, key->tgid, key->reason, name, sizeof(name));
	rs = gopark_stats__reason(g, name, true);
	if (!rs)
		return -ENOMEM;
	rs->index = (int)key->reason;
	rs->parks += sum->parks;
	memcpy(rs->parked.b, sum->hist, sizeof(rs->parked.b));
	hist__recount(&rs->parked);
	rs->parked.sum = sum->parked_ns;
	rs->parked.max = probes__percpu_max(e, offsetof(struct fp_gopark_val, max_ns));
	/* The kernel keeps no minimum: the first bucket's floor. */
	if (hist__span(&rs->parked, &first, &last)) {
		hist__bucket_bounds((unsigned int)first, &lo, &hi);
		rs->parked.min = lo ? lo : 1;
	}
	return 0;
}

/* A Go binary not built as PIE is one image at its link addresses: its
 * map line can be made from the file, for a process gone before its maps
 * were read. */
static char *maps_from_bin(const char *bin)
{
	uint64_t lo, hi, x;
	struct fp_elf *e;
	char *buf = NULL;

	if (!bin[0] || elf__open(bin, &e))
		return NULL;
	if (!elf__pie(e) && !elf__load_range(e, &lo, &hi, &x) && asprintf(&buf, "%llx-%llx r-xp 00000000 fd:00 1 %s\n",
			(unsigned long long)lo, (unsigned long long)hi, bin) < 0)
		buf = NULL;
	elf__close(e);
	return buf;
}

/* The address space of tgid for symbolizing, rebuilt when its maps
 * changed.  Caller holds the lock. */
static struct fp_addrspace *addrspace_of(struct gp_state *st, int tgid)
{
	struct gp_pid *a = gp_pid_of(st, tgid, false);
	char *maps, exe[PATH_MAX];

	if (!a)
		return NULL;
	/* Only once it runs its Go image (a command not yet exec'd is a copy
	 * of fastpath). */
	maps = !procfs__exe(tgid, exe, sizeof(exe)) && !strcmp(exe, a->bin) ? procfs__maps(tgid) : NULL;
	if (!maps && !a->maps)
		maps = maps_from_bin(a->bin);
	if (maps && a->maps && !strcmp(maps, a->maps)) {
		free(maps);
		maps = NULL;
	}
	if (maps) {
		free(a->maps);
		a->maps = maps;
		symbolizer__addrspace_free(a->as);
		a->as = NULL;
	}
	if (!a->as && a->maps)
		a->as = symbolizer__addrspace(st->sym, a->maps);
	return a->as;
}

/* The site's frames (the probed gopark first) and the first that is not
 * the runtime's: that names the site. */
static int site_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_gopark_site_key *key = e->key;
	const struct fp_gopark_site_val *sum = e->sum;
	struct gp_read *r = ctx;
	struct gp_state *st = r->st;
	__u64 ips[FP_GOPARK_STACK_DEPTH] = {};
	char *frames[FP_GOPARK_STACK_DEPTH] = {}, name[FP_GOPARK_NAME], buf[512];
	const char *where = NULL;
	struct fp_gopark_stats *g = proc_gopark(r, key->tgid);
	struct fp_addrspace *as;
	size_t n = 0;
	int err = 0;

	if (!g)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.fp_gopark_stacks), &key->stack_id, ips))
		return 0;	/* lost: counted in the reason's totals all the same */
	as = addrspace_of(st, key->tgid);
	for (int i = 0; i < FP_GOPARK_STACK_DEPTH && ips[i] >= USER_ADDR_MIN && ips[i] <= USER_ADDR_MAX; i++) {
		symbolizer__frame(st->sym, as, ips[i], i > 0, buf, sizeof(buf));
		if (!(frames[n] = strdup(buf))) {
			err = -ENOMEM;
			break;
		}
		if (!where && !gopark__runtime_frame(frames[n]))
			where = frames[n];
		n++;
	}
	/* The runtime's own parks: its outermost function but the entry ones
	 * (runtime.gcenable, runtime.gcBgMarkWorker). */
	for (size_t i = n; !where && i-- > 1;)
		if (strncmp(frames[i], "runtime.goexit", 14) && strncmp(frames[i], "runtime.main ", 13) &&
		    strncmp(frames[i], "runtime.mstart", 14))
			where = frames[i];
	reason_name(st, key->tgid, key->reason, name, sizeof(name));
	if (!err)
		err = gopark_stats__add_site(g, name, where ? where : (n ? frames[n - 1] : "?"),
					     (const char *const *)frames, n, sum->parks, sum->wakes, sum->parked_ns);
	for (size_t i = 0; i < n; i++)
		free(frames[i]);
	return err;
}

static int read_maps(struct gp_state *st, struct gp_read *r, const struct fp_reap *reap)
{
	int sfd = bpf_map__fd(st->skel->maps.fp_gopark_stats), tfd = bpf_map__fd(st->skel->maps.fp_gopark_sites);
	int err;

	if (reap) {
		err = probes__reap_percpu(sfd, sizeof(struct fp_gopark_key), sizeof(struct fp_gopark_val), reap,
					  stats_entry, r);
		if (!err)
			err = probes__reap_percpu(tfd, sizeof(struct fp_gopark_site_key),
						  sizeof(struct fp_gopark_site_val), reap, site_entry, r);
		return err;
	}
	err = probes__each_percpu(sfd, sizeof(struct fp_gopark_key), sizeof(struct fp_gopark_val), stats_entry, r);
	if (!err)
		err = probes__each_percpu(tfd, sizeof(struct fp_gopark_site_key), sizeof(struct fp_gopark_site_val),
					  site_entry, r);
	return err;
}

/* A Go process probed but that has not parked yet still says so (and why
 * it is not traced, from its notes). */
static int read_info(struct gp_read *r)
{
	for (size_t i = 0; i < r->st->npids; i++)
		if (!proc_gopark(r, r->st->pids[i]->pid))
			return -ENOMEM;
	return 0;
}

static void sort_all(struct fp_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].gopark)
			gopark_stats__sort(s->procs[i].gopark);
}

static int gp_read(void *state, struct fp_snapshot *s)
{
	struct gp_state *st = state;
	struct gp_read r = { st, s };
	int err;

	pthread_mutex_lock(&st->lock);
	err = read_maps(st, &r, NULL);
	if (!err)
		err = read_info(&r);
	pthread_mutex_unlock(&st->lock);
	sort_all(s);
	return err;
}

/* The goroutines an exited process left parked: their open entries go. */
static void reap_open(struct gp_state *st, const struct fp_reap *reap)
{
	int fd = bpf_map__fd(st->skel->maps.fp_gopark_open);
	struct fp_gopark_open_key key, next, *keys = NULL;
	size_t n = 0, cap = 0;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (!reap__has(reap, key.tgid))
			continue;
		if (n == cap) {
			void *p = realloc(keys, (cap = cap ? cap * 2 : 64) * sizeof(*keys));

			if (!p)
				break;
			keys = p;
		}
		keys[n++] = key;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
}

static int gp_reap(void *state, const struct fp_reap *reap, struct fp_snapshot *into)
{
	struct gp_state *st = state;
	struct gp_read r = { st, into };
	int err;

	pthread_mutex_lock(&st->lock);
	err = read_maps(st, &r, reap);
	reap_open(st, reap);
	/* Their table entries go once their totals are taken. */
	for (size_t i = 0; !err && i < st->npids;) {
		struct gp_pid *a = st->pids[i];

		if (!reap__has(reap, a->pid)) {
			i++;
			continue;
		}
		if (!proc_gopark(&r, a->pid))
			err = -ENOMEM;
		gp_pid_free(a);
		st->pids[i] = st->pids[--st->npids];
	}
	pthread_mutex_unlock(&st->lock);
	sort_all(into);
	return err;
}

/* A PIE's maps can only be read while it runs: take them once it runs its
 * Go image, for sites read after it exited. */
static void gp_poll(void *state)
{
	struct gp_state *st = state;
	char exe[PATH_MAX];

	pthread_mutex_lock(&st->lock);
	for (size_t i = 0; i < st->npids; i++) {
		struct gp_pid *a = st->pids[i];

		if (!a->maps && !procfs__exe(a->pid, exe, sizeof(exe)) && !strcmp(exe, a->bin))
			a->maps = procfs__maps(a->pid);
	}
	pthread_mutex_unlock(&st->lock);
}

static void gp_destroy(void *state)
{
	struct gp_state *st = state;

	links__destroy(&st->links);
	gopark_bpf__destroy(st->skel);
	for (size_t i = 0; i < st->npids; i++)
		gp_pid_free(st->pids[i]);
	free(st->pids);
	symbolizer__free(st->sym);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static struct bpf_object *gp_object(void *state)
{
	return ((struct gp_state *)state)->skel->obj;
}

const struct fp_family fp_family_gopark = {
	.name = "Go park",
	.wanted = gp_wanted,
	.load = gp_load,
	.attach = gp_attach,
	.attach_pid = gp_attach_pid,
	.read = gp_read,
	.destroy = gp_destroy,
	.reap = gp_reap,
	.poll = gp_poll,
	.object = gp_object,
};
