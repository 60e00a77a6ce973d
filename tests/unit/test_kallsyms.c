/* Unit tests of util/kallsyms.c: a hand-made /proc/kallsyms (out of
 * order, data symbols, zero addresses, module names) and the machine's own
 * when it is readable with real addresses. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "util/kallsyms.h"

static const char *write_file(const char *text)
{
	static char path[] = "/tmp/fp_kallsyms_XXXXXX";
	int fd;

	strcpy(path, "/tmp/fp_kallsyms_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_code_symbols_by_address(void **state)
{
	const char *path = write_file(
		"ffffffff81000300 T vfs_read\n"
		"ffffffff81000100 t do_one\n"
		"ffffffff81000200 D some_data\n"
		"0000000000000000 T hidden\n"
		"ffffffffc0001000 t mod_fn\t[mymod]\n"
		"garbage line\n"
		"ffffffff81000200 W weak_fn\n");
	struct fp_kallsyms *K;

	assert_int_equal(kallsyms__load(&K, path), 0);
	unlink(path);
	assert_null(kallsyms__name(K, 0xffffffff81000000ULL));	/* below the first */
	assert_string_equal(kallsyms__name(K, 0xffffffff81000100ULL), "do_one");
	assert_string_equal(kallsyms__name(K, 0xffffffff810001ffULL), "do_one");
	/* the data symbol at 0x200 is not code: the weak function is */
	assert_string_equal(kallsyms__name(K, 0xffffffff81000250ULL), "weak_fn");
	assert_string_equal(kallsyms__name(K, 0xffffffff81000300ULL), "vfs_read");
	assert_string_equal(kallsyms__name(K, 0xffffffffc0001004ULL), "mod_fn");
	kallsyms__free(K);
}

static void test_missing_file(void **state)
{
	struct fp_kallsyms *K = NULL;

	assert_int_equal(kallsyms__load(&K, "/nonexistent/kallsyms"), -ENOENT);
	assert_null(kallsyms__name(NULL, 1));
}

/* The machine's own: vfs_read named at and inside its address. */
static void test_proc_kallsyms(void **state)
{
	char line[512], name[256], type;
	unsigned long long addr, at = 0;
	FILE *f = fopen("/proc/kallsyms", "r");
	struct fp_kallsyms *K;

	if (!f) {
		print_message("/proc/kallsyms unreadable: skipped\n");
		skip();
	}
	while (!at && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 && !strcmp(name, "vfs_read"))
			at = addr;
	fclose(f);
	if (!at) {
		print_message("no vfs_read address (not root, kptr_restrict): skipped\n");
		skip();
	}
	assert_int_equal(kallsyms__load(&K, NULL), 0);
	assert_string_equal(kallsyms__name(K, at), "vfs_read");
	assert_string_equal(kallsyms__name(K, at + 4), "vfs_read");
	kallsyms__free(K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_symbols_by_address),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_proc_kallsyms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
