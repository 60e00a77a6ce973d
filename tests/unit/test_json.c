/* Unit tests: the recording's JSON, written and read back. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "views/json.h"
#include "views/text.h"
#include "model/syscalls.h"
#include "model/statfam.h"
#include "model/alloc.h"
#include "model/cpu.h"
#include "model/cpu_prof.h"
#include "util/escape.h"

static struct fp_snapshot *sample(void)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = snapshot__proc(s, 4242, true);
	struct fp_sys_stat *st;

	snprintf(s->meta.host, sizeof(s->meta.host), "testhost");
	snprintf(s->meta.target, sizeof(s->meta.target), "pid 4242");
	s->meta.duration_s = 2.5;
	s->drops[FP_DROP_SYS_STATS] = 7;
	snprintf(p->comm, sizeof(p->comm), "server");
	p->exe = strdup("/usr/bin/server");
	p->ppid = 1;
	st = proc__sys(p, syscall__nr("getppid"), true);
	st->calls = 1000;
	for (int i = 0; i < 1000; i++)
		hist__add(&st->lat, 100 + i, 1);
	st->total_ns = st->lat.sum;
	st = proc__sys(p, syscall__nr("openat"), true);
	st->calls = 20;
	st->errors = 20;
	hist__add(&st->lat, 2000, 20);
	st->total_ns = st->lat.sum;
	proc__add_finding(p, "stat-storm", "warning", "summary \"quoted\"", "detail");
	return s;
}

static char *write_tmp(struct fp_snapshot *s)
{
	static char path[32];
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fastpath-unit-XXXXXX");	/* mkstemp fills it in */
	fd = mkstemp(path);
	f = fdopen(fd, "w");

	assert_int_equal(json__write_record(f, s), 0);
	fclose(f);
	return path;
}

/* Rates per process are over its own traced time: a child that lived
 * 20 ms of a 2 s recording, one alive throughout, one seen late; the
 * figure survives the JSON round trip (traced_s). */
static void test_proc_secs(void **state)
{
	struct fp_snapshot *s = snapshot__new(), *r = NULL;
	struct fp_proc *a, *b, *c;
	char err[128] = "";
	char *path;

	s->meta.duration_s = 2.0;
	s->ts_ns = 10000000000ULL;		/* the window is [8 s, 10 s] */
	a = snapshot__proc(s, 1, true);
	a->first_ns = 9000000000ULL;
	a->exit_ns = 9020000000ULL;
	a->exited = true;
	b = snapshot__proc(s, 2, true);
	b->first_ns = 5000000000ULL;		/* before the window: counts from its start */
	c = snapshot__proc(s, 3, true);	/* never stamped: the whole window */
	assert_true(fabs(snapshot__proc_secs(s, a) - 0.02) < 1e-9);
	assert_true(fabs(snapshot__proc_secs(s, b) - 2.0) < 1e-9);
	assert_true(fabs(snapshot__proc_secs(s, c) - 2.0) < 1e-9);
	path = write_tmp(s);
	assert_int_equal(json__read_record(path, &r, err, sizeof(err)), 0);
	unlink(path);
	assert_true(fabs(snapshot__proc_secs(r, snapshot__proc(r, 1, false)) - 0.02) < 1e-9);
	snapshot__free(r);
	snapshot__free(s);
}

static void test_roundtrip(void **state)
{
	struct fp_snapshot *s = sample(), *r = NULL;
	char err[256] = "", *path = write_tmp(s);
	struct fp_sys_stat *a, *b;

	assert_int_equal(json__read_record(path, &r, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(r->nprocs, 1);
	assert_int_equal(r->procs[0].pid, 4242);
	assert_string_equal(r->procs[0].comm, "server");
	assert_string_equal(r->procs[0].exe, "/usr/bin/server");
	assert_string_equal(r->meta.host, "testhost");
	assert_true(r->meta.duration_s == 2.5);
	assert_int_equal(r->drops[FP_DROP_SYS_STATS], 7);
	a = proc__sys(&s->procs[0], 110, false);
	b = proc__sys(&r->procs[0], 110, false);
	assert_non_null(b);
	assert_int_equal(b->calls, a->calls);
	assert_int_equal(b->lat.count, 1000);
	assert_memory_equal(b->lat.b, a->lat.b, sizeof(a->lat.b));
	assert_int_equal(b->lat.min, 100);
	assert_int_equal(b->lat.max, 1099);
	assert_int_equal(proc__sys(&r->procs[0], 257, false)->errors, 20);
	assert_int_equal(r->procs[0].nfindings, 1);
	assert_string_equal(r->procs[0].findings[0].summary, "summary \"quoted\"");
	snapshot__free(s);
	snapshot__free(r);
}

/* Strings a traced process chooses: not UTF-8, controls, a forged line. */
#define BAD_PATH "/tmp/a\nb\nfake: line\xff\xfe\x1b[2J"
#define BAD_COMM "x\xc3(\x9b"
#define BAD_EXE "/opt/\xe9t\xe9/bin"
#define BAD_FRAME "sym\xff\x80"
#define OK_FRAME "caf\xc3\xa9 main.c:3"

static void test_untrusted_strings_lossless(void **state)
{
	struct fp_snapshot *s = sample(), *r = NULL;
	struct fp_proc *p = &s->procs[0];
	const char *frames[] = { OK_FRAME, BAD_FRAME };
	char err[256] = "", *path, *text = NULL;
	size_t len;
	FILE *f;

	snprintf(p->comm, sizeof(p->comm), "%s", BAD_COMM);
	free(p->exe);
	p->exe = strdup(BAD_EXE);
	snprintf(s->meta.target, sizeof(s->meta.target), "command: ls %s", BAD_PATH);
	p->stat = stat_stats__new(true);
	assert_int_equal(stat_stats__add_path(p->stat, 0, BAD_PATH, false, 5, 1), 0);
	assert_int_equal(stat_stats__add_path(p->stat, 0, "/etc/passwd", false, 3, 0), 0);
	assert_int_equal(stat_stats__add_dir(p->stat, "/tmp/\xff", 5, 1), 0);
	p->alloc = alloc_stats__new();
	assert_int_equal(alloc_stats__add_site(p->alloc, frames, 2, 10, 100), 0);
	p->cpu = cpu_stats__new();
	p->cpu->prof = cpu_prof__new(99);
	assert_int_equal(cpu_prof__add(p->cpu->prof, frames, 2, 0, 7), 0);
	p->cpu->prof->samples = 7;

	/* the JSON is valid (jansson wrote and reads it) and keeps every byte */
	path = write_tmp(s);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&text, &len, 0, f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "\"path_b64\""));
	assert_non_null(strstr(text, "\"comm_b64\""));
	assert_non_null(strstr(text, "\"frames_b64\""));
	/* the display form stands beside it, "/etc/passwd" has no _b64 */
	assert_non_null(strstr(text, "\"path\": \"/tmp/a\\\\nb\\\\nfake: line\\\\xff\\\\xfe\\\\x1b[2J\""));
	free(text);
	assert_int_equal(json__read_record(path, &r, err, sizeof(err)), 0);
	unlink(path);
	p = &r->procs[0];
	assert_string_equal(p->comm, BAD_COMM);
	assert_string_equal(p->exe, BAD_EXE);
	assert_non_null(strstr(r->meta.target, BAD_PATH));
	assert_non_null(p->stat);
	assert_int_equal(p->stat->npaths, 2);
	assert_string_equal(p->stat->paths[0].path, BAD_PATH);
	assert_int_equal(p->stat->paths[0].calls, 5);
	assert_string_equal(p->stat->paths[1].path, "/etc/passwd");
	assert_string_equal(p->stat->dirs[0].dir, "/tmp/\xff");
	assert_int_equal(p->alloc->nsites, 1);
	assert_string_equal(p->alloc->sites[0].frames[0], OK_FRAME);
	assert_string_equal(p->alloc->sites[0].frames[1], BAD_FRAME);
	assert_int_equal(p->cpu->prof->nstacks, 1);
	assert_string_equal(p->cpu->prof->stacks[0].frames[1], BAD_FRAME);
	snapshot__free(s);
	snapshot__free(r);
}

static void test_text_escapes(void **state)
{
	struct fp_snapshot *s = sample();
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	snprintf(s->procs[0].comm, sizeof(s->procs[0].comm), "%s", BAD_COMM);
	free(s->procs[0].exe);
	s->procs[0].exe = strdup(BAD_PATH);
	text__record(f, s);
	fclose(f);
	assert_non_null(strstr(out, "(x\\xc3(\\x9b)"));
	assert_non_null(strstr(out, "/tmp/a\\nb\\nfake: line\\xff\\xfe\\x1b[2J"));
	for (size_t i = 0; i < len; i++)
		assert_false(((unsigned char)out[i] < 0x20 && out[i] != '\n') || (unsigned char)out[i] >= 0x7f);
	free(out);
	snapshot__free(s);
}

static int read_text(const char *text, char *err, size_t len)
{
	char path[] = "/tmp/fastpath-unit-XXXXXX";
	struct fp_snapshot *r = NULL;
	int fd = mkstemp(path), e;

	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	e = json__read_record(path, &r, err, len);
	unlink(path);
	snapshot__free(r);
	return e;
}

static void test_bad_inputs(void **state)
{
	char err[512];

	assert_int_equal(read_text("", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty file"));
	assert_int_equal(read_text("{\"schema\": \"fastpath.record/1\", \"proc", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON at line 1"));
	assert_int_equal(read_text("{\"schema\": \"other/2\"}", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected \"fastpath.record/1\""));
	assert_int_equal(read_text("[1,2]", err, sizeof(err)), -EINVAL);
	assert_int_equal(read_text("{\"schema\": \"fastpath.record/1\", \"processes\": [{\"pid\": 1, \"comm\": \"x\", "
				   "\"syscalls\": {\"read\": {\"calls\": -1}}}]}", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "processes[0].syscalls.read.calls"));
	assert_int_equal(json__read_record("/", NULL, err, sizeof(err)), -EISDIR);
	assert_int_equal(json__read_record("/nonexistent.json", NULL, err, sizeof(err)), -ENOENT);
}

static void test_text_table(void **state)
{
	struct fp_snapshot *s = sample();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	text__record(f, s);
	fclose(f);
	assert_non_null(strstr(buf, "pid 4242 (server)"));
	assert_non_null(strstr(buf, "getppid"));
	/* sorted by total time: getppid (~600 us) before openat (40 us) */
	assert_true(strstr(buf, "getppid") < strstr(buf, "openat"));
	assert_non_null(strstr(buf, "dropped: 7 (syscall_stats_full)"));
	assert_non_null(strstr(buf, "stat-storm"));
	free(buf);
	snapshot__free(s);
}

static void test_delta(void **state)
{
	struct fp_snapshot *a = sample(), *b = sample(), *d;
	struct fp_sys_stat *st = proc__sys(&b->procs[0], 110, false);

	st->calls += 500;
	hist__add(&st->lat, 50000, 500);
	a->ts_ns = 1000000000;
	b->ts_ns = 3000000000;
	d = snapshot__delta(b, a);
	assert_non_null(d);
	assert_true(d->interval_s == 2.0);
	assert_int_equal(proc__sys(&d->procs[0], 110, false)->calls, 500);
	assert_int_equal(proc__sys(&d->procs[0], 110, false)->lat.count, 500);
	/* unchanged syscalls are absent from the interval */
	assert_null(proc__sys(&d->procs[0], 257, false));
	snapshot__free(a);
	snapshot__free(b);
	snapshot__free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_proc_secs),
		cmocka_unit_test(test_untrusted_strings_lossless),
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_delta),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
