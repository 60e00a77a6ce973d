/* The scheduler-wait family (bpf/sched.bpf.c, --waits): run-queue delay and
 * off-CPU time per process, off-CPU split by the syscall a thread blocked
 * in.  The syscall in flight is the sys family's per-thread state: its
 * task-storage map is shared into this object before load. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "probes/rbwait.h"
#include "probes/stacks.h"
#include "model/sched.h"
#include "fp_sched.h"
#include "sched.skel.h"
#include "syscalls.skel.h"

struct sched_state {
	struct sched_bpf *skel;
	struct fp_stacks *stk;		/* --waits=stacks */
	struct ring_buffer *rb;		/* processes' new off-CPU stacks */
	struct fp_rbwait rbw;		/* its wait, woken to stop */
	pthread_t poller;		/* saves their maps as they come */
	bool polling;
	volatile bool stop;
};

static bool sched_wanted(const struct fp_probe_opts *o)
{
	return o->waits;
}

/* The sys family's records of syscalls in flight, if it is loaded (it
 * loads first): this CPU's, and those moved to task storage. */
static int share_sys_start(struct fp_probes *P, struct sched_bpf *skel)
{
	struct syscalls_bpf *sys = probes__syscalls(P);
	int err;

	if (!sys)
		return 0;	/* no syscalls traced: every block is "none" */
	err = bpf_map__reuse_fd(skel->maps.fp_sys_cur, bpf_map__fd(sys->maps.fp_sys_cur));
	if (err)
		return err;
	return bpf_map__reuse_fd(skel->maps.fp_sys_start, bpf_map__fd(sys->maps.fp_sys_start));
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct fp_sched_event *ev = data;

	if (len >= sizeof(*ev))
		stacks__note_mm(ctx, (int)ev->tgid, ev->map_count);
	return 0;
}

/* A short-lived process (record -- CMD of a command that runs 0.1 s) is
 * gone before the next poll, a fifth of a second away, and with it its
 * maps: a thread takes each event as it comes, while the process runs. */
static void *poll_events(void *arg)
{
	struct sched_state *st = arg;
	sigset_t all;

	/* SIGINT/SIGTERM are the main thread's to take. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!st->stop) {
		int err = rbwait__poll(&st->rbw, st->rb, 100);

		if (err < 0 && err != -EINTR)
			break;
	}
	return NULL;
}

static int stacks_open(struct sched_state *st)
{
	int err = stacks__new(&st->stk);

	if (err)
		return err;
	st->rb = ring_buffer__new(bpf_map__fd(st->skel->maps.fp_sched_events), on_event, st->stk, NULL);
	if (!st->rb)
		return -errno;
	err = rbwait__init(&st->rbw, st->rb);
	if (err)
		return err;
	err = -pthread_create(&st->poller, NULL, poll_events, st);
	st->polling = !err;
	return err;
}

static void sched_destroy(void *state)
{
	struct sched_state *st = state;

	if (st->polling) {
		st->stop = true;
		rbwait__wake(&st->rbw);
		pthread_join(st->poller, NULL);
	}
	rbwait__close(&st->rbw);
	ring_buffer__free(st->rb);
	stacks__free(st->stk);
	sched_bpf__destroy(st->skel);
	free(st);
}

static int sched_load(struct fp_probes *P, void **state)
{
	struct sched_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	st->rbw.ep = st->rbw.wake = -1;
	st->skel = sched_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	probes__log_step("scheduler-wait", "opened", -1);
	st->skel->rodata->targ_cfg = probes__opts(P)->cfg;
	st->skel->rodata->want_stacks = probes__opts(P)->waits_stacks;
	/* Without stacks their maps stay empty: size them to nothing, as the
	 * CPU family does.  Both are preallocated (the stack hash must not
	 * allocate on sched_switch): 35 ms of the object's load, zeroing
	 * 16k per-CPU entries. */
	if (!probes__opts(P)->waits_stacks) {
		bpf_map__set_max_entries(st->skel->maps.fp_sched_offstacks, 1);
		bpf_map__set_max_entries(st->skel->maps.fp_sched_stacks, 1);
	}
	err = probes__share_maps(P, st->skel->obj);
	if (!err)
		err = share_sys_start(P, st->skel);
	if (!err)
		err = sched_bpf__load(st->skel);
	if (!err && probes__opts(P)->waits_stacks)
		err = stacks_open(st);
	if (err)
		goto cleanup;
	*state = st;
	return 0;
cleanup:
	sched_destroy(st);
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

/* ---- off-CPU stacks -------------------------------------------------- */

struct stack_entry {
	struct fp_sched_stack_key k;
	uint64_t ns;
};

struct stack_collect {
	struct stack_entry *v;
	size_t n, cap;
};

static int collect_stack(const struct fp_percpu_entry *e, void *ctx)
{
	struct stack_collect *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		void *v = realloc(c->v, cap * sizeof(*c->v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].k = *(const struct fp_sched_stack_key *)e->key;
	c->v[c->n].ns = ((const struct fp_sched_stack_val *)e->sum)->ns;
	c->n++;
	return 0;
}

static int cmp_stack_tgid(const void *a, const void *b)
{
	const struct stack_entry *x = a, *y = b;

	return (x->k.tgid > y->k.tgid) - (x->k.tgid < y->k.tgid);
}

/* The leaf kernel frames that are our own program and the tracepoint's
 * call into it (bpf_prog_..._fp_sched_switch, bpf_trace_run4): not where
 * the thread blocked. */
static size_t own_frames(char *const *frames, size_t nkernel)
{
	size_t n = 0;

	while (n < nkernel && frames[n] &&
	       (!strncmp(frames[n], "bpf_prog_", 9) || !strncmp(frames[n], "bpf_trace_run", 13) ||
		!strncmp(frames[n], "__bpf_trace_", 12) || !strncmp(frames[n], "__traceiter_", 12)))
		n++;
	return n;
}

/* One process's stacks (v[0..n), one tgid) into its sched section. */
static int stacks_of_proc(struct sched_state *st, struct fp_snapshot *s, const struct stack_entry *v, size_t n)
{
	struct fp_sched_stats *ss = stats_of(s, v[0].k.tgid);
	struct fp_addrspace *as = stacks__addrspace(st->stk, (int)v[0].k.tgid);
	int fd = bpf_map__fd(st->skel->maps.fp_sched_stacks), err = 0;
	char *frames[2 * FP_SCHED_DEPTH + 1];

	if (!ss)
		return -ENOMEM;
	cpu_prof__free(ss->stacks);
	if (!(ss->stacks = cpu_prof__new(0)))
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		size_t nk, nf = stacks__frames(st->stk, as, fd, FP_SCHED_DEPTH, v[i].k.user_stack, v[i].k.kern_stack, 0,
					       frames, sizeof(frames) / sizeof(frames[0]), &nk);
		size_t own = own_frames(frames, nk);
		bool ok = true;

		for (size_t f = 0; f < nf; f++)
			ok &= frames[f] != NULL;
		err = ok ? cpu_prof__add(ss->stacks, (const char *const *)frames + own, nf - own, nk - own, v[i].ns)
			 : -ENOMEM;
		for (size_t f = 0; f < nf; f++)
			free(frames[f]);
	}
	cpu_prof__finish(ss->stacks);
	return err;
}

/* Every (process, stacks) entry (only r's processes, deleted as taken,
 * when r is given), symbolized per process. */
static int read_stacks(struct sched_state *st, const struct fp_reap *r, struct fp_snapshot *s)
{
	int fd = bpf_map__fd(st->skel->maps.fp_sched_offstacks), err;
	struct stack_collect c = {};
	size_t ks = sizeof(struct fp_sched_stack_key), vs = sizeof(struct fp_sched_stack_val);

	if (!st->stk)
		return 0;
	err = r ? probes__reap_percpu(fd, ks, vs, r, collect_stack, &c) : probes__each_percpu(fd, ks, vs, collect_stack, &c);
	if (!err && c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_stack_tgid);
	for (size_t i = 0, j; !err && i < c.n; i = j) {
		for (j = i; j < c.n && c.v[j].k.tgid == c.v[i].k.tgid; j++)
			;
		err = stacks_of_proc(st, s, &c.v[i], j - i);
	}
	free(c.v);
	return err;
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
		err = read_stacks(st, NULL, s);
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
		err = read_stacks(st, r, into);
	if (!err)
		finish(into);
	return err;
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
