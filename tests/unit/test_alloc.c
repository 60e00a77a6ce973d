/* Unit tests of the allocator section: pprof scaling, folded stacks, JSON
 * both ways, deltas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/alloc.h"
#include "views/report.h"
#include "views/json.h"

static void test_pprof_scale(void **st)
{
	double c, b;

	/* one 512 KiB sample at rate 512 KiB: 1/(1-e^-1) = 1.58198 */
	alloc__pprof_scale(1, 524288, 524288, &c, &b);
	assert_true(fabs(c - 1.0 / (1.0 - exp(-1.0))) < 1e-9);
	assert_true(fabs(b - 524288 * c) < 1e-6);
	/* small objects: each sample stands for ~rate/size allocations */
	alloc__pprof_scale(10, 10 * 64, 524288, &c, &b);
	assert_true(fabs(c - 10 / (1.0 - exp(-64.0 / 524288))) < 1e-6);
	assert_true(fabs(b / 524288.0 - 10.0) < 0.01);	/* ~ rate bytes per sample */
	/* rate 1: every allocation is recorded, nothing to scale */
	alloc__pprof_scale(7, 700, 1, &c, &b);
	assert_true(c == 7 && b == 700);
	alloc__pprof_scale(0, 0, 524288, &c, &b);
	assert_true(c == 0 && b == 0);
}

/* The stated variance against the spread of the estimate itself: 400
 * simulated runs of 20,000 allocations of 48 bytes, each sampled with
 * p = 1 - exp(-48/4096) as the runtime does; the estimates' variance over
 * the runs and the mean of the stated variances agree within 20% (the
 * variance of a variance from 400 runs is ~7%, 1 s.d.). */
static void test_pprof_var(void **st)
{
	const int runs = 400, n = 20000, size = 48, rate = 4096;
	double p = 1.0 - exp(-(double)size / rate), sum = 0, sum2 = 0, stated = 0;
	unsigned int seed = 12345;

	for (int r = 0; r < runs; r++) {
		uint64_t k = 0;
		double c, b, cv, bv;

		for (int i = 0; i < n; i++)
			k += (rand_r(&seed) / ((double)RAND_MAX + 1.0)) < p;
		alloc__pprof_scale(k, k * size, rate, &c, &b);
		alloc__pprof_var(k, k * size, rate, &cv, &bv);
		assert_true(fabs(bv - cv * size * size) < 1e-6 * bv + 1e-9);
		sum += c;
		sum2 += c * c;
		stated += cv;
	}
	double mean = sum / runs, var = sum2 / runs - mean * mean;

	assert_true(fabs(mean - n) < 0.01 * n);		/* unbiased */
	assert_true(fabs(var / (stated / runs) - 1.0) < 0.2);
	/* nothing sampled, or rate 1 (all recorded): no error */
	double cv, bv;
	alloc__pprof_var(0, 0, rate, &cv, &bv);
	assert_true(cv == 0 && bv == 0);
	alloc__pprof_var(7, 700, 1, &cv, &bv);
	assert_true(cv == 0 && bv == 0);
}

static struct fp_snapshot *sample_snapshot(void)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = snapshot__proc(s, 42, true);
	const char *a[] = { "__libc_malloc malloc.c:3281", "churn allocloop.c:28", "main allocloop.c:72" };
	const char *b[] = { "runtime.mallocgc malloc.go:842", "main.f;g main.go:9" };

	strcpy(p->comm, "w");
	p->alloc = alloc_stats__new();
	p->alloc->libc = true;
	p->alloc->fn[0] = (struct fp_alloc_count){ 100, 6400 };
	p->alloc->fn[FP_ALLOC_FREE] = (struct fp_alloc_count){ 99, 0 };
	p->alloc->go = (struct fp_alloc_go){ .mode = FP_GO_SAMPLED, .version = "go1.19.8", .calls = 5,
					     .bytes = 500, .estimated = true, .complete = true,
					     .rate = 524288, .samples = 2, .calls_var = 9, .bytes_var = 10000 };
	hist__add(&p->alloc->size, 64, 100);
	assert_int_equal(alloc_stats__add_site(p->alloc, a, 3, 90, 5760), 0);
	assert_int_equal(alloc_stats__add_site(p->alloc, b, 2, 5, 500), 0);
	assert_int_equal(alloc_stats__add_site(p->alloc, a, 3, 10, 640), 0);	/* merges */
	assert_int_equal(alloc_stats__add_note(p->alloc, "n1"), 0);
	assert_int_equal(alloc_stats__add_note(p->alloc, "n2"), 0);
	alloc_stats__sort_sites(p->alloc);
	return s;
}

static void test_folded(void **st)
{
	struct fp_snapshot *s = sample_snapshot();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(folded__write_sites(f, s, false), 0);
	assert_int_equal(folded__write_sites(f, s, true), 0);
	fclose(f);
	assert_string_equal(buf,
		"w;main;churn;__libc_malloc 100\n"
		"w;main.f:g;runtime.mallocgc 5\n"
		"w;main;churn;__libc_malloc 6400\n"
		"w;main.f:g;runtime.mallocgc 500\n");
	assert_string_equal(s->procs[0].alloc->notes, "n1; n2");
	assert_int_equal(alloc_stats__calls(s->procs[0].alloc), 105);	/* frees are not allocations */
	free(buf);
	snapshot__free(s);
}

static void test_json_roundtrip(void **st)
{
	struct fp_snapshot *s = sample_snapshot();
	const struct fp_alloc_stats *a = s->procs[0].alloc;
	struct fp_alloc_stats *b = NULL;
	json_t *j = json_alloc__from(a, 1.0);
	char err[256] = "";

	assert_int_equal(json_alloc__parse(j, &b, err, sizeof(err)), 0);
	assert_true(b->libc);
	assert_int_equal(b->fn[0].calls, 100);
	assert_int_equal(b->fn[0].bytes, 6400);
	assert_int_equal(b->fn[FP_ALLOC_FREE].calls, 99);
	assert_int_equal(b->go.mode, FP_GO_SAMPLED);
	assert_string_equal(b->go.version, "go1.19.8");
	assert_int_equal(b->go.rate, 524288);
	assert_int_equal(b->go.samples, 2);
	assert_true(b->go.calls_var == 9 && b->go.bytes_var == 10000);	/* as calls_error 3, bytes_error 100 */
	assert_true(b->go.estimated);
	assert_int_equal(b->size.count, 100);
	assert_int_equal(b->nsites, 2);
	assert_int_equal(b->sites[0].calls, 100);
	assert_string_equal(b->sites[0].frames[1], "churn allocloop.c:28");
	assert_string_equal(b->notes, "n1; n2");
	json_decref(j);
	alloc_stats__free(b);
	/* exact Go: the entry points probed and the size-specialised share */
	{
		struct fp_alloc_stats *x = alloc_stats__new();

		x->go.mode = FP_GO_EXACT;
		x->go.calls = 1000;
		x->go.sc_calls = 600;
		snprintf(x->go.entries, sizeof(x->go.entries), "runtime.mallocgc + 1 size-specialised allocator: TinySC2 (1-15 B)");
		j = json_alloc__from(x, 1.0);
		assert_int_equal(json_alloc__parse(j, &b, err, sizeof(err)), 0);
		assert_int_equal(b->go.sc_calls, 600);
		assert_string_equal(b->go.entries, x->go.entries);
		json_decref(j);
		alloc_stats__free(b);
		alloc_stats__free(x);
	}
	/* errors name the field */
	j = json_pack("{s:{s:s}}", "go", "mode", "fast");
	assert_int_equal(json_alloc__parse(j, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "go.mode"));
	json_decref(j);
	snapshot__free(s);
}

static void test_delta(void **st)
{
	struct fp_snapshot *s = sample_snapshot();
	const struct fp_alloc_stats *cur = s->procs[0].alloc;
	struct fp_alloc_stats *prev = alloc_stats__clone(cur), *d;
	const char *a[] = { "__libc_malloc malloc.c:3281", "churn allocloop.c:28", "main allocloop.c:72" };

	/* prev: everything but 30 calls at site a and the Go site */
	prev->fn[0].calls -= 30;
	prev->sites[0].calls -= 30;
	prev->nsites = 1;
	prev->go.calls = 5;
	d = alloc_stats__delta(cur, prev);
	assert_int_equal(d->fn[0].calls, 30);
	assert_int_equal(d->go.calls, 0);
	assert_int_equal(d->nsites, 2);
	assert_int_equal(d->sites[0].calls, 30);
	assert_int_equal(d->sites[0].nframes, 3);
	assert_string_equal(d->sites[0].frames[2], a[2]);
	assert_int_equal(d->sites[1].calls, 5);	/* new since prev */
	prev->nsites = 2;
	alloc_stats__free(prev);
	alloc_stats__free(d);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pprof_scale),
		cmocka_unit_test(test_pprof_var),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_delta),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
