/*
 * sandboxed: a seccomp-sandboxed target with known syscalls.
 *   sandboxed filter GETPPID DENIED   a seccomp filter (as systemd's
 *       SystemCallFilter= installs) that makes getuid fail with EPERM
 *       without running it; then GETPPID getppid calls and DENIED getuid
 *       calls (each refused by the filter)
 *   sandboxed strict WRITES          SECCOMP_MODE_STRICT (only read, write,
 *       _exit, sigreturn): WRITES 1-byte writes to /dev/null, then _exit
 *   sandboxed firstcall N GETPPID    the filter, then N children (a raw
 *       fork) and then N threads, one at a time, whose very first syscall
 *       is a refused getuid, then GETPPID getppid calls; a child then
 *       exit_group()s, a thread exit()s (neither returns)
 * Prints "denied N" (the getuid calls that failed with EPERM, all of them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

static long first_getppid;
static volatile int thread_denied;

/* The first syscall of the thread or child (no libc wrapper runs in
 * between: glibc's clone() calls fn straight after the syscall). */
static int first_call(void)
{
	int denied = syscall(SYS_getuid) == -1 && errno == EPERM;

	for (long i = 0; i < first_getppid; i++)
		syscall(SYS_getppid);
	return denied;
}

static int thread_fn(void *arg)
{
	(void)arg;
	thread_denied += first_call();
	syscall(SYS_exit, 0);	/* the thread only, never returns */
	return 0;
}

/* N raw forks, then N threads, one at a time: denied calls seen. */
static long first_calls(long n)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	long denied = 0;
	int status;

	for (long i = 0; i < n; i++) {
		/* the fork syscall itself: glibc's fork() makes calls in the child */
		long pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);

		if (pid < 0)
			return -1;
		if (pid == 0)
			syscall(SYS_exit_group, first_call() ? 0 : 1);
		if (waitpid(pid, &status, 0) != pid)
			return -1;
		denied += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	for (long i = 0; i < n; i++) {
		int tid;

		if (clone(thread_fn, stack + sizeof(stack), CLONE_VM | CLONE_FS | CLONE_FILES |
			  CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
			  CLONE_CHILD_CLEARTID, NULL, &tid, NULL, &tid) < 0)
			return -1;
		/* the stack is reused: wait until the kernel is done with the
		 * thread (it clears tid and wakes us at the thread's exit) */
		while (__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
			syscall(SYS_futex, &tid, FUTEX_WAIT, tid, NULL, NULL, 0);
	}
	return denied + thread_denied;
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
	if (!strcmp(argv[1], "firstcall")) {
		first_getppid = m;
		denied = first_calls(n);
		printf("denied %ld\n", denied);
		return denied < 0;
	}
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < m; i++)
		if (syscall(SYS_getuid) == -1 && errno == EPERM)
			denied++;
	printf("denied %ld\n", denied);
	return 0;
}
