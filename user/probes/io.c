/* The data-path family (bpf/io.bpf.h): copy versus zero-copy per fd kind.
 * Its BPF code runs inside the shared syscall hooks, loaded and attached by
 * the sys family; this file only reads its maps. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "probes/pool.h"
#include "model/io.h"
#include "fp_io.h"
#include "syscalls.skel.h"

static bool io_wanted(const struct fp_probe_opts *o)
{
	return o->io;
}

struct io_state {
	struct syscalls_bpf *skel;	/* both owned by the sys family */
	struct fp_pool *pool;
};

static int io_load(struct fp_probes *P, void **state)
{
	struct io_state *st;

	if (!probes__syscalls(P) || !probes__pool(P))
		return -ENOENT;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->skel = probes__syscalls(P);
	st->pool = probes__pool(P);
	*state = st;
	return 0;
}

static int io_attach(void *state)
{
	return 0;	/* the sys family attached the hooks */
}

static struct fp_io_stats *proc_io(struct fp_snapshot *s, unsigned int tgid)
{
	struct fp_proc *p = snapshot__proc(s, tgid, true);

	if (p && !p->io)
		p->io = io_stats__new();
	return p ? p->io : NULL;
}

static int cell_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_io_key *key = e->key;
	const struct fp_io_val *sum = e->sum;
	struct fp_io_stats *io = proc_io(ctx, key->tgid);

	return io ? io_stats__add(io, key->nr, key->src, key->dst, sum->calls, sum->bytes) : -ENOMEM;
}

/* A size histogram: column FP_SYS_NR_MAX + family * FP_FD_KINDS + kind of
 * the process's row in the syscall pool. */
static int hist_cell(__u32 tgid, __u32 col, const struct fp_sys_val *sum, void *ctx)
{
	struct fp_io_stats *io = proc_io(ctx, tgid);
	unsigned int i = col - FP_SYS_NR_MAX;
	struct fp_hist *h;

	h = io ? io_stats__size(io, i / FP_FD_KINDS, i % FP_FD_KINDS) : NULL;
	if (!h)
		return io ? -EINVAL : -ENOMEM;
	memcpy(h->b, sum->lat, sizeof(h->b));
	h->min = sum->min_ns;
	h->max = sum->max_ns;
	return 0;
}

/* Reaped: final, so finished at once (finish is idempotent; the process's
 * cells may come with this reap or, when its exit raced the poll, the next). */
static int hist_cell_reaped(__u32 tgid, __u32 col, const struct fp_sys_val *sum, void *ctx)
{
	int err = hist_cell(tgid, col, sum, ctx);

	if (!err)
		io_stats__finish(snapshot__proc(ctx, tgid, false)->io);
	return err;
}

static int read_cells(struct syscalls_bpf *skel, struct fp_snapshot *s)
{
	return probes__each_percpu(bpf_map__fd(skel->maps.fp_io_cells), sizeof(struct fp_io_key),
				   sizeof(struct fp_io_val), cell_entry, s);
}

static int io_read(void *state, struct fp_snapshot *s)
{
	struct io_state *st = state;
	int err;

	err = read_cells(st->skel, s);
	if (!err)
		err = pool__each(st->pool, FP_ROW_IO, FP_ROW_IO + FP_ROW_IO_HISTS, hist_cell, s);
	for (size_t i = 0; !err && i < s->nprocs; i++)
		if (s->procs[i].io)
			io_stats__finish(s->procs[i].io);
	return err;
}

static int io_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct io_state *st = state;
	int err;

	err = probes__reap_percpu(bpf_map__fd(st->skel->maps.fp_io_cells), sizeof(struct fp_io_key),
				  sizeof(struct fp_io_val), r, cell_entry, into);
	if (!err)
		err = pool__each_dead(st->pool, FP_ROW_IO, FP_ROW_IO + FP_ROW_IO_HISTS, hist_cell_reaped, into);
	for (size_t i = 0; !err && i < r->n; i++) {
		struct fp_proc *p = snapshot__proc(into, r->tgids[i], false);

		if (p && p->io)
			io_stats__finish(p->io);
	}
	return err;
}

static void io_destroy(void *state)
{
	free(state);	/* the skeleton and pool belong to the sys family */
}

const struct fp_family fp_family_io = {
	.name = "data path",
	.wanted = io_wanted,
	.load = io_load,
	.attach = io_attach,
	.read = io_read,
	.reap = io_reap,
	.destroy = io_destroy,
};
