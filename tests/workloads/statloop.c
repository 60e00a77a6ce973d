/*
 * statloop: N stat() calls on one existing path, for the overhead
 * benchmark (the classic 1M-syscall loop).
 *   statloop [-w] [-t] [-g] N [PATH]
 * -w: print "ready PID" and wait for SIGUSR1 before the loop, so a tracer
 *     can attach by -p first and its start-up is never timed.
 * -t: print "start_ns T" (CLOCK_REALTIME at main(), to measure how long a
 *     tracer took to start us) and, after the loop, "ns_per_call X": the
 *     loop timed with CLOCK_MONOTONIC from inside, so process start-up and
 *     the tracer's own start-up and tear-down are not counted.
 * -g: getppid() instead of stat(): the cheapest syscall, so the figure is
 *     the tracer's per-syscall cost with no argument (path) work at all.
 * On glibc, stat() is the newfstatat syscall; nothing else in the loop
 * makes a syscall, and stdout is set up before the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	go = 1;
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void wait_usr1(void)
{
	sigset_t mask, old;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &old);
	printf("ready %d\n", getpid());
	fflush(stdout);
	while (!go)
		sigsuspend(&old);
}

int main(int argc, char **argv)
{
	long long t_main = now_ns(CLOCK_REALTIME), t0, t1;
	int wait = 0, timed = 0, ppid = 0, opt;
	const char *path;
	struct stat st;
	long n;

	while ((opt = getopt(argc, argv, "wtg")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 't')
			timed = 1;
		else if (opt == 'g')
			ppid = 1;
		else
			return 2;
	}
	if (argc - optind < 1) {
		fprintf(stderr, "usage: statloop [-w] [-t] [-g] N [PATH]\n");
		return 2;
	}
	n = atol(argv[optind]);
	path = argc - optind > 1 ? argv[optind + 1] : "/";
	if (timed) {
		printf("start_ns %lld\n", t_main);
		fflush(stdout);
	}
	if (wait)
		wait_usr1();
	t0 = now_ns(CLOCK_MONOTONIC);
	if (ppid)	/* the raw syscall: glibc must not cache it */
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	else
		for (long i = 0; i < n; i++)
			if (stat(path, &st))
				return 1;
	t1 = now_ns(CLOCK_MONOTONIC);
	if (timed) {
		printf("ns_per_call %.1f\n", n ? (double)(t1 - t0) / n : 0.0);
		fflush(stdout);
	}
	return 0;
}
