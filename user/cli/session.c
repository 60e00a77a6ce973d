#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/session.h"
#include "model/findings.h"
#include "util/err.h"
#include "util/privs.h"
#include "util/procfs.h"
#include "util/cgroupfs.h"
#include "util/escape.h"
#include "model/cgroup.h"

volatile sig_atomic_t fp_stop;

static void on_signal(int sig)
{
	fp_stop = sig;
}

void session__signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* By capabilities, as `check` decides (util/privs.c); a target whose maps
 * cannot be read is still counted, but its uprobes and symbols need more. */
static int check_privileges(const struct fp_opts *o)
{
	int err = privs__require();

	for (int i = 0; !err && i < o->npids; i++)
		if (!privs__can_read_maps(o->pids[i]))
			fp_warn("pid %d belongs to another user: its allocator probes and symbols need "
				"CAP_SYS_PTRACE to read /proc/%d/maps (syscalls are counted without it)",
				o->pids[i], o->pids[i]);
	return err;
}

/* Before libbpf, whose own account of it is four lines ending in "No such
 * process". */
static int check_btf(void)
{
	if (probes__have_btf())
		return 0;
	fp_err("cannot trace: the kernel has no BTF (%s is missing): fastpath needs a kernel built with "
	       "CONFIG_DEBUG_INFO_BTF=y, as Debian's and most distributions' are; 'fastpath check' says what this machine has",
	       FP_VMLINUX_BTF);
	return -ENOENT;
}

static int check_pids(struct fp_opts *o)
{
	for (int i = 0; i < o->npids; i++) {
		if (o->pids[i] == getpid()) {
			fp_err("pid %d is fastpath itself, which never traces itself", o->pids[i]);
			return -EINVAL;
		}
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			fp_err("no process with pid %d: check it with 'ps -p %d'", o->pids[i], o->pids[i]);
			return -ESRCH;
		}
	}
	return 0;
}

static int resolve_cgroup(struct fp_opts *o)
{
	struct stat st;

	if (!o->cgroup)
		return 0;
	if (stat(o->cgroup, &st) || !S_ISDIR(st.st_mode)) {
		fp_err("cgroup '%s' is not a directory: give a cgroup v2 path such as /sys/fs/cgroup/system.slice/nginx.service",
		       ESC(o->cgroup));
		return -ENOENT;
	}
	/* On cgroup v2 the cgroup id is the directory's inode number. */
	o->probe.cfg.cgroup_id = st.st_ino;
	return 0;
}

struct ctr_match {
	const char *want;
	char path[3][PATH_MAX];	/* the first matches, shallowest kept */
	uint64_t id;
	int n;
};

/* A cgroup whose ancestor matched already is that container's own
 * sub-cgroup (it names the same id): the container is the ancestor. */
static int ctr_match(const char *path, uint64_t id, void *ctx)
{
	struct ctr_match *m = ctx;

	if (!cgroup__matches(path, m->want))
		return 0;
	for (int i = 0; i < m->n && i < 3; i++) {
		size_t l = strlen(m->path[i]);

		if (!strncmp(path, m->path[i], l) && path[l] == '/')
			return 0;
	}
	if (m->n < 3)
		snprintf(m->path[m->n], sizeof(m->path[0]), "%s", path);
	if (!m->n)
		m->id = id;
	m->n++;
	return 0;
}

/* --container: the one cgroup it names becomes -G's. */
static int resolve_container(struct fp_opts *o)
{
	static char dir[PATH_MAX];
	struct ctr_match m = { .want = o->container };
	const char *root = cgroupfs__root();

	if (!o->container)
		return 0;
	if (!root || cgroupfs__each(ctr_match, &m)) {
		fp_err("--container needs cgroup v2 mounted at /sys/fs/cgroup");
		return -ENOENT;
	}
	if (!m.n) {
		fp_err("no container matches '%s': give a container id or its prefix (docker ps's CONTAINER ID), or the prefix of a cgroup's name (nginx.service)",
		       ESC(o->container));
		return -ENOENT;
	}
	if (m.n > 1) {
		fp_err("'%s' matches %d containers or cgroups (%s, %s%s): give more of the id",
		       ESC(o->container), m.n, ESC(m.path[0]), ESC(m.path[1]), m.n > 2 ? ", ..." : "");
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%s%s", root, m.path[0]);
	o->cgroup = dir;
	o->probe.cfg.cgroup_id = m.id;
	o->probe.cfg.cgroup_level = cgroup__level(m.path[0]);
	return 0;
}

/* Fork the command, parked on a pipe until the probes are attached; a
 * close-on-exec pipe carries errno back if the exec fails. */
static int spawn_child(struct fp_session *S, char **argv)
{
	int go[2], er[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) || pipe2(er, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char c;
		int e;

		close(go[1]);
		close(er[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);	/* fastpath gave up: never run untraced */
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(er[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(er[1]);
	S->child = pid;
	S->go_fd = go[1];
	S->err_fd = er[0];
	return 0;
}

static int release_child(struct fp_session *S)
{
	int e = 0;
	ssize_t n;

	if (write(S->go_fd, "g", 1) != 1)
		return -errno;
	close(S->go_fd);
	S->go_fd = -1;
	n = read(S->err_fd, &e, sizeof(e));
	close(S->err_fd);
	S->err_fd = -1;
	if (n == sizeof(e)) {
		waitpid(S->child, NULL, 0);
		S->child_reaped = true;
		fp_err("cannot execute '%s': %s: check the command name and PATH",
		       S->opts->command[0], strerror(e));
		return -e;
	}
	return 0;
}

static void describe_target(struct fp_session *S, char *buf, size_t len)
{
	struct fp_opts *o = S->opts;
	size_t n = 0;

	if (o->command) {
		n = snprintf(buf, len, "command:");
		for (char **a = o->command; *a && n < len; a++)
			n += snprintf(buf + n, len - n, " %s", *a);
	} else if (o->npids) {
		n = snprintf(buf, len, "pid");
		for (int i = 0; i < o->npids && n < len; i++)
			n += snprintf(buf + n, len - n, "%s%d", i ? "," : " ", o->pids[i]);
	} else if (o->comm[0]) {
		n = snprintf(buf, len, "comm %s", o->comm);
	} else {
		n = snprintf(buf, len, "all");
	}
	if (o->cgroup && n < len)
		snprintf(buf + n, len - n, " in cgroup %s", o->cgroup);
}

static void fill_meta(struct fp_session *S)
{
	struct utsname u;

	uname(&u);
	snprintf(S->meta.host, sizeof(S->meta.host), "%s", u.nodename);
	snprintf(S->meta.kernel, sizeof(S->meta.kernel), "%s", u.release);
	snprintf(S->meta.version, sizeof(S->meta.version), "%s", FP_VERSION);
	describe_target(S, S->meta.target, sizeof(S->meta.target));
}

static int add_comm_target(int pid, void *ctx)
{
	struct fp_session *S = ctx;
	char comm[32];

	/* An error: exited meanwhile. */
	if (pid == getpid() || procfs__comm(pid, comm, sizeof(comm)) || strcmp(comm, S->opts->comm))
		return 0;
	return probes__add_target(S->probes, pid, FP_TARGET_ACTIVE);
}

/* -c NAME: processes already running under that name become targets now;
 * ones that exec later are added by the BPF exec hook. */
static int add_comm_targets(struct fp_session *S)
{
	return procfs__each_pid(add_comm_target, S);
}

/* The binary execvp will run (its PATH search), for the per-process probes
 * that must be in place before the command's first instruction. */
static int attach_command(struct fp_session *S)
{
	char buf[4096];

	if (procfs__which(S->opts->command[0], buf, sizeof(buf)))
		return 0;	/* not found: the exec fails and says so */
	return probes__attach_pid(S->probes, S->child, buf);
}

static int add_targets(struct fp_session *S)
{
	struct fp_opts *o = S->opts;
	int err = 0;

	for (int i = 0; i < o->npids && !err; i++)
		err = probes__add_target(S->probes, o->pids[i], FP_TARGET_ACTIVE);
	if (!err && S->child)
		err = probes__add_target(S->probes, S->child, FP_TARGET_PENDING);
	if (!err && S->child)
		err = attach_command(S);
	if (!err && o->comm[0])
		err = add_comm_targets(S);
	if (err)
		fp_err("cannot register the targets: %s", strerror(-err));
	return err;
}

int session__start(struct fp_session *S, struct fp_opts *o)
{
	int err;

	memset(S, 0, sizeof(*S));
	S->opts = o;
	S->go_fd = S->err_fd = -1;
	o->probe.cfg.self_tgid = getpid();
	err = check_privileges(o);
	if (!err)
		err = check_btf();
	if (!err)
		err = check_pids(o);
	if (!err)
		err = resolve_container(o);
	if (!err)
		err = resolve_cgroup(o);
	if (err)
		return err;
	fill_meta(S);
	if (o->command) {
		err = spawn_child(S, o->command);
		if (err) {
			fp_err("cannot start '%s': %s", o->command[0], strerror(-err));
			return err;
		}
	}
	err = probes__open(&S->probes, &o->probe);
	if (!err)
		err = add_targets(S);
	if (!err)
		err = probes__attach(S->probes);
	if (err)
		goto cleanup;
	S->start_wall = (double)time(NULL);
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		S->start_wall = ts.tv_sec + ts.tv_nsec / 1e9;
	}
	S->start_mono = mono_ns();
	fp_info("attached to %s; Ctrl-C to stop", S->meta.target);
	if (S->child) {
		err = release_child(S);
		if (err)
			goto cleanup;
	}
	return 0;
cleanup:
	session__end(S);
	return err;
}

int session__read(struct fp_session *S, struct fp_snapshot *snap)
{
	int err = probes__read(S->probes, snap);

	snap->meta = S->meta;
	snap->meta.start_time = S->start_wall;
	snap->meta.duration_s = session__elapsed(S);
	return err;
}

int session__snapshot(struct fp_session *S, const struct fp_snapshot *since, struct fp_snapshot **out,
		      struct fp_snapshot **cum)
{
	struct fp_snapshot *cur = snapshot__new(), *d = NULL;
	int err;

	if (!cur)
		return -ENOMEM;
	err = session__read(S, cur);
	if (!err && since && !(d = snapshot__delta(cur, since)))
		err = -ENOMEM;
	if (!err)
		err = since ? findings__evaluate(d, d->interval_s) : findings__evaluate(cur, cur->meta.duration_s);
	if (err) {
		snapshot__free(cur);
		snapshot__free(d);
		return err;
	}
	*out = since ? d : cur;
	if (since)
		*cum = cur;
	return 0;
}

double session__elapsed(struct fp_session *S)
{
	return (double)(mono_ns() - S->start_mono) / 1e9;
}

static void reap_child(struct fp_session *S)
{
	if (!S->child || S->child_reaped)
		return;
	if (waitpid(S->child, &S->child_status, WNOHANG) == S->child)
		S->child_reaped = true;
}

bool session__targets_gone(struct fp_session *S)
{
	struct fp_opts *o = S->opts;

	reap_child(S);
	if (o->all || o->comm[0])
		return false;	/* new processes may still come */
	return probes__live_targets(S->probes) == 0;
}

void session__poll(struct fp_session *S)
{
	probes__poll(S->probes);
}

struct fp_snapshot *session__take_reaped(struct fp_session *S)
{
	struct fp_snapshot *s = probes__take_reaped(S->probes);

	if (s && s->nprocs && findings__evaluate(s, session__elapsed(S))) {
		snapshot__free(s);
		return NULL;
	}
	return s;
}

void session__wait(struct fp_session *S, double secs)
{
	/* secs <= 0: no limit (a huge double would overflow the ns count). */
	uint64_t until = secs > 0 ? mono_ns() + (uint64_t)(secs * 1e9) : UINT64_MAX;
	struct timespec step = { 0, 20 * 1000000 };
	unsigned int tick = 0;

	while (!fp_stop && mono_ns() < until) {
		if (tick++ % 10 == 0)
			probes__poll(S->probes);
		if (session__targets_gone(S))
			return;
		nanosleep(&step, NULL);
	}
}

int session__child_status(struct fp_session *S)
{
	if (!S->child)
		return 0;
	if (!S->child_reaped) {
		if (waitpid(S->child, &S->child_status, 0) == S->child)
			S->child_reaped = true;
	}
	if (WIFEXITED(S->child_status))
		return WEXITSTATUS(S->child_status);
	if (WIFSIGNALED(S->child_status))
		return 128 + WTERMSIG(S->child_status);
	return 0;
}

void session__end(struct fp_session *S)
{
	if (S->go_fd >= 0) {
		/* Never started: let it die rather than run untraced. */
		close(S->go_fd);
		S->go_fd = -1;
		if (S->child && !S->child_reaped) {
			waitpid(S->child, NULL, 0);
			S->child_reaped = true;
		}
	}
	if (S->err_fd >= 0)
		close(S->err_fd);
	S->err_fd = -1;
	probes__destroy(S->probes);
	S->probes = NULL;
}
