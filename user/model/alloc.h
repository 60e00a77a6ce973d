/* Model section: allocator calls (issue 5).  Per process: calls and
 * requested bytes per libc function, Go's allocations (exact, or estimated
 * from heap-profile samples), the size histogram and the call sites. */
#ifndef FP_MODEL_ALLOC_H
#define FP_MODEL_ALLOC_H

#include <stdio.h>
#include "model/snapshot.h"

#define FP_ALLOC_LIBC_FNS 10	/* malloc .. pvalloc, as enum fp_alloc_fn */
#define FP_ALLOC_FREE 4		/* FP_AF_FREE: counted, never as an allocation */

enum fp_go_mode { FP_GO_NONE = 0, FP_GO_EXACT, FP_GO_SAMPLED };

struct fp_alloc_count {
	uint64_t calls;
	uint64_t bytes;		/* requested; 0 for free */
};

struct fp_alloc_go {
	int mode;		/* enum fp_go_mode */
	char version[24];	/* "go1.19.8" */
	uint64_t calls;		/* sampled mode: estimates */
	uint64_t bytes;
	bool estimated;
	bool complete;		/* exact mode sees every allocation of this Go */
	int64_t rate;		/* the target's runtime.MemProfileRate; -1 unknown */
	uint64_t samples;	/* sampled mode: runtime.mProf_Malloc hits */
	double calls_var;	/* sampled mode: the estimates' variances (alloc__pprof_var) */
	double bytes_var;
	/* exact mode: of calls, those taken by size-specialised allocators
	 * the compiler calls directly (Go 1.27: objects up to 80 bytes) */
	uint64_t sc_calls;
	char entries[192];	/* the entry points probed, "runtime.mallocgc + ..." */
};

/* A call site: frames leaf first ("malloc", "churn alloc.c:31", ...). */
struct fp_alloc_site {
	char **frames;
	size_t nframes;
	uint64_t calls;		/* Go sampled: estimates */
	uint64_t bytes;
};

struct fp_alloc_stats {
	bool libc;				/* libc probes attached */
	struct fp_alloc_count fn[FP_ALLOC_LIBC_FNS];
	struct fp_alloc_go go;			/* mode FP_GO_NONE: not Go */
	struct fp_hist size;			/* requested sizes (Go sampled: estimated) */
	struct fp_alloc_site *sites;		/* sorted: most calls (Go sampled: bytes) first */
	size_t nsites, cap_sites;
	char *notes;				/* "; "-separated caveats, or NULL */
};

struct fp_alloc_stats *alloc_stats__new(void);
void alloc_stats__free(struct fp_alloc_stats *s);
struct fp_alloc_stats *alloc_stats__clone(const struct fp_alloc_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_alloc_stats *alloc_stats__delta(const struct fp_alloc_stats *cur, const struct fp_alloc_stats *prev);

/* Summary accessors used by views (top, report, serve).  In sampled mode
 * these are the estimates. */
uint64_t alloc_stats__calls(const struct fp_alloc_stats *s);
uint64_t alloc_stats__bytes(const struct fp_alloc_stats *s);
size_t alloc_stats__hists(const struct fp_alloc_stats *s, struct fp_named_hist *out, size_t max);
bool alloc_stats__estimated(const struct fp_alloc_stats *s);

/* "malloc", ... for 0..FP_ALLOC_LIBC_FNS-1; -1 / NULL otherwise. */
const char *alloc__fn_name(int fn);
int alloc__fn_index(const char *name);
const char *alloc__go_mode_name(int mode);
int alloc__go_mode_index(const char *name);

/* Copies frames; adds to an existing site with the same frames. */
int alloc_stats__add_site(struct fp_alloc_stats *s, const char *const *frames, size_t n,
			  uint64_t calls, uint64_t bytes);
void alloc_stats__sort_sites(struct fp_alloc_stats *s);
int alloc_stats__add_note(struct fp_alloc_stats *s, const char *note);

/* pprof's scaling of heap samples (scaleHeapSample in
 * runtime/pprof/protomem.go): `count` samples totalling `size` bytes at
 * MemProfileRate `rate` stand for count/(1-exp(-avg/rate)) allocations. */
void alloc__pprof_scale(uint64_t count, uint64_t size, int64_t rate, double *calls, double *bytes);
/* The variances of those estimates: each allocation of s bytes is sampled
 * with p = 1 - exp(-s/rate), independently (Go draws the bytes to the next
 * sample from an exponential distribution), so the estimate is a sum of
 * independent 1/p-weighted samples and its variance is estimated, without
 * bias, by sum (1 - p) / p^2 over the samples (Horvitz-Thompson); for bytes
 * each term times s^2.  Variances of sums add: callers sum them. */
void alloc__pprof_var(uint64_t count, uint64_t size, int64_t rate, double *calls_var, double *bytes_var);


#endif
