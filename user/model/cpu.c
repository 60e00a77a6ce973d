#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/cpu.h"

struct fp_cpu_stats *cpu_stats__new(void)
{
	return calloc(1, sizeof(struct fp_cpu_stats));
}

void cpu_stats__free(struct fp_cpu_stats *s)
{
	if (s)
		cpu_prof__free(s->prof);
	free(s);
}

struct fp_cpu_stats *cpu_stats__clone(const struct fp_cpu_stats *s)
{
	return cpu_stats__delta(s, NULL);
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

struct fp_cpu_stats *cpu_stats__delta(const struct fp_cpu_stats *cur, const struct fp_cpu_stats *prev)
{
	struct fp_cpu_stats *d = cpu_stats__new();

	if (!d)
		return NULL;
	*d = *cur;
	d->prof = NULL;
	if (cur->prof && !(d->prof = cpu_prof__delta(cur->prof, prev ? prev->prof : NULL))) {
		free(d);
		return NULL;
	}
	if (prev && prev->run_ns <= cur->run_ns) {
		d->run_ns = cur->run_ns - prev->run_ns;
		d->utime_ns = sub(cur->utime_ns, prev->utime_ns);
		d->stime_ns = sub(cur->stime_ns, prev->stime_ns);
	}
	return d;
}

uint64_t cpu_stats__user_ns(const struct fp_cpu_stats *s)
{
	double u = (double)s->utime_ns, t = u + (double)s->stime_ns;

	if (!s->stime_ns)
		return s->run_ns;
	if (!s->utime_ns)
		return 0;
	return (uint64_t)llround((double)s->run_ns * u / t);
}

uint64_t cpu_stats__system_ns(const struct fp_cpu_stats *s)
{
	return s->run_ns - cpu_stats__user_ns(s);
}

double cpu_stats__pct(uint64_t ns, double window_s)
{
	if (!(window_s > 0))
		return NAN;
	return (double)ns / 1e9 / window_s * 100.0;
}
