#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/goalloc.h"
#include "util/gobuild.h"
#include "fp_alloc.h"

static const struct { const char *prefix; enum fp_go_entry kind; } sc_names[] = {
	{ "runtime.mallocgcSmallNoScanSC", FP_GOE_SC_NOSCAN },
	{ "runtime.mallocgcSmallScanNoHeaderSC", FP_GOE_SC_SCAN },
	{ "runtime.mallocgcTinySC", FP_GOE_SC_TINY },
};

enum fp_go_entry goalloc__classify(const char *name, unsigned int *size_class)
{
	*size_class = 0;
	if (!strcmp(name, "runtime.mallocgc"))
		return FP_GOE_MALLOCGC;
	for (size_t i = 0; i < sizeof(sc_names) / sizeof(sc_names[0]); i++) {
		size_t n = strlen(sc_names[i].prefix);
		const char *d = name + n;
		char *end;
		unsigned long v;

		if (strncmp(name, sc_names[i].prefix, n) || *d < '1' || *d > '9')
			continue;
		v = strtoul(d, &end, 10);
		/* exactly "<prefix><n>": not a closure (".func1") or wrapper */
		if (*end || v < 1 || v > 67)
			return FP_GOE_NONE;
		*size_class = v;
		return sc_names[i].kind;
	}
	return FP_GOE_NONE;
}

/* runtime/sizeclasses.go (unchanged since Go 1.12). */
static const unsigned short class_size[68] = {
	0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
	1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528,
	6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432,
	19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

unsigned int goalloc__class_size(unsigned int n)
{
	return n < sizeof(class_size) / sizeof(class_size[0]) ? class_size[n] : 0;
}

unsigned int goalloc__size_arg(const char *ver, bool sampled)
{
	if (!gobuild__at_least(ver, 1, 17))
		return FP_ARG_STACK + (sampled ? 2 : 1);	/* ABI0: on the stack */
	if (!sampled)
		return FP_ARG_REG + FP_REG_AX;		/* mallocgc(size, typ, needzero) */
	return FP_ARG_REG + (gobuild__at_least(ver, 1, 23) ? FP_REG_CX : FP_REG_BX);
}

void goalloc__plan_add(struct fp_go_plan *p, const char *name)
{
	unsigned int sc;
	enum fp_go_entry k = goalloc__classify(name, &sc);

	if (k == FP_GOE_MALLOCGC)
		p->mallocgc = true;
	else if (k != FP_GOE_NONE && sc < 64)
		p->sc[k - FP_GOE_SC_NOSCAN] |= 1ULL << sc;
}

unsigned int goalloc__plan_count(const struct fp_go_plan *p)
{
	return __builtin_popcountll(p->sc[0]) + __builtin_popcountll(p->sc[1]) +
	       __builtin_popcountll(p->sc[2]);
}

/* "SC2-7 (16-80 B)" or "SC1,SC3 (8-24 B)"; the tiny ones take 1-15 B. */
static size_t describe_set(char *buf, size_t len, const char *what, uint64_t m, bool tiny)
{
	int lo = __builtin_ctzll(m), hi = 63 - __builtin_clzll(m);
	bool contiguous = ((m >> lo) & ((m >> lo) + 1)) == 0;
	int n;

	if (lo == hi)
		n = snprintf(buf, len, "%sSC%d", what, lo);
	else if (contiguous)
		n = snprintf(buf, len, "%sSC%d-%d", what, lo, hi);
	else
		n = snprintf(buf, len, "%sSC%d..%d (%d of them)", what, lo, hi, __builtin_popcountll(m));
	if (n < 0 || (size_t)n >= len)
		return len;
	if (tiny)
		n += snprintf(buf + n, len - n, " (1-15 B)");
	else
		n += snprintf(buf + n, len - n, " (%u-%u B)",
			      lo > 1 ? goalloc__class_size(lo - 1) + 1 : 1, goalloc__class_size(hi));
	return (size_t)n < len ? (size_t)n : len;
}

void goalloc__plan_describe(const struct fp_go_plan *p, char *buf, size_t len)
{
	static const char *const names[3] = { "SmallNoScan", "SmallScanNoHeader", "Tiny" };
	unsigned int nsc = goalloc__plan_count(p);
	size_t n;

	n = snprintf(buf, len, "%s", p->mallocgc ? "runtime.mallocgc" : "no runtime.mallocgc");
	if (n >= len || !nsc)
		return;
	n += snprintf(buf + n, len - n, " + %u size-specialised allocator%s:", nsc, nsc > 1 ? "s" : "");
	for (int i = 0; i < 3 && n < len; i++) {
		if (!p->sc[i])
			continue;
		n += snprintf(buf + n, len - n, " ");
		if (n < len)
			n += describe_set(buf + n, len - n, names[i], p->sc[i], i == 2);
	}
}
