/*
 * cpuburn: known CPU work, for the CPU family's tests.
 *   cpuburn spin SECONDS        one busy loop for SECONDS of wall time
 *   cpuburn threads K SECONDS   K threads busy for SECONDS, joined, then exit
 *   cpuburn sys SECONDS         a loop of cheap syscalls (system time)
 *   cpuburn split N             hot75() runs 3N iterations, hot25() N
 *   cpuburn wait SECONDS        like spin, after SIGUSR1 (attach by -p)
 * Prints the process's own accounting at the end, the tests' oracle:
 *   {"cpu_ns":..,"wall_ns":..,"user_ns":..,"system_ns":..}
 * (CLOCK_PROCESS_CPUTIME_ID is the scheduler's sum_exec_runtime over every
 * thread, live and exited; getrusage gives the kernel's user/system split.)
 * Built with frame pointers (Makefile), so the profile walks its stacks.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static volatile sig_atomic_t go;
static volatile unsigned long sink;

static void on_usr1(int sig)
{
	go = 1;
}

static long long ns_of(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Busy for secs of wall time, looking at the clock every ~1M iterations
 * (vDSO: no syscall). */
__attribute__((noinline)) static void spin(double secs)
{
	long long end = ns_of(CLOCK_MONOTONIC) + (long long)(secs * 1e9);
	unsigned long x = 0;

	while (ns_of(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 1000000; i++)
			x += i ^ (x >> 3);
	sink = x;
}

static void *thread_main(void *arg)
{
	spin(*(double *)arg);
	return NULL;
}

/* The same loop body in both: samples split as iterations do. */
__attribute__((noinline)) static unsigned long hot75(long n)
{
	unsigned long x = 1;

	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + (unsigned long)i;
	return x;
}

__attribute__((noinline)) static unsigned long hot25(long n)
{
	unsigned long x = 1;

	for (long i = 0; i < n; i++)
		x = x * 6364136223846793005UL + (unsigned long)i;
	return x;
}

int main(int argc, char **argv)
{
	long long w0 = ns_of(CLOCK_MONOTONIC);
	const char *mode = argc > 1 ? argv[1] : "";
	struct rusage ru;

	if (!strcmp(mode, "spin") && argc == 3) {
		spin(atof(argv[2]));
	} else if (!strcmp(mode, "wait") && argc == 3) {
		signal(SIGUSR1, on_usr1);
		printf("ready\n");
		fflush(stdout);
		while (!go)
			pause();
		w0 = ns_of(CLOCK_MONOTONIC);
		spin(atof(argv[2]));
	} else if (!strcmp(mode, "threads") && argc == 4) {
		int k = atoi(argv[2]);
		double secs = atof(argv[3]);
		pthread_t t[64];

		if (k < 1 || k > 64)
			return 2;
		for (int i = 0; i < k; i++)
			pthread_create(&t[i], NULL, thread_main, &secs);
		for (int i = 0; i < k; i++)
			pthread_join(t[i], NULL);
	} else if (!strcmp(mode, "sys") && argc == 3) {
		long long end = w0 + (long long)(atof(argv[2]) * 1e9);

		while (ns_of(CLOCK_MONOTONIC) < end)
			for (int i = 0; i < 1000; i++)
				syscall(SYS_getppid);
	} else if (!strcmp(mode, "split") && argc == 3) {
		long n = atol(argv[2]);

		sink = hot75(3 * n) + hot25(n);
	} else {
		fprintf(stderr, "usage: cpuburn spin|wait SECONDS | threads K SECONDS | sys SECONDS | split N\n");
		return 2;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"cpu_ns\":%lld,\"wall_ns\":%lld,\"user_ns\":%lld,\"system_ns\":%lld}\n",
	       ns_of(CLOCK_PROCESS_CPUTIME_ID), ns_of(CLOCK_MONOTONIC) - w0,
	       ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL,
	       ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL);
	return 0;
}
