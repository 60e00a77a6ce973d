/* Model section: data path: zero-copy versus copying, by fd kind (issue: data path). */
#ifndef FP_MODEL_IO_H
#define FP_MODEL_IO_H

#include "model/snapshot.h"

struct fp_io_stats {
	uint64_t calls;
};

void io_stats__free(struct fp_io_stats *s);
struct fp_io_stats *io_stats__clone(const struct fp_io_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_io_stats *io_stats__delta(const struct fp_io_stats *cur, const struct fp_io_stats *prev);

/* Summary accessors used by views (top, report, serve). */
uint64_t io_stats__copy_bytes(const struct fp_io_stats *s);	/* copy_in + copy_out */
uint64_t io_stats__zero_copy_bytes(const struct fp_io_stats *s);
/* zero-copy bytes over all bytes moved between files and sockets; <0 if none */
double io_stats__zero_copy_ratio(const struct fp_io_stats *s);
size_t io_stats__hists(const struct fp_io_stats *s, struct fp_named_hist *out, size_t max);

#endif
