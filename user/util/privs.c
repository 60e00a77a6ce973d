/* Privileges from the effective capability set: see privs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "util/err.h"
#include "util/privs.h"
#include "util/procfs.h"

/* Bits of CapEff (linux/capability.h). */
#define CAP_SYS_PTRACE_BIT 19
#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38
#define CAP_BPF_BIT 39

static bool has(unsigned long long caps, int bit)
{
	return caps >> bit & 1;
}

void privs__get(struct fp_privs *p)
{
	unsigned long long caps = procfs__cap_eff();
	bool bpf = has(caps, CAP_BPF_BIT), perfmon = has(caps, CAP_PERFMON_BIT);

	memset(p, 0, sizeof(*p));
	/* CAP_SYS_ADMIN covers both on kernels since 5.8 (and before them
	 * was the only way) */
	p->can_load = has(caps, CAP_SYS_ADMIN_BIT) || (bpf && perfmon);
	p->read_others = has(caps, CAP_SYS_PTRACE_BIT);
	p->how = has(caps, CAP_SYS_ADMIN_BIT) ? "CAP_SYS_ADMIN" : bpf && perfmon ? "CAP_BPF+CAP_PERFMON" : "";
	if (!p->can_load)
		snprintf(p->missing, sizeof(p->missing), "%s%s%s", bpf ? "" : "CAP_BPF",
			 !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
}

int privs__require(void)
{
	struct fp_privs p;

	privs__get(&p);
	if (p.can_load)
		return 0;
	fp_err("needs %s (or root) to load BPF programs: run it with sudo, or grant them "
	       "(setcap cap_bpf,cap_perfmon+ep, or AmbientCapabilities= in a unit)", p.missing);
	return -EPERM;
}

bool privs__can_read_maps(int pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno != EACCES && errno != EPERM;
	close(fd);
	return true;
}
