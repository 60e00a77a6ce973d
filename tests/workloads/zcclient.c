/*
 * zcclient: the client of zcserve.  Connects to 127.0.0.1:PORT, reads until
 * EOF and exits 0 only if exactly BYTES arrived.
 *   zcclient PORT BYTES
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[256 * 1024];
	long long got = 0, expect;
	ssize_t n;
	int s;

	if (argc != 3)
		return 2;
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	expect = atoll(argv[2]);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		return 3;
	while ((n = read(s, buf, sizeof(buf))) > 0)
		got += n;
	return got == expect ? 0 : 4;
}
