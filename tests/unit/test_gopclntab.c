/* Unit tests of the Go pclntab reader (util/gopclntab.c) on tables this
 * file builds, one per format: Go 1.16 (0xfffffffa), 1.18 (0xfffffff0),
 * 1.20 (0xfffffff1) and the 1.26 layout (header textStart 0, the base in
 * the module data).  Then hostile tables: every truncation, offsets out of
 * range, bad varints, random corruption; each is read from a buffer that
 * ends at a PROT_NONE page, so a read past the end crashes the test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "util/elfsym.h"
#include "util/gobuild.h"
#include "util/gopclntab.h"
#include "util/prologue.h"
#include "util/symbolize.h"

#define TEXT 0x401000ull

/* One row of a function's tables: from pc offset `pc` on (until the next
 * row or the function's end), these values. */
struct row {
	uint32_t pc;
	int32_t line, file, sp, pcdata0;
};

struct fn {
	const char *name;
	uint32_t off, size;	/* from TEXT */
	int nrows;
	struct row rows[4];
	int npcdata;		/* 0: no pcdata table; 1: table 0 from the rows */
};

static const char *const files[] = { "/src/main.go", "/src/util.go", "runtime/malloc.go" };

static const struct fn fns[] = {
	{ "main.main", 0x0, 0x40, 3,
	  { { 0x0, 10, 0, 0, -1 }, { 0x10, 11, 0, 24, 0 }, { 0x30, 12, 1, 24, 3 } }, 1 },
	{ "main.helper", 0x40, 0x20, 2, { { 0x0, 20, 1, 0, -1 }, { 0x8, 21, 1, 8, 1 } }, 0 },
	{ "runtime.mallocgc", 0x60, 0x1a0, 2,
	  { { 0x0, 1067, 2, 0, -1 }, { 0x10, 1112, 2, 40, 2 } }, 1 },
	{ "runtime.mallocgcSmallNoScanSC2", 0x200, 0x80, 1, { { 0x0, 7, 2, 0, -1 } }, 0 },
};
#define NFN (sizeof(fns) / sizeof(fns[0]))

struct out {
	uint8_t b[16384];
	size_t n;
};

static size_t put(struct out *o, uint64_t v, unsigned int w)
{
	size_t at = o->n;

	for (unsigned int i = 0; i < w; i++)
		o->b[o->n++] = (uint8_t)(v >> (8 * i));
	return at;
}

static void set(struct out *o, size_t at, uint64_t v, unsigned int w)
{
	for (unsigned int i = 0; i < w; i++)
		o->b[at + i] = (uint8_t)(v >> (8 * i));
}

static void uvarint(struct out *o, uint32_t v)
{
	while (v >= 0x80) {
		o->b[o->n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	o->b[o->n++] = (uint8_t)v;
}

/* A pc-value table as Go's linker writes it: value deltas zig-zagged,
 * equal neighbours merged, a zero byte at the end. */
static uint32_t pctable(struct out *o, const struct fn *f, int which)
{
	uint32_t at = o->n;
	int32_t prev = -1;
	bool first = true;

	for (int i = 0; i < f->nrows; i++) {
		const struct row *r = &f->rows[i];
		int32_t v = which == 0 ? r->line : which == 1 ? r->file : which == 2 ? r->sp : r->pcdata0;
		uint32_t end = f->size;
		int32_t d = v - prev;

		if (!first && !d)
			continue;
		for (int j = i + 1; j < f->nrows; j++) {
			int32_t nv = which == 0 ? f->rows[j].line : which == 1 ? f->rows[j].file :
				     which == 2 ? f->rows[j].sp : f->rows[j].pcdata0;
			if (nv != v) {
				end = f->rows[j].pc;
				break;
			}
		}
		uvarint(o, ((uint32_t)d << 1) ^ (uint32_t)(d >> 31));
		uvarint(o, end - r->pc);
		prev = v;
		first = false;
	}
	o->b[o->n++] = 0;
	return at;
}

/* Builds a table of `format` (116, 118, 120; 126 = 120 with textStart 0). */
static void build(struct out *o, int format)
{
	bool v116 = format == 116;
	unsigned int nw = v116 ? 7 : 8, ew = v116 ? 8 : 4;
	size_t hdr, nameoff[NFN], fileoff[3], fnoff[NFN];
	uint32_t tabs[NFN][4];
	size_t base[5];

	memset(o, 0, sizeof(*o));
	put(o, format == 116 ? 0xfffffffa : format == 118 ? 0xfffffff0 : 0xfffffff1, 4);
	put(o, 0, 2);
	o->b[o->n++] = 1;	/* minLC */
	o->b[o->n++] = 8;	/* ptrSize */
	hdr = o->n;
	o->n += nw * 8;
	set(o, hdr, NFN, 8);
	set(o, hdr + 8, 3, 8);
	if (!v116)
		set(o, hdr + 16, format == 126 ? 0 : TEXT, 8);
	/* funcnametab */
	base[0] = o->n;
	for (size_t i = 0; i < NFN; i++) {
		nameoff[i] = o->n - base[0];
		memcpy(o->b + o->n, fns[i].name, strlen(fns[i].name) + 1);
		o->n += strlen(fns[i].name) + 1;
	}
	/* cutab: one compilation unit listing every file */
	base[1] = o->n;
	o->n += 3 * 4;
	/* filetab */
	base[2] = o->n;
	for (int i = 0; i < 3; i++) {
		fileoff[i] = o->n - base[2];
		memcpy(o->b + o->n, files[i], strlen(files[i]) + 1);
		o->n += strlen(files[i]) + 1;
	}
	for (int i = 0; i < 3; i++)
		set(o, base[1] + 4 * i, fileoff[i], 4);
	/* pctab: offset 0 means "no table", so start with a pad byte */
	base[3] = o->n;
	o->b[o->n++] = 0;
	for (size_t i = 0; i < NFN; i++)
		for (int w = 0; w < 4; w++)
			tabs[i][w] = pctable(o, &fns[i], w) - base[3];
	/* pclntab: functab, then the _func records */
	while (o->n % 8)
		o->n++;
	base[4] = o->n;
	o->n += (NFN + 1) * 2 * ew;
	for (size_t i = 0; i < NFN; i++) {
		const struct fn *f = &fns[i];
		size_t r;

		while (o->n % 8)
			o->n++;
		fnoff[i] = o->n - base[4];
		r = v116 ? put(o, TEXT + f->off, 8) : put(o, f->off, 4);
		(void)r;
		put(o, nameoff[i], 4);
		put(o, 16, 4);			/* args */
		put(o, 0, 4);			/* deferreturn */
		put(o, tabs[i][2], 4);		/* pcsp */
		put(o, tabs[i][1], 4);		/* pcfile */
		put(o, tabs[i][0], 4);		/* pcln */
		put(o, f->npcdata, 4);		/* npcdata */
		put(o, 0, 4);			/* cuOffset */
		if (format >= 120)
			put(o, f->rows[0].line, 4);	/* startLine */
		put(o, 0, 4);			/* funcID, flag/pad, pad, nfuncdata 0 */
		if (f->npcdata)
			put(o, tabs[i][3], 4);
	}
	for (size_t i = 0; i <= NFN; i++) {
		uint64_t pc = i < NFN ? fns[i].off : fns[NFN - 1].off + fns[NFN - 1].size;

		set(o, base[4] + i * 2 * ew, v116 ? TEXT + pc : pc, ew);
		set(o, base[4] + i * 2 * ew + ew, i < NFN ? fnoff[i] : 0, ew);
	}
	for (int i = 0; i < 5; i++)
		set(o, hdr + (v116 ? 16 : 24) + 8 * i, base[i], 8);
}

/* A copy of n bytes that ends exactly at an inaccessible page. */
struct guarded {
	uint8_t *map;
	size_t maplen;
	uint8_t *p;
};

static uint8_t *guard(struct guarded *g, const uint8_t *src, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (n + pg - 1) / pg * pg;

	g->maplen = data + pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + data, pg, PROT_NONE), 0);
	g->p = g->map + data - n;
	memcpy(g->p, src, n);
	return g->p;
}

static void unguard(struct guarded *g)
{
	munmap(g->map, g->maplen);
}

static int count_cb(const struct fp_gofunc *f, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void check_table(const struct fp_gopcln *t, int format)
{
	struct fp_gofunc f;
	const char *file;
	int32_t v;
	int line, n;

	assert_int_equal(gopcln__format(t), format == 126 ? 120 : format);
	assert_int_equal(gopcln__nfunc(t), NFN);
	assert_int_equal(gopcln__text(t), format == 116 ? 0 : TEXT);
	for (size_t i = 0; i < NFN; i++) {
		assert_int_equal(gopcln__func(t, i, &f), 0);
		assert_string_equal(f.name, fns[i].name);
		assert_int_equal(f.entry, TEXT + fns[i].off);
		assert_int_equal(f.end, TEXT + fns[i].off + fns[i].size);
		assert_int_equal(f.args, 16);
		assert_int_equal(gopcln__lookup(t, fns[i].name, &f), 0);
		assert_int_equal(f.entry, TEXT + fns[i].off);
		/* every row's first and last pc give its line, file, sp */
		for (int r = 0; r < fns[i].nrows; r++) {
			const struct row *rw = &fns[i].rows[r];
			uint32_t end = r + 1 < fns[i].nrows ? fns[i].rows[r + 1].pc : fns[i].size;
			uint64_t pcs[2] = { TEXT + fns[i].off + rw->pc, TEXT + fns[i].off + end - 1 };

			for (int k = 0; k < 2; k++) {
				assert_int_equal(gopcln__find_func(t, pcs[k], &f), 0);
				assert_string_equal(f.name, fns[i].name);
				assert_int_equal(gopcln__line(t, pcs[k], &file, &line), 0);
				assert_int_equal(line, rw->line);
				assert_string_equal(file, files[rw->file]);
				assert_int_equal(gopcln__pcsp(t, pcs[k], &v), 0);
				assert_int_equal(v, rw->sp);
				if (fns[i].npcdata) {
					assert_int_equal(gopcln__pcdata(t, pcs[k], 0, &v), 0);
					assert_int_equal(v, rw->pcdata0);
				} else {
					assert_int_equal(gopcln__pcdata(t, pcs[k], 0, &v), -ENOENT);
				}
				assert_int_equal(gopcln__pcdata(t, pcs[k], 1, &v), -ENOENT);
			}
		}
	}
	assert_int_equal(gopcln__find_func(t, TEXT - 1, &f), -ENOENT);
	assert_int_equal(gopcln__find_func(t, TEXT + 0x280, &f), -ENOENT);
	assert_int_equal(gopcln__lookup(t, "main.mai", &f), -ENOENT);
	assert_int_equal(gopcln__lookup(t, "main.main.func1", &f), -ENOENT);
	n = 0;
	assert_int_equal(gopcln__for_each(t, "runtime.mallocgc", count_cb, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(gopcln__for_each(t, NULL, count_cb, &n), 0);
	assert_int_equal(n, NFN);
}

static void test_format(int format)
{
	struct fp_gopcln *t;
	struct guarded g;
	struct out o;
	uint8_t *p;

	build(&o, format);
	p = guard(&g, o.b, o.n);
	assert_true(gopcln__looks_like_header(p, o.n));
	assert_int_equal(gopcln__open(p, o.n, 0, &t), 0);
	check_table(t, format);
	gopcln__free(t);
	unguard(&g);
}

static void test_go116(void **st) { test_format(116); }
static void test_go118(void **st) { test_format(118); }
static void test_go120(void **st) { test_format(120); }

/* A moduledata record as the runtime lays it out (Go 1.16 to 1.26). */
static void moduledata(uint8_t *m, uint64_t pcln_vaddr, uint64_t fnoff, uint64_t nftab, uint64_t text)
{
	uint64_t w[24] = { pcln_vaddr, pcln_vaddr + fnoff, 100, 100 };

	w[16] = pcln_vaddr + 4096;
	w[17] = w[18] = nftab;
	w[19] = pcln_vaddr + 8192;
	w[20] = text;		/* minpc */
	w[21] = text + 0x280;	/* maxpc */
	w[22] = text;
	w[23] = text + 0x290;	/* etext */
	memcpy(m, w, sizeof(w));
}

/* Go 1.26: textStart is 0 in the header; the base is moduledata.text. */
static void test_go126(void **st)
{
	const uint64_t vaddr = 0x11d2000;
	uint8_t mod[1024] = { 0 };
	struct fp_gopcln *t;
	uint64_t text, fnoff;
	struct guarded g;
	struct out o;
	uint8_t *p;

	build(&o, 126);
	p = guard(&g, o.b, o.n);
	assert_int_equal(gopcln__header_text(p, o.n, &text), 0);
	assert_int_equal(text, 0);
	assert_int_equal(gopcln__open(p, o.n, 0, &t), -EDESTADDRREQ);
	assert_int_equal(gopcln__header_funcname_off(p, o.n, &fnoff), 0);
	/* decoys: a pointer to the header but the wrong funcnametab, the
	 * right one but a functab of another length */
	moduledata(mod, vaddr, fnoff + 8, NFN + 1, 0x500000);
	moduledata(mod + 200, vaddr, fnoff, NFN + 7, 0x500000);
	assert_int_equal(gopcln__moduledata_text(mod, sizeof(mod), p, o.n, vaddr, &text), -ENOENT);
	moduledata(mod + 400, vaddr, fnoff, NFN + 1, TEXT);
	assert_int_equal(gopcln__moduledata_text(mod, sizeof(mod), p, o.n, vaddr, &text), 0);
	assert_int_equal(text, TEXT);
	/* cut just before the text field: not found */
	assert_int_equal(gopcln__moduledata_text(mod, 400 + 22 * 8, p, o.n, vaddr, &text), -ENOENT);
	assert_int_equal(gopcln__open(p, o.n, text, &t), 0);
	check_table(t, 126);
	gopcln__free(t);
	unguard(&g);
}

/* A table that no section names is found by its header bytes. */
static void test_scan(void **st)
{
	static uint8_t seg[32768];
	struct fp_gopcln *t;
	struct out o;
	long off;

	build(&o, 120);
	memset(seg, 0xff, sizeof(seg));
	/* decoys: magic with minLC 2, magic without the zero bytes */
	memcpy(seg + 100, "\xf1\xff\xff\xff\x00\x00\x02\x08", 8);
	memcpy(seg + 200, "\xf0\xff\xff\xff\x01\x00\x01\x08", 8);
	memcpy(seg + 4100, o.b, o.n);
	off = gopcln__scan_header(seg, sizeof(seg), 0);
	assert_int_equal(off, 4100);
	assert_int_equal(gopcln__open(seg + off, sizeof(seg) - off, 0, &t), 0);
	check_table(t, 120);
	gopcln__free(t);
	assert_int_equal(gopcln__scan_header(seg, sizeof(seg), 4104), -1);
	assert_int_equal(gopcln__scan_header(seg, 4107, 0), -1);
	/* Go 1.2-1.15 and unknown magics are not read */
	assert_int_equal(gopcln__format_of_magic(0xfffffffb), 0);
	assert_int_equal(gopcln__format_of_magic(0xfffffff2), 0);
}

/* Every query on a table, for the hostile cases: they must return
 * (0 or a negative errno) without reading outside the buffer. */
static void query_all(const struct fp_gopcln *t)
{
	struct fp_gofunc f;
	const char *file;
	int32_t v;
	int line, n = 0;

	for (size_t i = 0; i < gopcln__nfunc(t) + 1 && i < 64; i++)
		assert_true(gopcln__func(t, i, &f) <= 0);
	for (uint64_t pc = TEXT - 2; pc < TEXT + 0x290; pc += 3) {
		assert_true(gopcln__find_func(t, pc, &f) <= 0);
		assert_true(gopcln__line(t, pc, &file, &line) <= 0);
		assert_true(gopcln__pcdata(t, pc, 0, &v) <= 0);
		assert_true(gopcln__pcsp(t, pc, &v) <= 0);
	}
	assert_true(gopcln__lookup(t, "runtime.mallocgc", &f) <= 0);
	assert_true(gopcln__for_each(t, "", count_cb, &n) == 0);
}

static void open_and_query(const uint8_t *b, size_t n)
{
	struct fp_gopcln *t;
	struct guarded g;
	uint8_t *p = guard(&g, b, n);
	int err = gopcln__open(p, n, 0, &t);

	assert_true(err <= 0);
	if (!err) {
		query_all(t);
		gopcln__free(t);
	}
	unguard(&g);
}

static void test_truncated(void **st)
{
	const int formats[] = { 116, 118, 120 };

	for (int k = 0; k < 3; k++) {
		struct out o;
		struct fp_gopcln *t;

		build(&o, formats[k]);
		for (size_t n = 0; n < o.n; n++)
			open_and_query(o.b, n);
		/* cut inside the header or the functab: refused outright */
		for (size_t n = 0; n < 72; n++)
			assert_true(gopcln__open(o.b, n, 0, &t) < 0);
	}
}

static uint64_t get(const struct out *o, size_t at, unsigned int w)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < w; i++)
		v |= (uint64_t)o->b[at + i] << (8 * i);
	return v;
}

static void test_out_of_range(void **st)
{
	struct fp_gopcln *t;
	struct fp_gofunc f;
	const char *file;
	struct out o, b;
	size_t pcln, fn0;
	int32_t v;
	int line;

	build(&o, 120);
	pcln = get(&o, 8 + 7 * 8, 8);
	fn0 = pcln + get(&o, pcln + 4, 4);	/* main.main's _func */
	/* header offsets past the end, nfunc absurd or zero, functab unsorted */
	for (int w = 3; w < 8; w++) {
		b = o;
		set(&b, 8 + 8 * w, o.n + 1, 8);
		assert_true(gopcln__open(b.b, b.n, 0, &t) < 0);
		set(&b, 8 + 8 * w, UINT64_MAX - 7, 8);
		assert_true(gopcln__open(b.b, b.n, 0, &t) < 0);
	}
	b = o;
	set(&b, 8, 1u << 30, 8);
	assert_true(gopcln__open(b.b, b.n, 0, &t) < 0);
	set(&b, 8, 0, 8);
	assert_true(gopcln__open(b.b, b.n, 0, &t) < 0);
	b = o;
	set(&b, pcln + 8, 0x1000, 4);	/* second entry after the third */
	assert_int_equal(gopcln__open(b.b, b.n, 0, &t), -EINVAL);
	/* a funcoff past the end: that function fails, the others work */
	b = o;
	set(&b, pcln + 4, 0xfffffff0, 4);
	assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
	assert_int_equal(gopcln__func(t, 0, &f), -EINVAL);
	assert_int_equal(gopcln__find_func(t, TEXT, &f), -EINVAL);
	assert_int_equal(gopcln__lookup(t, "main.helper", &f), 0);
	query_all(t);
	gopcln__free(t);
	/* nameoff, cuOffset, pcln offset, npcdata out of range */
	const struct { size_t at; uint32_t v; } bad[] = {
		{ 4, 0x7fffffff }, { 32, 0x40000000 }, { 24, 0x7fffff00 }, { 28, 0xffff }, { 28, 900 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = o;
		set(&b, fn0 + bad[i].at, bad[i].v, 4);
		assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
		if (bad[i].at == 4)
			assert_true(gopcln__func(t, 0, &f) < 0);
		else if (bad[i].v == 900)	/* plausible count, tables past the end */
			assert_int_equal(gopcln__pcdata(t, TEXT + 0x20, 899, &v), -EINVAL);
		else
			assert_true(gopcln__line(t, TEXT + 0x20, &file, &line) < 0 ||
				    gopcln__pcdata(t, TEXT + 0x20, 0, &v) < 0);
		open_and_query(b.b, b.n);
		gopcln__free(t);
	}
	/* a file name without its terminating NUL at the end of filetab */
	b = o;
	{
		size_t ft = get(&o, 8 + 5 * 8, 8), pc = get(&o, 8 + 6 * 8, 8);

		memset(b.b + ft, 'x', pc - ft);
		assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
		assert_int_equal(gopcln__line(t, TEXT, &file, &line), -EINVAL);
		gopcln__free(t);
	}
}

static void test_bad_varints(void **st)
{
	struct fp_gopcln *t;
	const char *file;
	struct out o, b;
	size_t pcln, fn0, pct;
	uint32_t lnoff;
	int line;

	build(&o, 118);
	pcln = get(&o, 8 + 7 * 8, 8);
	pct = get(&o, 8 + 6 * 8, 8);
	fn0 = pcln + get(&o, pcln + 4, 4);
	lnoff = get(&o, fn0 + 24, 4);	/* main.main's pcln table */
	/* six continuation bytes: longer than any uint32 varint */
	b = o;
	memset(b.b + pct + lnoff, 0x80, 6);
	assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
	assert_int_equal(gopcln__line(t, TEXT, &file, &line), -EINVAL);
	gopcln__free(t);
	/* five bytes whose last carries bits past 32 */
	b = o;
	memcpy(b.b + pct + lnoff, "\x81\x80\x80\x80\x7f", 5);
	assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
	assert_int_equal(gopcln__line(t, TEXT, &file, &line), -EINVAL);
	gopcln__free(t);
	/* a table that runs to the end of pctab without terminating */
	b = o;
	set(&b, fn0 + 24, (uint32_t)(pcln - pct - 1), 4);
	b.b[pcln - 1] = 0x80;
	assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
	assert_int_equal(gopcln__line(t, TEXT, &file, &line), -EINVAL);
	gopcln__free(t);
	/* no table (offset 0): no line, not an error of the reader */
	b = o;
	set(&b, fn0 + 24, 0, 4);
	assert_int_equal(gopcln__open(b.b, b.n, 0, &t), 0);
	assert_int_equal(gopcln__line(t, TEXT, &file, &line), -ENOENT);
	gopcln__free(t);
}

/* Random corruption of every format: never a crash, never a read past. */
static void test_fuzz(void **st)
{
	const int formats[] = { 116, 118, 120 };
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int k = 0; k < 3; k++) {
		struct out o;

		build(&o, formats[k]);
		for (int it = 0; it < 3000; it++) {
			struct out b = o;
			int flips = 1 + it % 8;

			for (int j = 0; j < flips; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* keep the magic mostly intact so the parser goes deep */
				b.b[8 + (x >> 8) % (o.n - 8)] = (uint8_t)x;
			}
			open_and_query(b.b, b.n - (it % 5 == 0 ? (x >> 40) % 64 : 0));
		}
	}
}

struct cmp {
	struct fp_elf *stripped;
	int same, abi0, other;
};

static int cmp_cb(const char *name, uint64_t vaddr, uint64_t size, void *arg)
{
	struct cmp *c = arg;
	uint64_t a, sz;
	size_t n = strlen(name);

	/* The symbol table's assembly wrappers carry an ABI suffix the
	 * function table does not have. */
	if (n > 5 && !strcmp(name + n - 5, ".abi0")) {
		c->abi0++;
		return 0;
	}
	if (!elf__symbol(c->stripped, name, &a, &sz) && a == vaddr && sz >= size)
		c->same++;
	else
		c->other++;
	return 0;
}

/* Real binaries (built by `make workloads`): every function of Debian's
 * Go 1.19 workload is found at the same address in its -ldflags=-s -w
 * copy, through elfsym's fallback to the function table. */
static void test_real_go119(void **st)
{
	const char *full = "build/workloads/go-allocgo", *strip = "build/workloads/go-allocgo-stripped";
	struct cmp c = { 0 };
	struct fp_elf *e;
	const struct fp_gopcln *t;

	if (access(full, R_OK) || access(strip, R_OK))
		skip();
	assert_int_equal(elf__open(full, &e), 0);
	assert_int_equal(elf__open(strip, &c.stripped), 0);
	assert_string_equal(elf__symbol_source(e), "symtab");
	assert_string_equal(elf__symbol_source(c.stripped), ".gopclntab (text from header)");
	assert_int_equal(elf__gopcln(c.stripped, &t), 0);
	assert_int_equal(gopcln__format(t), FP_GOPCLN_118);
	{
		char v[32];
		struct fp_gofunc f;

		/* without build info, the layout's lower bound; mProf_Malloc(p, size) */
		assert_int_equal(gobuild__version_from_layout(c.stripped, v, sizeof(v)), 0);
		assert_string_equal(v, "go1.18+");
		assert_int_equal(gopcln__lookup(t, "runtime.mProf_Malloc", &f), 0);
		assert_int_equal(f.args, 16);
	}
	assert_int_equal(elf__for_each_func(e, NULL, cmp_cb, &c), 0);
	assert_true(c.same > 1000);
	/* a handful of linker-made symbols (runtime.text, runtime.etext, ...) */
	print_message("go1.19: %d functions at the same address, %d abi0 wrappers, %d others\n", c.same, c.abi0, c.other);
	assert_true(c.other < 10);
	assert_true(c.abi0 > 10);
	elf__close(e);
	elf__close(c.stripped);
}

/* A /proc/PID/maps line mapping the whole binary where it links. */
static struct fp_addrspace *space_of(struct fp_symbolizer *S, const char *path)
{
	char maps[PATH_MAX + 128], abs[PATH_MAX];
	uint64_t lo, hi, x;
	struct fp_elf *e;

	assert_non_null(realpath(path, abs));
	assert_int_equal(elf__open(abs, &e), 0);
	assert_int_equal(elf__load_range(e, &lo, &hi, &x), 0);
	elf__close(e);
	snprintf(maps, sizeof(maps), "%08llx-%08llx r-xp 00000000 00:00 1 %s\n", (unsigned long long)lo,
		 (unsigned long long)hi, abs);
	return symbolizer__addrspace(S, maps);
}

struct sym_cmp {
	struct fp_symbolizer *S;
	struct fp_addrspace *full, *strip;
	int n, same, abi0;
	char first_diff[600];
};

static int sym_cb(const char *name, uint64_t vaddr, uint64_t size, void *arg)
{
	struct sym_cmp *c = arg;
	char a[256], b[256];

	for (uint64_t pc = vaddr; pc < vaddr + size; pc += size / 3 + 1) {
		symbolizer__frame(c->S, c->full, pc, false, a, sizeof(a));
		symbolizer__frame(c->S, c->strip, pc, false, b, sizeof(b));
		c->n++;
		if (!strcmp(a, b))
			c->same++;
		else if (!strchr(a, ':') && !strchr(b, ':') && strchr(a, ' ') &&
			 strchr(a, ' ') - a == strchr(b, ' ') - b && !strncmp(a, b, strchr(a, ' ') - a))
			c->same++;	/* no line in either (padding): "function module" */
		else if (strstr(a, ".abi0 "))
			c->abi0++;	/* the symbol table's name for an assembly wrapper */
		else if (!c->first_diff[0])
			snprintf(c->first_diff, sizeof(c->first_diff), "%#llx: %s | %s",
				 (unsigned long long)pc, a, b);
	}
	return 0;
}

/* Call sites on the stripped Go 1.19 workload read as on the unstripped
 * one (libdw: .symtab and DWARF; stripped: the function table). */
static void test_symbolize_stripped_go(void **st)
{
	const char *full = "build/workloads/go-allocgo", *strip = "build/workloads/go-allocgo-stripped";
	struct sym_cmp c = { 0 };
	struct fp_elf *e;
	char buf[256];

	if (access(full, R_OK) || access(strip, R_OK))
		skip();
	assert_int_equal(symbolizer__new(&c.S), 0);
	c.full = space_of(c.S, full);
	c.strip = space_of(c.S, strip);
	assert_non_null(c.full);
	assert_non_null(c.strip);
	assert_int_equal(elf__open(strip, &e), 0);
	assert_int_equal(elf__for_each_func(e, NULL, sym_cb, &c), 0);
	elf__close(e);
	print_message("go1.19 stripped: %d of %d sites read the same, %d abi0 names; first other: %s\n",
		      c.same, c.n, c.abi0, c.first_diff[0] ? c.first_diff : "none");
	assert_true(c.n > 3000);
	assert_true(c.same + c.abi0 >= c.n - c.n / 100);
	/* one by name: main.main's entry names its file and line */
	assert_int_equal(elf__open(strip, &e), 0);
	{
		uint64_t a, sz;

		assert_int_equal(elf__symbol(e, "main.main", &a, &sz), 0);
		symbolizer__frame(c.S, c.strip, a, false, buf, sizeof(buf));
		assert_non_null(strstr(buf, "main.main main.go:"));
	}
	elf__close(e);
	symbolizer__addrspace_free(c.full);
	symbolizer__addrspace_free(c.strip);
	symbolizer__free(c.S);
}

/* The decoder on Go 1.26's shape of profilealloc: the `== 0` arm writes
 * the register that the `== 1` test reads on the other path. */
static void test_rip_load_cmp(void **st)
{
	static const uint8_t code[] = {
		0x48, 0x8b, 0x15, 0x00, 0x01, 0x00, 0x00,	/* mov 0x100(%rip),%rdx (mcache0) */
		0x48, 0x8b, 0x35, 0x49, 0x07, 0x00, 0x00,	/* mov 0x749(%rip),%rsi */
		0x48, 0x85, 0xf6,				/* test %rsi,%rsi */
		0x75, 0x0c,					/* jne +12 */
		0x48, 0xbe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, /* movabs $max,%rsi */
		0xeb, 0x04,					/* jmp +4 */
		0x48, 0x83, 0xfe, 0x01,				/* cmp $0x1,%rsi */
		0xc3,
	};
	uint64_t t;

	assert_int_equal(prologue__rip_load_cmp(code, sizeof(code), 0x422280, 1, &t), 0);
	assert_int_equal(t, 0x422280 + 14 + 0x749);
	assert_int_equal(prologue__rip_load_cmp(code, sizeof(code), 0x422280, 2, &t), -ENOENT);
	assert_int_equal(prologue__rip_load_cmp(code, 14, 0x422280, 1, &t), -ENOENT);
}

#define TSGO "build/npm/node_modules/@typescript/native-preview-linux-x64/lib/tsgo"

/* runtime.MemProfileRate on a stripped binary: the global profilealloc
 * compares with 1 is the one the symbol names on the unstripped twin. */
static void test_memprofilerate_from_code(void **st)
{
	const char *full = "build/workloads/go-allocgo", *strip = "build/workloads/go-allocgo-stripped";
	uint64_t sym, code, size, s2, v = 0;
	struct fp_elf *e, *es;
	const char *how;

	if (access(full, R_OK) || access(strip, R_OK))
		skip();
	assert_int_equal(elf__open(full, &e), 0);
	assert_int_equal(elf__open(strip, &es), 0);
	assert_int_equal(elf__symbol(e, "runtime.MemProfileRate", &sym, &size), 0);
	assert_int_equal(elf__symbol(es, "runtime.MemProfileRate", &s2, &size), -ENOENT);
	assert_int_equal(gobuild__memprofilerate_code(e, &code, &how), 0);
	assert_int_equal(code, sym);
	assert_string_equal(how, "runtime.profilealloc");
	/* the -s -w build is a separate link whose data layout may differ
	 * (it did in a fresh clone: 0x20 apart), so its answer is checked
	 * against its own sections; strip(1) of the unstripped binary keeps
	 * the layout, and there it must be the symbol's address */
	assert_int_equal(gobuild__memprofilerate(es, &s2, &how), 0);
	assert_true(elf__writable(es, s2));
	assert_string_equal(how, "runtime.profilealloc");
	elf__close(es);
	elf__close(e);
	{
		char tmp[] = "/tmp/fastpath-strip.XXXXXX", cmd[512];
		int fd = mkstemp(tmp);

		assert_true(fd >= 0);
		close(fd);
		snprintf(cmd, sizeof(cmd), "strip -o %s %s", tmp, full);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(elf__open(tmp, &es), 0);
		assert_int_equal(elf__symbol(es, "runtime.MemProfileRate", &s2, &size), -ENOENT);
		assert_int_equal(gobuild__memprofilerate(es, &s2, &how), 0);
		assert_int_equal(s2, sym);
		elf__close(es);
		unlink(tmp);
	}
	/* Go 1.26 (tsgo from make deps): initialised data, 512 KiB in the file */
	if (access(TSGO, R_OK))
		return;
	assert_int_equal(elf__open(TSGO, &e), 0);
	assert_int_equal(gobuild__memprofilerate(e, &code, &how), 0);
	assert_string_equal(how, "runtime.profilealloc");
	assert_int_equal(elf__read(e, code, &v, 8), 0);
	assert_int_equal(v, 512 * 1024);
	elf__close(e);
}

/* tsgo (Go 1.26, stripped, from make deps): the table is found with its
 * text base from .go.module, and the allocator's entry points by name. */
static void test_real_tsgo(void **st)
{
	const struct fp_gopcln *t;
	struct fp_gofunc f;
	const char *file;
	struct fp_elf *e;
	uint64_t a, size;
	int line;

	if (access(TSGO, R_OK))
		skip();
	assert_int_equal(elf__open(TSGO, &e), 0);
	assert_string_equal(elf__symbol_source(e), ".gopclntab (text from .go.module)");
	assert_int_equal(elf__gopcln(e, &t), 0);
	assert_int_equal(gopcln__format(t), FP_GOPCLN_120);
	assert_true(gopcln__nfunc(t) > 20000);
	assert_int_equal(elf__symbol(e, "runtime.mallocgc", &a, &size), 0);
	assert_int_equal(gopcln__line(t, a, &file, &line), 0);
	assert_string_equal(file, "runtime/malloc.go");
	assert_int_equal(elf__symbol(e, "runtime.mProf_Malloc", &a, &size), 0);
	assert_int_equal(gopcln__find_func(t, a + size / 2, &f), 0);
	assert_string_equal(f.name, "runtime.mProf_Malloc");
	assert_int_equal(elf__symbol(e, "main.main", &a, &size), 0);
	assert_int_equal(gopcln__line(t, a, &file, &line), 0);
	assert_string_equal(file, "github.com/microsoft/typescript-go/cmd/tsgo/main.go");
	{
		char v[32];

		/* mProf_Malloc(mp, p, size) from Go 1.23; .go.module from 1.26 */
		assert_int_equal(gopcln__lookup(t, "runtime.mProf_Malloc", &f), 0);
		assert_int_equal(f.args, 24);
		assert_int_equal(gobuild__version_from_layout(e, v, sizeof(v)), 0);
		assert_string_equal(v, "go1.26+");
		assert_int_equal(gobuild__version_elf(e, v, sizeof(v)), 0);
		assert_string_equal(v, "go1.26.4");
	}
	elf__close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go116),
		cmocka_unit_test(test_go118),
		cmocka_unit_test(test_go120),
		cmocka_unit_test(test_go126),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_varints),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_real_go119),
		cmocka_unit_test(test_symbolize_stripped_go),
		cmocka_unit_test(test_rip_load_cmp),
		cmocka_unit_test(test_memprofilerate_from_code),
		cmocka_unit_test(test_real_tsgo),
	};

	return cmocka_run_group_tests_name("gopclntab", tests, NULL, NULL);
}
