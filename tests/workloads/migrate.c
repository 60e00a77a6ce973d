/*
 * migrate: syscalls that block on one CPU and return on another, for the
 * syscall hooks' tests (a call's start record must follow its thread).
 *   migrate N MS   a reader thread makes N readv(2) calls on a pipe; for
 *                  each, the main thread waits until the reader is blocked
 *                  in it, moves the reader to the other CPU
 *                  (sched_setaffinity), sleeps MS ms and writes one byte.
 *                  Every readv thus enters on one CPU, sleeps, and exits
 *                  on the other, after at least MS ms.
 * Prints "moved K of N" (K: the calls that did return on another CPU than
 * they entered, by getcpu() around them) and exits 0.  Needs 2 CPUs.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile pid_t reader_tid;
static volatile int ready;	/* the reader's calls begun */
static int n_calls, moved;

static void pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(tid, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

/* Whether tid is asleep (state S in /proc/self/task/TID/stat). */
static int asleep(pid_t tid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static void *reader(void *arg)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };

	(void)arg;
	reader_tid = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < n_calls; i++) {
		unsigned before, after;

		getcpu(&before, NULL);
		__atomic_store_n(&ready, i + 1, __ATOMIC_SEQ_CST);
		if (readv(fds[0], &iov, 1) != 1)
			exit(1);
		getcpu(&after, NULL);
		moved += before != after;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ts;
	pthread_t th;
	int ms;

	if (argc != 3 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "usage: migrate N MS (needs 2 CPUs)\n");
		return 2;
	}
	n_calls = atoi(argv[1]);
	ms = atoi(argv[2]);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	if (pipe(fds) || pthread_create(&th, NULL, reader, NULL))
		return 1;
	for (int i = 0; i < n_calls; i++) {
		while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) != i + 1 || !reader_tid)
			usleep(100);
		while (!asleep(reader_tid))
			usleep(100);
		/* The reader is blocked in readv on the CPU it last ran on; the
		 * one it is moved to (CPU i % 2: where call i - 1 ran, except for
		 * the first call) is where it wakes. */
		pin(reader_tid, i % 2);
		nanosleep(&ts, NULL);
		if (write(fds[1], "x", 1) != 1)
			return 1;
	}
	pthread_join(th, NULL);
	printf("moved %d of %d\n", moved, n_calls);
	return 0;
}
