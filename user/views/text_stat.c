/* The stat-family lines under a process in `record`'s text output. */
#include "views/text.h"
#include "model/statfam.h"
#include "util/escape.h"

#define TEXT_STAT_TOP 5

void text__stat_summary(FILE *f, const struct fp_proc *p, double window_s)
{
	const struct fp_stat_stats *st = p->stat;
	uint64_t calls;
	char buf[FP_STAT_DIR_DEPTH * FP_STAT_NAME_LEN + 2];
	double rr;

	if (!st || !(calls = stat_stats__calls(st)))
		return;
	/* the errno classes that occurred, as report's text names them */
	fprintf(f, "\nstat family: %llu calls (%s), %llu failed", (unsigned long long)calls,
		stat__rates(st, window_s, buf, sizeof(buf)), (unsigned long long)stat_stats__errors(st));
	for (int e = 0, n = 0; e < FP_STAT_NERR; e++)
		if (stat_stats__errno(st, e))
			fprintf(f, "%s%llu %s", n++ ? ", " : " (", (unsigned long long)stat_stats__errno(st, e),
				stat__err_name(e));
	fprintf(f, "%s\n", stat_stats__errors(st) ? ")" : "");
	if (st->truncated || st->faulted)
		fprintf(f, "  paths truncated: %llu, unreadable: %llu\n",
			(unsigned long long)st->truncated, (unsigned long long)st->faulted);
	if (!st->paths_on) {
		fprintf(f, "  paths not recorded (--no-paths)\n");
		return;
	}
	rr = stat_stats__repeat_ratio(st);
	fprintf(f, "  %llu distinct paths, repeat ratio %.1f%%\n",
		(unsigned long long)st->distinct_paths, rr < 0 ? 0 : 100 * rr);
	for (size_t i = 0; i < st->npaths && i < TEXT_STAT_TOP; i++)
		fprintf(f, "  %9llu calls %9llu errors  %s%s\n", (unsigned long long)st->paths[i].calls,
			(unsigned long long)st->paths[i].errors,
			st->paths[i].path ? ESC(st->paths[i].path) : "(path not kept)",
			st->paths[i].truncated ? "..." : "");
	for (size_t i = 0; i < st->ndirs && i < TEXT_STAT_TOP; i++)
		fprintf(f, "  %9llu calls %9llu errors  under %s\n", (unsigned long long)st->dirs[i].calls,
			(unsigned long long)st->dirs[i].errors, ESC(stat__subtree(st->dirs[i].dir, buf, sizeof(buf))));
}
