/* The CPU summary of a process in record's text (views/text.h). */
#include <math.h>
#include "views/text.h"
#include "views/units.h"
#include "model/cpu.h"

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
		fprintf(f, " (%.1f%% of one CPU over %.2f s)", pct, window_s);
	fprintf(f, ": user %s, system %s (scheduler accounting, exact)\n",
		units__dur(cpu_stats__user_ns(c), user, sizeof(user)),
		units__dur(cpu_stats__system_ns(c), sys, sizeof(sys)));
}
