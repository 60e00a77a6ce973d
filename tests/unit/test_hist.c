/* Unit tests: histogram bucketing, percentiles, deltas (model/histogram). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "model/histogram.h"

/* Every value falls in the bucket whose bounds contain it. */
static void test_bucket_bounds_contain_value(void **state)
{
	uint64_t lo, hi;

	for (uint64_t v = 0; v < 100000; v += (v < 64 ? 1 : v / 7)) {
		unsigned int b = fp_hist_bucket(v);

		hist__bucket_bounds(b, &lo, &hi);
		assert_true(lo <= v);
		assert_true(v < hi);
	}
	for (int p = 2; p < FP_HIST_MAX_POW; p++) {
		uint64_t v = (1ULL << p) + 3;

		hist__bucket_bounds(fp_hist_bucket(v), &lo, &hi);
		assert_true(lo <= v && v < hi);
		/* at most 25% wide: the point of the linear sub-buckets */
		assert_true((hi - lo) * 4 <= lo);
	}
}

static void test_bucket_edges(void **state)
{
	assert_int_equal(fp_hist_bucket(0), 0);
	assert_int_equal(fp_hist_bucket(3), 3);
	assert_int_equal(fp_hist_bucket(4), 4);
	assert_int_equal(fp_hist_bucket(7), 7);
	assert_int_equal(fp_hist_bucket(8), 8);
	assert_int_equal(fp_hist_bucket(9), 8);
	assert_int_equal(fp_hist_bucket(10), 9);
	assert_int_equal(fp_hist_bucket(16), 12);
	assert_int_equal(fp_hist_bucket(~0ULL), FP_HIST_BUCKETS - 1);
}

static void test_bucket_of_roundtrip(void **state)
{
	uint64_t lo, hi;

	for (int i = 0; i < FP_HIST_BUCKETS; i++) {
		hist__bucket_bounds(i, &lo, &hi);
		assert_int_equal(hist__bucket_of(lo, hi), i);
	}
	assert_int_equal(hist__bucket_of(5, 9), -1);
}

/* Uniform 1..10000: percentiles within one bucket (25%) of the truth. */
static void test_percentiles_uniform(void **state)
{
	struct fp_hist h;

	memset(&h, 0, sizeof(h));
	for (uint64_t v = 1; v <= 10000; v++)
		hist__add(&h, v, 1);
	assert_int_equal(h.count, 10000);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, 10000);
	uint64_t p50 = hist__percentile(&h, 0.5), p99 = hist__percentile(&h, 0.99);

	assert_in_range(p50, 5000 * 0.8, 5000 * 1.25);
	assert_in_range(p99, 9900 * 0.8, 10000);
	assert_true(hist__percentile(&h, 0.9) <= p99);
	assert_true(p50 <= hist__percentile(&h, 0.9));
}

static void test_percentile_single_value_exact(void **state)
{
	struct fp_hist h;

	memset(&h, 0, sizeof(h));
	hist__add(&h, 1234, 500);
	/* clamped to min/max, so a constant is reported exactly */
	assert_int_equal(hist__percentile(&h, 0.5), 1234);
	assert_int_equal(hist__percentile(&h, 0.99), 1234);
	assert_int_equal(h.sum, 1234 * 500);
}

static void test_percentile_empty(void **state)
{
	struct fp_hist h;

	memset(&h, 0, sizeof(h));
	assert_int_equal(hist__percentile(&h, 0.5), 0);
	assert_true(hist__mean(&h) == 0.0);
}

static void test_delta_and_merge(void **state)
{
	struct fp_hist a, b, d, m;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&m, 0, sizeof(m));
	hist__add(&a, 100, 10);
	b = a;
	hist__add(&b, 5000, 3);
	hist__delta(&d, &b, &a);
	assert_int_equal(d.count, 3);
	assert_int_equal(d.sum, 15000);
	/* the interval held only 5000s: its percentiles stay in that bucket
	 * [4096, 5120) and under the cumulative max */
	assert_in_range(hist__percentile(&d, 0.5), 4096, 5000);
	assert_int_equal(d.max, 5000);
	hist__merge(&m, &a);
	hist__merge(&m, &d);
	assert_int_equal(m.count, b.count);
	assert_int_equal(m.min, 100);
	assert_int_equal(m.max, 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_bounds_contain_value),
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_bucket_of_roundtrip),
		cmocka_unit_test(test_percentiles_uniform),
		cmocka_unit_test(test_percentile_single_value_exact),
		cmocka_unit_test(test_percentile_empty),
		cmocka_unit_test(test_delta_and_merge),
	};

	return cmocka_run_group_tests_name("histogram", tests, NULL, NULL);
}
