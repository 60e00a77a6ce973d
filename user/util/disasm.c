#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/csdl.h"
#include "util/disasm.h"

static uint8_t flow_of(csh h, const cs_insn *in)
{
	if (cs_insn_group(h, in, CS_GRP_RET) || cs_insn_group(h, in, CS_GRP_IRET))
		return FP_FLOW_RET;
	if (cs_insn_group(h, in, CS_GRP_CALL))
		return FP_FLOW_CALL;
	if (in->id == X86_INS_JMP || in->id == X86_INS_LJMP)
		return FP_FLOW_JMP;
	if (cs_insn_group(h, in, CS_GRP_JUMP))
		return FP_FLOW_JCC;
	return FP_FLOW_NONE;
}

int disasm__run(const uint8_t *code, size_t len, uint64_t addr, struct fp_disasm_insn **out, size_t *n)
{
	struct fp_disasm_insn *v;
	cs_insn *all = NULL;
	size_t cnt;
	csh h;

	*out = NULL;
	*n = 0;
	if (!csdl__load() || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cnt = cs_disasm(h, code, len, addr, 0, &all);
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v) {
		cs_free(all, cnt);
		cs_close(&h);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++) {
		const cs_insn *in = &all[i];
		const cs_x86 *x = &in->detail->x86;

		v[i].addr = in->address;
		v[i].size = (uint8_t)in->size;
		v[i].flow = flow_of(h, in);
		if (v[i].flow != FP_FLOW_NONE && v[i].flow != FP_FLOW_RET && x->op_count == 1 &&
		    x->operands[0].type == X86_OP_IMM) {
			v[i].direct = true;
			v[i].target = (uint64_t)x->operands[0].imm;
		}
		char text[256];

		snprintf(text, sizeof(text), "%s%s%s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
		snprintf(v[i].text, sizeof(v[i].text), "%.63s", text);	/* cut: long SIMD operands */
	}
	cs_free(all, cnt);
	cs_close(&h);
	*out = v;
	*n = cnt;
	return 0;
}

static ssize_t index_of(const struct fp_disasm_insn *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].addr == addr)
			return (ssize_t)mid;
		if (v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* From instruction i: a straight run (moves, nops, at most one jump) to a
 * call of a bounds panic. */
static bool reaches_panic(const struct fp_disasm_insn *v, size_t n, ssize_t i,
			  bool (*is_panic)(uint64_t, void *), void *ctx, uint64_t *at)
{
	int jumps = 0;

	for (int steps = 0; i >= 0 && (size_t)i < n && steps < 8; steps++) {
		const struct fp_disasm_insn *in = &v[i];

		switch (in->flow) {
		case FP_FLOW_CALL:
			if (in->direct && is_panic(in->target, ctx)) {
				*at = in->target;
				return true;
			}
			return false;
		case FP_FLOW_JMP:
			if (!in->direct || ++jumps > 2)
				return false;
			i = index_of(v, n, in->target);
			continue;
		case FP_FLOW_NONE:
			i++;
			continue;
		default:
			return false;
		}
	}
	return false;
}

bool disasm__guards_panic(const struct fp_disasm_insn *v, size_t n, size_t i,
			  bool (*is_panic)(uint64_t target, void *ctx), void *ctx, uint64_t *panic_at)
{
	*panic_at = 0;
	if (i >= n || v[i].flow != FP_FLOW_JCC || !v[i].direct)
		return false;
	return reaches_panic(v, n, index_of(v, n, v[i].target), is_panic, ctx, panic_at) ||
	       reaches_panic(v, n, (ssize_t)i + 1, is_panic, ctx, panic_at);
}

bool disasm__is_bounds_panic(const char *fn)
{
	static const char *const prefixes[] = {
		"runtime.panicIndex", "runtime.panicSlice", "runtime.goPanicIndex",
		"runtime.goPanicSlice", "runtime.panicBounds",
	};

	if (!fn)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(fn, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}
