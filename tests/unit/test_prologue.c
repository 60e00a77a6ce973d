/* Unit tests of util/prologue.c: where a uprobe goes in a function's first
 * instructions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include "util/prologue.h"

static void check_point(const uint8_t *code, size_t len, unsigned int mask, uint64_t off,
			bool emulated, bool noted)
{
	struct fp_probe_point pp;

	assert_int_equal(prologue__choose(code, len, 0x1000, mask, &pp), 0);
	assert_int_equal(pp.offset, off);
	assert_int_equal(pp.emulated, emulated);
	assert_int_equal(pp.note[0] != 0, noted);
}

static void test_prologue(void **st)
{
	/* glibc malloc: push %r12 is emulated: the entry itself */
	static const uint8_t push_r12[] = { 0x41, 0x54, 0x55, 0x53 };
	/* glibc free: test %rdi,%rdi (stepped); je rel32 (emulated) */
	static const uint8_t free_[] = { 0x48, 0x85, 0xff, 0x0f, 0x84, 0xbf, 0x00, 0x00, 0x00, 0x55 };
	/* Go mallocgc: cmp 0x10(%r14),%rsp; jbe rel32 */
	static const uint8_t go_[] = { 0x49, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0x10, 0x00, 0x00, 0x00, 0x55 };
	/* glibc reallocarray: mov %rsi,%rax; mul %rdx: neither emulated */
	static const uint8_t mul_[] = { 0x48, 0x89, 0xf0, 0x48, 0xf7, 0xe2, 0x48, 0x89, 0xc6 };
	/* mov %rax,%rbx then push: fine for C, but clobbers a Go argument */
	static const uint8_t movrbx[] = { 0x48, 0x89, 0xc3, 0x55 };
	/* sub $8,%rsp then push: %rsp moved, the caller's address with it */
	static const uint8_t subrsp[] = { 0x48, 0x83, 0xec, 0x08, 0x55 };
	/* test; je; ...; jmp back to the je: a loop would count twice */
	static const uint8_t loop[] = { 0x48, 0x85, 0xff, 0x74, 0x02, 0x90, 0x90, 0xeb, 0xfa };
	/* multi-byte nop first */
	static const uint8_t nop[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x55 };

	check_point(push_r12, sizeof(push_r12), FP_ARGS_SYSV, 0, true, false);
	check_point(free_, sizeof(free_), FP_ARGS_SYSV, 3, true, false);
	check_point(go_, sizeof(go_), FP_ARGS_GO, 4, true, false);
	check_point(mul_, sizeof(mul_), FP_ARGS_SYSV, 0, false, true);
	check_point(movrbx, sizeof(movrbx), FP_ARGS_SYSV, 3, true, false);
	check_point(movrbx, sizeof(movrbx), FP_ARGS_GO, 0, false, true);
	check_point(subrsp, sizeof(subrsp), FP_ARGS_SYSV, 0, false, true);
	check_point(loop, sizeof(loop), FP_ARGS_SYSV, 0, false, true);
	check_point(nop, sizeof(nop), FP_ARGS_SYSV, 0, true, false);
}

/* Go's stack check is a branch that runs again after morestack restarts the
 * function: the probe goes on it and says which condition to skip. */
static void test_prologue_go_stack_check(void **st)
{
	/* mProf_Malloc, big frame: lea -0xf0(%rsp),%r12; cmp 0x10(%r14),%r12; jbe rel32 */
	static const uint8_t big[] = { 0x4c, 0x8d, 0xa4, 0x24, 0x10, 0xff, 0xff, 0xff,
				       0x4d, 0x3b, 0x66, 0x10, 0x0f, 0x86, 0xaa, 0x01, 0x00, 0x00,
				       0x48, 0x81, 0xec, 0x70, 0x01, 0x00, 0x00 };
	/* small frame with a short jbe: cmp 0x10(%r14),%rsp; jbe rel8 */
	static const uint8_t small[] = { 0x49, 0x3b, 0x66, 0x10, 0x76, 0x20, 0x55 };
	/* the same bytes in C (SysV): no stack-check logic, plain rules */
	struct fp_probe_point pp;

	assert_int_equal(prologue__choose(big, sizeof(big), 0x1000, FP_ARGS_GO, &pp), 0);
	assert_int_equal(pp.offset, 12);
	assert_int_equal(pp.skip_cc, 6);	/* be: CF or ZF */
	assert_true(pp.emulated);
	assert_int_equal(prologue__choose(small, sizeof(small), 0x1000, FP_ARGS_GO, &pp), 0);
	assert_int_equal(pp.offset, 4);
	assert_int_equal(pp.skip_cc, 6);
	assert_int_equal(prologue__choose(small, sizeof(small), 0x1000, FP_ARGS_SYSV, &pp), 0);
	assert_int_equal(pp.skip_cc, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prologue),
		cmocka_unit_test(test_prologue_go_stack_check),
	};

	return cmocka_run_group_tests_name("prologue", tests, NULL, NULL);
}
