/* The data-path family (bpf/io.bpf.h): copy versus zero-copy per fd kind.
 * Its BPF code runs inside the shared syscall hooks, loaded and attached by
 * the sys family; this file only reads its maps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "model/io.h"
#include "io.h"
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

static int read_cells(struct syscalls_bpf *skel, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(skel->maps.fp_io_cells);
	struct fp_io_key key, next, *prev = NULL;
	struct fp_io_val *vals, sum;
	struct fp_io_stats *io;
	int err = 0;

	vals = calloc(probes__ncpus(), sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;	/* raced with a delete */
		probes__sum_percpu(vals, sizeof(*vals), &sum);
		io = proc_io(s, key.tgid);
		err = io ? io_stats__add(io, key.nr, key.src, key.dst, sum.calls, sum.bytes) : -ENOMEM;
		if (err)
			break;
	}
	free(vals);
	return err;
}

static int read_hists(struct syscalls_bpf *skel, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(skel->maps.fp_io_hists);
	struct fp_io_hist_key key, next, *prev = NULL;
	struct fp_io_hist_val *vals, sum;
	size_t n = probes__ncpus();
	struct fp_io_stats *io;
	struct fp_hist *h;
	int err = 0;

	vals = calloc(n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		probes__sum_percpu(vals, sizeof(*vals), &sum);
		io = proc_io(s, key.tgid);
		h = io ? io_stats__size(io, key.family, key.kind) : NULL;
		if (!h) {
			err = io ? -EINVAL : -ENOMEM;
			break;
		}
		memcpy(h->b, sum.b, sizeof(h->b));
		/* Per-CPU min/max: take them across CPUs, never summed. */
		h->min = h->max = 0;
		for (size_t c = 0; c < n; c++) {
			if (vals[c].min && (!h->min || vals[c].min < h->min))
				h->min = vals[c].min;
			if (vals[c].max > h->max)
				h->max = vals[c].max;
		}
	}
	free(vals);
	return err;
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
	.destroy = io_destroy,
};
