/* capstone by dlopen (see csdl.h). */
#define FP_CSDL_IMPL	/* the real names, to bind */
#include "util/csdl.h"

/* The soname of the API the headers describe: the structures they lay out
 * (cs_insn, cs_x86) change between major versions. */
#define CS_STR_(x) #x
#define CS_STR(x) CS_STR_(x)

union fp_csdl fp_csdl;
static const char *const names[] = { FP_CS_SYMS(FP_DL_NAME) };
static struct fp_dynlib lib = {
	"libcapstone.so." CS_STR(CS_API_MAJOR), names, sizeof(names) / sizeof(names[0]), fp_csdl.slot,
	.pkg = "libcapstone" CS_STR(CS_API_MAJOR),
	.lost = "no disassembly: Go uprobes cannot be placed past their prologue and --profile has no instruction annotation",
};

bool csdl__load(void)
{
	return dynlib__load(&lib);
}
