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

#endif
