/* The detail's CPU section over an interval: on-CPU time, user and system
 * (the profile's functions and lines join it with --profile). */
#include <stdio.h>
#include "views/detail.h"
#include "model/cpu.h"

void detail__cpu(struct detail *det, const struct fp_cpu_stats *s, double secs, int width)
{
	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "CPU (this interval; scheduler accounting, exact)");
	detail__add(det, DL_TEXT, "  %.1f%% of one CPU: user %.1f%%, system %.1f%% (%.3f s on CPU in %.2f s)",
		    cpu_stats__pct(s->run_ns, secs), cpu_stats__pct(cpu_stats__user_ns(s), secs),
		    cpu_stats__pct(cpu_stats__system_ns(s), secs), s->run_ns / 1e9, secs);
}
