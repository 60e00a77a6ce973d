/* What every report of a recording shares: the order of its processes and
 * the line that says what was recorded where. */
#include <stdlib.h>
#include <time.h>
#include "views/report.h"
#include "model/syscalls.h"

static int cmp_busy(const void *a, const void *b)
{
	const struct fp_proc *x = *(const struct fp_proc *const *)a;
	const struct fp_proc *y = *(const struct fp_proc *const *)b;
	uint64_t tx = proc__sys_time(x), ty = proc__sys_time(y);
	uint64_t cx = proc__sys_calls(x), cy = proc__sys_calls(y);

	if (tx != ty)
		return tx < ty ? 1 : -1;
	if (cx != cy)
		return cx < cy ? 1 : -1;
	return x->pid - y->pid;
}

const struct fp_proc **report__order(const struct fp_snapshot *s, size_t *n)
{
	const struct fp_proc **v = calloc(s->nprocs ? s->nprocs : 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->nprocs; i++)
		v[(*n)++] = &s->procs[i];
	qsort(v, *n, sizeof(*v), cmp_busy);
	return v;
}

void report__describe(const struct fp_snapshot *s, char *buf, size_t len)
{
	char when[64] = "an unknown time";
	time_t t = (time_t)s->meta.start_time;
	struct tm tm;

	if (t > 0 && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(buf, len, "host %s (kernel %s), fastpath %s; target: %s; %.2f s from %s",
		 s->meta.host[0] ? s->meta.host : "?", s->meta.kernel[0] ? s->meta.kernel : "?",
		 s->meta.version[0] ? s->meta.version : "?", s->meta.target[0] ? s->meta.target : "?",
		 s->meta.duration_s, when);
}
