/* The phrasing of a diff's changes: see diff_text.h. */
#include <stdio.h>
#include "views/diff_text.h"
#include "views/units.h"

static void rate(const struct fp_change *c, char *buf, size_t len)
{
	const char *in_all = c->unit[0] == 'B' ? "B" : "";
	char b1[32], b2[32], t1[32], t2[32], f[16];

	snprintf(buf, len, "%s %s -> %s (%s; in all %s -> %s)", c->what,
		 units__amount(c->before, c->unit, b1, sizeof(b1)), units__amount(c->after, c->unit, b2, sizeof(b2)),
		 units__fold(c->fold, f, sizeof(f)), units__amount(c->total_before, in_all, t1, sizeof(t1)),
		 units__amount(c->total_after, in_all, t2, sizeof(t2)));
}

/* A site or path that became a top one: its share after, not its totals. */
static void new_top(const struct fp_change *c, char *buf, size_t len)
{
	char r1[32], r2[32];

	units__amount(c->before, c->unit, r1, sizeof(r1));
	units__amount(c->after, c->unit, r2, sizeof(r2));
	if (c->subject == FP_SUBJ_ALLOC_SITE)
		snprintf(buf, len, "new top allocation site %s: %s -> %s (%.0f%% of the allocated %s after)",
			 c->name, r1, r2, c->share * 100, c->estimated ? "bytes; estimated" : "calls");
	else
		snprintf(buf, len, "new hot stat path %s: %s -> %s (%.0f%% of the stat calls after)",
			 c->name, r1, r2, c->share * 100);
}

static void percentile(const struct fp_change *c, char *buf, size_t len)
{
	char b1[32], b2[32], f[16];

	snprintf(buf, len, "%s %s -> %s (%s)", c->what, units__amount(c->before, c->unit, b1, sizeof(b1)),
		 units__amount(c->after, c->unit, b2, sizeof(b2)), units__fold(c->fold, f, sizeof(f)));
}

/* With bytes (unit "share") the zero-copy share and the syscalls per MiB;
 * from the syscall table (unit "calls/s") the calls per second. */
static void data_path(const struct fp_change *c, char *buf, size_t len)
{
	const char *u = c->unit[0] == 's' ? "B" : "calls/s";
	char t[4][32], f[16];

	units__amount(c->zc[0], u, t[0], 32);
	units__amount(c->zc[1], u, t[1], 32);
	units__amount(c->copy[0], u, t[2], 32);
	units__amount(c->copy[1], u, t[3], 32);
	units__fold(c->fold, f, sizeof(f));
	if (c->unit[0] == 's')
		snprintf(buf, len,
			 "data path %s: zero-copy share of bytes %.0f%% -> %.0f%% (zero-copy %s -> %s, copy %s -> %s); "
			 "syscalls per MiB moved %.3g -> %.3g (%s)", c->what, c->before * 100, c->after * 100,
			 t[0], t[1], t[2], t[3], c->per_mib[0], c->per_mib[1], f);
	else
		snprintf(buf, len,
			 "data path %s (from the syscall table): zero-copy calls (sendfile, splice, ...) %s -> %s, "
			 "copying calls (read, write, ...) %s -> %s; data syscalls per second %s",
			 c->what, t[0], t[1], t[2], t[3], f);
}

static void process(const struct fp_change *c, char *buf, size_t len)
{
	bool after = c->kind == FP_CHG_PROC_NEW;
	int n = after ? c->nprocs_after : c->nprocs_before;
	char b[32];

	snprintf(buf, len, "%s only %s (%d process%s, %s)", c->comm, after ? "after" : "before", n,
		 n > 1 ? "es" : "", units__amount(after ? c->after : c->before, "syscalls/s", b, sizeof(b)));
}

const char *diff_text__change(const struct fp_change *c, char *buf, size_t len)
{
	switch (c->kind) {
	case FP_CHG_DATA_PATH:
		data_path(c, buf, len);
		break;
	case FP_CHG_FINDING_NEW:
	case FP_CHG_FINDING_GONE:
		snprintf(buf, len, "finding %s %s: [%s] %s", c->what,
			 c->kind == FP_CHG_FINDING_NEW ? "appeared" : "went away", c->severity, c->summary);
		break;
	case FP_CHG_PROC_NEW:
	case FP_CHG_PROC_GONE:
		process(c, buf, len);
		break;
	case FP_CHG_RATE:
		if (c->subject == FP_SUBJ_METRIC)
			rate(c, buf, len);
		else
			new_top(c, buf, len);
		break;
	case FP_CHG_PERCENTILE:
		percentile(c, buf, len);
		break;
	case FP_CHG_CPU_FN:
		snprintf(buf, len, "%s %+.1f%% of CPU samples: %.1f%% -> %.1f%% (+-%.1f; %.0f samples at %u Hz -> "
			 "%.0f at %u Hz)", c->what, c->after - c->before, c->before, c->after, c->share_err,
			 c->total_before, c->hz[0], c->total_after, c->hz[1]);
		break;
	default:
		snprintf(buf, len, "%s", c->what);
	}
	return buf;
}
