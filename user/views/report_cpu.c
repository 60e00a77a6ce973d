/* The CPU section of a process in `report` (text and HTML). */
#include <math.h>
#include <stdio.h>
#include "views/report.h"
#include "views/text.h"
#include "model/cpu.h"
#include "model/sched.h"

void html__flame(FILE *f, const struct fp_cpu_prof *p);

static void html__annot(FILE *f, const struct fp_cpu_annot *a, uint64_t proc_samples)
{
	uint64_t max = 0;

	for (size_t i = 0; i < a->ninsns; i++)
		if (a->insns[i].count > max)
			max = a->insns[i].count;
	fputs("<h4>", f);
	html__puts(f, a->function);
	fprintf(f, " per instruction</h4>\n<p class=\"meta\">%llu samples (%.1f%% of the process); each "
		"instruction's share of the function's samples</p>\n<table class=\"annot\"><tr><th>%%</th>"
		"<th>offset</th><th>instruction</th><th>line</th><th></th></tr>\n",
		(unsigned long long)a->samples, proc_samples ? 100.0 * a->samples / proc_samples : 0.0);
	for (size_t i = 0; i < a->ninsns; i++) {
		const struct fp_cpu_insn *in = &a->insns[i];
		double pct = a->samples ? 100.0 * in->count / a->samples : 0.0;

		char share[16] = "";

		if (in->count)
			snprintf(share, sizeof(share), "%.2f", pct);
		fprintf(f, "<tr%s><td>%s</td><td>+0x%llx</td><td><code>",
			in->count && in->count * 4 >= max ? " class=\"hot\"" : "", share, (unsigned long long)in->off);
		html__puts(f, in->text);
		fputs("</code></td><td>", f);
		html__puts(f, in->line);
		fputs("</td><td>", f);
		if (in->kind == FP_INSN_BOUNDS) {
			fputs("bounds check &rarr; ", f);
			html__puts(f, in->callee);
		} else if (in->kind == FP_INSN_BACKEDGE) {
			fputs("loop", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html__profile(FILE *f, const struct fp_cpu_prof *p)
{
	struct fp_prof_count c[FP_PROF_TOP];
	size_t n;

	fprintf(f, "<h4>Profile</h4>\n<p class=\"meta\">%llu samples at %u Hz per CPU (about %.2f s on CPU, "
		"&plusmn;%.2f s); shares &plusmn; one standard error</p>\n", (unsigned long long)p->samples, p->hz,
		p->hz ? (double)p->samples / p->hz : 0.0, p->hz ? sqrt((double)p->samples) / p->hz : 0.0);
	if (!p->samples)
		return;
	html__flame(f, p);
	n = cpu_prof__rank(p, true, c, FP_PROF_TOP);
	fputs("<table><tr><th>self</th><th>&plusmn;</th><th>hot line</th></tr>\n", f);
	for (size_t i = 0; i < n && c[i].self; i++) {
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)c[i].len, c[i].name);
		fprintf(f, "<tr><td>%.1f%%</td><td>%.1f</td><td>", 100.0 * c[i].self / p->samples,
			cpu_prof__share_err(c[i].self, p->samples));
		html__puts(f, name);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (p->nannots)
		html__annot(f, &p->annots[0], p->samples);
}

void report_text__cpu(FILE *f, const struct fp_proc *p, double secs)
{
	text__cpu(f, p, secs);
}

void report_html__cpu(FILE *f, const struct fp_proc *p, double secs)
{
	const struct fp_cpu_stats *c = p->cpu;
	double pct;

	if (!c)
		return;
	pct = cpu_stats__pct(c->run_ns, secs);
	fputs("<h3>CPU</h3>\n<p>", f);
	fprintf(f, "%.3f s on CPU", c->run_ns / 1e9);
	if (!isnan(pct))
		fprintf(f, " (%.1f%% of one CPU)", pct);
	fprintf(f, ": user %.3f s, system %.3f s <span class=\"meta\">(scheduler accounting, exact)</span></p>\n",
		cpu_stats__user_ns(c) / 1e9, cpu_stats__system_ns(c) / 1e9);
	if (c->prof)
		html__profile(f, c->prof);
}

/* The scheduler waits (model/sched.h): the histograms are drawn with the
 * process's others; here the totals and where it blocked. */
void report_html__sched(FILE *f, const struct fp_proc *p)
{
	const struct fp_sched_stats *s = p->sched;
	double share;

	if (!s)
		return;
	share = sched_stats__off_share(s);
	fprintf(f, "<h3>Waits</h3>\n<p>run queue %.3f s in %llu waits (p50 %.3f ms, p99 %.3f ms); off CPU %.3f s "
		"blocked in %llu periods (p50 %.3f ms, p99 %.3f ms)", s->rq.sum / 1e9, (unsigned long long)s->rq.count,
		hist__percentile(&s->rq, 0.5) / 1e6, hist__percentile(&s->rq, 0.99) / 1e6, s->off.sum / 1e9,
		(unsigned long long)s->off.count, hist__percentile(&s->off, 0.5) / 1e6,
		hist__percentile(&s->off, 0.99) / 1e6);
	if (!isnan(share))
		fprintf(f, ", %.1f%% of the threads' time", share * 100);
	fprintf(f, "; %.3f s on CPU, %llu preemptions <span class=\"meta\">(every context switch, exact)</span></p>\n",
		s->on_ns / 1e9, (unsigned long long)s->preempt);
	if (!s->nblocks)
		return;
	fputs("<table><tr><th>blocked in</th><th>count</th><th>time</th><th>%</th><th>max</th></tr>\n", f);
	for (size_t i = 0; i < s->nblocks && i < 16; i++) {
		const struct fp_sched_block *b = &s->blocks[i];

		fputs("<tr><td>", f);
		html__puts(f, sched__block_name(b->nr));
		fprintf(f, "</td><td>%llu</td><td>%.3f s</td><td>%.1f</td><td>%.3f ms</td></tr>\n",
			(unsigned long long)b->count, b->ns / 1e9, s->off.sum ? 100.0 * b->ns / s->off.sum : 0.0,
			b->max_ns / 1e6);
	}
	fputs("</table>\n", f);
}
