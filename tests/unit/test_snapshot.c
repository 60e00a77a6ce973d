/* Unit tests: a reaped process joining the live read (proc__absorb), the
 * model half of probes.c's merge_reaped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/snapshot.h"
#include "model/syscalls.h"
#include "model/cpu.h"
#include "model/cpu_prof.h"

#define NR_GETPPID 110

/* What a reaped child looks like when its data left a dead pool slot before
 * the exit hook ran: counts, a name, no exit yet. */
static struct fp_proc *reaped_child(struct fp_snapshot *s, int pid)
{
	struct fp_proc *p = snapshot__proc(s, pid, true);
	struct fp_sys_stat *st = proc__sys(p, NR_GETPPID, true);

	strcpy(p->comm, "churn");
	p->ppid = 1;
	p->first_ns = 1000;
	st->calls = 10;
	st->total_ns = 10 * 300;
	hist__add(&st->lat, 300, 10);
	return p;
}

/* The live read of the same process, later: identity only, now exited. */
static void test_absorb_keeps_the_fresher_identity(void **state)
{
	struct fp_snapshot *reaped = snapshot__new(), *live = snapshot__new();
	struct fp_proc *r, *p;

	(void)state;
	r = reaped_child(reaped, 42);
	p = snapshot__proc(live, 42, true);
	strcpy(p->comm, "churn");
	p->ppid = 1;
	p->first_ns = 1000;
	p->exited = true;
	p->exit_code = 3 << 8;
	p->exit_ns = 2000;
	p->exe = strdup("/usr/bin/churn");
	assert_int_equal(proc__absorb(p, r), 0);
	assert_true(p->exited);
	assert_int_equal(p->exit_code, 3 << 8);
	assert_int_equal(p->exit_ns, 2000);
	assert_string_equal(p->exe, "/usr/bin/churn");
	assert_int_equal(p->nsys, 1);
	assert_int_equal(proc__sys(p, NR_GETPPID, false)->calls, 10);
	assert_int_equal(live->nprocs, 1);
	snapshot__free(reaped);
	snapshot__free(live);
}

/* An allocator-only live entry (no identity): the reaped one names it. */
static void test_absorb_names_an_unnamed_entry(void **state)
{
	struct fp_snapshot *reaped = snapshot__new(), *live = snapshot__new();
	struct fp_proc *r, *p;

	(void)state;
	r = reaped_child(reaped, 7);
	r->exe = strdup("/bin/x");
	p = snapshot__proc(live, 7, true);
	assert_int_equal(proc__absorb(p, r), 0);
	assert_string_equal(p->comm, "churn");
	assert_int_equal(p->first_ns, 1000);
	assert_string_equal(p->exe, "/bin/x");
	assert_int_equal(proc__sys(p, NR_GETPPID, false)->calls, 10);
	snapshot__free(reaped);
	snapshot__free(live);
}

/* A short command reaped with its CPU times while the sampler's live read
 * made an entry with its profile only: one process, both kept. */
static void test_absorb_keeps_the_live_profile(void **state)
{
	struct fp_snapshot *reaped = snapshot__new(), *live = snapshot__new();
	const char *frames[] = { "hot75 cpuburn.c:20", "main cpuburn.c:60" };
	struct fp_proc *r, *p;

	(void)state;
	r = reaped_child(reaped, 9);
	r->cpu = cpu_stats__new();
	r->cpu->run_ns = 800000000;
	p = snapshot__proc(live, 9, true);
	p->cpu = cpu_stats__new();
	p->cpu->prof = cpu_prof__new(499);
	assert_int_equal(cpu_prof__add(p->cpu->prof, frames, 2, 0, 394), 0);
	cpu_prof__finish(p->cpu->prof);
	assert_int_equal(proc__absorb(p, r), 0);
	assert_non_null(p->cpu);
	assert_int_equal(p->cpu->run_ns, 800000000);
	assert_non_null(p->cpu->prof);
	assert_int_equal(p->cpu->prof->samples, 394);
	assert_string_equal(p->comm, "churn");
	snapshot__free(reaped);
	snapshot__free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absorb_keeps_the_fresher_identity),
		cmocka_unit_test(test_absorb_names_an_unnamed_entry),
		cmocka_unit_test(test_absorb_keeps_the_live_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
