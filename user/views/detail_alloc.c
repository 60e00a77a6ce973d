/* The detail's breakdown of the allocator section over an interval: calls
 * per function, Go's allocations, the top allocation sites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/detail.h"
#include "views/units.h"
#include "model/alloc.h"
#include "model/alloc_site.h"

#define TOP_N 10	/* allocation sites shown */

static int cmp_site_calls(const void *a, const void *b)
{
	const struct fp_alloc_site *x = *(const struct fp_alloc_site *const *)a;
	const struct fp_alloc_site *y = *(const struct fp_alloc_site *const *)b;

	return x->calls < y->calls ? 1 : x->calls > y->calls ? -1 : 0;
}

static void alloc_fns(struct detail *det, const struct fp_alloc_stats *s, double secs)
{
	char line[256], a[16], b[16];
	size_t n = 0;

	n += snprintf(line, sizeof(line), " ");
	for (int f = 0; f < FP_ALLOC_LIBC_FNS && n < sizeof(line); f++) {
		if (!s->fn[f].calls)
			continue;
		n += snprintf(line + n, sizeof(line) - n, " %s %s/s", alloc__fn_name(f),
			      units__num5(s->fn[f].calls / secs, a, sizeof(a)));
		if (f != FP_ALLOC_FREE && n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, " (%s MiB/s)", units__mib5(s->fn[f].bytes / secs, b, sizeof(b)));
	}
	if (n > 1)
		detail__add(det, DL_TEXT, "%s", line);
	if (s->go.mode != FP_GO_NONE)
		detail__add(det, DL_TEXT, "  Go %s (%s): %s allocs/s, %s MiB/s%s", s->go.version,
			    alloc__go_mode_name(s->go.mode), units__num5(s->go.calls / secs, a, sizeof(a)),
			    units__mib5(s->go.bytes / secs, b, sizeof(b)), s->go.estimated ? ", estimated" : "");
}

static void alloc_sites(struct detail *det, const struct fp_alloc_stats *s, double secs, int width)
{
	const struct fp_alloc_site **p = calloc(s->nsites ? s->nsites : 1, sizeof(*p));
	char line[512], a[16], b[16], chain[512];
	size_t n = 0, len;

	if (!p)
		return;
	for (size_t i = 0; i < s->nsites; i++)
		if (s->sites[i].calls)
			p[n++] = &s->sites[i];
	qsort(p, n, sizeof(*p), cmp_site_calls);
	if (n)
		detail__add(det, DL_TEXT, "  %7s %7s  %s", "calls/s", "MiB/s", "top allocation sites (allocating frame first)");
	for (size_t i = 0; i < n && i < TOP_N; i++) {
		len = snprintf(line, sizeof(line), "  %7s %7s ", units__num5(p[i]->calls / secs, a, sizeof(a)),
			       units__mib5(p[i]->bytes / secs, b, sizeof(b)));
		if (len < sizeof(line))
			snprintf(line + len, sizeof(line) - len, " %s",
				 alloc_site__chain(p[i], p[i]->nframes, " < ", chain, sizeof(chain)));
		if (width > 0 && (size_t)width < sizeof(line))
			line[width] = 0;
		detail__add(det, DL_TEXT, "%s", line);
	}
	free(p);
}

void detail__alloc(struct detail *det, const struct fp_alloc_stats *s, double secs, int width)
{
	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "ALLOCATOR (this interval%s)", alloc_stats__estimated(s) ? ", estimated" : "");
	alloc_fns(det, s, secs);
	alloc_sites(det, s, secs, width);
	if (s->notes)
		detail__add(det, DL_DIM, "  %s", s->notes);
}
