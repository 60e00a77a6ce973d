#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "model/cpu_prof.h"

struct fp_cpu_prof *cpu_prof__new(unsigned int hz)
{
	struct fp_cpu_prof *p = calloc(1, sizeof(*p));

	if (p)
		p->hz = hz;
	return p;
}

static void stack__free(struct fp_cpu_stack *s)
{
	for (size_t i = 0; i < s->nframes; i++)
		free(s->frames[i]);
	free(s->frames);
}

static void annot__free(struct fp_cpu_annot *a)
{
	free(a->function);
	free(a->insns);
}

void cpu_prof__free(struct fp_cpu_prof *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nstacks; i++)
		stack__free(&p->stacks[i]);
	free(p->stacks);
	for (size_t i = 0; i < p->nannots; i++)
		annot__free(&p->annots[i]);
	free(p->annots);
	free(p);
}

static uint64_t frames_hash(const char *const *frames, size_t n, size_t nkernel)
{
	uint64_t h = 1469598103934665603ULL ^ nkernel;

	for (size_t i = 0; i < n; i++) {
		for (const char *c = frames[i]; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static bool same_frames(const struct fp_cpu_stack *s, const char *const *frames, size_t n, size_t nkernel)
{
	if (s->nframes != n || s->nkernel != nkernel)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s->frames[i], frames[i]))
			return false;
	return true;
}

/* Stacks by hash, for merging and matching: open addressing over indices. */
struct index {
	size_t *slot;		/* stack index + 1; 0 empty */
	size_t cap;
};

static int index__build(struct index *x, const struct fp_cpu_prof *p)
{
	x->cap = 16;
	while (x->cap < p->nstacks * 2)
		x->cap *= 2;
	x->slot = calloc(x->cap, sizeof(*x->slot));
	if (!x->slot)
		return -ENOMEM;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct fp_cpu_stack *s = &p->stacks[i];
		size_t h = frames_hash((const char *const *)s->frames, s->nframes, s->nkernel) & (x->cap - 1);

		while (x->slot[h])
			h = (h + 1) & (x->cap - 1);
		x->slot[h] = i + 1;
	}
	return 0;
}

static struct fp_cpu_stack *index__find(const struct index *x, const struct fp_cpu_prof *p,
					const char *const *frames, size_t n, size_t nkernel)
{
	size_t h;

	if (!x->slot)
		return NULL;
	h = frames_hash(frames, n, nkernel) & (x->cap - 1);
	for (; x->slot[h]; h = (h + 1) & (x->cap - 1))
		if (same_frames(&p->stacks[x->slot[h] - 1], frames, n, nkernel))
			return &p->stacks[x->slot[h] - 1];
	return NULL;
}

static int push_stack(struct fp_cpu_prof *p, const char *const *frames, size_t n, size_t nkernel, uint64_t count)
{
	struct fp_cpu_stack *s;

	if (p->nstacks == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		void *v = realloc(p->stacks, cap * sizeof(*p->stacks));

		if (!v)
			return -ENOMEM;
		p->stacks = v;
		p->cap = cap;
	}
	s = &p->stacks[p->nstacks];
	memset(s, 0, sizeof(*s));
	s->frames = calloc(n ? n : 1, sizeof(*s->frames));
	if (!s->frames)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(s->frames[s->nframes++] = strdup(frames[i]))) {
			stack__free(s);
			return -ENOMEM;
		}
	s->nkernel = nkernel;
	s->count = count;
	p->nstacks++;
	p->samples += count;
	return 0;
}

int cpu_prof__add(struct fp_cpu_prof *p, const char *const *frames, size_t n, size_t nkernel, uint64_t count)
{
	return push_stack(p, frames, n, nkernel, count);
}

static int cmp_frames(const void *a, const void *b)
{
	const struct fp_cpu_stack *x = a, *y = b;

	if (x->nkernel != y->nkernel)
		return x->nkernel < y->nkernel ? -1 : 1;
	for (size_t i = 0; i < x->nframes && i < y->nframes; i++) {
		int c = strcmp(x->frames[i], y->frames[i]);

		if (c)
			return c;
	}
	return (x->nframes > y->nframes) - (x->nframes < y->nframes);
}

void cpu_prof__finish(struct fp_cpu_prof *p)
{
	size_t m = 0;

	if (!p->nstacks)
		return;
	qsort(p->stacks, p->nstacks, sizeof(*p->stacks), cmp_frames);
	for (size_t i = 0; i < p->nstacks; i++) {
		if (m && !cmp_frames(&p->stacks[m - 1], &p->stacks[i])) {
			p->stacks[m - 1].count += p->stacks[i].count;
			stack__free(&p->stacks[i]);
		} else {
			p->stacks[m++] = p->stacks[i];
		}
	}
	p->nstacks = m;
	cpu_prof__sort(p);
}

int cpu_prof__add_annot(struct fp_cpu_prof *p, struct fp_cpu_annot *a)
{
	void *v = realloc(p->annots, (p->nannots + 1) * sizeof(*p->annots));

	if (!v)
		return -ENOMEM;
	p->annots = v;
	p->annots[p->nannots++] = *a;
	memset(a, 0, sizeof(*a));
	return 0;
}

const struct fp_cpu_annot *cpu_prof__annot(const struct fp_cpu_prof *p, const char *function)
{
	for (size_t i = 0; i < p->nannots; i++)
		if (!strcmp(p->annots[i].function, function))
			return &p->annots[i];
	return NULL;
}

static int annot__copy(struct fp_cpu_annot *d, const struct fp_cpu_annot *a, const struct fp_cpu_annot *minus)
{
	memset(d, 0, sizeof(*d));
	d->function = strdup(a->function);
	d->insns = calloc(a->ninsns ? a->ninsns : 1, sizeof(*d->insns));
	if (!d->function || !d->insns) {
		annot__free(d);
		return -ENOMEM;
	}
	memcpy(d->insns, a->insns, a->ninsns * sizeof(*d->insns));
	d->ninsns = a->ninsns;
	d->samples = a->samples;
	if (!minus)
		return 0;
	d->samples = a->samples > minus->samples ? a->samples - minus->samples : 0;
	for (size_t i = 0, j = 0; i < d->ninsns; i++) {
		while (j < minus->ninsns && minus->insns[j].off < d->insns[i].off)
			j++;
		if (j < minus->ninsns && minus->insns[j].off == d->insns[i].off)
			d->insns[i].count = d->insns[i].count > minus->insns[j].count ?
					    d->insns[i].count - minus->insns[j].count : 0;
	}
	return 0;
}

struct fp_cpu_prof *cpu_prof__delta(const struct fp_cpu_prof *cur, const struct fp_cpu_prof *prev)
{
	struct fp_cpu_prof *d = cpu_prof__new(cur->hz);
	struct index x = {};

	if (!d || (prev && index__build(&x, prev)))
		goto fail;
	for (size_t i = 0; i < cur->nstacks; i++) {
		const struct fp_cpu_stack *s = &cur->stacks[i];
		const struct fp_cpu_stack *o = prev ? index__find(&x, prev, (const char *const *)s->frames,
								  s->nframes, s->nkernel) : NULL;
		uint64_t n = s->count - (o && o->count <= s->count ? o->count : 0);

		if (n && push_stack(d, (const char *const *)s->frames, s->nframes, s->nkernel, n))
			goto fail;
	}
	d->omitted = cur->omitted - (prev && prev->omitted <= cur->omitted ? prev->omitted : 0);
	d->samples += d->omitted;
	for (size_t i = 0; i < cur->nannots; i++) {
		struct fp_cpu_annot a;

		if (annot__copy(&a, &cur->annots[i], prev ? cpu_prof__annot(prev, cur->annots[i].function) : NULL) ||
		    cpu_prof__add_annot(d, &a))
			goto fail;
	}
	free(x.slot);
	return d;
fail:
	free(x.slot);
	cpu_prof__free(d);
	return NULL;
}

struct fp_cpu_prof *cpu_prof__clone(const struct fp_cpu_prof *p)
{
	return cpu_prof__delta(p, NULL);
}

static int cmp_stack(const void *a, const void *b)
{
	const struct fp_cpu_stack *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	for (size_t i = 0; i < x->nframes && i < y->nframes; i++) {
		int c = strcmp(x->frames[i], y->frames[i]);

		if (c)
			return c;
	}
	return (x->nframes > y->nframes) - (x->nframes < y->nframes);
}

void cpu_prof__sort(struct fp_cpu_prof *p)
{
	if (p->nstacks)
		qsort(p->stacks, p->nstacks, sizeof(*p->stacks), cmp_stack);
}

/* The function part of a frame: up to the first space ("main.sum
 * main.go:12", "vfs_read [kernel]", "libc.so.6+0x1234" has none). */
static size_t fn_len(const char *frame)
{
	const char *sp = strchr(frame, ' ');

	return sp ? (size_t)(sp - frame) : strlen(frame);
}

const char *cpu_prof__fn_of(const char *frame, char *buf, size_t len)
{
	size_t n = fn_len(frame);

	if (n >= len)
		n = len - 1;
	memcpy(buf, frame, n);
	buf[n] = 0;
	return buf;
}

struct name_ent {
	const char *name;
	size_t len;
	uint64_t self, total;
};

static int cmp_name(const void *a, const void *b)
{
	const struct name_ent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int cmp_rank(const void *a, const void *b)
{
	const struct name_ent *x = a, *y = b;

	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return cmp_name(a, b);
}

size_t cpu_prof__rank(const struct fp_cpu_prof *p, bool by_line, struct fp_prof_count *out, size_t max)
{
	size_t n = 0, m = 0, nf = 0;
	struct name_ent *v;

	for (size_t i = 0; i < p->nstacks; i++)
		nf += p->stacks[i].nframes;
	v = calloc(nf ? nf : 1, sizeof(*v));
	if (!v)
		return 0;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct fp_cpu_stack *s = &p->stacks[i];

		for (size_t k = 0; k < s->nframes; k++) {
			struct name_ent e = { s->frames[k], by_line ? strlen(s->frames[k]) : fn_len(s->frames[k]),
					      k == 0 ? s->count : 0, s->count };
			bool dup = false;

			/* Counted once per stack (recursion). */
			for (size_t j = 0; j < k && !dup; j++) {
				struct name_ent o = { s->frames[j], by_line ? strlen(s->frames[j]) : fn_len(s->frames[j]) };

				dup = !cmp_name(&e, &o);
			}
			if (!dup)
				v[n++] = e;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_name);
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_name(&v[m - 1], &v[i])) {
			v[m - 1].self += v[i].self;
			v[m - 1].total += v[i].total;
		} else {
			v[m++] = v[i];
		}
	}
	if (m)
		qsort(v, m, sizeof(*v), cmp_rank);
	for (size_t i = 0; i < m && i < max; i++)
		out[i] = (struct fp_prof_count){ v[i].name, v[i].len, v[i].self, v[i].total };
	free(v);
	return m < max ? m : max;
}

static uint64_t fn_count(const struct fp_cpu_prof *p, const char *fn, bool leaf_only)
{
	size_t len = strlen(fn);
	uint64_t n = 0;

	for (size_t i = 0; i < p->nstacks; i++) {
		const struct fp_cpu_stack *s = &p->stacks[i];

		for (size_t k = 0; k < (leaf_only ? (s->nframes ? 1 : 0) : s->nframes); k++)
			if (fn_len(s->frames[k]) == len && !memcmp(s->frames[k], fn, len)) {
				n += s->count;
				break;
			}
	}
	return n;
}

uint64_t cpu_prof__fn_total(const struct fp_cpu_prof *p, const char *fn)
{
	return fn_count(p, fn, false);
}

uint64_t cpu_prof__fn_self(const struct fp_cpu_prof *p, const char *fn)
{
	return fn_count(p, fn, true);
}

double cpu_prof__share_err(uint64_t n, uint64_t N)
{
	double p;

	if (!N)
		return 0;
	p = (double)n / (double)N;
	return 100.0 * sqrt(p * (1 - p) / (double)N);
}
