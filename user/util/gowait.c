#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "util/elfsym.h"
#include "util/gowait.h"

static const char anchor[] = "GC assist marking";
#define ANCHOR_LEN (sizeof(anchor) - 1)
#define HDR 16	/* a Go string header on 64-bit: data pointer, length */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Reason names are short phrases: "chan receive (nil chan)". */
static bool printable_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return n > 0;
}

/* The entries from the one at data[at] on (entry 0), until the first that
 * is not a name: a zero length (past the table; only entry 0 is empty), a
 * length no reason has, or bytes that do not read as one. */
static unsigned int read_entries(const uint8_t *data, size_t len, size_t at, fp_gowait_read_fn rd,
				 void *ctx, struct fp_gowait *out)
{
	unsigned int n = 1;

	out->names[0][0] = 0;
	for (size_t off = at + HDR; n < FP_GOWAIT_MAX && off + HDR <= len; off += HDR, n++) {
		uint64_t p = le64(data + off), l = le64(data + off + 8);
		char *name = out->names[n];

		if (!p || !l || l >= FP_GOWAIT_NAME || rd(ctx, p, name, l) || !printable_name(name, l))
			break;
		name[l] = 0;
	}
	return n;
}

int gowait__scan(const uint8_t *data, size_t len, uint64_t vaddr, uint64_t anchor_vaddr,
		 fp_gowait_read_fn rd, void *ctx, struct fp_gowait *out)
{
	memset(out, 0, sizeof(*out));
	/* Go aligns a [N]string to 8 bytes. */
	for (size_t at = 0; at + 2 * HDR <= len; at += 8) {
		const uint8_t *e = data + at;

		if (le64(e + HDR) != anchor_vaddr || le64(e + HDR + 8) != ANCHOR_LEN || le64(e) || le64(e + 8))
			continue;
		out->n = read_entries(data, len, at, rd, ctx, out);
		/* A stray match would stop at once: the runtime has dozens. */
		if (out->n >= 8) {
			out->table_vaddr = vaddr + at;
			return 0;
		}
	}
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

static int elf_read(void *ctx, uint64_t vaddr, void *buf, size_t n)
{
	return elf__read(ctx, vaddr, buf, n);
}

/* Every occurrence of the anchor in the read-only data (one in practice;
 * the string may also be a substring of a longer one), each tried. */
static int scan_data(struct fp_elf *e, uint64_t anchor_vaddr, struct fp_gowait *out)
{
	static const char *const secs[] = { ".data", ".data.rel.ro" };
	int err = -ENOENT;

	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]) && err; i++) {
		const void *buf;
		size_t len;
		uint64_t addr;

		if (elf__section(e, secs[i], &buf, &len, &addr))
			continue;
		err = gowait__scan(buf, len, addr, anchor_vaddr, elf_read, e, out);
	}
	return err;
}

int gowait__from_elf(struct fp_elf *e, struct fp_gowait *out)
{
	const void *ro;
	size_t len;
	uint64_t addr;
	int err = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (elf__section(e, ".rodata", &ro, &len, &addr))
		return -ENOENT;
	for (const uint8_t *p = ro, *end = p + len; p && err;) {
		p = memmem(p, (size_t)(end - p), anchor, ANCHOR_LEN);
		if (!p)
			break;
		err = scan_data(e, addr + (uint64_t)(p - (const uint8_t *)ro), out);
		p++;
	}
	return err;
}

int gowait__index(const struct fp_gowait *w, const char *name)
{
	for (unsigned int i = 1; i < w->n; i++)
		if (!strcmp(w->names[i], name))
			return (int)i;
	return -1;
}
