/* A family's attached links, and their teardown (issue 13: fast exit).
 *
 * Each perf-event uprobe waits out RCU grace periods as it is destroyed
 * (about 110 ms on 6.18), and the kernel does most of that under one
 * global mutex (event_mutex, in perf_uprobe_destroy): one by one they
 * made --alloc=exact take a second to exit.  A uprobe_multi link waits
 * once for all of its probes, outside that mutex, so the families put a
 * binary's probes in one such link where they can; what stays perf-event
 * based is destroyed by several threads at once (their grace periods
 * overlap outside the mutex). */
#ifndef FP_PROBES_LINKS_H
#define FP_PROBES_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_link;

/* enum bpf_attach_type in 6.6+ (the build's uapi headers may be older). */
#define FP_BPF_TRACE_UPROBE_MULTI 48

struct fp_links {
	struct bpf_link **l;		/* from libbpf */
	size_t nl, capl;
	int *fd;			/* uprobe_multi links (libbpf 1.1 has no wrapper) */
	size_t nfd, capfd;
};

/* Has the kernel uprobe_multi links (6.6+)?  Asked before a program of
 * that type is loaded, which an older kernel may refuse. */
bool links__have_uprobe_multi(void);
/* Keeps l (destroyed by links__destroy); on failure l is destroyed now. */
int links__add(struct fp_links *ls, struct bpf_link *l);
/* One uprobe_multi link: n probes at file offsets offs of path, each with
 * its BPF cookie, for the thread group of pid (0: every process).  prog
 * must have been loaded with expected_attach_type BPF_TRACE_UPROBE_MULTI.
 * A kernel before 6.6 has no such link: -EINVAL. */
int links__add_uprobe_multi(struct fp_links *ls, int prog_fd, const char *path, int pid,
			    const uint64_t *offs, const uint64_t *cookies, size_t n);
/* Destroys every link, several threads at a time; ls is empty after. */
void links__destroy(struct fp_links *ls);

#endif
