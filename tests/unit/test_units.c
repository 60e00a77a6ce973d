/* Unit tests: views/units.c, the one home of fastpath's quantity formats
 * (the record table, the reports, top's 5-character cells, axis labels). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "views/units.h"

static char buf[64];

static void test_num(void **state)
{
	assert_string_equal(units__num5(0, buf, sizeof(buf)), "0");
	assert_string_equal(units__num5(NAN, buf, sizeof(buf)), "-");
	assert_string_equal(units__num5(-1, buf, sizeof(buf)), "-");
	assert_string_equal(units__num5(0.5, buf, sizeof(buf)), "0.50");
	assert_string_equal(units__num5(9.994, buf, sizeof(buf)), "9.99");
	assert_string_equal(units__num5(9.996, buf, sizeof(buf)), "10.0");
	assert_string_equal(units__num5(12.34, buf, sizeof(buf)), "12.3");
	assert_string_equal(units__num5(99999, buf, sizeof(buf)), "99999");
	assert_string_equal(units__num5(123456, buf, sizeof(buf)), "123k");
	assert_string_equal(units__num5(1234567, buf, sizeof(buf)), "1.23M");
	assert_string_equal(units__num5(12345678, buf, sizeof(buf)), "12.3M");
	assert_string_equal(units__num5(5e9, buf, sizeof(buf)), "5.00G");
	/* never wider than 5 */
	for (double v = 0.001; v < 1e13; v *= 1.37)
		assert_true(strlen(units__num5(v, buf, sizeof(buf))) <= 5);
}

static void test_ns(void **state)
{
	assert_string_equal(units__ns5(850, buf, sizeof(buf)), "850ns");
	assert_string_equal(units__ns5(1500, buf, sizeof(buf)), "1.5us");
	assert_string_equal(units__ns5(120000, buf, sizeof(buf)), "120us");
	assert_string_equal(units__ns5(1.2e6, buf, sizeof(buf)), "1.2ms");
	assert_string_equal(units__ns5(3.4e9, buf, sizeof(buf)), "3.4s");
	assert_string_equal(units__ns5(NAN, buf, sizeof(buf)), "-");
	for (double v = 1; v < 1e13; v *= 1.37)
		assert_true(strlen(units__ns5(v, buf, sizeof(buf))) <= 5);
}

static void test_bytes(void **state)
{
	assert_string_equal(units__bytes(512, buf, sizeof(buf)), "512 B");
	assert_string_equal(units__bytes(1536, buf, sizeof(buf)), "1.50 KiB");
	assert_string_equal(units__bytes((1ULL << 20) - 1, buf, sizeof(buf)), "1024.00 KiB");
	assert_string_equal(units__bytes(3ULL << 30, buf, sizeof(buf)), "3.00 GiB");
	assert_string_equal(units__bytes(5ULL << 40, buf, sizeof(buf)), "5120.00 GiB");	/* GiB at most */
	assert_string_equal(units__bytes1(1023, buf, sizeof(buf)), "1023 B");
	assert_string_equal(units__bytes1(16ULL << 20, buf, sizeof(buf)), "16.0 MiB");
	assert_string_equal(units__bytes1(5ULL << 40, buf, sizeof(buf)), "5.0 TiB");
	assert_string_equal(units__bytes3g(512, buf, sizeof(buf)), "512 B");
	assert_string_equal(units__bytes3g(786432, buf, sizeof(buf)), "768 KiB");
	assert_string_equal(units__bytes3g(1.5 * 1073741824.0, buf, sizeof(buf)), "1.5 GiB");
}

static void test_dur_and_val(void **state)
{
	assert_string_equal(units__dur(850, buf, sizeof(buf)), "850 ns");
	assert_string_equal(units__dur(456000, buf, sizeof(buf)), "456.00 us");
	assert_string_equal(units__dur(2500000, buf, sizeof(buf)), "2.50 ms");
	assert_string_equal(units__dur(1230000000, buf, sizeof(buf)), "1.23 s");
	assert_string_equal(units__val(4096, "bytes", buf, sizeof(buf)), "4.00 KiB");
	assert_string_equal(units__val(1500, "ns", buf, sizeof(buf)), "1.50 us");
	assert_string_equal(units__val3g(1500, "ns", buf, sizeof(buf)), "1.50 us");
	assert_string_equal(units__val3g(2048, "bytes", buf, sizeof(buf)), "2 KiB");
}

static void test_mib_and_axis(void **state)
{
	assert_string_equal(units__mib5(3 * 1048576.0, buf, sizeof(buf)), "3.00");
	assert_string_equal(units__mib5(NAN, buf, sizeof(buf)), "-");
	assert_string_equal(units__axis(32768, "bytes", buf, sizeof(buf)), "32KiB");
	assert_string_equal(units__axis(1000, "bytes", buf, sizeof(buf)), "1000B");
	assert_string_equal(units__axis(1ULL << 20, "bytes", buf, sizeof(buf)), "1MiB");
	assert_string_equal(units__axis(UINT64_MAX, "bytes", buf, sizeof(buf)), "inf");
	assert_string_equal(units__axis(5, "calls", buf, sizeof(buf)), "5");
	assert_string_equal(units__axis(2048, "ns", buf, sizeof(buf)), "2.0us");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_ns),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_dur_and_val),
		cmocka_unit_test(test_mib_and_axis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
