/* Unit tests of the reports of a recording, on hand-made snapshots: the
 * text report (views/report_text.c) and the HTML page (views/report_html.c),
 * with their diffs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "views/report.h"

/* A busy process with a finding and an idle one, two seconds recorded. */
static struct fp_snapshot *recording(void)
{
	struct fp_snapshot *s = snap(2);
	struct fp_proc *idle = proc(s, 10, "idle"), *busy = proc(s, 20, "busy<x>");

	snprintf(s->meta.host, sizeof(s->meta.host), "vm1");
	snprintf(s->meta.kernel, sizeof(s->meta.kernel), "6.18.0");
	snprintf(s->meta.version, sizeof(s->meta.version), "abc123");
	snprintf(s->meta.target, sizeof(s->meta.target), "-a");
	s->meta.start_time = 1767261600;	/* 2026-01-01 10:00:00 UTC */
	calls(idle, "getppid", 10, 1000);
	calls(busy, "read", 1000, 3000);
	calls(busy, "openat", 100, 10000);
	proc__sys(busy, syscall__nr("openat"), false)->errors = 40;
	assert_int_equal(proc__add_finding(busy, "stat-storm", "warning", "12k stat calls/s", "see the paths"), 0);
	return s;
}

/* Where needle is in hay, failing the test when it is not. */
static const char *at(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	if (!p)
		fail_msg("missing: %s", needle);
	return p;
}

static void test_text_report(void **state)
{
	struct fp_snapshot *s = recording();
	char *out = NULL;

	CAPTURE(out, report_text__write(f, s, "rec.json"));
	assert_ptr_equal(at(out, "fastpath report of rec.json\nhost vm1 (kernel 6.18.0), fastpath abc123; "
			     "target: -a; 2.00 s from 2026-01-01 10:00:00 UTC\n"), out);
	at(out, "\nFindings\n  [warning] busy<x> (pid 20): stat-storm: 12k stat calls/s\n");
	/* busiest first */
	assert_true(at(out, "\n== pid 20 (busy<x>) (exe unknown)\n") < at(out, "\n== pid 10 (idle) (exe unknown)\n"));
	at(out, "== pid 20 (busy<x>) (exe unknown)\n1100 syscalls (550/s), 40 errors, 4.00 ms in syscalls\n");
	at(out, "\n 25.00    0.001000      10.000      10.000       100        40 openat\n");
	at(out, "\n100.00    0.004000       3.636      10.000      1100        40 total\n");
	at(out, "\nfinding [warning] stat-storm: 12k stat calls/s\n    see the paths\n");
	at(out, "\n  syscall latency (ns): 10 samples, p50 1.00 us, p90 1.00 us, p99 1.00 us, max 1.00 us\n"
		"        512 ns - 1.02 us    |########################################|         10 p50 p90 p99\n");
	free(out);
	snapshot__free(s);
}

static void test_text_report_empty_and_dropped(void **state)
{
	struct fp_snapshot *s = snap(1);
	char *out = NULL, want[128];

	s->drops[0] = 7;
	CAPTURE(out, report_text__write(f, s, "e.json"));
	at(out, "\nFindings\n  none\n");
	snprintf(want, sizeof(want), "dropped: 7 (%s): the numbers below miss these\n", drop__name(0));
	at(out, want);
	at(out, "\nno activity recorded from the target\n");
	assert_null(strstr(out, "== pid"));
	free(out);
	snapshot__free(s);
}

/* One bar per power of two, gaps kept, the rows of p50/p90/p99 marked. */
static void test_text_hist(void **state)
{
	struct fp_hist h = {};
	struct fp_named_hist nh = { "copy_in size", "bytes", &h };
	char *out = NULL;

	hist__add(&h, 300, 10);		/* [256, 512) */
	hist__add(&h, 3000, 5);		/* [2048, 4096) */
	CAPTURE(out, report_text__hist(f, &nh));
	assert_string_equal(out,
		"  copy_in size (bytes): 15 samples, p50 304 B, p90 2.85 KiB, p99 2.93 KiB, max 2.93 KiB\n"
		"         256 B - 512 B      |########################################|         10 p50\n"
		"         512 B - 1.00 KiB   |                                        |          0\n"
		"      1.00 KiB - 2.00 KiB   |                                        |          0\n"
		"      2.00 KiB - 4.00 KiB   |####################                    |          5 p90 p99\n");
	free(out);
}

/* A diff of three changes, built by hand: who each is, in rank order. */
static struct fp_diff *three_changes(void)
{
	struct fp_diff *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->v = calloc(3, sizeof(*d->v));
	assert_non_null(d->v);
	d->n = d->cap = 3;
	d->before_s = 2;
	d->after_s = 4.5;
	d->v[0] = (struct fp_change){ .kind = FP_CHG_DATA_PATH, .comm = "srv", .pid = 7, .nprocs_before = 1,
				      .nprocs_after = 1, .what = "zero-copy -> copy", .unit = "calls/s", .before = 500,
				      .after = 0, .fold = 2, .zc = { 500, 0 }, .copy = { 50, 1050 } };
	d->v[1] = (struct fp_change){ .kind = FP_CHG_FINDING_NEW, .comm = "web", .nprocs_before = 3,
				      .nprocs_after = 1, .what = "stat-storm", .before = 0, .after = 1,
				      .severity = "warning", .summary = "<b>9k</b> stat calls/s" };
	d->v[2] = (struct fp_change){ .kind = FP_CHG_RATE, .comm = "web", .nprocs_before = 1, .nprocs_after = 1,
				      .what = "read", .unit = "calls/s", .before = 10, .after = 30, .fold = 3,
				      .total_before = 20, .total_after = 135 };
	return d;
}

static void test_text_diff(void **state)
{
	struct fp_diff *d = three_changes();
	char *out = NULL;

	CAPTURE(out, report_text__diff(f, d, "a.json", "b.json"));
	assert_string_equal(out,
		"fastpath diff\n  before: a.json (2.00 s)\n  after:  b.json (4.50 s)\n"
		"rates are per second of each recording; largest change first\n\n"
		"  1. srv (pid 7): data path zero-copy -> copy (from the syscall table): zero-copy calls "
		"(sendfile, splice, ...) 500 calls/s -> 0 calls/s, copying calls (read, write, ...) 50 calls/s -> "
		"1050 calls/s; data syscalls per second x2.0\n"
		"  2. web (3 -> 1 processes): finding stat-storm appeared: [warning] <b>9k</b> stat calls/s\n"
		"  3. web: read 10 calls/s -> 30 calls/s (x3.0; in all 20 -> 135)\n");
	free(out);
	d->n = 0;
	CAPTURE(out, report_text__diff(f, d, "a.json", "b.json"));
	at(out, "largest change first\n\nno change of 1.5x or more\n");
	free(out);
	diff__free(d);
}

static void test_html_puts(void **state)
{
	char *out = NULL;

	CAPTURE(out, html__puts(f, "a&b<c>\"d'e"));
	assert_string_equal(out, "a&amp;b&lt;c&gt;&quot;d&#39;e");
	free(out);
	CAPTURE(out, html__puts(f, NULL));
	assert_string_equal(out, "");
	free(out);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_html_report(void **state)
{
	struct fp_snapshot *s = recording();
	char *out = NULL;

	CAPTURE(out, report_html__write(f, s, "rec<1>.json"));
	assert_ptr_equal(at(out, "<!DOCTYPE html>\n"), out);
	at(out, "<title>fastpath report: rec&lt;1&gt;.json</title>");
	at(out, "<p class=\"meta\">host vm1 (kernel 6.18.0), fastpath abc123; target: -a; 2.00 s from "
		"2026-01-01 10:00:00 UTC</p>");
	at(out, "<tr><td class=\"warning\">warning</td><td><a href=\"#pid-20\">busy&lt;x&gt; (20)</a></td>"
		"<td><b>stat-storm</b>: 12k stat calls/s</td></tr>");
	/* the process table, busiest first, and a section per process */
	assert_true(at(out, "<tr><td><a href=\"#pid-20\">20</a></td><td>busy&lt;x&gt;</td><td class=\"n\">1100</td>"
			"<td class=\"n\">40</td><td class=\"n\">4.00 ms</td></tr>") <
		    at(out, "<tr><td><a href=\"#pid-10\">10</a></td><td>idle</td>"));
	at(out, "<section class=\"proc\" id=\"pid-20\">");
	at(out, "<li><span class=\"warning\">warning</span> <b>stat-storm</b>: 12k stat calls/s<br>see the paths</li>");
	/* a merged latency plot per process, and one per syscall of 100 calls
	 * or more (busy's read and openat, not idle's 10 getppid) */
	assert_int_equal(count(out, "<svg class=\"hist\""), 4);
	at(out, "<figcaption>openat latency</figcaption>");
	assert_null(strstr(out, "<figcaption>getppid latency"));
	/* the comm never raw; nothing fetched */
	assert_null(strstr(out, "busy<x>"));
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "http"));
	assert_int_equal(strcmp(out + strlen(out) - strlen("</body></html>\n"), "</body></html>\n"), 0);
	free(out);
	snapshot__free(s);
}

static void test_html_diff(void **state)
{
	struct fp_diff *d = three_changes();
	char *out = NULL;

	CAPTURE(out, report_html__diff(f, d, "a<.json", "b.json"));
	at(out, "<title>fastpath diff</title>");
	at(out, "before: a&lt;.json (2.00 s)<br>after: b.json (4.50 s)");
	at(out, "<tr class=\"data-path\"><td class=\"n\">1</td><td>srv (7)</td><td><b class=\"warning\">data path "
		"zero-copy -&gt; copy (from the syscall table)");
	/* the finding's words escaped, and no bars for a finding */
	at(out, "<tr class=\"finding-new\"><td class=\"n\">2</td><td>web</td><td>finding stat-storm appeared: "
		"[warning] &lt;b&gt;9k&lt;/b&gt; stat calls/s</td><td></td></tr>");
	at(out, "<tr class=\"rate\"><td class=\"n\">3</td><td>web</td><td>read 10 calls/s -&gt; 30 calls/s "
		"(x3.0; in all 20 -&gt; 135)</td><td><svg class=\"diffbar\"");
	assert_int_equal(count(out, "<svg class=\"diffbar\""), 2);
	assert_null(strstr(out, "<b>9k"));
	free(out);
	d->n = 0;
	CAPTURE(out, report_html__diff(f, d, "a.json", "b.json"));
	at(out, "<p class=\"none\">No change of 1.5x or more.</p>");
	assert_null(strstr(out, "<table>"));
	free(out);
	diff__free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_report),
		cmocka_unit_test(test_text_report_empty_and_dropped),
		cmocka_unit_test(test_text_hist),
		cmocka_unit_test(test_text_diff),
		cmocka_unit_test(test_html_puts),
		cmocka_unit_test(test_html_report),
		cmocka_unit_test(test_html_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
