/*
 * statflood: a stat flood on distinct paths, as fast as this machine
 * makes the calls, with a pause on each side so a tracer's own CPU can be
 * read around the loop alone.
 *   statflood N
 * Prints "ready PID", waits for SIGUSR1, makes N newfstatat calls on N
 * distinct missing paths (/nonexistent-fastpath/flood/I, each ENOENT),
 * prints "done NS" (the loop's CLOCK_MONOTONIC ns) and waits for SIGUSR1
 * again before it exits.
 */
#include <fcntl.h>
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
	(void)sig;
	go++;
}

static void wait_for(int n)
{
	sigset_t none;

	sigemptyset(&none);
	while (go < n)
		sigsuspend(&none);
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct stat st;
	char path[64];
	sigset_t usr1;
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: statflood N\n");
		return 2;
	}
	/* Blocked outside sigsuspend, so a signal sent early is not lost. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	signal(SIGUSR1, on_usr1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", getpid());
	wait_for(1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/nonexistent-fastpath/flood/%ld", i);
		syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("done %lld\n", (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	wait_for(2);
	return 0;
}
