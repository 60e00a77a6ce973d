/* Unit tests: option parsing and syscall naming. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cli/opts.h"
#include "model/syscalls.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])) - 1)

static void test_duration(void **state)
{
	assert_true(opts__parse_duration("10") == 10);
	assert_true(opts__parse_duration("10s") == 10);
	assert_true(opts__parse_duration("500ms") == 0.5);
	assert_true(opts__parse_duration("2m") == 120);
	assert_true(opts__parse_duration("1h") == 3600);
	assert_true(opts__parse_duration("x") < 0);
	assert_true(opts__parse_duration("10q") < 0);
	assert_true(opts__parse_duration("") < 0);
	assert_true(opts__parse_duration("-1") < 0);
}

static void test_pids(void **state)
{
	int pids[4], n = 0;

	assert_int_equal(opts__parse_pids("1,22,333", pids, &n, 4), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[2], 333);
	n = 0;
	assert_int_equal(opts__parse_pids("1,,2", pids, &n, 4), -EINVAL);
	n = 0;
	assert_int_equal(opts__parse_pids("12a", pids, &n, 4), -EINVAL);
	n = 0;
	assert_int_equal(opts__parse_pids("1,", pids, &n, 4), -EINVAL);
	n = 0;
	assert_int_equal(opts__parse_pids("0", pids, &n, 4), -EINVAL);
	n = 0;
	assert_int_equal(opts__parse_pids("1,2,3,4,5", pids, &n, 4), -E2BIG);
}

static void test_command_target(void **state)
{
	char **argv = ARGV("record", "-d", "5", "-o", "x.json", "--", "ls", "-l");
	struct fp_opts o;

	assert_int_equal(opts__parse(&o, "record", 8, argv), 0);
	assert_non_null(o.command);
	assert_string_equal(o.command[0], "ls");
	assert_string_equal(o.command[1], "-l");
	assert_true(o.duration_s == 5);
	assert_string_equal(o.output, "x.json");
	assert_int_equal(o.probe.cfg.follow, 1);	/* like strace -f */
	assert_false(o.all);
	assert_true(o.probe.sys);
}

static void test_default_all_and_pid(void **state)
{
	char **a1 = ARGV("record");
	char **a2 = ARGV("record", "-p", "12,13", "--follow");
	struct fp_opts o;

	assert_int_equal(opts__parse(&o, "record", 1, a1), 0);
	assert_true(o.all);
	assert_int_equal(o.probe.cfg.all, 1);
	assert_int_equal(opts__parse(&o, "record", 4, a2), 0);
	assert_int_equal(o.npids, 2);
	assert_int_equal(o.pids[1], 13);
	assert_false(o.all);
	assert_int_equal(o.probe.cfg.follow, 1);
}

static void test_comm(void **state)
{
	char **a = ARGV("top", "-c", "nginx");
	char **b = ARGV("top", "-c", "a-name-that-is-too-long");
	struct fp_opts o;

	assert_int_equal(opts__parse(&o, "top", 3, a), 0);
	assert_int_equal(o.probe.cfg.by_comm, 1);
	assert_string_equal(o.probe.cfg.comm, "nginx");
	assert_int_equal(opts__parse(&o, "top", 3, b), -EINVAL);
}

static void test_rejects(void **state)
{
	char **a = ARGV("record", "--bogus");
	char **b = ARGV("record", "-p", "1", "-c", "x");
	char **c = ARGV("record", "ls");
	char **d = ARGV("record", "-d");
	char **e = ARGV("record", "-d", "soon");
	struct fp_opts o;

	assert_int_equal(opts__parse(&o, "record", 2, a), -EINVAL);
	assert_int_equal(opts__parse(&o, "record", 5, b), -EINVAL);
	assert_int_equal(opts__parse(&o, "record", 2, c), -EINVAL);
	assert_int_equal(opts__parse(&o, "record", 2, d), -EINVAL);
	assert_int_equal(opts__parse(&o, "record", 3, e), -EINVAL);
}

static void test_syscall_names(void **state)
{
	assert_string_equal(syscall__name(0), "read");
	assert_string_equal(syscall__name(39), "getpid");
	assert_string_equal(syscall__name(110), "getppid");
	assert_string_equal(syscall__name(257), "openat");
	assert_string_equal(syscall__name(262), "newfstatat");
	assert_string_equal(syscall__name(17), "pread64");
	assert_string_equal(syscall__name(9999), "syscall_9999");
	assert_int_equal(syscall__nr("getppid"), 110);
	assert_int_equal(syscall__nr("syscall_9999"), 9999);
	assert_int_equal(syscall__nr("nonsense"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_pids),
		cmocka_unit_test(test_command_target),
		cmocka_unit_test(test_default_all_and_pid),
		cmocka_unit_test(test_comm),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_syscall_names),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
