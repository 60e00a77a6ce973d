/* Unit tests of util/procfs.c: the maps parser and PATH search on made-up
 * input, the /proc readers on this test process itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "util/procfs.h"

static const char maps[] =
	"7f0000000000-7f0000001000 rw-p 00000000 00:00 0 \n"
	"555555554000-555555556000 r--p 00000000 fd:00 12 /usr/bin/prog\n"
	"555555556000-555555558000 r-xp 00002000 fd:00 12 /usr/bin/prog\n"
	"7f1000000000-7f1000028000 r--p 00000000 fd:00 34 /usr/lib/libc.so.6\n"
	"7f2000000000-7f2000001000 r--p 00000000 fd:00 56 /usr/bin/prog2";

static void test_maps_start(void **st)
{
	/* An anonymous line before the binary's is not the binary's. */
	assert_int_equal(procfs__maps_start(maps, "/usr/bin/prog"), 0x555555554000ULL);
	assert_int_equal(procfs__maps_start(maps, "/usr/lib/libc.so.6"), 0x7f1000000000ULL);
	/* A whole path, not a prefix of a longer one; the last line has no '\n'. */
	assert_int_equal(procfs__maps_start(maps, "/usr/bin/prog2"), 0x7f2000000000ULL);
	assert_int_equal(procfs__maps_start(maps, "/usr/bin/pro"), 0);
	assert_int_equal(procfs__maps_start(maps, "/usr/lib/missing.so"), 0);
	assert_int_equal(procfs__maps_start("", "/usr/bin/prog"), 0);
}

static void test_self(void **st)
{
	char buf[PATH_MAX], path[64], *m;
	uint64_t word = 0x1122334455667788ULL, got = 0;

	assert_int_equal(procfs__comm(getpid(), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "test_procfs");
	assert_int_equal(procfs__exe(getpid(), buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "/test_procfs"));
	/* The binary is mapped at offset 0 somewhere in our own maps. */
	m = procfs__maps(getpid());
	assert_non_null(m);
	assert_true(procfs__maps_start(m, buf) != 0);
	free(m);
	assert_int_equal(procfs__read_mem(getpid(), (uintptr_t)&word, &got, sizeof(got)), 0);
	assert_true(got == word);
	assert_int_equal(procfs__path(path, sizeof(path), 42, "exe"), 0);
	assert_string_equal(path, "/proc/42/exe");
	assert_int_equal(procfs__root(42, "/lib/libc.so.6", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/42/root/lib/libc.so.6");
	assert_true(procfs__pid_max() >= (unsigned int)getpid());
}

static void test_gone(void **st)
{
	char buf[64] = "x";
	uint64_t v;

	/* pid_max is at most 2^22: this pid cannot exist. */
	assert_true(procfs__exe(1 << 23, buf, sizeof(buf)) < 0);
	assert_true(procfs__comm(1 << 23, buf, sizeof(buf)) < 0);
	assert_string_equal(buf, "");
	assert_null(procfs__maps(1 << 23));
	assert_true(procfs__read_mem(1 << 23, 0, &v, sizeof(v)) < 0);
}

static int find_self(int pid, void *ctx)
{
	return pid == getpid() ? 1 : 0;
}

static void test_each_pid(void **st)
{
	assert_int_equal(procfs__each_pid(find_self, NULL), 1);
}

static void test_which(void **st)
{
	char dir[] = "/tmp/fp-which-XXXXXX", bin[128], path[256], out[PATH_MAX];
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/fp-tool", dir);
	f = fopen(bin, "w");
	assert_non_null(f);
	fclose(f);
	/* Not executable yet: skipped, as execvp skips it. */
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	setenv("PATH", path, 1);
	assert_int_equal(procfs__which("fp-tool", out, sizeof(out)), -ENOENT);
	chmod(bin, 0755);
	assert_int_equal(procfs__which("fp-tool", out, sizeof(out)), 0);
	assert_string_equal(out, bin);
	/* A name with a slash is taken as it is. */
	assert_int_equal(procfs__which("./x/y", out, sizeof(out)), 0);
	assert_string_equal(out, "./x/y");
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(bin);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_start),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_gone),
		cmocka_unit_test(test_each_pid),
		cmocka_unit_test(test_which),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}
