/*
 * Prometheus text exposition (format 0.0.4) of a snapshot.
 *
 * Series are per command name (summed over its processes), with a pid label
 * only when asked: PIDs change at every restart and would make the series
 * count grow without bound.  Histograms are native Prometheus histograms
 * whose cumulative `le` buckets are sums of the in-kernel buckets: the
 * in-kernel buckets split every power of two in four, so cutting at powers of
 * two is exact.  The cuts are a fixed set per unit, so a series' buckets do
 * not come and go between scrapes.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "views/report.h"
#include "util/escape.h"
#include "model/group.h"
#include "model/syscalls.h"
#include "model/alloc.h"

/* ns: 256 ns .. 2^34 ns (17 s); bytes: 63 .. 2^30-1. */
#define NS_LO 8
#define NS_HI 34
#define B_LO 6
#define B_HI 30

struct prom {
	FILE *f;
	const struct fp_prom_opts *o;
	struct fp_group *g;
	size_t n;
};

void prom__label_value(FILE *f, const char *s)
{
	esc__fput_prom(f, s);
}

const char *prom__hist_name(const char *name, const char *unit, char *buf, size_t len)
{
	size_t n = snprintf(buf, len, "fastpath_");

	for (; *name && n + 1 < len; name++) {
		char c = *name;

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		if (c == '_' && buf[n - 1] == '_')
			continue;
		buf[n++] = c;
	}
	while (n > 9 && buf[n - 1] == '_')
		n--;
	buf[n] = 0;
	snprintf(buf + n, len - n, "_%s", !strcmp(unit, "ns") ? "seconds" : unit);
	return buf;
}

static void family(struct prom *P, const char *name, const char *type, const char *help)
{
	fprintf(P->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* {comm="x",pid="1"[,extra]} with extra already formatted (may be NULL). */
static void labels(struct prom *P, const struct fp_group *g, const char *extra)
{
	fputs("{comm=\"", P->f);
	prom__label_value(P->f, g->comm);
	fputc('"', P->f);
	/* pid 0: the processes of comm that exited (serve keeps their sum) */
	if (P->o->pid_label && g->pid)
		fprintf(P->f, ",pid=\"%d\"", g->pid);
	else if (P->o->pid_label)
		fputs(",pid=\"exited\"", P->f);
	if (extra)
		fprintf(P->f, ",%s", extra);
	fputc('}', P->f);
}

static void sample_u64(struct prom *P, const char *name, const struct fp_group *g, const char *extra, uint64_t v)
{
	fputs(name, P->f);
	labels(P, g, extra);
	fprintf(P->f, " %" PRIu64 "\n", v);
}

static void fmt_double(FILE *f, double v)
{
	fprintf(f, "%.15g", v);
}

static void histogram(struct prom *P, const char *name, const struct fp_group *g, const char *extra,
		      const struct fp_hist *h, bool ns)
{
	char le[640];	/* extra: up to a label of 160 escaped bytes and more */
	uint64_t total = 0;

	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		total += h->b[i];
	for (int k = ns ? NS_LO : B_LO; k <= (ns ? NS_HI : B_HI); k++) {
		/* ns: below 2^k ns, in seconds; bytes: integers, so "< 2^k" is
		 * exactly "<= 2^k - 1". */
		if (ns)
			snprintf(le, sizeof(le), "%s%sle=\"%.12g\"", extra ? extra : "", extra ? "," : "",
				 (double)(1ULL << k) / 1e9);
		else
			snprintf(le, sizeof(le), "%s%sle=\"%llu\"", extra ? extra : "", extra ? "," : "",
				 (1ULL << k) - 1);
		fprintf(P->f, "%s_bucket", name);
		labels(P, g, le);
		fprintf(P->f, " %" PRIu64 "\n", hist__count_below(h, 1ULL << k));
	}
	snprintf(le, sizeof(le), "%s%sle=\"+Inf\"", extra ? extra : "", extra ? "," : "");
	fprintf(P->f, "%s_bucket", name);
	labels(P, g, le);
	fprintf(P->f, " %" PRIu64 "\n%s_sum", total, name);
	labels(P, g, extra);
	fputc(' ', P->f);
	fmt_double(P->f, ns ? h->sum / 1e9 : (double)h->sum);
	fprintf(P->f, "\n%s_count", name);
	labels(P, g, extra);
	/* The bucket total, not h->count: +Inf must equal _count. */
	fprintf(P->f, " %" PRIu64 "\n", total);
}

static void syscall_label(char *buf, size_t len, int nr)
{
	snprintf(buf, len, "syscall=\"%s\"", syscall__name(nr));
}

static void prom__syscalls(struct prom *P)
{
	static const struct { const char *name, *help; int what; } fams[] = {
		{ "fastpath_syscalls_total", "System calls completed, by command name and syscall.", 0 },
		{ "fastpath_syscall_errors_total", "System calls that returned an error (-4095..-1).", 1 },
		{ "fastpath_syscall_seconds_total", "Time spent inside system calls (entry to exit).", 2 },
	};
	char l[64];

	for (size_t k = 0; k < sizeof(fams) / sizeof(fams[0]); k++) {
		family(P, fams[k].name, "counter", fams[k].help);
		for (size_t i = 0; i < P->n; i++)
			for (size_t j = 0; j < P->g[i].sum.nsys; j++) {
				const struct fp_sys_stat *s = &P->g[i].sum.sys[j];

				syscall_label(l, sizeof(l), s->nr);
				if (fams[k].what < 2) {
					sample_u64(P, fams[k].name, &P->g[i], l, fams[k].what ? s->errors : s->calls);
					continue;
				}
				fputs(fams[k].name, P->f);
				labels(P, &P->g[i], l);
				fputc(' ', P->f);
				fmt_double(P->f, s->total_ns / 1e9);
				fputc('\n', P->f);
			}
	}
	family(P, "fastpath_syscall_latency_seconds", "histogram",
	       "Latency of system calls, from the in-kernel log-linear buckets.");
	for (size_t i = 0; i < P->n; i++)
		for (size_t j = 0; j < P->g[i].sum.nsys; j++) {
			syscall_label(l, sizeof(l), P->g[i].sum.sys[j].nr);
			histogram(P, "fastpath_syscall_latency_seconds", &P->g[i], l, &P->g[i].sum.sys[j].lat, true);
		}
}

/* The Go park histograms (model/gopark.h titles them "parked: REASON"):
 * one family with the reason as a label, a bounded set (the runtime has
 * fewer than 64 reasons, and a group at most FP_GROUP_MAX_HISTS
 * histograms).  The names come from the binary: escaped. */
#define GOPARK_HIST "parked: "
static void prom__gopark(struct prom *P)
{
	const char *name = "fastpath_go_park_seconds";
	bool any = false;

	for (size_t i = 0; i < P->n; i++)
		for (size_t j = 1; j < P->g[i].nhists; j++) {
			const struct fp_group_hist *gh = &P->g[i].hists[j];
			char l[512];
			FILE *m;

			if (strncmp(gh->name, GOPARK_HIST, strlen(GOPARK_HIST)))
				continue;
			if (!any)
				family(P, name, "histogram", "How long Go goroutines stayed parked (until run again), by the runtime's park reason (--parks).");
			any = true;
			m = fmemopen(l, sizeof(l), "w");
			if (!m)
				continue;
			fputs("reason=\"", m);
			prom__label_value(m, gh->name + strlen(GOPARK_HIST));
			fputc('"', m);
			if (fclose(m) || !memchr(l, 0, sizeof(l)))
				continue;	/* did not fit: not written half */
			histogram(P, name, &P->g[i], l, &gh->h, true);
		}
}

/* Histograms of the sections (every one after the merged syscall latency,
 * which is the sum of the per-syscall ones above). */
static void prom__section_hists(struct prom *P)
{
	char name[96], seen[FP_GROUP_MAX_HISTS][96];
	size_t nseen = 0;

	for (size_t i = 0; i < P->n; i++)
		for (size_t j = 1; j < P->g[i].nhists && nseen < FP_GROUP_MAX_HISTS; j++) {
			const struct fp_group_hist *gh = &P->g[i].hists[j];
			bool dup = false;

			if (!strncmp(gh->name, GOPARK_HIST, strlen(GOPARK_HIST)))
				continue;	/* one family, by reason: prom__gopark */
			prom__hist_name(gh->name, gh->unit, name, sizeof(name));
			for (size_t k = 0; k < nseen; k++)
				dup |= !strcmp(seen[k], name);
			if (dup)
				continue;
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", name);
			fprintf(P->f, "# HELP %s Histogram of %s (%s), from the in-kernel buckets.\n",
				name, gh->name, gh->unit);
			fprintf(P->f, "# TYPE %s histogram\n", name);
			/* Every group holding this histogram, together. */
			for (size_t a = i; a < P->n; a++)
				for (size_t b = 1; b < P->g[a].nhists; b++) {
					char other[96];

					prom__hist_name(P->g[a].hists[b].name, P->g[a].hists[b].unit, other, sizeof(other));
					if (!strcmp(other, name))
						histogram(P, name, &P->g[a], NULL, &P->g[a].hists[b].h,
							  !strcmp(gh->unit, "ns"));
				}
		}
}

static void counter_of(struct prom *P, const char *name, const char *help, int sec, size_t off)
{
	bool any = false;

	for (size_t i = 0; i < P->n; i++)
		any |= sec == 0 ? P->g[i].has_io : sec == 1 ? P->g[i].has_stat : P->g[i].has_alloc;
	if (!any)
		return;
	family(P, name, "counter", help);
	for (size_t i = 0; i < P->n; i++) {
		bool has = sec == 0 ? P->g[i].has_io : sec == 1 ? P->g[i].has_stat : P->g[i].has_alloc;

		if (has)
			sample_u64(P, name, &P->g[i], NULL, *(const uint64_t *)((const char *)&P->g[i] + off));
	}
}

/* One Go counter of the groups whose Go was probed in `mode`. */
static void go_counter(struct prom *P, const char *name, const char *help, int mode, bool bytes)
{
	bool any = false;

	for (size_t i = 0; i < P->n; i++)
		any |= P->g[i].has_go[mode];
	if (!any)
		return;
	family(P, name, "counter", help);
	for (size_t i = 0; i < P->n; i++)
		if (P->g[i].has_go[mode])
			sample_u64(P, name, &P->g[i], NULL, bytes ? P->g[i].go[mode].bytes : P->g[i].go[mode].calls);
}

/* The allocator by source.  Exact counts and Go's sampled estimates have
 * different names (a sum over a metric's series should mean one thing);
 * the function label has ten fixed values, and sites (stacks) are never
 * labels: their number is unbounded. */
static void prom__alloc(struct prom *P)
{
	bool any = false, libc = false;
	char l[48];

	for (size_t i = 0; i < P->n; i++) {
		any |= P->g[i].has_alloc;
		libc |= P->g[i].has_libc;
	}
	if (any) {
		family(P, "fastpath_alloc_estimated", "gauge",
		       "1 when the allocator totals of a command include estimates (Go's sampled mode).");
		for (size_t i = 0; i < P->n; i++)
			if (P->g[i].has_alloc)
				sample_u64(P, "fastpath_alloc_estimated", &P->g[i], NULL, P->g[i].alloc_estimated);
	}
	for (int bytes = 0; libc && bytes < 2; bytes++) {
		const char *name = bytes ? "fastpath_alloc_libc_bytes_total" : "fastpath_alloc_libc_calls_total";

		family(P, name, "counter", bytes ? "Bytes requested from libc's allocator, by function (exact)." :
		       "Calls of libc's allocator functions, free included (exact).");
		for (size_t i = 0; i < P->n; i++)
			for (int fn = 0; P->g[i].has_libc && fn < FP_ALLOC_LIBC_FNS; fn++) {
				if (bytes && fn == FP_ALLOC_FREE)
					continue;
				snprintf(l, sizeof(l), "function=\"%s\"", alloc__fn_name(fn));
				sample_u64(P, name, &P->g[i], l, bytes ? P->g[i].alloc_fn[fn].bytes : P->g[i].alloc_fn[fn].calls);
			}
	}
	go_counter(P, "fastpath_alloc_go_calls_total", "Go heap allocations, exact (every runtime.mallocgc call).",
		   FP_GO_EXACT, false);
	go_counter(P, "fastpath_alloc_go_bytes_total", "Bytes of Go heap allocations, exact.", FP_GO_EXACT, true);
	go_counter(P, "fastpath_alloc_go_estimated_calls_total",
		   "Go heap allocations estimated from heap-profile samples, scaled as pprof does.", FP_GO_SAMPLED, false);
	go_counter(P, "fastpath_alloc_go_estimated_bytes_total",
		   "Bytes of Go heap allocations estimated from heap-profile samples.", FP_GO_SAMPLED, true);
	for (size_t i = 0, first = 1; i < P->n; i++)
		if (P->g[i].has_go[FP_GO_SAMPLED]) {
			if (first)
				family(P, "fastpath_alloc_go_samples_total", "counter",
				       "Heap-profile samples the Go runtime took (runtime.mProf_Malloc calls), exact.");
			first = 0;
			sample_u64(P, "fastpath_alloc_go_samples_total", &P->g[i], NULL, P->g[i].go_samples);
		}
}

/* On-CPU time by mode, from the scheduler (exact); no stack labels: the
 * profile's stacks would make the series count unbounded. */
static void prom__cpu(struct prom *P)
{
	bool any = false;

	for (size_t i = 0; i < P->n; i++)
		any |= P->g[i].has_cpu;
	if (!any)
		return;
	family(P, "fastpath_cpu_seconds_total", "counter",
	       "On-CPU time from the scheduler's accounting (exact), by mode (user, system).");
	for (size_t i = 0; i < P->n; i++) {
		if (!P->g[i].has_cpu)
			continue;
		for (int m = 0; m < 2; m++) {
			fputs("fastpath_cpu_seconds_total", P->f);
			labels(P, &P->g[i], m ? "mode=\"system\"" : "mode=\"user\"");
			fputc(' ', P->f);
			fmt_double(P->f, (m ? P->g[i].cpu_system_ns : P->g[i].cpu_user_ns) / 1e9);
			fputc('\n', P->f);
		}
	}
}

static void prom__sections(struct prom *P)
{
	prom__cpu(P);
	counter_of(P, "fastpath_io_zero_copy_bytes_total", "Bytes moved without a copy through user space (sendfile, splice, ...).",
		   0, offsetof(struct fp_group, zc));
	counter_of(P, "fastpath_io_copy_bytes_total", "Bytes copied between the kernel and user space (read, write, ...).",
		   0, offsetof(struct fp_group, copy));
	counter_of(P, "fastpath_stat_calls_total", "Calls of the stat family (stat, statx, newfstatat, access, ...).",
		   1, offsetof(struct fp_group, stat_calls));
	counter_of(P, "fastpath_stat_errors_total", "Calls of the stat family that failed.",
		   1, offsetof(struct fp_group, stat_errors));
	counter_of(P, "fastpath_alloc_calls_total",
		   "Allocations (libc and Go; Go's sampled estimates included where fastpath_alloc_estimated is 1).",
		   2, offsetof(struct fp_group, alloc_calls));
	counter_of(P, "fastpath_alloc_bytes_total",
		   "Bytes requested from the allocator (libc and Go; estimates included where fastpath_alloc_estimated is 1).",
		   2, offsetof(struct fp_group, alloc_bytes));
	prom__alloc(P);
}

static void prom__procs(struct prom *P)
{
	char l[160];

	family(P, "fastpath_processes", "gauge", "Processes traced, by command name and state.");
	for (size_t i = 0; i < P->n; i++) {
		sample_u64(P, "fastpath_processes", &P->g[i], "state=\"running\"",
			   P->g[i].nprocs - P->g[i].nexited);
		sample_u64(P, "fastpath_processes", &P->g[i], "state=\"exited\"", P->g[i].nexited);
	}
	family(P, "fastpath_finding", "gauge",
	       "1 while a diagnosis (finding) holds for a command name; kind and severity as labels.");
	for (size_t i = 0; i < P->n; i++)
		for (size_t k = 0; k < P->g[i].sum.nfindings; k++) {
			const struct fp_finding *f = &P->g[i].sum.findings[k];
			char *p = l;
			size_t left = sizeof(l);
			int w = snprintf(p, left, "kind=\"");

			/* kind and severity are ours (identifiers), but a recording
			 * could say anything: identifier characters only. */
			for (const char *c = f->kind; *c && w < (int)left - 40; c++)
				if (isalnum((unsigned char)*c) || *c == '-' || *c == '_')
					p[w++] = *c;
			snprintf(p + w, left - w, "\",severity=\"%s\"", !strcmp(f->severity, "critical") ? "critical" :
				 !strcmp(f->severity, "warning") ? "warning" : "info");
			sample_u64(P, "fastpath_finding", &P->g[i], l, 1);
		}
}

static void prom__self(struct prom *P, const struct fp_snapshot *s)
{
	FILE *f = P->f;

	family(P, "fastpath_info", "gauge", "Constant 1; what fastpath is and where it runs, as labels.");
	fputs("fastpath_info{version=\"", f);
	prom__label_value(f, s->meta.version);
	fputs("\",host=\"", f);
	prom__label_value(f, s->meta.host);
	fputs("\",kernel=\"", f);
	prom__label_value(f, s->meta.kernel);
	fputs("\",target=\"", f);
	prom__label_value(f, s->meta.target);
	fputs("\"} 1\n", f);
	family(P, "fastpath_trace_duration_seconds", "gauge", "How long fastpath has been tracing.");
	fprintf(f, "fastpath_trace_duration_seconds %.9g\n", s->meta.duration_s);
	family(P, "fastpath_dropped_total", "counter", "Events that did not fit a bounded map, by reason.");
	for (int r = 0; r < FP_DROP_MAX; r++)
		if (strcmp(drop__name(r), "other") || s->drops[r])
			fprintf(f, "fastpath_dropped_total{reason=\"%s\"} %" PRIu64 "\n", drop__name(r), s->drops[r]);
	family(P, "fastpath_bpf_run_seconds_total", "counter",
	       "Kernel-reported run time of fastpath's BPF programs (0 unless run-time statistics are on).");
	fprintf(f, "fastpath_bpf_run_seconds_total %.9g\n", s->bpf_run_ns / 1e9);
	family(P, "fastpath_bpf_runs_total", "counter", "Runs of fastpath's BPF programs (0 unless statistics are on).");
	fprintf(f, "fastpath_bpf_runs_total %" PRIu64 "\n", s->bpf_run_cnt);
	if (P->o->self_cpu_s >= 0) {
		family(P, "fastpath_self_cpu_seconds_total", "counter", "CPU time of the fastpath process itself (user + system).");
		fprintf(f, "fastpath_self_cpu_seconds_total %.9g\n", P->o->self_cpu_s);
	}
	if (P->o->read_s >= 0) {
		family(P, "fastpath_snapshot_read_seconds", "gauge", "Time the last read of the in-kernel maps took.");
		fprintf(f, "fastpath_snapshot_read_seconds %.9g\n", P->o->read_s);
	}
}

void prom__write(FILE *f, const struct fp_snapshot *s, const struct fp_prom_opts *o)
{
	struct prom P = { .f = f, .o = o };

	if (groups__of(s, o->pid_label, &P.g, &P.n) || groups__merge(&P.g, &P.n, o->gone, o->ngone)) {
		/* Out of memory: still a valid exposition, with our own metrics. */
		groups__free(P.g, P.n);
		P.g = NULL;
		P.n = 0;
	}
	prom__self(&P, s);
	prom__procs(&P);
	prom__syscalls(&P);
	prom__sections(&P);
	prom__section_hists(&P);
	prom__gopark(&P);
	groups__free(P.g, P.n);
}
