/* The detail's CPU section over an interval: on-CPU time, user and system,
 * and with --profile the top functions and lines of the interval's
 * samples, with the rate and the error. */
#include <stdio.h>
#include "views/detail.h"
#include "model/cpu.h"

static void detail__prof(struct detail *det, const struct fp_cpu_prof *p)
{
	struct fp_prof_count c[FP_PROF_TOP];
	size_t n;

	detail__add(det, DL_TEXT, "  profile: %llu samples at %u Hz per CPU in the interval; shares +- one standard error",
		    (unsigned long long)p->samples, p->hz);
	if (!p->samples)
		return;
	n = cpu_prof__rank(p, false, c, FP_PROF_TOP);
	detail__add(det, DL_DIM, "     self%%        total%%   function");
	for (size_t i = 0; i < n; i++)
		if (c[i].self || c[i].total * 20 >= p->samples)
			detail__add(det, DL_TEXT, "    %5.1f%% +-%-4.1f  %5.1f%%   %.*s", 100.0 * c[i].self / p->samples,
				    cpu_prof__share_err(c[i].self, p->samples), 100.0 * c[i].total / p->samples,
				    (int)c[i].len, c[i].name);
	n = cpu_prof__rank(p, true, c, 5);
	detail__add(det, DL_DIM, "     self%%        hot line");
	for (size_t i = 0; i < n && c[i].self; i++)
		detail__add(det, DL_TEXT, "    %5.1f%% +-%-4.1f  %.*s", 100.0 * c[i].self / p->samples,
			    cpu_prof__share_err(c[i].self, p->samples), (int)c[i].len, c[i].name);
}

void detail__cpu(struct detail *det, const struct fp_cpu_stats *s, double secs, int width)
{
	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "CPU (this interval; scheduler accounting, exact)");
	detail__add(det, DL_TEXT, "  %.1f%% of one CPU: user %.1f%%, system %.1f%% (%.3f s on CPU in %.2f s)",
		    cpu_stats__pct(s->run_ns, secs), cpu_stats__pct(cpu_stats__user_ns(s), secs),
		    cpu_stats__pct(cpu_stats__system_ns(s), secs), s->run_ns / 1e9, secs);
	if (s->prof)
		detail__prof(det, s->prof);
}
