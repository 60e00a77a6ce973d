/* Unit tests of the exports: CSV quoting and rows, the Prometheus
 * formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "fixture.h"
#include "views/report.h"

/* ---- CSV ---------------------------------------------------------------- */

static void check_field(const char *in, const char *want)
{
	char *out = NULL;

	CAPTURE(out, csv__field(f, in));
	assert_string_equal(out, want);
	free(out);
}

static void test_csv_quoting(void **state)
{
	check_field("plain", "plain");
	check_field("", "");
	check_field("a,b", "\"a,b\"");
	check_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	/* untrusted text: no raw line break or control left (util/escape.h) */
	check_field("two\nlines", "two\\nlines");
	check_field("cr\r", "cr\\r");
	check_field(" padded", "\" padded\"");
	check_field("padded\t", "padded\\t");
	check_field("esc\x1b[2J", "esc\\x1b[2J");
	check_field("=1+1", "\"'=1+1\"");
}

static void test_csv_rows(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_proc *p = proc(s, 42, "we,ird\"");
	char *out = NULL, *line;
	int rows = 0;

	calls(p, "getppid", 3, 500);
	assert_int_equal(proc__add_finding(p, "k", "warning", "a, \"quoted\" summary", ""), 0);
	CAPTURE(out, csv__write(f, s));
	assert_true(!strncmp(out, "pid,comm,metric,value,unit,note\r\n", 33));
	assert_non_null(strstr(out, "42,\"we,ird\"\"\",syscall getppid calls,3,calls,\r\n"));
	assert_non_null(strstr(out, "finding k,1,warning,\"a, \"\"quoted\"\" summary\"\r\n"));
	for (line = out; (line = strstr(line, "\r\n")); line += 2)
		rows++;
	assert_true(rows > 5);
	free(out);
	snapshot__free(s);
}


static void test_csv_alloc_rows(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_proc *p = proc(s, 5, "c");
	char *out = NULL;

	mallocs(p, "churn a.c:5", 300, 100);
	CAPTURE(out, csv__write(f, s));
	assert_non_null(strstr(out, "5,c,alloc libc malloc calls,300,calls,\r\n"));
	assert_non_null(strstr(out, "5,c,alloc libc malloc bytes,30000,bytes,\r\n"));
	assert_non_null(strstr(out, "5,c,alloc estimated,0,,exact counts\r\n"));
	assert_non_null(strstr(out, "5,c,alloc site calls,300,calls,churn a.c:5\r\n"));
	assert_null(strstr(out, "alloc libc calloc"));	/* functions never called: no rows */
	free(out);
	snapshot__free(s);
}

/* ---- Prometheus --------------------------------------------------------- */

static void test_prom_label_escaping(void **state)
{
	char *out = NULL;

	/* the display form (a\\b"c\nd: no raw newline) with \ and " escaped */
	CAPTURE(out, prom__label_value(f, "a\\b\"c\nd"));
	assert_string_equal(out, "a\\\\\\\\b\\\"c\\\\nd");
	free(out);
}

static void test_prom_hist_name(void **state)
{
	char buf[96];

	assert_string_equal(prom__hist_name("copy_in size", "bytes", buf, sizeof(buf)),
			    "fastpath_copy_in_size_bytes");
	assert_string_equal(prom__hist_name("Stat latency", "ns", buf, sizeof(buf)),
			    "fastpath_stat_latency_seconds");
	assert_string_equal(prom__hist_name("  odd--name!", "bytes", buf, sizeof(buf)),
			    "fastpath_odd_name_bytes");
}

/* Value of the first line starting with prefix, or -1. */
static double sample(const char *text, const char *prefix)
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			return strtod(p + strlen(prefix), NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static void test_prom_exposition(void **state)
{
	struct fp_snapshot *s = snap(2);
	struct fp_prom_opts o = { .pid_label = false, .self_cpu_s = 0.5, .read_s = -1 };
	char *out = NULL;

	calls(proc(s, 10, "web"), "read", 100, 1000);	/* 1 us */
	calls(&s->procs[0], "read", 50, 3000000);	/* 3 ms */
	calls(proc(s, 11, "web"), "read", 10, 1000);
	CAPTURE(out, prom__write(f, s, &o));
	/* summed over both pids, no pid label */
	assert_true(sample(out, "fastpath_syscalls_total{comm=\"web\",syscall=\"read\"} ") == 160);
	assert_null(strstr(out, "pid=\""));
	assert_non_null(strstr(out, "# TYPE fastpath_syscall_latency_seconds histogram\n"));
	/* cumulative: 110 below 2^10 ns = 1.024 us? 1000 ns < 1024: yes */
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"1.024e-06\"} ") == 110);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"5.12e-07\"} ") == 0);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"0.004194304\"} ") == 160);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_bucket{comm=\"web\",syscall=\"read\",le=\"+Inf\"} ") == 160);
	assert_true(sample(out, "fastpath_syscall_latency_seconds_count{comm=\"web\",syscall=\"read\"} ") == 160);
	assert_true(fabs(sample(out, "fastpath_syscall_latency_seconds_sum{comm=\"web\",syscall=\"read\"} ") - 0.15011) < 1e-9);
	assert_true(sample(out, "fastpath_self_cpu_seconds_total ") == 0.5);
	assert_null(strstr(out, "fastpath_snapshot_read_seconds"));
	free(out);

	o.pid_label = true;
	CAPTURE(out, prom__write(f, s, &o));
	assert_true(sample(out, "fastpath_syscalls_total{comm=\"web\",pid=\"10\",syscall=\"read\"} ") == 150);
	assert_true(sample(out, "fastpath_syscalls_total{comm=\"web\",pid=\"11\",syscall=\"read\"} ") == 10);
	free(out);
	snapshot__free(s);
}


/* libc per function (exact) and Go's estimates under their own names;
 * sites are never labels. */
static void test_prom_alloc(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_prom_opts o = { .self_cpu_s = -1, .read_s = -1 };
	struct fp_proc *g;
	char *out = NULL;

	mallocs(proc(s, 1, "c"), "churn a.c:5", 300, 100);
	libc_alloc(&s->procs[0])->fn[FP_ALLOC_FREE].calls = 290;
	mallocs(proc(s, 3, "c"), "churn a.c:5", 200, 100);
	g = proc(s, 2, "g");
	g->alloc = alloc_stats__new();
	g->alloc->go = (struct fp_alloc_go){ .mode = FP_GO_SAMPLED, .calls = 7000, .bytes = 900000,
					     .estimated = true, .samples = 12, .rate = 524288 };
	CAPTURE(out, prom__write(f, s, &o));
	assert_true(sample(out, "fastpath_alloc_libc_calls_total{comm=\"c\",function=\"malloc\"} ") == 500);
	assert_true(sample(out, "fastpath_alloc_libc_calls_total{comm=\"c\",function=\"free\"} ") == 290);
	assert_true(sample(out, "fastpath_alloc_libc_calls_total{comm=\"c\",function=\"calloc\"} ") == 0);
	assert_true(sample(out, "fastpath_alloc_libc_bytes_total{comm=\"c\",function=\"malloc\"} ") == 50000);
	assert_null(strstr(out, "fastpath_alloc_libc_bytes_total{comm=\"c\",function=\"free\"}"));
	assert_true(sample(out, "fastpath_alloc_calls_total{comm=\"c\"} ") == 500);
	assert_true(sample(out, "fastpath_alloc_estimated{comm=\"c\"} ") == 0);
	assert_true(sample(out, "fastpath_alloc_estimated{comm=\"g\"} ") == 1);
	assert_true(sample(out, "fastpath_alloc_go_estimated_calls_total{comm=\"g\"} ") == 7000);
	assert_true(sample(out, "fastpath_alloc_go_estimated_bytes_total{comm=\"g\"} ") == 900000);
	assert_true(sample(out, "fastpath_alloc_go_samples_total{comm=\"g\"} ") == 12);
	assert_null(strstr(out, "fastpath_alloc_go_calls_total"));	/* no exact Go here */
	assert_null(strstr(out, "fastpath_alloc_libc_calls_total{comm=\"g\""));
	assert_null(strstr(out, "churn"));
	assert_non_null(strstr(out, "# TYPE fastpath_allocation_size_bytes histogram\n"));
	free(out);
	snapshot__free(s);
}

/* Every HELP/TYPE once, before its samples, and samples of a family together. */
static void test_prom_families_once(void **state)
{
	struct fp_snapshot *s = snap(1);
	struct fp_prom_opts o = { .self_cpu_s = -1, .read_s = 0.001 };
	char *out = NULL, *line, *save = NULL, last[128] = "";
	char seen[64][128];
	int nseen = 0;

	calls(proc(s, 1, "a"), "read", 10, 1000);
	calls(proc(s, 2, "b"), "write", 10, 1000);
	CAPTURE(out, prom__write(f, s, &o));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char fam[128];

		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", fam);
			for (int i = 0; i < nseen; i++)
				assert_string_not_equal(seen[i], fam);
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", fam);
			snprintf(last, sizeof(last), "%s", fam);
			continue;
		}
		if (line[0] == '#')
			continue;
		/* a sample belongs to the last TYPE'd family */
		assert_int_equal(strncmp(line, last, strlen(last)), 0);
	}
	free(out);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_rows),
		cmocka_unit_test(test_csv_alloc_rows),
		cmocka_unit_test(test_prom_label_escaping),
		cmocka_unit_test(test_prom_hist_name),
		cmocka_unit_test(test_prom_exposition),
		cmocka_unit_test(test_prom_alloc),
		cmocka_unit_test(test_prom_families_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
