/* The scheduler waits of a process in record's text and report's
 * (views/text.h): run-queue delay, off-CPU time and where it blocked. */
#include <math.h>
#include <stdio.h>
#include "views/text.h"
#include "views/units.h"
#include "model/sched.h"
#include "util/escape.h"

#define TEXT_SCHED_BLOCKS 8	/* syscalls listed; the rest summed */
#define TEXT_SCHED_STACKS 5	/* off-CPU stacks listed */
#define TEXT_SCHED_FRAMES 6	/* user frames of each */

static void pcts(FILE *f, const struct fp_hist *h)
{
	char a[24], b[24], c[24];

	fprintf(f, "p50 %s, p99 %s, p99.9 %s", units__dur(hist__percentile(h, 0.50), a, sizeof(a)),
		units__dur(hist__percentile(h, 0.99), b, sizeof(b)),
		units__dur(hist__percentile(h, 0.999), c, sizeof(c)));
}

static void blocks(FILE *f, const struct fp_sched_stats *s)
{
	uint64_t rest_n = 0, rest_ns = 0;
	char t[24], m[24];

	if (!s->nblocks)
		return;
	fprintf(f, "  blocked in           count        time     %%        max\n");
	for (size_t i = 0; i < s->nblocks; i++) {
		const struct fp_sched_block *b = &s->blocks[i];

		if (i >= TEXT_SCHED_BLOCKS) {
			rest_n += b->count;
			rest_ns += b->ns;
			continue;
		}
		fprintf(f, "  %-16s %9llu %11s %5.1f %10s\n", sched__block_name(b->nr), (unsigned long long)b->count,
			units__dur(b->ns, t, sizeof(t)), s->off.sum ? 100.0 * b->ns / s->off.sum : 0.0,
			units__dur(b->max_ns, m, sizeof(m)));
	}
	if (rest_n)
		fprintf(f, "  %-16s %9llu %11s %5.1f\n", "(others)", (unsigned long long)rest_n,
			units__dur(rest_ns, t, sizeof(t)), s->off.sum ? 100.0 * rest_ns / s->off.sum : 0.0);
}

/* "  1.20 s  61.0%  in pipe_read [kernel]" then the user frames, leaf first. */
static void stacks(FILE *f, const struct fp_cpu_prof *p, uint64_t off_ns)
{
	char t[24];

	if (!p || !p->nstacks)
		return;
	fprintf(f, "  off-CPU stacks (time blocked, user frames leaf first):\n");
	for (size_t i = 0; i < p->nstacks && i < TEXT_SCHED_STACKS; i++) {
		const struct fp_cpu_stack *st = &p->stacks[i];
		int k = sched__stack_kernel_frame(st);

		fprintf(f, "  %10s %5.1f%%", units__dur(st->count, t, sizeof(t)),
			off_ns ? 100.0 * st->count / off_ns : 0.0);
		if (k >= 0)
			fprintf(f, "  in %s", ESC(st->frames[k]));
		fprintf(f, "\n");
		for (size_t j = st->nkernel; j < st->nframes && j < st->nkernel + TEXT_SCHED_FRAMES; j++)
			fprintf(f, "                      %s\n", ESC(st->frames[j]));
	}
	if (p->nstacks > TEXT_SCHED_STACKS)
		fprintf(f, "  (%zu more stacks: 'fastpath report --format folded-offcpu')\n", p->nstacks - TEXT_SCHED_STACKS);
}

void text__sched(FILE *f, const struct fp_proc *p)
{
	const struct fp_sched_stats *s = p->sched;
	double share;
	char t[24], on[24];

	if (!s)
		return;
	share = sched_stats__off_share(s);
	fprintf(f, "waits: run queue %s in %llu waits", units__dur(s->rq.sum, t, sizeof(t)),
		(unsigned long long)s->rq.count);
	if (s->rq.count) {
		fprintf(f, " (");
		pcts(f, &s->rq);
		fprintf(f, ")");
	}
	fprintf(f, "; %s on CPU, %llu preemptions\n", units__dur(s->on_ns, on, sizeof(on)),
		(unsigned long long)s->preempt);
	fprintf(f, "       off CPU (blocked) %s in %llu periods", units__dur(s->off.sum, t, sizeof(t)),
		(unsigned long long)s->off.count);
	if (s->off.count) {
		fprintf(f, " (");
		pcts(f, &s->off);
		fprintf(f, ")");
	}
	if (!isnan(share))
		fprintf(f, ", %.1f%% of the threads' time", share * 100);
	fprintf(f, "\n");
	blocks(f, s);
	stacks(f, s->stacks, s->off.sum);
}
