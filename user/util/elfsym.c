#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/elfsym.h"
#include "util/gopclntab.h"

struct fp_elf {
	int fd;
	Elf *elf;
	/* Go's function table, located on first use (pcln_err < 0: none). */
	bool pcln_tried;
	int pcln_err;
	struct fp_gopcln *pcln;
	char pcln_where[64];
};

int elf__open(const char *path, struct fp_elf **out)
{
	struct fp_elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		int err = -errno;

		free(e);
		return err;
	}
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		elf__close(e);
		return -ENOEXEC;
	}
	*out = e;
	return 0;
}

void elf__close(struct fp_elf *e)
{
	if (!e)
		return;
	gopcln__free(e->pcln);
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

/* Walk .symtab and .dynsym; fn gets each defined symbol. */
static int walk_syms(struct fp_elf *e, int (*fn)(const char *, GElf_Sym *, void *), void *arg)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int ret;

	for (int pass = 0; pass < 2; pass++) {
		Elf64_Word want = pass ? SHT_DYNSYM : SHT_SYMTAB;

		scn = NULL;
		while ((scn = elf_nextscn(e->elf, scn))) {
			Elf_Data *d;
			size_t n;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want || !sh.sh_entsize)
				continue;
			d = elf_getdata(scn, NULL);
			if (!d)
				continue;
			n = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				const char *name;

				if (!gelf_getsym(d, i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
					continue;
				name = elf_strptr(e->elf, sh.sh_link, sym.st_name);
				if (!name || !*name)
					continue;
				ret = fn(name, &sym, arg);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

struct find_arg {
	const char *name;
	GElf_Sym sym;
};

static int find_cb(const char *name, GElf_Sym *sym, void *arg)
{
	struct find_arg *a = arg;

	if (strcmp(name, a->name))
		return 0;
	a->sym = *sym;
	return 1;
}

static bool has_section_type(struct fp_elf *e, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type && sh.sh_size)
			return true;
	return false;
}

int elf__symbol(struct fp_elf *e, const char *name, uint64_t *vaddr, uint64_t *size)
{
	struct find_arg a = { .name = name };
	const struct fp_gopcln *t;
	struct fp_gofunc f;

	if (walk_syms(e, find_cb, &a) == 1) {
		*vaddr = a.sym.st_value;
		if (size)
			*size = a.sym.st_size;
		return 0;
	}
	/* Stripped Go binaries keep their functions in the pclntab. */
	if (has_section_type(e, SHT_SYMTAB) || elf__gopcln(e, &t) || gopcln__lookup(t, name, &f))
		return -ENOENT;
	*vaddr = f.entry;
	if (size)
		*size = f.end - f.entry;
	return 0;
}

struct each_arg {
	int (*fn)(const char *, void *);
	void *arg;
};

static int each_cb(const char *name, GElf_Sym *sym, void *arg)
{
	struct each_arg *a = arg;

	return a->fn(name, a->arg);
}

static int each_go_cb(const struct fp_gofunc *f, void *arg)
{
	struct each_arg *a = arg;

	return a->fn(f->name, a->arg);
}

int elf__for_each_symbol(struct fp_elf *e, int (*fn)(const char *name, void *arg), void *arg)
{
	struct each_arg a = { fn, arg };
	const struct fp_gopcln *t;
	int ret = walk_syms(e, each_cb, &a);

	if (ret || has_section_type(e, SHT_SYMTAB) || elf__gopcln(e, &t))
		return ret;
	return gopcln__for_each(t, NULL, each_go_cb, &a);
}

struct func_arg {
	const char *prefix;
	size_t plen;
	int (*fn)(const char *, uint64_t, uint64_t, void *);
	void *arg;
};

static int func_cb(const char *name, GElf_Sym *sym, void *arg)
{
	struct func_arg *a = arg;

	if (GELF_ST_TYPE(sym->st_info) != STT_FUNC || strncmp(name, a->prefix, a->plen))
		return 0;
	return a->fn(name, sym->st_value, sym->st_size, a->arg);
}

static int func_go_cb(const struct fp_gofunc *f, void *arg)
{
	struct func_arg *a = arg;

	return a->fn(f->name, f->entry, f->end - f->entry, a->arg);
}

int elf__for_each_func(struct fp_elf *e, const char *prefix,
		       int (*fn)(const char *name, uint64_t vaddr, uint64_t size, void *arg), void *arg)
{
	struct func_arg a = { prefix ? prefix : "", prefix ? strlen(prefix) : 0, fn, arg };
	const struct fp_gopcln *t;

	if (has_section_type(e, SHT_SYMTAB) || elf__gopcln(e, &t))
		return walk_syms(e, func_cb, &a);
	return gopcln__for_each(t, a.prefix, func_go_cb, &a);
}

const char *elf__symbol_source(struct fp_elf *e)
{
	const struct fp_gopcln *t;

	if (has_section_type(e, SHT_SYMTAB))
		return "symtab";
	if (!elf__gopcln(e, &t))
		return e->pcln_where;
	if (has_section_type(e, SHT_DYNSYM))
		return "dynsym";
	return "none";
}

int elf__file_offset(struct fp_elf *e, uint64_t vaddr, uint64_t *off)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e->elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(e->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int elf__read(struct fp_elf *e, uint64_t vaddr, void *buf, size_t n)
{
	uint64_t off;
	int err = elf__file_offset(e, vaddr, &off);

	if (err)
		return err;
	if (pread(e->fd, buf, n, (off_t)off) != (ssize_t)n)
		return -EIO;
	return 0;
}

/* n bytes at offset off of the file, in libelf's read-only mapping of it
 * (ELF_C_READ_MMAP): pages come in as they are read and go with
 * elf_end(), never a heap copy; NULL if the file is shorter. */
static const uint8_t *file_bytes(struct fp_elf *e, uint64_t off, uint64_t n)
{
	size_t size;
	const char *f = elf_rawfile(e->elf, &size);

	if (!f || off > size || n > size - off)
		return NULL;
	return (const uint8_t *)f + off;
}

int elf__section(struct fp_elf *e, const char *name, const void **buf, size_t *len, uint64_t *addr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return -ENOEXEC;
	while ((scn = elf_nextscn(e->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(e->elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, name) || sh.sh_type == SHT_NOBITS)
			continue;
		*buf = file_bytes(e, sh.sh_offset, sh.sh_size);
		if (!*buf)
			return -EIO;
		*len = sh.sh_size;
		if (addr)
			*addr = sh.sh_addr;
		return 0;
	}
	return -ENOENT;
}

bool elf__dynamic(struct fp_elf *e)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e->elf, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(e->elf, i, &ph) && ph.p_type == PT_INTERP)
			return true;
	return false;
}

bool elf__writable(struct fp_elf *e, uint64_t vaddr)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e->elf, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(e->elf, i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_W) &&
		    vaddr >= ph.p_vaddr && vaddr + 8 <= ph.p_vaddr + ph.p_memsz)
			return true;
	return false;
}

bool elf__pie(struct fp_elf *e)
{
	GElf_Ehdr eh;

	return gelf_getehdr(e->elf, &eh) && eh.e_type == ET_DYN;
}

int elf__load_range(struct fp_elf *e, uint64_t *lo, uint64_t *hi, uint64_t *exec_lo)
{
	uint64_t l = UINT64_MAX, h = 0, x = UINT64_MAX;
	GElf_Phdr ph;
	size_t n;

	if (elf_getphdrnum(e->elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(e->elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr < l)
			l = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > h)
			h = ph.p_vaddr + ph.p_memsz;
		if ((ph.p_flags & PF_X) && ph.p_vaddr < x)
			x = ph.p_vaddr;
	}
	if (l == UINT64_MAX || x == UINT64_MAX)
		return -ENOEXEC;
	*lo = l & ~4095ULL;
	*hi = (h + 4095) & ~4095ULL;
	*exec_lo = x;
	return 0;
}

/* ---- Go's pclntab --------------------------------------------------- */

static int section_hdr(struct fp_elf *e, const char *name, GElf_Shdr *out)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(e->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, out))
			continue;
		n = elf_strptr(e->elf, shstrndx, out->sh_name);
		if (n && !strcmp(n, name) && out->sh_type != SHT_NOBITS)
			return 0;
	}
	return -ENOENT;
}

/* The file bytes of a PT_LOAD segment (in the mapping: file_bytes). */
static const uint8_t *segment_bytes(struct fp_elf *e, const GElf_Phdr *ph)
{
	return file_bytes(e, ph->p_offset, ph->p_filesz);
}

/* The module's text base from the runtime's moduledata: in .go.module
 * from Go 1.26 (whose pclntab header says textStart 0), in .noptrdata
 * before; else any writable segment. */
static int moduledata_text(struct fp_elf *e, const uint8_t *pcln, size_t len, uint64_t vaddr,
			   uint64_t *text, const char **from)
{
	static const char *const secs[] = { ".go.module", ".noptrdata", ".data.rel.ro", ".data" };
	GElf_Phdr ph;
	size_t n;

	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		const void *buf;
		size_t blen;

		if (elf__section(e, secs[i], &buf, &blen, NULL))
			continue;
		if (!gopcln__moduledata_text(buf, blen, pcln, len, vaddr, text)) {
			*from = secs[i];
			return 0;
		}
	}
	if (elf_getphdrnum(e->elf, &n))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *buf;

		if (!gelf_getphdr(e->elf, i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_W) ||
		    !(buf = segment_bytes(e, &ph)))
			continue;
		if (!gopcln__moduledata_text(buf, ph.p_filesz, pcln, len, vaddr, text)) {
			*from = "moduledata";
			return 0;
		}
	}
	return -ENOENT;
}

/* Opens the table at buf (vaddr) with the right text base. */
static int open_pcln(struct fp_elf *e, const uint8_t *buf, size_t len, uint64_t vaddr, const char *where)
{
	const char *from = "header";
	uint64_t text = 0;
	int err = gopcln__open(buf, len, 0, &e->pcln);

	if (err == -EDESTADDRREQ) {
		GElf_Shdr sh;

		err = moduledata_text(e, buf, len, vaddr, &text, &from);
		/* PIE: the module data's pointers are relocations, zero in the
		 * file; the runtime's text is where the linker put .text. */
		if (err && !section_hdr(e, ".text", &sh)) {
			text = sh.sh_addr;
			from = ".text";
			err = 0;
		}
		if (!err)
			err = gopcln__open(buf, len, text, &e->pcln);
	}
	if (!err)
		snprintf(e->pcln_where, sizeof(e->pcln_where), "%s (text from %s)", where, from);
	return err;
}

static bool looks_go(struct fp_elf *e)
{
	GElf_Shdr sh;
	size_t n;

	return !section_hdr(e, ".go.buildinfo", &sh) || !section_hdr(e, ".note.go.buildid", &sh) ||
	       (!elf_getshdrnum(e->elf, &n) && n == 0);
}

static int locate_pcln(struct fp_elf *e)
{
	static const char *const secs[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	GElf_Phdr ph;
	size_t n;

	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		size_t len;
		uint64_t addr;
		const void *buf;

		if (!elf__section(e, secs[i], &buf, &len, &addr) && !open_pcln(e, buf, len, addr, secs[i]))
			return 0;
	}
	/* No named section (sections stripped, or an external linker's
	 * layout): find the header in the read-only segments. */
	if (!looks_go(e) || elf_getphdrnum(e->elf, &n))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *buf;
		long off = 0;

		if (!gelf_getphdr(e->elf, i, &ph) || ph.p_type != PT_LOAD || (ph.p_flags & PF_X) ||
		    !(buf = segment_bytes(e, &ph)))
			continue;
		while ((off = gopcln__scan_header(buf, ph.p_filesz, off)) >= 0) {
			if (!open_pcln(e, buf + off, ph.p_filesz - off, ph.p_vaddr + off, "header scan"))
				return 0;
			off += 4;
		}
	}
	return -ENOENT;
}

int elf__gopcln(struct fp_elf *e, const struct fp_gopcln **out)
{
	if (!e->pcln_tried) {
		e->pcln_tried = true;
		e->pcln_err = locate_pcln(e);
	}
	if (e->pcln_err)
		return e->pcln_err;
	*out = e->pcln;
	return 0;
}
