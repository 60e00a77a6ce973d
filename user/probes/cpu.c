/* The CPU family (bpf/profile.bpf.c): on-CPU time per process from the
 * scheduler's accounting.  Every read runs a task iterator (one record per
 * traced thread, summed per process) and reads the times saved at exit
 * (bpf/cpu.bpf.h) for processes gone since; both minus what each process
 * had already used when we attached, so a recording counts its own window. */
#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "model/cpu.h"
#include "probes/cpu_sampler.h"
#include "fp_cpu.h"
#include "profile.skel.h"

struct cpu_acc {
	unsigned int tgid;
	unsigned int ppid;
	char comm[FP_COMM_LEN];
	struct fp_cpu_times t;
};

struct cpu_state {
	struct profile_bpf *skel;
	struct bpf_link *iter;
	struct cpu_acc *base;		/* times at attach, sorted by tgid */
	size_t nbase;
	struct fp_sampler *sampler;	/* --profile */
};

static bool cpu_wanted(const struct fp_probe_opts *o)
{
	return o->cpu;
}

static int cpu_load(struct fp_probes *P, void **state)
{
	struct cpu_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	st->skel = profile_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	probes__log_step("CPU", "opened", -1);
	st->skel->rodata->targ_cfg = probes__opts(P)->cfg;
	/* Without --profile the sampler's maps stay empty and unallocated
	 * (the stack map is preallocated: size it to nothing). */
	if (!probes__opts(P)->profile_hz) {
		bpf_program__set_autoload(st->skel->progs.fp_cpu_sample, false);
		bpf_map__set_max_entries(st->skel->maps.fp_prof_stacks, 1);
	}
	err = probes__share_maps(P, st->skel->obj);
	if (!err)
		err = profile_bpf__load(st->skel);
	if (!err && probes__opts(P)->profile_hz)
		err = sampler__new(&st->sampler, st->skel, probes__opts(P)->profile_hz);
	if (err)
		goto cleanup;
	*state = st;
	return 0;
cleanup:
	sampler__free(st->sampler);
	profile_bpf__destroy(st->skel);
	free(st);
	return err;
}

static int cmp_tgid(const void *a, const void *b)
{
	unsigned int x = ((const struct cpu_acc *)a)->tgid, y = ((const struct cpu_acc *)b)->tgid;

	return x < y ? -1 : x > y;
}

static struct cpu_acc *acc_find(struct cpu_acc *v, size_t n, unsigned int tgid)
{
	struct cpu_acc k = { .tgid = tgid };

	return n ? bsearch(&k, v, n, sizeof(*v), cmp_tgid) : NULL;
}

/* One pass of the task iterator: the times of every traced process, summed
 * over its threads, sorted by tgid. */
static int iter_read(struct cpu_state *st, struct cpu_acc **out, size_t *nout)
{
	struct fp_cpu_task r[256];
	struct cpu_acc *v = NULL, *a;
	size_t n = 0, cap = 0, got;
	ssize_t len;
	int fd, err = 0;

	fd = bpf_iter_create(bpf_link__fd(st->iter));
	if (fd < 0)
		return -errno;
	while ((len = read(fd, r, sizeof(r))) > 0) {
		got = (size_t)len / sizeof(r[0]);
		for (size_t i = 0; i < got; i++) {
			/* The iterator walks a process's threads in a row. */
			a = n && v[n - 1].tgid == r[i].tgid ? &v[n - 1] : NULL;
			if (!a) {
				if (n == cap) {
					void *p = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

					if (!p) {
						err = -ENOMEM;
						goto cleanup;
					}
					v = p;
				}
				a = &v[n++];
				memset(a, 0, sizeof(*a));
				a->tgid = r[i].tgid;
			}
			if (r[i].tid == r[i].tgid || !a->comm[0]) {
				memcpy(a->comm, r[i].comm, sizeof(a->comm));
				a->comm[sizeof(a->comm) - 1] = 0;
				a->ppid = r[i].ppid;
			}
			a->t.run_ns += r[i].run_ns;
			a->t.utime_ns += r[i].utime_ns;
			a->t.stime_ns += r[i].stime_ns;
		}
	}
	if (len < 0)
		err = -errno;
cleanup:
	close(fd);
	if (err) {
		free(v);
		return err;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_tgid);
	*out = v;
	*nout = n;
	return 0;
}

static int cpu_attach(void *state)
{
	struct cpu_state *st = state;

	int err;

	st->iter = bpf_program__attach_iter(st->skel->progs.fp_cpu_iter, NULL);
	if (!st->iter)
		return -errno;
	if (st->sampler && (err = sampler__attach(st->sampler)))
		return err;
	/* What the targets already used: not ours to count. */
	return iter_read(st, &st->base, &st->nbase);
}

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* A process that only computes makes no syscall, so no other family named
 * it: name it from the iterator's record, as fp_proc_seen() would. */
static void name_proc(struct cpu_state *st, const struct cpu_acc *a)
{
	struct fp_proc_info info = {};
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	memcpy(info.comm, a->comm, sizeof(info.comm));
	info.ppid = a->ppid;
	info.first_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	bpf_map_update_elem(bpf_map__fd(st->skel->maps.fp_procs), &a->tgid, &info, BPF_NOEXIST);
}

/* live: the iterator's record, NULL for an exited process's final times. */
static int put(struct cpu_state *st, struct fp_snapshot *s, unsigned int tgid,
	       const struct fp_cpu_times *t, const struct cpu_acc *live)
{
	struct cpu_acc *b = acc_find(st->base, st->nbase, tgid);
	struct fp_proc *p;

	/* -a: the idle processes are not news. */
	if (b && t->run_ns == b->t.run_ns && !snapshot__proc(s, tgid, false))
		return 0;
	p = snapshot__proc(s, tgid, true);
	if (!p || (!p->cpu && !(p->cpu = cpu_stats__new())))
		return -ENOMEM;
	if (live)
		name_proc(st, live);
	p->cpu->run_ns = since(t->run_ns, b ? b->t.run_ns : 0);
	p->cpu->utime_ns = since(t->utime_ns, b ? b->t.utime_ns : 0);
	p->cpu->stime_ns = since(t->stime_ns, b ? b->t.stime_ns : 0);
	return 0;
}

static int cpu_read(void *state, struct fp_snapshot *s)
{
	struct cpu_state *st = state;
	int fd = bpf_map__fd(st->skel->maps.fp_cpu_exit);
	struct cpu_acc *live = NULL;
	struct fp_cpu_times t;
	__u32 key, next, *prev = NULL;
	size_t nlive = 0;
	int err;

	err = iter_read(st, &live, &nlive);
	for (size_t i = 0; !err && i < nlive; i++)
		err = put(st, s, live[i].tgid, &live[i].t, &live[i]);
	/* Exited: the kernel's final figures win over a zombie's. */
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &t))
			err = put(st, s, key, &t, NULL);
	}
	free(live);
	if (!err && st->sampler)
		err = sampler__read(st->sampler, s);
	return err;
}

/* The exited processes' final times move into `into` and leave the map
 * (else fork churn fills it, and each one stays a nameless process at
 * every read); so does what they had used at attach: a new process with
 * the same pid must not have it subtracted. */
static int cpu_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct cpu_state *st = state;
	int fd = bpf_map__fd(st->skel->maps.fp_cpu_exit), err = 0;
	struct fp_cpu_times t;
	struct cpu_acc *b;

	for (size_t i = 0; !err && i < r->n; i++) {
		__u32 key = r->tgids[i];

		if (bpf_map_lookup_elem(fd, &key, &t))
			continue;
		err = put(st, into, key, &t, NULL);
		bpf_map_delete_elem(fd, &key);
		b = acc_find(st->base, st->nbase, key);
		if (b)
			memmove(b, b + 1, (st->nbase-- - (size_t)(b - st->base) - 1) * sizeof(*b));
	}
	return err;
}

static void cpu_poll(void *state)
{
	struct cpu_state *st = state;

	if (st->sampler)
		sampler__poll(st->sampler);
}

static void cpu_destroy(void *state)
{
	struct cpu_state *st = state;

	sampler__free(st->sampler);
	bpf_link__destroy(st->iter);
	profile_bpf__destroy(st->skel);
	free(st->base);
	free(st);
}

static struct bpf_object *cpu_object(void *state)
{
	return ((struct cpu_state *)state)->skel->obj;
}

const struct fp_family fp_family_cpu = {
	.name = "CPU",
	.wanted = cpu_wanted,
	.load = cpu_load,
	.attach = cpu_attach,
	.read = cpu_read,
	.destroy = cpu_destroy,
	.poll = cpu_poll,
	.reap = cpu_reap,
	.object = cpu_object,
};
