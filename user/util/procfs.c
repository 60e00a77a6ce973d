/* Readers of /proc (see procfs.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/procfs.h"

int procfs__path(char *buf, size_t len, int pid, const char *what)
{
	int n = snprintf(buf, len, "/proc/%d/%s", pid, what);

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

char *procfs__read(const char *path)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap * 2);

			if (!b)
				break;
			buf = b;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = 0;
	if (!n) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *procfs__maps(int pid)
{
	char path[64];

	procfs__path(path, sizeof(path), pid, "maps");
	return procfs__read(path);
}

int procfs__exe(int pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	procfs__path(path, sizeof(path), pid, "exe");
	n = readlink(path, buf, len - 1);
	if (n <= 0) {
		buf[0] = 0;
		return n < 0 ? -errno : -ENOENT;
	}
	buf[n] = 0;
	return 0;
}

int procfs__comm(int pid, char *buf, size_t len)
{
	char path[64];
	int err = 0;
	FILE *f;

	buf[0] = 0;
	procfs__path(path, sizeof(path), pid, "comm");
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	else
		err = -EIO;
	fclose(f);
	return err;
}

int procfs__root(int pid, const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/%d/root%s", pid, path);

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int procfs__read_mem(int pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	procfs__path(path, sizeof(path), pid, "mem");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int procfs__each_pid(int (*fn)(int pid, void *ctx), void *ctx)
{
	struct dirent *de;
	int pid, err = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid > 0)
			err = fn(pid, ctx);
	}
	closedir(d);
	return err;
}

unsigned int procfs__pid_max(void)
{
	unsigned int v = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

unsigned long long procfs__cap_eff(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

long procfs__self_kb(const char *field)
{
	char *st = procfs__read("/proc/self/status"), key[32], *p;
	long kb = -1;

	snprintf(key, sizeof(key), "\n%s:", field);
	p = st ? strstr(st, key) : NULL;
	if (p)
		kb = strtol(p + strlen(key), NULL, 10);
	free(st);
	return kb;
}

uint64_t procfs__maps_start(const char *maps, const char *path)
{
	size_t plen = strlen(path);
	unsigned long lo, off;

	for (const char *line = maps; line && *line;) {
		size_t len = strcspn(line, "\n");
		const char *p = memchr(line, '/', len);

		/* The path runs to the end of its line. */
		if (p && (size_t)(line + len - p) == plen && !strncmp(p, path, plen) &&
		    sscanf(line, "%lx-%*x %*s %lx", &lo, &off) == 2 && off == 0)
			return lo;
		line += len + (line[len] == '\n');
	}
	return 0;
}

bool procfs__maps_exec_covers(const char *maps, uint64_t addr)
{
	unsigned long lo, hi;
	char perms[8];

	for (const char *line = maps; line && *line;) {
		size_t len = strcspn(line, "\n");

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && perms[2] == 'x' && addr >= lo && addr < hi)
			return true;
		line += len + (line[len] == '\n');
	}
	return false;
}

int procfs__ppid(int pid)
{
	char path[64], *st, *p;
	int ppid = -ENOENT;

	if (procfs__path(path, sizeof(path), pid, "status"))
		return -ENAMETOOLONG;
	st = procfs__read(path);
	if (!st)
		return -ENOENT;
	p = strstr(st, "\nPPid:");
	if (p)
		ppid = atoi(p + 7);
	free(st);
	return ppid;
}

/* The state letter of a /proc/.../stat file, 0 if unreadable. */
static char stat_state(const char *path, char **text)
{
	char *st = procfs__read(path), *p;

	*text = st;
	if (!st)
		return 0;
	/* comm may hold spaces and parentheses: the state follows the last ')' */
	p = strrchr(st, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Every thread of pid a zombie (or dead): a leader that called
 * pthread_exit() shows Z while its other threads run on. */
static bool threads_dead(int pid)
{
	char path[96], *st;
	struct dirent *d;
	bool dead = true;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return true;
	while (dead && (d = readdir(dir))) {
		char c;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/stat", pid, d->d_name);
		c = stat_state(path, &st);
		free(st);
		dead = !c || c == 'Z' || c == 'X';
	}
	closedir(dir);
	return dead;
}

bool procfs__zombie(int pid, int *exit_code)
{
	char path[64], *st, *p;
	bool z = false;

	if (procfs__path(path, sizeof(path), pid, "stat"))
		return false;
	if (stat_state(path, &st) == 'Z' && threads_dead(pid)) {
		z = true;
		/* field 52 is the exit code (Linux 3.5+); p goes from the space
		 * before field 4 to the one before field 52 */
		p = strrchr(st, ')') + 3;
		for (int i = 0; i < 52 - 4 && p; i++)
			p = strchr(p + 1, ' ');
		*exit_code = p ? atoi(p + 1) : 0;
	}
	free(st);
	return z;
}

int procfs__nspid(int pid)
{
	char path[64], *st, *p, *end;
	long v = 0;

	if (procfs__path(path, sizeof(path), pid, "status"))
		return -ENAMETOOLONG;
	st = procfs__read(path);
	if (!st)
		return -ENOENT;
	p = strstr(st, "\nNSpid:");
	/* "NSpid:\t4242\t7\t1": host first, the innermost namespace last */
	for (p = p ? p + 7 : NULL; p && *p && *p != '\n'; p = end) {
		long n = strtol(p, &end, 10);

		if (end == p)
			break;
		v = n;
	}
	free(st);
	return v > 0 ? (int)v : -ENOENT;
}

int procfs__which(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		/* An empty PATH entry is the current directory. */
		snprintf(out, len, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", cmd);
		if (!access(out, X_OK))
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}
