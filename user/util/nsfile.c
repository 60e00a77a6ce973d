#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "util/nsfile.h"

#define NSFILE_MAX 256	/* files kept open at once; more are not symbolized */

static struct {
	pthread_mutex_t lock;
	struct { dev_t dev; ino_t ino; int fd; } f[NSFILE_MAX];
	int n;
} ns = { .lock = PTHREAD_MUTEX_INITIALIZER };

struct maps_line {
	uint64_t start, end;
	dev_t dev;
	ino_t ino;
	const char *path;	/* in the line; ends at '\n' */
	size_t path_len;
};

static int parse_line(const char *l, struct maps_line *m)
{
	unsigned int maj, min;
	unsigned long ino;
	int off = 0;

	if (sscanf(l, "%" SCNx64 "-%" SCNx64 " %*s %*x %x:%x %lu %n", &m->start, &m->end, &maj, &min,
		   &ino, &off) < 5 || !off || l[off] != '/' || !ino)
		return -1;
	m->dev = makedev(maj, min);
	m->ino = (ino_t)ino;
	m->path = l + off;
	m->path_len = strcspn(m->path, "\n");
	return 0;
}

static int find(dev_t dev, ino_t ino)
{
	for (int i = 0; i < ns.n; i++)
		if (ns.f[i].dev == dev && ns.f[i].ino == ino)
			return ns.f[i].fd;
	return -1;
}

/* pid's file of m: the mapping itself (the exact file, even deleted), else
 * its path under pid's root; only if it is the file the maps name. */
static int open_theirs(int pid, const struct maps_line *m)
{
	char p[4200];
	struct stat sb;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, m->start, m->end);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(p, sizeof(p), "/proc/%d/root%.*s", pid, (int)m->path_len, m->path);
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0 && (fstat(fd, &sb) || sb.st_ino != m->ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void note_line(int pid, const struct maps_line *m)
{
	char p[4096];
	struct stat sb;
	int fd;

	if (find(m->dev, m->ino) >= 0 || ns.n == NSFILE_MAX)
		return;
	snprintf(p, sizeof(p), "%.*s", (int)m->path_len, m->path);
	if (!stat(p, &sb) && sb.st_dev == m->dev && sb.st_ino == m->ino)
		return;		/* ours too: opened by its path */
	fd = open_theirs(pid, m);
	if (fd < 0)
		return;
	ns.f[ns.n].dev = m->dev;
	ns.f[ns.n].ino = m->ino;
	ns.f[ns.n++].fd = fd;
}

void nsfile__note_maps(int pid, const char *maps)
{
	struct maps_line m, last = { 0 };

	pthread_mutex_lock(&ns.lock);
	for (const char *l = maps; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (parse_line(l, &m))
			continue;
		/* a file's mappings follow one another: check it once */
		if (m.dev == last.dev && m.ino == last.ino)
			continue;
		last = m;
		note_line(pid, &m);
	}
	pthread_mutex_unlock(&ns.lock);
}

char *nsfile__rewrite_maps(const char *maps)
{
	size_t cap = strlen(maps) + 1, n = 0;
	char *out = NULL;
	bool any = false;

	pthread_mutex_lock(&ns.lock);
	if (!ns.n || !(out = malloc(cap + 4096)))
		goto out;
	cap += 4096;
	for (const char *l = maps; *l;) {
		size_t len = strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n');
		struct maps_line m;
		int fd = parse_line(l, &m) ? -1 : find(m.dev, m.ino);
		char fdp[32];
		size_t head = fd >= 0 ? (size_t)(m.path - l) : len, extra;

		extra = fd >= 0 ? (size_t)snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d\n", fd) : 0;
		if (n + head + extra + 1 > cap) {
			char *p = realloc(out, cap * 2 + head + extra);

			if (!p) {
				free(out);
				out = NULL;
				goto out;
			}
			out = p;
			cap = cap * 2 + head + extra;
		}
		memcpy(out + n, l, head);
		n += head;
		if (fd >= 0) {
			memcpy(out + n, fdp, extra);
			n += extra;
			any = true;
		}
		l += len;
	}
	out[n] = 0;
out:
	pthread_mutex_unlock(&ns.lock);
	if (!any) {
		free(out);
		return NULL;
	}
	return out;
}
