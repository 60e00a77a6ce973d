/* Go's park reasons as a binary names them: the runtime's
 * waitReasonStrings, a [N]string indexed by the waitReason (a uint8) that
 * runtime.gopark receives.  The numbering changes between releases (1.21
 * added sync.Mutex.Lock, 1.25 GOMAXPROCS updater (idle) and
 * sync.WaitGroup.Wait, ...), so the names are read from each binary,
 * never hard-coded.
 *
 * A stripped binary has no symbol for the table.  It is found by its
 * content: the string "GC assist marking" (index 1 in every release since
 * 1.11) lies in the read-only data; the table is a run of Go string
 * headers {ptr, len} in the writable data whose entry 1 points at it and
 * whose entry 0 is the empty string {0, 0}.  The bytes are untrusted: every
 * read is bounds-checked, names are kept only if printable. */
#ifndef FP_UTIL_GOWAIT_H
#define FP_UTIL_GOWAIT_H

#include <stddef.h>
#include <stdint.h>

#define FP_GOWAIT_MAX 64	/* releases have 27 (1.19) to about 45 */
#define FP_GOWAIT_NAME 40	/* the longest is 30 characters */

struct fp_gowait {
	unsigned int n;		/* entries read; names[0] is "" */
	char names[FP_GOWAIT_MAX][FP_GOWAIT_NAME];
	uint64_t table_vaddr;	/* where the table lies (for check and notes) */
};

/* Reads n bytes at vaddr of the image; 0 or a negative errno. */
typedef int (*fp_gowait_read_fn)(void *ctx, uint64_t vaddr, void *buf, size_t n);

/* The table in data (len bytes loaded at vaddr): the entry 1 pointing at
 * anchor_vaddr (the bytes of "GC assist marking"), after an empty entry 0;
 * the names read through rd.  -ENOENT if there is none. */
int gowait__scan(const uint8_t *data, size_t len, uint64_t vaddr, uint64_t anchor_vaddr,
		 fp_gowait_read_fn rd, void *ctx, struct fp_gowait *out);

struct fp_elf;
/* The whole binary: the anchor in .rodata, the table in .data or
 * .data.rel.ro (a PIE's pointers are in the file too: Go's linker writes
 * them beside their relocations).  -ENOENT: not found. */
int gowait__from_elf(struct fp_elf *e, struct fp_gowait *out);

/* The index of name in w, -1 if absent. */
int gowait__index(const struct fp_gowait *w, const char *name);

#endif
