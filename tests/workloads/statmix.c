/*
 * statmix: known numbers of stat-family calls on existing and missing
 * paths, with a known repeat pattern, for exact comparisons.
 *   statmix N
 * Direct syscall(2) calls, so libc cannot turn stat into newfstatat:
 *   stat       "/"                              N times   (exists)
 *   lstat      "/etc"                           N         (exists)
 *   newfstatat "/usr"                           2N        (exists)
 *   statx      "/nonexistent-fastpath/missing"  3N        ENOENT
 *   lstat      "/etc/passwd/x"                  N         ENOTDIR
 *   statx      "/nonexistent-fastpath/dI"       once each for I < N: ENOENT
 *   stat       a 330-byte path                  2         ENOENT, truncated
 *   stat       (char *)1                        3         EFAULT, faulted
 * Every path sits in a stack buffer the program wrote (so resident).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void repeat(long nr, int at, const char *lit, long n)
{
	char path[512];
	struct statx stx;
	struct stat st;

	snprintf(path, sizeof(path), "%s", lit);
	for (long i = 0; i < n; i++) {
		if (nr == SYS_statx)
			syscall(SYS_statx, AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx);
		else if (at)
			syscall(nr, AT_FDCWD, path, &st, 0);
		else
			syscall(nr, path, &st);
	}
}

int main(int argc, char **argv)
{
	char path[512];
	struct stat st;
	long n;

	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: statmix N\n");
		return 2;
	}
	repeat(SYS_stat, 0, "/", n);
	repeat(SYS_lstat, 0, "/etc", n);
	repeat(SYS_newfstatat, 1, "/usr", 2 * n);
	repeat(SYS_statx, 1, "/nonexistent-fastpath/missing", 3 * n);
	repeat(SYS_lstat, 0, "/etc/passwd/x", n);
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/nonexistent-fastpath/d%ld", i);
		repeat(SYS_statx, 1, path, 1);
	}
	/* 330 bytes: past the 255-byte capture limit, components short
	 * enough that the kernel answers ENOENT, not ENAMETOOLONG. */
	strcpy(path, "/nonexistent-fastpath");
	while (strlen(path) < 325)
		strcat(path, "/long");
	repeat(SYS_stat, 0, path, 2);
	for (int i = 0; i < 3; i++)
		syscall(SYS_stat, (char *)1, &st);
	return 0;
}
