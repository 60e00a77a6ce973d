/* Go's function table (.gopclntab): function entry points and names, and
 * pc -> function, file, line, pcdata, as the Go runtime's own tracebacks
 * read them.  It is what a stripped Go binary (`-ldflags=-s -w`, no
 * .symtab, no DWARF) still has, because the runtime needs it.
 *
 * Pure C over a byte buffer that holds the table from its header on; the
 * bytes are untrusted (any binary a traced process runs): every read is
 * bounds-checked and a malformed table fails with -EINVAL, never reads
 * outside the buffer.  Formats: Go 1.16-1.17 (magic 0xfffffffa), 1.18-1.19
 * (0xfffffff0), 1.20 and later (0xfffffff1). */
#ifndef FP_UTIL_GOPCLNTAB_H
#define FP_UTIL_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fp_gopcln;

enum fp_gopcln_format {
	FP_GOPCLN_116 = 116,	/* Go 1.16-1.17 */
	FP_GOPCLN_118 = 118,	/* Go 1.18-1.19 */
	FP_GOPCLN_120 = 120,	/* Go 1.20+ */
};

/* PCDATA table indexes (internal/abi/symtab.go). */
enum {
	FP_PCDATA_UNSAFEPOINT = 0,
	FP_PCDATA_STACKMAPINDEX = 1,
	FP_PCDATA_INLTREEINDEX = 2,
	FP_PCDATA_ARGLIVEINDEX = 3,
};

struct fp_gofunc {
	uint64_t entry;		/* first instruction */
	uint64_t end;		/* next function's entry (or the table's end of text) */
	const char *name;	/* NUL-terminated, points into the table's buffer */
	int32_t args;		/* bytes of arguments and results (the runtime's
				 * _func.args): tells signatures apart, e.g.
				 * mProf_Malloc(p, size) 16 vs (mp, p, size) 24 */
	uint32_t index;		/* position in the function table */
};

/* The format a header magic announces; 0 if it is none fastpath reads
 * (Go 1.2-1.15's 0xfffffffb included). */
int gopcln__format_of_magic(uint32_t magic);
/* Whether buf starts like a pclntab header fastpath reads: a known magic,
 * two zero bytes, instruction size 1 (x86) and pointer size 8 or 4. */
bool gopcln__looks_like_header(const uint8_t *buf, size_t len);
/* The first offset >= from, 4-aligned, where a header starts; -1 if none
 * (for tables that no section names). */
long gopcln__scan_header(const uint8_t *buf, size_t len, size_t from);

/* Parses the table; buf must stay alive and unchanged while it is used.
 * text: the module's text base (moduledata.text).  0 takes the header's
 * textStart; from Go 1.26 the header says 0, and the table then needs the
 * base from the module data (gopcln__moduledata_text): -EDESTADDRREQ.
 * Go 1.16's table holds absolute entries and ignores text. */
int gopcln__open(const uint8_t *buf, size_t len, uint64_t text, struct fp_gopcln **out);
void gopcln__free(struct fp_gopcln *t);
/* The format, text base, function count and header fields. */
int gopcln__format(const struct fp_gopcln *t);
uint64_t gopcln__text(const struct fp_gopcln *t);
size_t gopcln__nfunc(const struct fp_gopcln *t);
/* The header's textStart field (0 before 1.18 and from 1.26 on). */
int gopcln__header_text(const uint8_t *buf, size_t len, uint64_t *text);
/* The header's funcnametab offset (the module data points there too). */
int gopcln__header_funcname_off(const uint8_t *buf, size_t len, uint64_t *off);

/* Finds the runtime's moduledata in data (the bytes of .go.module,
 * .noptrdata or a writable segment, loaded at data_vaddr) by its first
 * words: a pointer to the header at pcln_vaddr, then funcnametab's
 * pointer; returns its text field.  -ENOENT if no such record. */
int gopcln__moduledata_text(const uint8_t *data, size_t len, const uint8_t *pcln, size_t pcln_len,
			    uint64_t pcln_vaddr, uint64_t *text);

/* Function i of the table (0 <= i < nfunc). */
int gopcln__func(const struct fp_gopcln *t, size_t i, struct fp_gofunc *f);
/* The function whose code holds pc; -ENOENT outside every function. */
int gopcln__find_func(const struct fp_gopcln *t, uint64_t pc, struct fp_gofunc *f);
/* The function named name (exact); -ENOENT if none. */
int gopcln__lookup(const struct fp_gopcln *t, const char *name, struct fp_gofunc *f);
/* Calls fn for every function whose name starts with prefix ("" for all),
 * in table order; stops when fn returns non-zero and returns that. */
int gopcln__for_each(const struct fp_gopcln *t, const char *prefix,
		     int (*fn)(const struct fp_gofunc *f, void *arg), void *arg);
/* Source file and line of the instruction at pc (the innermost inlined
 * position, as DWARF's line table and Go's pcln give it).  *file points
 * into the buffer, NUL-terminated. */
int gopcln__line(const struct fp_gopcln *t, uint64_t pc, const char **file, int *line);
/* Value of pcdata table `table` at pc (-1 where the table has no entry,
 * as the runtime's pcdatavalue).  -ENOENT if the function has no such
 * table. */
int gopcln__pcdata(const struct fp_gopcln *t, uint64_t pc, uint32_t table, int32_t *val);
/* The stack-pointer delta at pc (pcsp): how far SP is below its value at
 * the entry. */
int gopcln__pcsp(const struct fp_gopcln *t, uint64_t pc, int32_t *val);

#endif
