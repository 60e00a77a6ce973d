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
#include "stat.h"
#include "syscalls.skel.h"

struct peak {
	unsigned int tgid;
	uint64_t peak;
};

struct statfam_state {
	struct syscalls_bpf *skel;	/* owned by the sys family */
	bool paths;
	/* Peak of the seconds already folded and deleted from fp_stat_secs. */
	struct peak *peaks;
	size_t npeaks;
};

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

static int read_sys(struct statfam_state *st, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(st->skel->maps.fp_stat_sys);
	struct fp_stat_key key, next, *prev = NULL;
	struct fp_stat_val *vals, sum;
	struct fp_stat_stats *ss;
	struct fp_stat_sys *sys;
	int err = 0;

	vals = calloc(probes__ncpus(), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		probes__sum_percpu(vals, sizeof(*vals), &sum);
		ss = stats_of(st, s, key.tgid);
		sys = ss ? stat_stats__sys(ss, key.nr) : NULL;
		if (!sys) {
			err = -ENOMEM;
			break;
		}
		sys->calls = sum.calls;
		memcpy(sys->err, sum.err, sizeof(sys->err));
		ss->truncated += sum.truncated;
		ss->faulted += sum.faulted;
	}
	free(vals);
	return err;
}

static int read_paths(struct statfam_state *st, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(st->skel->maps.fp_stat_paths);
	int sfd = bpf_map__fd(st->skel->maps.fp_stat_strs);
	struct fp_stat_path_key key, next, *prev = NULL;
	struct fp_stat_path_val *vals, sum;
	struct fp_stat_stats *ss;
	struct fp_stat_str str;
	bool have;
	int err = 0;

	vals = calloc(probes__ncpus(), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		probes__sum_percpu(vals, sizeof(*vals), &sum);
		have = !bpf_map_lookup_elem(sfd, &key.hash, &str);
		if (have)
			str.path[FP_STAT_PATH_LEN - 1] = 0;
		ss = stats_of(st, s, key.tgid);
		err = ss ? stat_stats__add_path(ss, key.hash, have ? str.path : NULL,
						have && str.truncated, sum.calls, sum.errors) : -ENOMEM;
		if (err)
			break;
	}
	free(vals);
	return err;
}

static uint64_t *peak_of(struct statfam_state *st, unsigned int tgid)
{
	struct peak *n;

	for (size_t i = 0; i < st->npeaks; i++)
		if (st->peaks[i].tgid == tgid)
			return &st->peaks[i].peak;
	n = realloc(st->peaks, (st->npeaks + 1) * sizeof(*n));
	if (!n)
		return NULL;
	st->peaks = n;
	n[st->npeaks] = (struct peak){ tgid, 0 };
	return &n[st->npeaks++].peak;
}

/* Seconds that are over (older than the current one) are folded into the
 * running peak and deleted, so the map only holds the last second or two
 * of each process when someone reads regularly (top, serve).  The current
 * second counts too: a short run's only second is its peak. */
static int read_seconds(struct statfam_state *st, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(st->skel->maps.fp_stat_secs);
	struct fp_stat_sec_key key, next, *prev = NULL, *old = NULL;
	size_t nold = 0, cap = 0;
	struct timespec ts;
	uint64_t *vals, sum, *pk;
	unsigned int now;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec;
	vals = calloc(probes__ncpus(), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		probes__sum_percpu(vals, sizeof(*vals), &sum);
		pk = peak_of(st, key.tgid);
		if (!pk) {
			err = -ENOMEM;
			break;
		}
		if (key.sec >= now) {
			struct fp_proc *p = snapshot__proc(s, key.tgid, false);

			/* Not folded yet: it may still grow. */
			if (p && p->stat && sum > p->stat->peak_per_s)
				p->stat->peak_per_s = sum;
			continue;
		}
		if (sum > *pk)
			*pk = sum;
		if (nold == cap) {
			void *n = realloc(old, (cap = cap ? cap * 2 : 64) * sizeof(*old));

			if (!n) {
				err = -ENOMEM;
				break;
			}
			old = n;
		}
		old[nold++] = key;
	}
	for (size_t i = 0; i < nold; i++)
		bpf_map_delete_elem(fd, &old[i]);
	free(old);
	free(vals);
	return err;
}

static int statfam_read(void *state, struct fp_snapshot *s)
{
	struct statfam_state *st = state;
	int err;

	err = read_sys(st, s);
	if (!err && st->paths)
		err = read_paths(st, s);
	if (!err)
		err = read_seconds(st, s);
	for (size_t i = 0; !err && i < s->nprocs; i++) {
		struct fp_stat_stats *ss = s->procs[i].stat;
		uint64_t *pk;

		if (!ss)
			continue;
		pk = peak_of(st, s->procs[i].pid);
		if (pk && *pk > ss->peak_per_s)
			ss->peak_per_s = *pk;
		err = stat_stats__finish(ss);
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
};
