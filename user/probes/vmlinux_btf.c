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
 * mapped bytes do not parse, it is libbpf's own that runs. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
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

struct btf *btf__load_vmlinux_btf(void)
{
	struct btf *btf = from_mapping();

	if (btf)
		return btf;
	fp_debug("%s not mapped (%s): libbpf reads it", VMLINUX_BTF, strerror(errno));
	return libbpf_own();
}
