/* Unit tests of the CPU model section: the user/system split, deltas, its
 * JSON, the top column and the exporters. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/cpu.h"
#include "views/json.h"
#include "views/topfmt.h"
#include "views/report.h"

static struct fp_proc *proc_with(struct fp_snapshot *s, int pid, uint64_t run, uint64_t ut, uint64_t st)
{
	struct fp_proc *p = snapshot__proc(s, pid, true);

	snprintf(p->comm, sizeof(p->comm), "burn%d", pid);
	p->cpu = cpu_stats__new();
	p->cpu->run_ns = run;
	p->cpu->utime_ns = ut;
	p->cpu->stime_ns = st;
	return p;
}

static void test_split(void **state)
{
	struct fp_cpu_stats s = { .run_ns = 1000, .utime_ns = 3, .stime_ns = 1 };

	assert_int_equal(cpu_stats__user_ns(&s), 750);
	assert_int_equal(cpu_stats__system_ns(&s), 250);
	s.stime_ns = 0;		/* no tick in the kernel: all user, as /proc says */
	assert_int_equal(cpu_stats__user_ns(&s), 1000);
	s.utime_ns = 0;
	assert_int_equal(cpu_stats__user_ns(&s), 1000);
	s.stime_ns = 8;
	assert_int_equal(cpu_stats__system_ns(&s), 1000);
	assert_true(fabs(cpu_stats__pct(500000000, 1.0) - 50.0) < 1e-9);
	assert_true(isnan(cpu_stats__pct(1, 0)));
}

/* The interval's own ratio: a process that turned from user to system work
 * shows system time in the interval, not the lifetime's mix. */
static void test_delta_split_is_the_intervals(void **state)
{
	struct fp_cpu_stats a = { .run_ns = 4000000000ULL, .utime_ns = 4000000000ULL, .stime_ns = 0 };
	struct fp_cpu_stats b = { .run_ns = 5000000000ULL, .utime_ns = 4000000000ULL, .stime_ns = 1000000000ULL };
	struct fp_cpu_stats *d = cpu_stats__delta(&b, &a);

	assert_int_equal(d->run_ns, 1000000000ULL);
	assert_int_equal(cpu_stats__system_ns(d), 1000000000ULL);
	cpu_stats__free(d);
	/* a reused pid: counts from zero rather than wrapping */
	d = cpu_stats__delta(&a, &b);
	assert_int_equal(d->run_ns, a.run_ns);
	cpu_stats__free(d);
}

static void test_json_round_trip(void **state)
{
	struct fp_cpu_stats s = { .run_ns = 1500000000ULL, .utime_ns = 9, .stime_ns = 1 }, *back = NULL;
	json_t *j = json_cpu__from(&s, 2.0);
	char err[128] = "";

	assert_int_equal(json_integer_value(json_object_get(j, "user_ns")), 1350000000);
	assert_int_equal(json_integer_value(json_object_get(j, "system_ns")), 150000000);
	assert_true(fabs(json_real_value(json_object_get(j, "percent")) - 75.0) < 1e-9);
	assert_int_equal(json_cpu__parse(j, &back, err, sizeof(err)), 0);
	assert_int_equal(back->run_ns, s.run_ns);
	assert_int_equal(cpu_stats__user_ns(back), 1350000000);
	assert_int_equal(cpu_stats__system_ns(back), 150000000);
	cpu_stats__free(back);
	json_object_set_new(j, "user_ns", json_string("x"));
	assert_int_equal(json_cpu__parse(j, &back, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cpu.user_ns"));
	json_decref(j);
}

static void test_top_column_and_sort(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct top_row rows[3];
	char buf[16];
	size_t n;

	s->interval_s = 2.0;
	proc_with(s, 10, 1000000000ULL, 1, 0);	/* 50% */
	proc_with(s, 11, 3000000000ULL, 1, 1);	/* 150%: two threads */
	snapshot__proc(s, 12, true);		/* no cpu section: "-" */
	n = toprows__build(s, rows, 3, NULL, 1, false);
	assert_int_equal(n, 3);
	toprows__sort(rows, n, topcol__by_key('U'), true);
	assert_int_equal(rows[0].pid, 11);
	assert_int_equal(rows[1].pid, 10);
	assert_int_equal(rows[2].pid, 12);
	assert_string_equal(topfmt__cell(&rows[0], TOP_CPU, buf, sizeof(buf)), "150");
	assert_string_equal(topfmt__cell(&rows[1], TOP_CPU, buf, sizeof(buf)), "50.0");
	assert_string_equal(topfmt__cell(&rows[2], TOP_CPU, buf, sizeof(buf)), "-");
	/* a process that only computes is active */
	assert_true(toprow__active(&rows[1]));
	snapshot__free(s);
}

static void test_prom_cpu_seconds(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_prom_opts o = { .self_cpu_s = -1, .read_s = -1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	proc_with(s, 10, 2000000000ULL, 3, 1);
	proc_with(s, 11, 2000000000ULL, 1, 1);
	snprintf(s->procs[1].comm, sizeof(s->procs[1].comm), "burn10");	/* one command */
	prom__write(f, s, &o);
	fclose(f);
	assert_non_null(strstr(buf, "# TYPE fastpath_cpu_seconds_total counter"));
	assert_non_null(strstr(buf, "fastpath_cpu_seconds_total{comm=\"burn10\",mode=\"user\"} 2.5\n"));
	assert_non_null(strstr(buf, "fastpath_cpu_seconds_total{comm=\"burn10\",mode=\"system\"} 1.5\n"));
	free(buf);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_delta_split_is_the_intervals),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_top_column_and_sort),
		cmocka_unit_test(test_prom_cpu_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
