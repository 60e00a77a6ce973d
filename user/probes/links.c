/* A family's links and their parallel teardown: see links.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "probes/links.h"

/* Enough to overlap the grace periods of a Go binary's or a libc's perf
 * uprobes; more threads only queue on the same mutex. */
#define LINKS_THREADS 8

/* union bpf_attr's link_create with uprobe_multi (6.6+), laid out as the
 * kernel's: the build's <linux/bpf.h> may not have it. */
struct uprobe_multi_attr {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 um_flags;
	__u32 pid;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *np;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	np = realloc(*p, c * size);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

/* By the release: probing with a link would need a loaded program of the
 * type, and reading the kernel's BTF for the type costs tens of ms at
 * start.  A kernel that has it without saying so loses nothing: the
 * families then attach perf-event uprobes. */
bool links__have_uprobe_multi(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 6);
}

int links__add(struct fp_links *ls, struct bpf_link *l)
{
	if (grow((void **)&ls->l, &ls->capl, ls->nl, sizeof(*ls->l))) {
		bpf_link__destroy(l);
		return -ENOMEM;
	}
	ls->l[ls->nl++] = l;
	return 0;
}

int links__add_uprobe_multi(struct fp_links *ls, int prog_fd, const char *path, int pid,
			    const uint64_t *offs, const uint64_t *cookies, size_t n)
{
	struct uprobe_multi_attr a;
	int fd;

	if (grow((void **)&ls->fd, &ls->capfd, ls->nfd, sizeof(*ls->fd)))
		return -ENOMEM;
	memset(&a, 0, sizeof(a));
	a.prog_fd = prog_fd;
	a.attach_type = FP_BPF_TRACE_UPROBE_MULTI;
	a.path = (__u64)(unsigned long)path;
	a.offsets = (__u64)(unsigned long)offs;
	a.cookies = (__u64)(unsigned long)cookies;
	a.cnt = n;
	a.pid = pid > 0 ? pid : 0;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	if (fd < 0)
		return -errno;
	ls->fd[ls->nfd++] = fd;
	return 0;
}

struct share {
	struct fp_links *ls;
	size_t first, step;
};

/* Every step-th link from first: the fds first (one grace period each,
 * outside the mutex), then the perf-event links. */
static void *destroy_share(void *arg)
{
	struct share *s = arg;
	size_t i;

	for (i = s->first; i < s->ls->nfd; i += s->step)
		close(s->ls->fd[i]);
	for (i = s->first; i < s->ls->nl; i += s->step)
		bpf_link__destroy(s->ls->l[i]);
	return NULL;
}

void links__destroy(struct fp_links *ls)
{
	size_t most = ls->nl > ls->nfd ? ls->nl : ls->nfd;
	size_t nt = most < LINKS_THREADS ? most : LINKS_THREADS;
	struct share sh[LINKS_THREADS];
	pthread_t t[LINKS_THREADS];
	bool on[LINKS_THREADS] = { false };

	for (size_t k = 0; k < nt; k++) {
		sh[k] = (struct share){ .ls = ls, .first = k, .step = nt };
		on[k] = k && !pthread_create(&t[k], NULL, destroy_share, &sh[k]);
	}
	/* The calling thread takes the first share, and any share whose
	 * thread could not be started. */
	for (size_t k = 0; k < nt; k++)
		if (!on[k])
			destroy_share(&sh[k]);
	for (size_t k = 1; k < nt; k++)
		if (on[k])
			pthread_join(t[k], NULL);
	free(ls->l);
	free(ls->fd);
	memset(ls, 0, sizeof(*ls));
}
