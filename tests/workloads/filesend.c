/*
 * filesend: sends a file to a socket TRANSFERS times, the way a file server
 * would, and prints what it did.
 *   filesend [-u] MODE FILE TRANSFERS [CHUNK]
 * MODE: sendfile  sendfile(sock, file, NULL, CHUNK) until it returns 0
 *       splice    splice(file -> pipe, CHUNK) then splice(pipe -> sock) until 0
 *       rw        read(file, CHUNK) and write(sock) until read returns 0
 * The socket is loopback TCP (-u: an AF_UNIX socketpair); a thread reads and
 * discards the other end.  The file is opened anew for each transfer.
 * CHUNK defaults to 32 KiB (Go's io.Copy buffer); at most 64 KiB (a pipe).
 * Output, one key=value per line: every call it made, by kind, and bytes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static long long received;
static char rbuf[1 << 16], wbuf[1 << 16];
static long long file_reads, file_read_bytes, sock_writes, sock_write_bytes;
static long long sendfiles, sendfile_bytes, splices_in, splices_out, splice_bytes;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *drain(void *arg)
{
	int fd = *(int *)arg;
	ssize_t n;

	while ((n = read(fd, rbuf, sizeof(rbuf))) > 0)
		received += n;
	return NULL;
}

static void tcp_pair(int sv[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		die("listen");
	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	sv[1] = accept(l, NULL, NULL);
	if (sv[1] < 0)
		die("accept");
	close(l);
}

static void write_all(int sock, const char *buf, ssize_t n)
{
	ssize_t w;

	for (ssize_t off = 0; off < n; off += w) {
		w = write(sock, buf + off, n - off);
		if (w <= 0)
			die("write");
		sock_writes++;
		sock_write_bytes += w;
	}
}

static void send_rw(int sock, int fd, size_t chunk)
{
	ssize_t n;

	do {
		n = read(fd, wbuf, chunk);
		if (n < 0)
			die("read");
		file_reads++;
		file_read_bytes += n;
		if (n > 0)
			write_all(sock, wbuf, n);
	} while (n > 0);
}

static void send_sendfile(int sock, int fd, size_t chunk)
{
	ssize_t n;

	do {
		n = sendfile(sock, fd, NULL, chunk);
		if (n < 0)
			die("sendfile");
		sendfiles++;
		sendfile_bytes += n;
	} while (n > 0);
}

static void send_splice(int sock, int fd, size_t chunk)
{
	ssize_t n, m;
	int p[2];

	if (pipe(p))
		die("pipe");
	do {
		n = splice(fd, NULL, p[1], NULL, chunk, SPLICE_F_MOVE);
		if (n < 0)
			die("splice in");
		splices_in++;
		splice_bytes += n;
		for (ssize_t off = 0; off < n; off += m) {
			m = splice(p[0], NULL, sock, NULL, n - off, SPLICE_F_MOVE);
			if (m <= 0)
				die("splice out");
			splices_out++;
		}
	} while (n > 0);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	int unix_sock = 0, sv[2], fd, transfers;
	size_t chunk = 32768;
	const char *mode, *path;
	pthread_t th;

	if (argc > 1 && !strcmp(argv[1], "-u")) {
		unix_sock = 1;
		argv++;
		argc--;
	}
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: filesend [-u] sendfile|splice|rw FILE TRANSFERS [CHUNK]\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	transfers = atoi(argv[3]);
	if (argc == 5)
		chunk = strtoul(argv[4], NULL, 10);
	if (!chunk || chunk > sizeof(wbuf))
		return 2;
	if (unix_sock ? socketpair(AF_UNIX, SOCK_STREAM, 0, sv) : (tcp_pair(sv), 0))
		die("socketpair");
	if (pthread_create(&th, NULL, drain, &sv[1]))
		die("pthread_create");
	for (int i = 0; i < transfers; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			die(path);
		if (!strcmp(mode, "rw"))
			send_rw(sv[0], fd, chunk);
		else if (!strcmp(mode, "sendfile"))
			send_sendfile(sv[0], fd, chunk);
		else if (!strcmp(mode, "splice"))
			send_splice(sv[0], fd, chunk);
		else
			return 2;
		close(fd);
	}
	shutdown(sv[0], SHUT_WR);
	pthread_join(th, NULL);
	printf("mode=%s\ntransfers=%d\nfile_reads=%lld\nfile_read_bytes=%lld\n"
	       "sock_writes=%lld\nsock_write_bytes=%lld\nsendfiles=%lld\nsendfile_bytes=%lld\n"
	       "splices_in=%lld\nsplices_out=%lld\nsplice_bytes=%lld\nreceived=%lld\n",
	       mode, transfers, file_reads, file_read_bytes, sock_writes, sock_write_bytes,
	       sendfiles, sendfile_bytes, splices_in, splices_out, splice_bytes, received);
	return 0;
}
