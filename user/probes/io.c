/* The data-path family (bpf/io.bpf.h): copy versus zero-copy per fd kind.
 * Its BPF code runs inside the shared syscall hooks, loaded and attached by
 * the sys family; this file only reads its maps. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "model/io.h"
#include "fp_io.h"
#include "syscalls.skel.h"

static bool io_wanted(const struct fp_probe_opts *o)
{
	return o->io;
}

static int io_load(struct fp_probes *P, void **state)
{
	struct syscalls_bpf *skel = probes__syscalls(P);

	if (!skel)
		return -ENOENT;
	*state = skel;
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

static int hist_entry(const struct fp_percpu_entry *e, void *ctx)
{
	const struct fp_io_hist_key *key = e->key;
	const struct fp_io_hist_val *sum = e->sum;
	struct fp_io_stats *io = proc_io(ctx, key->tgid);
	struct fp_hist *h;

	h = io ? io_stats__size(io, key->family, key->kind) : NULL;
	if (!h)
		return io ? -EINVAL : -ENOMEM;
	memcpy(h->b, sum->b, sizeof(h->b));
	h->min = probes__percpu_min(e, offsetof(struct fp_io_hist_val, min));
	h->max = probes__percpu_max(e, offsetof(struct fp_io_hist_val, max));
	return 0;
}

static int read_cells(struct syscalls_bpf *skel, struct fp_snapshot *s)
{
	return probes__each_percpu(bpf_map__fd(skel->maps.fp_io_cells), sizeof(struct fp_io_key),
				   sizeof(struct fp_io_val), cell_entry, s);
}

static int read_hists(struct syscalls_bpf *skel, struct fp_snapshot *s)
{
	return probes__each_percpu(bpf_map__fd(skel->maps.fp_io_hists), sizeof(struct fp_io_hist_key),
				   sizeof(struct fp_io_hist_val), hist_entry, s);
}

static int io_read(void *state, struct fp_snapshot *s)
{
	struct syscalls_bpf *skel = state;
	int err;

	err = read_cells(skel, s);
	if (!err)
		err = read_hists(skel, s);
	for (size_t i = 0; !err && i < s->nprocs; i++)
		if (s->procs[i].io)
			io_stats__finish(s->procs[i].io);
	return err;
}

static int io_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct syscalls_bpf *skel = state;
	int err;

	err = probes__reap_percpu(bpf_map__fd(skel->maps.fp_io_cells), sizeof(struct fp_io_key),
				  sizeof(struct fp_io_val), r, cell_entry, into);
	if (!err)
		err = probes__reap_percpu(bpf_map__fd(skel->maps.fp_io_hists),
					  sizeof(struct fp_io_hist_key),
					  sizeof(struct fp_io_hist_val), r, hist_entry, into);
	for (size_t i = 0; !err && i < r->n; i++) {
		struct fp_proc *p = snapshot__proc(into, r->tgids[i], false);

		if (p && p->io)
			io_stats__finish(p->io);
	}
	return err;
}

static void io_destroy(void *state)
{
	/* the skeleton belongs to the sys family */
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
