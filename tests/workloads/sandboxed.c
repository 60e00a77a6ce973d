/*
 * sandboxed: a seccomp-sandboxed target with known syscalls.
 *   sandboxed filter GETPPID DENIED   a seccomp filter (as systemd's
 *       SystemCallFilter= installs) that makes getuid fail with EPERM
 *       without running it; then GETPPID getppid calls and DENIED getuid
 *       calls (each refused by the filter)
 *   sandboxed strict WRITES          SECCOMP_MODE_STRICT (only read, write,
 *       _exit, sigreturn): WRITES 1-byte writes to /dev/null, then _exit
 * Prints "denied N" (filter: the getuid calls that failed with EPERM).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getuid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int main(int argc, char **argv)
{
	long n, m = 0, denied = 0;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: sandboxed filter GETPPID DENIED | sandboxed strict WRITES\n");
		return 2;
	}
	n = atol(argv[2]);
	if (!strcmp(argv[1], "strict")) {
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
			return 1;
		for (long i = 0; i < n; i++)
			if (write(fd, "x", 1) != 1)
				syscall(SYS_exit, 1);
		syscall(SYS_exit, 0);	/* exit_group is not allowed */
	}
	if (argc != 4)
		return 2;
	m = atol(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (install_filter())
		return 1;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < m; i++)
		if (syscall(SYS_getuid) == -1 && errno == EPERM)
			denied++;
	printf("denied %ld\n", denied);
	return 0;
}
