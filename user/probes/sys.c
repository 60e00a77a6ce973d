/* The syscall accounting family (bpf/syscalls.bpf.c), which also loads and
 * attaches the shared syscall hooks of the io and stat families. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "fp_sys.h"
#include "syscalls.skel.h"

/* The syscall hooks carry the io and stat families too (syscalls.bpf.c). */
static bool sys_wanted(const struct fp_probe_opts *o)
{
	return o->sys || o->io || o->stat;
}

/* Tests only: FASTPATH_MAP_ENTRIES="fp_stat_sys=128,fp_io_cells=64" sizes
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

static int sys_load(struct fp_probes *P, void **state)
{
	struct syscalls_bpf *skel = syscalls_bpf__open();
	int err;

	if (!skel)
		return -errno;
	skel->rodata->targ_cfg = probes__opts(P)->cfg;
	skel->rodata->hook_sys = probes__opts(P)->sys;
	skel->rodata->hook_io = probes__opts(P)->io;
	skel->rodata->hook_stat = probes__opts(P)->stat;
	skel->rodata->stat_paths = probes__opts(P)->stat_paths;
	/* Tests shrink the map to prove that what does not fit is counted. */
	if (getenv("FASTPATH_SYS_STATS_ENTRIES"))
		bpf_map__set_max_entries(skel->maps.fp_sys_stats,
					 atoi(getenv("FASTPATH_SYS_STATS_ENTRIES")));
	shrink_maps(skel->obj, getenv("FASTPATH_MAP_ENTRIES"));
	err = probes__share_maps(P, skel->obj);
	if (!err)
		err = syscalls_bpf__load(skel);
	if (err) {
		syscalls_bpf__destroy(skel);
		return err;
	}
	probes__set_syscalls(P, skel);
	*state = skel;
	return 0;
}

static int sys_attach(void *state)
{
	return syscalls_bpf__attach(state);
}

static int sys_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_sys_key *key = e->key;
	const struct fp_sys_val *sum = e->sum;
	struct fp_sys_stat *st;
	struct fp_proc *p;

	p = snapshot__proc(ctx, key->tgid, true);
	st = p ? proc__sys(p, key->nr, true) : NULL;
	if (!st)
		return -ENOMEM;
	st->calls = sum->calls;
	st->errors = sum->errors;
	st->total_ns = sum->total_ns;
	memcpy(st->lat.b, sum->lat, sizeof(st->lat.b));
	hist__recount(&st->lat);
	st->lat.sum = sum->total_ns;
	st->lat.min = probes__percpu_min(e, offsetof(struct fp_sys_val, min_ns));
	st->lat.max = probes__percpu_max(e, offsetof(struct fp_sys_val, max_ns));
	return 0;
}

static int sys_read(void *state, struct fp_snapshot *s)
{
	struct syscalls_bpf *skel = state;

	if (!skel->rodata->hook_sys)
		return 0;
	return probes__each_percpu(bpf_map__fd(skel->maps.fp_sys_stats), sizeof(struct fp_sys_key),
				   sizeof(struct fp_sys_val), sys_entry, s);
}

static int sys_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct syscalls_bpf *skel = state;

	if (!skel->rodata->hook_sys)
		return 0;
	return probes__reap_percpu(bpf_map__fd(skel->maps.fp_sys_stats), sizeof(struct fp_sys_key),
				   sizeof(struct fp_sys_val), r, sys_entry, into);
}

static void sys_destroy(void *state)
{
	syscalls_bpf__destroy(state);
}

static struct bpf_object *sys_object(void *state)
{
	return ((struct syscalls_bpf *)state)->obj;
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
