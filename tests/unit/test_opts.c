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
#include "stderr_capture.h"
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

/* Parses argv for cmd with stderr caught into err; returns opts__parse's. */
static int parse_caught(const char *cmd, int argc, char **argv, char *err, size_t len)
{
	struct fp_opts o;
	int rc;

	capture_begin();
	rc = opts__parse(&o, cmd, argc, argv);
	capture_end(err, len);
	return rc;
}

/* Each tracing command takes its own options and names the others. */
static void test_per_command(void **state)
{
	static const struct { const char *cmd; const char *args[4]; const char *named; } cases[] = {
		{ "record", { "--listen", "x" }, "--listen does not apply to record; serve takes it" },
		{ "record", { "--pid-label" }, "--pid-label does not apply to record" },
		{ "record", { "-i", "2s" }, "-i/--interval does not apply to record; top and serve take it" },
		{ "record", { "-b" }, "-b/--batch does not apply to record; top takes it" },
		{ "record", { "--json" }, "--json does not apply to record" },
		{ "record", { "-n", "3" }, "-n/--iterations does not apply to record" },
		{ "record", { "--format", "html" }, "--format does not apply to record; report and diff take it" },
		{ "top", { "-o", "f.json" }, "-o/--output does not apply to top; record takes it" },
		{ "top", { "--output=f.json" }, "-o/--output does not apply to top" },
		{ "top", { "--stacks", "--folded", "f" }, "--folded does not apply to top" },
		{ "top", { "--listen", ":1" }, "--listen does not apply to top" },
		{ "serve", { "-o", "f" }, "-o/--output does not apply to serve" },
		{ "serve", { "--json" }, "--json does not apply to serve; top takes it" },
		{ "serve", { "-b" }, "-b/--batch does not apply to serve" },
		{ "serve", { "-n", "2" }, "-n/--iterations does not apply to serve" },
	};
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[6] = { (char *)cases[i].cmd };
		int argc = 1;

		for (int k = 0; k < 4 && cases[i].args[k]; k++)
			argv[argc++] = (char *)cases[i].args[k];
		assert_int_equal(parse_caught(cases[i].cmd, argc, argv, err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].named) || strchr(err, '\n') != strrchr(err, '\n'))
			fail_msg("%s %s: got '%s', want one line with '%s'", cases[i].cmd, cases[i].args[0],
				 err, cases[i].named);
		/* One line, starting with the command that refused it. */
		assert_non_null(strstr(err, cases[i].cmd));
	}
}

/* What each command does take still parses. */
static void test_per_command_accepts(void **state)
{
	char *r[] = { "record", "-d", "1s", "-o", "x.json", "--alloc=exact", "--stacks", "--folded", "f",
		      "--no-io", NULL };
	char *t[] = { "top", "-i", "500ms", "-b", "-n", "3", "--json", "--stacks", "-d", "2s", NULL };
	char *v[] = { "serve", "--listen", ":9999", "--pid-label", "-i", "2s", "-d", "5", "--stacks", NULL };
	char err[512];
	struct fp_opts o;

	assert_int_equal(parse_caught("record", ARGC(r), r, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(opts__parse(&o, "top", ARGC(t), t), 0);
	assert_true(o.batch && o.json && o.count == 3 && o.interval_s == 0.5);
	assert_int_equal(opts__parse(&o, "serve", ARGC(v), v), 0);
	assert_string_equal(o.listen, ":9999");
	assert_true(o.show_pid_label && o.interval_s == 2 && o.duration_s == 5);
	assert_int_equal(opts__parse(&o, "record", ARGC(r), r), 0);
	assert_string_equal(o.output, "x.json");
	assert_string_equal(o.folded, "f");
}

static void usage_of(const char *cmd, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	size_t n;

	assert_non_null(f);
	opts__usage(f, cmd);
	n = ftell(f);
	fclose(f);
	buf[n < len ? n : len - 1] = 0;
}

/* Help lists what the command takes, and only that. */
static void test_usage_per_command(void **state)
{
	char buf[8192];

	usage_of("top", buf, sizeof(buf));
	assert_non_null(strstr(buf, "--json"));
	assert_non_null(strstr(buf, "--iterations"));
	assert_null(strstr(buf, "--output"));
	assert_null(strstr(buf, "--folded"));
	assert_null(strstr(buf, "--listen"));
	usage_of("record", buf, sizeof(buf));
	assert_non_null(strstr(buf, "--output"));
	assert_non_null(strstr(buf, "--folded"));
	assert_null(strstr(buf, "--interval"));
	assert_null(strstr(buf, "--pid-label"));
	usage_of("serve", buf, sizeof(buf));
	assert_non_null(strstr(buf, "--listen"));
	assert_null(strstr(buf, "--batch"));
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
		cmocka_unit_test(test_per_command),
		cmocka_unit_test(test_per_command_accepts),
		cmocka_unit_test(test_usage_per_command),
		cmocka_unit_test(test_syscall_names),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
