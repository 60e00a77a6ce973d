#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "model/sched.h"
#include "model/syscalls.h"

struct fp_sched_stats *sched_stats__new(void)
{
	return calloc(1, sizeof(struct fp_sched_stats));
}

void sched_stats__free(struct fp_sched_stats *s)
{
	if (s) {
		free(s->blocks);
		cpu_prof__free(s->stacks);
	}
	free(s);
}

struct fp_sched_stats *sched_stats__clone(const struct fp_sched_stats *s)
{
	return sched_stats__delta(s, NULL);
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static const struct fp_sched_block *block_of(const struct fp_sched_stats *s, int nr)
{
	for (size_t i = 0; s && i < s->nblocks; i++)
		if (s->blocks[i].nr == nr)
			return &s->blocks[i];
	return NULL;
}

int sched_stats__add_block(struct fp_sched_stats *s, int nr, uint64_t count, uint64_t ns, uint64_t max_ns)
{
	struct fp_sched_block *b = (struct fp_sched_block *)block_of(s, nr);

	if (!b) {
		if (s->nblocks == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			void *n = realloc(s->blocks, cap * sizeof(*s->blocks));

			if (!n)
				return -ENOMEM;
			s->blocks = n;
			s->cap = cap;
		}
		b = &s->blocks[s->nblocks++];
		memset(b, 0, sizeof(*b));
		b->nr = nr;
	}
	b->count += count;
	b->ns += ns;
	if (max_ns > b->max_ns)
		b->max_ns = max_ns;
	return 0;
}

struct fp_sched_stats *sched_stats__delta(const struct fp_sched_stats *cur, const struct fp_sched_stats *prev)
{
	struct fp_sched_stats *d = sched_stats__new();

	if (!d)
		return NULL;
	/* A reused pid (counters went backwards) counts from zero. */
	if (prev && (prev->rq.count > cur->rq.count || prev->off.count > cur->off.count))
		prev = NULL;
	d->on_ns = sub(cur->on_ns, prev ? prev->on_ns : 0);
	d->preempt = sub(cur->preempt, prev ? prev->preempt : 0);
	if (prev) {
		hist__delta(&d->rq, &cur->rq, &prev->rq);
		hist__delta(&d->off, &cur->off, &prev->off);
	} else {
		d->rq = cur->rq;
		d->off = cur->off;
	}
	for (size_t i = 0; i < cur->nblocks; i++) {
		const struct fp_sched_block *c = &cur->blocks[i], *o = block_of(prev, c->nr);

		if (o && o->count >= c->count)
			continue;	/* nothing new in the window */
		if (sched_stats__add_block(d, c->nr, c->count - (o ? o->count : 0), sub(c->ns, o ? o->ns : 0),
					   c->max_ns)) {
			sched_stats__free(d);
			return NULL;
		}
	}
	if (cur->stacks && !(d->stacks = prev && prev->stacks ? cpu_prof__delta(cur->stacks, prev->stacks)
							     : cpu_prof__clone(cur->stacks))) {
		sched_stats__free(d);
		return NULL;
	}
	if (d->stacks)
		cpu_prof__sort(d->stacks);	/* the interval's largest first */
	return d;
}

static int by_ns(const void *a, const void *b)
{
	const struct fp_sched_block *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

void sched_stats__sort(struct fp_sched_stats *s)
{
	if (s->nblocks > 1)
		qsort(s->blocks, s->nblocks, sizeof(*s->blocks), by_ns);
}

double sched_stats__off_share(const struct fp_sched_stats *s)
{
	double all = (double)s->on_ns + (double)s->rq.sum + (double)s->off.sum;

	return all > 0 ? (double)s->off.sum / all : NAN;
}

size_t sched_stats__hists(const struct fp_sched_stats *s, struct fp_named_hist *out, size_t max)
{
	size_t n = 0;

	if (n < max && s->rq.count)
		out[n++] = (struct fp_named_hist){ "run-queue delay", "ns", &s->rq };
	if (n < max && s->off.count)
		out[n++] = (struct fp_named_hist){ "off-CPU", "ns", &s->off };
	return n;
}

const char *sched__block_name(int nr)
{
	if (nr == FP_SCHED_BLOCK_FUTEX_LOCK)
		return "futex_lock";
	return nr < 0 ? "none" : syscall__name(nr);
}

int sched__block_nr(const char *name)
{
	int nr;

	if (!strcmp(name, "none"))
		return -1;
	if (!strcmp(name, "futex_lock"))
		return FP_SCHED_BLOCK_FUTEX_LOCK;
	nr = syscall__nr(name);
	return nr < 0 ? -2 : nr;
}

static bool scheduler_frame(const char *f)
{
	static const char *const own[] = { "__schedule", "schedule", "preempt_schedule", "__traceiter_sched_switch",
					   "io_schedule", "schedule_timeout", "schedule_hrtimeout_range_clock",
					   "schedule_hrtimeout_range", "bpf_", "perf_" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (!strncmp(f, own[i], strlen(own[i])))
			return true;
	return false;
}

int sched__stack_kernel_frame(const struct fp_cpu_stack *st)
{
	for (size_t i = 0; i < st->nkernel; i++)
		if (!scheduler_frame(st->frames[i]))
			return (int)i;
	return -1;
}
