/* Unit tests of the allocation sites' caller (model/alloc_site.c): the
 * first frame outside the allocator, by which the diff matches sites. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "model/alloc.h"
#include "model/alloc_site.h"
#include "model/alloc_churn.h"

static void check_caller(const char *const *frames, size_t n, const char *want)
{
	struct fp_alloc_site s = { .frames = (char **)frames, .nframes = n };

	assert_string_equal(alloc_site__caller(&s), want);
}

static void test_alloc_site_caller(void **state)
{
	const char *c[] = { "__libc_malloc malloc.c:3281", "churn allocloop.c:28", "main allocloop.c:72" };
	const char *gi[] = { "__GI___libc_free malloc.c:1", "xfree util.c:3" };
	const char *cxx[] = { "malloc", "_Znwm new_op.cc:50", "Foo::make foo.cc:9" };
	const char *go[] = { "runtime.mProf_Malloc mprof.go:418", "runtime.profilealloc malloc.go:1238",
			     "runtime.mallocgc malloc.go:1114", "runtime.newobject malloc.go:1202",
			     "main.escapeLoop main.go:29", "main.main main.go:90", "runtime.main proc.go:250" };
	const char *rt[] = { "runtime.mallocgc malloc.go:1114", "runtime.newobject malloc.go:1202",
			     "runtime.malg proc.go:4076", "runtime.newproc1 proc.go:4123" };
	const char *unk[] = { "libfoo.so+0x1234" };

	check_caller(c, 3, "churn allocloop.c:28");
	check_caller(gi, 2, "xfree util.c:3");
	check_caller(cxx, 3, "Foo::make foo.cc:9");
	check_caller(go, 7, "main.escapeLoop main.go:29");
	check_caller(rt, 4, "runtime.malg proc.go:4076");
	check_caller(unk, 1, "libfoo.so+0x1234");
	check_caller(c, 1, "__libc_malloc malloc.c:3281");
	check_caller(NULL, 0, "?");
	assert_true(alloc__same_fn("handle h.c:10", "handle h.c:12"));
	assert_false(alloc__same_fn("handle h.c:10", "handler h.c:10"));
}

static const char *go_stack[] = { "runtime.mallocgc malloc.go:842", "runtime.newobject malloc.go:1202",
				   "main.escapeSite main.go:17", "main.main main.go:30", "runtime.main proc.go:250" };

/* The stack as named: the allocating frame first, its callers after. */
static void test_alloc_site_chain(void **state)
{
	struct fp_alloc_site s = { .frames = (char **)go_stack, .nframes = 5 };
	char buf[256];

	assert_int_equal(alloc_site__caller_at(&s), 2);
	assert_string_equal(alloc_site__chain(&s, 2, " <- ", buf, sizeof(buf)),
			    "main.escapeSite main.go:17 <- main.main main.go:30 <- ...");
	assert_string_equal(alloc_site__chain(&s, 5, " < ", buf, sizeof(buf)),
			    "main.escapeSite main.go:17 < main.main main.go:30 < runtime.main proc.go:250");
	s.nframes = 0;
	assert_string_equal(alloc_site__chain(&s, 5, " <- ", buf, sizeof(buf)), "?");
}

/* The alloc-churn finding led its top site with runtime.mallocgc: it names
 * the allocating frame first, as the exports do. */
static void test_alloc_churn_names_caller(void **state)
{
	struct fp_proc p = { .pid = 1 };

	p.alloc = alloc_stats__new();
	p.alloc->go.mode = FP_GO_EXACT;
	p.alloc->go.calls = 2000000;
	p.alloc->go.bytes = 64000000;
	assert_int_equal(alloc_stats__add_site(p.alloc, go_stack, 5, 2000000, 64000000), 0);
	assert_int_equal(alloc_churn__rule(&p, 1.0), 0);
	assert_int_equal(p.nfindings, 1);
	assert_string_equal(p.findings[0].kind, "alloc-churn");
	assert_ptr_equal(strstr(p.findings[0].detail, "top site: main.escapeSite main.go:17 <- main.main main.go:30"),
			 p.findings[0].detail);
	assert_null(strstr(p.findings[0].detail, "mallocgc"));
	proc__clear_findings(&p);
	alloc_stats__free(p.alloc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_site_caller),
		cmocka_unit_test(test_alloc_site_chain),
		cmocka_unit_test(test_alloc_churn_names_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
