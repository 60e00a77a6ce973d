/* The lifecycle family (bpf/proc.bpf.c): owns the shared target maps and
 * names every process the data families saw. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "probes/family.h"
#include "util/cgroupfs.h"
#include "util/procfs.h"
#include "proc.skel.h"

struct exe_cache {
	int pid;
	unsigned long long exec_ns;	/* which exec of pid the name is for */
	char *exe;
};

struct proc_state {
	struct proc_bpf *skel;
	struct exe_cache *exes;
	size_t nexes, cap;
};

/* The bitmap of targets covers every possible pid. */
static unsigned int pid_max(void)
{
	unsigned int v = procfs__pid_max();

	return v ? v : FP_TARGET_BITS_DEFAULT_PID_MAX;
}

static int proc_load(struct fp_probes *P, void **state)
{
	struct proc_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	st->skel = proc_bpf__open();
	if (!st->skel) {
		err = -errno;
		goto cleanup;
	}
	probes__log_step("process lifecycle", "opened", -1);
	st->skel->rodata->targ_cfg = probes__opts(P)->cfg;
	bpf_map__set_max_entries(st->skel->maps.fp_target_bits,
				 pid_max() / FP_TARGET_BITS_PER_WORD + 1);
	err = proc_bpf__load(st->skel);
	if (err)
		goto cleanup;
	probes__set_shared(P, st->skel->obj);
	*state = st;
	return 0;
cleanup:
	proc_bpf__destroy(st->skel);
	free(st);
	return err;
}

static int proc_attach(void *state)
{
	return proc_bpf__attach(((struct proc_state *)state)->skel);
}

/* The program the kernel saw pid exec (fp_exe_paths), if it names exec
 * exec_ns: for a process gone before /proc/PID/exe could be read. */
static int exe_noted(struct proc_state *st, int pid, unsigned long long exec_ns, char *buf, size_t len)
{
	struct fp_exe_path e;
	__u32 key = pid;

	if (!exec_ns || bpf_map_lookup_elem(bpf_map__fd(st->skel->maps.fp_exe_paths), &key, &e) ||
	    e.exec_ns != exec_ns || !e.path[0])
		return -ENOENT;
	e.path[sizeof(e.path) - 1] = 0;
	snprintf(buf, len, "%s", e.path);
	return 0;
}

/* /proc/PID/exe while the process lives; remembered for after it exits.
 * A pid reused by another program keeps the first name: rare, and the comm
 * from the kernel is always current. */
static const char *exe_of(struct proc_state *st, int pid, unsigned long long exec_ns)
{
	struct exe_cache *c = NULL;
	char buf[PATH_MAX];

	for (size_t i = 0; i < st->nexes && !c; i++)
		if (st->exes[i].pid == pid)
			c = &st->exes[i];
	/* Read between fork and exec, it named the parent's program. */
	if (c && c->exec_ns == exec_ns)
		return c->exe;
	if (procfs__exe(pid, buf, sizeof(buf)) && exe_noted(st, pid, exec_ns, buf, sizeof(buf)))
		return c ? c->exe : NULL;
	if (c) {
		free(c->exe);
		c->exe = strdup(buf);
		c->exec_ns = exec_ns;
		return c->exe;
	}
	if (st->nexes == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		void *p = realloc(st->exes, cap * sizeof(*st->exes));

		if (!p)
			return NULL;
		st->exes = p;
		st->cap = cap;
	}
	st->exes[st->nexes].pid = pid;
	st->exes[st->nexes].exec_ns = exec_ns;
	st->exes[st->nexes].exe = strdup(buf);
	return st->exes[st->nexes++].exe;
}

/* The cgroup the kernel recorded at first sight or exec, by its path;
 * /proc/PID/cgroup for one it did not (or whose directory is gone unseen)
 * while the process lives. */
static char *cgroup_of(__u32 pid, const struct fp_proc_info *info)
{
	char buf[PATH_MAX];

	if (cgroupfs__path_of_id(info->cgroup_id, buf, sizeof(buf)) &&
	    (info->exit_ns || cgroupfs__path_of_pid((int)pid, buf, sizeof(buf))))
		return NULL;
	return strdup(buf);
}

static void fill_ident(struct proc_state *st, struct fp_proc *p, __u32 key,
		       const struct fp_proc_info *info)
{
	const char *exe;
	int nspid;

	memcpy(p->comm, info->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = 0;
	p->ppid = info->ppid;
	p->first_ns = info->first_ns;
	p->exit_ns = info->exit_ns;
	p->exited = info->exit_ns != 0;
	p->exit_code = info->exit_code;
	exe = p->exe ? NULL : exe_of(st, key, info->exec_ns);
	if (exe)
		p->exe = strdup(exe);
	if (!p->cgroup)
		p->cgroup = cgroup_of(key, info);
	p->nspid = (int)info->nspid;
	/* named by user space (the CPU iterator), not at first sight */
	if (!p->nspid && !info->exit_ns && (nspid = procfs__nspid((int)key)) > 0)
		p->nspid = nspid;
}

static int proc_read(void *state, struct fp_snapshot *s)
{
	struct proc_state *st = state;
	int fd = bpf_map__fd(st->skel->maps.fp_procs);
	struct fp_proc_info info;
	__u32 key, next, *prev = NULL;
	struct fp_proc *p;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &info))
			continue;
		p = snapshot__proc(s, key, true);
		if (!p)
			return -ENOMEM;
		fill_ident(st, p, key, &info);
	}
	return 0;
}

/* Short-lived processes are gone by the time record reads its maps: learn
 * their executable while they run. */
static void proc_poll(void *state)
{
	struct proc_state *st = state;
	int fd = bpf_map__fd(st->skel->maps.fp_procs);
	struct fp_proc_info info;
	__u32 key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &info) && !info.exit_ns) {
			char cg[PATH_MAX];

			exe_of(st, key, info.exec_ns);
			/* walks the hierarchy for a cgroup made meanwhile */
			cgroupfs__path_of_id(info.cgroup_id, cg, sizeof(cg));
		}
	}
}

/* Identity last, once the data families have taken their entries: the
 * fp_procs entry goes, and so does the executable's name from the cache. */
static int proc_reap(void *state, const struct fp_reap *r, struct fp_snapshot *into)
{
	struct proc_state *st = state;
	int fd = bpf_map__fd(st->skel->maps.fp_procs);
	struct fp_proc_info info;

	for (size_t i = 0; i < r->n; i++) {
		__u32 key = r->tgids[i];
		struct fp_proc *p;

		if (bpf_map_lookup_elem(fd, &key, &info))
			continue;
		p = snapshot__proc(into, key, true);
		if (!p)
			return -ENOMEM;
		fill_ident(st, p, key, &info);
		bpf_map_delete_elem(fd, &key);
		bpf_map_delete_elem(bpf_map__fd(st->skel->maps.fp_exe_paths), &key);
		for (size_t j = 0; j < st->nexes; j++)
			if (st->exes[j].pid == (int)key) {
				free(st->exes[j].exe);
				st->exes[j] = st->exes[--st->nexes];
				break;
			}
	}
	return 0;
}

static void proc_destroy(void *state)
{
	struct proc_state *st = state;

	proc_bpf__destroy(st->skel);
	for (size_t i = 0; i < st->nexes; i++)
		free(st->exes[i].exe);
	free(st->exes);
	free(st);
}

static struct bpf_object *proc_object(void *state)
{
	return ((struct proc_state *)state)->skel->obj;
}

const struct fp_family fp_family_proc = {
	.name = "process lifecycle",
	.load = proc_load,
	.attach = proc_attach,
	.read = proc_read,
	.destroy = proc_destroy,
	.poll = proc_poll,
	.reap = proc_reap,
	.object = proc_object,
};
