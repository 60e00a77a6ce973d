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
	assert_true(output__open(&o, bad, "-o") < 0);
	capture_end(buf, sizeof(buf));
	assert_non_null(strstr(buf, "choose a writable path for -o"));
	assert_int_equal(output__open(&o, path, "-o"), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_args),
		cmocka_unit_test(test_diff_args),
		cmocka_unit_test(test_open_commit),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
