#include <stdlib.h>
#include <string.h>
#include "model/alloc.h"

void alloc_stats__free(struct fp_alloc_stats *s)
{
	free(s);
}

struct fp_alloc_stats *alloc_stats__clone(const struct fp_alloc_stats *s)
{
	struct fp_alloc_stats *c = malloc(sizeof(*c));

	if (c)
		memcpy(c, s, sizeof(*c));
	return c;
}

struct fp_alloc_stats *alloc_stats__delta(const struct fp_alloc_stats *cur, const struct fp_alloc_stats *prev)
{
	struct fp_alloc_stats *d = alloc_stats__clone(cur);

	if (d && prev)
		d->calls -= prev->calls;
	return d;
}

uint64_t alloc_stats__calls(const struct fp_alloc_stats *s)
{
	return s->calls;
}

uint64_t alloc_stats__bytes(const struct fp_alloc_stats *s)
{
	return 0;
}

size_t alloc_stats__hists(const struct fp_alloc_stats *s, struct fp_named_hist *out, size_t max)
{
	return 0;
}
