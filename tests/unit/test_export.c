/* Unit tests of the exports (issue 7): the diff model, CSV quoting, the
 * Prometheus formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "model/diff.h"
#include "model/syscalls.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/alloc_site.h"
#include "views/report.h"

/* ---- helpers ------------------------------------------------------------ */

static struct fp_snapshot *snap(double secs)
{
	struct fp_snapshot *s = snapshot__new();

	assert_non_null(s);
	s->meta.duration_s = secs;
	return s;
}

static struct fp_proc *proc(struct fp_snapshot *s, int pid, const char *comm)
{
	struct fp_proc *p = snapshot__proc(s, pid, true);

	assert_non_null(p);
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	return p;
}

/* n calls of syscall `name`, each lasting ns. */
static void calls(struct fp_proc *p, const char *name, uint64_t n, uint64_t ns)
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

static const struct fp_change *find_change(const struct fp_diff *d, const char *what, size_t *rank)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].what, what)) {
			if (rank)
				*rank = i;
			return &d->v[i];
		}
	return NULL;
}


/* An alloc section: n malloc calls of size bytes from `caller`. */
static struct fp_alloc_stats *libc_alloc(struct fp_proc *p)
{
	if (!p->alloc) {
		p->alloc = alloc_stats__new();
		assert_non_null(p->alloc);
		p->alloc->libc = true;
	}
	return p->alloc;
}

static void mallocs(struct fp_proc *p, const char *caller, uint64_t n, uint64_t size)
{
	struct fp_alloc_stats *a = libc_alloc(p);
	const char *frames[] = { "__libc_malloc malloc.c:3281", caller, "main m.c:1" };

	a->fn[0].calls += n;
	a->fn[0].bytes += n * size;
	hist__add(&a->size, size, n);
	assert_int_equal(alloc_stats__add_site(a, frames, 3, n, n * size), 0);
	alloc_stats__sort_sites(a);
}

/* ---- diff --------------------------------------------------------------- */

/* The story: sendfile carried 1 GiB before, read+write after (30-fold more
 * syscalls).  The data path change must come first. */
static void test_diff_story_zero_copy_first(void **state)
{
	struct fp_snapshot *b = snap(2), *a = snap(2);
	struct fp_proc *pb = proc(b, 100, "server"), *pa = proc(a, 200, "server");
	struct fp_diff *d;
	const struct fp_change *c;
	size_t rank;

	calls(pb, "sendfile", 1024, 200000);
	calls(pb, "accept4", 1024, 5000);
	calls(pb, "read", 1024, 2000);		/* requests */
	calls(pa, "accept4", 1024, 5000);
	calls(pa, "read", 1024 + 16384, 30000);
	calls(pa, "write", 16384, 30000);
	/* a bigger fold elsewhere must not outrank it */
	calls(pa, "futex", 50000, 100);
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_true(d->n >= 3);
	assert_int_equal(d->v[0].kind, FP_CHG_DATA_PATH);
	assert_string_equal(d->v[0].what, "zero-copy -> copy");
	assert_string_equal(d->v[0].comm, "server");
	assert_int_equal(d->v[0].pid, 0);	/* pids differ: matched by name */
	c = find_change(d, "write", &rank);
	assert_non_null(c);
	assert_true(isinf(diff__fold(c->before, c->after)));
	assert_true(rank > 0);
	c = find_change(d, "sendfile", NULL);
	assert_non_null(c);
	assert_true(c->after == 0 && c->before == 512);	/* per second over 2 s */
	/* sorted, largest first */
	for (size_t i = 1; i < d->n; i++)
		assert_true(d->v[i - 1].score >= d->v[i].score);
	/* unchanged accept4 is noise */
	assert_null(find_change(d, "accept4", NULL));
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_copy_to_zero_copy(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_diff *d;

	calls(proc(b, 1, "srv"), "read", 5000, 1000);
	calls(&b->procs[0], "write", 5000, 1000);
	calls(proc(a, 2, "srv"), "sendfile", 40, 100000);
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_int_equal(d->v[0].kind, FP_CHG_DATA_PATH);
	assert_string_equal(d->v[0].what, "copy -> zero-copy");
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_identical_is_empty(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_diff *d;

	calls(proc(b, 7, "app"), "getppid", 1000, 300);
	calls(proc(a, 7, "app"), "getppid", 1100, 310);	/* 10%: noise */
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_int_equal(d->n, 0);
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_match_by_pid_when_same(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_diff *d;
	const struct fp_change *c;

	calls(proc(b, 11, "w"), "getppid", 1000, 300);
	calls(proc(b, 12, "w"), "getppid", 1000, 300);
	calls(proc(a, 11, "w"), "getppid", 1000, 300);
	calls(proc(a, 12, "w"), "getppid", 8000, 300);
	d = diff__compute(b, a);
	assert_non_null(d);
	c = find_change(d, "getppid", NULL);
	assert_non_null(c);
	assert_int_equal(c->pid, 12);		/* only pid 12 changed */
	assert_true(c->before == 1000 && c->after == 8000);
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_sums_by_comm(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_diff *d;
	const struct fp_change *c;

	calls(proc(b, 11, "w"), "getppid", 1000, 300);
	calls(proc(b, 12, "w"), "getppid", 1000, 300);
	calls(proc(a, 21, "w"), "getppid", 6000, 300);	/* restarted as one */
	d = diff__compute(b, a);
	assert_non_null(d);
	c = find_change(d, "getppid", NULL);
	assert_non_null(c);
	assert_int_equal(c->pid, 0);
	assert_int_equal(c->nprocs_before, 2);
	assert_int_equal(c->nprocs_after, 1);
	assert_true(c->before == 2000 && c->after == 6000);
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_rates_use_each_length(void **state)
{
	struct fp_snapshot *b = snap(10), *a = snap(1);
	struct fp_diff *d;

	/* same rate (100/s), different lengths: no change */
	calls(proc(b, 1, "x"), "getppid", 1000, 300);
	calls(proc(a, 1, "x"), "getppid", 100, 300);
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_null(find_change(d, "getppid", NULL));
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_findings_and_processes(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_diff *d;
	const struct fp_change *c;
	size_t r_find, r_rate;

	calls(proc(b, 1, "app"), "getppid", 1000, 300);
	calls(proc(b, 2, "old"), "getppid", 500, 300);
	calls(proc(a, 1, "app"), "getppid", 64000, 300);
	assert_int_equal(proc__add_finding(&a->procs[0], "stat-storm", "warning", "storm", ""), 0);
	calls(proc(a, 3, "new"), "getppid", 500, 300);
	d = diff__compute(b, a);
	assert_non_null(d);
	c = find_change(d, "stat-storm", &r_find);
	assert_non_null(c);
	assert_int_equal(c->kind, FP_CHG_FINDING_NEW);
	assert_non_null(find_change(d, "getppid", &r_rate));
	assert_true(r_find < r_rate);	/* a warning outranks a 64x rate */
	c = find_change(d, "process appeared", NULL);
	assert_non_null(c);
	assert_string_equal(c->comm, "new");
	c = find_change(d, "process went away", NULL);
	assert_non_null(c);
	assert_string_equal(c->comm, "old");
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void test_diff_percentile_shift(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_diff *d;
	const struct fp_change *c;

	calls(proc(b, 1, "db"), "fsync", 200, 1000000);
	calls(proc(a, 1, "db"), "fsync", 200, 8000000);
	d = diff__compute(b, a);
	assert_non_null(d);
	c = find_change(d, "fsync latency p99", NULL);
	assert_non_null(c);
	assert_int_equal(c->kind, FP_CHG_PERCENTILE);
	/* within one bucket (25%) of the true values */
	assert_true(c->before >= 1000000 * 0.75 && c->before <= 1000000 * 1.25);
	assert_true(c->after >= 8000000 * 0.75 && c->after <= 8000000 * 1.25);
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

/* A stat path hot after and not before is listed; one hot on both sides is not. */
static void test_diff_new_hot_stat_path(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_proc *pb = proc(b, 1, "git"), *pa = proc(a, 2, "git");
	struct fp_diff *d;

	pb->stat = stat_stats__new(true);
	pa->stat = stat_stats__new(true);
	assert_non_null(pb->stat);
	assert_non_null(pa->stat);
	stat_stats__sys(pb->stat, syscall__nr("newfstatat"))->calls = 1000;
	stat_stats__sys(pa->stat, syscall__nr("newfstatat"))->calls = 6000;
	assert_int_equal(stat_stats__add_path(pb->stat, 1, "/repo/.git", false, 1000, 0), 0);
	assert_int_equal(stat_stats__add_path(pa->stat, 1, "/repo/.git", false, 1000, 0), 0);
	assert_int_equal(stat_stats__add_path(pa->stat, 2, "/repo/node_modules", false, 5000, 0), 0);
	assert_int_equal(stat_stats__finish(pb->stat), 0);
	assert_int_equal(stat_stats__finish(pa->stat), 0);
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_non_null(find_change(d, "hot stat path /repo/node_modules", NULL));
	assert_null(find_change(d, "hot stat path /repo/.git", NULL));
	assert_non_null(find_change(d, "stat-family calls", NULL));
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}


/* The allocation rate moved 10x and a new site took most of it: both are
 * ranked, the call rate before the bytes, and the old site is not "new". */
static void test_diff_alloc_rate_and_new_site(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_proc *pb = proc(b, 1, "svc"), *pa = proc(a, 2, "svc");
	const struct fp_change *c;
	size_t rc, rb;
	struct fp_diff *d;

	calls(pb, "read", 1000, 1000);
	calls(pa, "read", 1000, 1000);
	mallocs(pb, "handle h.c:10", 1000, 64);
	mallocs(pa, "handle h.c:12", 1000, 64);	/* same function, line moved */
	mallocs(pa, "parse p.c:7", 9000, 64);
	mallocs(pb, "parse p.c:7", 5, 64);		/* there, but not a top site */
	d = diff__compute(b, a);
	assert_non_null(d);
	c = find_change(d, "allocator calls", &rc);
	assert_non_null(c);
	assert_true(c->before == 1005 && c->after == 10000);
	assert_non_null(find_change(d, "allocated bytes", &rb));
	/* the new site first (it is new: the largest fold), then the rate,
	 * then the bytes; nothing else moved */
	assert_int_equal(rc, 1);
	assert_int_equal(rb, 2);
	assert_int_equal(d->n, 3);
	c = find_change(d, "top allocation site parse p.c:7", &rc);
	assert_non_null(c);
	assert_int_equal(rc, 0);
	assert_true(c->before == 5 && c->after == 9000);
	assert_non_null(strstr(c->text, "90% of the allocated calls after"));
	assert_null(find_change(d, "top allocation site handle h.c:12", NULL));
	assert_null(find_change(d, "read", NULL));
	diff__free(d);
	/* a top site that got 10x busier is the rate change, not a new site */
	d = diff__compute(a, b);
	assert_non_null(d);
	assert_null(find_change(d, "top allocation site handle h.c:10", NULL));
	diff__free(d);
	d = diff__compute(b, b);
	assert_non_null(d);
	assert_int_equal(d->n, 0);
	diff__free(d);
	mallocs(pa, "handle h.c:12", 90000, 64);
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_null(find_change(d, "top allocation site handle h.c:12", NULL));
	assert_non_null(find_change(d, "allocator calls", NULL));
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

/* Go's sampled figures are estimates and the diff says so. */
static void test_diff_alloc_estimated(void **state)
{
	struct fp_snapshot *b = snap(1), *a = snap(1);
	struct fp_proc *pb = proc(b, 1, "gosvc"), *pa = proc(a, 2, "gosvc");
	struct fp_diff *d;

	pb->alloc = alloc_stats__new();
	pa->alloc = alloc_stats__new();
	pb->alloc->go = (struct fp_alloc_go){ .mode = FP_GO_SAMPLED, .calls = 5000, .bytes = 1 << 20, .estimated = true };
	pa->alloc->go = (struct fp_alloc_go){ .mode = FP_GO_SAMPLED, .calls = 50000, .bytes = 1 << 24, .estimated = true };
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_non_null(find_change(d, "allocator calls (estimated)", NULL));
	assert_null(find_change(d, "allocator calls", NULL));
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

static void check_caller(const char *const *frames, size_t n, const char *want)
{
	struct fp_alloc_site s = { .frames = (char **)frames, .nframes = n };

	assert_string_equal(alloc_site__caller(&s), want);
}

static void test_alloc_site_caller(void **state)
{
	const char *c[] = { "__libc_malloc malloc.c:3281", "churn allocloop.c:28", "main allocloop.c:72" };
	const char *gi[] = { "__GI___libc_free malloc.c:1", "xfree util.c:3" };
	const char *cxx[] = { "malloc", "_Znwm new_op.cc:50", "Foo::make foo.cc:9" };
	const char *go[] = { "runtime.mProf_Malloc mprof.go:418", "runtime.profilealloc malloc.go:1238",
			     "runtime.mallocgc malloc.go:1114", "runtime.newobject malloc.go:1202",
			     "main.escapeLoop main.go:29", "main.main main.go:90", "runtime.main proc.go:250" };
	const char *rt[] = { "runtime.mallocgc malloc.go:1114", "runtime.newobject malloc.go:1202",
			     "runtime.malg proc.go:4076", "runtime.newproc1 proc.go:4123" };
	const char *unk[] = { "libfoo.so+0x1234" };

	check_caller(c, 3, "churn allocloop.c:28");
	check_caller(gi, 2, "xfree util.c:3");
	check_caller(cxx, 3, "Foo::make foo.cc:9");
	check_caller(go, 7, "main.escapeLoop main.go:29");
	check_caller(rt, 4, "runtime.malg proc.go:4076");
	check_caller(unk, 1, "libfoo.so+0x1234");
	check_caller(c, 1, "__libc_malloc malloc.c:3281");
	check_caller(NULL, 0, "?");
	assert_true(alloc__same_fn("handle h.c:10", "handle h.c:12"));
	assert_false(alloc__same_fn("handle h.c:10", "handler h.c:10"));
}

static void test_diff_fold(void **state)
{
	assert_true(diff__fold(0, 0) == 1.0);
	assert_true(isinf(diff__fold(0, 5)));
	assert_true(diff__fold(5, 0) == 0.0);
	assert_true(diff__fold(2, 6) == 3.0);
}

/* ---- CSV ---------------------------------------------------------------- */

static void check_field(const char *in, const char *want)
{
	char *out = NULL;

	CAPTURE(out, csv__field(f, in));
	assert_string_equal(out, want);
	free(out);
}

static void test_csv_quoting(void **state)
{
	check_field("plain", "plain");
	check_field("", "");
	check_field("a,b", "\"a,b\"");
	check_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	check_field("two\nlines", "\"two\nlines\"");
	check_field("cr\r", "\"cr\r\"");
	check_field(" padded", "\" padded\"");
	check_field("padded\t", "\"padded\t\"");
}

static void test_csv_rows(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_proc *p = proc(s, 42, "we,ird\"");
	char *out = NULL, *line;
	int rows = 0;

	calls(p, "getppid", 3, 500);
	assert_int_equal(proc__add_finding(p, "k", "warning", "a, \"quoted\" summary", ""), 0);
	CAPTURE(out, csv__write(f, s));
	assert_true(!strncmp(out, "pid,comm,metric,value,unit,note\r\n", 33));
	assert_non_null(strstr(out, "42,\"we,ird\"\"\",syscall getppid calls,3,calls,\r\n"));
	assert_non_null(strstr(out, "finding k,1,warning,\"a, \"\"quoted\"\" summary\"\r\n"));
	for (line = out; (line = strstr(line, "\r\n")); line += 2)
		rows++;
	assert_true(rows > 5);
	free(out);
	snapshot__free(s);
}


static void test_csv_alloc_rows(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_proc *p = proc(s, 5, "c");
	char *out = NULL;

	mallocs(p, "churn a.c:5", 300, 100);
	CAPTURE(out, csv__write(f, s));
	assert_non_null(strstr(out, "5,c,alloc libc malloc calls,300,calls,\r\n"));
	assert_non_null(strstr(out, "5,c,alloc libc malloc bytes,30000,bytes,\r\n"));
	assert_non_null(strstr(out, "5,c,alloc estimated,0,,exact counts\r\n"));
	assert_non_null(strstr(out, "5,c,alloc site calls,300,calls,churn a.c:5\r\n"));
	assert_null(strstr(out, "alloc libc calloc"));	/* functions never called: no rows */
	free(out);
	snapshot__free(s);
}

/* ---- Prometheus --------------------------------------------------------- */

static void test_prom_label_escaping(void **state)
{
	char *out = NULL;

	CAPTURE(out, prom__label_value(f, "a\\b\"c\nd"));
	assert_string_equal(out, "a\\\\b\\\"c\\nd");
	free(out);
}

static void test_prom_hist_name(void **state)
{
	char buf[96];

	assert_string_equal(prom__hist_name("copy_in size", "bytes", buf, sizeof(buf)),
			    "fastpath_copy_in_size_bytes");
	assert_string_equal(prom__hist_name("Stat latency", "ns", buf, sizeof(buf)),
			    "fastpath_stat_latency_seconds");
	assert_string_equal(prom__hist_name("  odd--name!", "bytes", buf, sizeof(buf)),
			    "fastpath_odd_name_bytes");
}

/* Value of the first line starting with prefix, or -1. */
static double sample(const char *text, const char *prefix)
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			return strtod(p + strlen(prefix), NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static void test_prom_exposition(void **state)
{
	struct fp_snapshot *s = snap(2);
	struct fp_prom_opts o = { .pid_label = false, .self_cpu_s = 0.5, .read_s = -1 };
	char *out = NULL;

	calls(proc(s, 10, "web"), "read", 100, 1000);	/* 1 us */
	calls(&s->procs[0], "read", 50, 3000000);	/* 3 ms */
	calls(proc(s, 11, "web"), "read", 10, 1000);
	CAPTURE(out, prom__write(f, s, &o));
	/* summed over both pids, no pid label */
	assert_true(sample(out, "fastpath_syscalls_total{comm=\"web\",syscall=\"read\"} ") == 160);
	assert_null(strstr(out, "pid=\""));
	assert_non_null(strstr(out, "# TYPE fastpath_syscall_latency_seconds histogram\n"));
	/* cumulative: 110 below 2^10 ns = 1.024 us? 1000 ns < 1024: yes */
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"1.024e-06\"} ") == 110);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"5.12e-07\"} ") == 0);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"0.004194304\"} ") == 160);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"+Inf\"} ") == 160);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_count{comm=\"web\",syscall=\"read\"} ") == 160);
	assert_true(fabs(sample(out, "fastpath_syscall_latency_seconds_sum{comm=\"web\",syscall=\"read\"} ") - 0.15011) < 1e-9);
	assert_true(sample(out, "fastpath_self_cpu_seconds_total ") == 0.5);
	assert_null(strstr(out, "fastpath_snapshot_read_seconds"));
	free(out);

	o.pid_label = true;
	CAPTURE(out, prom__write(f, s, &o));
	assert_true(sample(out, "fastpath_syscalls_total{comm=\"web\",pid=\"10\",syscall=\"read\"} ") == 150);
	assert_true(sample(out, "fastpath_syscalls_total{comm=\"web\",pid=\"11\",syscall=\"read\"} ") == 10);
	free(out);
	snapshot__free(s);
}


/* libc per function (exact) and Go's estimates under their own names;
 * sites are never labels. */
static void test_prom_alloc(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_prom_opts o = { .self_cpu_s = -1, .read_s = -1 };
	struct fp_proc *g;
	char *out = NULL;

	mallocs(proc(s, 1, "c"), "churn a.c:5", 300, 100);
	libc_alloc(&s->procs[0])->fn[FP_ALLOC_FREE].calls = 290;
	mallocs(proc(s, 3, "c"), "churn a.c:5", 200, 100);
	g = proc(s, 2, "g");
	g->alloc = alloc_stats__new();
	g->alloc->go = (struct fp_alloc_go){ .mode = FP_GO_SAMPLED, .calls = 7000, .bytes = 900000,
					     .estimated = true, .samples = 12, .rate = 524288 };
	CAPTURE(out, prom__write(f, s, &o));
	assert_true(sample(out, "fastpath_alloc_libc_calls_total{comm=\"c\",function=\"malloc\"} ") == 500);
	assert_true(sample(out, "fastpath_alloc_libc_calls_total{comm=\"c\",function=\"free\"} ") == 290);
	assert_true(sample(out, "fastpath_alloc_libc_calls_total{comm=\"c\",function=\"calloc\"} ") == 0);
	assert_true(sample(out, "fastpath_alloc_libc_bytes_total{comm=\"c\",function=\"malloc\"} ") == 50000);
	assert_null(strstr(out, "fastpath_alloc_libc_bytes_total{comm=\"c\",function=\"free\"}"));
	assert_true(sample(out, "fastpath_alloc_calls_total{comm=\"c\"} ") == 500);
	assert_true(sample(out, "fastpath_alloc_estimated{comm=\"c\"} ") == 0);
	assert_true(sample(out, "fastpath_alloc_estimated{comm=\"g\"} ") == 1);
	assert_true(sample(out, "fastpath_alloc_go_estimated_calls_total{comm=\"g\"} ") == 7000);
	assert_true(sample(out, "fastpath_alloc_go_estimated_bytes_total{comm=\"g\"} ") == 900000);
	assert_true(sample(out, "fastpath_alloc_go_samples_total{comm=\"g\"} ") == 12);
	assert_null(strstr(out, "fastpath_alloc_go_calls_total"));	/* no exact Go here */
	assert_null(strstr(out, "fastpath_alloc_libc_calls_total{comm=\"g\""));
	assert_null(strstr(out, "churn"));
	assert_non_null(strstr(out, "# TYPE fastpath_allocation_size_bytes histogram\n"));
	free(out);
	snapshot__free(s);
}

/* Every HELP/TYPE once, before its samples, and samples of a family together. */
static void test_prom_families_once(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_prom_opts o = { .self_cpu_s = -1, .read_s = 0.001 };
	char *out = NULL, *line, *save = NULL, last[128] = "";
	char seen[64][128];
	int nseen = 0;

	calls(proc(s, 1, "a"), "read", 10, 1000);
	calls(proc(s, 2, "b"), "write", 10, 1000);
	CAPTURE(out, prom__write(f, s, &o));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char fam[128];

		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", fam);
			for (int i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], fam);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", fam);
			snprintf(last, sizeof(last), "%s", fam);
			continue;
		}
		if (line[0] == '#')
			continue;
		/* a sample belongs to the last TYPE'd family */
		assert_int_equal(strncmp(line, last, strlen(last)), 0);
	}
	free(out);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_story_zero_copy_first),
		cmocka_unit_test(test_diff_copy_to_zero_copy),
		cmocka_unit_test(test_diff_identical_is_empty),
		cmocka_unit_test(test_diff_match_by_pid_when_same),
		cmocka_unit_test(test_diff_sums_by_comm),
		cmocka_unit_test(test_diff_rates_use_each_length),
		cmocka_unit_test(test_diff_findings_and_processes),
		cmocka_unit_test(test_diff_percentile_shift),
		cmocka_unit_test(test_diff_new_hot_stat_path),
		cmocka_unit_test(test_diff_alloc_rate_and_new_site),
		cmocka_unit_test(test_diff_alloc_estimated),
		cmocka_unit_test(test_alloc_site_caller),
		cmocka_unit_test(test_diff_fold),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_rows),
		cmocka_unit_test(test_csv_alloc_rows),
		cmocka_unit_test(test_prom_label_escaping),
		cmocka_unit_test(test_prom_hist_name),
		cmocka_unit_test(test_prom_exposition),
		cmocka_unit_test(test_prom_alloc),
		cmocka_unit_test(test_prom_families_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
