/*
 * zcserve: a tiny file server for the diff story (issue 7).  It serves one
 * file ROUNDS times over TCP loopback to a child client, either with
 * sendfile (zero-copy) or with read+write through a 64 KiB buffer (copying),
 * so the two recordings differ in the data path and nothing else.
 *   zcserve sendfile|copy MIB ROUNDS
 * The file is sparse (ftruncate), so setting it up makes no data syscalls.
 * The client is a child running zcclient (so its reads are not the
 * server's); it checks that every byte arrived and the exit status says so.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF (64 * 1024)

/* The client is its own program (zcclient, built beside this one) so that
 * its reads are not counted as the server's. */
static void exec_client(int port, long long expect)
{
	char self[4096], port_s[16], exp_s[32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 16);
	char *slash;

	if (n <= 0)
		_exit(3);
	self[n] = 0;
	slash = strrchr(self, '/');
	strcpy(slash ? slash + 1 : self, "zcclient");
	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(exp_s, sizeof(exp_s), "%lld", expect);
	execl(self, "zcclient", port_s, exp_s, (char *)NULL);
	_exit(3);
}

static int serve_round(int fd, int c, long long size, int zero_copy)
{
	static char buf[BUF];
	long long left = size;
	off_t off = 0;
	ssize_t n, w;

	if (zero_copy) {
		while (left > 0) {
			n = sendfile(c, fd, &off, left);
			if (n <= 0)
				return -1;
			left -= n;
		}
		return 0;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while (left > 0) {
		n = read(fd, buf, left < BUF ? left : BUF);
		if (n <= 0)
			return -1;
		for (ssize_t done = 0; done < n; done += w) {
			w = write(c, buf + done, n - done);
			if (w <= 0)
				return -1;
		}
		left -= n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	char path[] = "/tmp/zcserve.XXXXXX";
	int zero_copy, rounds, fd, ls, c, st;
	long long size;
	pid_t pid;

	if (argc != 4 || (strcmp(argv[1], "sendfile") && strcmp(argv[1], "copy"))) {
		fprintf(stderr, "usage: zcserve sendfile|copy MIB ROUNDS\n");
		return 2;
	}
	zero_copy = !strcmp(argv[1], "sendfile");
	size = atoll(argv[2]) << 20;
	rounds = atoi(argv[3]);
	fd = mkstemp(path);
	if (fd < 0 || unlink(path) || ftruncate(fd, size))
		return 1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&a, &al))
		return 1;
	pid = fork();
	if (pid == 0)
		exec_client(ntohs(a.sin_port), size * rounds);
	c = accept(ls, NULL, NULL);
	if (c < 0)
		return 1;
	for (int r = 0; r < rounds; r++)
		if (serve_round(fd, c, size, zero_copy))
			return 1;
	close(c);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "zcserve: the client did not get every byte\n");
		return 1;
	}
	printf("served %lld bytes by %s\n", size * rounds, argv[1]);
	return 0;
}
