/* The detail's Waits section over an interval: run-queue delay and off-CPU
 * time (their histograms are drawn with the others) and the syscalls the
 * threads blocked in. */
#include <math.h>
#include <stdio.h>
#include "views/detail.h"
#include "views/units.h"
#include "model/sched.h"
#include "util/escape.h"

#define DETAIL_SCHED_BLOCKS 8
#define DETAIL_SCHED_STACKS 5
#define DETAIL_SCHED_FRAMES 4

/* The stacks blocked in longest, each as what it blocked in (kernel) and
 * a few user frames. */
static void detail_stacks(struct detail *det, const struct fp_cpu_prof *p, uint64_t off_ns)
{
	char a[24];

	if (!p || !p->nstacks)
		return;
	detail__add(det, DL_DIM, "    off-CPU stacks (time blocked; user frames leaf first)");
	for (size_t i = 0; i < p->nstacks && i < DETAIL_SCHED_STACKS; i++) {
		const struct fp_cpu_stack *st = &p->stacks[i];
		int k = sched__stack_kernel_frame(st);

		detail__add(det, DL_TEXT, "    %10s %5.1f%%  in %s", units__dur(st->count, a, sizeof(a)),
			    off_ns ? 100.0 * st->count / off_ns : 0.0, k >= 0 ? ESC(st->frames[k]) : "-");
		for (size_t j = st->nkernel; j < st->nframes && j < st->nkernel + DETAIL_SCHED_FRAMES; j++)
			detail__add(det, DL_TEXT, "                        %s", ESC(st->frames[j]));
	}
}

void detail__sched(struct detail *det, const struct fp_sched_stats *s, double secs, int width)
{
	char a[24], b[24], c[24];
	double share = sched_stats__off_share(s);

	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "WAITS (this interval; every context switch, exact)");
	detail__add(det, DL_TEXT, "  run queue %s in %llu waits: p50 %s, p99 %s, p99.9 %s",
		    units__dur(s->rq.sum, a, sizeof(a)), (unsigned long long)s->rq.count,
		    units__dur(hist__percentile(&s->rq, 0.5), b, sizeof(b)),
		    units__dur(hist__percentile(&s->rq, 0.99), c, sizeof(c)),
		    units__dur(hist__percentile(&s->rq, 0.999), a, sizeof(a)));
	detail__add(det, DL_TEXT, "  off CPU %s in %llu periods: p50 %s, p99 %s",
		    units__dur(s->off.sum, a, sizeof(a)), (unsigned long long)s->off.count,
		    units__dur(hist__percentile(&s->off, 0.5), b, sizeof(b)),
		    units__dur(hist__percentile(&s->off, 0.99), c, sizeof(c)));
	if (!isnan(share))
		detail__add(det, DL_TEXT, "  blocked %.1f%% of the threads' time; %s on CPU, %llu preemptions",
			    share * 100, units__dur(s->on_ns, a, sizeof(a)), (unsigned long long)s->preempt);
	if (s->nblocks)
		detail__add(det, DL_DIM, "    blocked in             count        time      %%");
	for (size_t i = 0; i < s->nblocks && i < DETAIL_SCHED_BLOCKS; i++)
		detail__add(det, DL_TEXT, "    %-18s %9llu %11s %5.1f%%", sched__block_name(s->blocks[i].nr),
			    (unsigned long long)s->blocks[i].count, units__dur(s->blocks[i].ns, a, sizeof(a)),
			    s->off.sum ? 100.0 * s->blocks[i].ns / s->off.sum : 0.0);
	detail_stacks(det, s->stacks, s->off.sum);
}
