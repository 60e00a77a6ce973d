/* Where to place an entry uprobe in a function (x86-64).
 *
 * The kernel emulates a few instructions when a uprobe hits them (push of a
 * register, jmp, jcc, call, nop: ~0.7 us) and single-steps every other one
 * out of line (~6.5 us).  So the probe goes on the first instruction if it
 * is emulated, else on the second when the first neither branches, nor
 * moves %rsp, nor writes an argument register, and nothing in the function
 * jumps to the second (which would count the call twice).  Otherwise: the
 * entry, with a note. */
#ifndef FP_UTIL_PROLOGUE_H
#define FP_UTIL_PROLOGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Argument registers that must still hold the arguments at the probe. */
#define FP_ARGS_SYSV 0x3f	/* rdi rsi rdx rcx r8 r9 (bits: enum fp_arg_reg) */
#define FP_ARGS_GO 0xff		/* Go's ABIInternal: rax rbx rcx rdi rsi r8..r11 */

struct fp_probe_point {
	uint64_t offset;	/* from the function's start */
	bool emulated;		/* the instruction there is emulated by the kernel */
	char insn[48];		/* the probed instruction, "push r12" */
	char note[160];		/* why the entry was kept, when it was */
	int skip_cc;		/* -1, or the condition code of Go's stack-check
				 * branch at offset: when it is taken the function
				 * restarts after morestack, so that hit is no call */
};

/* code: the function's bytes (len of them, loaded at addr).  With
 * FP_ARGS_GO, a Go stack check at the entry ([lea rsp-N into r12/r13;] cmp
 * against 0x10(%r14); jcc) puts the probe on its branch, with skip_cc set. */
int prologue__choose(const uint8_t *code, size_t len, uint64_t addr, unsigned int argmask,
		     struct fp_probe_point *out);

struct fp_elf;
/* The probe point of the function name in e, and its vaddr and file offset:
 * its code read (up to 4 KiB, less near the end of its section) and
 * prologue__choose'n.  The entry itself (skip_cc -1) when the code cannot
 * be read or decoded; an error only when name is not found. */
int prologue__for_symbol(struct fp_elf *e, const char *name, unsigned int argmask,
			 uint64_t *addr, uint64_t *off, struct fp_probe_point *pp);

/* The address of the first global that code loads (mov disp(%rip) into a
 * 64-bit register) and then compares with imm (cmp $imm, that register):
 * how Go's profilealloc reads runtime.MemProfileRate (`== 1`), found on a
 * stripped binary that has no symbol for the variable.  -ENOENT if none. */
int prologue__rip_load_cmp(const uint8_t *code, size_t len, uint64_t addr, int64_t imm, uint64_t *target);

#endif
