/*
 * statloop: N stat() calls on one existing path, for the overhead
 * benchmark (the classic 1M-syscall loop).
 *   statloop N [PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/";
	struct stat st;
	long n;

	if (argc < 2) {
		fprintf(stderr, "usage: statloop N [PATH]\n");
		return 2;
	}
	n = atol(argv[1]);
	for (long i = 0; i < n; i++)
		if (stat(path, &st))
			return 1;
	return 0;
}
