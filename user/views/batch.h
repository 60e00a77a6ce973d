/* Batch mode of `fastpath top` (like `top -b`): per interval, a block of
 * plain text, or with --json one JSON object on one line.  Renders interval
 * snapshots; never touches maps. */
#ifndef FP_VIEWS_BATCH_H
#define FP_VIEWS_BATCH_H

#include <stdio.h>
#include <jansson.h>
#include "model/snapshot.h"
#include "views/topfmt.h"

#define FP_SCHEMA_TOP "fastpath.top/1"

/* Header, then a row per process active in the interval, busiest first. */
void batch__text(FILE *f, const struct fp_snapshot *d, const struct top_info *in);
/* The interval as one JSON object (docs/top.md). */
json_t *batch__json(const struct fp_snapshot *d, const struct top_info *in);
/* batch__json on one line and flushed; -EIO when the reader went away. */
int batch__json_line(FILE *f, const struct fp_snapshot *d, const struct top_info *in);

#endif
