/* The stat family (bpf/statfam.bpf.h, run inside the shared syscall hooks
 * that the sys family loads and attaches): stat-like calls, their errnos and
 * the paths behind them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "probes/pool.h"
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
	struct syscalls_bpf *skel;	/* owned by the sys family, */
	struct fp_pool *pool;		/* and the pool its counters are in */
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
	st->pool = probes__pool(P);
	if (!st->skel || !st->pool) {
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
	/* The last base named: most relative paths of a storm share one cwd. */
	struct fp_stat_dir_key base;
	const char *dir;
	char dbuf[FP_STAT_DIR_DEPTH * FP_STAT_NAME_LEN];
};

static const int stat_nrs[FP_STAT_NSYS] = FP_STAT_NRS;

/* A stat family column of a process's row in the pool (fp_stat.h). */
static int sys_cell(__u32 tgid, __u32 col, const struct fp_sys_val *sum, void *ctx)
{
	struct stat_read *r = ctx;
	struct fp_stat_stats *ss;
	struct fp_stat_sys *sys;
	__u32 i = col - FP_ROW_STAT;

	if (i >= FP_STAT_NSYS || !sum->calls)
		return 0;
	ss = stats_of(r->st, r->s, tgid);
	sys = ss ? stat_stats__sys(ss, stat_nrs[i]) : NULL;
	if (!sys)
		return -ENOMEM;
	sys->calls = sum->calls;
	for (int e = 0; e < FP_STAT_NERR; e++)
		sys->err[e] = sum->lat[e];
	ss->truncated += sum->lat[FP_STAT_CELL_TRUNCATED];
	ss->faulted += sum->lat[FP_STAT_CELL_FAULTED];
	return 0;
}

static int read_sys(struct statfam_state *st, struct fp_snapshot *s)
{
	struct stat_read r = { .st = st, .s = s };

	return pool__each(st->pool, FP_ROW_STAT, FP_ROW_STAT + FP_STAT_NSYS, sys_cell, &r);
}

/* The absolute name of directory k from fp_stat_dirs, into buf: "/" and
 * the names on the way up, reversed.  NULL when the chain is broken (an
 * entry did not fit) or deeper than the kernel noted. */
static const char *dir_name(int fd, struct fp_stat_dir_key k, char *buf, size_t len)
{
	struct fp_stat_dir_val v[FP_STAT_DIR_DEPTH];
	size_t n = 0, off = 0;

	while (n < FP_STAT_DIR_DEPTH) {
		if (bpf_map_lookup_elem(fd, &k, &v[n]))
			return NULL;
		v[n].name[FP_STAT_NAME_LEN - 1] = 0;
		if (v[n].top)
			break;
		k = v[n++].parent;
	}
	if (n == FP_STAT_DIR_DEPTH)
		return NULL;
	buf[0] = 0;
	/* v[n] is the top: its name is not part of the path (the root's own
	 * "/", or a detached tree's top). */
	while (n-- > 0) {
		if (!v[n].name[0])
			continue;	/* a mount's root: the mountpoint named it */
		off += snprintf(buf + off, off < len ? len - off : 0, "/%s", v[n].name);
	}
	if (off >= len)
		return NULL;
	if (!off)
		snprintf(buf, len, "/");
	return buf;
}

/* dir + "/" + rel, without the "./" and "../" a relative path may start
 * with: dir is the real directory (the kernel's dentry, symlinks already
 * followed), so its ".." is exactly its parent.  Later ".." stay: a
 * symlink before them would make dropping them wrong. */
static const char *absolute(const char *dir, const char *rel, char *buf, size_t len)
{
	char d[FP_STAT_DIR_DEPTH * FP_STAT_NAME_LEN];
	char *slash;
	int n;

	snprintf(d, sizeof(d), "%s", dir);
	for (;;) {
		if (rel[0] == '.' && (rel[1] == '/' || !rel[1])) {
			rel += 1;
		} else if (rel[0] == '.' && rel[1] == '.' && (rel[2] == '/' || !rel[2])) {
			rel += 2;
			slash = strrchr(d, '/');
			if (slash)
				slash[slash == d] = 0;	/* "/a" -> "/", "/a/b" -> "/a" */
		} else {
			break;
		}
		while (*rel == '/')
			rel++;
	}
	dir = d;
	if (!strcmp(rel, ".") || !rel[0])
		n = snprintf(buf, len, "%s", dir);
	else
		n = snprintf(buf, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", rel);
	return n >= 0 && (size_t)n < len ? buf : NULL;
}

static int path_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_stat_path_key *key = e->key;
	const struct fp_stat_path_val *sum = e->sum;
	struct stat_read *r = ctx;
	struct fp_stat_stats *ss;
	struct fp_stat_str str;
	const char *path = NULL, *dir = NULL, *abs = NULL;
	char abuf[sizeof(r->dbuf) + FP_STAT_PATH_LEN + 2];
	bool have;
	int err;

	have = !bpf_map_lookup_elem(bpf_map__fd(r->st->skel->maps.fp_stat_strs), &key->hash, &str);
	if (have) {
		str.path[FP_STAT_PATH_LEN - 1] = 0;
		path = str.path;
		if (path[0] != '/' && str.base.dentry) {
			if (str.base.dentry != r->base.dentry || str.base.mnt != r->base.mnt) {
				r->base = str.base;
				r->dir = dir_name(bpf_map__fd(r->st->skel->maps.fp_stat_dirs), str.base,
						  r->dbuf, sizeof(r->dbuf));
			}
			dir = r->dir;
		}
		if (dir)
			abs = absolute(dir, path, abuf, sizeof(abuf));
	}
	ss = stats_of(r->st, r->s, key->tgid);
	if (!ss)
		return -ENOMEM;
	/* Shown absolute; the path as the process gave it is kept beside. */
	err = stat_stats__add_path(ss, key->hash, abs ? abs : path, have && str.truncated,
				   sum->calls, sum->errors);
	if (!err && abs)
		err = stat_stats__path_given(ss, path);
	return err;
}

static int read_paths(struct statfam_state *st, struct fp_snapshot *s)
{
	struct stat_read r = { .st = st, .s = s };

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

static int total_cell(__u32 tgid, __u32 col, const struct fp_sys_val *sum, void *ctx)
{
	struct peak *pk = peak_of(ctx, tgid);

	(void)col;
	if (!pk)
		return -ENOMEM;
	pk->total += sum->calls;
	return 0;
}

/* Observe every process's cumulative stat-family count now. */
static int observe_peaks(struct statfam_state *st)
{
	uint64_t now = mono_ns();
	int err;

	for (size_t i = 0; i < st->npeaks; i++)
		st->peaks[i].total = 0;
	err = pool__each(st->pool, FP_ROW_STAT, FP_ROW_STAT + FP_STAT_NSYS, total_cell, st);
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
	struct stat_read rd = { .st = st, .s = into };
	uint64_t now = mono_ns();
	int err;

	/* The pool's dead slots (the sys family releases them after us). */
	err = pool__each_dead(st->pool, FP_ROW_STAT, FP_ROW_STAT + FP_STAT_NSYS, sys_cell, &rd);
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
