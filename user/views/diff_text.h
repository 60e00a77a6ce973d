/* The words of `fastpath diff`: one line for people per change of the diff
 * model (model/diff.c computes, this phrases, as perf's util/hist.c and
 * ui/stdio/hist.c).  The text and HTML reports print these lines. */
#ifndef FP_VIEWS_DIFF_TEXT_H
#define FP_VIEWS_DIFF_TEXT_H

#include <stddef.h>
#include "model/diff.h"

/* The longest line a change is phrased in, with its NUL. */
#define FP_CHANGE_TEXT 320

/* "read 1.16 calls/s -> 20.6k calls/s (x17735.8; in all 1 -> 16.4k)";
 * cut to len - 1 characters. */
const char *diff_text__change(const struct fp_change *c, char *buf, size_t len);

#endif
