/* Reading what fastpath needs from an ELF file (libelf): symbol addresses,
 * their file offsets for uprobes, bytes at a virtual address, sections. */
#ifndef FP_UTIL_ELFSYM_H
#define FP_UTIL_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fp_elf;

int elf__open(const char *path, struct fp_elf **out);
void elf__close(struct fp_elf *e);
struct fp_gopcln;

/* A defined symbol (functions and objects; .symtab, then .dynsym; for a
 * Go binary without .symtab, its functions from the pclntab). */
int elf__symbol(struct fp_elf *e, const char *name, uint64_t *vaddr, uint64_t *size);
/* Calls fn for every defined symbol name in .symtab and .dynsym (and the
 * pclntab's functions when .symtab is missing); stops when fn returns
 * non-zero and returns that. */
int elf__for_each_symbol(struct fp_elf *e, int (*fn)(const char *name, void *arg), void *arg);
/* Calls fn for every function whose name starts with prefix (NULL: all),
 * from .symtab, else the Go pclntab, else .dynsym, with its address and
 * size; stops when fn returns non-zero and returns that. */
int elf__for_each_func(struct fp_elf *e, const char *prefix,
		       int (*fn)(const char *name, uint64_t vaddr, uint64_t size, void *arg), void *arg);
/* Where function symbols come from: "symtab", ".gopclntab (text from
 * header)" and the like, "dynsym" or "none" (for check and notes). */
const char *elf__symbol_source(struct fp_elf *e);
/* The Go function table (located by section, else by its header bytes in
 * the read-only segments), owned by e; -ENOENT if there is none. */
int elf__gopcln(struct fp_elf *e, const struct fp_gopcln **out);
/* Virtual address -> offset in the file (what a uprobe is placed at). */
int elf__file_offset(struct fp_elf *e, uint64_t vaddr, uint64_t *off);
/* n bytes at a virtual address of the file's image. */
int elf__read(struct fp_elf *e, uint64_t vaddr, void *buf, size_t n);
/* A section's bytes and address; -ENOENT if absent.  *buf points into the
 * file's read-only mapping (resident only as read, never copied): valid
 * until elf__close(e), nothing to free. */
int elf__section(struct fp_elf *e, const char *name, const void **buf, size_t *len, uint64_t *addr);
/* vaddr lies in a writable PT_LOAD segment (data or bss). */
bool elf__writable(struct fp_elf *e, uint64_t vaddr);
/* Dynamically linked (has PT_INTERP). */
bool elf__dynamic(struct fp_elf *e);
/* Position-independent (ET_DYN): loaded at a bias. */
bool elf__pie(struct fp_elf *e);
/* The span of the PT_LOAD segments (lo page-aligned down) and the lowest
 * vaddr of an executable one: what a loaded image looks like. */
int elf__load_range(struct fp_elf *e, uint64_t *lo, uint64_t *hi, uint64_t *exec_lo);

#endif
