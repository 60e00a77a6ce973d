/* The CPU section of a process in `report` (text and HTML). */
#include <math.h>
#include <stdio.h>
#include "views/report.h"
#include "views/text.h"
#include "model/cpu.h"

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
}
