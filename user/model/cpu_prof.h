/* Model: the sampled CPU profile of a process (--profile), part of the cpu
 * section (model/cpu.h).
 *
 * Stacks are symbolized frames, leaf first: the kernel's (if the sample hit
 * in the kernel) then the process's.  Samples are counts at `hz` per CPU;
 * a count n estimates n/hz seconds on CPU, with a standard error of
 * sqrt(n) samples (Poisson), and a share p = n/N has an error of
 * sqrt(p(1-p)/N): every view states the rate and the error with a figure.
 *
 * For the hottest functions the probes add an annotation: every instruction
 * with its samples (the user ip of each sample), its source line, and what
 * it is (a bounds-check branch, a loop's back edge), from which the
 * bounds-check finding (model/findings_cpu.c) works without the binary. */
#ifndef FP_MODEL_CPU_PROF_H
#define FP_MODEL_CPU_PROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FP_PROF_TOP 10		/* functions and lines shown by the views */
#define FP_PROF_JSON_STACKS 2000	/* stacks kept in a recording */
#define FP_PROF_ANNOT_FUNCS 3	/* hottest functions annotated */

struct fp_cpu_stack {
	uint64_t count;
	char **frames;		/* leaf first */
	size_t nframes;
	size_t nkernel;		/* the first nkernel frames are the kernel's */
};

enum fp_insn_kind {
	FP_INSN_PLAIN = 0,
	FP_INSN_BOUNDS,		/* a conditional branch with a path to a bounds panic */
	FP_INSN_BACKEDGE,	/* a branch back to an earlier instruction: a loop */
};

struct fp_cpu_insn {
	uint64_t off;		/* from the function's start */
	uint64_t count;		/* samples at this instruction */
	int kind;		/* enum fp_insn_kind */
	uint64_t target;	/* branch target offset (BOUNDS: toward the panic; BACKEDGE: the loop head) */
	char text[64];		/* "cmp rcx, rbx" */
	char line[96];		/* "main.go:21", "" if unknown */
	char callee[48];	/* BOUNDS: "runtime.panicIndex" */
};

struct fp_cpu_annot {
	char *function;		/* "main.sumChecked" */
	uint64_t samples;	/* samples with their user ip in the function */
	struct fp_cpu_insn *insns;	/* by offset */
	size_t ninsns;
};

struct fp_cpu_prof {
	unsigned int hz;	/* samples per second per CPU */
	uint64_t samples;	/* of this process: its stacks' counts + omitted */
	uint64_t omitted;	/* read back: samples of stacks a recording left out */
	struct fp_cpu_stack *stacks;
	size_t nstacks, cap;
	struct fp_cpu_annot *annots;
	size_t nannots;
};

/* A function or a line with its samples. */
struct fp_prof_count {
	const char *name;	/* points into the profile's frames: name[0..len) */
	size_t len;
	uint64_t self;		/* as the leaf */
	uint64_t total;		/* anywhere in the stack (once per stack) */
};

struct fp_cpu_prof *cpu_prof__new(unsigned int hz);
void cpu_prof__free(struct fp_cpu_prof *p);
struct fp_cpu_prof *cpu_prof__clone(const struct fp_cpu_prof *p);
/* cur - prev, stacks matched by their frames (prev may be NULL). */
struct fp_cpu_prof *cpu_prof__delta(const struct fp_cpu_prof *cur, const struct fp_cpu_prof *prev);

/* Appends a stack of count samples; then cpu_prof__finish() once merges
 * equal stacks (two addresses on one line symbolize alike) and sorts. */
int cpu_prof__add(struct fp_cpu_prof *p, const char *const *frames, size_t n, size_t nkernel, uint64_t count);
void cpu_prof__finish(struct fp_cpu_prof *p);
/* Takes an annotation (its strings and array become the profile's). */
int cpu_prof__add_annot(struct fp_cpu_prof *p, struct fp_cpu_annot *a);
const struct fp_cpu_annot *cpu_prof__annot(const struct fp_cpu_prof *p, const char *function);
/* Stacks by count, descending (ties by frames). */
void cpu_prof__sort(struct fp_cpu_prof *p);

/* "main.sum main.go:12" -> "main.sum" into buf. */
const char *cpu_prof__fn_of(const char *frame, char *buf, size_t len);
/* Functions (by_line false) or source lines (true: the leaf frame's full
 * text) ranked by self samples, then total; out has room for max.  Names
 * point into p (valid while it lives); returns how many. */
size_t cpu_prof__rank(const struct fp_cpu_prof *p, bool by_line, struct fp_prof_count *out, size_t max);
/* Samples of the process with this function anywhere in the stack / as
 * the leaf. */
uint64_t cpu_prof__fn_total(const struct fp_cpu_prof *p, const char *fn);
uint64_t cpu_prof__fn_self(const struct fp_cpu_prof *p, const char *fn);
/* Standard error of a share n/N, in percentage points. */
double cpu_prof__share_err(uint64_t n, uint64_t N);

#endif
