#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/elfsym.h"

struct fp_elf {
	int fd;
	Elf *elf;
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

int elf__symbol(struct fp_elf *e, const char *name, uint64_t *vaddr, uint64_t *size)
{
	struct find_arg a = { .name = name };

	if (walk_syms(e, find_cb, &a) != 1)
		return -ENOENT;
	*vaddr = a.sym.st_value;
	if (size)
		*size = a.sym.st_size;
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

int elf__for_each_symbol(struct fp_elf *e, int (*fn)(const char *name, void *arg), void *arg)
{
	struct each_arg a = { fn, arg };

	return walk_syms(e, each_cb, &a);
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

int elf__section(struct fp_elf *e, const char *name, void **buf, size_t *len, uint64_t *addr)
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
		*buf = malloc(sh.sh_size ? sh.sh_size : 1);
		if (!*buf)
			return -ENOMEM;
		if (pread(e->fd, *buf, sh.sh_size, (off_t)sh.sh_offset) != (ssize_t)sh.sh_size) {
			free(*buf);
			*buf = NULL;
			return -EIO;
		}
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
