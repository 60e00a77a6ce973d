/* Go binaries: the build info the linker writes in .go.buildinfo (the Go
 * version, as `go version -m` reads it) and the version arithmetic fastpath
 * needs to know each runtime's calling convention. */
#ifndef FP_UTIL_GOBUILD_H
#define FP_UTIL_GOBUILD_H

#include <stddef.h>
#include <stdint.h>

struct fp_elf;

/* The section's bytes: version into ver ("go1.19.8").  Returns 0;
 * -ENOENT if it is not build info; -EOPNOTSUPP for the pre-1.18 layout
 * (pointers to strings: see gobuild__version_elf). */
int gobuild__parse(const uint8_t *sec, size_t len, char *ver, size_t vlen);
/* Whole binary: Go version from .go.buildinfo in either layout; without
 * it (some release builds drop the section: esbuild's), the lowest version
 * the function table's layout implies (gobuild__version_from_layout).
 * -ENOENT: not a Go binary. */
int gobuild__version_elf(struct fp_elf *e, char *ver, size_t vlen);
/* "go1.16+", "go1.18+", "go1.20+", "go1.23+" (mProf_Malloc takes 24 bytes
 * of arguments), "go1.26+" (a .go.module section): the '+' says it is a
 * lower bound.  -ENOENT without a function table. */
int gobuild__version_from_layout(struct fp_elf *e, char *ver, size_t vlen);
/* "go1.19.8" -> 1, 19; "go1.21rc2" -> 1, 21.  -EINVAL if malformed. */
int gobuild__split(const char *ver, int *major, int *minor);
/* Whether Go version ver is at least major.minor (false if malformed). */
int gobuild__at_least(const char *ver, int major, int minor);
/* runtime.MemProfileRate's address: its symbol, else (stripped binaries,
 * whose function table names no variables) the global that
 * runtime.profilealloc compares with 1.  how: "symbol" or the function
 * read.  -ENOENT if neither. */
int gobuild__memprofilerate(struct fp_elf *e, uint64_t *addr, const char **how);
/* The code path alone (tests compare it with the symbol). */
int gobuild__memprofilerate_code(struct fp_elf *e, uint64_t *addr, const char **how);

#endif
