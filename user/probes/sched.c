/* The scheduler-wait family (bpf/sched.bpf.c, --waits): run-queue delay and
 * off-CPU time per process, off-CPU split by the syscall a thread blocked
 * in.  The syscall in flight is the sys family's per-thread state: its
 * task-storage map is shared into this object before load. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "model/sched.h"
#include "fp_sched.h"
#include "sched.skel.h"
#include "syscalls.skel.h"

struct sched_state {
	struct sched_bpf *skel;
};

static bool sched_wanted(const struct fp_probe_opts *o)
{
	return o->waits;
}

/* The sys family's fp_sys_start, if it is loaded (it loads first). */
static int share_sys_start(struct fp_probes *P, struct sched_bpf *skel)
{
	struct syscalls_bpf *sys = probes__syscalls(P);

	if (!sys)
		return 0;	/* no syscalls traced: every block is "none" */
	return bpf_map__reuse_fd(skel->maps.fp_sys_start, bpf_map__fd(sys->maps.fp_sys_start));
}

static int sched_load(struct fp_probes *P, void **state)
{
	struct sched_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	st->skel = sched_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	st->skel->rodata->targ_cfg = probes__opts(P)->cfg;
	err = probes__share_maps(P, st->skel->obj);
	if (!err)
		err = share_sys_start(P, st->skel);
	if (!err)
		err = sched_bpf__load(st->skel);
	if (err)
		goto cleanup;
	*state = st;
	return 0;
cleanup:
	sched_bpf__destroy(st->skel);
	free(st);
	return err;
}

static int sched_attach(void *state)
{
	struct sched_state *st = state;

	return sched_bpf__attach(st->skel) ? -errno : 0;
}

static struct fp_sched_stats *stats_of(struct fp_snapshot *s, unsigned int tgid)
{
	struct fp_proc *p = snapshot__proc(s, (int)tgid, true);

	if (!p)
		return NULL;
	if (!p->sched)
		p->sched = sched_stats__new();
	return p->sched;
}

/* The kernel's histogram into the model's: the buckets summed over the
 * CPUs, the extremes across them. */
static void fill_hist(struct fp_hist *h, const __u64 *b, uint64_t sum, uint64_t min, uint64_t max)
{
	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		h->b[i] = b[i];
	hist__recount(h);
	h->sum = sum;
	h->min = h->count ? min : 0;
	h->max = max;
}

static int proc_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_sched_val *v = e->sum;
	struct fp_sched_stats *ss = stats_of(ctx, *(const __u32 *)e->key);

	if (!ss)
		return -ENOMEM;
	ss->on_ns = v->on_ns;
	ss->preempt = v->preempt;
	fill_hist(&ss->rq, v->rq_hist, v->rq_ns, probes__percpu_min(e, offsetof(struct fp_sched_val, rq_min)),
		  probes__percpu_max(e, offsetof(struct fp_sched_val, rq_max)));
	fill_hist(&ss->off, v->off_hist, v->off_ns, probes__percpu_min(e, offsetof(struct fp_sched_val, off_min)),
		  probes__percpu_max(e, offsetof(struct fp_sched_val, off_max)));
	return 0;
}

static int block_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_sched_block_key *k = e->key;
	const struct fp_sched_block_val *v = e->sum;
	struct fp_sched_stats *ss = stats_of(ctx, k->tgid);

	if (!ss)
		return -ENOMEM;
	return sched_stats__add_block(ss, k->nr == FP_SCHED_NR_NONE ? -1 : (int)k->nr, v->count, v->ns,
				      probes__percpu_max(e, offsetof(struct fp_sched_block_val, max_ns)));
}

static void finish(struct fp_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].sched)
			sched_stats__sort(s->procs[i].sched);
}

static int sched_read(void *state, struct fp_snapshot *s)
{
	struct sched_state *st = state;
	int err;

	err = probes__each_percpu(bpf_map__fd(st->skel->maps.fp_sched_procs), sizeof(__u32),
				  sizeof(struct fp_sched_val), proc_entry, s);
	if (!err)
		err = probes__each_percpu(bpf_map__fd(st->skel->maps.fp_sched_block),
					  sizeof(struct fp_sched_block_key), sizeof(struct fp_sched_block_val),
					  block_entry, s);
	if (!err)
		finish(s);
	return err;
}

/* An exited process leaves with its final figures: no program counts for
 * it once its last thread has switched out for good. */
static int sched_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct sched_state *st = state;
	int err;

	err = probes__reap_percpu(bpf_map__fd(st->skel->maps.fp_sched_procs), sizeof(__u32),
				  sizeof(struct fp_sched_val), r, proc_entry, into);
	if (!err)
		err = probes__reap_percpu(bpf_map__fd(st->skel->maps.fp_sched_block),
					  sizeof(struct fp_sched_block_key), sizeof(struct fp_sched_block_val), r,
					  block_entry, into);
	if (!err)
		finish(into);
	return err;
}

static void sched_destroy(void *state)
{
	struct sched_state *st = state;

	sched_bpf__destroy(st->skel);
	free(st);
}

static struct bpf_object *sched_object(void *state)
{
	return ((struct sched_state *)state)->skel->obj;
}

const struct fp_family fp_family_sched = {
	.name = "scheduler-wait",
	.wanted = sched_wanted,
	.load = sched_load,
	.attach = sched_attach,
	.read = sched_read,
	.destroy = sched_destroy,
	.reap = sched_reap,
	.object = sched_object,
};
