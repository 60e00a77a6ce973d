/*
 * The HTML report: one self-contained file for an incident review.  Inline
 * CSS and SVG only: no scripts, fonts or images fetched from anywhere, so it
 * opens offline and prints (each plot avoids page breaks).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "views/report.h"
#include "views/units.h"
#include "views/diff_text.h"
#include "model/syscalls.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/cgroup.h"

#define W 680		/* plot width */
#define PX0 60		/* plot area */
#define PX1 660
#define PY0 22
#define PY1 150
#define PH 190		/* histogram svg height */

static const char css[] =
	"body{font:14px/1.4 sans-serif;color:#111;max-width:760px;margin:1.5em auto;padding:0 1em}"
	"h1{font-size:1.5em;margin:0}h2{font-size:1.2em;border-bottom:2px solid #335;margin-top:2em}"
	"h3{font-size:1em;margin:1.2em 0 .3em}.meta{color:#444}"
	"table{border-collapse:collapse;margin:.4em 0}td,th{padding:2px 8px;border-bottom:1px solid #ccc;"
	"text-align:left;vertical-align:top}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	".critical{color:#a00;font-weight:bold}.warning{color:#a50;font-weight:bold}.info{color:#255}"
	"svg{display:block;margin:.3em 0}svg text{font:11px sans-serif;fill:#222}"
	".bar{fill:#4a72b0}.zc{fill:#3a9a5b}.cp{fill:#d9822b}.pct{stroke:#a00;stroke-width:1.5;stroke-dasharray:4 3}"
	".axis{stroke:#555;stroke-width:1}.grid{stroke:#ddd;stroke-width:1}.before{fill:#999}.after{fill:#4a72b0}"
	"figure,section.plot,table{break-inside:avoid;page-break-inside:avoid}figure{margin:.5em 0}"
	"figcaption{font-weight:bold;font-size:.95em}.none{color:#666;font-style:italic}"
	".annot td{font-size:12px;padding:0 6px}.annot tr.hot{background:#fde2d2}svg.flame text{font:11px monospace}"
	"@media print{body{max-width:none;margin:0}h2{break-before:auto;break-after:avoid}}";

static void head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
	html__puts(f, title);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n", css);
}

/* ---- histogram plot ----------------------------------------------------- */

static double xlog(uint64_t v)
{
	return log2(v ? (double)v : 0.5);
}

struct axis {
	double lo, hi;	/* log2 range */
};

static double axis__x(const struct axis *a, double l)
{
	return PX0 + (l - a->lo) / (a->hi - a->lo) * (PX1 - PX0);
}

static void ticks(FILE *f, const struct axis *a, const char *unit)
{
	char buf[32];
	int step = 1;

	if (!strcmp(unit, "ns")) {
		/* decades read best for times */
		for (double v = 1; v < 1e13; v *= 10) {
			double l = log2(v), x;

			if (l < a->lo - 1e-9 || l > a->hi + 1e-9)
				continue;
			x = axis__x(a, l);
			fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
				"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				x, PY0, x, PY1, x, PY1 + 14, units__dur((uint64_t)v, buf, sizeof(buf)));
		}
		return;
	}
	while ((a->hi - a->lo) / step > 8)
		step *= 2;
	for (int k = (int)ceil(a->lo); k <= (int)floor(a->hi); k++) {
		double x;

		if (k < 0 || k % step)
			continue;
		x = axis__x(a, k);
		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			x, PY0, x, PY1, x, PY1 + 14, units__val3g(ldexp(1, k), unit, buf, sizeof(buf)));
	}
}

static void hist_range(const struct fp_hist *h, struct axis *a, uint64_t *top)
{
	uint64_t lo, hi;
	int first, last;

	*top = 0;
	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		if (h->b[i] > *top)
			*top = h->b[i];
	hist__span(h, &first, &last);
	hist__bucket_bounds(first, &lo, &hi);
	a->lo = floor(xlog(lo));
	hist__bucket_bounds(last, &lo, &hi);
	a->hi = ceil(hi == UINT64_MAX ? xlog(lo) + 1 : xlog(hi));
	if (a->hi - a->lo < 3)
		a->hi = a->lo + 3;
}

static void hist_bars(FILE *f, const struct fp_hist *h, const struct axis *a, uint64_t top, const char *unit)
{
	char b1[32], b2[32];

	for (int i = 0; i < FP_HIST_BUCKETS; i++) {
		uint64_t lo, hi;
		double x0, x1, y;

		if (!h->b[i])
			continue;
		hist__bucket_bounds(i, &lo, &hi);
		x0 = axis__x(a, xlog(lo));
		x1 = axis__x(a, hi == UINT64_MAX ? xlog(lo) + 1 : xlog(hi));
		y = PY1 - (double)h->b[i] / top * (PY1 - PY0);
		if (PY1 - y < 1)
			y = PY1 - 1;	/* a non-empty bucket stays visible */
		fprintf(f, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
			"<title>%s to %s: %" PRIu64 "</title></rect>\n", x0, y, fmax(x1 - x0 - 0.5, 0.8), PY1 - y,
			units__val3g(lo, unit, b1, 32), hi == UINT64_MAX ? "inf" : units__val3g(hi, unit, b2, 32), h->b[i]);
	}
}

static void hist_percentiles(FILE *f, const struct fp_hist *h, const struct axis *a, const char *unit)
{
	static const double q[3] = { 0.5, 0.9, 0.99 };
	static const char *const name[3] = { "p50", "p90", "p99" };
	char buf[32];

	for (int k = 0; k < 3; k++) {
		uint64_t v = hist__percentile(h, q[k]);
		double x = axis__x(a, xlog(v));

		fprintf(f, "<line class=\"pct\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s %s</text>\n", x, PY0 - 4 + 0, x, PY1,
			x + (x > W / 2 ? -3 : 3), PY0 + 10 + 12 * k, x > W / 2 ? "end" : "start", name[k],
			units__val3g(v, unit, buf, sizeof(buf)));
	}
}

static void html__hist(FILE *f, const struct fp_named_hist *nh)
{
	const struct fp_hist *h = nh->h;
	struct axis a;
	uint64_t top;
	char b[4][32];

	if (!h->count)
		return;
	hist_range(h, &a, &top);
	fputs("<figure><figcaption>", f);
	html__puts(f, nh->name);
	fprintf(f, "</figcaption>\n<svg class=\"hist\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">"
		"<title>", W, PH, W, PH);
	html__puts(f, nh->name);
	fprintf(f, ": %" PRIu64 " samples, p50 %s, p90 %s, p99 %s, max %s</title>\n", h->count,
		units__val3g(hist__percentile(h, 0.5), nh->unit, b[0], 32), units__val3g(hist__percentile(h, 0.9), nh->unit, b[1], 32),
		units__val3g(hist__percentile(h, 0.99), nh->unit, b[2], 32), units__val3g(h->max, nh->unit, b[3], 32));
	ticks(f, &a, nh->unit);
	hist_bars(f, h, &a, top, nh->unit);
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", PX0, PY1, PX1, PY1, PX0, PY0, PX0, PY1);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRIu64 "</text>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", PX0 - 4, PY0 + 4, top, PX0 - 4, PY1);
	hist_percentiles(f, h, &a, nh->unit);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">samples per bucket; %s on a log scale (%" PRIu64
		" samples, max %s)</text>\n</svg></figure>\n", (PX0 + PX1) / 2, PH - 8,
		!strcmp(nh->unit, "ns") ? "time" : "size", h->count, b[3]);
}

/* ---- per process -------------------------------------------------------- */

static int cmp_sys_time(const void *a, const void *b)
{
	const struct fp_sys_stat *x = *(const struct fp_sys_stat *const *)a;
	const struct fp_sys_stat *y = *(const struct fp_sys_stat *const *)b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->nr - y->nr;
}

/* Horizontal bars of the time spent per syscall, busiest 15. */
static void html__sys_bars(FILE *f, const struct fp_proc *p)
{
	const struct fp_sys_stat **v = calloc(p->nsys ? p->nsys : 1, sizeof(*v));
	uint64_t total = proc__sys_time(p), top;
	size_t n = 0;
	char t[32];

	if (!v)
		return;
	for (size_t i = 0; i < p->nsys; i++)
		if (p->sys[i].calls)
			v[n++] = &p->sys[i];
	qsort(v, n, sizeof(*v), cmp_sys_time);
	if (n > 15)
		n = 15;
	top = n ? v[0]->total_ns : 0;
	fprintf(f, "<h3>Time in syscalls</h3>\n<svg class=\"sysbars\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\">"
		"<title>time per syscall</title>\n", W, n * 18 + 8, W, n * 18 + 8);
	for (size_t i = 0; i < n; i++) {
		double w = top ? (double)v[i]->total_ns / top * 360 : 0;

		fprintf(f, "<text x=\"118\" y=\"%zu\" text-anchor=\"end\">%s</text>"
			"<rect class=\"bar\" x=\"124\" y=\"%zu\" width=\"%.1f\" height=\"13\"/>"
			"<text x=\"%.1f\" y=\"%zu\">%s, %.1f%%, %" PRIu64 " calls</text>\n",
			i * 18 + 15, syscall__name(v[i]->nr), i * 18 + 4, fmax(w, 1), 130 + w, i * 18 + 15,
			units__dur(v[i]->total_ns, t, sizeof(t)), total ? 100.0 * v[i]->total_ns / total : 0.0,
			v[i]->calls);
	}
	fputs("</svg>\n", f);
	free(v);
}

/* Latency of the busiest syscalls on their own: the merged plot above
 * mixes fast and slow calls. */
static void html__sys_hists(FILE *f, const struct fp_proc *p)
{
	const struct fp_sys_stat **v = calloc(p->nsys ? p->nsys : 1, sizeof(*v));
	size_t n = 0, shown = 0;
	char name[64];

	if (!v)
		return;
	for (size_t i = 0; i < p->nsys; i++)
		if (p->sys[i].calls >= 100)
			v[n++] = &p->sys[i];
	qsort(v, n, sizeof(*v), cmp_sys_time);
	for (size_t i = 0; i < n && shown < 6; i++, shown++) {
		struct fp_named_hist nh = { name, "ns", &v[i]->lat };

		snprintf(name, sizeof(name), "%s latency", syscall__name(v[i]->nr));
		html__hist(f, &nh);
	}
	free(v);
}

/* By syscall and fd kinds, most bytes first. */
static void html__io_cells(FILE *f, const struct fp_io_stats *io)
{
	size_t n;
	const struct fp_io_cell **v = io_stats__cells_by_bytes(io, &n);
	char b[32];

	if (!v)
		return;
	fputs("<table class=\"io\"><tr><th>syscall</th><th>from</th><th>to</th><th class=\"n\">calls</th>"
	      "<th class=\"n\">bytes</th></tr>\n", f);
	for (size_t i = 0; i < n && i < 12; i++)
		fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s</td></tr>\n",
			syscall__name(v[i]->nr), io__kind_name(v[i]->src), io__kind_name(v[i]->dst), v[i]->calls,
			units__val3g(v[i]->bytes, "B", b, sizeof(b)));
	fputs("</table>\n", f);
	free(v);
}

static void html__data_path(FILE *f, const struct fp_proc *p)
{
	uint64_t zc = io_stats__zero_copy_bytes(p->io), cp = io_stats__copy_bytes(p->io);
	double wz = zc + cp ? 600.0 * zc / (zc + cp) : 0;
	char a[32], b[32];

	fputs("<h3>Data path</h3>\n", f);
	if (!zc && !cp) {
		fputs("<p class=\"none\">no bytes moved between files and sockets</p>\n", f);
		return;
	}
	fprintf(f, "<svg class=\"datapath\" width=\"%d\" height=\"46\" viewBox=\"0 0 %d 46\" role=\"img\">"
		"<title>zero-copy versus copied bytes</title>\n"
		"<rect class=\"zc\" x=\"10\" y=\"4\" width=\"%.1f\" height=\"18\"/>"
		"<rect class=\"cp\" x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"18\"/>\n"
		"<text x=\"10\" y=\"38\">zero-copy %s (%.1f%%)</text>"
		"<text x=\"610\" y=\"38\" text-anchor=\"end\">copied %s (%.1f%%)</text></svg>\n",
		W, W, wz, 10 + wz, 600 - wz, units__val3g(zc, "B", a, 32), 100.0 * zc / (zc + cp),
		units__val3g(cp, "B", b, 32), 100.0 * cp / (zc + cp));
	html__io_cells(f, p->io);
}

/* Horizontal bars of name/count rows, largest first (already sorted). */
static void html__count_bars(FILE *f, const char *title, const char *const *names, const uint64_t *calls,
			     const uint64_t *errors, size_t n)
{
	uint64_t top = n ? calls[0] : 0;

	fprintf(f, "<svg class=\"pathbars\" width=\"%d\" height=\"%zu\" viewBox=\"0 0 %d %zu\" role=\"img\"><title>",
		W, n * 18 + 8, W, n * 18 + 8);
	html__puts(f, title);
	fputs("</title>\n", f);
	for (size_t i = 0; i < n; i++) {
		double w = top ? (double)calls[i] / top * 200 : 0;

		fprintf(f, "<rect class=\"bar\" x=\"4\" y=\"%zu\" width=\"%.1f\" height=\"13\"/>"
			"<text x=\"%.1f\" y=\"%zu\">%" PRIu64 " calls, %" PRIu64 " errors: ", i * 18 + 4, fmax(w, 1),
			10 + w, i * 18 + 15, calls[i], errors[i]);
		html__puts(f, names[i]);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

static void html__stat(FILE *f, const struct fp_stat_stats *st, double secs)
{
	const char *names[FP_STAT_TOP];
	uint64_t calls[FP_STAT_TOP], errors[FP_STAT_TOP];
	double rr = stat_stats__repeat_ratio(st);
	char dirs[FP_STAT_TOP][FP_STAT_DIR_DEPTH * FP_STAT_NAME_LEN + 2];
	size_t n = 0;

	fprintf(f, "<h3>Stat family</h3>\n<p>%" PRIu64 " calls (%s), %" PRIu64 " errors", stat_stats__calls(st),
		stat__rates(st, secs, dirs[0], sizeof(dirs[0])), stat_stats__errors(st));
	for (int e = 0; e < FP_STAT_NERR; e++)
		if (stat_stats__errno(st, e))
			fprintf(f, ", %" PRIu64 " %s", stat_stats__errno(st, e), stat__err_name(e));
	if (rr >= 0)
		fprintf(f, "; %.0f%% of the calls asked again about a path already seen (%" PRIu64 " distinct)",
			rr * 100, st->distinct_paths);
	fputs("</p>\n", f);
	for (size_t i = 0; i < st->npaths && n < FP_STAT_TOP; i++, n++) {
		names[n] = st->paths[i].path ? st->paths[i].path : "(path not captured)";
		calls[n] = st->paths[i].calls;
		errors[n] = st->paths[i].errors;
	}
	if (n) {
		fputs("<h3>Top stat paths</h3>\n", f);
		html__count_bars(f, "top stat paths", names, calls, errors, n);
	}
	for (n = 0; n < st->ndirs && n < FP_STAT_TOP; n++) {
		stat__subtree(st->dirs[n].dir, dirs[n], sizeof(dirs[n]));
		names[n] = dirs[n];
		calls[n] = st->dirs[n].calls;
		errors[n] = st->dirs[n].errors;
	}
	if (n) {
		fputs("<h3>Top stat directories</h3>\n", f);
		html__count_bars(f, "top stat directories", names, calls, errors, n);
	}
}

static void html__sections(FILE *f, const struct fp_proc *p, double secs)
{
	if (p->io)
		html__data_path(f, p);
	if (p->stat)
		html__stat(f, p->stat, secs);
	if (p->alloc)
		report_html__alloc(f, p->alloc, secs);
	report_html__gopark(f, p, secs);
}

static const char *severity_class(const char *sev)
{
	return !strcmp(sev, "critical") ? "critical" : !strcmp(sev, "warning") ? "warning" : "info";
}

static void html__findings_of(FILE *f, const struct fp_proc *p)
{
	if (!p->nfindings)
		return;
	fputs("<h3>Findings</h3>\n<ul>\n", f);
	for (size_t i = 0; i < p->nfindings; i++) {
		const struct fp_finding *fd = &p->findings[i];

		fprintf(f, "<li><span class=\"%s\">%s</span> <b>", severity_class(fd->severity),
			severity_class(fd->severity));
		html__puts(f, fd->kind);
		fputs("</b>: ", f);
		html__puts(f, fd->summary);
		if (fd->detail[0]) {
			fputs("<br>", f);
			html__puts(f, fd->detail);
		}
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

/* " · container RUNTIME ID · nspid N · cgroup PATH": what is known; the
 * cgroup (a name others chose) escaped. */
static void html__where(FILE *f, const struct fp_proc *p)
{
	struct fp_container c;

	if (cgroup__parse(p->cgroup, &c)) {
		fputs(" &middot; container ", f);
		html__puts(f, c.runtime);
		fputc(' ', f);
		html__puts(f, c.id);
	}
	if (p->nspid && p->nspid != p->pid)
		fprintf(f, " &middot; nspid %d", p->nspid);
	if (p->cgroup) {
		fputs(" &middot; cgroup ", f);
		html__puts(f, p->cgroup);
	}
}

static void html__proc(FILE *f, const struct fp_proc *p, double secs)
{
	struct fp_named_hist nh[FP_REPORT_MAX_HISTS];
	struct fp_hist merged;
	char t[32];
	size_t n;

	fprintf(f, "<section class=\"proc\" id=\"pid-%d\">\n<h2>pid %d (", p->pid, p->pid);
	html__puts(f, p->comm);
	fputs(")</h2>\n<p class=\"meta\">", f);
	html__puts(f, p->exe ? p->exe : "executable unknown");
	html__where(f, p);
	if (p->exited)
		fprintf(f, " &middot; exited (%s)", units__exit(p->exit_code, (char[48]){ 0 }, 48));
	fprintf(f, " &middot; %" PRIu64 " syscalls (%.0f/s), %" PRIu64 " errors, %s in syscalls</p>\n",
		proc__sys_calls(p), proc__sys_calls(p) / secs, proc__sys_errors(p),
		units__dur(proc__sys_time(p), t, sizeof(t)));
	html__findings_of(f, p);
	report_html__cpu(f, p, secs);
	report_html__sched(f, p);
	if (p->nsys)
		html__sys_bars(f, p);
	html__sections(f, p, secs);
	n = proc__hists(p, &merged, nh, FP_REPORT_MAX_HISTS);
	fputs("<h3>Histograms</h3>\n", f);
	for (size_t i = 0; i < n; i++)
		html__hist(f, &nh[i]);
	html__sys_hists(f, p);
	fputs("</section>\n", f);
}

static void html__summary(FILE *f, const struct fp_snapshot *s, const struct fp_proc **order, size_t n)
{
	size_t nf = 0;
	char t[32];

	fputs("<h2>Findings</h2>\n", f);
	for (size_t i = 0; i < n; i++)
		nf += order[i]->nfindings;
	if (nf)
		fputs("<table><tr><th>severity</th><th>process</th><th>finding</th></tr>\n", f);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < order[i]->nfindings; k++) {
			const struct fp_finding *fd = &order[i]->findings[k];

			/* a class we know: the severity comes from the recording */
			fprintf(f, "<tr><td class=\"%s\">", severity_class(fd->severity));
			html__puts(f, fd->severity);
			fprintf(f, "</td><td><a href=\"#pid-%d\">", order[i]->pid);
			html__puts(f, order[i]->comm);
			fprintf(f, " (%d)</a></td><td><b>", order[i]->pid);
			html__puts(f, fd->kind);
			fputs("</b>: ", f);
			html__puts(f, fd->summary);
			fputs("</td></tr>\n", f);
		}
	fputs(nf ? "</table>\n" : "<p class=\"none\">No findings.</p>\n", f);
	for (int r = 0; r < FP_DROP_MAX; r++)
		if (s->drops[r])
			fprintf(f, "<p class=\"warning\">dropped %" PRIu64 " events (%s): the figures miss these</p>\n",
				s->drops[r], drop__name(r));
	fputs("<h2>Processes</h2>\n<table><tr><th>pid</th><th>command</th><th class=\"n\">syscalls</th>"
	      "<th class=\"n\">errors</th><th class=\"n\">time in syscalls</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<tr><td><a href=\"#pid-%d\">%d</a></td><td>", order[i]->pid, order[i]->pid);
		html__puts(f, order[i]->comm);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s</td></tr>\n",
			proc__sys_calls(order[i]), proc__sys_errors(order[i]),
			units__dur(proc__sys_time(order[i]), t, sizeof(t)));
	}
	fputs("</table>\n", f);
}

void report_html__write(FILE *f, const struct fp_snapshot *s, const char *name)
{
	const struct fp_proc **order;
	char title[512], desc[512];
	size_t n;

	snprintf(title, sizeof(title), "fastpath report: %s", name);
	head(f, title);
	report__describe(s, desc, sizeof(desc));
	fputs("<header><h1>", f);
	html__puts(f, title);
	fputs("</h1><p class=\"meta\">", f);
	html__puts(f, desc);
	fputs("</p></header>\n", f);
	order = report__order(s, &n);
	if (order) {
		html__summary(f, s, order, n);
		for (size_t i = 0; i < n; i++)
			html__proc(f, order[i], snapshot__proc_secs(s, order[i]));
		free(order);
	}
	fputs("</body></html>\n", f);
}

/* ---- diff --------------------------------------------------------------- */

static void diff_bars(FILE *f, const struct fp_change *c)
{
	double m = fmax(c->before, c->after), wb, wa;

	if (c->kind == FP_CHG_FINDING_NEW || c->kind == FP_CHG_FINDING_GONE || m <= 0) {
		fputs("<td></td>", f);
		return;
	}
	wb = fmax(c->before / m * 150, c->before > 0 ? 1 : 0);
	wa = fmax(c->after / m * 150, c->after > 0 ? 1 : 0);
	fprintf(f, "<td><svg class=\"diffbar\" width=\"160\" height=\"26\" viewBox=\"0 0 160 26\" role=\"img\">"
		"<title>before %.6g, after %.6g %s</title>"
		"<rect class=\"before\" x=\"2\" y=\"2\" width=\"%.1f\" height=\"10\"/>"
		"<rect class=\"after\" x=\"2\" y=\"14\" width=\"%.1f\" height=\"10\"/></svg></td>",
		c->before, c->after, c->unit, wb, wa);
}

void report_html__diff(FILE *f, const struct fp_diff *d, const char *before, const char *after)
{
	head(f, "fastpath diff");
	fputs("<header><h1>fastpath diff</h1><p class=\"meta\">before: ", f);
	html__puts(f, before);
	fprintf(f, " (%.2f s)<br>after: ", d->before_s);
	html__puts(f, after);
	fprintf(f, " (%.2f s)<br>rates are per second of each recording; largest change first; "
		"bars: <span style=\"color:#999\">before</span> / <span style=\"color:#4a72b0\">after</span></p></header>\n",
		d->after_s);
	if (!d->n)
		fputs("<p class=\"none\">No change of 1.5x or more.</p>\n", f);
	else
		fputs("<table><tr><th class=\"n\">#</th><th>process</th><th>change</th><th></th></tr>\n", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct fp_change *c = &d->v[i];
		char text[FP_CHANGE_TEXT];

		fprintf(f, "<tr class=\"%s\"><td class=\"n\">%zu</td><td>", diff__kind_name(c->kind), i + 1);
		html__puts(f, c->comm);
		if (c->pid)
			fprintf(f, " (%d)", c->pid);
		fputs("</td><td>", f);
		if (c->kind == FP_CHG_DATA_PATH)
			fputs("<b class=\"warning\">", f);
		html__puts(f, diff_text__change(c, text, sizeof(text)));
		if (c->kind == FP_CHG_DATA_PATH)
			fputs("</b>", f);
		fputs("</td>", f);
		diff_bars(f, c);
		fputs("</tr>\n", f);
	}
	if (d->n)
		fputs("</table>\n", f);
	fputs("</body></html>\n", f);
}
