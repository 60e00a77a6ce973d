#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/io.h"

static const char *const family_names[FP_IO_FAMILIES] = {
	[FP_IO_COPY_IN] = "copy_in",
	[FP_IO_COPY_OUT] = "copy_out",
	[FP_IO_ZERO_COPY] = "zero_copy",
};

static const char *const kind_names[FP_FD_KINDS] = {
	[FP_FD_NONE] = "none",
	[FP_FD_FILE] = "file",
	[FP_FD_PIPE] = "pipe",
	[FP_FD_CHARDEV] = "chardev",
	[FP_FD_OTHER] = "other",
	[FP_FD_MEMORY] = "memory",
	[FP_FD_SOCKET] = "socket",
	[FP_FD_TCP] = "socket:tcp",
	[FP_FD_UDP] = "socket:udp",
	[FP_FD_UNIX] = "socket:unix",
};

const char *io__family_name(unsigned int family)
{
	return family < FP_IO_FAMILIES ? family_names[family] : "?";
}

const char *io__kind_name(unsigned int kind)
{
	return kind < FP_FD_KINDS ? kind_names[kind] : "?";
}

int io__kind_of(const char *name)
{
	for (int k = 0; k < FP_FD_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

unsigned int io__coarse(unsigned int kind)
{
	return fp_fd_is_socket(kind) ? FP_FD_SOCKET : kind;
}

const char *io__socket_name(unsigned int kind)
{
	switch (kind) {
	case FP_FD_TCP: return "tcp";
	case FP_FD_UDP: return "udp";
	case FP_FD_UNIX: return "unix";
	default: return "other";
	}
}

struct fp_io_stats *io_stats__new(void)
{
	return calloc(1, sizeof(struct fp_io_stats));
}

void io_stats__free(struct fp_io_stats *s)
{
	if (!s)
		return;
	for (int f = 0; f < FP_IO_FAMILIES; f++)
		for (int k = 0; k < FP_FD_KINDS; k++)
			free(s->size[f][k]);
	free(s->cells);
	free(s);
}

static struct fp_io_cell *io_stats__cell(struct fp_io_stats *s, int nr, unsigned int src,
					 unsigned int dst, bool create)
{
	for (size_t i = 0; i < s->ncells; i++)
		if (s->cells[i].nr == nr && s->cells[i].src == src && s->cells[i].dst == dst)
			return &s->cells[i];
	if (!create)
		return NULL;
	if (s->ncells == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		void *n = realloc(s->cells, cap * sizeof(*s->cells));

		if (!n)
			return NULL;
		s->cells = n;
		s->cap = cap;
	}
	s->cells[s->ncells] = (struct fp_io_cell){ .nr = nr, .src = src, .dst = dst };
	return &s->cells[s->ncells++];
}

int io_stats__add(struct fp_io_stats *s, int nr, unsigned int src, unsigned int dst,
		  uint64_t calls, uint64_t bytes)
{
	struct fp_io_cell *c;

	if (src >= FP_FD_KINDS || dst >= FP_FD_KINDS || fp_io_family_of(nr) == FP_IO_NONE)
		return -EINVAL;
	c = io_stats__cell(s, nr, src, dst, true);
	if (!c)
		return -ENOMEM;
	c->calls += calls;
	c->bytes += bytes;
	return 0;
}

struct fp_hist *io_stats__size(struct fp_io_stats *s, unsigned int family, unsigned int kind)
{
	if (family >= FP_IO_FAMILIES || kind >= FP_FD_KINDS)
		return NULL;
	if (!s->size[family][kind])
		s->size[family][kind] = calloc(1, sizeof(struct fp_hist));
	return s->size[family][kind];
}

/* The kernel keeps no per-histogram sum: each family's comes from its cells,
 * split over kinds the same way the histograms are. */
static uint64_t hist_kind_bytes(const struct fp_io_stats *s, unsigned int family, unsigned int kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->ncells; i++) {
		const struct fp_io_cell *c = &s->cells[i];

		if (fp_io_family_of(c->nr) != family)
			continue;
		if ((family == FP_IO_COPY_IN ? c->src : c->dst) == kind)
			n += c->bytes;
	}
	return n;
}

void io_stats__finish(struct fp_io_stats *s)
{
	for (unsigned int f = 0; f < FP_IO_FAMILIES; f++) {
		memset(&s->merged[f], 0, sizeof(s->merged[f]));
		for (unsigned int k = 0; k < FP_FD_KINDS; k++) {
			struct fp_hist *h = s->size[f][k];

			if (!h)
				continue;
			hist__recount(h);
			h->sum = hist_kind_bytes(s, f, k);
			hist__merge(&s->merged[f], h);
		}
	}
}

struct fp_io_stats *io_stats__clone(const struct fp_io_stats *s)
{
	return io_stats__delta(s, NULL);
}

struct fp_io_stats *io_stats__delta(const struct fp_io_stats *cur, const struct fp_io_stats *prev)
{
	struct fp_io_stats *d = io_stats__new();

	if (!d)
		return NULL;
	for (size_t i = 0; i < cur->ncells; i++) {
		const struct fp_io_cell *c = &cur->cells[i], *o = NULL;

		if (prev)
			o = io_stats__cell((struct fp_io_stats *)prev, c->nr, c->src, c->dst, false);
		if (o && o->calls == c->calls)
			continue;	/* nothing in the interval */
		if (io_stats__add(d, c->nr, c->src, c->dst, c->calls - (o ? o->calls : 0),
				  c->bytes - (o ? o->bytes : 0)))
			goto fail;
	}
	for (unsigned int f = 0; f < FP_IO_FAMILIES; f++)
		for (unsigned int k = 0; k < FP_FD_KINDS; k++) {
			const struct fp_hist *h = cur->size[f][k];
			const struct fp_hist *o = prev ? prev->size[f][k] : NULL;
			struct fp_hist *dh;

			if (!h || (o && o->count == h->count))
				continue;
			dh = io_stats__size(d, f, k);
			if (!dh)
				goto fail;
			if (o)
				hist__delta(dh, h, o);
			else
				*dh = *h;
		}
	io_stats__finish(d);
	return d;
fail:
	io_stats__free(d);
	return NULL;
}

static bool kind_matches(unsigned int want, unsigned int kind)
{
	return want == FP_FD_KINDS || want == io__coarse(kind);
}

/* Calls and bytes of the cells of one family between two fd kinds. */
static void flow(const struct fp_io_stats *s, unsigned int family, unsigned int src,
		 unsigned int dst, uint64_t *calls, uint64_t *bytes)
{
	*calls = *bytes = 0;
	for (size_t i = 0; i < s->ncells; i++) {
		const struct fp_io_cell *c = &s->cells[i];

		if (fp_io_family_of(c->nr) == family && kind_matches(src, c->src) &&
		    kind_matches(dst, c->dst)) {
			*calls += c->calls;
			*bytes += c->bytes;
		}
	}
}

uint64_t io_stats__flow_bytes(const struct fp_io_stats *s, unsigned int family,
			      unsigned int src, unsigned int dst)
{
	uint64_t calls, bytes;

	flow(s, family, src, dst, &calls, &bytes);
	return bytes;
}

uint64_t io_stats__flow_calls(const struct fp_io_stats *s, unsigned int family,
			      unsigned int src, unsigned int dst)
{
	uint64_t calls, bytes;

	flow(s, family, src, dst, &calls, &bytes);
	return calls;
}

uint64_t io_stats__calls(const struct fp_io_stats *s, unsigned int family)
{
	return io_stats__flow_calls(s, family, FP_FD_KINDS, FP_FD_KINDS);
}

uint64_t io_stats__bytes(const struct fp_io_stats *s, unsigned int family)
{
	return io_stats__flow_bytes(s, family, FP_FD_KINDS, FP_FD_KINDS);
}

uint64_t io_stats__socket_bytes(const struct fp_io_stats *s, unsigned int family,
				unsigned int sock_kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->ncells; i++) {
		const struct fp_io_cell *c = &s->cells[i];

		if (fp_io_family_of(c->nr) == family && (c->src == sock_kind || c->dst == sock_kind))
			n += c->bytes;
	}
	return n;
}

uint64_t io_stats__copy_bytes(const struct fp_io_stats *s)
{
	return io_stats__bytes(s, FP_IO_COPY_IN) + io_stats__bytes(s, FP_IO_COPY_OUT);
}

uint64_t io_stats__zero_copy_bytes(const struct fp_io_stats *s)
{
	return io_stats__bytes(s, FP_IO_ZERO_COPY);
}

double io_stats__zero_copy_ratio(const struct fp_io_stats *s)
{
	uint64_t zc, copy;

	zc = io_stats__flow_bytes(s, FP_IO_ZERO_COPY, FP_FD_KINDS, FP_FD_FILE) +
	     io_stats__flow_bytes(s, FP_IO_ZERO_COPY, FP_FD_KINDS, FP_FD_SOCKET);
	copy = io_stats__flow_bytes(s, FP_IO_COPY_OUT, FP_FD_MEMORY, FP_FD_FILE) +
	       io_stats__flow_bytes(s, FP_IO_COPY_OUT, FP_FD_MEMORY, FP_FD_SOCKET);
	if (!zc && !copy)
		return -1;
	return (double)zc / (double)(zc + copy);
}

size_t io_stats__hists(const struct fp_io_stats *s, struct fp_named_hist *out, size_t max)
{
	static const char *const names[FP_IO_FAMILIES] = {
		"copy_in size", "copy_out size", "zero_copy size",
	};
	size_t n = 0;

	for (unsigned int f = 0; f < FP_IO_FAMILIES && n < max; f++)
		if (s->merged[f].count)
			out[n++] = (struct fp_named_hist){ names[f], "bytes", &s->merged[f] };
	return n;
}

static int cmp_cell_bytes(const void *a, const void *b)
{
	const struct fp_io_cell *x = *(const struct fp_io_cell *const *)a;
	const struct fp_io_cell *y = *(const struct fp_io_cell *const *)b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return (x->calls < y->calls) - (x->calls > y->calls);
}

const struct fp_io_cell **io_stats__cells_by_bytes(const struct fp_io_stats *s, size_t *n)
{
	const struct fp_io_cell **v;

	*n = 0;
	if (!s->ncells)
		return NULL;
	v = calloc(s->ncells, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->ncells; i++)
		v[i] = &s->cells[i];
	qsort(v, s->ncells, sizeof(*v), cmp_cell_bytes);
	*n = s->ncells;
	return v;
}
