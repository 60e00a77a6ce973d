/* The stat-storm rule: stat-family calls far above normal for a process. */
#include <stdio.h>
#include "model/statfam.h"

/* Below this volume nothing is a storm, whatever the rate: a short program
 * that stats its 50 config files in 10 ms is not news. */
#define STORM_MIN_CALLS 1000
/* "Thousands per second": over the window, or in the busiest second. */
#define STORM_RATE 2000.0
#define STORM_CRITICAL_RATE 20000.0

static void storm_summary(const struct fp_stat_stats *st, double window_s, char *buf, size_t len)
{
	uint64_t calls = stat_stats__calls(st);
	double rr = stat_stats__repeat_ratio(st);
	char rates[128], failed[128];
	size_t n;

	n = snprintf(buf, len, "%llu stat-family calls (%s)", (unsigned long long)calls,
		     stat__rates(st, window_s, rates, sizeof(rates)));
	if (n < len && st->paths_on)
		n += snprintf(buf + n, len - n, " on %llu distinct paths, repeat ratio %.0f%%",
			      (unsigned long long)st->distinct_paths, rr < 0 ? 0 : 100 * rr);
	else if (n < len)
		n += snprintf(buf + n, len - n, " (paths not recorded)");
	if (n < len)
		snprintf(buf + n, len - n, "%s", stat__failed(st, failed, sizeof(failed)));
}

static void storm_detail(const struct fp_stat_stats *st, char *buf, size_t len)
{
	double rr = stat_stats__repeat_ratio(st);
	size_t n;

	n = snprintf(buf, len, "Cache the results instead of asking again%s; avoid re-walking the tree on every run",
		     rr > 0.2 ? " (the same paths come back)" : "");
	for (size_t i = 0; i < st->ndirs && i < 3 && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : " (busiest directories: ", st->dirs[i].dir);
	if (st->ndirs && n < len)
		n += snprintf(buf + n, len - n, ")");
	if (n < len)
		n += snprintf(buf + n, len - n, "; list directories with the kernel's directory iteration "
			      "(getdents64/readdir, fstatat relative to a directory fd) rather than probing names");
	if (n < len && stat_stats__errno(st, FP_STAT_ENOENT))
		n += snprintf(buf + n, len - n, "; probe once for optional files (%llu ENOENT)",
			      (unsigned long long)stat_stats__errno(st, FP_STAT_ENOENT));
	if (n < len)
		snprintf(buf + n, len - n, "; for large trees that rarely change, watch them "
			 "(inotify/fanotify, fsmonitor-style as git's core.fsmonitor) instead of stat-ing every file.");
}

int stat__storm_rule(struct fp_proc *p, double window_s)
{
	const struct fp_stat_stats *st = p->stat;
	uint64_t calls, total, others;
	bool fast, dominant;
	uint64_t peak;
	double rate;
	char summary[512], detail[1024];

	if (!st)
		return 0;
	calls = stat_stats__calls(st);
	if (calls < STORM_MIN_CALLS)
		return 0;
	rate = window_s > 0 ? calls / window_s : 0;
	total = proc__sys_calls(p);
	others = total > calls ? total - calls : 0;
	peak = stat_stats__peak(st, window_s, NULL);
	fast = rate >= STORM_RATE || peak >= STORM_RATE;
	dominant = p->nsys && calls > others;
	if (!fast && !dominant)
		return 0;
	storm_summary(st, window_s, summary, sizeof(summary));
	storm_detail(st, detail, sizeof(detail));
	return proc__add_finding(p, "stat-storm",
				 dominant && peak >= STORM_CRITICAL_RATE ? "critical" : "warning",
				 summary, detail);
}
