/* JSON of the "io" section of a process (docs/json-schema.md, "io").
 * Writing derives the totals from the model's cells; reading rebuilds the
 * cells from each syscall's by_fd and the histograms from size_bytes_by_fd,
 * so a recording read back gives the same totals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "model/io.h"
#include "model/syscalls.h"

/* The fd kind a family's transfers are filed under: the fd read for
 * copy-in, the fd written for copy-out. */
static unsigned int cell_kind(unsigned int family, const struct fp_io_cell *c)
{
	return family == FP_IO_COPY_IN ? c->src : c->dst;
}

static void cell_key(unsigned int family, const struct fp_io_cell *c, bool coarse,
		     char *buf, size_t len)
{
	unsigned int src = coarse ? io__coarse(c->src) : c->src;
	unsigned int dst = coarse ? io__coarse(c->dst) : c->dst;

	if (family == FP_IO_ZERO_COPY)
		snprintf(buf, len, "%s->%s", io__kind_name(src), io__kind_name(dst));
	else
		snprintf(buf, len, "%s", io__kind_name(coarse ? io__coarse(cell_kind(family, c))
							      : cell_kind(family, c)));
}

static void add_int(json_t *o, const char *key, uint64_t v)
{
	json_t *cur = json_object_get(o, key);

	json_object_set_new(o, key, json_integer((json_int_t)(v + (cur ? json_integer_value(cur) : 0))));
}

static json_t *json_io__syscall(json_t *calls_by_nr, int nr)
{
	const char *name = syscall__name(nr);
	json_t *o = json_object_get(calls_by_nr, name);

	if (!o) {
		o = json_pack("{s:I,s:I,s:{}}", "calls", (json_int_t)0, "bytes", (json_int_t)0, "by_fd");
		json_object_set_new(calls_by_nr, name, o);
	}
	return o;
}

static json_t *json_io__family(const struct fp_io_stats *s, unsigned int family)
{
	json_t *by_fd = json_object(), *by_sock = json_object(), *hists = json_object();
	json_t *sys = json_object(), *sc, *cell;
	char key[64];

	for (size_t i = 0; i < s->ncells; i++) {
		const struct fp_io_cell *c = &s->cells[i];

		if (fp_io_family_of(c->nr) != family)
			continue;
		cell_key(family, c, true, key, sizeof(key));
		add_int(by_fd, key, c->bytes);
		if (fp_fd_is_socket(c->src))
			add_int(by_sock, io__socket_name(c->src), c->bytes);
		else if (fp_fd_is_socket(c->dst))
			add_int(by_sock, io__socket_name(c->dst), c->bytes);
		sc = json_io__syscall(sys, c->nr);
		add_int(sc, "calls", c->calls);
		add_int(sc, "bytes", c->bytes);
		cell_key(family, c, false, key, sizeof(key));
		cell = json_pack("{s:I,s:I}", "calls", (json_int_t)c->calls, "bytes", (json_int_t)c->bytes);
		json_object_set_new(json_object_get(sc, "by_fd"), key, cell);
	}
	for (unsigned int k = 0; k < FP_FD_KINDS; k++)
		if (s->size[family][k] && s->size[family][k]->count)
			json_object_set_new(hists, io__kind_name(k), json__hist(s->size[family][k]));
	return json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o}",
		"calls", (json_int_t)io_stats__calls(s, family),
		"bytes", (json_int_t)io_stats__bytes(s, family),
		"by_fd", by_fd, "by_socket", by_sock,
		"size_bytes", json__hist(&s->merged[family]),
		"size_bytes_by_fd", hists, "syscalls", sys);
}

json_t *json_io__from(const struct fp_io_stats *s, double window_s)
{
	json_t *o = json_object();
	double r = io_stats__zero_copy_ratio(s);

	for (unsigned int f = 0; f < FP_IO_FAMILIES; f++)
		json_object_set_new(o, io__family_name(f), json_io__family(s, f));
	json_object_set_new(o, "zero_copy_ratio", r < 0 ? json_null() : json_real(r));
	return o;
}

/* ---- reading ------------------------------------------------------------ */

static int bad(char *err, size_t errlen, const char *where, const char *what)
{
	snprintf(err, errlen, "io.%s: %s", where, what);
	return -EINVAL;
}

/* "file" (copy families) or "file->socket:tcp" (zero-copy) into kinds. */
static int parse_cell_key(unsigned int family, const char *key, unsigned int *src, unsigned int *dst)
{
	const char *arrow = strstr(key, "->");
	char a[32];
	int k, k2;

	if (family != FP_IO_ZERO_COPY) {
		k = io__kind_of(key);
		if (k < 0)
			return -EINVAL;
		*src = family == FP_IO_COPY_IN ? (unsigned int)k : FP_FD_MEMORY;
		*dst = family == FP_IO_COPY_IN ? FP_FD_MEMORY : (unsigned int)k;
		return 0;
	}
	if (!arrow || (size_t)(arrow - key) >= sizeof(a))
		return -EINVAL;
	snprintf(a, sizeof(a), "%.*s", (int)(arrow - key), key);
	k = io__kind_of(a);
	k2 = io__kind_of(arrow + 2);
	if (k < 0 || k2 < 0)
		return -EINVAL;
	*src = k;
	*dst = k2;
	return 0;
}

static int parse_syscalls(json_t *sys, struct fp_io_stats *s, unsigned int family,
			  char *err, size_t errlen, const char *where)
{
	const char *name, *key;
	json_t *sc, *cell, *calls, *bytes;
	unsigned int src, dst;
	char w[160];
	int nr, e;

	if (!json_is_object(sys))
		return bad(err, errlen, where, "syscalls: expected an object");
	json_object_foreach(sys, name, sc) {
		snprintf(w, sizeof(w), "%s.syscalls.%s", where, name);
		nr = syscall__nr(name);
		if (nr < 0 || fp_io_family_of(nr) != family)
			return bad(err, errlen, w, "not a syscall of this family");
		if (!json_is_object(json_object_get(sc, "by_fd")))
			return bad(err, errlen, w, "by_fd: expected an object");
		json_object_foreach(json_object_get(sc, "by_fd"), key, cell) {
			calls = json_object_get(cell, "calls");
			bytes = json_object_get(cell, "bytes");
			if (parse_cell_key(family, key, &src, &dst))
				return bad(err, errlen, w, "by_fd: unknown fd kind");
			if (!json_is_integer(calls) || !json_is_integer(bytes) ||
			    json_integer_value(calls) < 0 || json_integer_value(bytes) < 0)
				return bad(err, errlen, w, "by_fd: calls and bytes must be non-negative integers");
			e = io_stats__add(s, nr, src, dst, json_integer_value(calls), json_integer_value(bytes));
			if (e)
				return e;
		}
	}
	return 0;
}

static int parse_hists(json_t *hists, struct fp_io_stats *s, unsigned int family,
		       char *err, size_t errlen, const char *where)
{
	const char *name;
	struct fp_hist *h;
	json_t *j;
	int k, e;

	if (!hists)
		return 0;
	json_object_foreach(hists, name, j) {
		k = io__kind_of(name);
		if (k < 0)
			return bad(err, errlen, where, "size_bytes_by_fd: unknown fd kind");
		h = io_stats__size(s, family, k);
		if (!h)
			return -ENOMEM;
		e = json__parse_hist(j, h, err, errlen);
		if (e)
			return e;
	}
	return 0;
}

int json_io__parse(json_t *j, struct fp_io_stats **out, char *err, size_t errlen)
{
	struct fp_io_stats *s;
	json_t *fam;
	int e = 0;

	if (!json_is_object(j))
		return bad(err, errlen, "", "expected an object");
	s = io_stats__new();
	if (!s)
		return -ENOMEM;
	for (unsigned int f = 0; !e && f < FP_IO_FAMILIES; f++) {
		const char *name = io__family_name(f);

		fam = json_object_get(j, name);
		if (!fam)
			continue;
		e = parse_syscalls(json_object_get(fam, "syscalls"), s, f, err, errlen, name);
		if (!e)
			e = parse_hists(json_object_get(fam, "size_bytes_by_fd"), s, f, err, errlen, name);
	}
	if (e) {
		io_stats__free(s);
		return e;
	}
	io_stats__finish(s);
	*out = s;
	return 0;
}
