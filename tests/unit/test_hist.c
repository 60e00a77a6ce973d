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

static void test_pow2_rows(void **state)
{
	struct fp_hist h = {};
	struct fp_hist_row r[4];
	size_t n;
	uint64_t sum = 0;

	hist__add(&h, 300, 10);		/* [256, 512) */
	hist__add(&h, 3000, 5);		/* [2048, 4096) */
	n = hist__pow2_rows(&h, r, 8 > 4 ? 4 : 8);
	assert_int_equal(n, 4);		/* 256, 512, 1024, 2048: gaps kept */
	assert_int_equal(r[0].lo, 256);
	assert_int_equal(r[0].hi, 512);
	assert_int_equal(r[0].count, 10);
	assert_int_equal(r[1].count, 0);
	assert_int_equal(r[3].lo, 2048);
	assert_int_equal(r[3].count, 5);
	/* too many rows for max: the top ones merge into the last */
	n = hist__pow2_rows(&h, r, 2);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].hi, 4096);
	for (size_t i = 0; i < n; i++)
		sum += r[i].count;
	assert_int_equal(sum, 15);
	assert_int_equal(hist__pow2_rows(&(struct fp_hist){}, r, 4), 0);
}

static void test_span_and_count_below(void **state)
{
	struct fp_hist h = {};
	int first, last;

	assert_false(hist__span(&h, &first, &last));
	assert_int_equal(first, -1);
	hist__add(&h, 3, 2);
	hist__add(&h, 100, 7);		/* [96, 112) */
	hist__add(&h, 1000, 1);
	assert_true(hist__span(&h, &first, &last));
	assert_int_equal(first, 3);
	assert_int_equal(last, fp_hist_bucket(1000));
	assert_int_equal(hist__count_below(&h, 4), 2);
	assert_int_equal(hist__count_below(&h, 64), 2);
	assert_int_equal(hist__count_below(&h, 128), 9);
	assert_int_equal(hist__count_below(&h, 1024), 10);
	assert_int_equal(hist__count_below(&h, 1ULL << 40), 10);
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
		cmocka_unit_test(test_pow2_rows),
		cmocka_unit_test(test_span_and_count_below),
	};

	return cmocka_run_group_tests_name("histogram", tests, NULL, NULL);
}
