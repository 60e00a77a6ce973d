/*
 * allocloop: exactly N malloc(S) and N free from one named function.
 *   allocloop [-w] N SIZE
 * -w: wait for SIGUSR1 before starting (so a tracer can attach by -p)
 * Built with frame pointers (Makefile), so --stacks sees churn() call malloc.
 * Prints "done N SIZE sum" so tests can compare the output with and
 * without tracing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	go = 1;
}

/* noinline: the call site must be this function, not main. */
__attribute__((noinline)) static unsigned long churn(long n, size_t size)
{
	unsigned long sum = 0;

	for (long i = 0; i < n; i++) {
		unsigned char *p = malloc(size);

		if (!p)
			abort();
		p[0] = (unsigned char)i;
		sum += p[0];
		/* The compiler may not pair and elide malloc/free: keep the
		 * pointer observable. */
		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	}
	return sum;
}

int main(int argc, char **argv)
{
	int wait = 0, opt;
	sigset_t mask, old;
	unsigned long sum;
	long n;
	size_t size;

	while ((opt = getopt(argc, argv, "w")) != -1) {
		if (opt != 'w')
			return 2;
		wait = 1;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: allocloop [-w] N SIZE\n");
		return 2;
	}
	n = atol(argv[optind]);
	size = (size_t)atol(argv[optind + 1]);
	/* stdout's buffer is allocated before the loop, not inside it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (wait) {
		signal(SIGUSR1, on_usr1);
		sigemptyset(&mask);
		sigaddset(&mask, SIGUSR1);
		sigprocmask(SIG_BLOCK, &mask, &old);
		printf("ready %d\n", getpid());
		while (!go)
			sigsuspend(&old);
	}
	sum = churn(n, size);
	printf("done %ld %zu %lu\n", n, size, sum);
	return 0;
}
