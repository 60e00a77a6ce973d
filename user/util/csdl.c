/* capstone by dlopen (see csdl.h). */
#include <dlfcn.h>
#include <pthread.h>
#define FP_CSDL_IMPL	/* the real names, to bind */
#include "util/csdl.h"

/* The soname of the API the headers describe: the structures they lay out
 * (cs_insn, cs_x86) change between major versions. */
#define CS_STR_(x) #x
#define CS_STR(x) CS_STR_(x)
#define CS_SONAME "libcapstone.so." CS_STR(CS_API_MAJOR)

struct fp_csdl fp_csdl;
static bool usable;

static void bind(void)
{
	void *h = dlopen(CS_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
#define FP_CS_BIND(f) if (!(fp_csdl.f = dlsym(h, #f))) return;
	FP_CS_SYMS(FP_CS_BIND)
	usable = true;
}

bool csdl__load(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, bind);
	return usable;
}
