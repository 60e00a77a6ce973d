/* The Go park section of `fastpath report` (text and HTML): per reason
 * the parks and how long they lasted (p50, p99, max), and the parking
 * sites with their stacks.  The parked-time histograms are drawn with the
 * process's other histograms (proc__hists). */
#include <inttypes.h>
#include <stdio.h>
#include "views/report.h"
#include "views/text.h"
#include "views/units.h"
#include "model/gopark.h"

#define HTML_SITES 10
#define SITE_FRAMES 8

void report_text__gopark(FILE *f, const struct fp_proc *p, double secs)
{
	text__gopark(f, p, secs);
}

static void html_reasons(FILE *f, const struct fp_gopark_stats *g, double secs)
{
	char tot[24], p50[24], p99[24], max[24];

	fputs("<table><tr><th>reason</th><th>parks</th><th>parks/s</th><th>parked</th><th>p50</th><th>p99</th>"
	      "<th>max</th></tr>\n", f);
	for (size_t i = 0; i < g->nreasons; i++) {
		const struct fp_gopark_reason *r = &g->reasons[i];
		bool t = r->parked.count > 0;

		fputs("<tr><td>", f);
		html__puts(f, r->name);
		fprintf(f, "</td><td>%" PRIu64 "</td><td>%.0f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			r->parks, secs > 0 ? r->parks / secs : 0.0, units__dur((double)r->parked.sum, tot, sizeof(tot)),
			t ? units__dur((double)hist__percentile(&r->parked, 0.5), p50, sizeof(p50)) : "-",
			t ? units__dur((double)hist__percentile(&r->parked, 0.99), p99, sizeof(p99)) : "-",
			t ? units__dur((double)r->parked.max, max, sizeof(max)) : "-");
	}
	fputs("</table>\n", f);
}

static void html_sites(FILE *f, const struct fp_gopark_stats *g)
{
	char tot[24];

	if (!g->nsites)
		return;
	fputs("<h4>Parking sites</h4>\n<table><tr><th>parks</th><th>parked</th><th>reason</th><th>site</th>"
	      "<th>stack</th></tr>\n", f);
	for (size_t i = 0; i < g->nsites && i < HTML_SITES; i++) {
		const struct fp_gopark_site *t = &g->sites[i];

		fprintf(f, "<tr><td>%" PRIu64 "</td><td>%s</td><td>", t->parks,
			units__dur((double)t->parked_ns, tot, sizeof(tot)));
		html__puts(f, t->reason);
		fputs("</td><td>", f);
		html__puts(f, t->where);
		fputs("</td><td class=\"meta\">", f);
		for (size_t k = 0; k < t->nframes && k < SITE_FRAMES; k++) {
			if (k)
				fputs("<br>", f);
			html__puts(f, t->frames[k]);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_html__gopark(FILE *f, const struct fp_proc *p, double secs)
{
	const struct fp_gopark_stats *g = p->gopark;
	char tot[24];

	if (!g)
		return;
	fputs("<h3>Go parks</h3>\n<p>", f);
	fprintf(f, "%" PRIu64 " parks, %s parked (until run again)", gopark_stats__parks(g),
		units__dur((double)gopark_stats__parked_ns(g), tot, sizeof(tot)));
	if (g->go_version[0]) {
		fputs(" <span class=\"meta\">(", f);
		html__puts(f, g->go_version);
		fputs(")</span>", f);
	}
	fputs("</p>\n", f);
	html_reasons(f, g, secs);
	html_sites(f, g);
	if (g->notes) {
		fputs("<p class=\"meta\">notes: ", f);
		html__puts(f, g->notes);
		fputs("</p>\n", f);
	}
}
