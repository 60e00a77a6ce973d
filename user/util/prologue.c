#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "util/csdl.h"
#include "util/prologue.h"
#include "util/elfsym.h"

/* What arch/x86/kernel/uprobes.c emulates: push of a 64-bit register,
 * jmp/jcc/call with a relative target, and nops.  Checked on the bytes, as
 * the kernel does, plus capstone's id for the many nop encodings. */
static bool emulated(const cs_insn *in)
{
	const uint8_t *b = in->bytes;

	if (in->size == 1 && b[0] >= 0x50 && b[0] <= 0x57)
		return true;			/* push %rax..%rdi */
	if (in->size == 2 && b[0] == 0x41 && b[1] >= 0x50 && b[1] <= 0x57)
		return true;			/* push %r8..%r15 */
	if ((in->size == 2 && (b[0] == 0xeb || (b[0] >= 0x70 && b[0] <= 0x7f))) ||
	    (in->size == 5 && (b[0] == 0xe9 || b[0] == 0xe8)) ||
	    (in->size == 6 && b[0] == 0x0f && b[1] >= 0x80 && b[1] <= 0x8f))
		return true;			/* jmp, jcc, call rel */
	return in->id == X86_INS_NOP;
}

/* The 64-bit register family of a capstone register, as enum fp_arg_reg
 * bits (FP_ARGS_GO adds r10/r11 as bits 8/9); 1<<15 for the stack pointer. */
static unsigned int reg_bit(unsigned int r)
{
	static const struct { unsigned int bit; unsigned int regs[4]; } fam[] = {
		{ 1 << 0, { X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL } },
		{ 1 << 1, { X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL } },
		{ 1 << 2, { X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL } },
		{ 1 << 3, { X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL } },
		{ 1 << 4, { X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B } },
		{ 1 << 5, { X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B } },
		{ 1 << 6, { X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL } },
		{ 1 << 7, { X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL } },
		{ 1 << 8, { X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B } },
		{ 1 << 9, { X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B } },
		{ 1 << 15, { X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL } },
	};

	if (r == X86_REG_AH)
		return 1 << 6;
	if (r == X86_REG_BH)
		return 1 << 7;
	if (r == X86_REG_CH)
		return 1 << 3;
	if (r == X86_REG_DH)
		return 1 << 2;
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		for (int j = 0; j < 4; j++)
			if (fam[i].regs[j] == r)
				return fam[i].bit;
	return 0;
}

static bool is_branch(csh h, const cs_insn *in)
{
	return cs_insn_group(h, in, CS_GRP_JUMP) || cs_insn_group(h, in, CS_GRP_CALL) ||
	       cs_insn_group(h, in, CS_GRP_RET) || cs_insn_group(h, in, CS_GRP_INT) ||
	       cs_insn_group(h, in, CS_GRP_IRET);
}

static unsigned int written(csh h, const cs_insn *in)
{
	cs_regs rd, wr;
	uint8_t nrd, nwr;
	unsigned int m = 0;

	if (cs_regs_access(h, in, rd, &nrd, wr, &nwr))
		return ~0u;	/* unknown: assume the worst */
	for (int i = 0; i < nwr; i++)
		m |= reg_bit(wr[i]);
	return m;
}

/* Does any direct jump or call in the function land on target? */
static bool jumped_to(csh h, const uint8_t *code, size_t len, uint64_t addr, uint64_t target)
{
	cs_insn *all;
	size_t n = cs_disasm(h, code, len, addr, 0, &all);
	bool hit = false;

	for (size_t i = 0; i < n && !hit; i++) {
		cs_x86 *x = &all[i].detail->x86;

		if (!cs_insn_group(h, &all[i], CS_GRP_JUMP) && !cs_insn_group(h, &all[i], CS_GRP_CALL))
			continue;
		for (int o = 0; o < x->op_count; o++)
			if (x->operands[o].type == X86_OP_IMM && (uint64_t)x->operands[o].imm == target)
				hit = true;
	}
	if (n)
		cs_free(all, n);
	return hit;
}

static void describe(const cs_insn *in, char *buf, size_t len)
{
	snprintf(buf, len, "%.8s%s%.36s", in->mnemonic, in->op_str[0] ? " " : "", in->op_str);
}

/* Is `in` a cmp of a register with g.stackguard0 (0x10(%r14))? */
static bool go_stack_cmp(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	if (in->id != X86_INS_CMP || x->op_count != 2)
		return false;
	for (int o = 0; o < 2; o++)
		if (x->operands[o].type == X86_OP_MEM && x->operands[o].mem.base == X86_REG_R14 &&
		    x->operands[o].mem.disp == 0x10)
			return true;
	return false;
}

/* Go's prologue: [lea -N(%rsp),%r12;] cmp 0x10(%r14),%rsp|%r12; jbe
 * morestack.  The branch is emulated; it runs again after morestack, which
 * the BPF side tells from the flags (skip_cc).  Only r12/r13 are written
 * before it, and they carry no argument in Go's ABIInternal. */
static bool go_stack_check(csh h, const uint8_t *code, size_t len, uint64_t addr,
			   struct fp_probe_point *out)
{
	cs_insn *in = NULL;
	size_t n = cs_disasm(h, code, len < 32 ? len : 32, addr, 3, &in);
	size_t i = 0;
	bool ok = false;

	/* A big frame computes rsp-N into a scratch register first; one
	 * writing an argument register or rsp is not that lea. */
	if (n >= 3 && in[0].id == X86_INS_LEA && written(h, &in[0]) == 0)
		i = 1;
	if (n > i + 1 && go_stack_cmp(&in[i]) && emulated(&in[i + 1]) &&
	    in[i + 1].size == 2 && in[i + 1].bytes[0] >= 0x70 && in[i + 1].bytes[0] <= 0x7f) {
		out->offset = in[i + 1].address - addr;
		out->emulated = true;
		out->skip_cc = in[i + 1].bytes[0] & 0xf;
		describe(&in[i + 1], out->insn, sizeof(out->insn));
		ok = true;
	} else if (n > i + 1 && go_stack_cmp(&in[i]) && in[i + 1].size == 6 &&
		   in[i + 1].bytes[0] == 0x0f && in[i + 1].bytes[1] >= 0x80 && in[i + 1].bytes[1] <= 0x8f) {
		out->offset = in[i + 1].address - addr;
		out->emulated = true;
		out->skip_cc = in[i + 1].bytes[1] & 0xf;
		describe(&in[i + 1], out->insn, sizeof(out->insn));
		ok = true;
	}
	if (n)
		cs_free(in, n);
	return ok;
}

int prologue__choose(const uint8_t *code, size_t len, uint64_t addr, unsigned int argmask,
		     struct fp_probe_point *out)
{
	cs_insn *in = NULL;
	size_t n;
	csh h;
	unsigned int w;

	memset(out, 0, sizeof(*out));
	out->skip_cc = -1;
	if (!csdl__load() || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (argmask == FP_ARGS_GO && go_stack_check(h, code, len, addr, out)) {
		cs_close(&h);
		return 0;
	}
	n = cs_disasm(h, code, len < 32 ? len : 32, addr, 2, &in);
	if (!n) {
		snprintf(out->note, sizeof(out->note), "cannot decode the entry: probing it as is");
		goto done;
	}
	describe(&in[0], out->insn, sizeof(out->insn));
	out->emulated = emulated(&in[0]);
	if (out->emulated)
		goto done;
	w = written(h, &in[0]);
	if (n < 2 || is_branch(h, &in[0]) || (w & (argmask | 1u << 15))) {
		snprintf(out->note, sizeof(out->note), "entry '%s' is single-stepped and cannot be skipped",
			 out->insn);
		goto done;
	}
	if (!emulated(&in[1])) {
		snprintf(out->note, sizeof(out->note), "entry '%s' is single-stepped; so is the next instruction",
			 out->insn);
		goto done;
	}
	if (jumped_to(h, code, len, addr, addr + in[0].size)) {
		snprintf(out->note, sizeof(out->note), "entry '%s' is single-stepped; the next is a jump target",
			 out->insn);
		goto done;
	}
	out->offset = in[0].size;
	out->emulated = true;
	describe(&in[1], out->insn, sizeof(out->insn));
done:
	if (n)
		cs_free(in, n);
	cs_close(&h);
	return 0;
}

int prologue__rip_load_cmp(const uint8_t *code, size_t len, uint64_t addr, int64_t imm, uint64_t *target)
{
	uint64_t loaded[16] = { 0 };	/* by register family bit index: the global it holds */
	cs_insn *in = NULL;
	int err = -ENOENT;
	size_t n;
	csh h;

	if (!csdl__load() || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -EINVAL;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	n = cs_disasm(h, code, len, addr, 0, &in);
	for (size_t i = 0; i < n && err; i++) {
		const cs_x86 *x = &in[i].detail->x86;
		unsigned int b;

		if (x->op_count != 2)
			continue;
		if (in[i].id == X86_INS_MOV && x->operands[0].type == X86_OP_REG &&
		    x->operands[1].type == X86_OP_MEM && x->operands[1].size == 8 &&
		    x->operands[1].mem.base == X86_REG_RIP && x->operands[1].mem.index == X86_REG_INVALID &&
		    (b = reg_bit(x->operands[0].reg)) && b < (1u << 15)) {
			loaded[__builtin_ctz(b)] = in[i].address + in[i].size + x->operands[1].mem.disp;
		} else if (in[i].id == X86_INS_CMP && x->operands[0].type == X86_OP_REG &&
			   x->operands[1].type == X86_OP_IMM && x->operands[1].imm == imm &&
			   (b = reg_bit(x->operands[0].reg)) && b < (1u << 15) && loaded[__builtin_ctz(b)]) {
			*target = loaded[__builtin_ctz(b)];
			err = 0;
		}
		/* Other writes to the register are not tracked: the code is
		 * read in address order, not along its branches (Go 1.26's
		 * `MemProfileRate == 0` arm writes the register the `== 1`
		 * test reads on the other path). */
	}
	if (n)
		cs_free(in, n);
	cs_close(&h);
	return err;
}

int prologue__for_symbol(struct fp_elf *e, const char *name, unsigned int argmask,
			 uint64_t *addr, uint64_t *off, struct fp_probe_point *pp)
{
	uint8_t code[4096];
	uint64_t size;
	size_t len;
	int err;

	err = elf__symbol(e, name, addr, &size);
	if (!err)
		err = elf__file_offset(e, *addr, off);
	if (err)
		return err;
	len = size && size < sizeof(code) ? size : sizeof(code);
	while (len > 16 && elf__read(e, *addr, code, len))
		len /= 2;
	if (elf__read(e, *addr, code, len) || prologue__choose(code, len, *addr, argmask, pp)) {
		memset(pp, 0, sizeof(*pp));
		pp->skip_cc = -1;
	}
	return 0;
}
