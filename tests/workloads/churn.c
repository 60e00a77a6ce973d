/*
 * churn: fork churn at a known pace.  Starts CHILDREN short-lived children
 * one after another, PER_SEC of them a second.  Each makes exactly GETPPID
 * getppid calls, one stat("/") (newfstatat) and one 1-byte write to
 * /dev/null, and then _exit()s: no other syscall returns in the child
 * (exit_group never does).  The parent waits for each one, so at most one
 * child lives at a time: what grows is only the number that came and went.
 *   churn CHILDREN GETPPID PER_SEC [distinct]
 * With "distinct", child I stats a path of its own instead of "/"
 * (/nonexistent-fastpath/churn/I, ENOENT): as many distinct paths as
 * children, as on a build host where every compiler stats its headers.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_until(const struct timespec *t0, double at_s)
{
	struct timespec t = *t0;

	t.tv_sec += (time_t)at_s;
	t.tv_nsec += (long)((at_s - (time_t)at_s) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL))
		;
}

int main(int argc, char **argv)
{
	struct timespec t0;
	int children, per_s, status, null_fd;
	bool distinct;
	long n;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "distinct"))) {
		fprintf(stderr, "usage: churn CHILDREN GETPPID PER_SEC [distinct]\n");
		return 2;
	}
	distinct = argc == 5;
	children = atoi(argv[1]);
	n = atol(argv[2]);
	per_s = atoi(argv[3]);
	if (children < 0 || n < 0 || per_s <= 0) {
		fprintf(stderr, "churn: CHILDREN and GETPPID >= 0, PER_SEC > 0\n");
		return 2;
	}
	null_fd = open("/dev/null", O_WRONLY);
	if (null_fd < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int c = 0; c < children; c++) {
		pid_t pid;

		sleep_until(&t0, (double)c / per_s);
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			char path[64] = "/";
			struct stat st;

			if (distinct)
				snprintf(path, sizeof(path), "/nonexistent-fastpath/churn/%d", c);
			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
			if ((stat(path, &st) != 0) != distinct || write(null_fd, "x", 1) != 1)
				_exit(1);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			return 1;
	}
	return 0;
}
