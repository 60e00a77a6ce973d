/* A function's instructions (x86-64, capstone) with what the CPU profile's
 * annotation needs: Intel syntax text, branch kind and target, and which
 * conditional branches guard a bounds panic. */
#ifndef FP_UTIL_DISASM_H
#define FP_UTIL_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fp_disasm_flow {
	FP_FLOW_NONE = 0,
	FP_FLOW_JCC,		/* conditional branch */
	FP_FLOW_JMP,		/* unconditional jump */
	FP_FLOW_CALL,
	FP_FLOW_RET,
};

struct fp_disasm_insn {
	uint64_t addr;
	uint8_t size;
	uint8_t flow;		/* enum fp_disasm_flow */
	bool direct;		/* the target is an immediate */
	uint64_t target;	/* direct branches and calls */
	char text[64];		/* "cmp rcx, rbx" */
};

/* Disassembles code (len bytes loaded at addr) until its end or the first
 * undecodable byte; *out is malloc'd.  -EINVAL if capstone is unusable. */
int disasm__run(const uint8_t *code, size_t len, uint64_t addr, struct fp_disasm_insn **out, size_t *n);

/* Conditional branches with a path to a call whose target is_panic() says
 * is a bounds panic: either successor (taken or fall-through), following
 * unconditional jumps, within a few moves and nops, as Go lays out its
 * out-of-line panic blocks.  Returns the call's target through *panic_at
 * (0 when not one). */
bool disasm__guards_panic(const struct fp_disasm_insn *v, size_t n, size_t i,
			  bool (*is_panic)(uint64_t target, void *ctx), void *ctx, uint64_t *panic_at);

/* Go's bounds panics: runtime.panicIndex, panicSlice*, goPanicIndex...,
 * and the single runtime.panicBounds of newer Go (which check is in a
 * PCDATA table: internal/abi/bounds.go). */
bool disasm__is_bounds_panic(const char *fn);

#endif
