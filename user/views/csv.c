/* CSV for spreadsheets: one row per (process, metric), RFC 4180 quoting. */
#include <inttypes.h>
#include <string.h>
#include "views/report.h"
#include "util/escape.h"
#include "model/syscalls.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/alloc_site.h"
#include "model/cpu.h"
#include "model/cgroup.h"
#include "model/sched.h"

void csv__field(FILE *f, const char *s)
{
	esc__fput_csv(f, s);
}

static void row(FILE *f, const struct fp_proc *p, const char *metric, double v, const char *unit,
		const char *note)
{
	fprintf(f, "%d,", p->pid);
	csv__field(f, p->comm);
	fputc(',', f);
	csv__field(f, metric);
	/* %.17g round-trips a double; integers print without a fraction. */
	fprintf(f, ",%.17g,", v);
	csv__field(f, unit);
	fputc(',', f);
	csv__field(f, note ? note : "");
	fputs("\r\n", f);
}

static void csv__hist(FILE *f, const struct fp_proc *p, const struct fp_named_hist *nh)
{
	char m[128];
	static const struct { const char *suffix; double q; } pct[] = {
		{ "p50", 0.50 }, { "p90", 0.90 }, { "p99", 0.99 },
	};

	snprintf(m, sizeof(m), "%s count", nh->name);
	row(f, p, m, (double)nh->h->count, "", NULL);
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		snprintf(m, sizeof(m), "%s %s", nh->name, pct[i].suffix);
		row(f, p, m, (double)hist__percentile(nh->h, pct[i].q), nh->unit, NULL);
	}
	snprintf(m, sizeof(m), "%s max", nh->name);
	row(f, p, m, (double)nh->h->max, nh->unit, NULL);
}

#define CSV_ALLOC_SITES 10

/* Exact figures and estimates under different metric names, as in the
 * Prometheus exposition; the site (a frame) goes in the note. */
static void csv__alloc(FILE *f, const struct fp_proc *p, const struct fp_alloc_stats *a)
{
	const char *est = a->go.estimated ? "estimated_" : "";
	const struct fp_alloc_site *v[CSV_ALLOC_SITES];
	char m[96];
	size_t n;

	row(f, p, "alloc calls", (double)alloc_stats__calls(a), "calls", NULL);
	row(f, p, "alloc bytes", (double)alloc_stats__bytes(a), "bytes", NULL);
	row(f, p, "alloc estimated", alloc_stats__estimated(a), "", alloc_stats__estimated(a) ?
	    "the figures include Go's sampled estimates" : "exact counts");
	for (int i = 0; a->libc && i < FP_ALLOC_LIBC_FNS; i++) {
		if (!a->fn[i].calls)
			continue;
		snprintf(m, sizeof(m), "alloc libc %s calls", alloc__fn_name(i));
		row(f, p, m, (double)a->fn[i].calls, "calls", NULL);
		if (i == FP_ALLOC_FREE)
			continue;
		snprintf(m, sizeof(m), "alloc libc %s bytes", alloc__fn_name(i));
		row(f, p, m, (double)a->fn[i].bytes, "bytes", NULL);
	}
	if (a->go.mode != FP_GO_NONE) {
		char note[64];

		snprintf(note, sizeof(note), "%s %s%s", a->go.version, alloc__go_mode_name(a->go.mode),
			 a->go.mode == FP_GO_EXACT && !a->go.complete ? " (incomplete: a lower bound)" : "");
		snprintf(m, sizeof(m), "alloc go %scalls", est);
		row(f, p, m, (double)a->go.calls, "calls", note);
		snprintf(m, sizeof(m), "alloc go %sbytes", est);
		row(f, p, m, (double)a->go.bytes, "bytes", note);
	}
	if (a->go.mode == FP_GO_SAMPLED) {
		row(f, p, "alloc go samples", (double)a->go.samples, "samples", NULL);
		row(f, p, "alloc go profile_rate", (double)a->go.rate, "bytes", NULL);
	}
	n = alloc_sites__ranked(a, v, CSV_ALLOC_SITES);
	for (size_t i = 0; i < n; i++) {
		snprintf(m, sizeof(m), "alloc site %scalls", est);
		row(f, p, m, (double)v[i]->calls, "calls", alloc_site__caller(v[i]));
		snprintf(m, sizeof(m), "alloc site %sbytes", est);
		row(f, p, m, (double)v[i]->bytes, "bytes", alloc_site__caller(v[i]));
	}
}

/* Scheduler waits (model/sched.h): totals, and blocked time by the syscall
 * blocked in (named in the note column); the histograms' rows are the
 * generic ones ("run-queue delay p99", ...). */
static void csv__sched(FILE *f, const struct fp_proc *p)
{
	const struct fp_sched_stats *s = p->sched;

	if (!s)
		return;
	row(f, p, "wait run_queue", (double)s->rq.sum, "ns", NULL);
	row(f, p, "wait off_cpu", (double)s->off.sum, "ns", NULL);
	row(f, p, "wait on_cpu", (double)s->on_ns, "ns", NULL);
	row(f, p, "wait preemptions", (double)s->preempt, "switches", NULL);
	for (size_t i = 0; i < s->nblocks; i++)
		row(f, p, "wait off_cpu in", (double)s->blocks[i].ns, "ns", sched__block_name(s->blocks[i].nr));
}

static void csv__sections(FILE *f, const struct fp_proc *p, double window_s)
{
	csv__sched(f, p);
	if (p->cpu) {
		row(f, p, "cpu user", (double)cpu_stats__user_ns(p->cpu), "ns", NULL);
		row(f, p, "cpu system", (double)cpu_stats__system_ns(p->cpu), "ns", NULL);
	}
	if (p->io) {
		row(f, p, "io zero_copy_bytes", (double)io_stats__zero_copy_bytes(p->io), "bytes", NULL);
		row(f, p, "io copy_bytes", (double)io_stats__copy_bytes(p->io), "bytes", NULL);
		if (io_stats__zero_copy_ratio(p->io) >= 0)
			row(f, p, "io zero_copy_ratio", io_stats__zero_copy_ratio(p->io), "ratio", NULL);
	}
	if (p->stat) {
		row(f, p, "stat calls", (double)stat_stats__calls(p->stat), "calls", NULL);
		row(f, p, "stat errors", (double)stat_stats__errors(p->stat), "calls", NULL);
		row(f, p, "stat peak_per_s", (double)stat_stats__peak(p->stat, window_s, NULL),
		    "calls/s", NULL);
		if (stat_stats__repeat_ratio(p->stat) >= 0)
			row(f, p, "stat repeat_ratio", stat_stats__repeat_ratio(p->stat), "ratio", NULL);
		/* the path goes in the note: metric names stay a bounded set */
		for (size_t i = 0; i < p->stat->npaths && i < FP_STAT_TOP; i++)
			if (p->stat->paths[i].path)
				row(f, p, "stat path calls", (double)p->stat->paths[i].calls, "calls", p->stat->paths[i].path);
	}
	if (p->alloc)
		csv__alloc(f, p, p->alloc);
}

/* The cgroup path in the note (metric names stay a bounded set); the
 * container's runtime and id likewise; the namespace pid as the value. */
static void csv__where(FILE *f, const struct fp_proc *p)
{
	struct fp_container c;
	char note[320];

	if (p->cgroup)
		row(f, p, "cgroup", 1, "", p->cgroup);
	if (cgroup__parse(p->cgroup, &c)) {
		snprintf(note, sizeof(note), "%s %s", c.runtime, c.id);
		row(f, p, "container", 1, "", note);
	}
	if (p->nspid)
		row(f, p, "nspid", p->nspid, "", NULL);
}

static void csv__proc(FILE *f, const struct fp_proc *p, double window_s)
{
	struct fp_named_hist nh[FP_REPORT_MAX_HISTS];
	struct fp_hist merged;
	char m[128];
	size_t n;

	row(f, p, "exited", p->exited, "", p->exe ? p->exe : "");
	csv__where(f, p);
	for (size_t i = 0; i < p->nsys; i++) {
		const struct fp_sys_stat *s = &p->sys[i];
		const char *name = syscall__name(s->nr);

		snprintf(m, sizeof(m), "syscall %s calls", name);
		row(f, p, m, (double)s->calls, "calls", NULL);
		snprintf(m, sizeof(m), "syscall %s errors", name);
		row(f, p, m, (double)s->errors, "calls", NULL);
		snprintf(m, sizeof(m), "syscall %s time", name);
		row(f, p, m, (double)s->total_ns, "ns", NULL);
		snprintf(m, sizeof(m), "syscall %s p99", name);
		row(f, p, m, (double)hist__percentile(&s->lat, 0.99), "ns", NULL);
	}
	csv__sections(f, p, window_s);
	n = proc__hists(p, &merged, nh, FP_REPORT_MAX_HISTS);
	for (size_t i = 0; i < n; i++)
		csv__hist(f, p, &nh[i]);
	for (size_t i = 0; i < p->nfindings; i++) {
		snprintf(m, sizeof(m), "finding %s", p->findings[i].kind);
		row(f, p, m, 1, p->findings[i].severity, p->findings[i].summary);
	}
}

void csv__write(FILE *f, const struct fp_snapshot *s)
{
	fputs("pid,comm,metric,value,unit,note\r\n", f);
	for (size_t i = 0; i < s->nprocs; i++)
		csv__proc(f, &s->procs[i], snapshot__proc_secs(s, &s->procs[i]));
}
