#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/kallsyms.h"

/* 121,000 code symbols on 6.18: an address and an offset into one block
 * of names each, 4.5 MB in all (issue 13).  A heap string per name and
 * the whole file read first were 7 MB kept and 5 MB more at the peak.
 * Packed: 12 bytes, not 16 (0.5 MB). */
struct ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
} __attribute__((packed));

struct fp_kallsyms {
	struct ksym *v;
	size_t n;
	char *names;
	size_t names_len;
};

static int cmp_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct ksym *)a)->addr, y = ((const struct ksym *)b)->addr;

	return x < y ? -1 : x > y;
}

static bool sorted(const struct fp_kallsyms *K)
{
	for (size_t i = 1; i < K->n; i++)
		if (K->v[i].addr < K->v[i - 1].addr)
			return false;
	return true;
}

/* Grows *p to hold need elements of size sz, by doubling. */
static int grow(void *p, size_t *cap, size_t need, size_t sz, size_t first)
{
	size_t c = *cap;
	void *q;

	if (need <= c)
		return 0;
	while (c < need)
		c = c ? c * 2 : first;
	q = realloc(*(void **)p, c * sz);
	if (!q)
		return -ENOMEM;
	*(void **)p = q;
	*cap = c;
	return 0;
}

/* One line, "ffffffff81000000 T name [module]": code symbols only. */
static int add_line(struct fp_kallsyms *K, const char *line, size_t *cap, size_t *ncap)
{
	char name[256], type;
	unsigned long long addr;
	size_t len;

	if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
		return 0;
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	len = strlen(name) + 1;
	if (K->names_len + len > UINT32_MAX || grow(&K->v, cap, K->n + 1, sizeof(*K->v), 65536) ||
	    grow(&K->names, ncap, K->names_len + len, 1, 1 << 20))
		return -ENOMEM;
	K->v[K->n].addr = addr;
	K->v[K->n++].name = (uint32_t)K->names_len;
	memcpy(K->names + K->names_len, name, len);
	K->names_len += len;
	return 0;
}

int kallsyms__load(struct fp_kallsyms **out, const char *path)
{
	struct fp_kallsyms *K = calloc(1, sizeof(*K));
	size_t cap = 0, ncap = 0, llen = 0;
	char *line = NULL;
	FILE *f;

	if (!K)
		return -ENOMEM;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f) {
		free(K);
		return -ENOENT;
	}
	while (getline(&line, &llen, f) > 0)
		if (add_line(K, line, &cap, &ncap))
			break;	/* out of memory: the symbols so far */
	free(line);
	fclose(f);
	/* The kernel lists them in address order: glibc's qsort would take a
	 * copy of the 1.5 MB array to merge-sort even then. */
	if (!sorted(K))
		qsort(K->v, K->n, sizeof(*K->v), cmp_addr);
	*out = K;
	return 0;
}

void kallsyms__free(struct fp_kallsyms *K)
{
	if (!K)
		return;
	free(K->names);
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
	return K->names + K->v[lo].name;
}
