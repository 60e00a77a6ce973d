/* The Go park section of a process in record's and report's text
 * (views/text.h): per reason the parks, their rate and how long the
 * goroutines stayed parked, then the sites that parked the longest. */
#include <inttypes.h>
#include <stdio.h>
#include "views/text.h"
#include "views/units.h"
#include "model/gopark.h"
#include "util/escape.h"

#define TEXT_GOPARK_SITES 5

static void reason_row(FILE *f, const struct fp_gopark_reason *r, double window_s)
{
	char tot[24], p50[24], p99[24], max[24];

	fprintf(f, "  %-24s %9" PRIu64 " %9.0f %10s %10s %10s %10s\n", ESC(r->name), r->parks,
		window_s > 0 ? r->parks / window_s : 0.0, units__dur((double)r->parked.sum, tot, sizeof(tot)),
		r->parked.count ? units__dur((double)hist__percentile(&r->parked, 0.50), p50, sizeof(p50)) : "-",
		r->parked.count ? units__dur((double)hist__percentile(&r->parked, 0.99), p99, sizeof(p99)) : "-",
		r->parked.count ? units__dur((double)r->parked.max, max, sizeof(max)) : "-");
}

void text__gopark(FILE *f, const struct fp_proc *p, double window_s)
{
	const struct fp_gopark_stats *g = p->gopark;
	char tot[24];

	if (!g)
		return;
	fprintf(f, "go parks%s%s%s: %" PRIu64 " parks, %s parked (until run again)\n",
		g->go_version[0] ? " (" : "", ESC(g->go_version), g->go_version[0] ? ")" : "",
		gopark_stats__parks(g), units__dur((double)gopark_stats__parked_ns(g), tot, sizeof(tot)));
	if (g->nreasons)
		fprintf(f, "  %-24s %9s %9s %10s %10s %10s %10s\n", "reason", "parks", "parks/s", "parked",
			"p50", "p99", "max");
	for (size_t i = 0; i < g->nreasons; i++)
		reason_row(f, &g->reasons[i], window_s);
	for (size_t i = 0; i < g->nsites && i < TEXT_GOPARK_SITES; i++) {
		const struct fp_gopark_site *t = &g->sites[i];

		if (!i)
			fprintf(f, "  parking sites (most parked time first):\n");
		fprintf(f, "  %9" PRIu64 " parks %10s  %-16s %s\n", t->parks,
			units__dur((double)t->parked_ns, tot, sizeof(tot)), ESC(t->reason), ESC(t->where));
	}
	if (g->notes)
		fprintf(f, "  notes: %s\n", ESC(g->notes));
}
