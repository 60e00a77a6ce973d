/* Symbolizing user addresses with elfutils (libdwfl): "function file:line"
 * from DWARF (or the symbol table), "module+0xoffset" when nothing is
 * known.  Works from a saved copy of /proc/PID/maps, so a process that has
 * exited can still be symbolized; results are cached per module build id
 * and module-relative address, so every process of one binary shares them. */
#ifndef FP_UTIL_SYMBOLIZE_H
#define FP_UTIL_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fp_symbolizer;

int symbolizer__new(struct fp_symbolizer **out);
void symbolizer__free(struct fp_symbolizer *S);
/* Address space of one process: maps is the text of its /proc/PID/maps.
 * Returns a handle for symbolizer__frame; NULL on failure. */
struct fp_addrspace *symbolizer__addrspace(struct fp_symbolizer *S, const char *maps);
void symbolizer__addrspace_free(struct fp_addrspace *A);
/* One frame; is_return: addr is a return address (looks up addr - 1, the
 * call instruction). */
void symbolizer__frame(struct fp_symbolizer *S, struct fp_addrspace *A, uint64_t addr,
		       bool is_return, char *buf, size_t len);

/* The function that contains addr (the symbol table, else a Go binary's
 * function table), where its bytes are in which file: for disassembling
 * it (the CPU annotation). */
struct fp_func_range {
	uint64_t start, size;	/* in the process */
	uint64_t file_vaddr;	/* start, as a virtual address of the file */
	char name[128];
	char path[4096];
};
int symbolizer__function(struct fp_symbolizer *S, struct fp_addrspace *A, uint64_t addr,
			 struct fp_func_range *out);

#endif
