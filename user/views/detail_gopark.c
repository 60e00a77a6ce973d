/* The detail's Go park section over an interval: per reason the parks,
 * their rate and parked time (p50, p99), and the sites that parked the
 * longest.  Lines are added raw: detail__add escapes them. */
#include <stdio.h>
#include "views/detail.h"
#include "views/units.h"
#include "model/gopark.h"

#define DETAIL_GOPARK_SITES 5

void detail__gopark(struct detail *det, const struct fp_gopark_stats *s, double secs, int width)
{
	char tot[24], p50[24], p99[24];

	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "GO PARKS (this interval; parked until run again)%s%s",
		    s->go_version[0] ? ": " : "", s->go_version);
	if (!s->nreasons) {
		detail__add(det, DL_DIM, "  no park in this interval");
		return;
	}
	detail__add(det, DL_DIM, "  %-24s %9s %9s %10s %10s %10s", "reason", "parks", "/s", "parked", "p50", "p99");
	for (size_t i = 0; i < s->nreasons; i++) {
		const struct fp_gopark_reason *r = &s->reasons[i];

		if (!r->parks && !r->parked.count)
			continue;
		detail__add(det, DL_TEXT, "  %-24s %9llu %9.0f %10s %10s %10s", r->name, (unsigned long long)r->parks,
			    r->parks / secs, units__dur((double)r->parked.sum, tot, sizeof(tot)),
			    r->parked.count ? units__dur((double)hist__percentile(&r->parked, 0.5), p50, sizeof(p50)) : "-",
			    r->parked.count ? units__dur((double)hist__percentile(&r->parked, 0.99), p99, sizeof(p99)) : "-");
	}
	for (size_t i = 0, shown = 0; i < s->nsites && shown < DETAIL_GOPARK_SITES; i++) {
		const struct fp_gopark_site *t = &s->sites[i];

		if (!t->parks && !t->parked_ns)
			continue;
		if (!shown++)
			detail__add(det, DL_DIM, "  sites, most parked time first:");
		detail__add(det, DL_TEXT, "  %9llu parks %10s  %-16s %.*s", (unsigned long long)t->parks,
			    units__dur((double)t->parked_ns, tot, sizeof(tot)), t->reason, width > 60 ? width - 50 : 20,
			    t->where);
	}
	if (s->notes)
		detail__add(det, DL_DIM, "  notes: %s", s->notes);
}
