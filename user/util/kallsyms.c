#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/kallsyms.h"
#include "util/procfs.h"

struct ksym {
	uint64_t addr;
	char *name;
};

struct fp_kallsyms {
	struct ksym *v;
	size_t n;
};

static int cmp_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct ksym *)a)->addr, y = ((const struct ksym *)b)->addr;

	return x < y ? -1 : x > y;
}

int kallsyms__load(struct fp_kallsyms **out, const char *path)
{
	struct fp_kallsyms *K = calloc(1, sizeof(*K));
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;
	char *text, *at, *nl;

	if (!K)
		return -ENOMEM;
	text = procfs__read(path ? path : "/proc/kallsyms");
	if (!text) {
		free(K);
		return -ENOENT;
	}
	for (at = text; *at; at = nl ? nl + 1 : at + strlen(at)) {
		nl = strchr(at, '\n');
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - at) : (int)strlen(at), at);
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;	/* code only */
		if (K->n == cap) {
			void *p = realloc(K->v, (cap = cap ? cap * 2 : 65536) * sizeof(*K->v));

			if (!p)
				break;
			K->v = p;
		}
		K->v[K->n].addr = addr;
		if (!(K->v[K->n].name = strdup(name)))
			break;
		K->n++;
	}
	free(text);
	if (K->n)
		qsort(K->v, K->n, sizeof(*K->v), cmp_addr);
	*out = K;
	return 0;
}

void kallsyms__free(struct fp_kallsyms *K)
{
	if (!K)
		return;
	for (size_t i = 0; i < K->n; i++)
		free(K->v[i].name);
	free(K->v);
	free(K);
}

const char *kallsyms__name(const struct fp_kallsyms *K, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!K || !K->n || addr < K->v[0].addr)
		return NULL;
	hi = K->n;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (K->v[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return K->v[lo].name;
}
