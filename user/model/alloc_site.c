#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/alloc_site.h"

size_t alloc__frame_fn_len(const char *frame)
{
	return strcspn(frame, " ");
}

bool alloc__same_fn(const char *a, const char *b)
{
	size_t n = alloc__frame_fn_len(a);

	return n == alloc__frame_fn_len(b) && !strncmp(a, b, n);
}

/* libc's entry points as symbolized (glibc: __libc_malloc, __GI___libc_free,
 * __posix_memalign, ...) and C++'s operator new, which calls malloc. */
static bool allocator_frame(const char *frame)
{
	static const char *const extra[] = { "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
					     "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t", "operator", NULL };
	size_t n = alloc__frame_fn_len(frame);
	char fn[128];
	const char *base = fn;

	if (n >= sizeof(fn))
		return false;
	memcpy(fn, frame, n);
	fn[n] = 0;
	for (const char *const *e = extra; *e; e++)
		if (!strcmp(fn, *e))
			return true;
	/* strip glibc's internal prefixes down to the public name */
	while (*base == '_')
		base++;
	if (!strncmp(base, "GI_", 3))
		base += 3;
	while (*base == '_')
		base++;
	if (!strncmp(base, "libc_", 5))
		base += 5;
	return alloc__fn_index(base) >= 0;
}

size_t alloc_site__caller_at(const struct fp_alloc_site *s)
{
	for (size_t i = 0; i < s->nframes; i++)
		if (!allocator_frame(s->frames[i]) && strncmp(s->frames[i], "runtime.", 8))
			return i;
	/* all runtime (a goroutine's stack, a map the runtime grows): the
	 * first frame past the allocation functions */
	for (size_t i = 0; i < s->nframes; i++)
		if (!allocator_frame(s->frames[i]) && strncmp(s->frames[i], "runtime.mProf_Malloc", 20) &&
		    strncmp(s->frames[i], "runtime.profilealloc", 20) && strncmp(s->frames[i], "runtime.mallocgc", 16) &&
		    strncmp(s->frames[i], "runtime.newobject", 17) && strncmp(s->frames[i], "runtime.make", 12) &&
		    strncmp(s->frames[i], "runtime.growslice", 17))
			return i;
	return 0;
}

const char *alloc_site__caller(const struct fp_alloc_site *s)
{
	return s->nframes ? s->frames[alloc_site__caller_at(s)] : "?";
}

const char *alloc_site__chain(const struct fp_alloc_site *s, size_t max, const char *sep, char *buf,
			      size_t len)
{
	size_t at = alloc_site__caller_at(s), n = 0, k;

	buf[0] = 0;
	if (!s->nframes) {
		snprintf(buf, len, "?");
		return buf;
	}
	for (k = at; k < s->nframes && k - at < max && n < len; k++)
		n += snprintf(buf + n, len - n, "%s%s", k > at ? sep : "", s->frames[k]);
	if (k < s->nframes && n < len)
		snprintf(buf + n, len - n, "%s...", sep);
	return buf;
}

static int cmp_bytes(const void *x, const void *y)
{
	const struct fp_alloc_site *a = *(const struct fp_alloc_site *const *)x;
	const struct fp_alloc_site *b = *(const struct fp_alloc_site *const *)y;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return (a->calls < b->calls) - (a->calls > b->calls);
}

size_t alloc_sites__ranked(const struct fp_alloc_stats *a, const struct fp_alloc_site **out, size_t max)
{
	const struct fp_alloc_site **all;
	size_t n = 0;

	if (!a->go.estimated) {
		/* already in this order (alloc_stats__sort_sites) */
		for (; n < a->nsites && n < max; n++)
			out[n] = &a->sites[n];
		return n;
	}
	all = calloc(a->nsites ? a->nsites : 1, sizeof(*all));
	if (!all)
		return 0;
	for (size_t i = 0; i < a->nsites; i++)
		all[i] = &a->sites[i];
	qsort(all, a->nsites, sizeof(*all), cmp_bytes);
	for (; n < a->nsites && n < max; n++)
		out[n] = all[n];
	free(all);
	return n;
}
