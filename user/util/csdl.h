/* capstone, opened at first use instead of linked (util/dynlib.h): its
 * tables of pointers, relocated at load, are 3 MB resident, and only uprobe
 * placement and --profile annotation disassemble.  Include this instead of
 * <capstone/capstone.h>: the cs_* calls below go through the table that
 * csdl__load() fills; call it (true: usable) before the first. */
#ifndef FP_UTIL_CSDL_H
#define FP_UTIL_CSDL_H

#include <stdbool.h>
#include <capstone/capstone.h>
#include "util/dynlib.h"

#define FP_CS_SYMS(X) X(cs_open) X(cs_option) X(cs_disasm) X(cs_free) X(cs_close) \
	X(cs_insn_group) X(cs_regs_access)
FP_DL_TABLE(fp_csdl, FP_CS_SYMS);
extern union fp_csdl fp_csdl;

bool csdl__load(void);

#ifndef FP_CSDL_IMPL
#define cs_open (fp_csdl.cs_open)
#define cs_option (fp_csdl.cs_option)
#define cs_disasm (fp_csdl.cs_disasm)
#define cs_free (fp_csdl.cs_free)
#define cs_close (fp_csdl.cs_close)
#define cs_insn_group (fp_csdl.cs_insn_group)
#define cs_regs_access (fp_csdl.cs_regs_access)
#endif

#endif
