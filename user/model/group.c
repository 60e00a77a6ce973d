#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/group.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/alloc_site.h"
#include "model/cpu.h"

static int group__add_hist(struct fp_group *g, const struct fp_named_hist *nh)
{
	struct fp_group_hist *a;

	for (size_t i = 0; i < g->nhists; i++)
		if (!strcmp(g->hists[i].name, nh->name)) {
			hist__merge(&g->hists[i].h, nh->h);
			return 0;
		}
	if (g->nhists == FP_GROUP_MAX_HISTS)
		return 0;
	if (!g->hists && !(g->hists = calloc(FP_GROUP_MAX_HISTS, sizeof(*g->hists))))
		return -ENOMEM;
	a = &g->hists[g->nhists++];
	snprintf(a->name, sizeof(a->name), "%s", nh->name);
	snprintf(a->unit, sizeof(a->unit), "%s", nh->unit);
	a->h = *nh->h;
	return 0;
}

static int group__add_findings(struct fp_group *g, const struct fp_proc *p)
{
	for (size_t i = 0; i < p->nfindings; i++) {
		const struct fp_finding *f = &p->findings[i];
		bool seen = false;

		for (size_t j = 0; j < g->sum.nfindings; j++)
			seen |= !strcmp(g->sum.findings[j].kind, f->kind);
		if (!seen && proc__add_finding(&g->sum, f->kind, f->severity, f->summary, f->detail))
			return -ENOMEM;
	}
	return 0;
}

/* g's entry for path, added (zeroed) if new; NULL on ENOMEM. */
static struct fp_group_path *group__path(struct fp_group *g, const char *path)
{
	struct fp_group_path *gp;
	void *n;

	for (size_t j = 0; j < g->npaths; j++)
		if (!strcmp(g->paths[j].path, path))
			return &g->paths[j];
	n = realloc(g->paths, (g->npaths + 1) * sizeof(*g->paths));
	if (!n)
		return NULL;
	g->paths = n;
	gp = &g->paths[g->npaths];
	memset(gp, 0, sizeof(*gp));
	if (!(gp->path = strdup(path)))
		return NULL;
	g->npaths++;
	return gp;
}

static int group__add_paths(struct fp_group *g, const struct fp_stat_stats *st)
{
	for (size_t i = 0; i < st->npaths; i++) {
		const struct fp_stat_path *sp = &st->paths[i];
		struct fp_group_path *gp;

		if (!sp->path)
			continue;
		if (!(gp = group__path(g, sp->path)))
			return -ENOMEM;
		gp->calls += sp->calls;
		gp->errors += sp->errors;
	}
	return 0;
}

static int cmp_gsite(const void *a, const void *b)
{
	const struct fp_group_site *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

/* g's entry for the function of caller (alloc__same_fn: a site's offsets
 * within one function are one site), added (zeroed) if new; NULL on ENOMEM. */
static struct fp_group_site *group__site(struct fp_group *g, const char *caller)
{
	struct fp_group_site *gs;
	void *n;

	for (size_t j = 0; j < g->nsites; j++)
		if (alloc__same_fn(g->sites[j].caller, caller))
			return &g->sites[j];
	n = realloc(g->sites, (g->nsites + 1) * sizeof(*g->sites));
	if (!n)
		return NULL;
	g->sites = n;
	gs = &g->sites[g->nsites];
	memset(gs, 0, sizeof(*gs));
	if (!(gs->caller = strdup(caller)))
		return NULL;
	g->nsites++;
	return gs;
}

static int group__add_sites(struct fp_group *g, const struct fp_alloc_stats *a)
{
	for (size_t i = 0; i < a->nsites; i++) {
		struct fp_group_site *gs = group__site(g, alloc_site__caller(&a->sites[i]));

		if (!gs)
			return -ENOMEM;
		gs->calls += a->sites[i].calls;
		gs->bytes += a->sites[i].bytes;
	}
	if (g->nsites)
		qsort(g->sites, g->nsites, sizeof(*g->sites), cmp_gsite);
	return 0;
}

static void group__add_alloc(struct fp_group *g, const struct fp_alloc_stats *a)
{
	g->has_alloc = true;
	g->alloc_calls += alloc_stats__calls(a);
	g->alloc_bytes += alloc_stats__bytes(a);
	g->alloc_estimated |= alloc_stats__estimated(a);
	if (a->libc) {
		g->has_libc = true;
		for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++) {
			g->alloc_fn[i].calls += a->fn[i].calls;
			g->alloc_fn[i].bytes += a->fn[i].bytes;
		}
	}
	if (a->go.mode == FP_GO_EXACT || a->go.mode == FP_GO_SAMPLED) {
		g->has_go[a->go.mode] = true;
		g->go[a->go.mode].calls += a->go.calls;
		g->go[a->go.mode].bytes += a->go.bytes;
		g->go_samples += a->go.samples;
	}
}

static void group__add_sections(struct fp_group *g, const struct fp_proc *p)
{
	if (p->io) {
		g->has_io = true;
		g->zc += io_stats__zero_copy_bytes(p->io);
		g->copy += io_stats__copy_bytes(p->io);
	}
	if (p->stat) {
		g->has_stat = true;
		g->stat_calls += stat_stats__calls(p->stat);
		g->stat_errors += stat_stats__errors(p->stat);
	}
	if (p->alloc)
		group__add_alloc(g, p->alloc);
	if (p->cpu) {
		g->has_cpu = true;
		g->cpu_user_ns += cpu_stats__user_ns(p->cpu);
		g->cpu_system_ns += cpu_stats__system_ns(p->cpu);
	}
}

static int group__add_prof(struct fp_group *g, const struct fp_cpu_prof *p)
{
	if (!g->prof && !(g->prof = cpu_prof__new(p->hz)))
		return -ENOMEM;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct fp_cpu_stack *s = &p->stacks[i];

		if (cpu_prof__add(g->prof, (const char *const *)s->frames, s->nframes, s->nkernel, s->count))
			return -ENOMEM;
	}
	g->prof->samples += p->omitted;
	g->prof->omitted += p->omitted;
	cpu_prof__finish(g->prof);
	return 0;
}

int group__add(struct fp_group *g, const struct fp_proc *p)
{
	struct fp_named_hist nh[FP_GROUP_MAX_HISTS];
	struct fp_hist merged;
	size_t n;
	int err;

	g->nprocs++;
	g->nexited += p->exited;
	for (size_t i = 0; i < p->nsys; i++) {
		struct fp_sys_stat *st = proc__sys(&g->sum, p->sys[i].nr, true);

		if (!st)
			return -ENOMEM;
		st->calls += p->sys[i].calls;
		st->errors += p->sys[i].errors;
		st->total_ns += p->sys[i].total_ns;
		hist__merge(&st->lat, &p->sys[i].lat);
	}
	proc__sort_sys(&g->sum);
	group__add_sections(g, p);
	if (p->stat && (err = group__add_paths(g, p->stat)))
		return err;
	if (p->alloc && (err = group__add_sites(g, p->alloc)))
		return err;
	if (p->cpu && p->cpu->prof && (err = group__add_prof(g, p->cpu->prof)))
		return err;
	n = proc__hists(p, &merged, nh, FP_GROUP_MAX_HISTS);
	for (size_t i = 0; i < n; i++)
		if ((err = group__add_hist(g, &nh[i])))
			return err;
	return group__add_findings(g, p);
}

static int group__merge_paths(struct fp_group *g, const struct fp_group *src)
{
	for (size_t i = 0; i < src->npaths; i++) {
		struct fp_group_path *gp = group__path(g, src->paths[i].path);

		if (!gp)
			return -ENOMEM;
		gp->calls += src->paths[i].calls;
		gp->errors += src->paths[i].errors;
	}
	return 0;
}

static int group__merge_sites(struct fp_group *g, const struct fp_group *src)
{
	for (size_t i = 0; i < src->nsites; i++) {
		struct fp_group_site *gs = group__site(g, src->sites[i].caller);

		if (!gs)
			return -ENOMEM;
		gs->calls += src->sites[i].calls;
		gs->bytes += src->sites[i].bytes;
	}
	if (g->nsites)
		qsort(g->sites, g->nsites, sizeof(*g->sites), cmp_gsite);
	return 0;
}

static void group__merge_counts(struct fp_group *g, const struct fp_group *src)
{
	g->nprocs += src->nprocs;
	g->nexited += src->nexited;
	g->has_io |= src->has_io;
	g->zc += src->zc;
	g->copy += src->copy;
	g->has_stat |= src->has_stat;
	g->stat_calls += src->stat_calls;
	g->stat_errors += src->stat_errors;
	g->has_alloc |= src->has_alloc;
	g->alloc_calls += src->alloc_calls;
	g->alloc_bytes += src->alloc_bytes;
	g->alloc_estimated |= src->alloc_estimated;
	g->has_libc |= src->has_libc;
	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++) {
		g->alloc_fn[i].calls += src->alloc_fn[i].calls;
		g->alloc_fn[i].bytes += src->alloc_fn[i].bytes;
	}
	for (int m = 0; m < 3; m++) {
		g->has_go[m] |= src->has_go[m];
		g->go[m].calls += src->go[m].calls;
		g->go[m].bytes += src->go[m].bytes;
	}
	g->go_samples += src->go_samples;
	g->has_cpu |= src->has_cpu;
	g->cpu_user_ns += src->cpu_user_ns;
	g->cpu_system_ns += src->cpu_system_ns;
}

int group__merge(struct fp_group *g, const struct fp_group *src)
{
	int err = 0;

	group__merge_counts(g, src);
	for (size_t i = 0; i < src->sum.nsys; i++) {
		const struct fp_sys_stat *in = &src->sum.sys[i];
		struct fp_sys_stat *st = proc__sys(&g->sum, in->nr, true);

		if (!st)
			return -ENOMEM;
		st->calls += in->calls;
		st->errors += in->errors;
		st->total_ns += in->total_ns;
		hist__merge(&st->lat, &in->lat);
	}
	proc__sort_sys(&g->sum);
	for (size_t i = 0; !err && i < src->nhists; i++) {
		struct fp_named_hist nh = { src->hists[i].name, src->hists[i].unit, &src->hists[i].h };

		err = group__add_hist(g, &nh);
	}
	if (!err)
		err = group__merge_paths(g, src);
	if (!err)
		err = group__merge_sites(g, src);
	if (!err && src->prof)
		err = group__add_prof(g, src->prof);
	return err ? err : group__add_findings(g, &src->sum);
}

int groups__merge(struct fp_group **v, size_t *n, const struct fp_group *add, size_t nadd)
{
	for (size_t i = 0; i < nadd; i++) {
		struct fp_group *g = NULL;
		int err;

		for (size_t j = 0; j < *n && !g; j++)
			if (!strcmp((*v)[j].comm, add[i].comm) && (*v)[j].pid == add[i].pid)
				g = &(*v)[j];
		if (!g) {
			struct fp_group *nv = realloc(*v, (*n + 1) * sizeof(**v));

			if (!nv)
				return -ENOMEM;
			*v = nv;
			g = &nv[(*n)++];
			memset(g, 0, sizeof(*g));
			snprintf(g->comm, sizeof(g->comm), "%s", add[i].comm);
			g->pid = add[i].pid;
		}
		err = group__merge(g, &add[i]);
		if (err)
			return err;
	}
	return 0;
}

void group__drop_detail(struct fp_group *g)
{
	cpu_prof__free(g->prof);
	g->prof = NULL;
	for (size_t i = 0; i < g->npaths; i++)
		free(g->paths[i].path);
	free(g->paths);
	g->paths = NULL;
	g->npaths = 0;
	for (size_t i = 0; i < g->nsites; i++)
		free(g->sites[i].caller);
	free(g->sites);
	g->sites = NULL;
	g->nsites = 0;
}

void group__free(struct fp_group *g)
{
	group__drop_detail(g);
	free(g->sum.sys);
	g->sum.sys = NULL;
	proc__clear_findings(&g->sum);
	free(g->hists);
	g->hists = NULL;
}

void groups__free(struct fp_group *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		group__free(&v[i]);
	free(v);
}

int groups__of(const struct fp_snapshot *s, bool by_pid, struct fp_group **out, size_t *n)
{
	struct fp_group *v = calloc(s->nprocs ? s->nprocs : 1, sizeof(*v));
	size_t k = 0;
	int err = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocs && !err; i++) {
		const struct fp_proc *p = &s->procs[i];
		struct fp_group *g = NULL;

		for (size_t j = 0; j < k && !g; j++)
			if (!strcmp(v[j].comm, p->comm) && (!by_pid || v[j].pid == p->pid))
				g = &v[j];
		if (!g) {
			g = &v[k++];
			snprintf(g->comm, sizeof(g->comm), "%s", p->comm);
			g->pid = by_pid ? p->pid : 0;
		}
		err = group__add(g, p);
	}
	if (err) {
		groups__free(v, k);
		return err;
	}
	*out = v;
	*n = k;
	return 0;
}
