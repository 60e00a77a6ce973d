#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "views/text.h"
#include "model/syscalls.h"
#include "model/alloc.h"
#include "util/escape.h"
#include "model/alloc_site.h"
#include "model/cgroup.h"

static int cmp_time_desc(const void *a, const void *b)
{
	const struct fp_sys_stat *x = *(const struct fp_sys_stat *const *)a;
	const struct fp_sys_stat *y = *(const struct fp_sys_stat *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return x->nr - y->nr;
}

void text__syscall_table(FILE *f, const struct fp_proc *p)
{
	const struct fp_sys_stat **order;
	uint64_t total = proc__sys_time(p);
	struct fp_hist all;

	order = calloc(p->nsys ? p->nsys : 1, sizeof(*order));
	if (!order)
		return;
	for (size_t i = 0; i < p->nsys; i++)
		order[i] = &p->sys[i];
	qsort(order, p->nsys, sizeof(*order), cmp_time_desc);
	fprintf(f, "%% time     seconds  usecs/call   p99 usecs     calls    errors syscall\n");
	fprintf(f, "------ ----------- ----------- ----------- --------- --------- ----------------\n");
	for (size_t i = 0; i < p->nsys; i++) {
		const struct fp_sys_stat *s = order[i];
		char errs[24] = "";

		if (!s->calls)
			continue;
		if (s->errors)
			snprintf(errs, sizeof(errs), "%llu", (unsigned long long)s->errors);
		fprintf(f, "%6.2f %11.6f %11.3f %11.3f %9llu %9s %s\n",
			total ? 100.0 * s->total_ns / total : 0.0, s->total_ns / 1e9,
			s->total_ns / 1e3 / s->calls, hist__percentile(&s->lat, 0.99) / 1e3,
			(unsigned long long)s->calls, errs, syscall__name(s->nr));
	}
	proc__sys_hist(p, &all);
	fprintf(f, "------ ----------- ----------- ----------- --------- --------- ----------------\n");
	fprintf(f, "100.00 %11.6f %11.3f %11.3f %9llu %9llu total\n", total / 1e9,
		all.count ? total / 1e3 / all.count : 0.0, hist__percentile(&all, 0.99) / 1e3,
		(unsigned long long)proc__sys_calls(p), (unsigned long long)proc__sys_errors(p));
	free(order);
}

/* "  cgroup PATH  container RUNTIME ID  nspid N": the names others chose
 * escaped. */
void text__where(FILE *f, const struct fp_proc *p)
{
	struct fp_container c;

	/* nothing to say: no line (a host process's nspid is its pid) */
	if (!p->cgroup && (!p->nspid || p->nspid == p->pid))
		return;
	fprintf(f, " ");
	if (p->cgroup)
		fprintf(f, " cgroup %s", ESC(p->cgroup));
	if (cgroup__parse(p->cgroup, &c))
		fprintf(f, "  container %s %s", c.runtime, c.id);
	if (p->nspid && p->nspid != p->pid)
		fprintf(f, "  nspid %d", p->nspid);
	fprintf(f, "\n");
}

static int cmp_proc_time(const void *a, const void *b)
{
	uint64_t x = proc__sys_time(*(const struct fp_proc *const *)a);
	uint64_t y = proc__sys_time(*(const struct fp_proc *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void text__findings(FILE *f, const struct fp_proc *p)
{
	for (size_t i = 0; i < p->nfindings; i++) {
		fprintf(f, "\n  [%s] %s: %s\n", ESC(p->findings[i].severity), ESC(p->findings[i].kind),
			ESC(p->findings[i].summary));
		if (p->findings[i].detail[0])
			fprintf(f, "    %s\n", ESC(p->findings[i].detail));
	}
}

void text__record(FILE *f, const struct fp_snapshot *s)
{
	const struct fp_proc **order = calloc(s->nprocs ? s->nprocs : 1, sizeof(*order));
	size_t n = 0;

	if (!order)
		return;
	for (size_t i = 0; i < s->nprocs; i++)
		order[n++] = &s->procs[i];
	qsort(order, n, sizeof(*order), cmp_proc_time);
	for (size_t i = 0; i < n; i++) {
		const struct fp_proc *p = order[i];

		fprintf(f, "%spid %d (%s)%s%s", i ? "\n" : "", p->pid, ESC(p->comm),
			p->exe ? " " : "", ESC(p->exe));
		if (p->exited)
			fprintf(f, " [exited]");
		fprintf(f, "\n");
		text__where(f, p);
		text__cpu(f, p, snapshot__proc_secs(s, p));
		text__sched(f, p);
		text__syscall_table(f, p);
		text__alloc(f, p);
		text__stat_summary(f, p, snapshot__proc_secs(s, p));
		text__io(f, p);
		text__gopark(f, p, snapshot__proc_secs(s, p));
		text__findings(f, p);
	}
	if (!n)
		fprintf(f, "no activity recorded from the target\n");
	for (int r = 0; r < FP_DROP_MAX; r++)
		if (s->drops[r])
			fprintf(f, "dropped: %llu (%s)\n", (unsigned long long)s->drops[r], drop__name(r));
	free(order);
}

/* The allocator summary under a process's syscall table (record). */
void text__alloc(FILE *f, const struct fp_proc *p)
{
	const struct fp_alloc_stats *a = p->alloc;
	const struct fp_alloc_site *top[3];
	char chain[1024];
	size_t nsites;
	const char *est;

	if (!a)
		return;
	est = alloc_stats__estimated(a) ? " (estimated)" : "";
	fprintf(f, "\nallocations%s: %llu calls, %llu bytes requested", est,
		(unsigned long long)alloc_stats__calls(a), (unsigned long long)alloc_stats__bytes(a));
	if (a->size.count)
		fprintf(f, ", size p50 %llu p99 %llu max %llu",
			(unsigned long long)hist__percentile(&a->size, 0.5),
			(unsigned long long)hist__percentile(&a->size, 0.99), (unsigned long long)a->size.max);
	fprintf(f, "\n");
	if (a->libc) {
		fprintf(f, "  libc:");
		for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
			if (a->fn[i].calls)
				fprintf(f, " %s %llu", alloc__fn_name(i), (unsigned long long)a->fn[i].calls);
		fprintf(f, "\n");
	}
	if (a->go.mode != FP_GO_NONE) {
		fprintf(f, "  go (%s, %s): %llu allocations, %llu bytes%s", ESC(a->go.version),
			alloc__go_mode_name(a->go.mode), (unsigned long long)a->go.calls,
			(unsigned long long)a->go.bytes, a->go.estimated ? " (estimated)" : "");
		if (a->go.mode == FP_GO_SAMPLED)
			fprintf(f, " (± %.0f allocations, 1 s.e.) from %llu samples at MemProfileRate %lld",
				sqrt(a->go.calls_var), (unsigned long long)a->go.samples, (long long)a->go.rate);
		if (a->go.mode == FP_GO_EXACT && !a->go.complete)
			fprintf(f, " [INCOMPLETE for this Go version]");
		fprintf(f, "\n");
		if (a->go.entries[0])
			fprintf(f, "  go probes: %s\n", ESC(a->go.entries));
	}
	nsites = alloc_sites__ranked(a, top, 3);
	for (size_t i = 0; i < nsites; i++)
		fprintf(f, "  site %zu: %llu calls, %llu bytes: %s\n", i + 1, (unsigned long long)top[i]->calls,
			(unsigned long long)top[i]->bytes, ESC(alloc_site__chain(top[i], 5, " <- ", chain, sizeof(chain))));
	if (a->notes)
		fprintf(f, "  note: %s\n", ESC(a->notes));
}
