/* Internal to the allocator family (alloc.c, alloc_attach.c, alloc_read.c):
 * the per-process table the attach and read halves share with the helper
 * thread.  alloc.c owns the state and the thread; alloc_attach.c places
 * the uprobes; alloc_read.c reads the maps and symbolizes call sites. */
#ifndef FP_PROBES_ALLOC_STATE_H
#define FP_PROBES_ALLOC_STATE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "probes/family.h"
#include "probes/links.h"
#include "probes/probed.h"
#include "probes/rbwait.h"
#include "util/symbolize.h"
#include "fp_alloc.h"

struct fp_elf;

#define ALLOC_OLD_IMAGES 3

struct alloc_pid {
	int pid;
	bool libc;
	int go_mode;			/* enum fp_go_mode */
	char go_version[24];
	bool go_complete;
	char exe[PATH_MAX];		/* for Go: where MemProfileRate lives */
	uint64_t rate_addr;		/* link-time address; 0 if unknown */
	bool exe_pie;
	int64_t rate;			/* -1 until read */
	char *maps;			/* last saved /proc/PID/maps */
	/* The symbolizer's view of that address space, rebuilt only when the
	 * maps change: building it opens every mapped ELF file, which took
	 * 0.5 s per read with --stacks and stalled top's refresh. */
	struct fp_addrspace *as;
	char *as_maps;
	/* The maps of images an exec replaced, newest first, with their
	 * address spaces (built when a site of that image is read): a site
	 * is symbolized with the image it ran in (fp_site_key.image). */
	char *old_maps[ALLOC_OLD_IMAGES];
	struct fp_addrspace *old_as[ALLOC_OLD_IMAGES];
	/* Its parent when first seen: a fork child runs in its parent's image
	 * until it execs, often too briefly for its own maps to be read. */
	int ppid;
	/* For a process gone before its maps could be read (see struct
	 * fp_alloc_layout): its binary, its libc and where each probe sits. */
	char bin[PATH_MAX];
	char libc_path[PATH_MAX];
	uint64_t probe_vaddr[FP_AF_MAX];
	char notes[512];
	char go_entries[192];		/* the Go entry points probed (goalloc__plan_describe) */
	/* Binaries already probed for this pid: uprobes outlive an exec (they
	 * follow the task, and fire again if the new image maps the same
	 * file), so a re-exec of the same binary or libc must not add more. */
	struct fp_probed probed;	/* files with allocator probes */
};

/* The probes of one binary for one process, to attach as one link. */
struct alloc_batch {
	const char *path;
	int pid;
	uint64_t *offs, *cookies;
	size_t n, cap;
};

struct alloc_state {
	struct alloc_bpf *skel;
	const struct fp_probe_opts *opts;
	struct fp_links links;
	/* While set (one binary being attached; attaches are serialized by
	 * probes' attach_lock), alloc_attach__fn queues its probe here for
	 * one uprobe_multi link instead of attaching it alone. */
	struct alloc_batch *batch;
	pthread_mutex_t lock;		/* pids, against the helper thread */
	struct alloc_pid **pids;	/* entries never move (see alloc_state__pid) */
	size_t npids, cap_pids;
	struct ring_buffer *rb;
	struct fp_rbwait rbw;		/* the helper's wait: woken at once to stop */
	pthread_t thread;
	bool thread_on;
	volatile bool stop;
	struct fp_symbolizer *sym;
	unsigned int nskip;		/* fp_alloc_skip slots used */
};

/* The entry of pid (created if asked; NULL if out of memory or absent).
 * Caller holds st->lock. */
struct alloc_pid *alloc_state__pid(struct alloc_state *st, int pid, bool create);
/* Adds fmt (one %s: arg) to a's notes once. */
void alloc_pid__note(struct alloc_pid *a, const char *fmt, const char *arg);
/* a's maps are now maps (owned); the image they replace is kept among
 * a's old images if an exec replaced it.  Caller holds the lock. */
void alloc_pid__set_maps(struct alloc_pid *a, char *maps);
/* Keeps the current /proc/PID/maps, for symbolizing after pid exits. */
void alloc_state__save_maps(struct alloc_state *st, int pid);
/* Rereads Go's MemProfileRate from the live process.  Caller holds the lock. */
void alloc_state__read_rate(struct alloc_state *st, struct alloc_pid *a);
/* Starts the helper thread (after the probes are attached). */
int alloc_state__start_helper(struct alloc_state *st);

/* alloc_attach.c: the family's attach and attach_pid. */
int alloc_attach__shared(void *state);
int alloc_attach__pid(void *state, int pid, const char *exe);
/* One probe: function `name` of binary `path` (opened as e), for pid (-1:
 * every process mapping it), placed by prologue__choose().  addr_out (if
 * set) gets the function's address, probe_out where the probe went. */
int alloc_attach__fn(struct alloc_state *st, struct fp_elf *e, const char *path, int pid,
		     const char *name, unsigned long long cookie, unsigned int argmask,
		     struct alloc_pid *a, uint64_t *addr_out, uint64_t *probe_out);
/* Starts queueing the probes of path for pid in b (see alloc_state.batch). */
void alloc_attach__batch_begin(struct alloc_state *st, struct alloc_batch *b, const char *path, int pid);
/* Attaches b's probes as one uprobe_multi link (each alone, perf-event
 * based, where the kernel has none) and stops queueing. */
int alloc_attach__batch_end(struct alloc_state *st, struct alloc_batch *b);
/* alloc_go.c: the probes of a Go binary, by its version (a->go_version). */
int alloc_go__attach(struct alloc_state *st, const char *path, int pid, struct alloc_pid *a, struct fp_elf *e);
/* alloc_read.c: the family's read. */
int alloc_read__snapshot(void *state, struct fp_snapshot *s);

#endif
