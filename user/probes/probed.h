/* The files a process already has uprobes on, by inode: uprobes follow a
 * task across an exec into the same file, so a second attach would count
 * every call twice.  Shared by the allocator and park families. */
#ifndef FP_PROBED_H
#define FP_PROBED_H

#include <stdbool.h>
#include <sys/types.h>

#define FP_PROBED_MAX 8

struct fp_probed {
	struct { dev_t dev; ino_t ino; } f[FP_PROBED_MAX];
	unsigned int n;
};

/* Has path (its inode) had probes in this process already?  Else it is
 * remembered (up to FP_PROBED_MAX files).  A file that cannot be stat'ed
 * is never "probed before". */
bool probed__before(struct fp_probed *p, const char *path);

#endif
