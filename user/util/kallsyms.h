/* Kernel addresses to function names, from /proc/kallsyms (read once,
 * line by line).
 * Addresses are only real for root (kptr_restrict): otherwise every
 * address is 0 and lookups say "[kernel]". */
#ifndef FP_UTIL_KALLSYMS_H
#define FP_UTIL_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct fp_kallsyms;

int kallsyms__load(struct fp_kallsyms **out, const char *path);
void kallsyms__free(struct fp_kallsyms *K);
/* "vfs_read" (the function containing addr), or NULL if unknown. */
const char *kallsyms__name(const struct fp_kallsyms *K, uint64_t addr);

#endif
