/* Unit tests of the data-path model, its JSON and the sendfile-lost rule. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/io.h"
#include "model/findings.h"
#include "views/json.h"

#define MiB (1ULL << 20)

/* A file server's copy loop: n reads of chunk from a file and n writes of
 * chunk to a TCP socket, with the size histograms the kernel would keep. */
static void copy_loop(struct fp_io_stats *s, uint64_t n, uint64_t chunk)
{
	assert_int_equal(io_stats__add(s, FP_NR_read, FP_FD_FILE, FP_FD_MEMORY, n, n * chunk), 0);
	assert_int_equal(io_stats__add(s, FP_NR_write, FP_FD_MEMORY, FP_FD_TCP, n, n * chunk), 0);
	hist__add(io_stats__size(s, FP_IO_COPY_IN, FP_FD_FILE), chunk, n);
	hist__add(io_stats__size(s, FP_IO_COPY_OUT, FP_FD_TCP), chunk, n);
}

static void sendfile_calls(struct fp_io_stats *s, uint64_t n, uint64_t chunk)
{
	assert_int_equal(io_stats__add(s, FP_NR_sendfile, FP_FD_FILE, FP_FD_TCP, n, n * chunk), 0);
	hist__add(io_stats__size(s, FP_IO_ZERO_COPY, FP_FD_TCP), chunk, n);
}

static struct fp_proc *proc_with(struct fp_snapshot *snap, struct fp_io_stats *io)
{
	struct fp_proc *p = snapshot__proc(snap, 42, true);

	assert_non_null(p);
	io_stats__finish(io);
	p->io = io;
	return p;
}

static void test_totals_and_ratio(void **state)
{
	struct fp_io_stats *s = io_stats__new();
	struct fp_named_hist nh[4];

	assert_true(io_stats__zero_copy_ratio(s) < 0);
	copy_loop(s, 32, 32768);
	sendfile_calls(s, 3, MiB);
	/* copy-out to a pipe is not file/socket traffic: outside the ratio */
	io_stats__add(s, FP_NR_write, FP_FD_MEMORY, FP_FD_PIPE, 1, 1000);
	/* a failed read on a closed fd: a call, no bytes */
	io_stats__add(s, FP_NR_read, FP_FD_NONE, FP_FD_MEMORY, 1, 0);
	io_stats__finish(s);
	assert_int_equal(io_stats__copy_bytes(s), 2 * MiB + 1000);
	assert_int_equal(io_stats__zero_copy_bytes(s), 3 * MiB);
	assert_int_equal(io_stats__calls(s, FP_IO_COPY_IN), 33);
	assert_int_equal(io_stats__flow_bytes(s, FP_IO_COPY_OUT, FP_FD_MEMORY, FP_FD_SOCKET), MiB);
	assert_int_equal(io_stats__flow_bytes(s, FP_IO_ZERO_COPY, FP_FD_FILE, FP_FD_SOCKET), 3 * MiB);
	assert_int_equal(io_stats__socket_bytes(s, FP_IO_COPY_OUT, FP_FD_TCP), MiB);
	assert_int_equal(io_stats__socket_bytes(s, FP_IO_COPY_OUT, FP_FD_UDP), 0);
	/* 3 MiB by sendfile out of 4 MiB written to sockets */
	assert_true(io_stats__zero_copy_ratio(s) > 0.7499 && io_stats__zero_copy_ratio(s) < 0.7501);
	assert_int_equal(io_stats__hists(s, nh, 4), 3);
	assert_string_equal(nh[0].name, "copy_in size");
	assert_int_equal(nh[0].h->count, 32);
	assert_int_equal(nh[0].h->sum, MiB);
	assert_int_equal(nh[2].h->sum, 3 * MiB);
	assert_int_equal(io_stats__add(s, 39 /* getpid */, FP_FD_FILE, FP_FD_MEMORY, 1, 1), -EINVAL);
	io_stats__free(s);
}

static void test_delta_and_clone(void **state)
{
	struct fp_io_stats *prev = io_stats__new(), *cur, *d;

	copy_loop(prev, 10, 32768);
	io_stats__finish(prev);
	cur = io_stats__clone(prev);
	assert_non_null(cur);
	assert_int_equal(io_stats__copy_bytes(cur), io_stats__copy_bytes(prev));
	copy_loop(cur, 5, 32768);
	sendfile_calls(cur, 2, 4096);
	io_stats__finish(cur);
	d = io_stats__delta(cur, prev);
	assert_non_null(d);
	assert_int_equal(io_stats__calls(d, FP_IO_COPY_IN), 5);
	assert_int_equal(io_stats__copy_bytes(d), 2 * 5 * 32768);
	assert_int_equal(io_stats__zero_copy_bytes(d), 8192);
	assert_int_equal(d->merged[FP_IO_COPY_IN].count, 5);
	assert_int_equal(d->merged[FP_IO_ZERO_COPY].count, 2);
	io_stats__free(d);
	d = io_stats__delta(cur, NULL);
	assert_int_equal(io_stats__copy_bytes(d), 2 * 15 * 32768);
	io_stats__free(d);
	io_stats__free(cur);
	io_stats__free(prev);
}

static void test_json_round_trip(void **state)
{
	struct fp_io_stats *s = io_stats__new(), *back = NULL;
	char err[256] = "";
	json_t *j, *again;

	copy_loop(s, 32, 32768);
	sendfile_calls(s, 4, 65536);
	io_stats__add(s, FP_NR_vmsplice, FP_FD_MEMORY, FP_FD_PIPE, 2, 1024);
	io_stats__add(s, FP_NR_recvmmsg, FP_FD_UNIX, FP_FD_MEMORY, 3, 600);
	io_stats__finish(s);
	j = json_io__from(s, 1.0);
	/* the documented shape */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "copy_out"), "by_fd"), "socket")), MiB);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "zero_copy"), "by_fd"), "file->socket")), 4 * 65536);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "copy_in"), "by_socket"), "unix")), 600);
	assert_int_equal(json_io__parse(j, &back, err, sizeof(err)), 0);
	assert_int_equal(back->ncells, s->ncells);
	assert_int_equal(io_stats__copy_bytes(back), io_stats__copy_bytes(s));
	assert_int_equal(io_stats__zero_copy_bytes(back), io_stats__zero_copy_bytes(s));
	assert_int_equal(io_stats__flow_calls(back, FP_IO_ZERO_COPY, FP_FD_MEMORY, FP_FD_PIPE), 2);
	assert_int_equal(back->merged[FP_IO_COPY_IN].count, 32);
	assert_int_equal(back->merged[FP_IO_COPY_IN].sum, MiB);
	again = json_io__from(back, 1.0);
	assert_true(json_equal(j, again));
	json_decref(again);
	json_decref(j);
	io_stats__free(back);
	io_stats__free(s);
}

/* A whole recording with an io section and its finding, written and read
 * back as report and diff do. */
static void test_record_read_back(void **state)
{
	struct fp_snapshot *snap = snapshot__new(), *back = NULL;
	struct fp_io_stats *s = io_stats__new();
	char path[] = "/tmp/fastpath-test-io.XXXXXX", err[512] = "";
	struct fp_proc *p;
	FILE *f;
	int fd;

	copy_loop(s, 64, 32768);
	p = proc_with(snap, s);
	snprintf(p->comm, sizeof(p->comm), "server");
	assert_int_equal(findings__evaluate(snap, 1.0), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(json__write_record(f, snap), 0);
	fclose(f);
	assert_int_equal(json__read_record(path, &back, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(back->nprocs, 1);
	assert_non_null(back->procs[0].io);
	assert_int_equal(io_stats__copy_bytes(back->procs[0].io), 4 * MiB);
	assert_true(io_stats__zero_copy_ratio(back->procs[0].io) == 0);
	assert_int_equal(back->procs[0].nfindings, 1);
	assert_string_equal(back->procs[0].findings[0].kind, "sendfile-lost");
	/* the rule gives the same verdict on the data read back */
	assert_int_equal(findings__evaluate(back, 1.0), 0);
	assert_int_equal(back->procs[0].nfindings, 1);
	snapshot__free(back);
	snapshot__free(snap);
}

static void test_json_rejects_bad_input(void **state)
{
	struct fp_io_stats *out = NULL;
	char err[256] = "";
	json_t *j;

	j = json_loads("{\"copy_in\": {\"syscalls\": {\"write\": {\"by_fd\": {}}}}}", 0, NULL);
	assert_int_equal(json_io__parse(j, &out, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a syscall of this family"));
	json_decref(j);
	j = json_loads("{\"zero_copy\": {\"syscalls\": {\"sendfile\": {\"by_fd\": {\"file->floppy\": {\"calls\": 1, \"bytes\": 2}}}}}}", 0, NULL);
	assert_int_equal(json_io__parse(j, &out, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown fd kind"));
	json_decref(j);
	j = json_loads("{\"copy_in\": {\"syscalls\": {\"read\": {\"by_fd\": {\"file\": {\"calls\": -1, \"bytes\": 2}}}}}}", 0, NULL);
	assert_int_equal(json_io__parse(j, &out, err, sizeof(err)), -EINVAL);
	json_decref(j);
	assert_null(out);
}

static const struct fp_finding *finding(const struct fp_proc *p, const char *kind)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (!strcmp(p->findings[i].kind, kind))
			return &p->findings[i];
	return NULL;
}

static void test_rule_fires_on_copy_loop(void **state)
{
	struct fp_snapshot *snap = snapshot__new();
	struct fp_io_stats *s = io_stats__new();
	struct fp_proc *p;
	struct fp_sys_stat *rd;
	const struct fp_finding *f;

	copy_loop(s, 512, 32768);		/* 16 MiB */
	p = proc_with(snap, s);
	rd = proc__sys(p, FP_NR_read, true);
	rd->calls = 512;
	rd->total_ns = 5000000;
	assert_int_equal(findings__evaluate(snap, 2.0), 0);
	f = finding(p, "sendfile-lost");
	assert_non_null(f);
	assert_string_equal(f->severity, "warning");
	assert_non_null(strstr(f->summary, "16.0 MiB"));
	assert_non_null(strstr(f->summary, "512 reads + 512 writes"));
	assert_non_null(strstr(f->summary, "5.0 ms"));
	assert_non_null(strstr(f->summary, "TCP"));
	assert_non_null(strstr(f->detail, "p50 32.0 KiB"));
	assert_non_null(strstr(f->detail, "Go's io.Copy"));
	assert_non_null(strstr(f->detail, "TLS"));
	/* evaluating again replaces, never duplicates */
	assert_int_equal(findings__evaluate(snap, 2.0), 0);
	assert_int_equal(p->nfindings, 1);
	snapshot__free(snap);
}

static void test_rule_quiet_cases(void **state)
{
	struct fp_snapshot *snap;
	struct fp_io_stats *s;
	struct fp_proc *p;

	/* below the volume threshold */
	snap = snapshot__new();
	s = io_stats__new();
	copy_loop(s, 31, 32768);
	p = proc_with(snap, s);
	assert_int_equal(findings__evaluate(snap, 1.0), 0);
	assert_null(finding(p, "sendfile-lost"));
	snapshot__free(snap);

	/* most file->socket bytes by sendfile: a few copies are fine */
	snap = snapshot__new();
	s = io_stats__new();
	copy_loop(s, 64, 32768);
	sendfile_calls(s, 3, MiB);
	p = proc_with(snap, s);
	assert_int_equal(findings__evaluate(snap, 1.0), 0);
	assert_null(finding(p, "sendfile-lost"));
	snapshot__free(snap);

	/* reads files and writes pipes (a shell pipeline): not a file server */
	snap = snapshot__new();
	s = io_stats__new();
	io_stats__add(s, FP_NR_read, FP_FD_FILE, FP_FD_MEMORY, 100, 100 * MiB);
	io_stats__add(s, FP_NR_write, FP_FD_MEMORY, FP_FD_PIPE, 100, 100 * MiB);
	/* and a proxy's socket-to-socket copies are no file traffic either */
	io_stats__add(s, FP_NR_write, FP_FD_MEMORY, FP_FD_TCP, 1, 1000);
	p = proc_with(snap, s);
	assert_int_equal(findings__evaluate(snap, 1.0), 0);
	assert_null(finding(p, "sendfile-lost"));
	snapshot__free(snap);

	/* no io section at all */
	snap = snapshot__new();
	p = snapshot__proc(snap, 7, true);
	assert_int_equal(findings__evaluate(snap, 1.0), 0);
	assert_int_equal(p->nfindings, 0);
	snapshot__free(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals_and_ratio),
		cmocka_unit_test(test_delta_and_clone),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_record_read_back),
		cmocka_unit_test(test_json_rejects_bad_input),
		cmocka_unit_test(test_rule_fires_on_copy_loop),
		cmocka_unit_test(test_rule_quiet_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
