/* Unit tests of cli/output.c: report's and diff's arguments, and an output
 * file that is either complete or absent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "cli/output.h"
#include "stderr_capture.h"

static int usage_calls;

static void usage(FILE *f)
{
	usage_calls++;
}

static const char *const report_formats[] = { "text", "html", "csv", "prom", "folded", NULL };
static const struct fp_render_cmd report = {
	.name = "report", .formats = report_formats, .nfiles = 1,
	.files_err = "report: give one recording", .pid_label = true, .usage = usage,
};
static const char *const diff_formats[] = { "text", "html", NULL };
static const struct fp_render_cmd diff = {
	.name = "diff", .formats = diff_formats, .nfiles = 2,
	.files_err = "diff: give two recordings", .usage = usage,
};

/* output__parse with stderr caught into err. */
static int parse(const struct fp_render_cmd *c, struct fp_render_args *a, char *err, size_t len,
		 int argc, char **argv)
{
	int rc;

	capture_begin();
	rc = output__parse(a, c, argc, argv);
	capture_end(err, len);
	return rc;
}

static void test_report_args(void **st)
{
	char *ok[] = { "report", "r.json", "--format", "prom", "-o", "out.txt", "--pid-label", NULL };
	char *dflt[] = { "report", "r.json", NULL };
	char *two[] = { "report", "a.json", "b.json", NULL };
	char *fmt[] = { "report", "r.json", "--format=svg", NULL };
	char *help[] = { "report", "--help", NULL };
	struct fp_render_args a;
	char err[512];

	assert_int_equal(parse(&report, &a, err, sizeof(err), 7, ok), 0);
	assert_string_equal(a.files[0], "r.json");
	assert_int_equal(a.format, 3);
	assert_string_equal(a.output, "out.txt");
	assert_true(a.pid_label);
	assert_int_equal(parse(&report, &a, err, sizeof(err), 2, dflt), 0);
	assert_int_equal(a.format, 0);	/* the first: text */
	assert_null(a.output);
	assert_false(a.pid_label);
	assert_int_equal(parse(&report, &a, err, sizeof(err), 3, two), -EINVAL);
	assert_string_equal(err, "fastpath: report: give one recording\n");
	assert_int_equal(parse(&report, &a, err, sizeof(err), 3, fmt), -EINVAL);
	assert_string_equal(err, "fastpath: report: unknown format 'svg': use text, html, csv, prom or folded\n");
	usage_calls = 0;
	assert_int_equal(parse(&report, &a, err, sizeof(err), 2, help), 1);
	assert_int_equal(usage_calls, 1);
}

static void test_diff_args(void **st)
{
	char *ok[] = { "diff", "a.json", "b.json", "--format", "html", NULL };
	char *one[] = { "diff", "a.json", NULL };
	char *fmt[] = { "diff", "a.json", "b.json", "--format", "csv", NULL };
	char *label[] = { "diff", "a.json", "b.json", "--pid-label", NULL };
	struct fp_render_args a;
	char err[512];

	assert_int_equal(parse(&diff, &a, err, sizeof(err), 5, ok), 0);
	assert_string_equal(a.files[0], "a.json");
	assert_string_equal(a.files[1], "b.json");
	assert_int_equal(a.format, 1);
	assert_int_equal(parse(&diff, &a, err, sizeof(err), 2, one), -EINVAL);
	assert_string_equal(err, "fastpath: diff: give two recordings\n");
	assert_int_equal(parse(&diff, &a, err, sizeof(err), 5, fmt), -EINVAL);
	assert_string_equal(err, "fastpath: diff: unknown format 'csv': use text or html\n");
	/* report's option only */
	assert_int_equal(parse(&diff, &a, err, sizeof(err), 4, label), -EINVAL);
	assert_non_null(strstr(err, "unknown option '--pid-label'"));
}

static void test_open_commit(void **st)
{
	char dir[] = "/tmp/fp-output-XXXXXX", path[128], bad[160];
	struct fp_outfile o;
	FILE *f;
	char buf[512] = "";

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	snprintf(bad, sizeof(bad), "%s/missing/out.txt", dir);
	capture_begin();
	assert_true(output__open(&o, bad, "-o", FP_MODE_REPORT) < 0);
	capture_end(buf, sizeof(buf));
	assert_non_null(strstr(buf, "choose a writable path for -o"));
	assert_int_equal(output__open(&o, path, "-o", FP_MODE_REPORT), 0);
	fputs("done\n", o.f);
	/* not there until committed */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(output__commit(&o, path), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "done\n");
	unlink(path);
	rmdir(dir);
}

/* Entries of dir other than "." and ".." */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void write_file(const char *path, mode_t mode, const char *text)
{
	struct fp_outfile o;

	assert_int_equal(outfile__open(&o, path, mode), 0);
	fputs(text, o.f);
	assert_int_equal(outfile__commit(&o), 0);
}

static void modes(bool named)
{
	char dir[] = "/tmp/fp-modes-XXXXXX", path[128];
	mode_t old = umask(022);

	if (named)
		setenv("FASTPATH_TEST_NO_TMPFILE", "1", 1);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	/* new files: the mode asked for, less the umask */
	write_file(path, FP_MODE_REPORT, "a");
	assert_int_equal(mode_of(path), 0644);
	unlink(path);
	write_file(path, FP_MODE_RECORDING, "a");
	assert_int_equal(mode_of(path), 0600);
	unlink(path);
	umask(077);
	write_file(path, FP_MODE_REPORT, "a");
	assert_int_equal(mode_of(path), 0600);
	unlink(path);
	umask(0);
	write_file(path, FP_MODE_REPORT, "a");
	assert_int_equal(mode_of(path), 0666);
	/* a file replaced keeps its mode, whatever the umask and the default */
	umask(022);
	assert_int_equal(chmod(path, 0640), 0);
	write_file(path, FP_MODE_RECORDING, "b");
	assert_int_equal(mode_of(path), 0640);
	umask(077);
	write_file(path, FP_MODE_REPORT, "c");
	assert_int_equal(mode_of(path), 0640);
	assert_int_equal(entries(dir), 1);	/* no temporary left */
	unlink(path);
	rmdir(dir);
	umask(old);
	unsetenv("FASTPATH_TEST_NO_TMPFILE");
}

static void test_modes_tmpfile(void **st)
{
	modes(false);
}

static void test_modes_named(void **st)
{
	modes(true);
}

/* While it is written: nothing with a name (O_TMPFILE), or our own naming
 * (the fallback); after an abort, nothing; the target as it was. */
static void test_temporaries(void **st)
{
	char dir[] = "/tmp/fp-tmps-XXXXXX", path[128], buf[16] = "";
	struct fp_outfile o;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	write_file(path, FP_MODE_REPORT, "old");
	assert_int_equal(outfile__open(&o, path, FP_MODE_REPORT), 0);
	fputs("new", o.f);
	fflush(o.f);
	assert_int_equal(entries(dir), 1);
	outfile__abort(&o);
	assert_int_equal(entries(dir), 1);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old");

	setenv("FASTPATH_TEST_NO_TMPFILE", "1", 1);
	assert_int_equal(outfile__open(&o, path, FP_MODE_REPORT), 0);
	assert_int_equal(entries(dir), 2);
	assert_non_null(o.tmp);
	assert_non_null(strstr(o.tmp, "/r.json.tmp."));
	outfile__abort(&o);
	assert_int_equal(entries(dir), 1);
	unsetenv("FASTPATH_TEST_NO_TMPFILE");
	unlink(path);
	rmdir(dir);
}

/* A killed fastpath's named temporary is removed by the next open there;
 * a live process's and names not ours stay. */
static void test_stale_cleaned(void **st)
{
	char dir[] = "/tmp/fp-stale-XXXXXX", path[128], dead[192], live[192], other[192], old[192];
	pid_t pid = fork();
	int fd;

	if (!pid)
		_exit(0);
	assert_true(pid > 0);
	waitpid(pid, NULL, 0);	/* gone: its pid names a stale file */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	snprintf(dead, sizeof(dead), "%s.tmp.%d.AbC123", path, (int)pid);
	snprintf(live, sizeof(live), "%s.tmp.%d.AbC123", path, (int)getppid());
	snprintf(other, sizeof(other), "%s/x.json.tmp.%d.AbC123", dir, (int)pid);
	snprintf(old, sizeof(old), "%s.tmp.AbC123", path);
	const char *names[] = { dead, live, other, old };

	for (size_t i = 0; i < 4; i++) {
		fd = open(names[i], O_CREAT | O_WRONLY, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	setenv("FASTPATH_TEST_NO_TMPFILE", "1", 1);
	write_file(path, FP_MODE_REPORT, "a");
	unsetenv("FASTPATH_TEST_NO_TMPFILE");
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(old, F_OK), 0);
	assert_int_equal(entries(dir), 4);
	for (size_t i = 1; i < 4; i++)
		unlink(names[i]);
	unlink(path);
	rmdir(dir);
}

/* A FIFO (or /dev/null) is written to, never replaced by a regular file. */
static void test_not_a_regular_file(void **st)
{
	char dir[] = "/tmp/fp-fifo-XXXXXX", path[128], buf[16] = "";
	struct fp_outfile o;
	struct stat sb;
	int rd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pipe", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	rd = open(path, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(outfile__open(&o, path, FP_MODE_REPORT), 0);
	fputs("hi", o.f);
	assert_int_equal(outfile__commit(&o), 0);
	assert_int_equal(read(rd, buf, sizeof(buf)), 2);
	close(rd);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISFIFO(sb.st_mode));
	assert_int_equal(entries(dir), 1);
	unlink(path);
	assert_int_equal(outfile__open(&o, "/dev/null", FP_MODE_REPORT), 0);
	fputs("x", o.f);
	assert_int_equal(outfile__commit(&o), 0);
	assert_int_equal(stat("/dev/null", &sb), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(outfile__open(&o, dir, FP_MODE_REPORT), -EISDIR);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_args),
		cmocka_unit_test(test_diff_args),
		cmocka_unit_test(test_open_commit),
		cmocka_unit_test(test_modes_tmpfile),
		cmocka_unit_test(test_modes_named),
		cmocka_unit_test(test_temporaries),
		cmocka_unit_test(test_stale_cleaned),
		cmocka_unit_test(test_not_a_regular_file),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
