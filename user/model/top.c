/* Top's table model: see top.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/top.h"
#include "model/cgroup.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/cpu.h"
#include "model/sched.h"

int top__severity(const char *severity)
{
	if (!strcmp(severity, "critical"))
		return 3;
	if (!strcmp(severity, "warning"))
		return 2;
	return 1;
}

static void row__fill(struct top_row *r, const struct fp_proc *p, double secs)
{
	struct fp_hist h;
	double ratio;

	memset(r, 0, sizeof(*r));
	for (int c = 0; c < TOP_NCOLS; c++)
		r->v[c] = NAN;
	r->p = p;
	r->pid = p->pid;
	r->exited = p->exited;
	r->v[TOP_PID] = p->pid;
	if (p->cpu)
		r->v[TOP_CPU] = cpu_stats__pct(p->cpu->run_ns, secs);
	if (p->sched) {
		if (p->sched->rq.count)
			r->v[TOP_RQ] = (double)hist__percentile(&p->sched->rq, 0.99);
		r->v[TOP_OFF] = sched_stats__off_share(p->sched);
	}
	r->v[TOP_SYS] = proc__sys_calls(p) / secs;
	r->v[TOP_ERR] = proc__sys_errors(p) / secs;
	proc__sys_hist(p, &h);
	if (h.count)
		r->v[TOP_P99] = (double)hist__percentile(&h, 0.99);
	if (p->stat)
		r->v[TOP_STAT] = stat_stats__calls(p->stat) / secs;
	if (p->io) {
		r->v[TOP_COPY] = io_stats__copy_bytes(p->io) / secs;
		r->v[TOP_ZC] = io_stats__zero_copy_bytes(p->io) / secs;
		ratio = io_stats__zero_copy_ratio(p->io);
		if (ratio >= 0)
			r->v[TOP_ZCR] = ratio;
	}
	if (p->alloc) {
		r->v[TOP_ALLOC] = alloc_stats__calls(p->alloc) / secs;
		r->v[TOP_AMB] = alloc_stats__bytes(p->alloc) / secs;
	}
	for (size_t i = 0; i < p->nfindings; i++) {
		int s = top__severity(p->findings[i].severity);

		if (s > r->severity)
			r->severity = s;
	}
	/* Sorting by FLAGS: the worst finding first, then the most of them. */
	r->v[TOP_FLAGS] = r->severity * 100.0 + (double)p->nfindings;
}

bool toprow__active(const struct top_row *r)
{
	static const int cols[] = { TOP_CPU, TOP_SYS, TOP_STAT, TOP_COPY, TOP_ZC, TOP_ALLOC };

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (r->v[cols[i]] > 0)
			return true;
	return r->p->nfindings > 0;
}

const char *top__container(const struct fp_proc *p, char *buf, size_t len)
{
	struct fp_container c;
	bool ctr = cgroup__parse(p->cgroup, &c);

	snprintf(buf, len, "%.*s", ctr ? 12 : (int)sizeof(c.id), c.id);
	return buf;
}

static bool row__matches(const struct fp_proc *p, const char *filter)
{
	char pid[16];

	if (!filter || !*filter)
		return true;
	if (strcasestr(p->comm, filter) || cgroup__matches(p->cgroup, filter))
		return true;
	snprintf(pid, sizeof(pid), "%d", p->pid);
	return !strncmp(pid, filter, strlen(filter));
}

size_t toprows__build(const struct fp_snapshot *d, struct top_row *rows, size_t max,
		      const char *filter, int linger, bool active_only)
{
	double secs = d->interval_s > 0 ? d->interval_s : 1.0;
	uint64_t keep_ns = (uint64_t)(linger * secs * 1e9);
	size_t n = 0;

	for (size_t i = 0; i < d->nprocs && n < max; i++) {
		const struct fp_proc *p = &d->procs[i];

		if (p->exited && p->exit_ns && d->ts_ns > p->exit_ns + keep_ns)
			continue;	/* gone for more than `linger` intervals */
		if (!row__matches(p, filter))
			continue;
		row__fill(&rows[n], p, secs);
		/* A process that exited in this interval is news, busy or not. */
		if (active_only && !toprow__active(&rows[n]) &&
		    !(p->exited && p->exit_ns + (uint64_t)(secs * 1e9) >= d->ts_ns))
			continue;
		n++;
	}
	return n;
}

static int sort_col;
static int sort_sign;

/* Missing values sort last whatever the direction. */
static int row__cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double u, v;
	int c;

	if (sort_col == TOP_COMM) {
		c = strcmp(x->p->comm, y->p->comm) * sort_sign;
		if (c)
			return c;
	} else if (sort_col == TOP_CTR) {
		char a[256], b[256];

		c = strcmp(top__container(x->p, a, sizeof(a)), top__container(y->p, b, sizeof(b))) * sort_sign;
		if (c)
			return c;
	} else {
		u = x->v[sort_col];
		v = y->v[sort_col];
		if (isnan(u) != isnan(v))
			return isnan(u) ? 1 : -1;
		if (!isnan(u) && u != v)
			return (u < v ? -1 : 1) * sort_sign;
	}
	return x->pid - y->pid;
}

void toprows__sort(struct top_row *rows, size_t n, int col, bool desc)
{
	if (col < 0 || col >= TOP_NCOLS)
		col = TOP_SYS;
	sort_col = col;
	sort_sign = desc ? -1 : 1;
	if (n)
		qsort(rows, n, sizeof(*rows), row__cmp);
}

double top__cpu_pct(double busy_ns, double interval_s)
{
	if (interval_s <= 0 || busy_ns < 0)
		return 0;
	return 100.0 * busy_ns / (interval_s * 1e9);
}

void toptotals__compute(const struct fp_snapshot *d, struct top_totals *t)
{
	double secs = d->interval_s > 0 ? d->interval_s : 1.0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct fp_proc *p = &d->procs[i];

		if (!p->exited)
			t->procs++;
		else if (p->exit_ns + (uint64_t)(secs * 1e9) >= d->ts_ns)
			t->exited++;
		t->syscalls += proc__sys_calls(p);
		t->errors += proc__sys_errors(p);
		if (p->alloc)
			t->allocs += alloc_stats__calls(p->alloc);
	}
	t->syscalls /= secs;
	t->errors /= secs;
	t->allocs /= secs;
	t->events = t->syscalls + t->allocs;
	t->bpf_cpu_pct = top__cpu_pct((double)d->bpf_run_ns, secs);
	t->bpf_runs = d->bpf_run_cnt / secs;
	for (int r = 0; r < FP_DROP_MAX; r++)
		t->dropped += d->drops[r];
}
