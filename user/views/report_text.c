/* The text report: what an incident review pastes into its document. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "views/report.h"
#include "views/text.h"
#include "views/units.h"
#include "views/diff_text.h"
#include "model/syscalls.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "util/escape.h"

/* Bars per power of two, marking the rows holding p50/p90/p99. */
void report_text__hist(FILE *f, const struct fp_named_hist *nh)
{
	const struct fp_hist *h = nh->h;
	struct fp_hist_row rows[FP_HIST_ROWS];
	uint64_t pv[3] = { hist__percentile(h, 0.5), hist__percentile(h, 0.9), hist__percentile(h, 0.99) };
	size_t n = hist__pow2_rows(h, rows, FP_HIST_ROWS);
	uint64_t top = 0;
	char a[32], b[32], c[32], d[32];

	for (size_t r = 0; r < n; r++)
		if (rows[r].count > top)
			top = rows[r].count;
	fprintf(f, "  %s (%s): %" PRIu64 " samples, p50 %s, p90 %s, p99 %s, max %s\n", ESC(nh->name), nh->unit,
		h->count, units__val(pv[0], nh->unit, a, 32), units__val(pv[1], nh->unit, b, 32),
		units__val(pv[2], nh->unit, c, 32), units__val(h->max, nh->unit, d, 32));
	for (size_t r = 0; r < n; r++) {
		uint64_t lo = rows[r].lo, hi = rows[r].hi;
		int w = top ? (int)((rows[r].count * 40 + top - 1) / top) : 0;
		char bar[41], marks[16] = "";

		memset(bar, '#', w);
		bar[w] = 0;
		for (int k = 0; k < 3; k++)
			if (pv[k] >= lo && pv[k] < hi)
				snprintf(marks + strlen(marks), sizeof(marks) - strlen(marks), " p%d",
					 (int[]){ 50, 90, 99 }[k]);
		fprintf(f, "    %10s - %-10s |%-40s| %10" PRIu64 "%s\n", units__val(lo, nh->unit, a, 32),
			hi == UINT64_MAX ? "inf" : units__val(hi, nh->unit, b, 32), bar, rows[r].count, marks);
	}
}

static void text__stat(FILE *f, const struct fp_stat_stats *st, double secs)
{
	char buf[FP_STAT_DIR_DEPTH * FP_STAT_NAME_LEN + 2];
	double rr = stat_stats__repeat_ratio(st);

	fprintf(f, "stat family: %" PRIu64 " calls (%s), %" PRIu64 " errors", stat_stats__calls(st),
		stat__rates(st, secs, buf, sizeof(buf)), stat_stats__errors(st));
	for (int e = 0; e < FP_STAT_NERR; e++)
		if (stat_stats__errno(st, e))
			fprintf(f, ", %" PRIu64 " %s", stat_stats__errno(st, e), stat__err_name(e));
	if (rr >= 0)
		fprintf(f, "; repeat ratio %.0f%% over %" PRIu64 " distinct paths", rr * 100, st->distinct_paths);
	fprintf(f, "\n");
	for (size_t i = 0; i < st->npaths && i < FP_STAT_TOP; i++)
		fprintf(f, "  %10" PRIu64 " calls %8" PRIu64 " errors  %s%s\n", st->paths[i].calls, st->paths[i].errors,
			st->paths[i].path ? ESC(st->paths[i].path) : "(path not captured)", st->paths[i].truncated ? "..." : "");
	for (size_t i = 0; i < st->ndirs && i < FP_STAT_TOP; i++)
		fprintf(f, "  %10" PRIu64 " calls %8" PRIu64 " errors  under %s\n", st->dirs[i].calls, st->dirs[i].errors,
			ESC(stat__subtree(st->dirs[i].dir, buf, sizeof(buf))));
}

/* The data path by syscall and fd kinds, most bytes first (the exact
 * cells the kernel aggregated). */
static void text__io_cells(FILE *f, const struct fp_io_stats *io)
{
	size_t n;
	const struct fp_io_cell **v = io_stats__cells_by_bytes(io, &n);
	char b[32];

	if (!v)
		return;
	for (size_t i = 0; i < n && i < 10; i++)
		fprintf(f, "  %12s %10" PRIu64 " calls  %-16s %s -> %s\n", units__val(v[i]->bytes, "B", b, sizeof(b)),
			v[i]->calls, syscall__name(v[i]->nr), io__kind_name(v[i]->src), io__kind_name(v[i]->dst));
	free(v);
}

static void text__sections(FILE *f, const struct fp_proc *p, double secs)
{
	char a[32], b[32];

	if (p->io) {
		double r = io_stats__zero_copy_ratio(p->io);

		fprintf(f, "data path: zero-copy %s, copied %s", units__val(io_stats__zero_copy_bytes(p->io), "B", a, 32),
			units__val(io_stats__copy_bytes(p->io), "B", b, 32));
		if (r >= 0)
			fprintf(f, ", zero-copy share %.1f%%", r * 100);
		fprintf(f, "\n");
		text__io_cells(f, p->io);
	}
	if (p->stat)
		text__stat(f, p->stat, secs);
	if (p->alloc)
		report_text__alloc(f, p->alloc, secs);
	report_text__gopark(f, p, secs);
}

static void text__proc(FILE *f, const struct fp_proc *p, double secs)
{
	struct fp_named_hist nh[FP_REPORT_MAX_HISTS];
	struct fp_hist merged;
	size_t n;
	char t[32];

	fprintf(f, "\n== pid %d (%s) %s", p->pid, ESC(p->comm), p->exe ? ESC(p->exe) : "(exe unknown)");
	if (p->exited)
		fprintf(f, " [exited, %s]", units__exit(p->exit_code, (char[48]){ 0 }, 48));
	fprintf(f, "\n");
	text__where(f, p);
	fprintf(f, "%" PRIu64 " syscalls (%.0f/s), %" PRIu64 " errors, %s in syscalls\n",
		proc__sys_calls(p), proc__sys_calls(p) / secs, proc__sys_errors(p),
		units__dur(proc__sys_time(p), t, sizeof(t)));
	report_text__cpu(f, p, secs);
	text__sched(f, p);
	if (p->nsys)
		text__syscall_table(f, p);
	text__sections(f, p, secs);
	for (size_t i = 0; i < p->nfindings; i++)
		fprintf(f, "finding [%s] %s: %s%s%s\n", ESC(p->findings[i].severity), ESC(p->findings[i].kind),
			ESC(p->findings[i].summary), p->findings[i].detail[0] ? "\n    " : "", ESC(p->findings[i].detail));
	n = proc__hists(p, &merged, nh, FP_REPORT_MAX_HISTS);
	for (size_t i = 0; i < n; i++)
		if (nh[i].h->count)
			report_text__hist(f, &nh[i]);
}

void report_text__write(FILE *f, const struct fp_snapshot *s, const char *name)
{
	const struct fp_proc **order;
	size_t n, nf = 0;
	char desc[512];

	report__describe(s, desc, sizeof(desc));
	fprintf(f, "fastpath report of %s\n%s\n", ESC(name), ESC(desc));
	order = report__order(s, &n);
	if (!order)
		return;
	fprintf(f, "\nFindings\n");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < order[i]->nfindings; k++, nf++)
			fprintf(f, "  [%s] %s (pid %d): %s: %s\n", ESC(order[i]->findings[k].severity),
				ESC(order[i]->comm), order[i]->pid, ESC(order[i]->findings[k].kind),
				ESC(order[i]->findings[k].summary));
	if (!nf)
		fprintf(f, "  none\n");
	for (int r = 0; r < FP_DROP_MAX; r++)
		if (s->drops[r])
			fprintf(f, "dropped: %" PRIu64 " (%s): the numbers below miss these\n", s->drops[r], drop__name(r));
	if (!n)
		fprintf(f, "\nno activity recorded from the target\n");
	for (size_t i = 0; i < n; i++)
		text__proc(f, order[i], snapshot__proc_secs(s, order[i]));
	free(order);
}

static void who(const struct fp_change *c, char *buf, size_t len)
{
	if (c->pid)
		snprintf(buf, len, "%s (pid %d)", c->comm, c->pid);
	else if (c->nprocs_before > 1 || c->nprocs_after > 1)
		snprintf(buf, len, "%s (%d -> %d processes)", c->comm, c->nprocs_before, c->nprocs_after);
	else
		snprintf(buf, len, "%s", c->comm);
}

void report_text__diff(FILE *f, const struct fp_diff *d, const char *before, const char *after)
{
	char w[64], text[FP_CHANGE_TEXT];

	fprintf(f, "fastpath diff\n  before: %s (%.2f s)\n  after:  %s (%.2f s)\n", ESC(before), d->before_s,
		ESC(after), d->after_s);
	fprintf(f, "rates are per second of each recording; largest change first\n\n");
	if (!d->n)
		fprintf(f, "no change of 1.5x or more\n");
	for (size_t i = 0; i < d->n; i++) {
		who(&d->v[i], w, sizeof(w));
		/* both composed raw from recorded names: escaped once, here */
		fprintf(f, "%3zu. %s: %s\n", i + 1, ESC(w), ESC(diff_text__change(&d->v[i], text, sizeof(text))));
	}
}
