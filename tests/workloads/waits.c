/*
 * waits: known scheduler waits, for the scheduler-wait family's tests.
 *   waits rq N CPU MS      N threads pinned to CPU, each busy for MS ms of
 *                          its own CPU time (CLOCK_THREAD_CPUTIME_ID), so
 *                          they queue for that CPU: each waits about
 *                          (N-1)/N of the wall time.
 *   waits sleep COUNT MS   COUNT clock_nanosleep(2) calls of MS ms each.
 *   waits pingpong N CPU   two threads pinned to CPU pass a byte back and
 *                          forth N times over two pipes: each hand-over
 *                          blocks one thread and wakes the other, a
 *                          context-switch-heavy loop for bench/waits.sh.
 *   waits mutex N ITERS US N threads take one pthread mutex ITERS times each
 *                          and hold it US us (busy): they contend, and block
 *                          in futex(FUTEX_WAIT) on its locked word.
 *   waits cond N COUNT MS  N threads wait on a condition variable that the
 *                          main thread broadcasts COUNT times, MS ms apart:
 *                          idle futex waits (FUTEX_WAIT_BITSET), no contention.
 * Prints the oracle at the end, one JSON line:
 *   rq:    {"threads":N,"run_delay_ns":..,"run_ns":..,"wall_ns":..}
 *          run_delay_ns is the scheduler's own run-queue wait (schedstat's
 *          second field, an accounting independent of the tracepoints) of
 *          every thread at its end plus the main thread's;
 *   sleep: {"count":..,"requested_ns":..,"slept_ns":..}, slept_ns the
 *          monotonic time around the calls (blocked time is within it);
 *   pingpong: {"rounds":N,"switches":..}, the process's own voluntary and
 *          involuntary context switches (getrusage), the bench's divisor;
 *   mutex: {"threads":N,"locks":..,"contended":..,"lock_wait_ns":..,
 *          "wall_ns":..}: contended counts the locks a trylock did not get,
 *          lock_wait_ns the monotonic time in their pthread_mutex_lock
 *          (every blocked period of a lock wait is within it);
 *   cond:  {"threads":N,"broadcasts":..,"wakeups":..,"wall_ns":..}.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static int cpu;
static long long busy_ns;
static volatile unsigned long sink;

struct thr {
	pthread_t id;
	long long run_ns, delay_ns;
};

static long long ns_of(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* /proc/thread-self/schedstat: on-CPU ns, run-queue wait ns, timeslices. */
static void schedstat(long long *run, long long *delay)
{
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	*run = *delay = 0;
	if (!f)
		return;
	if (fscanf(f, "%lld %lld", run, delay) != 2)
		*run = *delay = 0;
	fclose(f);
}

static int pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *burn(void *arg)
{
	struct thr *t = arg;
	unsigned long x = 0;

	if (pin()) {
		perror("sched_setaffinity");
		exit(1);
	}
	while (ns_of(CLOCK_THREAD_CPUTIME_ID) < busy_ns)
		for (int i = 0; i < 100000; i++)
			x += i ^ (x >> 3);
	sink = x;
	schedstat(&t->run_ns, &t->delay_ns);
	return NULL;
}

static int run_queue(int n)
{
	struct thr *t = calloc(n, sizeof(*t));
	long long wall = ns_of(CLOCK_MONOTONIC), run = 0, delay = 0, r, d;

	if (!t)
		return 1;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i].id, NULL, burn, &t[i])) {
			perror("pthread_create");
			return 1;
		}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i].id, NULL);
		run += t[i].run_ns;
		delay += t[i].delay_ns;
	}
	schedstat(&r, &d);
	printf("{\"threads\":%d,\"run_delay_ns\":%lld,\"run_ns\":%lld,\"wall_ns\":%lld}\n", n, delay + d, run + r,
	       ns_of(CLOCK_MONOTONIC) - wall);
	free(t);
	return 0;
}

/* Out of line, and sleeps() too: libc's clock_nanosleep keeps no frame
 * pointer, so a user stack walked from inside it skips its caller (nap);
 * sleeps() is the frame --waits=stacks must find. */
__attribute__((noinline)) static void nap(const struct timespec *ts)
{
	clock_nanosleep(CLOCK_MONOTONIC, 0, ts, NULL);
	__asm__ volatile("" ::: "memory");	/* no tail call: nap keeps its frame */
}

__attribute__((noinline)) static int sleeps(int count, long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };
	long long slept = 0, t0;

	for (int i = 0; i < count; i++) {
		t0 = ns_of(CLOCK_MONOTONIC);
		nap(&ts);
		slept += ns_of(CLOCK_MONOTONIC) - t0;
	}
	printf("{\"count\":%d,\"requested_ns\":%lld,\"slept_ns\":%lld}\n", count, count * ms * 1000000LL, slept);
	return 0;
}

static int pp_fd[2][2];	/* [0]: main -> peer, [1]: peer -> main */
static long pp_rounds;

static void *pong(void *arg)
{
	char c;

	(void)arg;
	if (pin())
		return NULL;
	for (long i = 0; i < pp_rounds; i++)
		if (read(pp_fd[0][0], &c, 1) != 1 || write(pp_fd[1][1], &c, 1) != 1)
			break;
	return NULL;
}

static int pingpong(long rounds)
{
	struct rusage ru;
	pthread_t peer;
	char c = 'x';

	pp_rounds = rounds;
	if (pipe(pp_fd[0]) || pipe(pp_fd[1]) || pin()) {
		perror("waits pingpong");
		return 1;
	}
	if (pthread_create(&peer, NULL, pong, NULL))
		return 1;
	for (long i = 0; i < rounds; i++)
		if (write(pp_fd[0][1], &c, 1) != 1 || read(pp_fd[1][0], &c, 1) != 1)
			return 1;
	pthread_join(peer, NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"rounds\":%ld,\"switches\":%ld}\n", rounds, ru.ru_nvcsw + ru.ru_nivcsw);
	return 0;
}

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long mx_iters, mx_hold_ns, cv_gen, cv_wakeups;
static int cv_done;

struct locker {
	pthread_t id;
	long contended;
	long long wait_ns;
};

static void spin_until(long long end)
{
	while (ns_of(CLOCK_MONOTONIC) < end)
		sink++;
}

static void *locker(void *arg)
{
	struct locker *l = arg;
	long long t0;

	for (long i = 0; i < mx_iters; i++) {
		if (pthread_mutex_trylock(&mx)) {
			l->contended++;
			t0 = ns_of(CLOCK_MONOTONIC);
			pthread_mutex_lock(&mx);
			l->wait_ns += ns_of(CLOCK_MONOTONIC) - t0;
		}
		spin_until(ns_of(CLOCK_MONOTONIC) + mx_hold_ns);
		pthread_mutex_unlock(&mx);
		/* A breath outside the lock, so a woken waiter can get it
		 * (glibc's mutex is not fair: the unlocker would retake it). */
		spin_until(ns_of(CLOCK_MONOTONIC) + mx_hold_ns / 10);
	}
	return NULL;
}

static int mutex_contend(int n, long iters, long us)
{
	struct locker *l = calloc(n, sizeof(*l));
	long long wall = ns_of(CLOCK_MONOTONIC), wait = 0;
	long contended = 0;

	if (!l)
		return 1;
	mx_iters = iters;
	mx_hold_ns = us * 1000L;
	for (int i = 0; i < n; i++)
		if (pthread_create(&l[i].id, NULL, locker, &l[i]))
			return 1;
	for (int i = 0; i < n; i++) {
		pthread_join(l[i].id, NULL);
		contended += l[i].contended;
		wait += l[i].wait_ns;
	}
	printf("{\"threads\":%d,\"locks\":%ld,\"contended\":%ld,\"lock_wait_ns\":%lld,\"wall_ns\":%lld}\n", n,
	       n * iters, contended, wait, ns_of(CLOCK_MONOTONIC) - wall);
	free(l);
	return 0;
}

static void *cond_waiter(void *arg)
{
	long seen = 0;

	(void)arg;
	pthread_mutex_lock(&mx);
	while (!cv_done) {
		while (cv_gen == seen && !cv_done)
			pthread_cond_wait(&cv, &mx);
		seen = cv_gen;
		cv_wakeups++;
	}
	pthread_mutex_unlock(&mx);
	return NULL;
}

static int cond_idle(int n, long count, long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };
	pthread_t *t = calloc(n, sizeof(*t));
	long long wall = ns_of(CLOCK_MONOTONIC);

	if (!t)
		return 1;
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, cond_waiter, NULL))
			return 1;
	for (long i = 0; i < count; i++) {
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
		pthread_mutex_lock(&mx);
		cv_gen++;
		cv_done = i == count - 1;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mx);
	}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("{\"threads\":%d,\"broadcasts\":%ld,\"wakeups\":%ld,\"wall_ns\":%lld}\n", n, count, cv_wakeups,
	       ns_of(CLOCK_MONOTONIC) - wall);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "rq")) {
		cpu = atoi(argv[3]);
		busy_ns = atoll(argv[4]) * 1000000LL;
		return run_queue(atoi(argv[2]));
	}
	if (argc == 4 && !strcmp(argv[1], "sleep"))
		return sleeps(atoi(argv[2]), atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "pingpong")) {
		cpu = atoi(argv[3]);
		return pingpong(atol(argv[2]));
	}
	if (argc == 5 && !strcmp(argv[1], "mutex"))
		return mutex_contend(atoi(argv[2]), atol(argv[3]), atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "cond"))
		return cond_idle(atoi(argv[2]), atol(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: waits rq N CPU MS | waits sleep COUNT MS | waits pingpong N CPU | "
		"waits mutex N ITERS US | waits cond N COUNT MS\n");
	return 2;
}
