/* Internal to probes/: what each probe family (one .bpf.c) provides. */
#ifndef FP_PROBES_FAMILY_H
#define FP_PROBES_FAMILY_H

#include <bpf/libbpf.h>
#include "probes/probes.h"

/* Exited processes being reaped: sorted tgids. */
struct fp_reap {
	const __u32 *tgids;
	size_t n;
};
bool reap__has(const struct fp_reap *r, __u32 tgid);

struct fp_pool;

struct fp_family {
	const char *name;
	bool (*wanted)(const struct fp_probe_opts *o);
	/* Open and load; share the target maps with probes__share_maps(). */
	int (*load)(struct fp_probes *P, void **state);
	int (*attach)(void *state);
	/* Optional: attach what is specific to one target process (uprobes);
	 * exe is the binary it will run, NULL to read /proc/PID/exe. */
	int (*attach_pid)(void *state, int pid, const char *exe);
	int (*read)(void *state, struct fp_snapshot *s);
	void (*destroy)(void *state);
	/* Optional, called a few times a second while tracing. */
	void (*poll)(void *state);
	/* Optional: move what the maps hold of the exited processes in r into
	 * `into` (their final totals, the same as read() would give) and delete
	 * it from the maps, so that fork churn never fills them. */
	int (*reap)(void *state, const struct fp_reap *r, struct fp_snapshot *into);
	/* Optional: the sorted tgids it still holds data of that reap() does
	 * not take (the allocator family has no reap): a reaped process with
	 * such data must stay where the next read finds it (its identity
	 * names those entries), not be handed to probes__take_reaped(). */
	int (*held)(void *state, __u32 **tgids, size_t *n);
	/* Programs, for run-time statistics. */
	struct bpf_object *(*object)(void *state);
};

/* With -v: a load step done (opened, loaded, attached), its time if t0 >= 0
 * (CLOCK_MONOTONIC ms) and the peak and current resident memory after it,
 * so that the memory each step costs is visible. */
void probes__log_step(const char *family, const char *step, double t0);
const struct fp_probe_opts *probes__opts(struct fp_probes *P);
/* Point obj's fp_targets/fp_procs/fp_drops at the core's maps (before load). */
int probes__share_maps(struct fp_probes *P, struct bpf_object *obj);
/* Sum a per-CPU value of value_size bytes made of u64 counters. */
void probes__sum_percpu(const void *percpu, size_t value_size, void *out);

/* One entry of a per-CPU map, as the readers of every family see it. */
struct fp_percpu_entry {
	const void *key;
	const void *sum;	/* the value's u64 words summed over the CPUs */
	const void *percpu;	/* ncpus values, value_size bytes apart */
	size_t value_size;
	int ncpus;
};
typedef int (*fp_percpu_fn)(const struct fp_percpu_entry *e, void *ctx);
/* Calls fn for every entry of the per-CPU map fd (entries deleted while we
 * walk are skipped); stops at, and returns, fn's first non-zero return. */
int probes__each_percpu(int fd, size_t key_size, size_t value_size, fp_percpu_fn fn, void *ctx);
/* Extremes of the u64 at byte offset off across the CPUs (min ignores 0,
 * which means unset): per-CPU minima and maxima must not be summed. */
/* probes__each_percpu() restricted to the entries of r's processes (keys
 * begin with the tgid), each deleted once fn has taken it. */
int probes__reap_percpu(int fd, size_t key_size, size_t value_size, const struct fp_reap *r,
			fp_percpu_fn fn, void *ctx);
uint64_t probes__percpu_min(const struct fp_percpu_entry *e, size_t off);
uint64_t probes__percpu_max(const struct fp_percpu_entry *e, size_t off);
int probes__ncpus(void);
/* The loaded syscall-hook skeleton (struct syscalls_bpf *), shared by the
 * sys, io and stat families; NULL until the sys family has loaded. */
void probes__set_syscalls(struct fp_probes *P, void *skel, struct fp_pool *pool);
void *probes__syscalls(struct fp_probes *P);
/* Its counter pool (probes/pool.h), which the io family's histograms use. */
struct fp_pool *probes__pool(struct fp_probes *P);
/* Called by the proc family once its object is loaded. */
void probes__set_shared(struct fp_probes *P, struct bpf_object *obj);

/* While held (nested holds count), every object's load is handed the
 * same parse of the kernel's BTF (vmlinux_btf.c); freed at the last
 * release. */
void vmlinux_btf__hold(void);
void vmlinux_btf__release(void);

extern const struct fp_family fp_family_proc;
extern const struct fp_family fp_family_sys;
extern const struct fp_family fp_family_alloc;
extern const struct fp_family fp_family_stat;
extern const struct fp_family fp_family_io;
extern const struct fp_family fp_family_cpu;
extern const struct fp_family fp_family_gopark;
extern const struct fp_family fp_family_sched;

#endif
