/*
 * demo_fileserver: the story of a file server that lost sendfile.  It
 * serves a 1 MiB file to a client over a socket the slow way, read() into a
 * buffer then write() to the socket in 32 KiB chunks, about 20 MiB/s (a
 * file every 50 ms), where sendfile(2) would move the bytes without copying
 * them through user space.
 *   demo_fileserver SECONDS
 * The client is a child process named demo_client that drains the socket.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (32 * 1024)
#define FILE_SIZE (1024 * 1024)

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int make_file(void)
{
	char path[] = "/tmp/fastpath-demo-file.XXXXXX", buf[CHUNK];
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < FILE_SIZE / CHUNK; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return -1;
	return fd;
}

static void client(int sock)
{
	char buf[CHUNK];

	prctl(PR_SET_NAME, "demo_client");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	while (read(sock, buf, sizeof(buf)) > 0)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 50 * 1000000 };
	int sv[2], fd;
	double secs, start;
	char buf[CHUNK];
	ssize_t n;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: demo_fileserver SECONDS\n");
		return 2;
	}
	secs = atof(argv[1]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	fd = make_file();
	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("demo_fileserver");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		client(sv[1]);
	}
	close(sv[1]);
	start = now();
	while (!stop && now() - start < secs) {
		/* The lost fast path: read + write where sendfile would do. */
		lseek(fd, 0, SEEK_SET);
		while (!stop && (n = read(fd, buf, sizeof(buf))) > 0)
			if (write(sv[0], buf, n) != n)
				stop = 1;
		nanosleep(&pause, NULL);
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return 0;
}
