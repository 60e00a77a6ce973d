/*
 * demo_alloc: the story of an allocation churn.  Like a request handler
 * that builds and throws away its objects and a fresh 64 KiB buffer per
 * request, 100 times a second it mallocs and frees 200 small blocks (16 B
 * to 4 KiB, zeroed) and 200 buffers of 96 KiB (left untouched, so it stays
 * cheap): about 40,000 allocations and 1.8 GiB requested a second, none
 * living longer than a request.  Late batches are caught up, so the rate
 * holds on a busy machine.
 *   demo_alloc SECONDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_TICK 200
#define BUF_SIZE (96 * 1024)	/* below glibc's mmap threshold: no syscalls */

static volatile sig_atomic_t stop;

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

/* Not inlined, so an allocation site has a frame of its own. */
__attribute__((noinline)) static char *make_object(size_t size)
{
	char *p = malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

__attribute__((noinline)) static void *make_buffer(void)
{
	void *p = malloc(BUF_SIZE);

	/* The compiler must not drop a malloc/free pair it can see through. */
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000000 };
	char *objs[PER_TICK];
	double secs, start, t;
	unsigned int seed = 1;
	long batches = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: demo_alloc SECONDS\n");
		return 2;
	}
	secs = atof(argv[1]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	start = now();
	while (!stop && (t = now() - start) < secs) {
		if (batches >= (long)(t * 100)) {
			nanosleep(&tick, NULL);
			continue;
		}
		batches++;
		for (int i = 0; i < PER_TICK; i++)
			objs[i] = make_object(16 << (rand_r(&seed) % 9));	/* 16 B .. 4 KiB */
		for (int i = 0; i < PER_TICK; i++)
			free(objs[i]);
		for (int i = 0; i < PER_TICK; i++)
			free(make_buffer());
	}
	return 0;
}
