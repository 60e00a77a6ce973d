/* Unit tests of util/gowait.c: Go's park reason names, read from real
 * binaries (Debian's Go 1.19, stripped or not; tsgo, Go 1.26; lefthook,
 * Go 1.27) and from hand-made hostile bytes. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "util/elfsym.h"
#include "util/gowait.h"

#define TSGO "build/npm/node_modules/@typescript/native-preview-linux-x64/lib/tsgo"
#define LEFTHOOK "build/npm/node_modules/lefthook-linux-x64/bin/lefthook"

struct want {
	const char *name;
	int index;
};

static void check_binary(const char *path, const struct want *w, size_t nw, unsigned int min_n)
{
	struct fp_elf *e;
	struct fp_gowait g;

	if (access(path, R_OK)) {
		print_message("%s missing (make workloads / make deps): skipped\n", path);
		skip();
	}
	assert_int_equal(elf__open(path, &e), 0);
	assert_int_equal(gowait__from_elf(e, &g), 0);
	elf__close(e);
	assert_true(g.n >= min_n);
	assert_string_equal(g.names[0], "");
	assert_string_equal(g.names[1], "GC assist marking");
	for (size_t i = 0; i < nw; i++) {
		if (gowait__index(&g, w[i].name) != w[i].index)
			print_message("%s: %s at %d, expected %d\n", path, w[i].name,
				      gowait__index(&g, w[i].name), w[i].index);
		assert_int_equal(gowait__index(&g, w[i].name), w[i].index);
	}
}

/* runtime2.go of Go 1.19: 27 entries, "debug call" the last. */
static const struct want go119[] = {
	{ "select", 9 }, { "chan receive", 14 }, { "chan send", 15 }, { "semacquire", 18 },
	{ "sleep", 19 }, { "sync.Cond.Wait", 20 }, { "IO wait", 2 }, { "debug call", 26 },
	{ "sync.Mutex.Lock", -1 },
};

static void test_go119(void **st)
{
	check_binary("build/workloads/go-backpressure", go119, sizeof(go119) / sizeof(go119[0]), 27);
}

static void test_go119_stripped(void **st)
{
	check_binary("build/workloads/go-allocgo-stripped", go119, sizeof(go119) / sizeof(go119[0]), 27);
}

/* Go 1.26 and 1.27 reordered: the reasons that count as "waiting for the
 * GC" first, then the rest; sync.Mutex.Lock since 1.21. */
static const struct want go126[] = {
	{ "semacquire", 13 }, { "sleep", 14 }, { "select", 18 }, { "chan receive", 19 },
	{ "chan send", 20 }, { "sync.Cond.Wait", 21 }, { "sync.Mutex.Lock", 22 },
	{ "sync.WaitGroup.Wait", 25 },
};

static void test_tsgo(void **st)
{
	check_binary(TSGO, go126, sizeof(go126) / sizeof(go126[0]), 40);
}

static void test_lefthook(void **st)
{
	check_binary(LEFTHOOK, go126, sizeof(go126) / sizeof(go126[0]), 40);
}

/* ---- hand-made images --------------------------------------------- */

#define RO_VADDR 0x400000ULL
#define DATA_VADDR 0x500000ULL

static uint8_t ro[256];

static int ro_read(void *ctx, uint64_t vaddr, void *buf, size_t n)
{
	if (vaddr < RO_VADDR || vaddr - RO_VADDR > sizeof(ro) || n > sizeof(ro) - (vaddr - RO_VADDR))
		return -EFAULT;
	memcpy(buf, ro + (vaddr - RO_VADDR), n);
	return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static size_t put_str(uint8_t *data, size_t at, uint64_t ptr, uint64_t len)
{
	put64(data + at, ptr);
	put64(data + at + 8, len);
	return at + 16;
}

/* A table of 9 names in rodata: "GC assist marking" then 8 more. */
static size_t build(uint8_t *data, size_t len, size_t at)
{
	static const char *names[] = { "GC assist marking", "IO wait", "a", "b", "c", "d", "e", "chan send", "sleep" };
	size_t ro_at = 0;

	memset(data, 0xee, len);
	memset(ro, 0, sizeof(ro));
	at = put_str(data, at, 0, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);

		memcpy(ro + ro_at, names[i], n);
		at = put_str(data, at, RO_VADDR + ro_at, n);
		ro_at += n;
	}
	put_str(data, at, 0, 0);	/* what follows the table */
	return at;
}

static void test_scan(void **st)
{
	uint8_t data[512];
	struct fp_gowait g;

	build(data, sizeof(data), 40);
	assert_int_equal(gowait__scan(data, sizeof(data), DATA_VADDR, RO_VADDR, ro_read, NULL, &g), 0);
	assert_int_equal(g.n, 10);
	assert_int_equal(g.table_vaddr, DATA_VADDR + 40);
	assert_int_equal(gowait__index(&g, "chan send"), 8);
	assert_int_equal(gowait__index(&g, "sleep"), 9);
	assert_int_equal(gowait__index(&g, "nope"), -1);
	/* another anchor address: no table */
	assert_int_equal(gowait__scan(data, sizeof(data), DATA_VADDR, RO_VADDR + 1, ro_read, NULL, &g), -ENOENT);
	assert_int_equal(g.n, 0);
}

/* The table cut by the end of the section: the names read stop there,
 * no byte past it is read. */
static void test_scan_truncated(void **st)
{
	uint8_t data[512];
	struct fp_gowait g;

	build(data, sizeof(data), 40);
	assert_int_equal(gowait__scan(data, 40 + 16 * 9, DATA_VADDR, RO_VADDR, ro_read, NULL, &g), 0);
	assert_int_equal(g.n, 9);
	assert_int_equal(gowait__index(&g, "sleep"), -1);
	/* so short that only a stray match is left: refused */
	assert_int_equal(gowait__scan(data, 40 + 16 * 4, DATA_VADDR, RO_VADDR, ro_read, NULL, &g), -ENOENT);
}

/* Hostile entries: a control byte, a huge length, a pointer outside the
 * image end the table there; never a crash, never a name with a control. */
static void test_scan_hostile(void **st)
{
	uint8_t data[512];
	struct fp_gowait g;

	build(data, sizeof(data), 40);
	ro[17 + 7 + 2] = '\x1b';	/* in "c" */
	assert_int_equal(gowait__scan(data, sizeof(data), DATA_VADDR, RO_VADDR, ro_read, NULL, &g), -ENOENT);
	build(data, sizeof(data), 40);
	put64(data + 40 + 16 * 8 + 8, 1ULL << 62);	/* "chan send"'s length */
	assert_int_equal(gowait__scan(data, sizeof(data), DATA_VADDR, RO_VADDR, ro_read, NULL, &g), 0);
	assert_int_equal(g.n, 8);
	build(data, sizeof(data), 40);
	put64(data + 40 + 16 * 8, 0xdeadbeef);	/* its pointer */
	assert_int_equal(gowait__scan(data, sizeof(data), DATA_VADDR, RO_VADDR, ro_read, NULL, &g), 0);
	assert_int_equal(g.n, 8);
	for (unsigned int i = 0; i < g.n; i++)
		for (const char *c = g.names[i]; *c; c++)
			assert_true(*c >= 0x20 && *c < 0x7f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go119),
		cmocka_unit_test(test_go119_stripped),
		cmocka_unit_test(test_tsgo),
		cmocka_unit_test(test_lefthook),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_truncated),
		cmocka_unit_test(test_scan_hostile),
	};

	return cmocka_run_group_tests_name("gowait", tests, NULL, NULL);
}
