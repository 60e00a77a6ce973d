/*
 * sysloop: makes known numbers of syscalls.
 *   sysloop [-w] [-s] GETPPID OPENAT_FAIL
 * -w: wait for SIGUSR1 before starting (so a tracer can attach by -p)
 * -s: afterwards, sleep until killed (a target that stays alive)
 * Each getppid is one syscall; each openat of a missing path fails with
 * ENOENT.  The loop uses syscall(2) so libc cannot batch or cache them.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	go = 1;
}

int main(int argc, char **argv)
{
	int wait = 0, stay = 0, opt;
	long n_getppid, n_open;
	sigset_t mask, old;

	while ((opt = getopt(argc, argv, "ws")) != -1) {
		if (opt == 'w')
			wait = 1;
		else if (opt == 's')
			stay = 1;
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: sysloop [-w] [-s] GETPPID OPENAT_FAIL\n");
		return 2;
	}
	n_getppid = atol(argv[optind]);
	n_open = atol(argv[optind + 1]);
	if (wait) {
		signal(SIGUSR1, on_usr1);
		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		sigprocmask(SIG_BLOCK, &mask, &old);
		printf("ready %d\n", getpid());
		fflush(stdout);
		while (!go)
			sigsuspend(&old);
	}
	for (long i = 0; i < n_getppid; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < n_open; i++)
		syscall(SYS_openat, AT_FDCWD, "/nonexistent/fastpath-sysloop", O_RDONLY);
	printf("done getppid=%ld openat_fail=%ld\n", n_getppid, n_open);
	fflush(stdout);
	while (stay)
		pause();
	return 0;
}
