/*
 * ticker: getppid at a steady rate, so a live view has a known rate to show.
 *   ticker [-w] RATE SECONDS      (SECONDS 0: until killed)
 * -w: print "ready PID" and wait for SIGUSR1 before starting (so a tracer
 *     attached by -p sees every call)
 * Calls come in batches every 10 ms; on exit it prints "calls N", the
 * exact number it made, for tests that add up per-interval counts.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop, go;

static void on_usr1(int sig)
{
	go = 1;
}

static void on_term(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000000 };
	double rate, secs, start, t;
	long done = 0, due;
	sigset_t mask, old;
	int wait = argc > 1 && !strcmp(argv[1], "-w");

	if (argc - wait != 3) {
		fprintf(stderr, "usage: ticker [-w] RATE SECONDS\n");
		return 2;
	}
	rate = atof(argv[1 + wait]);
	secs = atof(argv[2 + wait]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (wait) {
		signal(SIGUSR1, on_usr1);
		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		sigprocmask(SIG_BLOCK, &mask, &old);
		printf("ready %d\n", getpid());
		fflush(stdout);
		while (!go && !stop)
			sigsuspend(&old);
	}
	start = now();
	while (!stop) {
		t = now() - start;
		if (secs > 0 && t >= secs)
			break;
		/* Catch up to the schedule, so the rate holds on a busy machine. */
		due = (long)(rate * t);
		for (; done < due && !stop; done++)
			syscall(SYS_getppid);
		nanosleep(&tick, NULL);
	}
	printf("calls %ld\n", done);
	return 0;
}
