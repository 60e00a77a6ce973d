/* The allocator family (bpf/alloc.bpf.c): entry uprobes per target process
 * on the libc it maps and, for Go binaries, on the runtime's allocator.
 *
 * This file holds the family itself: its state (one entry per process),
 * load and destroy, and a helper thread that saves each process's memory
 * map when it shows a new stack (so sites can be symbolized after it
 * exits) and rereads Go's MemProfileRate.  Placing the probes is in
 * alloc_attach.c, reading the maps and symbolizing in alloc_read.c. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/alloc_state.h"
#include "probes/links.h"
#include "probes/rbwait.h"
#include "model/alloc.h"
#include "util/err.h"
#include "util/procfs.h"
#include "util/nsfile.h"
#include "util/symbolize.h"
#include "alloc.skel.h"

/* -a in sampled mode probes nothing (Go processes are found per target,
 * libc only in exact mode): then the family is not even loaded. */
static bool alloc_wanted(const struct fp_probe_opts *o)
{
	if (o->cfg.all && o->alloc == FP_ALLOC_SAMPLED)
		return false;
	return o->alloc != FP_ALLOC_OFF;
}

/* Caller holds the lock; see alloc_state.h. */
struct alloc_pid *alloc_state__pid(struct alloc_state *st, int pid, bool create)
{
	struct alloc_pid *a;

	for (size_t i = 0; i < st->npids; i++)
		if (st->pids[i]->pid == pid)
			return st->pids[i];
	if (!create)
		return NULL;
	if (st->npids == st->cap_pids) {
		size_t cap = st->cap_pids ? st->cap_pids * 2 : 16;
		void *p = realloc(st->pids, cap * sizeof(*st->pids));

		if (!p)
			return NULL;
		st->pids = p;
		st->cap_pids = cap;
	}
	/* One allocation per entry, never moved: the attach of a process held
	 * at exec keeps its pointer while the helper thread adds others. */
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	st->pids[st->npids++] = a;
	a->pid = pid;
	a->rate = -1;
	return a;
}

void alloc_pid__note(struct alloc_pid *a, const char *fmt, const char *arg)
{
	size_t n = strlen(a->notes);
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (strstr(a->notes, msg))
		return;
	snprintf(a->notes + n, sizeof(a->notes) - n, "%s%s", n ? "; " : "", msg);
}

/* The first executable mapping's line of maps (the image's text), into
 * buf; "" if none. */
static const char *first_exec_line(const char *maps, char *buf, size_t len)
{
	char perms[8];

	buf[0] = 0;
	for (const char *line = maps; line && *line;) {
		size_t n = strcspn(line, "\n");

		if (sscanf(line, "%*x-%*x %7s", perms) == 1 && perms[2] == 'x') {
			snprintf(buf, len, "%.*s", (int)n, line);
			break;
		}
		line += n + (line[n] == '\n');
	}
	return buf;
}

/* a's maps are being replaced by maps: if an exec replaced the image (its
 * first executable mapping is gone), keep the old ones for its sites.
 * Caller holds the lock. */
static void keep_old_image(struct alloc_pid *a, const char *maps)
{
	char line[PATH_MAX + 128];

	if (!a->maps || !first_exec_line(a->maps, line, sizeof(line))[0] || strstr(maps, line))
		return;
	free(a->old_maps[ALLOC_OLD_IMAGES - 1]);
	symbolizer__addrspace_free(a->old_as[ALLOC_OLD_IMAGES - 1]);
	memmove(&a->old_maps[1], &a->old_maps[0], (ALLOC_OLD_IMAGES - 1) * sizeof(a->old_maps[0]));
	memmove(&a->old_as[1], &a->old_as[0], (ALLOC_OLD_IMAGES - 1) * sizeof(a->old_as[0]));
	a->old_maps[0] = a->maps;
	a->old_as[0] = NULL;
	a->maps = NULL;
}

void alloc_pid__set_maps(struct alloc_pid *a, char *maps)
{
	keep_old_image(a, maps);
	free(a->maps);
	a->maps = maps;
}

void alloc_state__save_maps(struct alloc_state *st, int pid)
{
	struct alloc_pid *a;
	char *maps;
	int ppid;

	/* Tests take the path of a process that exits too fast to be read. */
	if (getenv("FASTPATH_TEST_NO_MAPS"))
		return;
	/* ... or whose maps were read once only, before its exec. */
	if (getenv("FASTPATH_TEST_MAPS_ONCE")) {
		bool have;

		pthread_mutex_lock(&st->lock);
		a = alloc_state__pid(st, pid, false);
		have = a && a->maps;
		pthread_mutex_unlock(&st->lock);
		if (have)
			return;
	}
	maps = procfs__maps(pid);
	if (!maps) {
		fp_debug("pid %d: memory map not readable (exited?)", pid);
		return;		/* gone: keep what we had */
	}
	nsfile__note_maps(pid, maps);
	ppid = procfs__ppid(pid);
	pthread_mutex_lock(&st->lock);
	a = alloc_state__pid(st, pid, true);
	if (a) {
		if (!a->ppid && ppid > 0)
			a->ppid = ppid;
		alloc_pid__set_maps(a, maps);
		maps = NULL;
	}
	pthread_mutex_unlock(&st->lock);
	free(maps);
}

/* Load bias of a PIE executable: where its offset-0 mapping starts. */
static uint64_t exe_bias(int pid, const char *maps)
{
	char exe[PATH_MAX];

	if (procfs__exe(pid, exe, sizeof(exe)) || !maps)
		return 0;
	return procfs__maps_start(maps, exe);
}

/* runtime.MemProfileRate from the live process (an int: 8 bytes). */
void alloc_state__read_rate(struct alloc_state *st, struct alloc_pid *a)
{
	char exe[PATH_MAX];
	uint64_t addr = a->rate_addr;
	int64_t v;

	if (!addr)
		return;
	/* A command not yet exec'd is still a copy of fastpath. */
	if (procfs__exe(a->pid, exe, sizeof(exe)) || strcmp(exe, a->exe))
		return;
	if (a->exe_pie)
		addr += exe_bias(a->pid, a->maps);
	/* From now on the kernel reads the rate itself at every sample. */
	{
		__u32 k = a->pid;
		__u64 v64 = addr;

		bpf_map_update_elem(bpf_map__fd(st->skel->maps.fp_alloc_rate_addr), &k, &v64, BPF_ANY);
	}
	if (!procfs__read_mem(a->pid, addr, &v, sizeof(v)) && v >= 0)
		a->rate = v;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct alloc_state *st = ctx;
	struct alloc_pid *a;

	if (len < sizeof(__u32))
		return 0;
	alloc_state__save_maps(st, *(__u32 *)data);
	/* A new sample size is also a moment the rate may have changed. */
	pthread_mutex_lock(&st->lock);
	a = alloc_state__pid(st, *(__u32 *)data, false);
	if (a && a->go_mode == FP_GO_SAMPLED)
		alloc_state__read_rate(st, a);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

/* Every ~100 ms: the maps of attached processes (cheap when unchanged in
 * practice: a few KiB) and Go's rate; at once on a new stack. */
static void *helper(void *arg)
{
	struct alloc_state *st = arg;

	while (!st->stop) {
		rbwait__poll(&st->rbw, st->rb, 100);
		if (st->stop)
			break;
		for (size_t i = 0;; i++) {
			int pid;

			pthread_mutex_lock(&st->lock);
			if (i >= st->npids) {
				pthread_mutex_unlock(&st->lock);
				break;
			}
			pid = st->pids[i]->pid;
			pthread_mutex_unlock(&st->lock);
			if (pid > 0 && kill(pid, 0) == 0) {
				if (st->opts->stacks)
					alloc_state__save_maps(st, pid);
				pthread_mutex_lock(&st->lock);
				if (i < st->npids && st->pids[i]->go_mode == FP_GO_SAMPLED)
					alloc_state__read_rate(st, st->pids[i]);
				pthread_mutex_unlock(&st->lock);
			}
		}
	}
	return NULL;
}

static int alloc_load(struct fp_probes *P, void **state)
{
	struct alloc_state *st = calloc(1, sizeof(*st));
	const struct fp_probe_opts *o = probes__opts(P);
	int err;

	if (!st)
		return -ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	st->opts = o;
	st->rbw.ep = st->rbw.wake = -1;
	st->skel = alloc_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	probes__log_step("allocator", "opened", -1);
	st->skel->rodata->targ_cfg = o->cfg;
	st->skel->rodata->alloc_stacks = o->stacks;
	/* A stack map is preallocated (2.5 ms of its load): without --stacks
	 * it stays empty, so size it to nothing, as the CPU family does. */
	if (!o->stacks)
		bpf_map__set_max_entries(st->skel->maps.fp_alloc_stacks, 1);
	/* libbpf 1.1 knows no SEC("uprobe.multi"): the type is set here. */
	if (links__have_uprobe_multi())
		bpf_program__set_expected_attach_type(st->skel->progs.fp_alloc_multi, FP_BPF_TRACE_UPROBE_MULTI);
	else
		bpf_program__set_autoload(st->skel->progs.fp_alloc_multi, false);
	err = probes__share_maps(P, st->skel->obj);
	if (!err)
		err = alloc_bpf__load(st->skel);
	if (!err)
		err = symbolizer__new(&st->sym);
	if (err)
		goto cleanup;
	*state = st;
	return 0;
cleanup:
	symbolizer__free(st->sym);
	alloc_bpf__destroy(st->skel);
	free(st);
	return err;
}

/* The ring buffer is mapped here, at attach, not at load: its mapping is
 * resident at once (132 KiB), and while the other families load, each
 * parsing the kernel's BTF (11 MB for a moment), it would add to the peak. */
int alloc_state__start_helper(struct alloc_state *st)
{
	int err;

	st->rb = ring_buffer__new(bpf_map__fd(st->skel->maps.fp_alloc_events), on_event, st, NULL);
	if (!st->rb)
		return -errno;
	err = rbwait__init(&st->rbw, st->rb);
	if (err)
		return err;
	if (pthread_create(&st->thread, NULL, helper, st))
		return -errno;
	st->thread_on = true;
	return 0;
}

static void alloc_destroy(void *state)
{
	struct alloc_state *st = state;

	if (st->thread_on) {
		st->stop = true;
		rbwait__wake(&st->rbw);
		pthread_join(st->thread, NULL);
	}
	links__destroy(&st->links);
	rbwait__close(&st->rbw);
	ring_buffer__free(st->rb);
	alloc_bpf__destroy(st->skel);
	for (size_t i = 0; i < st->npids; i++) {
		free(st->pids[i]->maps);
		symbolizer__addrspace_free(st->pids[i]->as);
		free(st->pids[i]->as_maps);
		for (int k = 0; k < ALLOC_OLD_IMAGES; k++) {
			free(st->pids[i]->old_maps[k]);
			symbolizer__addrspace_free(st->pids[i]->old_as[k]);
		}
		free(st->pids[i]);
	}
	symbolizer__free(st->sym);
	free(st->pids);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static struct bpf_object *alloc_object(void *state)
{
	return ((struct alloc_state *)state)->skel->obj;
}

static int cmp_tgid(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

/* The tgids with counters in fp_alloc_stats, sorted, each once. */
static int alloc_held(void *state, __u32 **tgids, size_t *n)
{
	struct alloc_state *st = state;
	int fd = bpf_map__fd(st->skel->maps.fp_alloc_stats);
	struct fp_alloc_key key, next;
	size_t cap = 0, m = 0;
	__u32 *v = NULL;
	void *prev = NULL;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (m == cap) {
			size_t c = cap ? cap * 2 : 64;
			void *nv = realloc(v, c * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = c;
		}
		v[m++] = key.tgid;
	}
	if (m)
		qsort(v, m, sizeof(*v), cmp_tgid);
	for (size_t i = 0; i < m; i++)
		if (!*n || v[*n - 1] != v[i])
			v[(*n)++] = v[i];
	*tgids = v;
	return 0;
}

const struct fp_family fp_family_alloc = {
	.name = "allocator",
	.wanted = alloc_wanted,
	.load = alloc_load,
	.attach = alloc_attach__shared,
	.attach_pid = alloc_attach__pid,
	.read = alloc_read__snapshot,
	.destroy = alloc_destroy,
	.held = alloc_held,
	.object = alloc_object,
};
