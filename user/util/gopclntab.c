/* Reader of Go's pclntab.  Layouts from the Go runtime (runtime/symtab.go's
 * pcHeader and moduledata, runtime2.go's _func, internal/abi/symtab.go):
 *
 *   header   magic u32, 0, 0, minLC u8, ptrSize u8, then ptrSize words:
 *            1.16: nfunc nfiles funcnameOff cuOff filetabOff pctabOff pclnOff
 *            1.18+: nfunc nfiles textStart funcnameOff cuOff filetabOff pctabOff pclnOff
 *   functab  at pclnOff, nfunc+1 entries sorted by pc, the last one the end:
 *            1.16: {entry, funcoff} words; 1.18+: {entryoff, funcoff} u32
 *            (entryoff from the text base).  funcoff from pclnOff.
 *   _func    1.16: entry word, then u32 nameoff args deferreturn pcsp pcfile
 *            pcln npcdata cuOffset, u8 funcID pad pad nfuncdata;
 *            1.18: u32 entryoff nameoff ... cuOffset, u8 funcID flag pad nfuncdata;
 *            1.20: as 1.18 with i32 startLine after cuOffset;
 *            then npcdata u32 offsets into pctab (0: no table).
 *   pc tables (pctab + off): pairs of varints (value delta, zig-zag; pc
 *            delta in units of minLC), starting at value -1 and the
 *            function's entry; a zero value delta after the first pair ends.
 *   file     filetab + cutab[cuOffset + pcfile value], NUL-terminated.
 *
 * Every offset comes from the untrusted file, so every read goes through
 * rd() with an explicit bound. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/gopclntab.h"

#define MAX_NFUNC (1u << 24)	/* far more than any real binary (tsgo: 23k) */
#define MAX_NPCDATA 1024

struct span {
	size_t off, len;	/* in buf */
};

struct fp_gopcln {
	const uint8_t *buf;
	size_t len;
	int format;
	unsigned int ptrsize, minlc;
	uint64_t nfunc, text;
	struct span funcname, cutab, filetab, pctab, pcln;
	size_t ftab_ent;	/* bytes per functab entry */
	size_t func_size;	/* fixed part of _func */
};

static uint64_t le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* n bytes at off inside the span s: -EINVAL if any is outside. */
static int rd(const struct fp_gopcln *t, const struct span *s, uint64_t off, unsigned int n,
	      uint64_t *v)
{
	if (off > s->len || n > s->len - off)
		return -EINVAL;
	*v = le(t->buf + s->off + off, n);
	return 0;
}

/* A NUL-terminated string at off inside s. */
static int str(const struct fp_gopcln *t, const struct span *s, uint64_t off, const char **out)
{
	const uint8_t *p;

	if (off >= s->len)
		return -EINVAL;
	p = t->buf + s->off + off;
	if (!memchr(p, 0, s->len - off))
		return -EINVAL;
	*out = (const char *)p;
	return 0;
}

int gopcln__format_of_magic(uint32_t magic)
{
	switch (magic) {
	case 0xfffffffa: return FP_GOPCLN_116;
	case 0xfffffff0: return FP_GOPCLN_118;
	case 0xfffffff1: return FP_GOPCLN_120;
	default: return 0;
	}
}

bool gopcln__looks_like_header(const uint8_t *buf, size_t len)
{
	return len >= 8 && gopcln__format_of_magic((uint32_t)le(buf, 4)) && !buf[4] && !buf[5] &&
	       buf[6] == 1 && (buf[7] == 8 || buf[7] == 4);
}

long gopcln__scan_header(const uint8_t *buf, size_t len, size_t from)
{
	for (size_t off = (from + 3) & ~(size_t)3; off + 8 <= len; off += 4)
		if (buf[off + 3] == 0xff && gopcln__looks_like_header(buf + off, len - off))
			return (long)off;
	return -1;
}

/* Header word i (after the 8-byte prefix). */
static int hdr_word(const uint8_t *buf, size_t len, unsigned int i, uint64_t *v)
{
	unsigned int ps;

	if (!gopcln__looks_like_header(buf, len))
		return -EINVAL;
	ps = buf[7];
	if (8 + (size_t)(i + 1) * ps > len)
		return -EINVAL;
	*v = le(buf + 8 + (size_t)i * ps, ps);
	return 0;
}

int gopcln__header_text(const uint8_t *buf, size_t len, uint64_t *text)
{
	if (!gopcln__looks_like_header(buf, len))
		return -EINVAL;
	if (gopcln__format_of_magic((uint32_t)le(buf, 4)) == FP_GOPCLN_116) {
		*text = 0;
		return 0;
	}
	return hdr_word(buf, len, 2, text);
}

int gopcln__header_funcname_off(const uint8_t *buf, size_t len, uint64_t *off)
{
	if (!gopcln__looks_like_header(buf, len))
		return -EINVAL;
	return hdr_word(buf, len, gopcln__format_of_magic((uint32_t)le(buf, 4)) == FP_GOPCLN_116 ? 2 : 3, off);
}

/* The sub-table starting at off ends where the next one starts (the
 * linker writes them back to back), or at the end of the buffer. */
static int subtable(const uint64_t offs[5], int k, size_t len, struct span *s)
{
	uint64_t end = len;

	if (offs[k] > len)
		return -EINVAL;
	for (int j = 0; j < 5; j++)
		if (j != k && offs[j] > offs[k] && offs[j] < end)
			end = offs[j];
	s->off = offs[k];
	s->len = end - offs[k];
	return 0;
}

static uint64_t ftab_entry(const struct fp_gopcln *t, uint64_t i, int field, int *err)
{
	unsigned int w = t->format == FP_GOPCLN_116 ? t->ptrsize : 4;
	uint64_t v = 0;

	*err = rd(t, &t->pcln, i * t->ftab_ent + (field ? w : 0), w, &v);
	if (!*err && field == 0 && t->format != FP_GOPCLN_116)
		v += t->text;
	return v;
}

int gopcln__open(const uint8_t *buf, size_t len, uint64_t text, struct fp_gopcln **out)
{
	struct fp_gopcln *t;
	uint64_t w[8], offs[5], prev = 0;
	int nw, err = -EINVAL;

	if (!gopcln__looks_like_header(buf, len))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->buf = buf;
	t->len = len;
	t->format = gopcln__format_of_magic((uint32_t)le(buf, 4));
	t->minlc = buf[6];
	t->ptrsize = buf[7];
	nw = t->format == FP_GOPCLN_116 ? 7 : 8;
	for (int i = 0; i < nw; i++)
		if (hdr_word(buf, len, i, &w[i]))
			goto fail;
	t->nfunc = w[0];
	if (t->format == FP_GOPCLN_116) {
		memcpy(offs, &w[2], sizeof(offs));
		t->text = 0;
		t->ftab_ent = 2 * t->ptrsize;
		t->func_size = t->ptrsize + 8 * 4 + 4;	/* entry, 8 u32, 4 u8 */
	} else {
		memcpy(offs, &w[3], sizeof(offs));
		t->text = text ? text : w[2];
		t->ftab_ent = 8;
		t->func_size = t->format == FP_GOPCLN_118 ? 40 : 44;
		if (!t->text) {
			err = -EDESTADDRREQ;	/* Go 1.26+: the base is in the module data */
			goto fail;
		}
	}
	if (!t->nfunc || t->nfunc > MAX_NFUNC)
		goto fail;
	if (subtable(offs, 0, len, &t->funcname) || subtable(offs, 1, len, &t->cutab) ||
	    subtable(offs, 2, len, &t->filetab) || subtable(offs, 3, len, &t->pctab) ||
	    subtable(offs, 4, len, &t->pcln))
		goto fail;
	/* The functab must fit and be sorted: binary search relies on it. */
	if ((t->nfunc + 1) * t->ftab_ent > t->pcln.len)
		goto fail;
	for (uint64_t i = 0; i <= t->nfunc; i++) {
		uint64_t pc = ftab_entry(t, i, 0, &err);

		if (err || pc < prev) {
			err = -EINVAL;
			goto fail;
		}
		prev = pc;
	}
	*out = t;
	return 0;
fail:
	free(t);
	return err;
}

void gopcln__free(struct fp_gopcln *t)
{
	free(t);
}

int gopcln__format(const struct fp_gopcln *t) { return t->format; }
uint64_t gopcln__text(const struct fp_gopcln *t) { return t->text; }
size_t gopcln__nfunc(const struct fp_gopcln *t) { return t->nfunc; }

int gopcln__moduledata_text(const uint8_t *data, size_t len, const uint8_t *pcln, size_t pcln_len,
			    uint64_t pcln_vaddr, uint64_t *text)
{
	uint64_t fnoff, nfunc;
	unsigned int ps;

	if (gopcln__header_funcname_off(pcln, pcln_len, &fnoff) || hdr_word(pcln, pcln_len, 0, &nfunc))
		return -EINVAL;
	ps = pcln[7];
	/* pcHeader, then the slices funcnametab cutab filetab pctab pclntable
	 * ftab (3 words each), findfunctab, minpc, maxpc, text, etext: the
	 * same order from Go 1.16 to 1.26. */
	for (size_t off = 0; off + 24 * (size_t)ps <= len; off += ps) {
		const uint8_t *m = data + off;
		uint64_t minpc, tx, etext;

		if (le(m, ps) != pcln_vaddr || le(m + ps, ps) != pcln_vaddr + fnoff)
			continue;
		if (le(m + 17 * ps, ps) != nfunc + 1)	/* len(ftab) */
			continue;
		minpc = le(m + 20 * ps, ps);
		tx = le(m + 22 * ps, ps);
		etext = le(m + 23 * ps, ps);
		if (!tx || tx > minpc || etext <= tx)
			continue;
		*text = tx;
		return 0;
	}
	return -ENOENT;
}

/* The _func of function i: its offset in pclntable and its fixed fields. */
struct func_rec {
	uint64_t off;		/* in t->pcln */
	uint64_t entry, end;
	uint32_t nameoff, pcsp, pcfile, pcln, npcdata, cuoff;
	int32_t args;
};

static int func_rec(const struct fp_gopcln *t, uint64_t i, struct func_rec *r)
{
	unsigned int base = t->format == FP_GOPCLN_116 ? t->ptrsize : 4;
	uint64_t v[7];
	int err;

	if (i >= t->nfunc)
		return -ENOENT;
	r->entry = ftab_entry(t, i, 0, &err);
	if (!err)
		r->end = ftab_entry(t, i + 1, 0, &err);
	if (!err)
		r->off = ftab_entry(t, i, 1, &err);
	if (err)
		return err;
	if (r->off > t->pcln.len || t->func_size > t->pcln.len - r->off)
		return -EINVAL;
	/* nameoff, then (skipping args and deferreturn) pcsp pcfile pcln npcdata cuOffset. */
	if ((err = rd(t, &t->pcln, r->off + base, 4, &v[0])))
		return err;
	for (int k = 0; k < 5; k++)
		if ((err = rd(t, &t->pcln, r->off + base + 12 + 4 * k, 4, &v[1 + k])))
			return err;
	if ((err = rd(t, &t->pcln, r->off + base + 4, 4, &v[6])))
		return err;
	r->args = (int32_t)v[6];
	r->nameoff = v[0];
	r->pcsp = v[1];
	r->pcfile = v[2];
	r->pcln = v[3];
	r->npcdata = v[4];
	r->cuoff = v[5];
	if (r->npcdata > MAX_NPCDATA)
		return -EINVAL;
	return 0;
}

static int fill(const struct fp_gopcln *t, uint64_t i, const struct func_rec *r, struct fp_gofunc *f)
{
	int err = str(t, &t->funcname, r->nameoff, &f->name);

	if (err)
		return err;
	f->entry = r->entry;
	f->end = r->end;
	f->args = r->args;
	f->index = (uint32_t)i;
	return 0;
}

int gopcln__func(const struct fp_gopcln *t, size_t i, struct fp_gofunc *f)
{
	struct func_rec r;
	int err = func_rec(t, i, &r);

	return err ? err : fill(t, i, &r, f);
}

/* Index of the function holding pc: the last entry <= pc. */
static int find_index(const struct fp_gopcln *t, uint64_t pc, uint64_t *idx)
{
	uint64_t lo = 0, hi = t->nfunc;	/* entry(lo) <= pc < entry(hi) */
	int err;

	if (pc < ftab_entry(t, 0, 0, &err) || err || pc >= ftab_entry(t, t->nfunc, 0, &err) || err)
		return -ENOENT;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ftab_entry(t, mid, 0, &err) <= pc)
			lo = mid;
		else
			hi = mid;
		if (err)
			return err;
	}
	*idx = lo;
	return 0;
}

int gopcln__find_func(const struct fp_gopcln *t, uint64_t pc, struct fp_gofunc *f)
{
	uint64_t i;
	int err = find_index(t, pc, &i);

	return err ? err : gopcln__func(t, i, f);
}

int gopcln__for_each(const struct fp_gopcln *t, const char *prefix,
		     int (*fn)(const struct fp_gofunc *f, void *arg), void *arg)
{
	size_t plen = prefix ? strlen(prefix) : 0;

	for (uint64_t i = 0; i < t->nfunc; i++) {
		struct fp_gofunc f;
		int ret;

		if (gopcln__func(t, i, &f))
			continue;	/* one bad record does not hide the others */
		if (plen && strncmp(f.name, prefix, plen))
			continue;
		ret = fn(&f, arg);
		if (ret)
			return ret;
	}
	return 0;
}

struct lookup_arg {
	const char *name;
	struct fp_gofunc *f;
};

static int lookup_cb(const struct fp_gofunc *f, void *arg)
{
	struct lookup_arg *a = arg;

	if (strcmp(f->name, a->name))
		return 0;
	*a->f = *f;
	return 1;
}

int gopcln__lookup(const struct fp_gopcln *t, const char *name, struct fp_gofunc *f)
{
	struct lookup_arg a = { name, f };

	return gopcln__for_each(t, name, lookup_cb, &a) == 1 ? 0 : -ENOENT;
}

/* A uint32 varint at *p (at most 5 bytes, all inside s). */
static int varint(const struct fp_gopcln *t, const struct span *s, uint64_t *p, uint32_t *v)
{
	uint32_t r = 0;

	for (unsigned int shift = 0; shift < 35; shift += 7) {
		uint64_t b;

		if (rd(t, s, *p, 1, &b))
			return -EINVAL;
		(*p)++;
		if (shift == 28 && (b & 0x70))
			return -EINVAL;	/* more than 32 bits */
		r |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
	}
	return -EINVAL;
}

/* The runtime's pcvalue(): the value of the table at off for targetpc. */
static int pcvalue(const struct fp_gopcln *t, const struct func_rec *r, uint32_t off, uint64_t targetpc,
		   int32_t *out)
{
	uint64_t p = off, pc = r->entry;
	int32_t val = -1;
	bool first = true;

	if (!off)
		return -ENOENT;
	for (;;) {
		uint32_t uv, pcd;

		if (varint(t, &t->pctab, &p, &uv))
			return -EINVAL;
		if (!uv && !first)
			return -ENOENT;	/* targetpc is past the table */
		if (varint(t, &t->pctab, &p, &pcd))
			return -EINVAL;
		val += (int32_t)((uv >> 1) ^ -(uv & 1));
		pc += (uint64_t)pcd * t->minlc;
		first = false;
		if (targetpc < pc) {
			*out = val;
			return 0;
		}
	}
}

static int rec_at(const struct fp_gopcln *t, uint64_t pc, struct func_rec *r)
{
	uint64_t i;
	int err = find_index(t, pc, &i);

	return err ? err : func_rec(t, i, r);
}

int gopcln__line(const struct fp_gopcln *t, uint64_t pc, const char **file, int *line)
{
	struct func_rec r;
	int32_t fileno, ln;
	uint64_t foff;
	int err = rec_at(t, pc, &r);

	if (err || (err = pcvalue(t, &r, r.pcln, pc, &ln)) || (err = pcvalue(t, &r, r.pcfile, pc, &fileno)))
		return err;
	if (fileno < 0 || ln < 0)
		return -ENOENT;
	if ((err = rd(t, &t->cutab, ((uint64_t)r.cuoff + (uint32_t)fileno) * 4, 4, &foff)))
		return err;
	if (foff == 0xffffffffu)
		return -ENOENT;
	if ((err = str(t, &t->filetab, foff, file)))
		return err;
	*line = ln;
	return 0;
}

int gopcln__pcdata(const struct fp_gopcln *t, uint64_t pc, uint32_t table, int32_t *val)
{
	struct func_rec r;
	uint64_t off;
	int err = rec_at(t, pc, &r);

	if (err)
		return err;
	if (table >= r.npcdata)
		return -ENOENT;
	if ((err = rd(t, &t->pcln, r.off + t->func_size + 4ull * table, 4, &off)))
		return err;
	err = pcvalue(t, &r, (uint32_t)off, pc, val);
	if (err == -ENOENT && off) {
		*val = -1;	/* past the table's end: no value, as the runtime says */
		return 0;
	}
	return err;
}

int gopcln__pcsp(const struct fp_gopcln *t, uint64_t pc, int32_t *val)
{
	struct func_rec r;
	int err = rec_at(t, pc, &r);

	return err ? err : pcvalue(t, &r, r.pcsp, pc, val);
}
