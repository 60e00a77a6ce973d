/* The kernel's BTF for libbpf, parsed from a read-only mapping of
 * /sys/kernel/btf/vmlinux (issue 13).
 *
 * libbpf 1.1 parses the kernel's BTF (5.2 MB on 6.18) at every object's
 * load, for CO-RE and tp_btf attach ids, and reads the file into a heap
 * buffer that btf__new then copies: two copies at once, 10.5 MB for a
 * moment per load, the floor of fastpath's peak RSS (about 15 MB with the
 * 4 MB it holds anyway).  Since Linux 6.16 the file can be mapped; the
 * mapped pages are the kernel's own (a PFN mapping, never counted in
 * RSS), so parsing from the mapping leaves one copy: libbpf's.  libbpf 1.6
 * does the same.
 *
 * This definition takes the place of libbpf's (which it calls through
 * its PLT, and which the executable's definition interposes: the Makefile
 * exports it); where the file cannot be mapped (an older kernel), or the
 * mapped bytes do not parse, it is libbpf's own that runs.
 *
 * And parsed once for all objects: between vmlinux_btf__hold() and
 * vmlinux_btf__release() (probes__open, every family's load) the first
 * parse is kept and handed to every later load, and libbpf's btf__free
 * of it at the end of each load (also interposed) leaves it alone.  The
 * peak is the same (one parse was held through each load anyway); each
 * load after the first skips its parse. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "util/err.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static struct btf *libbpf_own(void)
{
	struct btf *(*real)(void) = (struct btf *(*)(void))dlsym(RTLD_NEXT, "btf__load_vmlinux_btf");

	if (!real) {
		errno = ENOSYS;
		return NULL;
	}
	return real();
}

static struct btf *from_mapping(void)
{
	struct btf *btf = NULL;
	struct stat st;
	void *m;
	int fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			btf = btf__new(m, (__u32)st.st_size);	/* copies what it keeps */
			munmap(m, (size_t)st.st_size);
		}
	}
	close(fd);
	return btf;
}

static struct btf *parse(void)
{
	struct btf *btf = from_mapping();

	if (btf)
		return btf;
	fp_debug("%s not mapped (%s): libbpf reads it", VMLINUX_BTF, strerror(errno));
	return libbpf_own();
}

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct btf *kept;	/* the parse handed to every load while held */
static int holds;
static unsigned int handed;	/* loads given the kept parse, for -v */

static void real_free(struct btf *btf)
{
	static void (*f)(struct btf *);

	if (!f)
		f = (void (*)(struct btf *))dlsym(RTLD_NEXT, "btf__free");
	if (f)
		f(btf);
}

struct btf *btf__load_vmlinux_btf(void)
{
	struct btf *btf;

	pthread_mutex_lock(&kept_lock);
	if (!holds) {
		pthread_mutex_unlock(&kept_lock);
		return parse();
	}
	if (!kept)
		kept = parse();
	btf = kept;
	handed += btf != NULL;
	pthread_mutex_unlock(&kept_lock);
	return btf;
}

void btf__free(struct btf *btf)
{
	pthread_mutex_lock(&kept_lock);
	if (btf && btf == kept) {
		pthread_mutex_unlock(&kept_lock);
		return;		/* vmlinux_btf__release() frees it */
	}
	pthread_mutex_unlock(&kept_lock);
	real_free(btf);
}

void vmlinux_btf__hold(void)
{
	pthread_mutex_lock(&kept_lock);
	holds++;
	pthread_mutex_unlock(&kept_lock);
}

void vmlinux_btf__release(void)
{
	struct btf *btf = NULL;

	pthread_mutex_lock(&kept_lock);
	if (holds > 0 && !--holds) {
		btf = kept;
		kept = NULL;
		if (btf)
			fp_debug("kernel BTF parsed once for %u object loads", handed);
		handed = 0;
	}
	pthread_mutex_unlock(&kept_lock);
	real_free(btf);
}
