/* The stat family (bpf/statfam.bpf.h, run inside the shared syscall hooks
 * that the sys family loads and attaches): stat-like calls, their errnos and
 * the paths behind them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "model/statfam.h"
#include "model/peak.h"
#include "fp_stat.h"
#include "syscalls.skel.h"

/* The peak rate is user space's: the cumulative count of each process is
 * observed at every poll (5/s) and read, and the busiest one-second window
 * kept (model/peak.h).  Counting per second in the kernel cost a per-CPU
 * hash update on every stat call. */
struct peak {
	unsigned int tgid;
	uint64_t total;		/* this read's sum over the process's syscalls */
	struct fp_peak win;
};

struct statfam_state {
	struct syscalls_bpf *skel;	/* owned by the sys family */
	bool paths;
	uint64_t start_ns;
	struct peak *peaks;
	size_t npeaks;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool statfam_wanted(const struct fp_probe_opts *o)
{
	return o->stat;
}

static int statfam_load(struct fp_probes *P, void **state)
{
	struct statfam_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	st->skel = probes__syscalls(P);
	if (!st->skel) {
		err = -ENOENT;
		goto cleanup;
	}
	st->paths = probes__opts(P)->stat_paths;
	st->start_ns = mono_ns();
	*state = st;
	return 0;
cleanup:
	free(st);
	return err;
}

static int statfam_attach(void *state)
{
	return 0;	/* the sys family attached the hooks */
}

static struct fp_stat_stats *stats_of(struct statfam_state *st, struct fp_snapshot *s, unsigned int tgid)
{
	struct fp_proc *p = snapshot__proc(s, tgid, true);

	if (!p)
		return NULL;
	if (!p->stat)
		p->stat = stat_stats__new(st->paths);
	return p->stat;
}

struct stat_read {
	struct statfam_state *st;
	struct fp_snapshot *s;
};

static int sys_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_stat_key *key = e->key;
	const struct fp_stat_val *sum = e->sum;
	struct stat_read *r = ctx;
	struct fp_stat_stats *ss = stats_of(r->st, r->s, key->tgid);
	struct fp_stat_sys *sys = ss ? stat_stats__sys(ss, key->nr) : NULL;

	if (!sys)
		return -ENOMEM;
	sys->calls = sum->calls;
	memcpy(sys->err, sum->err, sizeof(sys->err));
	ss->truncated += sum->truncated;
	ss->faulted += sum->faulted;
	return 0;
}

static int read_sys(struct statfam_state *st, struct fp_snapshot *s)
{
	struct stat_read r = { st, s };

	return probes__each_percpu(bpf_map__fd(st->skel->maps.fp_stat_sys), sizeof(struct fp_stat_key),
				   sizeof(struct fp_stat_val), sys_entry, &r);
}

static int path_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_stat_path_key *key = e->key;
	const struct fp_stat_path_val *sum = e->sum;
	struct stat_read *r = ctx;
	struct fp_stat_stats *ss;
	struct fp_stat_str str;
	bool have;

	have = !bpf_map_lookup_elem(bpf_map__fd(r->st->skel->maps.fp_stat_strs), &key->hash, &str);
	if (have)
		str.path[FP_STAT_PATH_LEN - 1] = 0;
	ss = stats_of(r->st, r->s, key->tgid);
	return ss ? stat_stats__add_path(ss, key->hash, have ? str.path : NULL,
					 have && str.truncated, sum->calls, sum->errors) : -ENOMEM;
}

static int read_paths(struct statfam_state *st, struct fp_snapshot *s)
{
	struct stat_read r = { st, s };

	return probes__each_percpu(bpf_map__fd(st->skel->maps.fp_stat_paths),
				   sizeof(struct fp_stat_path_key), sizeof(struct fp_stat_path_val),
				   path_entry, &r);
}

static struct peak *peak_of(struct statfam_state *st, unsigned int tgid)
{
	struct peak *n;

	for (size_t i = 0; i < st->npeaks; i++)
		if (st->peaks[i].tgid == tgid)
			return &st->peaks[i];
	n = realloc(st->peaks, (st->npeaks + 1) * sizeof(*n));
	if (!n)
		return NULL;
	st->peaks = n;
	n[st->npeaks].tgid = tgid;
	n[st->npeaks].total = 0;
	peak__init(&n[st->npeaks].win, st->start_ns);
	return &n[st->npeaks++];
}

static int total_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_stat_key *key = e->key;
	struct peak *pk = peak_of(ctx, key->tgid);

	if (!pk)
		return -ENOMEM;
	pk->total += ((const struct fp_stat_val *)e->sum)->calls;
	return 0;
}

/* Observe every process's cumulative stat-family count now. */
static int observe_peaks(struct statfam_state *st)
{
	uint64_t now = mono_ns();
	int err;

	for (size_t i = 0; i < st->npeaks; i++)
		st->peaks[i].total = 0;
	err = probes__each_percpu(bpf_map__fd(st->skel->maps.fp_stat_sys), sizeof(struct fp_stat_key),
				  sizeof(struct fp_stat_val), total_entry, st);
	for (size_t i = 0; !err && i < st->npeaks; i++)
		peak__observe(&st->peaks[i].win, now, st->peaks[i].total);
	return err;
}

static void statfam_poll(void *state)
{
	observe_peaks(state);
}

static int statfam_read(void *state, struct fp_snapshot *s)
{
	struct statfam_state *st = state;
	int err;

	err = read_sys(st, s);
	if (!err && st->paths)
		err = read_paths(st, s);
	if (!err)
		err = observe_peaks(st);
	for (size_t i = 0; !err && i < s->nprocs; i++) {
		struct fp_stat_stats *ss = s->procs[i].stat;
		struct peak *pk;

		if (!ss)
			continue;
		pk = peak_of(st, s->procs[i].pid);
		if (pk)
			ss->peak_per_s = pk->win.peak;
		err = stat_stats__finish(ss);
	}
	return err;
}

/* An exited process leaves with its final counts, its peak observed one
 * last time, and its slot in the peak table. */
static int statfam_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct statfam_state *st = state;
	struct stat_read rd = { st, into };
	int fd_sys = bpf_map__fd(st->skel->maps.fp_stat_sys);
	uint64_t now = mono_ns();
	int err;

	err = probes__reap_percpu(fd_sys, sizeof(struct fp_stat_key), sizeof(struct fp_stat_val), r,
				  sys_entry, &rd);
	if (!err && st->paths)
		err = probes__reap_percpu(bpf_map__fd(st->skel->maps.fp_stat_paths),
					  sizeof(struct fp_stat_path_key),
					  sizeof(struct fp_stat_path_val), r, path_entry, &rd);
	for (size_t i = 0; !err && i < r->n; i++) {
		struct fp_proc *p = snapshot__proc(into, r->tgids[i], false);
		struct peak tmp = { .tgid = r->tgids[i] }, *pk = NULL;

		if (!p || !p->stat)
			continue;
		for (size_t j = 0; j < st->npeaks && !pk; j++)
			if (st->peaks[j].tgid == r->tgids[i])
				pk = &st->peaks[j];
		if (!pk) {
			peak__init(&tmp.win, st->start_ns);
			pk = &tmp;
		}
		p->stat->peak_per_s = peak__observe(&pk->win, now, stat_stats__calls(p->stat));
		if (pk != &tmp)
			*pk = st->peaks[--st->npeaks];
		err = stat_stats__finish(p->stat);
	}
	return err;
}

static void statfam_destroy(void *state)
{
	struct statfam_state *st = state;

	free(st->peaks);
	free(st);
}

const struct fp_family fp_family_stat = {
	.name = "stat family",
	.wanted = statfam_wanted,
	.load = statfam_load,
	.attach = statfam_attach,
	.read = statfam_read,
	.destroy = statfam_destroy,
	.poll = statfam_poll,
	.reap = statfam_reap,
};
