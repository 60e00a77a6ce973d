#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/detail.h"
#include "views/topfmt.h"
#include "views/units.h"
#include "model/syscalls.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/cgroup.h"

#define MAX_HISTS 32
#define HIST_ROWS 24

/* Words of s on lines of at most width characters, each indented. */
static void detail__wrap(struct detail *det, int kind, const char *s, int indent, int width)
{
	int avail = width - indent > 20 ? width - indent : 20;
	const char *p = s;

	while (*p) {
		int n = (int)strlen(p), cut = n;

		if (n > avail) {
			cut = avail;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut)
				cut = avail;
		}
		detail__add(det, kind, "%*s%.*s", indent, "", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* Where it runs: cgroup, container, namespace pid (detail__add escapes). */
static void detail__where(struct detail *det, const struct fp_proc *p)
{
	struct fp_container c;
	bool ctr = cgroup__parse(p->cgroup, &c);
	char ns[32] = "";

	if (p->nspid && p->nspid != p->pid)
		snprintf(ns, sizeof(ns), "   nspid %d", p->nspid);
	if (ctr)
		detail__add(det, DL_TEXT, "  container %s %s%s", c.runtime, c.id, ns);
	if (p->cgroup)
		detail__add(det, DL_TEXT, "  cgroup %s%s", p->cgroup, ctr ? "" : ns);
	else if (ns[0])
		detail__add(det, DL_TEXT, " %s", ns);
}

static void detail__summary(struct detail *det, const struct fp_proc *p, double secs)
{
	char a[16], b[16], c[16], e[16];
	struct fp_hist h;
	double ratio;

	detail__add(det, DL_TITLE, "pid %d (%s) %s%s", p->pid, p->comm, p->exe ? p->exe : "",
		    p->exited ? "  [exited]" : "");
	detail__where(det, p);
	proc__sys_hist(p, &h);
	detail__add(det, DL_TEXT, "  syscalls %s/s   errors %s/s   p50 %s   p99 %s   (interval %.2f s)",
		    units__num5(proc__sys_calls(p) / secs, a, sizeof(a)),
		    units__num5(proc__sys_errors(p) / secs, b, sizeof(b)),
		    h.count ? units__ns5(hist__percentile(&h, 0.5), c, sizeof(c)) : "-",
		    h.count ? units__ns5(hist__percentile(&h, 0.99), e, sizeof(e)) : "-", secs);
	if (p->stat)
		detail__add(det, DL_TEXT, "  stat family %s calls/s, %s errors/s",
			    units__num5(stat_stats__calls(p->stat) / secs, a, sizeof(a)),
			    units__num5(stat_stats__errors(p->stat) / secs, b, sizeof(b)));
	if (p->io) {
		ratio = io_stats__zero_copy_ratio(p->io);
		if (ratio >= 0)
			snprintf(e, sizeof(e), "%.0f%%", ratio * 100);
		detail__add(det, DL_TEXT, "  data path: copied %s MiB/s, zero-copy %s MiB/s, zero-copy share %s",
			    units__mib5(io_stats__copy_bytes(p->io) / secs, a, sizeof(a)),
			    units__mib5(io_stats__zero_copy_bytes(p->io) / secs, b, sizeof(b)),
			    ratio >= 0 ? e : "-");
	}
	if (p->alloc)
		detail__add(det, DL_TEXT, "  allocator: %s calls/s, %s MiB/s",
			    units__num5(alloc_stats__calls(p->alloc) / secs, a, sizeof(a)),
			    units__mib5(alloc_stats__bytes(p->alloc) / secs, b, sizeof(b)));
}

static void detail__findings(struct detail *det, const struct fp_proc *p, int width)
{
	detail__add(det, DL_TEXT, "%s", "");
	if (!p->nfindings) {
		detail__add(det, DL_TITLE, "FINDINGS: none in this interval");
		return;
	}
	detail__add(det, DL_TITLE, "FINDINGS (%zu)", p->nfindings);
	for (size_t i = 0; i < p->nfindings; i++) {
		const struct fp_finding *f = &p->findings[i];
		int sev = top__severity(f->severity);
		char *head = NULL;

		if (asprintf(&head, "[%s] %s: %s", f->severity, f->kind, f->summary) < 0)
			continue;
		detail__wrap(det, sev >= 3 ? DL_CRIT : sev == 2 ? DL_WARN : DL_TEXT, head, 2, width);
		free(head);
		if (f->detail && f->detail[0])
			detail__wrap(det, DL_TEXT, f->detail, 6, width);
	}
}

static int cmp_calls_desc(const void *a, const void *b)
{
	const struct fp_sys_stat *x = *(const struct fp_sys_stat *const *)a;
	const struct fp_sys_stat *y = *(const struct fp_sys_stat *const *)b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return x->nr - y->nr;
}

static void detail__syscalls(struct detail *det, const struct fp_proc *p, double secs)
{
	const struct fp_sys_stat **order = calloc(p->nsys ? p->nsys : 1, sizeof(*order));
	uint64_t total = proc__sys_time(p);
	char a[16], b[16], c[16], e[16];
	size_t n = 0;

	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "SYSCALLS (this interval)");
	if (!order)
		return;
	for (size_t i = 0; i < p->nsys; i++)
		if (p->sys[i].calls)
			order[n++] = &p->sys[i];
	if (!n) {
		detail__add(det, DL_DIM, "  no syscalls in this interval");
		free(order);
		return;
	}
	qsort(order, n, sizeof(*order), cmp_calls_desc);
	detail__add(det, DL_TEXT, "  %-20s %7s %7s %7s %7s %6s", "syscall", "calls/s", "err/s", "p50", "p99", "time%");
	for (size_t i = 0; i < n; i++) {
		const struct fp_sys_stat *s = order[i];

		detail__add(det, DL_TEXT, "  %-20s %7s %7s %7s %7s %6.1f", syscall__name(s->nr),
			    units__num5(s->calls / secs, a, sizeof(a)),
			    units__num5(s->errors / secs, b, sizeof(b)),
			    units__ns5(hist__percentile(&s->lat, 0.5), c, sizeof(c)),
			    units__ns5(hist__percentile(&s->lat, 0.99), e, sizeof(e)),
			    total ? 100.0 * s->total_ns / total : 0.0);
	}
	free(order);
}

static void detail__hist(struct detail *det, const struct fp_named_hist *nh, int width)
{
	struct fp_hist_row rows[HIST_ROWS];
	char lo[16], hi[16], bar[256], p50[16], p99[16], mx[16];
	size_t n = hist__pow2_rows(nh->h, rows, HIST_ROWS);
	uint64_t max = 0;
	/* "  [lo   , hi   ) " + bar + " count pct" */
	int bar_w = width - 17 - 18;

	detail__add(det, DL_TEXT, "  %s: %llu samples, p50 %s, p99 %s, max %s", nh->name,
		    (unsigned long long)nh->h->count,
		    units__axis(hist__percentile(nh->h, 0.5), nh->unit, p50, sizeof(p50)),
		    units__axis(hist__percentile(nh->h, 0.99), nh->unit, p99, sizeof(p99)),
		    units__axis(nh->h->max, nh->unit, mx, sizeof(mx)));
	if (bar_w < 10)
		bar_w = 10;
	if (bar_w > (int)sizeof(bar) - 1)
		bar_w = sizeof(bar) - 1;
	for (size_t i = 0; i < n; i++)
		if (rows[i].count > max)
			max = rows[i].count;
	for (size_t i = 0; i < n; i++) {
		struct detail_line *l;
		char *text = NULL;

		topfmt__bar(rows[i].count, max, bar_w, bar, sizeof(bar));
		if (asprintf(&text, "  [%5s, %5s) %-*s %10llu %5.1f%%",
			     units__axis(rows[i].lo, nh->unit, lo, sizeof(lo)),
			     units__axis(rows[i].hi, nh->unit, hi, sizeof(hi)), bar_w, bar,
			     (unsigned long long)rows[i].count,
			     nh->h->count ? 100.0 * rows[i].count / nh->h->count : 0.0) < 0)
			continue;
		l = detail__push(det, DL_TEXT, text);
		if (l) {
			l->bar_x = 17;
			l->bar_len = (int)strlen(bar);
		}
	}
}

static void detail__hists(struct detail *det, const struct fp_proc *p, int width)
{
	struct fp_named_hist nh[MAX_HISTS];
	struct fp_hist merged;
	size_t n = proc__hists(p, &merged, nh, MAX_HISTS), shown = 0;

	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "HISTOGRAMS (this interval)");
	for (size_t i = 0; i < n; i++) {
		if (!nh[i].h || !nh[i].h->count)
			continue;
		if (shown++)
			detail__add(det, DL_TEXT, "%s", "");
		detail__hist(det, &nh[i], width);
	}
	if (!shown)
		detail__add(det, DL_DIM, "  no samples in this interval");
}

void detail__proc(struct detail *det, const struct fp_proc *p, double secs, int width)
{
	if (secs <= 0)
		secs = 1;
	detail__summary(det, p, secs);
	detail__findings(det, p, width);
	if (p->cpu)
		detail__cpu(det, p->cpu, secs, width);
	if (p->sched)
		detail__sched(det, p->sched, secs, width);
	detail__syscalls(det, p, secs);
	detail__hists(det, p, width);
	if (p->io)
		detail__io(det, p->io, secs);
	if (p->stat)
		detail__stat(det, p->stat, secs, width);
	if (p->alloc)
		detail__alloc(det, p->alloc, secs, width);
	if (p->gopark)
		detail__gopark(det, p->gopark, secs, width);
}

void detail__help(struct detail *det)
{
	static const char *const keys[] = {
		"Up/Down j/k    move the selection; PgUp/PgDn, Home/End: by page, to the ends",
		"Enter          detail of the selected process; Esc goes back",
		"< >            sort by the column to the left/right; I inverts the order",
		"/              filter by name, pid, container id or cgroup name; Esc in the list clears it",
		"c              only the selected process's container (or systemd unit)",
		"p              pause the display (fastpath keeps counting)",
		"h ?            this help",
		"q              quit (Ctrl-C too)",
	};

	detail__add(det, DL_TITLE, "KEYS");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		detail__add(det, DL_TEXT, "  %s", keys[i]);
	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "COLUMNS (key: sort by it; again: reverse)");
	for (int c = 0; c < TOP_NCOLS; c++)
		detail__add(det, DL_TEXT, "  %c  %-16s %s%s%s", top_cols[c].key,
			    top_cols[c].group ? top_cols[c].group : "", top_cols[c].title,
			    strcmp(top_cols[c].title, top_cols[c].name) ? ": " : "",
			    strcmp(top_cols[c].title, top_cols[c].name) ? top_cols[c].name : "");
	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TEXT, "  Rates are per second over the last interval; '-' means not collected.");
	detail__add(det, DL_TEXT, "  Dimmed rows exited; they stay a few intervals.");
}
