/* Unit tests of Go's allocation entry points by release (util/goalloc.c):
 * names of the size-specialised allocators, the size argument's register
 * per version and the plan the output names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "util/goalloc.h"
#include "fp_alloc.h"

static void test_classify(void **st)
{
	unsigned int sc;

	assert_int_equal(goalloc__classify("runtime.mallocgc", &sc), FP_GOE_MALLOCGC);
	assert_int_equal(sc, 0);
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallNoScanSC2", &sc), FP_GOE_SC_NOSCAN);
	assert_int_equal(sc, 2);
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallScanNoHeaderSC7", &sc), FP_GOE_SC_SCAN);
	assert_int_equal(sc, 7);
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallScanNoHeaderSC26", &sc), FP_GOE_SC_SCAN);
	assert_int_equal(sc, 26);
	assert_int_equal(goalloc__classify("runtime.mallocgcTinySC2", &sc), FP_GOE_SC_TINY);
	assert_int_equal(sc, 2);
	/* the generic helpers mallocgc calls itself are not entry points */
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallNoscan", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallScanNoHeader", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("runtime.mallocgcTiny", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("runtime.mallocgcLarge", &sc), FP_GOE_NONE);
	/* nor closures, wrappers, other packages or nonsense classes */
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallNoScanSC2.func1", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallNoScanSC0", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("runtime.mallocgcSmallNoScanSC99", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("main.mallocgcSmallNoScanSC2", &sc), FP_GOE_NONE);
	assert_int_equal(goalloc__classify("runtime.mallocgc.abi0", &sc), FP_GOE_NONE);
}

static void test_class_size(void **st)
{
	/* Go 1.27 specialises objects up to 80 bytes: classes 1-7 */
	assert_int_equal(goalloc__class_size(1), 8);
	assert_int_equal(goalloc__class_size(2), 16);
	assert_int_equal(goalloc__class_size(5), 48);
	assert_int_equal(goalloc__class_size(7), 80);
	assert_int_equal(goalloc__class_size(26), 512);
	assert_int_equal(goalloc__class_size(67), 32768);
	assert_int_equal(goalloc__class_size(0), 0);
	assert_int_equal(goalloc__class_size(68), 0);
}

static void test_size_arg_by_version(void **st)
{
	/* exact: mallocgc(size, typ, needzero), size first */
	assert_int_equal(goalloc__size_arg("go1.16.15", false), FP_ARG_STACK + 1);
	assert_int_equal(goalloc__size_arg("go1.17", false), FP_ARG_REG + FP_REG_AX);
	assert_int_equal(goalloc__size_arg("go1.19.8", false), FP_ARG_REG + FP_REG_AX);
	assert_int_equal(goalloc__size_arg("go1.27.0", false), FP_ARG_REG + FP_REG_AX);
	/* sampled: mProf_Malloc(p, size) until 1.22 ... */
	assert_int_equal(goalloc__size_arg("go1.16.15", true), FP_ARG_STACK + 2);
	assert_int_equal(goalloc__size_arg("go1.19.8", true), FP_ARG_REG + FP_REG_BX);
	assert_int_equal(goalloc__size_arg("go1.20.14", true), FP_ARG_REG + FP_REG_BX);
	assert_int_equal(goalloc__size_arg("go1.22.12", true), FP_ARG_REG + FP_REG_BX);
	assert_int_equal(goalloc__size_arg("go1.22rc1", true), FP_ARG_REG + FP_REG_BX);
	/* ... then mProf_Malloc(mp, p, size[, typ]) */
	assert_int_equal(goalloc__size_arg("go1.23.0", true), FP_ARG_REG + FP_REG_CX);
	assert_int_equal(goalloc__size_arg("go1.23rc2", true), FP_ARG_REG + FP_REG_CX);
	assert_int_equal(goalloc__size_arg("go1.26.4", true), FP_ARG_REG + FP_REG_CX);
	assert_int_equal(goalloc__size_arg("go1.27.0", true), FP_ARG_REG + FP_REG_CX);
	assert_int_equal(goalloc__size_arg("go2.0", true), FP_ARG_REG + FP_REG_CX);
}

static void test_plan_describe(void **st)
{
	/* what lefthook 2.2.2 (Go 1.27.0, from the npm registry) holds */
	static const char *const go127[] = {
		"runtime.mallocgc", "runtime.mallocgcSmallNoScanSC2", "runtime.mallocgcSmallNoScanSC3",
		"runtime.mallocgcSmallNoScanSC4", "runtime.mallocgcSmallNoScanSC5",
		"runtime.mallocgcSmallNoScanSC6", "runtime.mallocgcSmallNoScanSC7",
		"runtime.mallocgcSmallScanNoHeaderSC1", "runtime.mallocgcSmallScanNoHeaderSC2",
		"runtime.mallocgcSmallScanNoHeaderSC3", "runtime.mallocgcSmallScanNoHeaderSC4",
		"runtime.mallocgcSmallScanNoHeaderSC5", "runtime.mallocgcSmallScanNoHeaderSC6",
		"runtime.mallocgcSmallScanNoHeaderSC7", "runtime.mallocgcTinySC2",
		"runtime.mallocgcSmallNoscan", "runtime.mallocgcLarge", "main.main",
	};
	struct fp_go_plan p = {};
	char buf[512];

	for (size_t i = 0; i < sizeof(go127) / sizeof(go127[0]); i++)
		goalloc__plan_add(&p, go127[i]);
	assert_true(p.mallocgc);
	assert_int_equal(goalloc__plan_count(&p), 14);
	goalloc__plan_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "runtime.mallocgc + 14 size-specialised allocators: SmallNoScanSC2-7 (9-80 B) "
				 "SmallScanNoHeaderSC1-7 (1-80 B) TinySC2 (1-15 B)");
	/* Go 1.26 as released (tsgo): mallocgc only */
	memset(&p, 0, sizeof(p));
	goalloc__plan_add(&p, "runtime.mallocgc");
	goalloc__plan_add(&p, "runtime.mallocgcTiny");
	goalloc__plan_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "runtime.mallocgc");
	/* a gap in the classes is said, not hidden */
	memset(&p, 0, sizeof(p));
	goalloc__plan_add(&p, "runtime.mallocgc");
	goalloc__plan_add(&p, "runtime.mallocgcSmallScanNoHeaderSC1");
	goalloc__plan_add(&p, "runtime.mallocgcSmallScanNoHeaderSC3");
	goalloc__plan_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "runtime.mallocgc + 2 size-specialised allocators: SmallScanNoHeaderSC1..3 (2 of them) (1-24 B)");
	/* never overflows */
	goalloc__plan_describe(&p, buf, 20);
	assert_int_equal(strlen(buf), 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_class_size),
		cmocka_unit_test(test_size_arg_by_version),
		cmocka_unit_test(test_plan_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
