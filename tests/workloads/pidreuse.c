/*
 * pidreuse: a pid recycled within one recording.  The first child makes
 * FIRST getppid calls and exits; after GAP_MS the parent forces the next
 * pid to be the same number (writing /proc/sys/kernel/ns_last_pid, root
 * only; other processes forking meanwhile can take it, so it retries) and
 * the second child runs COMMAND (another program: its own counts).
 * A retry's child only exits.  Waits GAP_MS again (a tracer reaps both
 * before the end).  Prints "pid P tries T" (T = 0: no reuse).
 *   pidreuse FIRST GAP_MS COMMAND [ARGS...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void getppids(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static int set_last_pid(pid_t pid)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY), n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	ok = write(fd, buf, n) == n;
	close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct timespec gap;
	long first;
	pid_t a, b;
	int tries;

	if (argc < 4) {
		fprintf(stderr, "usage: pidreuse FIRST GAP_MS COMMAND [ARGS...]\n");
		return 2;
	}
	first = atol(argv[1]);
	gap.tv_sec = atol(argv[2]) / 1000;
	gap.tv_nsec = atol(argv[2]) % 1000 * 1000000L;
	setvbuf(stdout, NULL, _IOLBF, 0);
	a = fork();
	if (a < 0)
		return 1;
	if (a == 0) {
		getppids(first);
		_exit(0);
	}
	waitpid(a, NULL, 0);
	nanosleep(&gap, NULL);
	for (tries = 1; tries <= 200; tries++) {
		if (set_last_pid(a - 1))
			return 1;
		b = fork();
		if (b < 0)
			return 1;
		if (b == 0) {
			if (getpid() != a)
				_exit(0);
			execv(argv[3], argv + 3);
			_exit(127);
		}
		waitpid(b, NULL, 0);
		if (b == a)
			break;
	}
	/* and the second one is gone from the maps too before the end */
	nanosleep(&gap, NULL);
	printf("pid %d tries %d\n", (int)a, tries <= 200 ? tries : 0);
	return 0;
}
