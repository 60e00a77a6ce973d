/* Unit tests of the Go park model section (model/gopark.c), its findings
 * (findings_gopark.c), its JSON and its text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/gopark.h"
#include "model/findings.h"
#include "views/json.h"
#include "views/text.h"

static void add_reason(struct fp_gopark_stats *g, const char *name, int idx, uint64_t parks, uint64_t each_ns)
{
	struct fp_gopark_reason *r = gopark_stats__reason(g, name, true);

	assert_non_null(r);
	r->index = idx;
	r->parks += parks;
	hist__add(&r->parked, each_ns, parks);
}

static const char *const producer[] = { "runtime.gopark proc.go:346", "runtime.chansend1 chan.go:145",
					"main.producer main.go:40", "runtime.goexit.abi0 asm_amd64.s:1594" };
static const char *const consumer[] = { "runtime.gopark proc.go:346", "runtime.chanrecv2 chan.go:447",
					"main.consumer main.go:60" };

/* The backpressure shape: the producer parks in chan send at one site. */
static struct fp_proc *queue_proc(struct fp_snapshot *s)
{
	struct fp_proc *p = snapshot__proc(s, 42, true);
	struct fp_gopark_stats *g = gopark_stats__new();

	snprintf(p->comm, sizeof(p->comm), "pipeline");
	snprintf(g->go_version, sizeof(g->go_version), "go1.19.8");
	add_reason(g, "chan send", 15, 10000, 100000);		/* 1 s */
	add_reason(g, "chan receive", 14, 50, 10000);
	add_reason(g, "GC worker (idle)", 24, 100000, 1000000);	/* 100 s: idle, not counted */
	add_reason(g, "semacquire", 18, 1, 300000000);		/* main's WaitGroup */
	assert_int_equal(gopark_stats__add_site(g, "chan send", "main.producer main.go:40", producer, 4,
						10000, 10000, 1000000000), 0);
	assert_int_equal(gopark_stats__add_site(g, "chan receive", "main.consumer main.go:60", consumer, 3,
						50, 50, 500000), 0);
	gopark_stats__sort(g);
	p->gopark = g;
	return p;
}

static void test_sort_and_totals(void **st)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = queue_proc(s);
	const struct fp_gopark_reason *d = gopark_stats__dominant(p->gopark);

	assert_string_equal(p->gopark->reasons[0].name, "GC worker (idle)");
	assert_string_equal(d->name, "GC worker (idle)");
	assert_int_equal(gopark_stats__parks(p->gopark), 10000 + 50 + 100000 + 1);
	assert_int_equal(p->gopark->reasons[1].parked.sum, 1000000000);
	assert_string_equal(p->gopark->reasons[1].title, "parked: chan send");
	assert_string_equal(p->gopark->sites[0].where, "main.producer main.go:40");
	snapshot__free(s);
}

static void test_delta(void **st)
{
	struct fp_snapshot *a = snapshot__new(), *b = snapshot__new();
	struct fp_gopark_stats *d;
	struct fp_gopark_reason *r;

	queue_proc(a);
	queue_proc(b);
	r = gopark_stats__reason(b->procs[0].gopark, "chan send", false);
	r->parks += 500;
	hist__add(&r->parked, 200000, 500);
	gopark_stats__add_site(b->procs[0].gopark, "chan send", "main.producer main.go:40", producer, 4, 500, 500,
			       100000000);
	gopark_stats__add_site(b->procs[0].gopark, "sleep", "main.tick main.go:80", producer, 1, 3, 3, 3000);
	d = gopark_stats__delta(b->procs[0].gopark, a->procs[0].gopark);
	assert_non_null(d);
	r = gopark_stats__reason(d, "chan send", false);
	assert_int_equal(r->parks, 500);
	assert_int_equal(r->parked.count, 500);
	assert_int_equal(r->parked.sum, 100000000);
	assert_int_equal(gopark_stats__reason(d, "chan receive", false)->parks, 0);
	assert_int_equal(d->sites[0].parks, 500);
	assert_int_equal(d->sites[0].parked_ns, 100000000);
	assert_int_equal(d->nsites, 3);
	assert_string_equal(d->go_version, "go1.19.8");
	gopark_stats__free(d);
	/* a reused pid (counts went back): from zero */
	d = gopark_stats__delta(a->procs[0].gopark, b->procs[0].gopark);
	assert_int_equal(gopark_stats__reason(d, "chan send", false)->parks, 10000);
	gopark_stats__free(d);
	snapshot__free(a);
	snapshot__free(b);
}

static const struct fp_finding *finding(const struct fp_proc *p, const char *kind)
{
	for (size_t i = 0; i < p->nfindings; i++)
		if (!strcmp(p->findings[i].kind, kind))
			return &p->findings[i];
	return NULL;
}

static void test_queue_finding(void **st)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = queue_proc(s);
	const struct fp_finding *f;

	assert_int_equal(findings__evaluate(s, 2.0), 0);
	f = finding(p, "blocked-on-queue");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "main.producer main.go:40"));
	/* 1 s of chan send of 1.3005 s outside the idle reasons */
	assert_non_null(strstr(f->summary, "77% of the goroutines' parked time is chan send (10000 parks"));
	assert_non_null(strstr(f->detail, "receiving at main.consumer main.go:60"));
	assert_null(finding(p, "lock-contention"));
	/* as many waits at a second site: no one site holds most of them */
	add_reason(p->gopark, "chan send", 15, 10000, 100000);
	gopark_stats__add_site(p->gopark, "chan send", "main.other main.go:99", producer, 4, 10000, 10000,
			       1000000000);
	gopark_stats__sort(p->gopark);
	assert_int_equal(findings__evaluate(s, 2.0), 0);
	assert_null(finding(p, "blocked-on-queue"));
	snapshot__free(s);
}

static void test_lock_finding(void **st)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = snapshot__proc(s, 7, true);
	struct fp_gopark_stats *g = gopark_stats__new();
	const struct fp_finding *f;

	p->gopark = g;
	add_reason(g, "sync.Mutex.Lock", 22, 5000, 200000);
	add_reason(g, "chan receive", 19, 100, 100000);
	gopark_stats__add_site(g, "sync.Mutex.Lock", "main.worker main.go:12", producer, 4, 5000, 5000, 1000000000);
	gopark_stats__sort(g);
	assert_int_equal(findings__evaluate(s, 1.0), 0);
	f = finding(p, "lock-contention");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "99% of the goroutines' parked time is waiting for locks (5000 parks"));
	assert_non_null(strstr(f->summary, "most at main.worker main.go:12"));
	/* a few long waits (main on its WaitGroup) are no contention */
	g->reasons[0].parks = 10;
	assert_int_equal(findings__evaluate(s, 1.0), 0);
	assert_null(finding(p, "lock-contention"));
	snapshot__free(s);
}

static void test_frames(void **st)
{
	assert_true(gopark__runtime_frame("runtime.chansend1 chan.go:145"));
	assert_true(gopark__runtime_frame("sync.(*Cond).Wait cond.go:70"));
	assert_true(gopark__runtime_frame("internal/poll.(*FD).Read fd_unix.go:167"));
	assert_true(gopark__runtime_frame("golang.org/x/sync/semaphore.(*Weighted).Acquire semaphore.go:60"));
	assert_false(gopark__runtime_frame("golang.org/x/net/http2.(*Framer).ReadFrame frame.go:498"));
	assert_true(gopark__runtime_frame("time.Sleep time.go:195"));
	assert_true(gopark__runtime_frame("0x4012ab"));
	assert_false(gopark__runtime_frame("main.producer main.go:40"));
	assert_false(gopark__runtime_frame("net/http.(*conn).serve server.go:1995"));
	assert_true(gopark__idle_reason("GC worker (idle)"));
	assert_true(gopark__idle_reason("GC sweep wait"));
	assert_true(gopark__idle_reason("finalizer wait"));
	assert_false(gopark__idle_reason("chan send"));
	assert_false(gopark__idle_reason("sleep"));
	assert_true(gopark__lock_reason("semacquire"));
	assert_true(gopark__lock_reason("sync.RWMutex.RLock"));
	assert_false(gopark__lock_reason("sync.Cond.Wait"));
}

static void test_json_roundtrip(void **st)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = queue_proc(s);
	struct fp_gopark_stats *back = NULL;
	char err[256];
	json_t *j;

	gopark_stats__add_note(p->gopark, "stripped binary: runtime functions from the function table");
	/* a hostile reason name (the binary chooses it): kept losslessly */
	add_reason(p->gopark, "bad\xff\x1b[2J", 40, 3, 1000);
	gopark_stats__sort(p->gopark);
	j = json_gopark__from(p->gopark, 2.0);
	assert_int_equal(json_integer_value(json_object_get(j, "parks")), gopark_stats__parks(p->gopark));
	assert_int_equal(json_gopark__parse(j, &back, err, sizeof(err)), 0);
	assert_int_equal(back->nreasons, p->gopark->nreasons);
	for (size_t i = 0; i < back->nreasons; i++) {
		assert_string_equal(back->reasons[i].name, p->gopark->reasons[i].name);
		assert_int_equal(back->reasons[i].index, p->gopark->reasons[i].index);
		assert_int_equal(back->reasons[i].parks, p->gopark->reasons[i].parks);
		assert_int_equal(back->reasons[i].parked.sum, p->gopark->reasons[i].parked.sum);
		assert_memory_equal(back->reasons[i].parked.b, p->gopark->reasons[i].parked.b,
				    sizeof(back->reasons[i].parked.b));
	}
	assert_int_equal(back->nsites, 2);
	assert_string_equal(back->sites[0].where, "main.producer main.go:40");
	assert_int_equal(back->sites[0].nframes, 4);
	assert_string_equal(back->sites[0].frames[2], "main.producer main.go:40");
	assert_string_equal(back->go_version, "go1.19.8");
	assert_non_null(strstr(back->notes, "stripped binary"));
	gopark_stats__free(back);
	json_decref(j);
	/* malformed */
	j = json_pack("{s:[{s:s}],s:[]}", "reasons", "reason", "x", "sites");
	assert_int_equal(json_gopark__parse(j, &back, err, sizeof(err)), -EINVAL);
	json_decref(j);
	snapshot__free(s);
}

static void test_text(void **st)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = queue_proc(s);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	add_reason(p->gopark, "evil\x1b[2J", 40, 3, 1000);
	text__gopark(f, p, 2.0);
	fclose(f);
	assert_non_null(strstr(buf, "go parks (go1.19.8): 110054 parks"));
	assert_non_null(strstr(buf, "chan send"));
	assert_non_null(strstr(buf, "main.producer main.go:40"));
	assert_null(strchr(buf, '\x1b'));
	assert_non_null(strstr(buf, "evil\\x1b[2J"));
	free(buf);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_and_totals),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_queue_finding),
		cmocka_unit_test(test_lock_finding),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_json_roundtrip),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests_name("gopark", tests, NULL, NULL);
}
