/* Unit tests of the stat family's model: roll-up, repeat ratio, delta,
 * JSON round trip and the stat-storm rule. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/statfam.h"
#include "model/findings.h"
#include "views/json.h"

#define NR_LSTAT 6
#define NR_STATX 332
#define NR_GETPPID 110

static void test_parent_dir(void **state)
{
	char b[64];

	assert_string_equal(stat__parent_dir("a/b/c", b, sizeof(b)), "a/b");
	assert_string_equal(stat__parent_dir("/etc/passwd", b, sizeof(b)), "/etc");
	assert_string_equal(stat__parent_dir("/etc", b, sizeof(b)), "/");
	assert_string_equal(stat__parent_dir("/", b, sizeof(b)), "/");
	assert_string_equal(stat__parent_dir("file", b, sizeof(b)), ".");
	assert_string_equal(stat__parent_dir("a//b", b, sizeof(b)), "a");
	assert_string_equal(stat__parent_dir("a/b/", b, sizeof(b)), "a");
}

/* 3 paths in d1 (calls 5, 3, 1), 1 in d2 (calls 4), 1 top-level (2). */
static struct fp_stat_stats *sample(void)
{
	struct fp_stat_stats *s = stat_stats__new(true);
	struct fp_stat_sys *y;

	assert_non_null(s);
	y = stat_stats__sys(s, NR_LSTAT);
	y->calls = 15;
	y->err[FP_STAT_ENOENT] = 4;
	y->err[FP_STAT_EOTHER] = 1;
	assert_int_equal(stat_stats__add_path(s, 11, "d1/a", false, 5, 0), 0);
	assert_int_equal(stat_stats__add_path(s, 12, "d1/b", false, 3, 3), 0);
	assert_int_equal(stat_stats__add_path(s, 13, "d1/c", false, 1, 0), 0);
	assert_int_equal(stat_stats__add_path(s, 14, "/abs/d2/x", false, 4, 1), 0);
	assert_int_equal(stat_stats__add_path(s, 15, "top", false, 2, 0), 0);
	assert_int_equal(stat_stats__finish(s), 0);
	return s;
}

static void test_rollup_and_ratio(void **state)
{
	struct fp_stat_stats *s = sample();

	assert_int_equal(s->distinct_paths, 5);
	assert_int_equal(s->path_calls, 15);
	/* (15 - 5) / 15: ten calls asked again */
	assert_true(stat_stats__repeat_ratio(s) > 0.6666 && stat_stats__repeat_ratio(s) < 0.6667);
	assert_string_equal(s->paths[0].path, "d1/a");
	assert_string_equal(s->paths[1].path, "/abs/d2/x");
	/* subtrees: "." holds d1 and top (11); "/" and "/abs" are explained
	 * by /abs/d2 alone, which is named instead */
	assert_int_equal(s->ndirs, 3);
	assert_string_equal(s->dirs[0].dir, ".");
	assert_int_equal(s->dirs[0].calls, 11);
	assert_int_equal(s->dirs[0].errors, 3);
	assert_string_equal(s->dirs[1].dir, "d1");
	assert_int_equal(s->dirs[1].calls, 9);
	assert_int_equal(s->dirs[1].errors, 3);
	assert_string_equal(s->dirs[2].dir, "/abs/d2");
	assert_int_equal(s->dirs[2].calls, 4);
	assert_int_equal(stat_stats__calls(s), 15);
	assert_int_equal(stat_stats__errors(s), 5);
	stat_stats__free(s);
}

static void test_no_paths_ratio_unknown(void **state)
{
	struct fp_stat_stats *s = stat_stats__new(false);

	stat_stats__sys(s, NR_STATX)->calls = 10;
	assert_int_equal(stat_stats__finish(s), 0);
	assert_true(stat_stats__repeat_ratio(s) < 0);
	stat_stats__free(s);
}

static void test_delta(void **state)
{
	struct fp_stat_stats *prev = sample(), *cur = sample(), *d;

	/* one more call on d1/c, a new path */
	cur->paths[4].calls += 1;	/* sorted: d1/c is last (1 call) */
	assert_string_equal(cur->paths[4].path, "d1/c");
	assert_int_equal(stat_stats__add_path(cur, 16, "d3/new", false, 2, 2), 0);
	stat_stats__sys(cur, NR_LSTAT)->calls += 3;
	assert_int_equal(stat_stats__finish(cur), 0);
	d = stat_stats__delta(cur, prev);
	assert_non_null(d);
	assert_int_equal(stat_stats__calls(d), 3);
	assert_int_equal(d->distinct_paths, 2);
	assert_int_equal(d->path_calls, 3);
	assert_string_equal(d->paths[0].path, "d3/new");
	assert_int_equal(d->ndirs, 3);	/* ".", d3, d1 */
	stat_stats__free(d);
	d = stat_stats__clone(cur);
	assert_int_equal(d->distinct_paths, 6);
	assert_int_equal(d->ndirs, 4);
	stat_stats__free(d);
	stat_stats__free(prev);
	stat_stats__free(cur);
}

static void test_json_round_trip(void **state)
{
	struct fp_stat_stats *s = sample(), *r = NULL;
	char err[256] = "";
	json_t *j = json_stat__from(s, 2.0);

	assert_int_equal(json_integer_value(json_object_get(j, "calls")), 15);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "errors"), "ENOENT")), 4);
	assert_true(json_real_value(json_object_get(j, "rate_per_s")) == 7.5);
	assert_int_equal(json_array_size(json_object_get(j, "top_dirs")), 3);
	assert_int_equal(json_stat__parse(j, &r, err, sizeof(err)), 0);
	assert_int_equal(stat_stats__calls(r), 15);
	assert_int_equal(stat_stats__errno(r, FP_STAT_EOTHER), 1);
	assert_int_equal(r->distinct_paths, 5);
	assert_int_equal(r->path_calls, 15);
	assert_int_equal(r->npaths, 5);
	assert_string_equal(r->dirs[0].dir, ".");
	assert_int_equal(r->dirs[0].calls, 11);
	json_object_set_new(j, "peak_per_s", json_string("x"));
	stat_stats__free(r);
	r = NULL;
	assert_int_equal(json_stat__parse(j, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "peak_per_s"));
	json_decref(j);
	stat_stats__free(s);
}

/* A storm over a tree (the git status of a repository in /srv/repo): the
 * tree is named, not its 40 equal subdirectories nor the directories above
 * it; a subtree holding a good share of its parent is named too. */
static void test_subtree_rollup(void **state)
{
	struct fp_stat_stats *s = stat_stats__new(true);
	char path[64];
	uint64_t h = 1;

	for (int d = 0; d < 40; d++)
		for (int f = 0; f < 10; f++) {
			snprintf(path, sizeof(path), "/srv/repo/pkg%d/f%d", d, f);
			assert_int_equal(stat_stats__add_path(s, h++, path, false, 1, f == 0), 0);
		}
	/* .git/objects/xx/: 300 calls, a quarter of the tree */
	for (int i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/srv/repo/.git/objects/%02x/o%d", i % 3, i);
		assert_int_equal(stat_stats__add_path(s, h++, path, false, 1, 0), 0);
	}
	assert_int_equal(stat_stats__add_path(s, h++, "/etc/gitconfig", false, 2, 2), 0);
	assert_int_equal(stat_stats__finish(s), 0);
	assert_int_equal(s->ndirs, 5);
	assert_string_equal(s->dirs[0].dir, "/srv/repo");
	assert_int_equal(s->dirs[0].calls, 700);
	assert_int_equal(s->dirs[0].errors, 40);
	/* .git is explained by .git/objects; its three subdirectories are
	 * a third each */
	assert_string_equal(s->dirs[1].dir, "/srv/repo/.git/objects");
	assert_int_equal(s->dirs[1].calls, 300);
	assert_string_equal(s->dirs[2].dir, "/srv/repo/.git/objects/00");
	assert_int_equal(s->dirs[2].calls, 100);
	assert_string_equal(s->dirs[4].dir, "/srv/repo/.git/objects/02");
	for (size_t i = 0; i < s->ndirs; i++)
		assert_null(strstr(s->dirs[i].dir, "pkg"));
	stat_stats__free(s);
}

/* make demo's storm: 17 siteN/lib/ of equal size below one directory.  Each
 * siteN/ is explained by its lib/, which must then count as one of 17
 * siblings (6% each), not as all of its parent: only the tree is named. */
static void test_subtree_chain_of_siblings(void **state)
{
	struct fp_stat_stats *s = stat_stats__new(true);
	char path[96];
	uint64_t h = 1;

	for (int d = 0; d < 17; d++)
		for (int f = 0; f < 20; f++) {
			snprintf(path, sizeof(path), "/tmp/demo/site%d/lib/m%d.py", d, f);
			assert_int_equal(stat_stats__add_path(s, h++, path, false, 3, 3), 0);
		}
	assert_int_equal(stat_stats__add_path(s, h++, "/etc/hostname", false, 60, 0), 0);
	assert_int_equal(stat_stats__finish(s), 0);
	assert_string_equal(s->dirs[0].dir, "/tmp/demo");
	assert_int_equal(s->dirs[0].calls, 17 * 20 * 3);
	for (size_t i = 0; i < s->ndirs; i++)
		assert_null(strstr(s->dirs[i].dir, "site"));
	stat_stats__free(s);
}

/* The path as the process gave it travels with the resolved one: delta,
 * JSON and back. */
static void test_given_kept(void **state)
{
	struct fp_stat_stats *s = stat_stats__new(true), *d, *r = NULL;
	char err[256] = "";
	json_t *j, *p0;

	stat_stats__sys(s, NR_LSTAT)->calls = 3;
	assert_int_equal(stat_stats__add_path(s, 7, "/srv/repo/pkg0/a", false, 3, 0), 0);
	assert_int_equal(stat_stats__path_given(s, "pkg0/a"), 0);
	assert_int_equal(stat_stats__finish(s), 0);
	d = stat_stats__delta(s, NULL);
	assert_string_equal(d->paths[0].given, "pkg0/a");
	j = json_stat__from(d, 1.0);
	p0 = json_array_get(json_object_get(j, "top_paths"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "path")), "/srv/repo/pkg0/a");
	assert_string_equal(json_string_value(json_object_get(p0, "given")), "pkg0/a");
	assert_int_equal(json_stat__parse(j, &r, err, sizeof(err)), 0);
	assert_string_equal(r->paths[0].given, "pkg0/a");
	json_decref(j);
	stat_stats__free(r);
	stat_stats__free(d);
	stat_stats__free(s);
}

/* The sysloop of `make demo`: 20,004 calls in a 0.12 s recording used to
 * print "163753/s, peak 20004/s".  The peak is never below the average; a
 * recording under one second says it has no one-second window. */
static void test_peak_never_below_average(void **state)
{
	struct fp_stat_stats *s = stat_stats__new(true);
	char buf[160];
	bool sh;

	stat_stats__sys(s, NR_LSTAT)->calls = 20004;
	s->peak_per_s = 20004;
	assert_int_equal(stat_stats__peak(s, 0.12216, &sh), 163752);
	assert_true(sh);
	assert_string_equal(stat__rates(s, 0.12216, buf, sizeof(buf)),
			    "163752/s over 0.122 s, shorter than the one-second peak window");
	/* 2.5 s at an even 8,000/s, sampled peak 7,900: the average wins */
	s->peak_per_s = 7900;
	assert_int_equal(stat_stats__peak(s, 2.5, &sh), 8002);
	assert_false(sh);
	assert_string_equal(stat__rates(s, 2.5, buf, sizeof(buf)), "8002/s, peak 8002/s");
	/* a real burst stays */
	s->peak_per_s = 15000;
	assert_string_equal(stat__rates(s, 2.5, buf, sizeof(buf)), "8002/s, peak 15000/s");
	stat_stats__free(s);
}

/* "0% failed (mostly ENOENT)" of a storm where nothing failed. */
static void test_failed_phrase(void **state)
{
	struct fp_stat_stats *s = stat_stats__new(true);
	struct fp_stat_sys *y = stat_stats__sys(s, NR_LSTAT);
	char buf[128];

	y->calls = 42305;
	assert_string_equal(stat__failed(s, buf, sizeof(buf)), "");
	y->err[FP_STAT_ENOENT] = 3;
	assert_string_equal(stat__failed(s, buf, sizeof(buf)), ", 3 failed (<0.1%), all ENOENT");
	y->err[FP_STAT_ENOTDIR] = 200;
	assert_string_equal(stat__failed(s, buf, sizeof(buf)), ", 203 failed (0.5%), 200 of them ENOTDIR");
	y->err[FP_STAT_ENOENT] = 42000;
	assert_string_equal(stat__failed(s, buf, sizeof(buf)), ", 42200 failed (>99%), 42000 of them ENOENT");
	stat_stats__free(s);
}

static struct fp_proc *proc_with(uint64_t stat_calls, uint64_t other_calls)
{
	struct fp_proc *p = calloc(1, sizeof(*p));

	p->stat = stat_stats__new(true);
	stat_stats__sys(p->stat, NR_LSTAT)->calls = stat_calls;
	stat_stats__finish(p->stat);
	proc__sys(p, NR_LSTAT, true)->calls = stat_calls;
	proc__sys(p, NR_GETPPID, true)->calls = other_calls;
	return p;
}

static void free_proc(struct fp_proc *p)
{
	stat_stats__free(p->stat);
	free(p->sys);
	proc__clear_findings(p);
	free(p);
}

static void test_rule(void **state)
{
	struct fp_proc *p;

	/* fast: 30,000 in 2 s */
	p = proc_with(30000, 1000000);
	assert_int_equal(stat__storm_rule(p, 2.0), 0);
	assert_int_equal(p->nfindings, 1);
	assert_string_equal(p->findings[0].kind, "stat-storm");
	assert_non_null(strstr(p->findings[0].summary, "30000 stat-family calls"));
	assert_non_null(strstr(p->findings[0].detail, "fsmonitor"));
	/* nothing failed: no "0% failed (mostly ENOENT)" */
	assert_null(strstr(p->findings[0].summary, "failed"));
	assert_null(strstr(p->findings[0].summary, "ENOENT"));
	free_proc(p);
	/* slow but dominant: 5,000 over 100 s, more than everything else */
	p = proc_with(5000, 100);
	assert_int_equal(stat__storm_rule(p, 100.0), 0);
	assert_int_equal(p->nfindings, 1);
	free_proc(p);
	/* slow and a minority: no storm */
	p = proc_with(5000, 100000);
	assert_int_equal(stat__storm_rule(p, 100.0), 0);
	assert_int_equal(p->nfindings, 0);
	free_proc(p);
	/* a fast burst of a few calls is not a storm */
	p = proc_with(500, 10);
	assert_int_equal(stat__storm_rule(p, 0.01), 0);
	assert_int_equal(p->nfindings, 0);
	free_proc(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_dir),
		cmocka_unit_test(test_rollup_and_ratio),
		cmocka_unit_test(test_no_paths_ratio_unknown),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_subtree_rollup),
		cmocka_unit_test(test_subtree_chain_of_siblings),
		cmocka_unit_test(test_given_kept),
		cmocka_unit_test(test_peak_never_below_average),
		cmocka_unit_test(test_failed_phrase),
		cmocka_unit_test(test_rule),
	};

	return cmocka_run_group_tests_name("stat", tests, NULL, NULL);
}
