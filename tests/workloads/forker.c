/*
 * forker: a parent that forks CHILDREN children, each making GETPPID getppid
 * calls, and waits for them.  Tests that children of a traced command are
 * followed (strace -f).
 *   forker CHILDREN GETPPID
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int children, status;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: forker CHILDREN GETPPID\n");
		return 2;
	}
	children = atoi(argv[1]);
	n = atol(argv[2]);
	for (int c = 0; c < children; c++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
			_exit(0);
		}
	}
	for (int c = 0; c < children; c++)
		wait(&status);
	return 0;
}
