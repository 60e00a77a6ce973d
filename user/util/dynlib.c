/* dlopen'd libraries (see dynlib.h). */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util/dynlib.h"
#include "util/err.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char why[256];

/* A library whose loader wrote into read-only segments (text
 * relocations) has private copies there that dropping would lose. */
static bool has_textrel(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Dyn) *dyn;

		if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
			continue;
		dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
		for (; dyn->d_tag != DT_NULL; dyn++)
			if (dyn->d_tag == DT_TEXTREL || (dyn->d_tag == DT_FLAGS && (dyn->d_un.d_val & DF_TEXTREL)))
				return true;
	}
	return false;
}

static int drop_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	const struct link_map *lm = arg;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	if (info->dlpi_addr != lm->l_addr || strcmp(info->dlpi_name, lm->l_name) || has_textrel(info))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type != PT_LOAD || (ph->p_flags & (PF_W | PF_X)))
			continue;
		/* whole pages only: a page shared with a writable segment keeps
		 * its relocated data */
		lo = (lo + page - 1) & ~(page - 1);
		hi &= ~(page - 1);
		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	return 1;
}

/* The pages of a library's read-only segments that the loader read while
 * relocating it (its symbol and relocation tables: 1.8 MB of capstone's)
 * stay resident though never read again (issue 13).  They are clean pages
 * of the file: dropped, a later read faults them back in from the page
 * cache. */
static void drop_loader_reads(void *h)
{
	struct link_map *lm;

	if (!dlinfo(h, RTLD_DI_LINKMAP, &lm) && lm)
		dl_iterate_phdr(drop_cb, lm);
}

static int bind(struct fp_dynlib *d)
{
	void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, sizeof(why), "%s; install %s (make deps)", dlerror(), d->pkg);
		goto unusable;
	}
	for (size_t i = 0; i < d->n; i++) {
		/* POSIX: dlsym's void * converts to a function pointer. */
		d->slot[i] = (void (*)(void))dlsym(h, d->names[i]);
		if (!d->slot[i]) {
			snprintf(why, sizeof(why), "%s lacks %s; install %s (make deps)", d->soname,
				 d->names[i], d->pkg);
			goto unusable;
		}
	}
	d->handle = h;
	drop_loader_reads(h);
	return 1;
unusable:
	/* Once per library: the state keeps it from being tried again. */
	if (d->lost)
		fp_warn("%s: %s", d->lost, why);
	return -1;
}

bool dynlib__load(struct fp_dynlib *d)
{
	int st = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);

	if (st)
		return st > 0;
	pthread_mutex_lock(&lock);
	if (!d->state)
		__atomic_store_n(&d->state, bind(d), __ATOMIC_RELEASE);
	st = d->state;
	pthread_mutex_unlock(&lock);
	return st > 0;
}

const char *dynlib__error(void)
{
	return why;
}
