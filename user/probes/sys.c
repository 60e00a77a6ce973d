/* The syscall accounting family (bpf/syscalls.bpf.c), which also loads and
 * attaches the shared syscall hooks of the io and stat families. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "probes/pool.h"
#include "fp_sys.h"
#include "syscalls.skel.h"

/* The syscall hooks carry the io and stat families too (syscalls.bpf.c). */
static bool sys_wanted(const struct fp_probe_opts *o)
{
	return o->sys || o->io || o->stat;
}

/* Tests only: FASTPATH_MAP_ENTRIES="fp_stat_paths=128,fp_io_cells=64" sizes
 * those maps, to show that reaping keeps small maps enough under churn. */
static void shrink_maps(struct bpf_object *obj, const char *spec)
{
	char name[64];
	int n, len;

	while (spec && sscanf(spec, "%63[^=]=%d%n", name, &n, &len) == 2) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

		if (m && n > 0)
			bpf_map__set_max_entries(m, n);
		spec += len;
		if (*spec != ',')
			break;
		spec++;
	}
}

struct sys_state {
	struct syscalls_bpf *skel;
	struct fp_pool *pool;
};

/* The pool: its cells, fewer on many CPUs; tests shrink it to prove that
 * what does not fit is counted (FASTPATH_SYS_STATS_ENTRIES). */
static void size_pool(struct syscalls_bpf *skel)
{
	int ncpus = probes__ncpus();
	__u32 ncells = pool__cells_for(ncpus);
	const char *env = getenv("FASTPATH_SYS_STATS_ENTRIES");

	if (env && atoi(env) > 0 && (__u32)atoi(env) < ncells)
		ncells = atoi(env);
	skel->rodata->fp_ncpus = ncpus;
	skel->rodata->fp_ncells = ncells;
	bpf_map__set_max_entries(skel->maps.fp_cells, ncells * ncpus);
	bpf_map__set_max_entries(skel->maps.fp_free_cells, ncells);
}

static int sys_load(struct fp_probes *P, void **state)
{
	struct sys_state *st = calloc(1, sizeof(*st));
	struct syscalls_bpf *skel;
	int err;

	if (!st)
		return -ENOMEM;
	skel = syscalls_bpf__open();
	if (!skel) {
		err = -errno;
		free(st);
		return err;
	}
	st->skel = skel;
	probes__log_step("syscall", "opened", -1);
	skel->rodata->targ_cfg = probes__opts(P)->cfg;
	skel->rodata->hook_sys = probes__opts(P)->sys;
	skel->rodata->hook_io = probes__opts(P)->io;
	skel->rodata->hook_stat = probes__opts(P)->stat;
	skel->rodata->stat_paths = probes__opts(P)->stat_paths;
	size_pool(skel);
	shrink_maps(skel->obj, getenv("FASTPATH_MAP_ENTRIES"));
	err = probes__share_maps(P, skel->obj);
	if (!err)
		err = syscalls_bpf__load(skel);
	if (!err) {
		probes__log_step("syscall", "loaded (before mapping the pool)", -1);
		err = pool__open(&st->pool, skel);
	}
	if (err) {
		syscalls_bpf__destroy(skel);
		free(st);
		return err;
	}
	probes__set_syscalls(P, skel, st->pool);
	*state = st;
	return 0;
}

static int sys_attach(void *state)
{
	return syscalls_bpf__attach(((struct sys_state *)state)->skel);
}

static int sys_cell(__u32 tgid, __u32 nr, const struct fp_sys_val *sum, void *ctx)
{
	struct fp_sys_stat *st;
	struct fp_proc *p;

	p = snapshot__proc(ctx, tgid, true);
	st = p ? proc__sys(p, nr, true) : NULL;
	if (!st)
		return -ENOMEM;
	st->calls = sum->calls;
	st->errors = sum->errors;
	st->total_ns = sum->total_ns;
	memcpy(st->lat.b, sum->lat, sizeof(st->lat.b));
	hist__recount(&st->lat);
	st->lat.sum = sum->total_ns;
	st->lat.min = sum->min_ns;
	st->lat.max = sum->max_ns;
	return 0;
}

static int sys_read(void *state, struct fp_snapshot *s)
{
	struct sys_state *st = state;

	if (!st->skel->rodata->hook_sys)
		return 0;
	return pool__each(st->pool, 0, FP_SYS_NR_MAX, sys_cell, s);
}

/* Last of the pool's users in the reap order (io reads its columns first):
 * the slots of the exited processes go back to the pool here. */
static int sys_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct sys_state *st = state;
	int err = 0;

	if (st->skel->rodata->hook_sys)
		err = pool__each_dead(st->pool, 0, FP_SYS_NR_MAX, sys_cell, into);
	if (!err)
		err = pool__release_dead(st->pool);
	return err;
}

static void sys_destroy(void *state)
{
	struct sys_state *st = state;

	pool__close(st->pool);
	syscalls_bpf__destroy(st->skel);
	free(st);
}

static struct bpf_object *sys_object(void *state)
{
	return ((struct sys_state *)state)->skel->obj;
}

const struct fp_family fp_family_sys = {
	.name = "syscall",
	.wanted = sys_wanted,
	.load = sys_load,
	.attach = sys_attach,
	.read = sys_read,
	.reap = sys_reap,
	.destroy = sys_destroy,
	.object = sys_object,
};
