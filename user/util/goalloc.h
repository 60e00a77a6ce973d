/* Go's heap-allocation entry points, by release: what to probe so that
 * exact mode sees every allocation, and where each takes its size.
 *
 * Go 1.17-1.26: every heap allocation goes through runtime.mallocgc.
 * Go 1.27 (1.26 with GOEXPERIMENT=sizespecializedmalloc): the compiler
 * calls size-specialised allocators directly for objects up to 80 bytes
 * (runtime/malloc_generated.go): mallocgcSmallNoScanSC<n> and
 * mallocgcSmallScanNoHeaderSC<n> (size class n) and mallocgcTinySC<n>
 * (pointer-free objects under 16 bytes).  mallocgc calls them too, for the
 * small objects it is asked for: those calls are counted once, at mallocgc.
 * Their signature is mallocgc's: (size, typ, needzero), size in RAX. */
#ifndef FP_UTIL_GOALLOC_H
#define FP_UTIL_GOALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fp_go_entry {
	FP_GOE_NONE = 0,
	FP_GOE_MALLOCGC,	/* runtime.mallocgc */
	FP_GOE_SC_NOSCAN,	/* runtime.mallocgcSmallNoScanSC<n> */
	FP_GOE_SC_SCAN,		/* runtime.mallocgcSmallScanNoHeaderSC<n> */
	FP_GOE_SC_TINY,		/* runtime.mallocgcTinySC<n> */
};

/* Which entry point a function name is; *size_class gets n for the
 * size-specialised ones (0 otherwise). */
enum fp_go_entry goalloc__classify(const char *name, unsigned int *size_class);

/* Bytes per object of Go's size class n (1-67, the table every Go release
 * since 1.12 shares); 0 if out of range. */
unsigned int goalloc__class_size(unsigned int n);

/* Where the size argument is at the entry (an FP_ARG_* spec of
 * bpf/fp_alloc.h): mallocgc (and the size-specialised allocators) when
 * !sampled, mProf_Malloc when sampled.  Go < 1.17: stack ABI0; 1.17+:
 * registers; mProf_Malloc(p, size) until 1.22, (mp, p, size[, typ]) from
 * 1.23. */
unsigned int goalloc__size_arg(const char *go_version, bool sampled);

/* The entry points found in one binary, for the output and `check`. */
struct fp_go_plan {
	bool mallocgc;
	uint64_t sc[3];		/* bit n: class n found; [0] noscan, [1] scan, [2] tiny */
};

void goalloc__plan_add(struct fp_go_plan *p, const char *name);
unsigned int goalloc__plan_count(const struct fp_go_plan *p);	/* size-specialised ones */
/* "runtime.mallocgc + 14 size-specialised allocators: SmallNoScanSC2-7 (16-80 B), ..." */
void goalloc__plan_describe(const struct fp_go_plan *p, char *buf, size_t len);

#endif
