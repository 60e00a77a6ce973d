/* Helpers of the unit tests that build snapshots by hand: a recording of
 * secs seconds, a process in it, syscalls, libc allocations, and the
 * output of a writer as a string.  Include after <cmocka.h>. */
#ifndef FP_TESTS_FIXTURE_H
#define FP_TESTS_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include "model/snapshot.h"
#include "model/syscalls.h"
#include "model/alloc.h"

static inline struct fp_snapshot *snap(double secs)
{
	struct fp_snapshot *s = snapshot__new();

	assert_non_null(s);
	s->meta.duration_s = secs;
	return s;
}

static inline struct fp_proc *proc(struct fp_snapshot *s, int pid, const char *comm)
{
	struct fp_proc *p = snapshot__proc(s, pid, true);

	assert_non_null(p);
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	return p;
}

/* n calls of syscall `name`, each lasting ns. */
static inline void calls(struct fp_proc *p, const char *name, uint64_t n, uint64_t ns)
{
	struct fp_sys_stat *st = proc__sys(p, syscall__nr(name), true);

	assert_non_null(st);
	st->calls += n;
	st->total_ns += n * ns;
	hist__add(&st->lat, ns, n);
	proc__sort_sys(p);
}

/* Output of a writer, as a string the caller frees. */
#define CAPTURE(buf, expr) do {						\
	size_t _len;							\
	FILE *f = open_memstream(&(buf), &_len);			\
	assert_non_null(f);						\
	expr;								\
	fclose(f);							\
} while (0)

/* The process's libc alloc section, made on first use. */
static inline struct fp_alloc_stats *libc_alloc(struct fp_proc *p)
{
	if (!p->alloc) {
		p->alloc = alloc_stats__new();
		assert_non_null(p->alloc);
		p->alloc->libc = true;
	}
	return p->alloc;
}

/* n malloc calls of size bytes from `caller`. */
static inline void mallocs(struct fp_proc *p, const char *caller, uint64_t n, uint64_t size)
{
	struct fp_alloc_stats *a = libc_alloc(p);
	const char *frames[] = { "__libc_malloc malloc.c:3281", caller, "main m.c:1" };

	a->fn[0].calls += n;
	a->fn[0].bytes += n * size;
	hist__add(&a->size, size, n);
	assert_int_equal(alloc_stats__add_site(a, frames, 3, n, n * size), 0);
	alloc_stats__sort_sites(a);
}

#endif
