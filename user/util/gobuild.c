#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/elfsym.h"
#include "util/gobuild.h"
#include "util/gopclntab.h"
#include "util/prologue.h"

/* The linker's layout (cmd/link, debug/buildinfo): 14-byte magic, pointer
 * size, flags; from Go 1.18 with flag 2 the version and module strings
 * follow inline at offset 32, each a uvarint length and the bytes. */
static const char magic[14] = "\xff Go buildinf:";
#define FLAG_BIG_ENDIAN 1
#define FLAG_INLINE 2

static int uvarint(const uint8_t *p, size_t len, uint64_t *v, size_t *used)
{
	uint64_t x = 0;

	for (size_t i = 0; i < len && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			*used = i + 1;
			return 0;
		}
	}
	return -EINVAL;
}

int gobuild__parse(const uint8_t *sec, size_t len, char *ver, size_t vlen)
{
	uint64_t n;
	size_t used;

	if (len < 32 || memcmp(sec, magic, sizeof(magic)))
		return -ENOENT;
	if (!(sec[15] & FLAG_INLINE))
		return -EOPNOTSUPP;
	if (uvarint(sec + 32, len - 32, &n, &used) || n > len - 32 - used || n >= vlen || !n)
		return -EINVAL;
	memcpy(ver, sec + 32 + used, n);
	ver[n] = 0;
	return strncmp(ver, "go", 2) ? -EINVAL : 0;
}

static uint64_t load_ptr(const uint8_t *p, int size, int big)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
	return v;
}

/* Before Go 1.18: two pointers to Go string headers {data, len}. */
static int parse_pointers(struct fp_elf *e, const uint8_t *sec, char *ver, size_t vlen)
{
	int psz = sec[14], big = sec[15] & FLAG_BIG_ENDIAN;
	uint8_t hdr[16];
	uint64_t str, data, n;

	if (psz != 4 && psz != 8)
		return -EINVAL;
	str = load_ptr(sec + 16, psz, big);
	if (elf__read(e, str, hdr, 2 * psz))
		return -EINVAL;
	data = load_ptr(hdr, psz, big);
	n = load_ptr(hdr + psz, psz, big);
	if (!n || n >= vlen || elf__read(e, data, ver, n))
		return -EINVAL;
	ver[n] = 0;
	return strncmp(ver, "go", 2) ? -EINVAL : 0;
}

int gobuild__version_from_layout(struct fp_elf *e, char *ver, size_t vlen)
{
	const struct fp_gopcln *t;
	const char *v = "go1.20+";
	struct fp_gofunc f;
	const void *sec;
	size_t len;

	if (elf__gopcln(e, &t))
		return -ENOENT;
	if (gopcln__format(t) == FP_GOPCLN_116) {
		v = "go1.16+";
	} else if (gopcln__format(t) == FP_GOPCLN_118) {
		v = "go1.18+";
	} else if (!elf__section(e, ".go.module", &sec, &len, NULL)) {
		v = "go1.26+";
	} else if (!gopcln__lookup(t, "runtime.mProf_Malloc", &f) && f.args >= 24) {
		v = "go1.23+";	/* mProf_Malloc(mp, p, size): the sampling hook's size moved */
	}
	snprintf(ver, vlen, "%s", v);
	return 0;
}

int gobuild__version_elf(struct fp_elf *e, char *ver, size_t vlen)
{
	const void *sec = NULL;
	size_t len;
	int err;

	err = elf__section(e, ".go.buildinfo", &sec, &len, NULL);
	if (err == -ENOENT)
		return gobuild__version_from_layout(e, ver, vlen);
	if (err)
		return err;
	err = gobuild__parse(sec, len, ver, vlen);
	if (err == -EOPNOTSUPP)
		err = parse_pointers(e, sec, ver, vlen);
	return err;
}

int gobuild__split(const char *ver, int *major, int *minor)
{
	if (!ver || sscanf(ver, "go%d.%d", major, minor) != 2)
		return -EINVAL;
	return 0;
}

int gobuild__at_least(const char *ver, int major, int minor)
{
	int ma, mi;

	if (gobuild__split(ver, &ma, &mi))
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

/* Where the runtime reads MemProfileRate: profilealloc, with nextSample
 * inlined (`if MemProfileRate == 1`), Go 1.16 to 1.26; nextSample itself
 * where it was not inlined. */
int gobuild__memprofilerate_code(struct fp_elf *e, uint64_t *addr, const char **how)
{
	static const char *const fns[] = { "runtime.profilealloc", "runtime.nextSample" };

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		uint8_t code[1024];
		uint64_t a, size, t;
		size_t len;

		if (elf__symbol(e, fns[i], &a, &size))
			continue;
		len = size && size < sizeof(code) ? size : sizeof(code);
		while (len > 16 && elf__read(e, a, code, len))
			len /= 2;
		if (elf__read(e, a, code, len) || prologue__rip_load_cmp(code, len, a, 1, &t) ||
		    !elf__writable(e, t))
			continue;
		*addr = t;
		if (how)
			*how = fns[i];
		return 0;
	}
	return -ENOENT;
}

int gobuild__memprofilerate(struct fp_elf *e, uint64_t *addr, const char **how)
{
	uint64_t size;

	if (!elf__symbol(e, "runtime.MemProfileRate", addr, &size)) {
		if (how)
			*how = "symbol";
		return 0;
	}
	return gobuild__memprofilerate_code(e, addr, how);
}
