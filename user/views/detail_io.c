/* The detail's breakdown of the data-path section over an interval: bytes
 * per fd kind, copied or moved without copying. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/detail.h"
#include "views/units.h"
#include "model/io.h"

/* Bytes per fd kind: read from it or written to it by copying, and moved
 * from it or into it without copying. */
struct kind_flow {
	uint64_t read, written, zc_from, zc_to;
};

void detail__io(struct detail *det, const struct fp_io_stats *s, double secs)
{
	struct kind_flow k[FP_FD_KINDS];
	char a[16], b[16], c[16], d[16];
	bool any = false;

	memset(k, 0, sizeof(k));
	for (size_t i = 0; i < s->ncells; i++) {
		const struct fp_io_cell *cell = &s->cells[i];

		if (cell->src >= FP_FD_KINDS || cell->dst >= FP_FD_KINDS)
			continue;
		switch (fp_io_family_of(cell->nr)) {
		case FP_IO_COPY_IN:
			k[cell->src].read += cell->bytes;
			break;
		case FP_IO_COPY_OUT:
			k[cell->dst].written += cell->bytes;
			break;
		case FP_IO_ZERO_COPY:
			k[cell->src].zc_from += cell->bytes;
			k[cell->dst].zc_to += cell->bytes;
			break;
		}
	}
	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "DATA PATH BY FD KIND (MiB/s, this interval)");
	detail__add(det, DL_TEXT, "  %-12s %8s %8s %8s %8s", "fd kind", "read", "written", "zc from", "zc to");
	for (unsigned int i = 0; i < FP_FD_KINDS; i++) {
		const struct kind_flow *f = &k[i];

		if (i == FP_FD_MEMORY || !(f->read | f->written | f->zc_from | f->zc_to))
			continue;
		any = true;
		detail__add(det, DL_TEXT, "  %-12s %8s %8s %8s %8s", io__kind_name(i),
			    units__mib5(f->read / secs, a, sizeof(a)), units__mib5(f->written / secs, b, sizeof(b)),
			    units__mib5(f->zc_from / secs, c, sizeof(c)), units__mib5(f->zc_to / secs, d, sizeof(d)));
	}
	if (!any)
		detail__add(det, DL_DIM, "  no data moved in this interval");
}
