/* Unit tests of util/gobuild.c: the Go build info a binary carries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "util/gobuild.h"

static size_t put_uvarint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static void test_buildinfo_inline(void **st)
{
	uint8_t sec[256] = "\xff Go buildinf:";
	char ver[32], mod[200];
	size_t n = 32;
	int ma, mi;

	sec[14] = 8;
	sec[15] = 2;	/* inline strings (Go 1.18+) */
	n += put_uvarint(sec + n, 8);
	memcpy(sec + n, "go1.19.8", 8);
	n += 8;
	memset(mod, 'm', sizeof(mod));	/* a module string over 127 bytes: 2-byte varint */
	n += put_uvarint(sec + n, 150);
	memcpy(sec + n, mod, 150 > sizeof(sec) - n ? sizeof(sec) - n : 150);
	assert_int_equal(gobuild__parse(sec, sizeof(sec), ver, sizeof(ver)), 0);
	assert_string_equal(ver, "go1.19.8");
	assert_int_equal(gobuild__split(ver, &ma, &mi), 0);
	assert_int_equal(ma, 1);
	assert_int_equal(mi, 19);
	assert_true(gobuild__at_least(ver, 1, 17));
	assert_false(gobuild__at_least(ver, 1, 23));
	assert_true(gobuild__at_least("go1.21rc2", 1, 21));
	assert_false(gobuild__at_least("devel", 1, 0));
	/* pre-1.18 layout: pointers, not parsed here */
	sec[15] = 0;
	assert_int_equal(gobuild__parse(sec, sizeof(sec), ver, sizeof(ver)), -EOPNOTSUPP);
	/* not build info */
	sec[0] = 0;
	assert_int_equal(gobuild__parse(sec, sizeof(sec), ver, sizeof(ver)), -ENOENT);
	/* truncated */
	assert_int_equal(gobuild__parse(sec, 16, ver, sizeof(ver)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buildinfo_inline),
	};

	return cmocka_run_group_tests_name("gobuild", tests, NULL, NULL);
}
