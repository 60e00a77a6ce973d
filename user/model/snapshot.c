#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/snapshot.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/cpu.h"
#include "model/gopark.h"
#include "model/sched.h"

struct fp_snapshot *snapshot__new(void)
{
	return calloc(1, sizeof(struct fp_snapshot));
}

static void proc__free_inner(struct fp_proc *p)
{
	free(p->exe);
	free(p->cgroup);
	free(p->sys);
	if (p->io)
		io_stats__free(p->io);
	if (p->stat)
		stat_stats__free(p->stat);
	if (p->alloc)
		alloc_stats__free(p->alloc);
	if (p->cpu)
		cpu_stats__free(p->cpu);
	gopark_stats__free(p->gopark);
	sched_stats__free(p->sched);
	proc__clear_findings(p);
}

void snapshot__free(struct fp_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nprocs; i++)
		proc__free_inner(&s->procs[i]);
	free(s->procs);
	free(s->pid_idx);
	free(s);
}

static size_t pid_slot(int pid, size_t cap)
{
	return ((unsigned int)pid * 2654435761u) & (cap - 1);
}

/* Rebuild the index at twice the processes' capacity (load <= 1/2). */
static int pid_idx_rebuild(struct fp_snapshot *s)
{
	size_t cap = 64;
	unsigned int *idx;

	while (cap < s->cap_procs * 2)
		cap *= 2;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocs; i++) {
		size_t h = pid_slot(s->procs[i].pid, cap);

		while (idx[h])
			h = (h + 1) & (cap - 1);
		idx[h] = i + 1;
	}
	free(s->pid_idx);
	s->pid_idx = idx;
	s->pid_idx_cap = cap;
	return 0;
}

/* A zeroed process at the end, indexed (a pid already there stays first). */
static struct fp_proc *proc_append(struct fp_snapshot *s, int pid)
{
	struct fp_proc *p;
	size_t h;

	if (s->nprocs == s->cap_procs) {
		size_t cap = s->cap_procs ? s->cap_procs * 2 : 16;
		void *n = realloc(s->procs, cap * sizeof(*s->procs));

		if (!n)
			return NULL;
		s->procs = n;
		s->cap_procs = cap;
	}
	if ((!s->pid_idx || s->pid_idx_cap < s->cap_procs * 2) && pid_idx_rebuild(s))
		return NULL;
	for (h = pid_slot(pid, s->pid_idx_cap); s->pid_idx[h];)
		h = (h + 1) & (s->pid_idx_cap - 1);
	s->pid_idx[h] = s->nprocs + 1;
	p = &s->procs[s->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

struct fp_proc *snapshot__proc(struct fp_snapshot *s, int pid, bool create)
{
	/* Sorting dropped the index; a failed rebuild falls back to a scan. */
	if (!s->pid_idx && s->nprocs > 16)
		pid_idx_rebuild(s);
	if (s->pid_idx) {
		for (size_t h = pid_slot(pid, s->pid_idx_cap); s->pid_idx[h];
		     h = (h + 1) & (s->pid_idx_cap - 1))
			if (s->procs[s->pid_idx[h] - 1].pid == pid)
				return &s->procs[s->pid_idx[h] - 1];
	} else {
		for (size_t i = 0; i < s->nprocs; i++)
			if (s->procs[i].pid == pid)
				return &s->procs[i];
	}
	return create ? proc_append(s, pid) : NULL;
}

struct fp_sys_stat *proc__sys(struct fp_proc *p, int nr, bool create)
{
	struct fp_sys_stat *st;

	for (size_t i = 0; i < p->nsys; i++)
		if (p->sys[i].nr == nr)
			return &p->sys[i];
	if (!create)
		return NULL;
	if (p->nsys == p->cap_sys) {
		size_t cap = p->cap_sys ? p->cap_sys * 2 : 16;
		void *n = realloc(p->sys, cap * sizeof(*p->sys));

		if (!n)
			return NULL;
		p->sys = n;
		p->cap_sys = cap;
	}
	st = &p->sys[p->nsys++];
	memset(st, 0, sizeof(*st));
	st->nr = nr;
	return st;
}

static int cmp_sys_nr(const void *a, const void *b)
{
	return ((const struct fp_sys_stat *)a)->nr - ((const struct fp_sys_stat *)b)->nr;
}

void proc__sort_sys(struct fp_proc *p)
{
	if (p->nsys)
		qsort(p->sys, p->nsys, sizeof(*p->sys), cmp_sys_nr);
}

static int cmp_pid(const void *a, const void *b)
{
	return ((const struct fp_proc *)a)->pid - ((const struct fp_proc *)b)->pid;
}

void snapshot__sort_pid(struct fp_snapshot *s)
{
	if (s->nprocs)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), cmp_pid);
	/* Positions changed: the index is rebuilt on the next lookup. */
	free(s->pid_idx);
	s->pid_idx = NULL;
	s->pid_idx_cap = 0;
}

uint64_t proc__sys_calls(const struct fp_proc *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->nsys; i++)
		n += p->sys[i].calls;
	return n;
}

uint64_t proc__sys_errors(const struct fp_proc *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->nsys; i++)
		n += p->sys[i].errors;
	return n;
}

uint64_t proc__sys_time(const struct fp_proc *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->nsys; i++)
		n += p->sys[i].total_ns;
	return n;
}

void proc__sys_hist(const struct fp_proc *p, struct fp_hist *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < p->nsys; i++)
		hist__merge(out, &p->sys[i].lat);
}

size_t proc__hists(const struct fp_proc *p, struct fp_hist *merged,
		   struct fp_named_hist *out, size_t max)
{
	size_t n = 0;

	if (!max)
		return 0;
	proc__sys_hist(p, merged);
	out[n++] = (struct fp_named_hist){ "syscall latency", "ns", merged };
	if (p->io)
		n += io_stats__hists(p->io, out + n, max - n);
	if (p->stat)
		n += stat_stats__hists(p->stat, out + n, max - n);
	if (p->alloc)
		n += alloc_stats__hists(p->alloc, out + n, max - n);
	if (p->gopark)
		n += gopark_stats__hists(p->gopark, out + n, max - n);
	if (p->sched)
		n += sched_stats__hists(p->sched, out + n, max - n);
	return n;
}

int proc__add_finding(struct fp_proc *p, const char *kind, const char *severity,
		      const char *summary, const char *detail)
{
	struct fp_finding *f;
	void *n = realloc(p->findings, (p->nfindings + 1) * sizeof(*p->findings));

	if (!n)
		return -ENOMEM;
	p->findings = n;
	f = &p->findings[p->nfindings];
	memset(f, 0, sizeof(*f));
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	snprintf(f->severity, sizeof(f->severity), "%s", severity);
	f->summary = strdup(summary ? summary : "");
	f->detail = strdup(detail ? detail : "");
	if (!f->summary || !f->detail) {
		free(f->summary);
		free(f->detail);
		return -ENOMEM;
	}
	p->nfindings++;
	return 0;
}

void proc__clear_findings(struct fp_proc *p)
{
	for (size_t i = 0; i < p->nfindings; i++) {
		free(p->findings[i].summary);
		free(p->findings[i].detail);
	}
	free(p->findings);
	p->findings = NULL;
	p->nfindings = 0;
}

/* Copy identity and sections of src into a fresh dst slot; counters are
 * filled by the caller (clone or delta). */
static int proc__copy_ident(struct fp_proc *dst, const struct fp_proc *src)
{
	dst->ppid = src->ppid;
	memcpy(dst->comm, src->comm, sizeof(dst->comm));
	dst->exe = src->exe ? strdup(src->exe) : NULL;
	dst->cgroup = src->cgroup ? strdup(src->cgroup) : NULL;
	dst->nspid = src->nspid;
	dst->exited = src->exited;
	dst->exit_code = src->exit_code;
	dst->first_ns = src->first_ns;
	dst->exit_ns = src->exit_ns;
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct fp_finding *f = &src->findings[i];

		if (proc__add_finding(dst, f->kind, f->severity, f->summary, f->detail))
			return -ENOMEM;
	}
	return ((src->exe && !dst->exe) || (src->cgroup && !dst->cgroup)) ? -ENOMEM : 0;
}

static int proc__delta_into(struct fp_proc *d, const struct fp_proc *cur, const struct fp_proc *prev)
{
	if (proc__copy_ident(d, cur))
		return -ENOMEM;
	for (size_t i = 0; i < cur->nsys; i++) {
		const struct fp_sys_stat *c = &cur->sys[i];
		const struct fp_sys_stat *o = NULL;
		struct fp_sys_stat *s;

		if (prev)
			o = proc__sys((struct fp_proc *)prev, c->nr, false);
		if (o && o->calls == c->calls)
			continue;	/* nothing happened in the interval */
		s = proc__sys(d, c->nr, true);
		if (!s)
			return -ENOMEM;
		s->calls = c->calls - (o ? o->calls : 0);
		s->errors = c->errors - (o ? o->errors : 0);
		s->total_ns = c->total_ns - (o ? o->total_ns : 0);
		if (o)
			hist__delta(&s->lat, &c->lat, &o->lat);
		else
			s->lat = c->lat;
	}
	if (cur->io && !(d->io = io_stats__delta(cur->io, prev ? prev->io : NULL)))
		return -ENOMEM;
	if (cur->stat && !(d->stat = stat_stats__delta(cur->stat, prev ? prev->stat : NULL)))
		return -ENOMEM;
	if (cur->alloc && !(d->alloc = alloc_stats__delta(cur->alloc, prev ? prev->alloc : NULL)))
		return -ENOMEM;
	if (cur->cpu && !(d->cpu = cpu_stats__delta(cur->cpu, prev ? prev->cpu : NULL)))
		return -ENOMEM;
	if (cur->gopark && !(d->gopark = gopark_stats__delta(cur->gopark, prev ? prev->gopark : NULL)))
		return -ENOMEM;
	if (cur->sched && !(d->sched = sched_stats__delta(cur->sched, prev ? prev->sched : NULL)))
		return -ENOMEM;
	return 0;
}

static struct fp_snapshot *snapshot__derive(const struct fp_snapshot *cur,
					    const struct fp_snapshot *prev, bool delta)
{
	struct fp_snapshot *d = snapshot__new();

	if (!d)
		return NULL;
	d->meta = cur->meta;
	d->ts_ns = cur->ts_ns;
	for (int i = 0; i < FP_DROP_MAX; i++)
		d->drops[i] = cur->drops[i] - (prev ? prev->drops[i] : 0);
	d->bpf_run_ns = cur->bpf_run_ns - (prev ? prev->bpf_run_ns : 0);
	d->bpf_run_cnt = cur->bpf_run_cnt - (prev ? prev->bpf_run_cnt : 0);
	d->interval_s = prev ? (double)(cur->ts_ns - prev->ts_ns) / 1e9 : cur->interval_s;
	for (size_t i = 0; i < cur->nprocs; i++) {
		const struct fp_proc *c = &cur->procs[i];
		const struct fp_proc *o = prev && delta ? snapshot__proc((struct fp_snapshot *)prev, c->pid, false) : NULL;
		struct fp_proc *p = snapshot__proc(d, c->pid, true);

		if (!p || proc__delta_into(p, c, o)) {
			snapshot__free(d);
			return NULL;
		}
	}
	return d;
}

struct fp_snapshot *snapshot__delta(const struct fp_snapshot *cur, const struct fp_snapshot *prev)
{
	return snapshot__derive(cur, prev, true);
}

struct fp_proc *snapshot__append_copy(struct fp_snapshot *s, const struct fp_proc *src)
{
	struct fp_proc *p = proc_append(s, src->pid);

	if (p && proc__delta_into(p, src, NULL)) {
		proc__free_inner(p);
		memset(p, 0, sizeof(*p));
		p->pid = src->pid;
		return NULL;
	}
	return p;
}

struct fp_proc *snapshot__append_move(struct fp_snapshot *s, struct fp_proc *src)
{
	struct fp_proc *p = proc_append(s, src->pid);

	if (!p)
		return NULL;
	*p = *src;
	memset(src, 0, sizeof(*src));
	return p;
}

int proc__absorb(struct fp_proc *dst, const struct fp_proc *src)
{
	struct fp_proc id = *dst;	/* identity and own sections, kept */
	int err;

	/* Neither has findings yet (they are evaluated on the merged read).
	 * Sections dst has already are its own (allocator entries are not
	 * reaped; wait counters made after the reap). */
	dst->alloc = NULL;
	dst->sched = NULL;
	dst->cpu = NULL;
	dst->exe = NULL;
	err = proc__delta_into(dst, src, NULL);
	if (dst->alloc)
		alloc_stats__free(dst->alloc);
	dst->alloc = id.alloc;
	if (id.sched) {
		sched_stats__free(dst->sched);
		dst->sched = id.sched;
	}
	/* CPU times are reaped with the process, its sampled profile is not
	 * (the sampler reads its counts live): the times from src, the profile
	 * from dst.  Overwritten, the profile of a target that exited before
	 * the last read was lost (a recording of a short command had none). */
	if (id.cpu && !dst->cpu) {
		dst->cpu = id.cpu;
	} else if (id.cpu) {
		if (!dst->cpu->prof) {
			dst->cpu->prof = id.cpu->prof;
			id.cpu->prof = NULL;
		}
		cpu_stats__free(id.cpu);
	}
	if (!id.comm[0]) {
		free(id.exe);
		return err;
	}
	/* A named dst was read after src was reaped: its identity is the
	 * fresher one (it may know the exit that src was reaped before). */
	if (id.exe) {
		free(dst->exe);
		dst->exe = id.exe;
	}
	memcpy(dst->comm, id.comm, sizeof(dst->comm));
	dst->ppid = id.ppid;
	dst->first_ns = id.first_ns;
	dst->exited = id.exited;
	dst->exit_code = id.exit_code;
	dst->exit_ns = id.exit_ns;
	return err;
}

struct fp_snapshot *snapshot__clone(const struct fp_snapshot *s)
{
	struct fp_snapshot *c = snapshot__derive(s, NULL, false);

	if (c)
		c->interval_s = s->interval_s;
	return c;
}

const char *drop__name(int reason)
{
	static const char *const names[FP_DROP_MAX] = {
		[FP_DROP_SYS_STATS] = "syscall_stats_full",
		[FP_DROP_PROCS] = "procs_full",
		[FP_DROP_TARGETS] = "targets_full",
		[FP_DROP_TASK_STORAGE] = "task_storage",
		[FP_DROP_IO] = "io_full",
		[FP_DROP_STAT] = "stat_full",
		[FP_DROP_STAT_PATHS] = "stat_paths_full",
		[FP_DROP_ALLOC] = "alloc_full",
		[FP_DROP_STACKS] = "stacks_full",
		[FP_DROP_EXEC_HOLD] = "exec_not_held",
		[FP_DROP_CPU] = "cpu_exit_full",
		[FP_DROP_PROFILE] = "profile_samples",
		[FP_DROP_GOPARK] = "gopark_full",
		[FP_DROP_GOPARK_SITES] = "gopark_sites_full",
		[FP_DROP_WAITS] = "waits_full",
	};

	if (reason >= 0 && reason < FP_DROP_MAX && names[reason])
		return names[reason];
	return "other";
}

double snapshot__proc_secs(const struct fp_snapshot *s, const struct fp_proc *p)
{
	double w = s->interval_s > 0 && (s->interval_s < s->meta.duration_s || s->meta.duration_s <= 0) ?
		   s->interval_s : s->meta.duration_s;
	uint64_t start, begin, end;
	double t;

	if (w <= 0)
		w = 1;
	if (p->traced_s > 0)
		return p->traced_s < w ? p->traced_s : w;
	if (!s->ts_ns || !p->first_ns || s->ts_ns < (uint64_t)(w * 1e9))
		return w;
	start = s->ts_ns - (uint64_t)(w * 1e9);
	begin = p->first_ns > start ? p->first_ns : start;
	end = p->exited && p->exit_ns && p->exit_ns < s->ts_ns ? p->exit_ns : s->ts_ns;
	if (end <= begin)
		return w;
	t = (double)(end - begin) / 1e9;
	/* a process is at least one microsecond: no rate from a zero */
	t = t < 1e-6 ? 1e-6 : t;
	return t < w ? t : w;
}
