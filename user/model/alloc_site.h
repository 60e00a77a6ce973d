/* Who allocates: the frame of an allocation site that the exports name
 * (text and HTML reports, CSV, the diff's new top sites).  A site's frames
 * start inside the allocator (malloc, runtime.mallocgc, the sampling hook),
 * which says nothing about the program; the first frame past them does. */
#ifndef FP_MODEL_ALLOC_SITE_H
#define FP_MODEL_ALLOC_SITE_H

#include <stddef.h>
#include "model/alloc.h"

/* "churn allocloop.c:28": the first frame outside the allocator (and, for
 * Go, outside the runtime when there is one); frames[0] when every frame is
 * the allocator's; "?" without frames. */
const char *alloc_site__caller(const struct fp_alloc_site *s);
/* Its index in frames[] (0 without frames). */
size_t alloc_site__caller_at(const struct fp_alloc_site *s);
/* The stack from the caller on, its callers after it: "main.escapeSite
 * main.go:17 <- main.main main.go:30", at most max frames joined by sep,
 * "..." when there are more; the allocator's own frames are left out (the
 * full stack is in the JSON's frames[]). */
const char *alloc_site__chain(const struct fp_alloc_site *s, size_t max, const char *sep, char *buf,
			      size_t len);
/* Length of a frame's function name ("churn allocloop.c:28" -> 5). */
size_t alloc__frame_fn_len(const char *frame);
/* Same function in both frames (lines may differ across builds). */
bool alloc__same_fn(const char *a, const char *b);

/* The top sites in the order the exports show them, at most max: by calls
 * when exact; by bytes when estimated, because a heap-profile sample stands
 * for MemProfileRate bytes: one sample of a small object weighs thousands
 * of calls, so estimated calls rank noisily while estimated bytes do not. */
size_t alloc_sites__ranked(const struct fp_alloc_stats *a, const struct fp_alloc_site **out, size_t max);

#endif
