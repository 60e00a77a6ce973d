#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include "util/dynlib.h"
#include "util/elfsym.h"
#include "util/gopclntab.h"
#include "util/symbolize.h"
#include "util/nsfile.h"

/* libdw is opened at the first address space, not linked (util/dynlib.h):
 * with the lzma and bzip2 it pulls in it is 0.3 MB resident from exec, in
 * runs that may never symbolize.  The calls below go through the table. */
#define DW_SYMS(X) X(dwarf_getsrc_die) X(dwarf_haspc) X(dwarf_lineno) X(dwarf_linesrc) \
	X(dwarf_nextcu) X(dwarf_offdie) X(dwfl_addrmodule) X(dwfl_begin) X(dwfl_end) X(dwfl_lineinfo) \
	X(dwfl_linux_proc_find_elf) X(dwfl_linux_proc_maps_report) X(dwfl_module_addrinfo) \
	X(dwfl_module_build_id) X(dwfl_module_getdwarf) X(dwfl_module_getelf) X(dwfl_module_getsrc) \
	X(dwfl_module_info) X(dwfl_report_end) X(dwfl_standard_find_debuginfo)
static FP_DL_TABLE(dw_table, DW_SYMS) fp_dw;
static const char *const dw_names[] = { DW_SYMS(FP_DL_NAME) };
static struct fp_dynlib dw_lib = { "libdw.so.1", dw_names, sizeof(dw_names) / sizeof(dw_names[0]), fp_dw.slot,
				   .pkg = "libdw1", .lost = "stacks are not symbolized (addresses only)" };
#define DW_CALL(f) (fp_dw.f)
#define dwarf_getsrc_die DW_CALL(dwarf_getsrc_die)
#define dwarf_haspc DW_CALL(dwarf_haspc)
#define dwarf_lineno DW_CALL(dwarf_lineno)
#define dwarf_linesrc DW_CALL(dwarf_linesrc)
#define dwarf_nextcu DW_CALL(dwarf_nextcu)
#define dwarf_offdie DW_CALL(dwarf_offdie)
#define dwfl_addrmodule DW_CALL(dwfl_addrmodule)
#define dwfl_begin DW_CALL(dwfl_begin)
#define dwfl_end DW_CALL(dwfl_end)
#define dwfl_lineinfo DW_CALL(dwfl_lineinfo)
#define dwfl_linux_proc_maps_report DW_CALL(dwfl_linux_proc_maps_report)
#define dwfl_module_addrinfo DW_CALL(dwfl_module_addrinfo)
#define dwfl_module_build_id DW_CALL(dwfl_module_build_id)
#define dwfl_module_getdwarf DW_CALL(dwfl_module_getdwarf)
#define dwfl_module_getelf DW_CALL(dwfl_module_getelf)
#define dwfl_module_getsrc DW_CALL(dwfl_module_getsrc)
#define dwfl_module_info DW_CALL(dwfl_module_info)
#define dwfl_report_end DW_CALL(dwfl_report_end)

struct cache_ent {
	unsigned char id[20];	/* build id (truncated) or a hash of the path */
	uint64_t rel;
	char *text;
	struct cache_ent *next;
};

#define CACHE_BUCKETS 4096

/* A module's Go function table, opened once per module (e NULL: none). */
struct go_mod {
	unsigned char id[20];
	struct fp_elf *e;
	const struct fp_gopcln *t;
	struct go_mod *next;
};

struct fp_symbolizer {
	struct cache_ent *bucket[CACHE_BUCKETS];
	struct go_mod *go;
};

struct fp_addrspace {
	Dwfl *dwfl;
};

static char *debuginfo_path;
static Dwfl_Callbacks callbacks = { .debuginfo_path = &debuginfo_path };	/* set once libdw is */

int symbolizer__new(struct fp_symbolizer **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void symbolizer__free(struct fp_symbolizer *S)
{
	if (!S)
		return;
	for (int i = 0; i < CACHE_BUCKETS; i++)
		for (struct cache_ent *e = S->bucket[i], *n; e; e = n) {
			n = e->next;
			free(e->text);
			free(e);
		}
	for (struct go_mod *g = S->go, *n; g; g = n) {
		n = g->next;
		elf__close(g->e);
		free(g);
	}
	free(S);
}

struct fp_addrspace *symbolizer__addrspace(struct fp_symbolizer *S, const char *maps)
{
	struct fp_addrspace *A = calloc(1, sizeof(*A));
	/* the files of another mount namespace, opened while it lived */
	char *own = nsfile__rewrite_maps(maps);
	FILE *f;

	if (!A) {
		free(own);
		return NULL;
	}
	if (own)
		maps = own;
	if (dynlib__load(&dw_lib)) {
		callbacks.find_elf = fp_dw.dwfl_linux_proc_find_elf;
		callbacks.find_debuginfo = fp_dw.dwfl_standard_find_debuginfo;
		A->dwfl = dwfl_begin(&callbacks);
	}
	f = fmemopen((void *)maps, strlen(maps), "r");
	if (!A->dwfl || !f || dwfl_linux_proc_maps_report(A->dwfl, f)) {
		if (f)
			fclose(f);
		free(own);
		symbolizer__addrspace_free(A);
		return NULL;
	}
	fclose(f);
	free(own);
	dwfl_report_end(A->dwfl, NULL, NULL);
	return A;
}

void symbolizer__addrspace_free(struct fp_addrspace *A)
{
	if (!A)
		return;
	if (A->dwfl)
		dwfl_end(A->dwfl);
	free(A);
}

/* The module's identity: its GNU build id, else a hash of its path (Go's
 * own linker writes no GNU build id). */
static void module_id(Dwfl_Module *m, unsigned char id[20])
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	const char *name;
	uint64_t h = 1469598103934665603ULL;
	int n;

	memset(id, 0, 20);
	n = dwfl_module_build_id(m, &bits, &vaddr);
	if (n > 0) {
		memcpy(id, bits, n < 20 ? n : 20);
		return;
	}
	name = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	for (const char *p = name ? name : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	memcpy(id, &h, sizeof(h));
	id[19] = 1;
}

static struct cache_ent **slot(struct fp_symbolizer *S, const unsigned char id[20], uint64_t rel)
{
	uint64_t h = rel * 0x9E3779B97F4A7C15ULL;

	for (int i = 0; i < 20; i++)
		h = (h ^ id[i]) * 1099511628211ULL;
	return &S->bucket[h % CACHE_BUCKETS];
}

static const char *basename_of(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p ? p : "?";
}

/* Go's linker writes no .debug_aranges, which libdw (0.188) needs to map an
 * address to its compilation unit: walk the units' ranges instead. */
static const char *cu_line(Dwfl_Module *m, uint64_t addr, int *lineno)
{
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(m, &bias);
	Dwarf_Off off = 0, next;
	size_t hsz;

	if (!dw)
		return NULL;
	while (!dwarf_nextcu(dw, off, &next, &hsz, NULL, NULL, NULL)) {
		Dwarf_Die cu;
		Dwarf_Line *l;

		if (dwarf_offdie(dw, off + hsz, &cu) && dwarf_haspc(&cu, addr - bias) == 1 &&
		    (l = dwarf_getsrc_die(&cu, addr - bias)) && !dwarf_lineno(l, lineno))
			return dwarf_linesrc(l, NULL, NULL);
		off = next;
	}
	return NULL;
}

/* The Go function table of module m (stripped Go binaries have nothing
 * else): opened from the module's file once, kept per module id. */
static const struct fp_gopcln *go_table(struct fp_symbolizer *S, Dwfl_Module *m,
					const unsigned char id[20])
{
	const char *name, *mainfile = NULL;
	struct go_mod *g;
	Dwarf_Addr bias;

	for (g = S->go; g; g = g->next)
		if (!memcmp(g->id, id, 20))
			return g->t;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	memcpy(g->id, id, 20);
	dwfl_module_getelf(m, &bias);
	name = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	if (!elf__open(mainfile ? mainfile : name, &g->e) && elf__gopcln(g->e, &g->t)) {
		elf__close(g->e);
		g->e = NULL;
		g->t = NULL;
	}
	g->next = S->go;
	S->go = g;
	return g->t;
}

/* Function, file and line from a Go module's own table: what its DWARF
 * says too, without the DWARF, which libdw decompresses whole on first use
 * (6 MB of a 2 MB Go binary's; issue 13).  false if m has no Go table or
 * addr is in none of its functions. */
static bool go_resolve(struct fp_symbolizer *S, Dwfl_Module *m, const unsigned char id[20], uint64_t addr,
		       const char **fn, const char **file, int *lineno)
{
	const struct fp_gopcln *t = go_table(S, m, id);
	struct fp_gofunc gf;
	Dwarf_Addr bias = 0;
	const char *gfile;
	int gline;

	dwfl_module_getelf(m, &bias);
	if (!t || gopcln__find_func(t, addr - bias, &gf))
		return false;
	if (!*fn)
		*fn = gf.name;
	if (!gopcln__line(t, addr - bias, &gfile, &gline)) {
		*file = gfile;
		*lineno = gline;
	}
	return true;
}

static void resolve(struct fp_symbolizer *S, Dwfl_Module *m, const unsigned char id[20], uint64_t addr,
		    uint64_t start, char *buf, size_t len)
{
	const char *fn, *file = NULL, *mname;
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;

	fn = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	if (!go_resolve(S, m, id, addr, &fn, &file, &lineno) || !file || !lineno) {
		line = dwfl_module_getsrc(m, addr);
		if (line)
			file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		else
			file = cu_line(m, addr, &lineno);
	}
	mname = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (fn && file && lineno)
		snprintf(buf, len, "%s %s:%d", fn, basename_of(file), lineno);
	else if (fn)
		snprintf(buf, len, "%s %s", fn, basename_of(mname));
	else
		snprintf(buf, len, "%s+0x%llx", basename_of(mname), (unsigned long long)(addr - start));
}

void symbolizer__frame(struct fp_symbolizer *S, struct fp_addrspace *A, uint64_t addr,
		       bool is_return, char *buf, size_t len)
{
	uint64_t look = is_return && addr ? addr - 1 : addr, start = 0;
	Dwfl_Module *m = A ? dwfl_addrmodule(A->dwfl, look) : NULL;
	unsigned char id[20];
	struct cache_ent **b, *e;

	if (!m) {
		snprintf(buf, len, "[unknown]+0x%llx", (unsigned long long)addr);
		return;
	}
	dwfl_module_info(m, NULL, &start, NULL, NULL, NULL, NULL, NULL);
	module_id(m, id);
	b = slot(S, id, look - start);
	for (e = *b; e; e = e->next)
		if (e->rel == look - start && !memcmp(e->id, id, 20)) {
			snprintf(buf, len, "%s", e->text);
			return;
		}
	resolve(S, m, id, look, start, buf, len);
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	memcpy(e->id, id, 20);
	e->rel = look - start;
	e->text = strdup(buf);
	e->next = *b;
	*b = e;
}

int symbolizer__function(struct fp_symbolizer *S, struct fp_addrspace *A, uint64_t addr,
			 struct fp_func_range *out)
{
	Dwfl_Module *m = A ? dwfl_addrmodule(A->dwfl, addr) : NULL;
	const char *fn, *file = NULL;
	GElf_Addr bias = 0;
	GElf_Off off = 0;
	GElf_Sym sym;

	if (!m || !dwfl_module_getelf(m, &bias))
		return -ENOENT;
	dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, &file, NULL);
	if (!file)
		return -ENOENT;
	fn = dwfl_module_addrinfo(m, addr, &off, &sym, NULL, NULL, NULL);
	if (fn && sym.st_size) {
		out->start = addr - off;
		out->size = sym.st_size;
	} else {
		/* Stripped Go: the function table has entry and end. */
		unsigned char id[20];
		const struct fp_gopcln *t;
		struct fp_gofunc gf;

		module_id(m, id);
		t = go_table(S, m, id);
		if (!t || gopcln__find_func(t, addr - bias, &gf) || gf.end <= gf.entry)
			return -ENOENT;
		fn = gf.name;
		out->start = gf.entry + bias;
		out->size = gf.end - gf.entry;
	}
	out->file_vaddr = out->start - bias;
	snprintf(out->name, sizeof(out->name), "%s", fn);
	snprintf(out->path, sizeof(out->path), "%s", file);
	return 0;
}
