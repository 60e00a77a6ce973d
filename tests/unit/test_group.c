/* Unit tests of model/group.c: processes summed by command name (and PID),
 * the unit of the diff and of the Prometheus exporter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "model/group.h"
#include "model/io.h"
#include "model/statfam.h"

#define NR_READ 0
#define NR_LSTAT 6

static const struct fp_group *group_of(const struct fp_group *v, size_t n, const char *comm, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].comm, comm) && v[i].pid == pid)
			return &v[i];
	return NULL;
}

static const struct fp_group_hist *hist_of(const struct fp_group *g, const char *name)
{
	for (size_t i = 0; i < g->nhists; i++)
		if (!strcmp(g->hists[i].name, name))
			return &g->hists[i];
	return NULL;
}

/* Two workers and a shell: by comm, the workers are one group in order of
 * first appearance; by pid, three. */
static struct fp_snapshot *workers(void)
{
	struct fp_snapshot *s = snap(1);
	struct fp_proc *w1 = proc(s, 10, "worker"), *sh = proc(s, 11, "sh"), *w2 = proc(s, 12, "worker");

	calls(w1, "read", 100, 1000);
	calls(w1, "write", 10, 2000);
	calls(w2, "read", 50, 4000);
	calls(sh, "wait4", 1, 1000000);
	w2->exited = true;
	assert_int_equal(proc__add_finding(w1, "stat-storm", "warning", "from w1", ""), 0);
	assert_int_equal(proc__add_finding(w2, "stat-storm", "warning", "from w2", ""), 0);
	assert_int_equal(proc__add_finding(w2, "alloc-churn", "warning", "churn", ""), 0);
	return s;
}

static void test_groups_by_comm_sum_syscalls(void **state)
{
	struct fp_snapshot *s = workers();
	const struct fp_group *w;
	const struct fp_sys_stat *rd;
	struct fp_group *v;
	size_t n;

	assert_int_equal(groups__of(s, false, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].comm, "worker");	/* first seen first */
	assert_string_equal(v[1].comm, "sh");
	w = &v[0];
	assert_int_equal(w->pid, 0);
	assert_int_equal(w->nprocs, 2);
	assert_int_equal(w->nexited, 1);
	assert_int_equal(proc__sys_calls(&w->sum), 160);
	rd = proc__sys((struct fp_proc *)&w->sum, NR_READ, false);
	assert_non_null(rd);
	assert_int_equal(rd->calls, 150);
	assert_int_equal(rd->total_ns, 100 * 1000 + 50 * 4000);
	assert_int_equal(rd->lat.count, 150);
	assert_int_equal(rd->lat.max, 4000);
	/* findings once per kind, the first process's words */
	assert_int_equal(w->sum.nfindings, 2);
	assert_string_equal(w->sum.findings[0].kind, "stat-storm");
	assert_string_equal(w->sum.findings[0].summary, "from w1");
	assert_string_equal(w->sum.findings[1].kind, "alloc-churn");
	/* the merged syscall latency histogram */
	assert_non_null(hist_of(w, "syscall latency"));
	assert_int_equal(hist_of(w, "syscall latency")->h.count, 160);
	assert_string_equal(hist_of(w, "syscall latency")->unit, "ns");
	assert_false(w->has_io || w->has_stat || w->has_alloc);
	groups__free(v, n);
	snapshot__free(s);
}

static void test_groups_by_pid(void **state)
{
	struct fp_snapshot *s = workers();
	struct fp_group *v;
	size_t n;

	assert_int_equal(groups__of(s, true, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_non_null(group_of(v, n, "worker", 10));
	assert_non_null(group_of(v, n, "worker", 12));
	assert_int_equal(proc__sys_calls(&group_of(v, n, "worker", 12)->sum), 50);
	assert_int_equal(group_of(v, n, "worker", 12)->nexited, 1);
	assert_int_equal(group_of(v, n, "sh", 11)->nprocs, 1);
	groups__free(v, n);
	snapshot__free(s);
}

/* groups__merge (serve keeps exited processes as groups, merged as they
 * are reaped): the workers grouped in two halves and merged give what
 * grouping them all at once gives; a new name is appended. */
static void test_groups_merge_equals_grouping_at_once(void **state)
{
	struct fp_snapshot *all = workers(), *a = snap(1), *b = snap(1);
	struct fp_group *va, *vb, *vall;
	size_t na, nb, nall;
	const struct fp_group *w, *ref;

	for (size_t i = 0; i < all->nprocs; i++)
		assert_non_null(snapshot__append_copy(i == 0 ? a : b, &all->procs[i]));
	assert_int_equal(groups__of(a, false, &va, &na), 0);
	assert_int_equal(groups__of(b, false, &vb, &nb), 0);
	assert_int_equal(groups__of(all, false, &vall, &nall), 0);
	assert_int_equal(na, 1);	/* worker 10 alone */
	assert_int_equal(groups__merge(&va, &na, vb, nb), 0);
	assert_int_equal(na, 2);	/* sh appended */
	w = group_of(va, na, "worker", 0);
	ref = group_of(vall, nall, "worker", 0);
	assert_non_null(w);
	assert_int_equal(w->nprocs, ref->nprocs);
	assert_int_equal(w->nexited, ref->nexited);
	assert_int_equal(proc__sys_calls(&w->sum), proc__sys_calls(&ref->sum));
	assert_int_equal(proc__sys((struct fp_proc *)&w->sum, NR_READ, false)->total_ns,
			 proc__sys((struct fp_proc *)&ref->sum, NR_READ, false)->total_ns);
	assert_int_equal(hist_of(w, "syscall latency")->h.count, hist_of(ref, "syscall latency")->h.count);
	assert_int_equal(hist_of(w, "syscall latency")->h.max, 4000);
	assert_int_equal(w->sum.nfindings, ref->sum.nfindings);
	assert_int_equal(group_of(va, na, "sh", 0)->nprocs, 1);
	groups__free(va, na);
	groups__free(vb, nb);
	groups__free(vall, nall);
	snapshot__free(a);
	snapshot__free(b);
	snapshot__free(all);
}

/* Sections: data-path bytes and stat paths summed, paths merged by name,
 * allocation sites merged by their caller's function, most calls first. */
static void test_group_sections(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_proc *a = proc(s, 20, "srv"), *b = proc(s, 21, "srv");
	struct fp_group g = {};

	for (int k = 0; k < 2; k++) {
		struct fp_proc *p = k ? b : a;

		p->io = io_stats__new();
		assert_non_null(p->io);
		assert_int_equal(io_stats__add(p->io, FP_NR_read, FP_FD_FILE, FP_FD_MEMORY, 4, 4096 * (k + 1)), 0);
		assert_int_equal(io_stats__add(p->io, FP_NR_sendfile, FP_FD_FILE, FP_FD_TCP, 1, 65536), 0);
		hist__add(io_stats__size(p->io, FP_IO_ZERO_COPY, FP_FD_TCP), 65536, 1);
		io_stats__finish(p->io);
		p->stat = stat_stats__new(true);
		assert_non_null(p->stat);
		stat_stats__sys(p->stat, NR_LSTAT)->calls = 30;
		stat_stats__sys(p->stat, NR_LSTAT)->err[FP_STAT_ENOENT] = 10;
		assert_int_equal(stat_stats__add_path(p->stat, 1, "/etc/hosts", false, 20, 0), 0);
		assert_int_equal(stat_stats__add_path(p->stat, 2, k ? "/b" : "/a", false, 10, 10), 0);
		assert_int_equal(stat_stats__finish(p->stat), 0);
	}
	mallocs(a, "handle h.c:10", 100, 32);
	mallocs(b, "handle h.c:12", 50, 32);	/* the same function, another line */
	mallocs(b, "parse p.c:3", 120, 8);
	assert_int_equal(group__add(&g, a), 0);
	assert_int_equal(group__add(&g, b), 0);
	assert_true(g.has_io && g.has_stat && g.has_alloc && g.has_libc);
	assert_int_equal(g.zc, 2 * 65536);
	assert_int_equal(g.copy, 4096 + 8192);
	assert_int_equal(g.stat_calls, 60);
	assert_int_equal(g.stat_errors, 20);
	assert_int_equal(g.npaths, 3);
	for (size_t i = 0; i < g.npaths; i++)
		if (!strcmp(g.paths[i].path, "/etc/hosts"))
			assert_int_equal(g.paths[i].calls, 40);
	assert_int_equal(g.alloc_calls, 270);
	assert_int_equal(g.alloc_fn[0].calls, 270);
	assert_int_equal(g.nsites, 2);
	assert_string_equal(g.sites[0].caller, "handle h.c:10");	/* 150 calls */
	assert_int_equal(g.sites[0].calls, 150);
	assert_int_equal(g.sites[0].bytes, 150 * 32);
	assert_string_equal(g.sites[1].caller, "parse p.c:3");
	assert_non_null(hist_of(&g, "zero_copy size"));
	assert_int_equal(hist_of(&g, "zero_copy size")->h.count, 2);
	assert_string_equal(hist_of(&g, "zero_copy size")->unit, "bytes");
	group__free(&g);
	assert_int_equal(g.nsites, 0);
	assert_int_equal(g.npaths, 0);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_by_comm_sum_syscalls),
		cmocka_unit_test(test_groups_by_pid),
		cmocka_unit_test(test_groups_merge_equals_grouping_at_once),
		cmocka_unit_test(test_group_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
