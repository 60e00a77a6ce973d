/*
 * hostile: a traced process that chooses its strings against the tracer's
 * reader (issue 16): run under a hostile name (the tests copy it to one:
 * its comm and exe), it stats paths under DIR that would clear the screen, set the
 * terminal's title, forge an output line, are not UTF-8, carry a C1 CSI
 * (raw and UTF-8 encoded) or are very long.  Path i (from 0) of the P
 * paths is statted N + P - 1 - i times, so each has its own count, all are
 * in the top ten and the first ones in any top five.
 *   hostile [-w] [-l] [-s SECS] [-z SECS] N DIR
 * -w: print "ready PID" and wait for SIGUSR1 first (a tracer attaches).
 * -s: then for SECS seconds stat each path again every 0.1 s (top and its
 *     detail see them in every interval), and exit.
 * -z: sleep SECS before exiting, statting nothing more (the tracer reads
 *     /proc/PID/exe a few times a second: a process of a few ms is gone
 *     before it looks).
 * With -l it prints the paths, one per line as hex, and exits (the tests'
 * oracle for the bytes).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const names[] = {
	"\x1b[2J\x1b[Hcleared",		/* clears the screen */
	"\x1b]0;pwned\a",			/* sets the terminal's title */
	"a\nb\nfake: line",			/* forges two lines */
	"bad\xff\xfe.utf8",			/* not UTF-8 */
	"csi\x9b" "31mred",			/* a raw 8-bit CSI */
	"c1\xc2\x9b" "31mred",			/* the same as UTF-8 (U+009B) */
	"tab\there\rcr\x7f" "del",		/* the other controls */
};

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	go = 1;
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

/* DIR/name for i < nnames; then a 200-byte name of ESCs and 'L's. */
static void path_of(const char *dir, size_t i, char *buf, size_t len)
{
	char longname[201];

	if (i < sizeof(names) / sizeof(names[0])) {
		snprintf(buf, len, "%s/%s", dir, names[i]);
		return;
	}
	for (int k = 0; k < 200; k++)
		longname[k] = k % 2 ? 'L' : '\x1b';
	longname[200] = 0;
	snprintf(buf, len, "%s/%s", dir, longname);
}

int main(int argc, char **argv)
{
	const size_t npaths = sizeof(names) / sizeof(names[0]) + 1;
	int wait = 0, list = 0, secs = 0, idle = 0, opt;
	char path[512];
	struct stat st;
	long n;

	while ((opt = getopt(argc, argv, "wls:z:")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 'l')
			list = 1;
		else if (opt == 's')
			secs = atoi(optarg);
		else if (opt == 'z')
			idle = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: hostile [-w] [-l] [-s SECS] [-z SECS] N DIR\n");
		return 2;
	}
	n = atol(argv[optind]);
	for (size_t i = 0; list && i < npaths; i++) {
		path_of(argv[optind + 1], i, path, sizeof(path));
		for (const unsigned char *p = (const unsigned char *)path; *p; p++)
			printf("%02x", *p);
		printf("\n");
	}
	if (list)
		return 0;
	if (wait)
		wait_usr1();
	for (size_t i = 0; i < npaths; i++) {
		path_of(argv[optind + 1], i, path, sizeof(path));
		for (long k = 0; k < n + (long)(npaths - 1 - i); k++)
			stat(path, &st);
	}
	printf("done\n");
	fflush(stdout);
	for (int t = 0; t < secs * 10; t++) {
		nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
		for (size_t i = 0; i < npaths; i++) {
			path_of(argv[optind + 1], i, path, sizeof(path));
			stat(path, &st);
		}
	}
	if (idle)
		sleep(idle);
	return 0;
}
