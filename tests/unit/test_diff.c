/* Unit tests of the diff of two recordings: the model's matching, ranking
 * and figures (model/diff.c) and their phrasing (views/diff_text.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "fixture.h"
#include "model/diff.h"
#include "model/statfam.h"
#include "model/alloc_site.h"
#include "views/diff_text.h"

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
	char text[FP_CHANGE_TEXT];
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
	assert_non_null(strstr(diff_text__change(c, text, sizeof(text)), "90% of the allocated calls after"));
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

static void test_diff_fold(void **state)
{
	assert_true(diff__fold(0, 0) == 1.0);
	assert_true(isinf(diff__fold(0, 5)));
	assert_true(diff__fold(5, 0) == 0.0);
	assert_true(diff__fold(2, 6) == 3.0);
}

/* recvmmsg and sendmmsg copy as read and write do (bpf/fp_io.h): a switch
 * from sendfile to them shows from the syscall table alone.  The diff's
 * own list of copying calls used to leave them out, and saw no switch. */
static void test_diff_mmsg_calls_copy(void **state)
{
	struct fp_snapshot *b = snap(2), *a = snap(2);
	struct fp_proc *pb = proc(b, 100, "relay"), *pa = proc(a, 200, "relay");
	char text[FP_CHANGE_TEXT];
	struct fp_diff *d;

	calls(pb, "sendfile", 1000, 20000);
	calls(pb, "read", 100, 2000);
	calls(pa, "sendmmsg", 1000, 20000);
	calls(pa, "recvmmsg", 1000, 20000);
	calls(pa, "read", 100, 2000);
	d = diff__compute(b, a);
	assert_non_null(d);
	assert_true(d->n >= 1);
	assert_int_equal(d->v[0].kind, FP_CHG_DATA_PATH);
	assert_string_equal(d->v[0].what, "zero-copy -> copy");
	assert_true(d->v[0].copy[0] == 50 && d->v[0].copy[1] == 1050);
	assert_true(d->v[0].zc[0] == 500 && d->v[0].zc[1] == 0);
	assert_string_equal(diff_text__change(&d->v[0], text, sizeof(text)),
			    "data path zero-copy -> copy (from the syscall table): zero-copy calls (sendfile, splice, ...) "
			    "500 calls/s -> 0 calls/s, copying calls (read, write, ...) 50 calls/s -> 1050 calls/s; "
			    "data syscalls per second x1.9");
	diff__free(d);
	snapshot__free(b);
	snapshot__free(a);
}

/* The view phrases each kind of change from the model's figures alone. */
static void test_diff_text_phrases(void **state)
{
	char text[FP_CHANGE_TEXT];
	struct fp_change c;

	c = (struct fp_change){ .kind = FP_CHG_RATE, .what = "read", .unit = "calls/s", .before = 1.5,
				.after = 20600, .fold = 20600 / 1.5, .total_before = 3, .total_after = 41200 };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "read 1.5 calls/s -> 20.6k calls/s (x13733.3; in all 3 -> 41.2k)");
	c = (struct fp_change){ .kind = FP_CHG_RATE, .what = "copied bytes", .unit = "B/s", .before = 1048576,
				.after = 3221225472.0, .fold = 3072, .total_before = 2097152, .total_after = 6442450944.0 };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "copied bytes 1.00 MiB/s -> 3.00 GiB/s (x3072.0; in all 2.00 MiB -> 6.00 GiB)");
	c = (struct fp_change){ .kind = FP_CHG_PERCENTILE, .what = "syscall latency p99", .unit = "ns",
				.before = 138140000, .after = 93710, .fold = 93710 / 138140000.0 };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "syscall latency p99 138.14 ms -> 93.71 us (/1474.1)");
	c = (struct fp_change){ .kind = FP_CHG_DATA_PATH, .what = "zero-copy -> copy", .unit = "share",
				.before = 0.9, .after = 0.1, .fold = 15, .zc = { 9437184, 1048576 },
				.copy = { 1048576, 9437184 }, .per_mib = { 2, 30 } };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "data path zero-copy -> copy: zero-copy share of bytes 90% -> 10% (zero-copy 9.00 MiB -> "
			    "1.00 MiB, copy 1.00 MiB -> 9.00 MiB); syscalls per MiB moved 2 -> 30 (x15.0)");
	c = (struct fp_change){ .kind = FP_CHG_FINDING_GONE, .what = "stat-storm", .severity = "warning",
				.summary = "120k stat calls/s" };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "finding stat-storm went away: [warning] 120k stat calls/s");
	c = (struct fp_change){ .kind = FP_CHG_PROC_NEW, .comm = "zcserve", .nprocs_after = 2, .after = 41300 };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "zcserve only after (2 processes, 41.3k syscalls/s)");
	c = (struct fp_change){ .kind = FP_CHG_RATE, .subject = FP_SUBJ_ALLOC_SITE, .name = "churn allocloop.c:28",
				.unit = "B/s", .before = 0, .after = 5120, .share = 0.9, .estimated = true };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "new top allocation site churn allocloop.c:28: 0 B/s -> 5.00 KiB/s "
			    "(90% of the allocated bytes; estimated after)");
	c = (struct fp_change){ .kind = FP_CHG_RATE, .subject = FP_SUBJ_STAT_PATH, .name = "/etc/hosts",
				.unit = "calls/s", .before = 2, .after = 900, .share = 0.25 };
	assert_string_equal(diff_text__change(&c, text, sizeof(text)),
			    "new hot stat path /etc/hosts: 2 calls/s -> 900 calls/s (25% of the stat calls after)");
	/* a line is cut at its length, never overrun */
	memset(c.name, 'x', sizeof(c.name) - 1);
	c.name[sizeof(c.name) - 1] = 0;
	assert_int_equal(strlen(diff_text__change(&c, text, sizeof(text))), FP_CHANGE_TEXT - 1);
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
		cmocka_unit_test(test_diff_fold),
		cmocka_unit_test(test_diff_mmsg_calls_copy),
		cmocka_unit_test(test_diff_text_phrases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
