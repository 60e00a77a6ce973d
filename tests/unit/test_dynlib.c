/* Unit tests of util/dynlib: a library opened at first use, and what a run
 * says when it is missing (one line naming the package; once). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "util/dynlib.h"
#include "stderr_capture.h"

static const char *const names[] = { "nothing_here" };

static void test_missing_optional_warns_once(void **st)
{
	void (*slot[1])(void);
	struct fp_dynlib d = { "libfastpath-absent.so.9", names, 1, slot,
			       .pkg = "libabsent9", .lost = "no widgets" };
	char out[1024];

	(void)st;
	capture_begin();
	assert_false(dynlib__load(&d));
	assert_false(dynlib__load(&d));		/* not tried, nor said, again */
	capture_end(out, sizeof(out));
	assert_non_null(strstr(dynlib__error(), "install libabsent9 (make deps)"));
	assert_non_null(strstr(out, "no widgets: "));
	assert_non_null(strstr(out, "libfastpath-absent.so.9"));
	assert_non_null(strstr(out, "install libabsent9 (make deps)"));
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));	/* one line */
}

static void test_missing_required_is_the_callers_to_say(void **st)
{
	void (*slot[1])(void);
	struct fp_dynlib d = { "libfastpath-absent.so.8", names, 1, slot, .pkg = "libabsent8" };
	char out[256];

	(void)st;
	capture_begin();
	assert_false(dynlib__load(&d));
	capture_end(out, sizeof(out));
	assert_string_equal(out, "");
	assert_non_null(strstr(dynlib__error(), "install libabsent8 (make deps)"));
}

static void test_present_library_binds(void **st)
{
	static const char *const m[] = { "cos" };
	void (*slot[1])(void) = { NULL };
	struct fp_dynlib d = { "libm.so.6", m, 1, slot, .pkg = "libc6", .lost = "x" };

	(void)st;
	assert_true(dynlib__load(&d));
	assert_non_null(slot[0]);
	assert_non_null(d.handle);
}

static void test_missing_symbol_says_which(void **st)
{
	void (*slot[1])(void);
	struct fp_dynlib d = { "libm.so.6", names, 1, slot, .pkg = "libc6" };

	(void)st;
	assert_false(dynlib__load(&d));
	assert_non_null(strstr(dynlib__error(), "libm.so.6 lacks nothing_here; install libc6"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_optional_warns_once),
		cmocka_unit_test(test_missing_required_is_the_callers_to_say),
		cmocka_unit_test(test_present_library_binds),
		cmocka_unit_test(test_missing_symbol_says_which),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
