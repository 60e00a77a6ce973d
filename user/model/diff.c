/* The diff of two recordings: see diff.h for matching and ranking. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/diff.h"
#include "model/cpu_prof.h"
#include "model/group.h"
#include "model/alloc_site.h"
#include "model/syscalls.h"
#include "model/io.h"

#define MIN_FOLD 1.5		/* moves smaller than this are noise */
#define MIN_COUNT 10		/* fewer events on both sides: not comparable */
#define MIN_HIST_COUNT 20	/* fewer samples: percentiles not comparable */
#define MAX_LOG2 20.0

/* A command name (or a PID of it) matched across the recordings. */
struct group {
	char comm[FP_COMM_LEN];
	int pid;		/* 0: summed over every pid of comm */
	struct fp_group s[2];	/* 0 before, 1 after */
};

const char *diff__kind_name(enum fp_change_kind k)
{
	switch (k) {
	case FP_CHG_DATA_PATH: return "data-path";
	case FP_CHG_FINDING_NEW: return "finding-new";
	case FP_CHG_FINDING_GONE: return "finding-gone";
	case FP_CHG_PROC_NEW: return "process-new";
	case FP_CHG_PROC_GONE: return "process-gone";
	case FP_CHG_RATE: return "rate";
	case FP_CHG_PERCENTILE: return "percentile";
	case FP_CHG_CPU_FN: return "cpu-function";
	}
	return "other";
}

double diff__fold(double before, double after)
{
	if (before <= 0 && after <= 0)
		return 1.0;
	if (before <= 0)
		return INFINITY;
	return after / before;
}

static double log2_fold(double fold)
{
	double l;

	if (fold <= 0)
		return MAX_LOG2;
	l = fabs(log2(fold));
	return l > MAX_LOG2 ? MAX_LOG2 : l;
}

/* ---- groups ------------------------------------------------------------- */

static void pair__free(struct group *g)
{
	group__free(&g->s[0]);
	group__free(&g->s[1]);
}

struct groups {
	struct group *v;
	size_t n, cap;
};

static struct group *groups__add(struct groups *G, const char *comm, int pid)
{
	if (G->n == G->cap) {
		size_t cap = G->cap ? G->cap * 2 : 16;
		void *n = realloc(G->v, cap * sizeof(*G->v));

		if (!n)
			return NULL;
		G->v = n;
		G->cap = cap;
	}
	memset(&G->v[G->n], 0, sizeof(G->v[0]));
	snprintf(G->v[G->n].comm, FP_COMM_LEN, "%s", comm);
	G->v[G->n].pid = pid;
	return &G->v[G->n++];
}

/* Same non-empty set of pids for comm on both sides? */
static bool same_pids(const struct fp_snapshot *a, const struct fp_snapshot *b, const char *comm)
{
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < a->nprocs; i++) {
		const struct fp_proc *p = &a->procs[i];
		const struct fp_proc *q;

		if (strcmp(p->comm, comm))
			continue;
		na++;
		q = snapshot__proc((struct fp_snapshot *)b, p->pid, false);
		if (!q || strcmp(q->comm, comm))
			return false;
	}
	for (size_t i = 0; i < b->nprocs; i++)
		nb += !strcmp(b->procs[i].comm, comm);
	return na && na == nb;
}

static bool comm_done(const struct groups *G, const char *comm)
{
	for (size_t i = 0; i < G->n; i++)
		if (!strcmp(G->v[i].comm, comm))
			return true;
	return false;
}

static int groups__fill_comm(struct groups *G, const struct fp_snapshot *s[2], const char *comm)
{
	bool by_pid = same_pids(s[0], s[1], comm);
	struct group *g = NULL;
	int err;

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < s[k]->nprocs; i++) {
			const struct fp_proc *p = &s[k]->procs[i];

			if (strcmp(p->comm, comm))
				continue;
			if (by_pid) {
				g = NULL;
				for (size_t j = 0; j < G->n; j++)
					if (G->v[j].pid == p->pid && !strcmp(G->v[j].comm, comm))
						g = &G->v[j];
			}
			if (!g && !(g = groups__add(G, comm, by_pid ? p->pid : 0)))
				return -ENOMEM;
			if ((err = group__add(&g->s[k], p)))
				return err;
		}
	return 0;
}

static int groups__build(struct groups *G, const struct fp_snapshot *s[2])
{
	int err;

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < s[k]->nprocs; i++) {
			const char *comm = s[k]->procs[i].comm;

			if (comm_done(G, comm))
				continue;
			if ((err = groups__fill_comm(G, s, comm)))
				return err;
		}
	return 0;
}

/* ---- changes ------------------------------------------------------------ */

static struct fp_change *diff__add(struct fp_diff *d, const struct group *g, enum fp_change_kind kind,
				   const char *what, const char *unit, double before, double after, double fold,
				   double score)
{
	struct fp_change *c;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		void *n = realloc(d->v, cap * sizeof(*d->v));

		if (!n)
			return NULL;
		d->v = n;
		d->cap = cap;
	}
	c = &d->v[d->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	snprintf(c->comm, sizeof(c->comm), "%s", g->comm);
	c->pid = g->pid;
	c->nprocs_before = g->s[0].nprocs;
	c->nprocs_after = g->s[1].nprocs;
	snprintf(c->what, sizeof(c->what), "%s", what);
	snprintf(c->unit, sizeof(c->unit), "%s", unit);
	c->before = before;
	c->after = after;
	c->fold = fold;
	c->score = score;
	return c;
}

/* A rate: counts over each recording's length.  weight (0..1) is the
 * metric's share of the process's activity. */
static int add_rate(struct fp_diff *d, const struct group *g, const char *what, const char *unit,
		    uint64_t cb, uint64_t ca, double weight)
{
	double rb = cb / d->before_s, ra = ca / d->after_s, fold = diff__fold(rb, ra), l = log2_fold(fold);
	struct fp_change *c;

	if ((cb < MIN_COUNT && ca < MIN_COUNT) || (fold < MIN_FOLD && fold > 1 / MIN_FOLD))
		return 0;
	c = diff__add(d, g, FP_CHG_RATE, what, unit, rb, ra, fold,
		      (l >= 1 ? 200 : 100) + l * 4.5 * (0.5 + 0.5 * weight));
	if (!c)
		return -ENOMEM;
	c->total_before = cb;
	c->total_after = ca;
	return 0;
}

static int add_pct(struct fp_diff *d, const struct group *g, const char *name, const char *unit,
		   const struct fp_hist *hb, const struct fp_hist *ha, double q, double weight)
{
	double vb, va, fold, l;
	char what[96];

	if (hb->count < MIN_HIST_COUNT || ha->count < MIN_HIST_COUNT)
		return 0;
	vb = (double)hist__percentile(hb, q);
	va = (double)hist__percentile(ha, q);
	fold = diff__fold(vb, va);
	if (fold < MIN_FOLD && fold > 1 / MIN_FOLD)
		return 0;
	l = log2_fold(fold);
	snprintf(what, sizeof(what), "%s p%d", name, (int)(q * 100));
	if (!diff__add(d, g, FP_CHG_PERCENTILE, what, unit, vb, va, fold,
		       (l >= 1 ? 200 : 100) + l * 4.5 * (0.5 + 0.5 * weight)))
		return -ENOMEM;
	return 0;
}

/* Zero-copy and copying calls of the syscall table, by the data-path
 * family's own classification (bpf/fp_io.h), for recordings without an io
 * section: the syscall table alone still shows the switch. */
static void data_calls(const struct fp_proc *p, uint64_t *zc, uint64_t *copy)
{
	*zc = *copy = 0;
	for (size_t i = 0; i < p->nsys; i++) {
		unsigned int fam = fp_io_family_of(p->sys[i].nr);

		if (fam == FP_IO_ZERO_COPY)
			*zc += p->sys[i].calls;
		else if (fam == FP_IO_COPY_IN || fam == FP_IO_COPY_OUT)
			*copy += p->sys[i].calls;
	}
}

/* With an io section: the zero-copy share of the bytes moved. */
static int data_path_bytes(struct fp_diff *d, const struct group *g)
{
	const struct fp_group *b = &g->s[0], *a = &g->s[1];
	double sb, sa, mb, ma, spb, spa, fold;
	struct fp_change *c;

	if (!(b->zc + b->copy) || !(a->zc + a->copy))
		return 0;
	sb = (double)b->zc / (b->zc + b->copy);
	sa = (double)a->zc / (a->zc + a->copy);
	if (fabs(sa - sb) < 0.25)
		return 0;
	mb = (b->zc + b->copy) / 1048576.0;
	ma = (a->zc + a->copy) / 1048576.0;
	spb = proc__sys_calls(&b->sum) / mb;
	spa = proc__sys_calls(&a->sum) / ma;
	fold = diff__fold(spb, spa);
	c = diff__add(d, g, FP_CHG_DATA_PATH, sa < sb ? "zero-copy -> copy" : "copy -> zero-copy",
		      "share", sb, sa, fold, 400 + fabs(sa - sb) * 50 + log2_fold(fold) * 2);
	if (!c)
		return -ENOMEM;
	c->zc[0] = b->zc;
	c->zc[1] = a->zc;
	c->copy[0] = b->copy;
	c->copy[1] = a->copy;
	c->per_mib[0] = spb;
	c->per_mib[1] = spa;
	return 0;
}

/* Without bytes: zero-copy syscalls (nearly) stopped while copying ones
 * rose, or the reverse. */
static int data_path_calls(struct fp_diff *d, const struct group *g)
{
	uint64_t n[2][2];	/* [side][zero-copy, copy] */
	double zb, za, cb, ca, fold;
	struct fp_change *c;
	bool lost, won;

	data_calls(&g->s[0].sum, &n[0][0], &n[0][1]);
	data_calls(&g->s[1].sum, &n[1][0], &n[1][1]);
	zb = n[0][0] / d->before_s;
	za = n[1][0] / d->after_s;
	cb = n[0][1] / d->before_s;
	ca = n[1][1] / d->after_s;
	fold = diff__fold(zb + cb, za + ca);
	lost = zb > 0 && za <= zb / 4 && ca >= 2 * cb;
	won = za > 0 && zb <= za / 4 && cb >= 2 * ca;
	if (!lost && !won)
		return 0;
	c = diff__add(d, g, FP_CHG_DATA_PATH, lost ? "zero-copy -> copy" : "copy -> zero-copy",
		      "calls/s", zb, za, fold, 400 + 25 + log2_fold(fold) * 2);
	if (!c)
		return -ENOMEM;
	c->zc[0] = zb;
	c->zc[1] = za;
	c->copy[0] = cb;
	c->copy[1] = ca;
	return 0;
}

static bool has_finding(const struct fp_proc *p, const char *kind)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (!strcmp(p->findings[i].kind, kind))
			return true;
	return false;
}

static int findings_moved(struct fp_diff *d, const struct group *g)
{
	for (int k = 0; k < 2; k++) {
		const struct fp_proc *p = &g->s[k].sum, *o = &g->s[!k].sum;

		for (size_t i = 0; i < p->nfindings; i++) {
			const struct fp_finding *f = &p->findings[i];
			bool serious = strcmp(f->severity, "info") != 0;
			struct fp_change *c;

			if (has_finding(o, f->kind))
				continue;
			c = diff__add(d, g, k ? FP_CHG_FINDING_NEW : FP_CHG_FINDING_GONE, f->kind, "",
				      !k, k, k ? INFINITY : 0, (serious ? 300 : 100) + (k ? 40 : 20) +
				      (!strcmp(f->severity, "critical") ? 20 : 0));
			if (!c)
				return -ENOMEM;
			snprintf(c->severity, sizeof(c->severity), "%s", f->severity);
			snprintf(c->summary, sizeof(c->summary), "%s", f->summary ? f->summary : "");
		}
	}
	return 0;
}

static int proc_came_or_went(struct fp_diff *d, const struct group *g)
{
	int k = g->s[0].nprocs ? 0 : 1;	/* the side that has it */
	double rate = proc__sys_calls(&g->s[k].sum) / (k ? d->after_s : d->before_s);

	if (!diff__add(d, g, k ? FP_CHG_PROC_NEW : FP_CHG_PROC_GONE, k ? "process appeared" : "process went away",
		       "calls/s", k ? 0 : rate, k ? rate : 0, k ? INFINITY : 0,
		       200 + (rate > 0 ? log2_fold(rate) : 0)))
		return -ENOMEM;
	return 0;
}

static int syscall_rates(struct fp_diff *d, const struct group *g)
{
	const struct fp_proc *b = &g->s[0].sum, *a = &g->s[1].sum;
	uint64_t tb = proc__sys_calls(b), ta = proc__sys_calls(a);
	char what[64];
	int err;

	if ((err = add_rate(d, g, "all syscalls", "calls/s", tb, ta, 1.0)))
		return err;
	for (int k = 0; k < 2; k++) {
		const struct fp_proc *p = k ? a : b, *o = k ? b : a;

		for (size_t i = 0; i < p->nsys; i++) {
			const struct fp_sys_stat *s = &p->sys[i];
			const struct fp_sys_stat *os = proc__sys((struct fp_proc *)o, s->nr, false);
			const struct fp_sys_stat *sb = k ? os : s, *sa = k ? s : os;
			double w;

			if (k && os)
				continue;	/* done from the before side */
			w = fmax(sb && tb ? (double)sb->calls / tb : 0, sa && ta ? (double)sa->calls / ta : 0);
			snprintf(what, sizeof(what), "%s", syscall__name(s->nr));
			if ((err = add_rate(d, g, what, "calls/s", sb ? sb->calls : 0, sa ? sa->calls : 0, w)))
				return err;
			if (sb && sa && sb->calls >= 100 && sa->calls >= 100) {
				snprintf(what, sizeof(what), "%s latency", syscall__name(s->nr));
				if ((err = add_pct(d, g, what, "ns", &sb->lat, &sa->lat, 0.99, w)))
					return err;
			}
		}
	}
	return 0;
}

static int section_rates(struct fp_diff *d, const struct group *g)
{
	const struct fp_group *b = &g->s[0], *a = &g->s[1];
	double moved = fmax(b->zc + b->copy, a->zc + a->copy);
	int err = 0;

	if (b->has_io || a->has_io) {
		if (!err && moved > 0)
			err = add_rate(d, g, "zero-copy bytes", "B/s", b->zc, a->zc,
				       fmax(b->zc, a->zc) / moved);
		if (!err && moved > 0)
			err = add_rate(d, g, "copied bytes", "B/s", b->copy, a->copy,
				       fmax(b->copy, a->copy) / moved);
	}
	if (!err && (b->has_stat || a->has_stat)) {
		err = add_rate(d, g, "stat-family calls", "calls/s", b->stat_calls, a->stat_calls, 1.0);
		if (!err)
			err = add_rate(d, g, "stat-family errors", "calls/s", b->stat_errors, a->stat_errors, 0.5);
	}
	if (!err && (b->has_alloc || a->has_alloc)) {
		bool est = b->alloc_estimated || a->alloc_estimated;

		/* The call rate is the allocation rate: at the same fold it
		 * ranks before the bytes. */
		err = add_rate(d, g, est ? "allocator calls (estimated)" : "allocator calls", "calls/s",
			       b->alloc_calls, a->alloc_calls, 1.0);
		if (!err)
			err = add_rate(d, g, est ? "allocated bytes (estimated)" : "allocated bytes", "B/s",
				       b->alloc_bytes, a->alloc_bytes, 0.9);
	}
	return err;
}

/* Allocation sites (by the caller's function) that are top after (>= 10%
 * of the allocations, >= 100 of them) and were not before (under 10% of
 * the allocations, and at least twice the rate now): the new code path
 * that allocates.  A top site that only got busier is the rate change.
 * With Go's sampled estimates the shares are of the bytes, which sampling
 * estimates well (one sample of a small object weighs thousands of calls). */
static int new_top_sites(struct fp_diff *d, const struct group *g)
{
	const struct fp_group *b = &g->s[0], *a = &g->s[1];
	bool est = b->alloc_estimated || a->alloc_estimated;
	uint64_t tb = est ? b->alloc_bytes : b->alloc_calls, ta = est ? a->alloc_bytes : a->alloc_calls;
	const char *unit = est ? "B/s" : "calls/s";
	char what[96];

	for (size_t i = 0; i < a->nsites; i++) {
		const struct fp_group_site *sa = &a->sites[i];
		uint64_t va = est ? sa->bytes : sa->calls, vb = 0;
		double ra = va / d->after_s, rb, share;
		struct fp_change *c;

		if (sa->calls < 100 || !ta || (share = (double)va / ta) < 0.10)
			continue;
		for (size_t j = 0; j < b->nsites; j++)
			if (alloc__same_fn(b->sites[j].caller, sa->caller))
				vb += est ? b->sites[j].bytes : b->sites[j].calls;
		rb = vb / d->before_s;
		if ((tb && (double)vb / tb >= 0.10) || rb * 2 > ra)
			continue;
		snprintf(what, sizeof(what), "top allocation site %.70s", sa->caller);
		c = diff__add(d, g, FP_CHG_RATE, what, unit, rb, ra, diff__fold(rb, ra),
			      200 + log2_fold(diff__fold(rb, ra)) * 4.5 * (0.5 + 0.5 * share));
		if (!c)
			return -ENOMEM;
		c->subject = FP_SUBJ_ALLOC_SITE;
		snprintf(c->name, sizeof(c->name), "%s", sa->caller);
		c->share = share;
		c->estimated = est;
		c->total_before = vb;
		c->total_after = va;
	}
	return 0;
}

/* Stat paths that are hot after (>= 10% of the stat calls, >= 100 calls)
 * and were not before (< 1/4 of the rate). */
static int new_hot_paths(struct fp_diff *d, const struct group *g)
{
	const struct fp_group *b = &g->s[0], *a = &g->s[1];
	char what[96];

	for (size_t i = 0; i < a->npaths; i++) {
		const struct fp_group_path *pa = &a->paths[i];
		double ra = pa->calls / d->after_s, rb = 0, share;
		uint64_t cb = 0;
		struct fp_change *c;

		if (pa->calls < 100 || !a->stat_calls || (share = (double)pa->calls / a->stat_calls) < 0.10)
			continue;
		for (size_t j = 0; j < b->npaths; j++)
			if (!strcmp(b->paths[j].path, pa->path)) {
				cb = b->paths[j].calls;
				rb = cb / d->before_s;
			}
		if (rb * 4 > ra)
			continue;
		snprintf(what, sizeof(what), "hot stat path %.70s", pa->path);
		c = diff__add(d, g, FP_CHG_RATE, what, "calls/s", rb, ra, diff__fold(rb, ra),
			      200 + log2_fold(diff__fold(rb, ra)) * 4.5 * (0.5 + 0.5 * share));
		if (!c)
			return -ENOMEM;
		c->subject = FP_SUBJ_STAT_PATH;
		snprintf(c->name, sizeof(c->name), "%s", pa->path);
		c->share = share;
		c->total_before = cb;
		c->total_after = pa->calls;
	}
	return 0;
}

static int hist_shifts(struct fp_diff *d, const struct group *g)
{
	const struct fp_group *b = &g->s[0], *a = &g->s[1];
	int err;

	for (size_t i = 0; i < b->nhists; i++)
		for (size_t j = 0; j < a->nhists; j++) {
			if (strcmp(b->hists[i].name, a->hists[j].name))
				continue;
			if ((err = add_pct(d, g, b->hists[i].name, b->hists[i].unit,
					   &b->hists[i].h, &a->hists[j].h, 0.50, 1.0)) ||
			    (err = add_pct(d, g, b->hists[i].name, b->hists[i].unit,
					   &b->hists[i].h, &a->hists[j].h, 0.99, 1.0)))
				return err;
		}
	return 0;
}

/* Functions whose share of the CPU samples moved: by points of share,
 * kept when the move is over 2 points and over twice its standard error
 * (the two sides' errors combined). */
static int cpu_functions(struct fp_diff *d, const struct group *g)
{
	const struct fp_cpu_prof *p[2] = { g->s[0].prof, g->s[1].prof };
	struct fp_prof_count c[2][50];
	size_t n[2];
	char name[128];

	if (!p[0] || !p[1] || !p[0]->samples || !p[1]->samples)
		return 0;
	for (int k = 0; k < 2; k++)
		n[k] = cpu_prof__rank(p[k], false, c[k], 50);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < n[k]; i++) {
			uint64_t s[2] = { 0, 0 };
			double sh[2], err, delta;
			struct fp_change *ch;
			bool seen = false;

			snprintf(name, sizeof(name), "%.*s", (int)c[k][i].len, c[k][i].name);
			/* Once per function: from the before side, or after-only ones. */
			for (size_t j = 0; k == 1 && j < n[0] && !seen; j++)
				seen = c[0][j].len == c[1][i].len && !memcmp(c[0][j].name, c[1][i].name, c[1][i].len);
			if (seen)
				continue;
			for (int q = 0; q < 2; q++)
				s[q] = cpu_prof__fn_self(p[q], name);
			for (int q = 0; q < 2; q++)
				sh[q] = 100.0 * s[q] / p[q]->samples;
			delta = sh[1] - sh[0];
			err = sqrt(pow(cpu_prof__share_err(s[0], p[0]->samples), 2) +
				   pow(cpu_prof__share_err(s[1], p[1]->samples), 2));
			if (fabs(delta) < 2 || fabs(delta) < 2 * err)
				continue;
			ch = diff__add(d, g, FP_CHG_CPU_FN, name, "%", sh[0], sh[1], diff__fold(sh[0], sh[1]),
				       (fabs(delta) >= 10 ? 200 : 100) + fmin(fabs(delta) / 2, 49));
			if (!ch)
				return -ENOMEM;
			ch->share_err = err;
			ch->total_before = (double)p[0]->samples;
			ch->total_after = (double)p[1]->samples;
			ch->hz[0] = p[0]->hz;
			ch->hz[1] = p[1]->hz;
		}
	return 0;
}

static int group__changes(struct fp_diff *d, const struct group *g)
{
	int err;

	if (!g->s[0].nprocs || !g->s[1].nprocs) {
		err = proc_came_or_went(d, g);
		return err ? err : findings_moved(d, g);
	}
	if (g->s[0].has_io || g->s[1].has_io)
		err = data_path_bytes(d, g);
	else
		err = data_path_calls(d, g);
	if (!err)
		err = findings_moved(d, g);
	if (!err)
		err = syscall_rates(d, g);
	if (!err)
		err = section_rates(d, g);
	if (!err)
		err = new_hot_paths(d, g);
	if (!err)
		err = new_top_sites(d, g);
	if (!err)
		err = hist_shifts(d, g);
	if (!err)
		err = cpu_functions(d, g);
	return err;
}

static int cmp_change(const void *x, const void *y)
{
	const struct fp_change *a = x, *b = y;
	int c;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if ((c = strcmp(a->comm, b->comm)))
		return c;
	if (a->pid != b->pid)
		return a->pid - b->pid;
	return strcmp(a->what, b->what);
}

static double length_of(const struct fp_snapshot *s)
{
	/* A zero-length recording still compares by counts. */
	return s->meta.duration_s > 0 ? s->meta.duration_s : 1.0;
}

struct fp_diff *diff__compute(const struct fp_snapshot *before, const struct fp_snapshot *after)
{
	const struct fp_snapshot *s[2] = { before, after };
	struct fp_diff *d = calloc(1, sizeof(*d));
	struct groups G = {};
	int err;

	if (!d)
		return NULL;
	d->before_s = length_of(before);
	d->after_s = length_of(after);
	err = groups__build(&G, s);
	for (size_t i = 0; !err && i < G.n; i++)
		err = group__changes(d, &G.v[i]);
	for (size_t i = 0; i < G.n; i++)
		pair__free(&G.v[i]);
	free(G.v);
	if (err) {
		diff__free(d);
		return NULL;
	}
	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), cmp_change);
	return d;
}

void diff__free(struct fp_diff *d)
{
	if (!d)
		return;
	free(d->v);
	free(d);
}
