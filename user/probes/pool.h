/* Internal to probes/: the syscall hooks' counter pool (user/probes/pool.c). */
#ifndef FP_PROBES_POOL_H
#define FP_PROBES_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "fp_sys.h"

struct fp_pool;
struct syscalls_bpf;

/* Cells for a pool on ncpus CPUs (set fp_ncells and fp_cells before load). */
__u32 pool__cells_for(int ncpus);
/* After load: map the pool. */
int pool__open(struct fp_pool **out, struct syscalls_bpf *skel);
void pool__close(struct fp_pool *pl);

/* A used column col in [lo, hi) of process tgid's row, summed over the CPUs
 * (min_ns and max_ns the extremes, not sums). */
typedef int (*fp_pool_fn)(__u32 tgid, __u32 col, const struct fp_sys_val *sum, void *ctx);
/* Every slot in use, exited processes' not yet reaped included. */
int pool__each(struct fp_pool *pl, __u32 lo, __u32 hi, fp_pool_fn fn, void *ctx);
/* Reaping, in one poll: note the slots of processes that have exited, read
 * them (each family its columns), then release them. */
int pool__collect_dead(struct fp_pool *pl);
int pool__each_dead(struct fp_pool *pl, __u32 lo, __u32 hi, fp_pool_fn fn, void *ctx);
bool pool__dead_tgid(const struct fp_pool *pl, __u32 tgid);
size_t pool__ndead(const struct fp_pool *pl);
int pool__release_dead(struct fp_pool *pl);

#endif
