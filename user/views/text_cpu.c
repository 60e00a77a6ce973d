/* The CPU summary of a process in record's text (views/text.h). */
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include "views/text.h"
#include "views/units.h"
#include "model/cpu.h"
#include "util/escape.h"

void text__cpu_profile(FILE *f, const struct fp_cpu_prof *p);

void text__cpu(FILE *f, const struct fp_proc *p, double window_s)
{
	const struct fp_cpu_stats *c = p->cpu;
	char on[24], user[24], sys[24];
	double pct;

	if (!c)
		return;
	pct = cpu_stats__pct(c->run_ns, window_s);
	fprintf(f, "cpu: %s on CPU", units__dur(c->run_ns, on, sizeof(on)));
	if (!isnan(pct))
		fprintf(f, " (%.1f%% of one CPU over %.3g s)", pct, window_s);
	fprintf(f, ": user %s, system %s (scheduler accounting, exact)\n",
		units__dur(cpu_stats__user_ns(c), user, sizeof(user)),
		units__dur(cpu_stats__system_ns(c), sys, sizeof(sys)));
	if (c->prof)
		text__cpu_profile(f, c->prof);
}

/* The instructions around the hottest ones of an annotated function, as
 * perf annotate shows them: share of the function's samples, offset,
 * disassembly, source line; bounds checks and back edges marked. */
void text__cpu_annot(FILE *f, const struct fp_cpu_annot *a, uint64_t proc_samples)
{
	bool show[a->ninsns ? a->ninsns : 1];
	size_t top[5] = {}, ntop = 0;

	memset(show, 0, sizeof(show));
	for (size_t i = 0; i < a->ninsns; i++) {
		size_t k = ntop < 5 ? ntop++ : 4;

		if (ntop == 5 && k == 4 && a->insns[i].count <= a->insns[top[4]].count)
			continue;
		top[k] = i;
		for (; k > 0 && a->insns[top[k]].count > a->insns[top[k - 1]].count; k--) {
			size_t t = top[k];

			top[k] = top[k - 1];
			top[k - 1] = t;
		}
	}
	for (size_t t = 0; t < ntop; t++)
		for (size_t i = top[t] > 3 ? top[t] - 3 : 0; i < a->ninsns && i <= top[t] + 2; i++)
			show[i] = a->insns[top[t]].count > 0;
	fprintf(f, "  %s: %llu samples (%.1f%% of the process), hottest instructions:\n", ESC(a->function),
		(unsigned long long)a->samples, proc_samples ? 100.0 * a->samples / proc_samples : 0.0);
	for (size_t i = 0; i < a->ninsns; i++) {
		const struct fp_cpu_insn *in = &a->insns[i];

		if (!show[i]) {
			if (i && show[i - 1])
				fprintf(f, "         ...\n");
			continue;
		}
		fprintf(f, "   %6.2f%%  +0x%-5llx %-36s %s%s%s\n", a->samples ? 100.0 * in->count / a->samples : 0.0,
			(unsigned long long)in->off, ESC(in->text), ESC(in->line),
			in->kind == FP_INSN_BOUNDS ? "  <- bounds check: " : in->kind == FP_INSN_BACKEDGE ? "  <- loop" : "",
			in->kind == FP_INSN_BOUNDS ? ESC(in->callee) : "");
	}
}

void text__cpu_profile(FILE *f, const struct fp_cpu_prof *p)
{
	struct fp_prof_count c[FP_PROF_TOP];
	size_t n;

	fprintf(f, "profile: %llu samples at %u Hz per CPU (about %.2f s on CPU, +-%.2f s); shares +- one standard error\n",
		(unsigned long long)p->samples, p->hz, p->hz ? (double)p->samples / p->hz : 0.0,
		p->hz ? sqrt((double)p->samples) / p->hz : 0.0);
	if (!p->samples)
		return;
	n = cpu_prof__rank(p, false, c, FP_PROF_TOP);
	fprintf(f, "   self%%       total%%     function\n");
	for (size_t i = 0; i < n; i++)
		if (c[i].self || c[i].total * 20 >= p->samples)
			fprintf(f, "  %5.1f%% +-%-4.1f %5.1f%%     %s\n", 100.0 * c[i].self / p->samples,
				cpu_prof__share_err(c[i].self, p->samples), 100.0 * c[i].total / p->samples,
				ESCN(c[i].name, c[i].len));
	n = cpu_prof__rank(p, true, c, 5);
	fprintf(f, "  hot lines:\n");
	for (size_t i = 0; i < n && c[i].self; i++)
		fprintf(f, "  %5.1f%% +-%-4.1f %s\n", 100.0 * c[i].self / p->samples,
			cpu_prof__share_err(c[i].self, p->samples), ESCN(c[i].name, c[i].len));
	for (size_t i = 0; i < p->nannots && i < 1; i++)
		text__cpu_annot(f, &p->annots[i], p->samples);
}
