#include <stdlib.h>
#include <string.h>
#include "model/statfam.h"

void stat_stats__free(struct fp_stat_stats *s)
{
	free(s);
}

struct fp_stat_stats *stat_stats__clone(const struct fp_stat_stats *s)
{
	struct fp_stat_stats *c = malloc(sizeof(*c));

	if (c)
		memcpy(c, s, sizeof(*c));
	return c;
}

struct fp_stat_stats *stat_stats__delta(const struct fp_stat_stats *cur, const struct fp_stat_stats *prev)
{
	struct fp_stat_stats *d = stat_stats__clone(cur);

	if (d && prev)
		d->calls -= prev->calls;
	return d;
}

uint64_t stat_stats__calls(const struct fp_stat_stats *s)
{
	return s->calls;
}

uint64_t stat_stats__errors(const struct fp_stat_stats *s)
{
	return 0;
}

size_t stat_stats__hists(const struct fp_stat_stats *s, struct fp_named_hist *out, size_t max)
{
	return 0;
}
