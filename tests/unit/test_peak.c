/* Unit tests: the one-second peak rate from sparse cumulative counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "model/peak.h"

#define MS 1000000ULL

static void test_steady_rate(void **state)
{
	struct fp_peak p;

	peak__init(&p, 0);
	/* 1000 events a second, observed every 200 ms for 5 s */
	for (uint64_t t = 200; t <= 5000; t += 200)
		peak__observe(&p, t * MS, t);
	assert_int_equal(p.peak, 1000);
}

static void test_burst(void **state)
{
	struct fp_peak p;

	peak__init(&p, 0);
	for (uint64_t t = 200; t <= 2000; t += 200)
		peak__observe(&p, t * MS, 0);
	peak__observe(&p, 2200 * MS, 5000);	/* 5000 in 200 ms */
	for (uint64_t t = 2400; t <= 5000; t += 200)
		peak__observe(&p, t * MS, 5000);
	assert_int_equal(p.peak, 5000);
}

static void test_sparse_never_overstates(void **state)
{
	struct fp_peak p;

	peak__init(&p, 0);
	/* observed every 3 s, 3000 events each time: 1000/s on average */
	for (uint64_t t = 3000; t <= 12000; t += 3000)
		peak__observe(&p, t * MS, t);
	assert_int_equal(p.peak, 1000);
}

static void test_young_process(void **state)
{
	struct fp_peak p;

	peak__init(&p, 1000 * MS);
	/* 300 events in its first 400 ms: all of them in one second */
	assert_int_equal(peak__observe(&p, 1200 * MS, 100), 100);
	assert_int_equal(peak__observe(&p, 1400 * MS, 300), 300);
}

static void test_ring_wraps(void **state)
{
	struct fp_peak p;

	peak__init(&p, 0);
	/* far more observations than the ring holds: still 100 a second */
	for (uint64_t t = 50; t <= 20000; t += 50)
		peak__observe(&p, t * MS, t / 10);
	assert_in_range(p.peak, 95, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_rate),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_sparse_never_overstates),
		cmocka_unit_test(test_young_process),
		cmocka_unit_test(test_ring_wraps),
	};

	return cmocka_run_group_tests_name("peak", tests, NULL, NULL);
}
