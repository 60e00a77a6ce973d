/*
 * iomix: every data-path syscall, ROUNDS times, on known fd kinds and with
 * known sizes; single-threaded and deterministic, so two runs make the same
 * calls (strace -c -f on one, fastpath on the other).
 *   iomix FILE ROUNDS      (FILE: a regular file of at least 16 KiB)
 * Per round (bytes; kind of the fd):
 *   pread64 file 4096         read chardev 4096 (/dev/zero)  write chardev 4096 (/dev/null)
 *   write pipe 1000           read pipe 1000
 *   writev unix 1000          readv unix 1000
 *   sendto udp 700            recvfrom udp 700
 *   sendmsg unix 300          recvmsg unix 300
 *   sendmmsg unix 600 (3 msgs)  recvmmsg unix 600
 *   sendfile file->unix 8192  read unix 8192
 *   splice file->pipe 4096    splice pipe->unix 4096    read unix 4096
 *   vmsplice memory->pipe 512 tee pipe->pipe 512        read pipe 512 (twice)
 *   copy_file_range file->file 4096
 *   write other 8 (eventfd)   read other 8
 *   pwrite64 file 100  pwritev file 200  pwritev2 file 200  preadv file 200  preadv2 file 200
 * Prints nothing unless something did not go as planned (then exits 1).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static char buf[16384], big[16384];

static void check(long got, long want, const char *what)
{
	if (got != want) {
		fprintf(stderr, "iomix: %s returned %ld, expected %ld\n", what, got, want);
		exit(1);
	}
}

static void udp_pair(int u[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in b = a;
	socklen_t len = sizeof(a);

	u[0] = socket(AF_INET, SOCK_DGRAM, 0);
	u[1] = socket(AF_INET, SOCK_DGRAM, 0);
	if (u[0] < 0 || u[1] < 0 || bind(u[1], (struct sockaddr *)&b, sizeof(b)) ||
	    getsockname(u[1], (struct sockaddr *)&b, &len) ||
	    connect(u[0], (struct sockaddr *)&b, sizeof(b)))
		check(-1, 0, "udp setup");
}

static void mmsg_round(int dv[2])
{
	struct iovec iov[3] = { { big, 100 }, { big, 200 }, { big, 300 } };
	struct iovec riov[3] = { { buf, 1000 }, { buf, 1000 }, { buf, 1000 } };
	struct mmsghdr m[3], r[3];

	memset(m, 0, sizeof(m));
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 3; i++) {
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		r[i].msg_hdr.msg_iov = &riov[i];
		r[i].msg_hdr.msg_iovlen = 1;
	}
	check(sendmmsg(dv[0], m, 3, 0), 3, "sendmmsg");
	check(recvmmsg(dv[1], r, 3, 0, NULL), 3, "recvmmsg");
	check(r[0].msg_len + r[1].msg_len + r[2].msg_len, 600, "recvmmsg bytes");
}

static void round_(int file, int tmp, int zero, int null, int p[2], int q[2], int sv[2],
		   int dv[2], int u[2], int ev)
{
	struct iovec two[2] = { { big, 500 }, { big + 500, 500 } };
	struct iovec one = { buf, 1000 };
	struct iovec hv[2] = { { big, 100 }, { big, 100 } };
	struct iovec vm = { big, 512 };
	struct msghdr mh = { .msg_iov = &one, .msg_iovlen = 1 };
	uint64_t e = 1;
	off_t off = 0, off2 = 0;

	check(pread(file, buf, 4096, 0), 4096, "pread64");
	check(read(zero, buf, 4096), 4096, "read /dev/zero");
	check(write(null, big, 4096), 4096, "write /dev/null");
	check(write(p[1], big, 1000), 1000, "write pipe");
	check(read(p[0], buf, 1000), 1000, "read pipe");
	check(writev(sv[0], two, 2), 1000, "writev");
	check(readv(sv[1], &one, 1), 1000, "readv");
	check(sendto(u[0], big, 700, 0, NULL, 0), 700, "sendto");
	check(recvfrom(u[1], buf, sizeof(buf), 0, NULL, NULL), 700, "recvfrom");
	one.iov_len = 300;
	check(sendmsg(sv[0], &mh, 0), 300, "sendmsg");
	check(recvmsg(sv[1], &mh, 0), 300, "recvmsg");
	mmsg_round(dv);
	check(sendfile(sv[0], file, &off, 8192), 8192, "sendfile");
	check(read(sv[1], buf, 8192), 8192, "read after sendfile");
	off = 0;
	check(splice(file, &off, p[1], NULL, 4096, 0), 4096, "splice file->pipe");
	check(splice(p[0], NULL, sv[0], NULL, 4096, 0), 4096, "splice pipe->socket");
	check(read(sv[1], buf, 4096), 4096, "read after splice");
	check(vmsplice(p[1], &vm, 1, 0), 512, "vmsplice");
	check(tee(p[0], q[1], 512, 0), 512, "tee");
	check(read(q[0], buf, 512), 512, "read tee'd pipe");
	check(read(p[0], buf, 512), 512, "read vmspliced pipe");
	off = 0;
	check(copy_file_range(file, &off, tmp, &off2, 4096, 0), 4096, "copy_file_range");
	check(write(ev, &e, 8), 8, "write eventfd");
	check(read(ev, &e, 8), 8, "read eventfd");
	check(pwrite(tmp, big, 100, 0), 100, "pwrite64");
	check(pwritev(tmp, hv, 2, 0), 200, "pwritev");
	check(pwritev2(tmp, hv, 2, 0, 0), 200, "pwritev2");
	check(preadv(tmp, hv, 2, 0), 200, "preadv");
	check(preadv2(tmp, hv, 2, 0, 0), 200, "preadv2");
}

int main(int argc, char **argv)
{
	int file, tmp, zero, null, p[2], q[2], sv[2], dv[2], u[2], ev, rounds;

	if (argc != 3) {
		fprintf(stderr, "usage: iomix FILE ROUNDS\n");
		return 2;
	}
	rounds = atoi(argv[2]);
	file = open(argv[1], O_RDONLY);
	tmp = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	zero = open("/dev/zero", O_RDONLY);
	null = open("/dev/null", O_WRONLY);
	ev = eventfd(0, 0);
	if (file < 0 || tmp < 0 || zero < 0 || null < 0 || ev < 0 || pipe(p) || pipe(q) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || socketpair(AF_UNIX, SOCK_DGRAM, 0, dv)) {
		perror("iomix: setup");
		return 1;
	}
	udp_pair(u);
	memset(big, 'x', sizeof(big));
	for (int i = 0; i < rounds; i++)
		round_(file, tmp, zero, null, p, q, sv, dv, u, ev);
	return 0;
}
