/*
 * demo_statstorm: the story of a stat storm.  Like an interpreter looking
 * for its modules along a long search path, every "import" stats the
 * module in 24 directories where it is not before finding it: mostly
 * ENOENT, about 24,000 stat calls a second.
 *   demo_statstorm SECONDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIRS 24
#define IMPORTS_PER_TICK 10	/* every 10 ms */

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

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000000 };
	char path[256];
	struct stat st;
	double secs, start;
	long imports = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: demo_statstorm SECONDS\n");
		return 2;
	}
	secs = atof(argv[1]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	start = now();
	while (!stop && now() - start < secs) {
		for (int i = 0; i < IMPORTS_PER_TICK; i++, imports++) {
			for (int d = 0; d < DIRS; d++) {
				snprintf(path, sizeof(path), "/tmp/fastpath-demo/site%d/lib/module%ld.py",
					 d, imports % 50);
				stat(path, &st);
			}
			stat("/etc/hostname", &st);	/* found at last */
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}
