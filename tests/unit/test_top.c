/* Unit tests: top's table (rows, sorting, filtering, cells, layout),
 * histogram bars and the detail/batch views, on hand-made
 * snapshots. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "views/topfmt.h"
#include "views/detail.h"
#include "views/batch.h"
#include "model/syscalls.h"
#include "model/statfam.h"
#include "model/io.h"
#include "model/alloc.h"

#define NR_GETPPID 110
#define NR_OPENAT 257

static char buf[512];

/* A process with calls getppid (latency lat ns each) and errs failed openat. */
static struct fp_proc *add_proc(struct fp_snapshot *s, int pid, const char *comm,
				uint64_t calls, uint64_t errs, uint64_t lat)
{
	struct fp_proc *p = snapshot__proc(s, pid, true);
	struct fp_sys_stat *st;

	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	if (calls) {
		st = proc__sys(p, NR_GETPPID, true);
		st->calls = calls;
		st->total_ns = calls * lat;
		hist__add(&st->lat, lat, calls);
	}
	if (errs) {
		st = proc__sys(p, NR_OPENAT, true);
		st->calls = st->errors = errs;
		st->total_ns = errs * lat;
		hist__add(&st->lat, lat, errs);
	}
	return p;
}

static struct fp_snapshot *snap(double interval_s)
{
	struct fp_snapshot *s = snapshot__new();

	s->interval_s = interval_s;
	s->ts_ns = 100ULL * 1000000000ULL;
	snprintf(s->meta.host, sizeof(s->meta.host), "h");
	return s;
}

static void test_rows_rates_and_missing_sections(void **state)
{
	struct fp_snapshot *s = snap(2.0);
	struct top_row rows[4];
	size_t n;

	add_proc(s, 10, "busy", 2000, 100, 1000);
	n = toprows__build(s, rows, 4, NULL, 3, false);
	assert_int_equal(n, 1);
	assert_true(rows[0].v[TOP_SYS] == 1050);	/* (2000 + 100) / 2 s */
	assert_true(rows[0].v[TOP_ERR] == 50);
	assert_true(rows[0].v[TOP_P99] >= 1000 && rows[0].v[TOP_P99] < 1250);
	/* no io/stat/alloc section: '-' */
	assert_string_equal(topfmt__cell(&rows[0], TOP_STAT, buf, sizeof(buf)), "-");
	assert_string_equal(topfmt__cell(&rows[0], TOP_COPY, buf, sizeof(buf)), "-");
	assert_string_equal(topfmt__cell(&rows[0], TOP_ZCR, buf, sizeof(buf)), "-");
	assert_string_equal(topfmt__cell(&rows[0], TOP_ALLOC, buf, sizeof(buf)), "-");
	assert_string_equal(topfmt__cell(&rows[0], TOP_SYS, buf, sizeof(buf)), "1050");
	assert_string_equal(topfmt__cell(&rows[0], TOP_PID, buf, sizeof(buf)), "10");
	snapshot__free(s);
}

static void test_sort_filter_linger(void **state)
{
	struct fp_snapshot *s = snap(1.0);
	struct top_row rows[8];
	struct fp_proc *p;
	size_t n;

	add_proc(s, 30, "alpha", 10, 0, 5000);
	add_proc(s, 20, "beta", 300, 0, 100);
	add_proc(s, 40, "gamma", 0, 0, 0);	/* idle */
	p = add_proc(s, 50, "old", 5, 0, 100);	/* exited 10 s ago */
	p->exited = true;
	p->exit_ns = s->ts_ns - 10ULL * 1000000000ULL;
	p = add_proc(s, 60, "recent", 5, 0, 100);	/* exited 1.5 s ago */
	p->exited = true;
	p->exit_ns = s->ts_ns - 1500000000ULL;

	/* linger 3: "old" is gone, "recent" stays */
	n = toprows__build(s, rows, 8, NULL, 3, false);
	assert_int_equal(n, 4);
	toprows__sort(rows, n, TOP_SYS, true);
	assert_int_equal(rows[0].pid, 20);
	assert_int_equal(rows[1].pid, 30);
	assert_int_equal(rows[3].pid, 40);
	toprows__sort(rows, n, TOP_PID, false);
	assert_int_equal(rows[0].pid, 20);
	assert_int_equal(rows[3].pid, 60);
	assert_true(rows[3].exited);
	toprows__sort(rows, n, TOP_COMM, false);
	assert_int_equal(rows[0].pid, 30);	/* alpha */
	toprows__sort(rows, n, TOP_P99, true);
	assert_int_equal(rows[0].pid, 30);	/* 5 us */
	assert_int_equal(rows[3].pid, 40);	/* no latency: last either way */
	toprows__sort(rows, n, TOP_P99, false);
	assert_int_equal(rows[3].pid, 40);

	/* filter by name (any case) or pid prefix */
	assert_int_equal(toprows__build(s, rows, 8, "ALP", 3, false), 1);
	assert_int_equal(rows[0].pid, 30);
	assert_int_equal(toprows__build(s, rows, 8, "4", 3, false), 1);
	assert_int_equal(rows[0].pid, 40);
	/* batch: only active ones, and those that exited in the interval */
	n = toprows__build(s, rows, 8, NULL, 1, true);
	assert_int_equal(n, 2);
	snapshot__free(s);
}

static void test_flags(void **state)
{
	struct fp_snapshot *s = snap(1.0);
	struct fp_proc *p = add_proc(s, 1, "x", 1, 0, 1);
	struct top_row r;

	assert_string_equal(topfmt__flags(p, 20, buf, sizeof(buf)), "");
	proc__add_finding(p, "stat-storm", "warning", "s", "d");
	assert_string_equal(topfmt__flags(p, 20, buf, sizeof(buf)), "STAT-STORM");
	assert_string_equal(topfmt__flags(p, 7, buf, sizeof(buf)), "STORM");
	proc__add_finding(p, "sendfile-lost", "critical", "s", "d");
	assert_string_equal(topfmt__flags(p, 40, buf, sizeof(buf)), "STAT-STORM,SENDFILE-LOST");
	assert_string_equal(topfmt__flags(p, 13, buf, sizeof(buf)), "STORM,SF-LOST");
	assert_string_equal(topfmt__flags(p, 8, buf, sizeof(buf)), "STORM+1");
	assert_string_equal(topfmt__flags(p, 3, buf, sizeof(buf)), "STO");
	toprows__build(s, &r, 1, NULL, 3, false);
	assert_int_equal(r.severity, 3);
	snapshot__free(s);
}

static void test_layout_80(void **state)
{
	struct fp_snapshot *s = snap(1.0);
	struct top_layout L;
	struct top_row r;
	char line[256];

	toplayout__fit(&L, 80);
	assert_true(L.total <= 80);
	assert_true(L.width[TOP_FLAGS] >= 7);
	toplayout__fit(&L, 200);
	assert_int_equal(L.width[TOP_COMM], 15);
	assert_int_equal(L.total, 200);
	toplayout__fit(&L, 80);
	add_proc(s, 4194304, "a-very-long-nam", 123456789, 0, 100);
	proc__add_finding(&s->procs[0], "alloc-churn", "warning", "", "");
	toprows__build(s, &r, 1, NULL, 3, false);
	toplayout__row(&L, &r, line, sizeof(line));
	assert_int_equal((int)strlen(line), L.total);
	assert_non_null(strstr(line, "4194304 a-very-lon"));
	assert_non_null(strstr(line, "123M"));
	assert_non_null(strstr(line, "CHURN"));
	toplayout__header(&L, 1, line, sizeof(line));
	assert_non_null(strstr(line, "PID COMM"));
	assert_non_null(strstr(line, "FLAGS"));
	toplayout__header(&L, 0, line, sizeof(line));
	assert_non_null(strstr(line, "SYSCALLS"));
	snapshot__free(s);
}

static void test_bars(void **state)
{
	assert_string_equal(topfmt__bar(10, 10, 20, buf, sizeof(buf)), "####################");
	assert_string_equal(topfmt__bar(5, 10, 20, buf, sizeof(buf)), "##########");
	assert_string_equal(topfmt__bar(1, 1000, 20, buf, sizeof(buf)), "#");
	assert_string_equal(topfmt__bar(0, 1000, 20, buf, sizeof(buf)), "");
	assert_true(top__cpu_pct(5e6, 0.5) == 1.0);	/* 5 ms in 0.5 s */
}

static bool detail_has(const struct detail *d, const char *needle)
{
	for (size_t i = 0; i < detail__count(d); i++)
		if (strstr(detail__line(d, i)->text, needle))
			return true;
	return false;
}

static void test_detail(void **state)
{
	struct fp_snapshot *s = snap(1.0);
	struct fp_proc *p = add_proc(s, 7, "srv", 1000, 10, 700);
	struct detail *d = detail__new();
	bool bar = false;

	proc__add_finding(p, "stat-storm", "warning", "42,000 stat calls/s", "most fail with ENOENT");
	detail__proc(d, p, 1.0, 80);
	assert_true(detail_has(d, "pid 7 (srv)"));
	assert_true(detail_has(d, "[warning] stat-storm: 42,000 stat calls/s"));
	assert_true(detail_has(d, "most fail with ENOENT"));
	assert_true(detail_has(d, "getppid"));
	assert_true(detail_has(d, "openat"));
	assert_true(detail_has(d, "syscall latency: 1010 samples"));
	for (size_t i = 0; i < detail__count(d); i++) {
		const struct detail_line *l = detail__line(d, i);

		assert_true(strlen(l->text) <= 80);
		if (l->bar_len) {
			bar = true;
			assert_int_equal(l->text[l->bar_x], '#');
		}
	}
	assert_true(bar);
	detail__free(d);
	snapshot__free(s);
}

static void test_detail_stat_section(void **state)
{
	struct fp_snapshot *s = snap(2.0);
	struct fp_proc *p = add_proc(s, 9, "storm", 10, 0, 700);
	struct detail *d = detail__new();
	struct fp_stat_sys *sys;
	struct top_row r;

	p->stat = stat_stats__new(true);
	sys = stat_stats__sys(p->stat, 262);	/* newfstatat */
	sys->calls = 3000;
	sys->err[FP_STAT_ENOENT] = 2000;
	stat_stats__add_path(p->stat, 1, "/a/missing.py", false, 2000, 2000);
	stat_stats__add_path(p->stat, 2, "/etc/hostname", false, 1000, 0);
	stat_stats__finish(p->stat);
	toprows__build(s, &r, 1, NULL, 3, false);
	assert_true(r.v[TOP_STAT] == 1500);	/* 3000 in 2 s */
	assert_string_equal(topfmt__cell(&r, TOP_STAT, buf, sizeof(buf)), "1500");
	detail__proc(d, p, 2.0, 80);
	assert_true(detail_has(d, "STAT FAMILY"));
	assert_true(detail_has(d, "1500 calls/s; errors/s: ENOENT 1000"));
	assert_true(detail_has(d, "/a/missing.py"));
	assert_true(detail_has(d, "top directories"));
	/* busiest path first */
	for (size_t i = 0; i < detail__count(d); i++) {
		const char *t = detail__line(d, i)->text;

		if (strstr(t, "/etc/hostname"))
			fail_msg("/etc/hostname (500/s) listed before /a/missing.py (1000/s)");
		if (strstr(t, "/a/missing.py"))
			break;
	}
	detail__free(d);
	snapshot__free(s);
}

static void test_detail_io_section(void **state)
{
	struct fp_snapshot *s = snap(1.0);
	struct fp_proc *p = add_proc(s, 11, "srv", 10, 0, 700);
	struct detail *d = detail__new();
	struct top_row r;

	/* 2 MiB read from a file and written to a unix socket, by copying */
	p->io = io_stats__new();
	io_stats__add(p->io, FP_NR_read, FP_FD_FILE, FP_FD_MEMORY, 64, 2 << 20);
	io_stats__add(p->io, FP_NR_write, FP_FD_MEMORY, FP_FD_UNIX, 64, 2 << 20);
	io_stats__finish(p->io);
	toprows__build(s, &r, 1, NULL, 3, false);
	assert_string_equal(topfmt__cell(&r, TOP_COPY, buf, sizeof(buf)), "4.00");
	assert_string_equal(topfmt__cell(&r, TOP_ZC, buf, sizeof(buf)), "0");
	assert_string_equal(topfmt__cell(&r, TOP_ZCR, buf, sizeof(buf)), "0%");
	detail__proc(d, p, 1.0, 80);
	assert_true(detail_has(d, "DATA PATH BY FD KIND"));
	assert_true(detail_has(d, "  file             2.00        0        0        0"));
	assert_true(detail_has(d, "  socket:unix         0     2.00        0        0"));
	detail__free(d);
	snapshot__free(s);
}

static void test_detail_alloc_section(void **state)
{
	struct fp_snapshot *s = snap(2.0);
	struct fp_proc *p = add_proc(s, 12, "churn", 10, 0, 700);
	struct detail *d = detail__new();
	const char *const site[] = { "malloc", "make_object demo_alloc.c:41", "main demo_alloc.c:80" };
	const char *const other[] = { "malloc", "rare demo_alloc.c:99" };
	struct top_row r;
	bool seen_rare = false;

	p->alloc = alloc_stats__new();
	p->alloc->libc = true;
	p->alloc->fn[alloc__fn_index("malloc")] = (struct fp_alloc_count){ 4000, 4 << 20 };
	p->alloc->fn[FP_ALLOC_FREE] = (struct fp_alloc_count){ 4000, 0 };
	alloc_stats__add_site(p->alloc, other, 2, 100, 1 << 10);
	alloc_stats__add_site(p->alloc, site, 3, 3900, 4 << 20);
	toprows__build(s, &r, 1, NULL, 3, false);
	assert_string_equal(topfmt__cell(&r, TOP_ALLOC, buf, sizeof(buf)), "2000");
	assert_string_equal(topfmt__cell(&r, TOP_AMB, buf, sizeof(buf)), "2.00");
	detail__proc(d, p, 2.0, 80);
	assert_true(detail_has(d, "ALLOCATOR (this interval)"));
	assert_true(detail_has(d, "malloc 2000/s (2.00 MiB/s)"));
	assert_true(detail_has(d, "free 2000/s"));
	assert_true(detail_has(d, "top allocation sites"));
	/* busiest site first, frames leaf first */
	for (size_t i = 0; i < detail__count(d); i++) {
		const char *t = detail__line(d, i)->text;

		if (strstr(t, "rare demo_alloc.c:99"))
			seen_rare = true;
		if (strstr(t, "malloc < make_object demo_alloc.c:41 < main"))
			assert_false(seen_rare);
	}
	assert_true(seen_rare);
	detail__free(d);
	snapshot__free(s);
}

static void test_batch_json(void **state)
{
	struct fp_snapshot *s = snap(0.5);
	struct top_info in = { .seq = 3, .bpf_stats = true };
	json_t *j, *p;

	add_proc(s, 7, "srv", 1000, 0, 700);
	add_proc(s, 8, "idle", 0, 0, 0);
	s->bpf_run_ns = 5000000;
	j = batch__json(s, &in);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "fastpath.top/1");
	assert_int_equal(json_integer_value(json_object_get(j, "interval")), 3);
	assert_true(json_real_value(json_object_get(json_object_get(j, "self"), "bpf_cpu_pct")) == 1.0);
	assert_int_equal(json_array_size(json_object_get(j, "processes")), 1);	/* idle left out */
	p = json_array_get(json_object_get(j, "processes"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(p, "syscalls"), "getppid"), "calls")), 1000);
	assert_true(json_real_value(json_object_get(json_object_get(p, "rates"), "syscalls")) == 2000);
	assert_null(json_object_get(json_object_get(p, "rates"), "allocs"));	/* no alloc section */
	json_decref(j);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_rates_and_missing_sections),
		cmocka_unit_test(test_sort_filter_linger),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_layout_80),
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_detail),
		cmocka_unit_test(test_detail_stat_section),
		cmocka_unit_test(test_detail_io_section),
		cmocka_unit_test(test_detail_alloc_section),
		cmocka_unit_test(test_batch_json),
	};

	return cmocka_run_group_tests_name("top", tests, NULL, NULL);
}
