/*
 * demo_alloc: the story of an allocation churn.  Like a request handler
 * that builds and throws away small objects, it mallocs and frees 200
 * blocks of 16 B to 4 KiB every 10 ms, about 20,000 allocations a second
 * that never live longer than a request.
 *   demo_alloc SECONDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_TICK 200

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

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000000 };
	char *objs[PER_TICK];
	double secs, start;
	unsigned int seed = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: demo_alloc SECONDS\n");
		return 2;
	}
	secs = atof(argv[1]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	start = now();
	while (!stop && now() - start < secs) {
		for (int i = 0; i < PER_TICK; i++)
			objs[i] = make_object(16 << (rand_r(&seed) % 9));	/* 16 B .. 4 KiB */
		for (int i = 0; i < PER_TICK; i++)
			free(objs[i]);
		nanosleep(&tick, NULL);
	}
	return 0;
}
