/* The detail's breakdown of the stat section over an interval: calls and
 * errno classes, the top paths and directories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/detail.h"
#include "views/units.h"
#include "model/statfam.h"

#define TOP_N 10	/* paths and directories shown */

static int cmp_path_calls(const void *a, const void *b)
{
	const struct fp_stat_path *x = *(const struct fp_stat_path *const *)a;
	const struct fp_stat_path *y = *(const struct fp_stat_path *const *)b;

	return x->calls < y->calls ? 1 : x->calls > y->calls ? -1 : 0;
}

static int cmp_dir_calls(const void *a, const void *b)
{
	const struct fp_stat_dir *x = *(const struct fp_stat_dir *const *)a;
	const struct fp_stat_dir *y = *(const struct fp_stat_dir *const *)b;

	return x->calls < y->calls ? 1 : x->calls > y->calls ? -1 : 0;
}

static void stat_paths(struct detail *det, const struct fp_stat_stats *s, double secs, int width)
{
	const struct fp_stat_path **p = calloc(s->npaths ? s->npaths : 1, sizeof(*p));
	char a[16], b[16];
	size_t n = 0;

	if (!p)
		return;
	for (size_t i = 0; i < s->npaths; i++)
		if (s->paths[i].calls)
			p[n++] = &s->paths[i];
	qsort(p, n, sizeof(*p), cmp_path_calls);
	detail__add(det, DL_TEXT, "  %7s %7s  %s", "calls/s", "err/s", "top paths");
	for (size_t i = 0; i < n && i < TOP_N; i++)
		detail__add(det, DL_TEXT, "  %7s %7s  %.*s%s", units__num5(p[i]->calls / secs, a, sizeof(a)),
			    units__num5(p[i]->errors / secs, b, sizeof(b)), width > 24 ? width - 20 : 4,
			    p[i]->path ? p[i]->path : "(path not kept: map full)",
			    p[i]->truncated ? "..." : "");
	if (!n)
		detail__add(det, DL_DIM, "  no path in this interval");
	free(p);
}

static void stat_dirs(struct detail *det, const struct fp_stat_stats *s, double secs, int width)
{
	const struct fp_stat_dir **d = calloc(s->ndirs ? s->ndirs : 1, sizeof(*d));
	char a[16], b[16];
	size_t n = 0;

	if (!d)
		return;
	for (size_t i = 0; i < s->ndirs; i++)
		if (s->dirs[i].calls)
			d[n++] = &s->dirs[i];
	qsort(d, n, sizeof(*d), cmp_dir_calls);
	if (n)
		detail__add(det, DL_TEXT, "  %7s %7s  %s", "calls/s", "err/s", "top directories");
	for (size_t i = 0; i < n && i < TOP_N; i++)
		detail__add(det, DL_TEXT, "  %7s %7s  %.*s", units__num5(d[i]->calls / secs, a, sizeof(a)),
			    units__num5(d[i]->errors / secs, b, sizeof(b)), width > 24 ? width - 20 : 4,
			    d[i]->dir ? d[i]->dir : "?");
	free(d);
}

void detail__stat(struct detail *det, const struct fp_stat_stats *s, double secs, int width)
{
	char line[256], v[16];
	size_t n = 0;
	double rep = stat_stats__repeat_ratio(s);

	detail__add(det, DL_TEXT, "%s", "");
	detail__add(det, DL_TITLE, "STAT FAMILY (this interval)");
	n += snprintf(line + n, sizeof(line) - n, "  %s calls/s; errors/s:",
		      units__num5(stat_stats__calls(s) / secs, v, sizeof(v)));
	for (int e = 0; e < FP_STAT_NERR && n < sizeof(line); e++)
		n += snprintf(line + n, sizeof(line) - n, " %s %s", stat__err_name(e),
			      units__num5(stat_stats__errno(s, e) / secs, v, sizeof(v)));
	detail__add(det, DL_TEXT, "%s", line);
	if (rep >= 0)
		detail__add(det, DL_TEXT, "  %.0f%% of the calls asked again about a path already seen", rep * 100);
	if (!s->paths_on) {
		detail__add(det, DL_DIM, "  paths not collected (--no-paths)");
		return;
	}
	stat_paths(det, s, secs, width);
	stat_dirs(det, s, secs, width);
}
