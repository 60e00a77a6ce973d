/* Targets held at exec until their probes are attached: see hold.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/hold.h"
#include "probes/rbwait.h"
#include "util/err.h"
#include "fp_target.h"

struct fp_hold {
	int held_fd;
	struct ring_buffer *rb;
	struct fp_rbwait rbw;
	fp_hold_attach_fn attach;
	void *ctx;
	pthread_t thread;
	bool thread_on;
	volatile bool stop;
	int guard_fd;		/* write end of the guardian's pipe */
	pid_t guard_pid;
	unsigned long held, late;
};

int hold__release_all(int held_fd)
{
	__u32 key, next;
	int n = 0;

	/* Deleting while walking: restart from the first key each time. */
	while (!bpf_map_get_next_key(held_fd, NULL, &next)) {
		key = next;
		if (kill((pid_t)key, SIGCONT) == 0)
			n++;
		bpf_map_delete_elem(held_fd, &key);
	}
	return n;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The guardian: waits for fastpath's end of the pipe to close, then
 * continues whatever is held.  Keeps nothing else open (no BPF link stays
 * alive through it) and ignores the terminal's signals: only the pipe ends
 * it.  Sweeps again a little later: a program still attached while the
 * dying fastpath's files are released may hold one more exec. */
static void guardian(int rfd, int held_fd)
{
	int lo = rfd < held_fd ? rfd : held_fd, hi = rfd < held_fd ? held_fd : rfd;
	char buf[64];
	ssize_t n;

	close_range(3, lo - 1, 0);
	close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setpgid(0, 0);
	prctl(PR_SET_NAME, "fastpath-guard", 0, 0, 0);
	while ((n = read(rfd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && memchr(buf, 'q', n)) {
			/* A clean exit: fastpath released everything itself. */
			hold__release_all(held_fd);
			_exit(0);
		}
	}
	hold__release_all(held_fd);
	nap_ms(100);
	hold__release_all(held_fd);
	nap_ms(1000);
	hold__release_all(held_fd);
	_exit(0);
}

static int start_guardian(struct fp_hold *h)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[1]);
		guardian(p[0], h->held_fd);
	}
	close(p[0]);
	h->guard_fd = p[1];
	h->guard_pid = pid;
	return 0;
}

static int on_exec(void *ctx, void *data, size_t len)
{
	struct fp_hold *h = ctx;
	const struct fp_exec_event *e = data;
	__u32 key;
	__u64 ns;

	if (len < sizeof(*e))
		return 0;
	key = e->tgid;
	if (e->pad) {
		/* Not held (the registry was full): attached late. */
		h->late++;
		h->attach(h->ctx, e->tgid);
		return 0;
	}
	/* Held for this very exec (and not continued since)? */
	if (bpf_map_lookup_elem(h->held_fd, &key, &ns) || ns != e->exec_ns)
		return 0;
	/* Tests stretch the hold to kill fastpath while a process is held. */
	if (getenv("FASTPATH_TEST_HOLD_MS"))
		nap_ms(atol(getenv("FASTPATH_TEST_HOLD_MS")));
	h->attach(h->ctx, e->tgid);
	kill(e->tgid, SIGCONT);
	bpf_map_delete_elem(h->held_fd, &key);
	h->held++;
	fp_debug("pid %u held at exec until its probes were attached", e->tgid);
	return 0;
}

static void *hold_thread(void *arg)
{
	struct fp_hold *h = arg;

	while (!h->stop)
		rbwait__poll(&h->rbw, h->rb, 100);
	return NULL;
}

int hold__new(struct fp_hold **out, struct bpf_object *proc_obj, fp_hold_attach_fn fn, void *ctx)
{
	struct fp_hold *h = calloc(1, sizeof(*h));
	int ev_fd, err;

	if (!h)
		return -ENOMEM;
	h->attach = fn;
	h->ctx = ctx;
	h->guard_fd = -1;
	h->rbw.ep = h->rbw.wake = -1;
	h->held_fd = bpf_object__find_map_fd_by_name(proc_obj, "fp_held");
	ev_fd = bpf_object__find_map_fd_by_name(proc_obj, "fp_exec_events");
	if (h->held_fd < 0 || ev_fd < 0) {
		err = -ENOENT;
		goto cleanup;
	}
	h->rb = ring_buffer__new(ev_fd, on_exec, h, NULL);
	if (!h->rb) {
		err = -errno;
		goto cleanup;
	}
	err = rbwait__init(&h->rbw, h->rb);
	if (err)
		goto cleanup;
	err = start_guardian(h);
	if (err)
		goto cleanup;
	*out = h;
	return 0;
cleanup:
	rbwait__close(&h->rbw);
	ring_buffer__free(h->rb);
	free(h);
	return err;
}

int hold__run(struct fp_hold *h)
{
	if (pthread_create(&h->thread, NULL, hold_thread, h))
		return -errno;
	h->thread_on = true;
	return 0;
}

unsigned long hold__count(struct fp_hold *h)
{
	return h ? h->held : 0;
}

void hold__free(struct fp_hold *h)
{
	int n;

	if (!h)
		return;
	if (h->thread_on) {
		h->stop = true;
		rbwait__wake(&h->rbw);
		pthread_join(h->thread, NULL);
	}
	n = hold__release_all(h->held_fd);
	if (n)
		fp_debug("continued %d process(es) still held at exec", n);
	fp_debug("%lu process(es) held at exec, %lu attached late", h->held, h->late);
	if (h->guard_fd >= 0) {
		if (write(h->guard_fd, "q", 1) != 1)
			fp_debug("guardian gone: %s", strerror(errno));
		close(h->guard_fd);
	}
	if (h->guard_pid > 0)
		waitpid(h->guard_pid, NULL, 0);
	rbwait__close(&h->rbw);
	ring_buffer__free(h->rb);
	free(h);
}
