#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/alloc.h"

static const char *const fn_names[FP_ALLOC_LIBC_FNS] = {
	"malloc", "calloc", "realloc", "reallocarray", "free",
	"posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
};

const char *alloc__fn_name(int fn)
{
	return fn >= 0 && fn < FP_ALLOC_LIBC_FNS ? fn_names[fn] : NULL;
}

int alloc__fn_index(const char *name)
{
	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
		if (!strcmp(name, fn_names[i]))
			return i;
	return -1;
}

const char *alloc__go_mode_name(int mode)
{
	return mode == FP_GO_EXACT ? "exact" : mode == FP_GO_SAMPLED ? "sampled" : "none";
}

int alloc__go_mode_index(const char *name)
{
	if (!strcmp(name, "exact"))
		return FP_GO_EXACT;
	if (!strcmp(name, "sampled"))
		return FP_GO_SAMPLED;
	return -1;
}

struct fp_alloc_stats *alloc_stats__new(void)
{
	struct fp_alloc_stats *s = calloc(1, sizeof(*s));

	if (s)
		s->go.rate = -1;
	return s;
}

static void site__free(struct fp_alloc_site *site)
{
	for (size_t i = 0; i < site->nframes; i++)
		free(site->frames[i]);
	free(site->frames);
}

void alloc_stats__free(struct fp_alloc_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsites; i++)
		site__free(&s->sites[i]);
	free(s->sites);
	free(s->notes);
	free(s);
}

static bool same_frames(const struct fp_alloc_site *a, const char *const *frames, size_t n)
{
	if (a->nframes != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a->frames[i], frames[i]))
			return false;
	return true;
}

static struct fp_alloc_site *find_site(const struct fp_alloc_stats *s, const char *const *frames, size_t n)
{
	for (size_t i = 0; i < s->nsites; i++)
		if (same_frames(&s->sites[i], frames, n))
			return &s->sites[i];
	return NULL;
}

int alloc_stats__add_site(struct fp_alloc_stats *s, const char *const *frames, size_t n,
			  uint64_t calls, uint64_t bytes)
{
	struct fp_alloc_site *site = find_site(s, frames, n);

	if (site) {
		site->calls += calls;
		site->bytes += bytes;
		return 0;
	}
	if (s->nsites == s->cap_sites) {
		size_t cap = s->cap_sites ? s->cap_sites * 2 : 16;
		void *p = realloc(s->sites, cap * sizeof(*s->sites));

		if (!p)
			return -ENOMEM;
		s->sites = p;
		s->cap_sites = cap;
	}
	site = &s->sites[s->nsites];
	memset(site, 0, sizeof(*site));
	site->frames = calloc(n ? n : 1, sizeof(char *));
	if (!site->frames)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		site->frames[i] = strdup(frames[i]);
		if (!site->frames[i]) {
			site->nframes = i;
			site__free(site);
			return -ENOMEM;
		}
	}
	site->nframes = n;
	site->calls = calls;
	site->bytes = bytes;
	s->nsites++;
	return 0;
}

static int cmp_site(const void *a, const void *b)
{
	const struct fp_alloc_site *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return 0;
}

static int cmp_site_bytes(const void *a, const void *b)
{
	const struct fp_alloc_site *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return cmp_site(a, b);
}

/* Most calls first; in Go's sampled mode most bytes first: one sample of
 * an 8-byte object stands for 65,536 calls, so estimated calls rank sites
 * by the luck of the draw, while estimated bytes do not. */
void alloc_stats__sort_sites(struct fp_alloc_stats *s)
{
	if (s->nsites)
		qsort(s->sites, s->nsites, sizeof(*s->sites),
		      alloc_stats__estimated(s) ? cmp_site_bytes : cmp_site);
}

int alloc_stats__add_note(struct fp_alloc_stats *s, const char *note)
{
	size_t old = s->notes ? strlen(s->notes) : 0;
	char *n;

	if (s->notes && strstr(s->notes, note))
		return 0;
	n = realloc(s->notes, old + strlen(note) + 3);
	if (!n)
		return -ENOMEM;
	if (old)
		strcpy(n + old, "; ");
	strcpy(n + old + (old ? 2 : 0), note);
	s->notes = n;
	return 0;
}

/* Everything but the sites and notes is plain data. */
static struct fp_alloc_stats *copy_base(const struct fp_alloc_stats *s)
{
	struct fp_alloc_stats *c = alloc_stats__new();

	if (!c)
		return NULL;
	*c = *s;
	c->sites = NULL;
	c->nsites = c->cap_sites = 0;
	c->notes = NULL;
	if (s->notes && !(c->notes = strdup(s->notes))) {
		free(c);
		return NULL;
	}
	return c;
}

struct fp_alloc_stats *alloc_stats__clone(const struct fp_alloc_stats *s)
{
	return alloc_stats__delta(s, NULL);
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

struct fp_alloc_stats *alloc_stats__delta(const struct fp_alloc_stats *cur, const struct fp_alloc_stats *prev)
{
	struct fp_alloc_stats *d = copy_base(cur);

	if (!d)
		return NULL;
	if (prev) {
		for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++) {
			d->fn[i].calls = sub(cur->fn[i].calls, prev->fn[i].calls);
			d->fn[i].bytes = sub(cur->fn[i].bytes, prev->fn[i].bytes);
		}
		d->go.calls = sub(cur->go.calls, prev->go.calls);
		d->go.bytes = sub(cur->go.bytes, prev->go.bytes);
		d->go.samples = sub(cur->go.samples, prev->go.samples);
		/* the interval's samples are independent of the earlier ones */
		d->go.calls_var = fmax(0, cur->go.calls_var - prev->go.calls_var);
		d->go.bytes_var = fmax(0, cur->go.bytes_var - prev->go.bytes_var);
		d->go.sc_calls = sub(cur->go.sc_calls, prev->go.sc_calls);
		hist__delta(&d->size, &cur->size, &prev->size);
	}
	for (size_t i = 0; i < cur->nsites; i++) {
		const struct fp_alloc_site *c = &cur->sites[i];
		const struct fp_alloc_site *o = prev ? find_site(prev, (const char *const *)c->frames, c->nframes) : NULL;
		uint64_t calls = sub(c->calls, o ? o->calls : 0), bytes = sub(c->bytes, o ? o->bytes : 0);

		if (o && !calls && !bytes)
			continue;
		if (alloc_stats__add_site(d, (const char *const *)c->frames, c->nframes, calls, bytes)) {
			alloc_stats__free(d);
			return NULL;
		}
	}
	return d;
}

uint64_t alloc_stats__calls(const struct fp_alloc_stats *s)
{
	uint64_t n = s->go.calls;

	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
		if (i != FP_ALLOC_FREE)
			n += s->fn[i].calls;
	return n;
}

uint64_t alloc_stats__bytes(const struct fp_alloc_stats *s)
{
	uint64_t n = s->go.bytes;

	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
		n += s->fn[i].bytes;
	return n;
}

bool alloc_stats__estimated(const struct fp_alloc_stats *s)
{
	return s->go.estimated;
}

size_t alloc_stats__hists(const struct fp_alloc_stats *s, struct fp_named_hist *out, size_t max)
{
	if (!max)
		return 0;
	out[0] = (struct fp_named_hist){ s->go.estimated ? "allocation size (estimated)" : "allocation size",
					 "bytes", &s->size };
	return 1;
}

void alloc__pprof_scale(uint64_t count, uint64_t size, int64_t rate, double *calls, double *bytes)
{
	double avg, scale;

	if (!count || !size) {
		*calls = *bytes = 0;
		return;
	}
	if (rate <= 1) {
		/* Rate 1 records every allocation; nothing to scale. */
		*calls = (double)count;
		*bytes = (double)size;
		return;
	}
	avg = (double)size / (double)count;
	scale = 1.0 / (1.0 - exp(-avg / (double)rate));
	*calls = (double)count * scale;
	*bytes = (double)size * scale;
}

void alloc__pprof_var(uint64_t count, uint64_t size, int64_t rate, double *calls_var, double *bytes_var)
{
	double avg, p, v;

	*calls_var = *bytes_var = 0;
	if (!count || !size || rate <= 1)
		return;		/* nothing sampled, or every allocation recorded */
	avg = (double)size / (double)count;
	p = 1.0 - exp(-avg / (double)rate);
	v = (double)count * (1.0 - p) / (p * p);
	*calls_var = v;
	*bytes_var = v * avg * avg;
}

