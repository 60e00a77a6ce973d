/* The allocator family's reading: per-process counters and size
 * histograms from the per-CPU maps, Go's heap-profile samples scaled as
 * pprof scales them, and the call sites, symbolized against each
 * process's saved memory map (or one rebuilt from the kernel's note when
 * the process exited before its map could be read). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/alloc_state.h"
#include "util/procfs.h"
#include "model/alloc.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/symbolize.h"
#include "alloc.skel.h"

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
	} else if (key->fn == FP_AF_GO_MALLOCGC || key->fn == FP_AF_GO_SC || key->fn == FP_AF_GO_TINY) {
		a->go.calls += sum->calls;
		a->go.bytes += sum->bytes;
		if (key->fn != FP_AF_GO_MALLOCGC)
			a->go.sc_calls += sum->calls;
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
	a = alloc_state__pid(st, tgid, false);
	if (a) {
		if (kill(tgid, 0) == 0)
			alloc_state__read_rate(st, a);
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
	double calls, bytes, cv, bv;
	int64_t rate;

	if (!a)
		return -ENOMEM;
	/* The rate the kernel saw at the sample; else the last one read. */
	rate = scale_rate(key->rate ? (int64_t)key->rate : rate_of(r->st, key->tgid));
	alloc__pprof_scale(cnt, cnt * key->size, rate, &calls, &bytes);
	alloc__pprof_var(cnt, cnt * key->size, rate, &cv, &bv);
	a->go.calls += llround(calls);
	a->go.bytes += llround(bytes);
	a->go.calls_var += cv;
	a->go.bytes_var += bv;
	hist__add(&a->size, key->size, llround(calls));
	return 0;
}

static int read_samples(struct alloc_state *st, struct fp_snapshot *s)
{
	struct samples_read r = { st, s };

	return probes__each_percpu(bpf_map__fd(st->skel->maps.fp_alloc_samples),
				   sizeof(struct fp_alloc_sample_key), sizeof(__u64), sample_entry, &r);
}

/* Above the x86_64 user half: not a return address.  A frame-pointer walk
 * through code built without frame pointers (dash, most of Debian) reads
 * whatever sits where a frame pointer would, often environment strings. */
#define USER_ADDR_MAX 0x00007fffffffffffULL
/* Below vm.mmap_min_addr's default: nothing is ever mapped there. */
#define USER_ADDR_MIN 0x10000ULL

/* Frames leaf first: the probed function, the caller from the top of the
 * stack (unless the kernel already put it there), then the chain, cut
 * where the walk left the user address space. */
static int site_frames(struct alloc_state *st, struct fp_addrspace *as, const struct fp_site_key *k,
		       const __u64 *ips, char **frames, size_t *nframes)
{
	char buf[512];
	size_t n = 0;

	for (int i = 0; i < FP_STACK_DEPTH && ips[i] >= USER_ADDR_MIN && ips[i] <= USER_ADDR_MAX; i++) {
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
 * from what the kernel noted with its newest image's first site: the
 * binary's load bias from mm->start_code, the libc's from the address the
 * probe fired at.  libc_only: the libc line alone. */
static char *layout_maps(struct alloc_state *st, struct alloc_pid *a, const struct fp_alloc_layout *l,
			 bool libc_only)
{
	uint64_t lo, hi, x, bias = 0;
	struct fp_elf *e;
	size_t len = 2 * PATH_MAX + 256;
	char *buf = calloc(1, len);
	int n = 0;

	if (!buf)
		return NULL;
	if (!libc_only && !elf__open(a->bin, &e)) {
		if (elf__pie(e) && !elf__load_range(e, &lo, &hi, &x))
			bias = l->start_code - x;
		elf__close(e);
	}
	if (!libc_only)
		n = layout_line(buf, len, a->bin, bias, 1);
	if (l->fn < FP_AF_LIBC_MAX && a->probe_vaddr[l->fn] && a->libc_path[0])
		n += layout_line(buf + n, len - n, a->libc_path, l->probe_ip - a->probe_vaddr[l->fn], 2);
	if (!n) {
		free(buf);
		return NULL;
	}
	fp_debug("pid %d: maps rebuilt from the kernel's note:\n%s", a->pid, buf);
	return buf;
}

/* What the saved maps of a gone process miss, from the kernel's note: all
 * of them (exited before any read), its last image (read only before the
 * exec), or libc (read after the exec but before ld.so mapped it).
 * Caller holds the lock. */
static void complete_maps(struct alloc_state *st, struct alloc_pid *a)
{
	struct fp_alloc_layout l;
	__u32 k = a->pid;
	char *m, *all;

	if (bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.fp_alloc_layout), &k, &l))
		return;
	if (!a->maps || !procfs__maps_exec_covers(a->maps, l.start_code)) {
		if ((m = layout_maps(st, a, &l, false)))
			alloc_pid__set_maps(a, m);
		return;
	}
	if (procfs__maps_exec_covers(a->maps, l.probe_ip) || !(m = layout_maps(st, a, &l, true)))
		return;
	if (asprintf(&all, "%s%s", a->maps, m) >= 0) {
		free(a->maps);
		a->maps = all;
	}
	free(m);
}

/* The address space of a's current maps, rebuilt when they changed.
 * Caller holds the lock. */
static struct fp_addrspace *current_as(struct alloc_state *st, struct alloc_pid *a)
{
	if (!a->maps)
		return NULL;
	if (!a->as || !a->as_maps || strcmp(a->as_maps, a->maps)) {
		symbolizer__addrspace_free(a->as);
		free(a->as_maps);
		a->as = symbolizer__addrspace(st->sym, a->maps);
		a->as_maps = a->as ? strdup(a->maps) : NULL;
	}
	return a->as;
}

/* The (cached) address space of tgid; owned by its alloc_pid. */
static struct fp_addrspace *addrspace_of(struct alloc_state *st, int tgid)
{
	struct fp_addrspace *as = NULL;
	struct alloc_pid *a;

	alloc_state__save_maps(st, tgid);	/* fresher if still alive */
	pthread_mutex_lock(&st->lock);
	a = alloc_state__pid(st, tgid, false);
	if (a)
		complete_maps(st, a);
	if (a)
		as = current_as(st, a);
	pthread_mutex_unlock(&st->lock);
	return as;
}

/* The address space a site of `image` ran in (fp_site_key.image): the
 * pid's current maps if they map it, else the maps of an image its exec
 * replaced, else its parent's (a fork child allocating before its exec);
 * the current ones when none does (symbolized as well as they can). */
static struct fp_addrspace *addrspace_for(struct alloc_state *st, int tgid, uint64_t image)
{
	struct fp_addrspace *as = addrspace_of(st, tgid), *found = NULL;
	struct alloc_pid *a, *pa;

	pthread_mutex_lock(&st->lock);
	a = alloc_state__pid(st, tgid, false);
	if (!image || !a || !a->maps || procfs__maps_exec_covers(a->maps, image))
		goto out;
	for (int k = 0; k < ALLOC_OLD_IMAGES && a->old_maps[k] && !found; k++)
		if (procfs__maps_exec_covers(a->old_maps[k], image)) {
			if (!a->old_as[k])
				a->old_as[k] = symbolizer__addrspace(st->sym, a->old_maps[k]);
			found = a->old_as[k];
		}
	/* A child gone before /proc gave its parent: the fork hook's note */
	if (a->ppid <= 0) {
		struct fp_proc_info info;
		__u32 key = tgid;

		if (!bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.fp_procs), &key, &info))
			a->ppid = info.ppid;
	}
	pa = !found && a->ppid > 0 ? alloc_state__pid(st, a->ppid, false) : NULL;
	if (pa && pa->maps && procfs__maps_exec_covers(pa->maps, image))
		found = current_as(st, pa);
	for (int k = 0; pa && k < ALLOC_OLD_IMAGES && pa->old_maps[k] && !found; k++)
		if (procfs__maps_exec_covers(pa->old_maps[k], image)) {
			if (!pa->old_as[k])
				pa->old_as[k] = symbolizer__addrspace(st->sym, pa->old_maps[k]);
			found = pa->old_as[k];
		}
	if (found) {
		fp_debug("pid %d: sites of image %#llx symbolized with %s maps", tgid,
			 (unsigned long long)image, pa ? "its parent's" : "its earlier");
		as = found;
	}
out:
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
	uint64_t as_image = 0;
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
		if ((int)key.tgid != as_pid || key.image != as_image) {
			as = addrspace_for(st, key.tgid, key.image);
			as_pid = key.tgid;
			as_image = key.image;
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
		struct alloc_pid *ap = st->pids[i];
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
		snprintf(a->go.entries, sizeof(a->go.entries), "%s", ap->go_entries);
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
				alloc_state__read_rate(st, ap);
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

int alloc_read__snapshot(void *state, struct fp_snapshot *s)
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
