/* The allocator section of `fastpath report` (text and HTML): calls and
 * bytes per libc function, Go's figures (exact, or estimates from the heap
 * profile's samples, marked as such), the top allocation sites named by the
 * frame that allocates, with their stacks, and the probes' notes.  The size
 * histogram is drawn with the process's other histograms (proc__hists). */
#include <math.h>
#include <inttypes.h>
#include <string.h>
#include "views/report.h"
#include "views/units.h"
#include "model/alloc.h"
#include "model/alloc_site.h"
#include "util/escape.h"

#define SITES_TOP 10
#define SITE_FRAMES 8

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

/* "go1.19.8, sampled: ESTIMATED from 499 heap-profile samples at MemProfileRate 524288,
 * ± 1.2% of the allocations (1 s.e.)" */
static void go_mode_str(const struct fp_alloc_go *g, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s, %s", g->version[0] ? g->version : "Go", alloc__go_mode_name(g->mode));

	if (g->mode == FP_GO_SAMPLED && g->rate == 0)
		snprintf(buf + n, len - n, ": the program turned memory profiling off (MemProfileRate 0), nothing sampled");
	else if (g->mode == FP_GO_SAMPLED)
		snprintf(buf + n, len - n, ": ESTIMATED from %" PRIu64 " heap-profile samples at MemProfileRate %" PRId64
			 ", ± %.1f%% of the allocations (1 s.e.)", g->samples, g->rate,
			 g->calls ? 100.0 * sqrt(g->calls_var) / (double)g->calls : 0.0);
	else if (!g->complete)
		snprintf(buf + n, len - n, ": INCOMPLETE, this Go also allocates without runtime.mallocgc (a lower bound)");
	else
		snprintf(buf + n, len - n, ": exact, every runtime.mallocgc call");
}

/* ---- text ---------------------------------------------------------------- */

static void text_libc(FILE *f, const struct fp_alloc_stats *a)
{
	char b[32];

	fprintf(f, "  %-16s %12s %12s\n", "libc function", "calls", "bytes");
	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
		if (a->fn[i].calls)
			fprintf(f, "  %-16s %12" PRIu64 " %12s\n", alloc__fn_name(i), a->fn[i].calls,
				i == FP_ALLOC_FREE ? "-" : units__bytes(a->fn[i].bytes, b, sizeof(b)));
}

static void text_sites(FILE *f, const struct fp_alloc_stats *a)
{
	uint64_t total = alloc_stats__calls(a), tbytes = alloc_stats__bytes(a);
	char b[32];

	const struct fp_alloc_site *v[SITES_TOP];
	size_t n = alloc_sites__ranked(a, v, SITES_TOP);

	fprintf(f, "  top allocation sites (%zu)%s:\n", a->nsites,
		a->go.estimated ? ", estimated, most bytes first" : "");
	for (size_t i = 0; i < n; i++) {
		const struct fp_alloc_site *s = v[i];

		fprintf(f, "  %2zu. %s: %" PRIu64 " calls (%.1f%%), %s (%.1f%%)\n", i + 1, ESC(alloc_site__caller(s)), s->calls,
			pct(s->calls, total), units__bytes(s->bytes, b, sizeof(b)), pct(s->bytes, tbytes));
		for (size_t k = 0; k < s->nframes && k < SITE_FRAMES; k++)
			fprintf(f, "        %s %s\n", k ? "<-" : "  ", ESC(s->frames[k]));
		if (s->nframes > SITE_FRAMES)
			fprintf(f, "        <- ... %zu more frames\n", s->nframes - SITE_FRAMES);
	}
}

void report_text__alloc(FILE *f, const struct fp_alloc_stats *a, double secs)
{
	char b[32], mode[256];

	fprintf(f, "allocator%s: %" PRIu64 " allocations (%.0f/s), %s requested\n",
		alloc_stats__estimated(a) ? " (ESTIMATED: Go sampled)" : "", alloc_stats__calls(a),
		alloc_stats__calls(a) / secs, units__bytes(alloc_stats__bytes(a), b, sizeof(b)));
	if (a->libc)
		text_libc(f, a);
	if (a->go.mode != FP_GO_NONE) {
		go_mode_str(&a->go, mode, sizeof(mode));
		fprintf(f, "  Go (%s)\n  %-16s %12" PRIu64 " %12s%s\n", ESC(mode), "Go heap", a->go.calls,
			units__bytes(a->go.bytes, b, sizeof(b)), a->go.estimated ? "  (estimated)" : "");
		if (a->go.entries[0])
			fprintf(f, "  probed: %s\n", ESC(a->go.entries));
	}
	if (a->nsites)
		text_sites(f, a);
	else
		fprintf(f, "  no allocation sites (record with --stacks to see them)\n");
	if (a->notes)
		fprintf(f, "  notes: %s\n", ESC(a->notes));
}

/* ---- HTML ---------------------------------------------------------------- */

static void html_libc(FILE *f, const struct fp_alloc_stats *a)
{
	char b[32];

	fputs("<table class=\"alloc\"><tr><th>libc function</th><th class=\"n\">calls</th><th class=\"n\">bytes</th></tr>\n", f);
	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
		if (a->fn[i].calls)
			fprintf(f, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%s</td></tr>\n",
				alloc__fn_name(i), a->fn[i].calls,
				i == FP_ALLOC_FREE ? "&ndash;" : units__bytes(a->fn[i].bytes, b, sizeof(b)));
	fputs("</table>\n", f);
}

static void html_go(FILE *f, const struct fp_alloc_go *g)
{
	char b[32], mode[256];

	go_mode_str(g, mode, sizeof(mode));
	fprintf(f, "<p>Go heap: %s%" PRIu64 " allocations, %s%s (", g->estimated ? "<span class=\"warning\">~</span>" : "",
		g->calls, units__bytes(g->bytes, b, sizeof(b)),
		g->estimated ? " <span class=\"warning\">estimated</span>" : "");
	html__puts(f, mode);
	fputs(")</p>\n", f);
}

/* Bars of the top sites, labelled by the allocating frame; the whole stack
 * in each bar's tooltip and in the table under it (for print). */
static void html_sites(FILE *f, const struct fp_alloc_stats *a)
{
	const struct fp_alloc_site *v[SITES_TOP];
	size_t n = alloc_sites__ranked(a, v, SITES_TOP);
	bool by_bytes = a->go.estimated;
	uint64_t top = n ? (by_bytes ? v[0]->bytes : v[0]->calls) : 0, total = alloc_stats__calls(a);
	const char *est = a->go.estimated ? "~" : "";
	char b[32];

	fprintf(f, "<h3>Top allocation sites%s</h3>\n<svg class=\"sitebars\" width=\"680\" height=\"%zu\" "
		"viewBox=\"0 0 680 %zu\" role=\"img\"><title>top allocation sites</title>\n",
		by_bytes ? " <span class=\"warning\">(estimated; most bytes first)</span>" : "", n * 18 + 8, n * 18 + 8);
	for (size_t i = 0; i < n; i++) {
		const struct fp_alloc_site *s = v[i];
		double w = top ? (double)(by_bytes ? s->bytes : s->calls) / top * 200 : 0;

		fprintf(f, "<rect class=\"bar\" x=\"4\" y=\"%zu\" width=\"%.1f\" height=\"13\"><title>", i * 18 + 4, w < 1 ? 1 : w);
		for (size_t k = 0; k < s->nframes; k++) {
			fputs(k ? " &lt;- " : "", f);
			html__puts(f, s->frames[k]);
		}
		fprintf(f, "</title></rect><text x=\"%.1f\" y=\"%zu\">%s%" PRIu64 " calls (%.1f%%), %s%s: ", 10 + w, i * 18 + 15,
			est, s->calls, pct(s->calls, total), est, units__bytes(s->bytes, b, sizeof(b)));
		html__puts(f, alloc_site__caller(s));
		fputs("</text>\n", f);
	}
	fputs("</svg>\n<table class=\"sites\"><tr><th class=\"n\">#</th><th>allocating frame</th><th class=\"n\">calls</th>"
	      "<th class=\"n\">bytes</th><th>stack (leaf first)</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct fp_alloc_site *s = v[i];

		fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
		html__puts(f, alloc_site__caller(s));
		fprintf(f, "</td><td class=\"n\">%s%" PRIu64 "</td><td class=\"n\">%s%s</td><td><small>", est, s->calls, est,
			units__bytes(s->bytes, b, sizeof(b)));
		for (size_t k = 0; k < s->nframes && k < SITE_FRAMES; k++) {
			fputs(k ? "<br>" : "", f);
			html__puts(f, s->frames[k]);
		}
		if (s->nframes > SITE_FRAMES)
			fprintf(f, "<br>... %zu more", s->nframes - SITE_FRAMES);
		fputs("</small></td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_html__alloc(FILE *f, const struct fp_alloc_stats *a, double secs)
{
	char b[32];

	fprintf(f, "<h3>Allocator</h3>\n<p>%s%" PRIu64 " allocations (%.0f/s), %s requested%s</p>\n",
		alloc_stats__estimated(a) ? "~" : "", alloc_stats__calls(a), alloc_stats__calls(a) / secs,
		units__bytes(alloc_stats__bytes(a), b, sizeof(b)),
		alloc_stats__estimated(a) ? " <span class=\"warning\">(estimated from Go's heap-profile samples)</span>" : "");
	if (a->libc)
		html_libc(f, a);
	if (a->go.mode != FP_GO_NONE)
		html_go(f, &a->go);
	if (a->nsites)
		html_sites(f, a);
	else
		fputs("<p class=\"none\">no allocation sites (record with --stacks to see them)</p>\n", f);
	if (a->notes) {
		fputs("<p class=\"meta\">notes: ", f);
		html__puts(f, a->notes);
		fputs("</p>\n", f);
	}
}
