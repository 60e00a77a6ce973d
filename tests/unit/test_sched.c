/* Unit tests of the scheduler-wait model section (model/sched.h): deltas,
 * the off-CPU share, its JSON, the cpu-saturated and lock-contention rules
 * and the text. */
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
#include "model/sched.h"
#include "model/syscalls.h"
#include "views/json.h"
#include "views/text.h"
#include "views/topfmt.h"
#include "views/report.h"

#define MS 1000000ULL

/* rq waits of rq_ms each, off periods of off_ms, on_ms on CPU. */
static struct fp_sched_stats *stats(uint64_t on_ms, int nrq, uint64_t rq_ms, int noff, uint64_t off_ms)
{
	struct fp_sched_stats *s = sched_stats__new();

	s->on_ns = on_ms * MS;
	hist__add(&s->rq, rq_ms * MS, nrq);
	hist__add(&s->off, off_ms * MS, noff);
	if (noff)
		sched_stats__add_block(s, syscall__nr("clock_nanosleep"), noff, noff * off_ms * MS, off_ms * MS);
	return s;
}

static void test_delta_and_share(void **state)
{
	struct fp_sched_stats *a = stats(100, 10, 1, 2, 50), *b = stats(100, 30, 1, 5, 50), *d;

	sched_stats__add_block(b, -1, 1, 7, 7);
	b->on_ns = 300 * MS;
	d = sched_stats__delta(b, a);
	assert_int_equal(d->on_ns, 200 * MS);
	assert_int_equal(d->rq.count, 20);
	assert_int_equal(d->off.count, 3);
	assert_int_equal(d->off.sum, 150 * MS);
	assert_int_equal(d->nblocks, 2);
	sched_stats__sort(d);
	assert_string_equal(sched__block_name(d->blocks[0].nr), "clock_nanosleep");
	assert_int_equal(d->blocks[0].count, 3);
	assert_string_equal(sched__block_name(d->blocks[1].nr), "none");
	/* 150 ms blocked of 200 on + 20 queued + 150 blocked */
	assert_true(fabs(sched_stats__off_share(d) - 150.0 / 370.0) < 1e-9);
	sched_stats__free(d);
	/* a reused pid (counts went backwards) counts from zero */
	d = sched_stats__delta(a, b);
	assert_int_equal(d->rq.count, 10);
	assert_int_equal(d->on_ns, 100 * MS);
	sched_stats__free(d);
	sched_stats__free(a);
	sched_stats__free(b);
	d = sched_stats__new();
	assert_true(isnan(sched_stats__off_share(d)));
	sched_stats__free(d);
}

static void test_json_round_trip(void **state)
{
	struct fp_sched_stats *s = stats(100, 10, 2, 4, 25), *back = NULL;
	json_t *j;
	char err[128] = "";

	sched_stats__add_block(s, -1, 1, 5 * MS, 5 * MS);
	j = json_sched__from(s, 1.0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "run_queue"), "count")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "off_cpu"), "sum")), 100 * MS);
	assert_non_null(json_object_get(json_object_get(j, "run_queue"), "p999"));
	assert_int_equal(json_sched__parse(j, &back, err, sizeof(err)), 0);
	assert_int_equal(back->on_ns, s->on_ns);
	assert_int_equal(back->rq.sum, s->rq.sum);
	assert_int_equal(back->off.count, 4);
	assert_int_equal(back->nblocks, 2);
	assert_string_equal(sched__block_name(back->blocks[0].nr), "clock_nanosleep");
	assert_int_equal(back->blocks[1].nr, -1);
	sched_stats__free(back);
	json_object_set_new(json_array_get(json_object_get(j, "blocked_in"), 0), "syscall", json_string("nosuch"));
	assert_int_equal(json_sched__parse(j, &back, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "wait.blocked_in"));
	json_decref(j);
	sched_stats__free(s);
}

static int saturated(struct fp_sched_stats *s, double window_s, char *severity)
{
	struct fp_proc p = { .pid = 1, .sched = s };
	int n;

	assert_int_equal(sched__rule_saturated(&p, window_s), 0);
	n = (int)p.nfindings;
	if (n) {
		assert_string_equal(p.findings[0].kind, "cpu-saturated");
		strcpy(severity, p.findings[0].severity);
	}
	proc__clear_findings(&p);
	sched_stats__free(s);
	return n;
}

static void test_cpu_saturated_thresholds(void **state)
{
	char sev[16] = "";

	/* 3 threads on one CPU for 1 s: queued twice as long as they ran */
	assert_int_equal(saturated(stats(1000, 600, 3, 0, 0), 1.0, sev), 1);
	assert_string_equal(sev, "critical");
	/* queued 60% of the run time: warning */
	assert_int_equal(saturated(stats(1000, 200, 3, 0, 0), 1.0, sev), 1);
	assert_string_equal(sev, "warning");
	/* 40% of the run time: below FP_SATURATED_RQ_SHARE */
	assert_int_equal(saturated(stats(1000, 400, 1, 0, 0), 1.0, sev), 0);
	/* large against its run time, but 20 ms in a 1 s window: a mostly
	 * idle process with a few slow wakeups */
	assert_int_equal(saturated(stats(10, 10, 2, 0, 0), 1.0, sev), 0);
}

/* lock_ms blocked in futex locks and idle_ms in other futex waits, on_ms on CPU */
static int lock_findings(uint64_t on_ms, uint64_t lock_ms, uint64_t idle_ms, bool go_found, char *severity)
{
	struct fp_sched_stats *s = stats(on_ms, 0, 0, 0, 0);
	struct fp_proc p = { .pid = 1, .sched = s };
	int n;

	if (lock_ms)
		sched_stats__add_block(s, FP_SCHED_BLOCK_FUTEX_LOCK, 100, lock_ms * MS, MS);
	if (idle_ms)
		sched_stats__add_block(s, syscall__nr("futex"), 4, idle_ms * MS, idle_ms * MS / 4);
	if (go_found)
		assert_int_equal(proc__add_finding(&p, "lock-contention", "warning", "from the parks", ""), 0);
	assert_int_equal(sched__rule_lock(&p, 1.0), 0);
	n = (int)p.nfindings;
	if (n) {
		assert_string_equal(p.findings[0].kind, "lock-contention");
		strcpy(severity, p.findings[n - 1].severity);
	}
	proc__clear_findings(&p);
	sched_stats__free(s);
	return n;
}

static void test_lock_contention_thresholds(void **state)
{
	char sev[16] = "";

	/* blocked on locks 1.6x as long as on CPU: critical */
	assert_int_equal(lock_findings(1000, 1600, 1000, false, sev), 1);
	assert_string_equal(sev, "critical");
	/* 60% of the run time, whatever the idle waits beside it: warning */
	assert_int_equal(lock_findings(1000, 600, 40000, false, sev), 1);
	assert_string_equal(sev, "warning");
	/* 40%: below FP_LOCK_ON_SHARE */
	assert_int_equal(lock_findings(1000, 400, 0, false, sev), 0);
	/* idle futex waits alone are no contention */
	assert_int_equal(lock_findings(100, 0, 4000, false, sev), 0);
	/* 20 ms in a 1 s window: too little to matter */
	assert_int_equal(lock_findings(10, 20, 0, false, sev), 0);
	/* the Go parks' finding stands alone */
	assert_int_equal(lock_findings(1000, 1600, 0, true, sev), 1);
	assert_string_equal(sev, "warning");
	/* the block's name both ways */
	assert_string_equal(sched__block_name(FP_SCHED_BLOCK_FUTEX_LOCK), "futex_lock");
	assert_int_equal(sched__block_nr("futex_lock"), FP_SCHED_BLOCK_FUTEX_LOCK);
	assert_int_equal(sched__block_nr("futex"), syscall__nr("futex"));
}

static void test_text(void **state)
{
	struct fp_proc p = { .pid = 1, .sched = stats(1, 20, 1, 20, 25) };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	text__sched(f, &p);
	fclose(f);
	assert_non_null(strstr(buf, "waits: run queue 20.00 ms in 20 waits"));
	assert_non_null(strstr(buf, "off CPU (blocked) 500.00 ms in 20 periods"));
	assert_non_null(strstr(buf, "clock_nanosleep"));
	free(buf);
	sched_stats__free(p.sched);
}

/* Off-CPU stacks: weights in ns, deltas matched by frames, the JSON round
 * trip, what the text names (the first kernel frame not the scheduler's,
 * a hostile symbol escaped) and the folded lines in microseconds. */
static void add_stack(struct fp_sched_stats *s, const char *user, uint64_t ns)
{
	const char *frames[] = { "__schedule [kernel]", "schedule [kernel]", "pipe_read [kernel]", user, "main w.c:3" };

	if (!s->stacks)
		s->stacks = cpu_prof__new(0);
	assert_int_equal(cpu_prof__add(s->stacks, frames, 5, 3, ns), 0);
}

static void test_offcpu_stacks(void **state)
{
	struct fp_sched_stats *a = stats(1, 0, 0, 3, 10), *b = stats(1, 0, 0, 9, 10), *d, *back = NULL;
	struct fp_proc p = { .pid = 7, .comm = "w" };
	struct fp_snapshot snap = { .procs = &p, .nprocs = 1 };
	char err[128] = "", *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_t *j;

	add_stack(a, "reader w.c:9", 30 * MS);
	cpu_prof__finish(a->stacks);
	add_stack(b, "reader w.c:9", 50 * MS);
	add_stack(b, "evil\x1b[2J w.c:1", 40 * MS + 1);
	cpu_prof__finish(b->stacks);
	d = sched_stats__delta(b, a);
	assert_int_equal(d->stacks->nstacks, 2);
	assert_int_equal(d->stacks->stacks[0].count, 40 * MS + 1);	/* the new one, now the largest */
	assert_int_equal(d->stacks->stacks[1].count, 20 * MS);
	assert_int_equal(sched__stack_kernel_frame(&d->stacks->stacks[0]), 2);
	/* JSON: {frames, kernel_frames, ns}, back the same */
	j = json_sched__from(b, 1.0);
	assert_int_equal(json_array_size(json_object_get(j, "off_cpu_stacks")), 2);
	assert_int_equal(json_sched__parse(j, &back, err, sizeof(err)), 0);
	assert_int_equal(back->stacks->nstacks, 2);
	assert_int_equal(back->stacks->stacks[0].count, 50 * MS);
	assert_int_equal(back->stacks->stacks[0].nkernel, 3);
	json_decref(j);
	/* text: "in pipe_read [kernel]", the user frames, control bytes escaped */
	p.sched = b;
	f = open_memstream(&buf, &len);
	text__sched(f, &p);
	fclose(f);
	assert_non_null(strstr(buf, "in pipe_read [kernel]"));
	assert_non_null(strstr(buf, "reader w.c:9"));
	assert_null(strchr(buf, 0x1b));
	free(buf);
	/* folded: root first, kernel frames _[k], microseconds rounded up */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(folded__write_offcpu(f, &snap, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "w;main;reader;pipe_read_[k];schedule_[k];__schedule_[k] 50000\n"));
	assert_non_null(strstr(buf, " 40001\n"));
	assert_null(strchr(buf, 0x1b));
	free(buf);
	/* none recorded: one line naming the option */
	p.sched = a;
	cpu_prof__free(a->stacks);
	a->stacks = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(folded__write_offcpu(f, &snap, err, sizeof(err)), -ENOENT);
	fclose(f);
	free(buf);
	assert_non_null(strstr(err, "--waits=stacks"));
	sched_stats__free(back);
	sched_stats__free(d);
	sched_stats__free(a);
	sched_stats__free(b);
}

/* top: RQp99 and OFF% cells, and 80 columns holding them with --waits */
static void test_top_columns_80(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = snapshot__proc(s, 7, true);
	struct top_layout L;
	struct top_row r;
	char buf[16], line[256];

	s->interval_s = 1.0;
	snprintf(p->comm, sizeof(p->comm), "waits");
	p->sched = stats(250, 100, 4, 1, 500);	/* 500 of 250 + 400 + 500 ms blocked */
	toprows__build(s, &r, 1, NULL, 3, false);
	assert_string_equal(topfmt__cell(&r, TOP_RQ, buf, sizeof(buf)), "4.0ms");
	assert_string_equal(topfmt__cell(&r, TOP_OFF, buf, sizeof(buf)), "43%");
	assert_true(toplayout__has_waits(s));
	toplayout__fit_waits(&L, 80, true);
	assert_true(L.total <= 80);
	assert_true(L.width[TOP_RQ] == 5 && L.width[TOP_OFF] == 4);
	assert_true(L.width[TOP_FLAGS] >= 7);
	toplayout__header(&L, 0, line, sizeof(line));
	assert_non_null(strstr(line, "WAITS"));
	toplayout__row(&L, &r, line, sizeof(line));
	assert_int_equal((int)strlen(line), L.total);
	assert_non_null(strstr(line, "4.0ms  43%"));
	/* without --waits the columns are not there, the layout is as before */
	toplayout__fit(&L, 80);
	assert_int_equal(L.width[TOP_RQ], 0);
	assert_int_equal(L.width[TOP_OFF], 0);
	assert_true(L.width[TOP_ERR] > 0);
	toplayout__fit_waits(&L, 200, true);
	assert_true(L.width[TOP_ZCR] > 0 && L.width[TOP_ERR] > 0 && L.width[TOP_AMB] > 0);
	snapshot__free(s);
}

static void test_prom_histograms(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = snapshot__proc(s, 7, true);
	struct fp_prom_opts o = { .self_cpu_s = -1, .read_s = -1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	snprintf(p->comm, sizeof(p->comm), "waits");
	p->sched = stats(250, 100, 4, 2, 500);
	prom__write(f, s, &o);
	fclose(f);
	assert_non_null(strstr(buf, "# TYPE fastpath_run_queue_delay_seconds histogram"));
	assert_non_null(strstr(buf, "fastpath_run_queue_delay_seconds_count{comm=\"waits\"} 100\n"));
	assert_non_null(strstr(buf, "fastpath_off_cpu_seconds_sum{comm=\"waits\"} 1\n"));
	free(buf);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_and_share),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_cpu_saturated_thresholds),
		cmocka_unit_test(test_lock_contention_thresholds),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_top_columns_80),
		cmocka_unit_test(test_prom_histograms),
		cmocka_unit_test(test_offcpu_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
