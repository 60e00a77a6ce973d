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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_site_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
