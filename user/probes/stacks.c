/* Stack ids to symbolized frames (probes/stacks.h): libdw for the process,
 * from saved copies of its maps; /proc/kallsyms for the kernel. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "probes/stacks.h"
#include "util/kallsyms.h"
#include "util/nsfile.h"
#include "util/procfs.h"
#include "util/symbolize.h"

#define MAX_DEPTH 128

struct stk_pid {
	int pid;
	char *maps;		/* last saved /proc/PID/maps */
	uint64_t maps_ns;	/* when */
	char exe[256];		/* /proc/PID/exe then: an exec since makes them stale */
	long map_count;		/* the kernel's count of its mappings then, -1 unknown */
	struct fp_addrspace *as;	/* built from as_maps */
	char *as_maps;
};

struct fp_stacks {
	pthread_mutex_t lock;	/* pids: notes may come from a polling thread */
	struct fp_symbolizer *sym;
	struct fp_kallsyms *ksyms;	/* at the first kernel frame (ksyms()) */
	bool ksyms_tried;
	struct stk_pid *pids;
	size_t npids;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int stacks__new(struct fp_stacks **out)
{
	struct fp_stacks *S = calloc(1, sizeof(*S));
	int err;

	if (!S)
		return -ENOMEM;
	pthread_mutex_init(&S->lock, NULL);
	if ((err = symbolizer__new(&S->sym))) {
		free(S);
		return err;
	}
	*out = S;
	return 0;
}

void stacks__free(struct fp_stacks *S)
{
	if (!S)
		return;
	for (size_t i = 0; i < S->npids; i++) {
		free(S->pids[i].maps);
		free(S->pids[i].as_maps);
		symbolizer__addrspace_free(S->pids[i].as);
	}
	free(S->pids);
	symbolizer__free(S->sym);
	kallsyms__free(S->ksyms);
	pthread_mutex_destroy(&S->lock);
	free(S);
}

struct fp_symbolizer *stacks__symbolizer(struct fp_stacks *S)
{
	return S->sym;
}

static struct stk_pid *pid_of(struct fp_stacks *S, int pid, bool create)
{
	void *v;

	for (size_t i = 0; i < S->npids; i++)
		if (S->pids[i].pid == pid)
			return &S->pids[i];
	if (!create || !(v = realloc(S->pids, (S->npids + 1) * sizeof(*S->pids))))
		return NULL;
	S->pids = v;
	memset(&S->pids[S->npids], 0, sizeof(*S->pids));
	S->pids[S->npids].pid = pid;
	return &S->pids[S->npids++];
}

static void note_locked(struct fp_stacks *S, int pid, bool force, long map_count)
{
	struct stk_pid *p = pid_of(S, pid, true);
	uint64_t now = mono_ns();
	char exe[sizeof(p->exe)] = "", *maps;

	if (!p)
		return;
	/* The throttle holds only while the image is the same: `record --
	 * CMD` sees CMD's first stacks while it is still fastpath's child
	 * waiting to exec, the ones after the exec within the second; and a
	 * process that mapped more (a dlopen, ld.so's libraries) since. */
	if (procfs__exe(pid, exe, sizeof(exe)))
		exe[0] = 0;
	if (!force && p->maps && now - p->maps_ns < 1000000000ULL && !strcmp(exe, p->exe) &&
	    (map_count < 0 || map_count == p->map_count))
		return;
	maps = procfs__maps(pid);
	if (!maps)
		return;		/* gone: keep what we had */
	nsfile__note_maps(pid, maps);
	free(p->maps);
	p->maps = maps;
	p->maps_ns = now;
	p->map_count = map_count;
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
}

void stacks__note(struct fp_stacks *S, int pid, bool force)
{
	pthread_mutex_lock(&S->lock);
	note_locked(S, pid, force, -1);
	pthread_mutex_unlock(&S->lock);
}

void stacks__note_mm(struct fp_stacks *S, int pid, long map_count)
{
	pthread_mutex_lock(&S->lock);
	note_locked(S, pid, false, map_count);
	pthread_mutex_unlock(&S->lock);
}

struct fp_addrspace *stacks__addrspace(struct fp_stacks *S, int pid)
{
	struct fp_addrspace *as = NULL;
	struct stk_pid *p;

	pthread_mutex_lock(&S->lock);
	note_locked(S, pid, false, -1);
	p = pid_of(S, pid, false);
	if (p && p->maps && (!p->as || !p->as_maps || strcmp(p->as_maps, p->maps))) {
		symbolizer__addrspace_free(p->as);
		free(p->as_maps);
		p->as = symbolizer__addrspace(S->sym, p->maps);
		p->as_maps = p->as ? strdup(p->maps) : NULL;
	}
	if (p && p->maps)
		as = p->as;
	pthread_mutex_unlock(&S->lock);
	return as;
}

/* The kernel's symbols, read at the first kernel frame to name, not at
 * load (issue 13): 5 MB that every later probe family's load would have
 * peaked on top of, in runs that may never name one.  Without them the
 * kernel frames say [unknown]. */
static const struct fp_kallsyms *ksyms(struct fp_stacks *S)
{
	pthread_mutex_lock(&S->lock);
	if (!S->ksyms_tried) {
		S->ksyms_tried = true;
		if (kallsyms__load(&S->ksyms, NULL))
			S->ksyms = NULL;
	}
	pthread_mutex_unlock(&S->lock);
	return S->ksyms;
}

size_t stacks__frames(struct fp_stacks *S, struct fp_addrspace *as, int fd, unsigned int depth, int ustack,
		      int kstack, uint64_t ip, char **frames, size_t max, size_t *nkernel)
{
	uint64_t ips[MAX_DEPTH];
	char buf[512];
	size_t n = 0;

	*nkernel = 0;
	if (depth > MAX_DEPTH)
		return 0;	/* a caller's bug: the map's values would overrun ips */
	if (kstack >= 0 && !bpf_map_lookup_elem(fd, &kstack, ips)) {
		const struct fp_kallsyms *K = ksyms(S);

		for (unsigned int i = 0; i < depth && ips[i] && n < max; i++) {
			/* A return address (every frame but the leaf) is looked
			 * up one byte back: in the call, not after it. */
			const char *name = K ? kallsyms__name(K, i ? ips[i] - 1 : ips[i]) : NULL;

			snprintf(buf, sizeof(buf), "%s [kernel]", name ? name : "[unknown]");
			frames[n++] = strdup(buf);
		}
		*nkernel = n;
	}
	if (ustack >= 0 && !bpf_map_lookup_elem(fd, &ustack, ips)) {
		for (unsigned int i = 0; i < depth && ips[i] && n < max; i++) {
			symbolizer__frame(S->sym, as, ips[i], i > 0, buf, sizeof(buf));
			frames[n++] = strdup(buf);
		}
	} else if (ip && n < max) {
		symbolizer__frame(S->sym, as, ip, false, buf, sizeof(buf));
		frames[n++] = strdup(buf);
	}
	if (!n && n < max)
		frames[n++] = strdup(ustack < 0 && kstack < 0 ? "[no stack]" : "[unknown]");
	return n;
}
