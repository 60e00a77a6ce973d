#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "util/cgroupfs.h"
#include "util/procfs.h"

#define CGROUP2_MAGIC 0x63677270

struct cg_ent {
	uint64_t id;
	char *path;
};

/* One table for the process: fastpath reads its maps from one thread. */
static struct {
	struct cg_ent *e;
	size_t n, cap;
	uint64_t last_walk_ns;
	size_t root_len;
	int (*fn)(const char *path, uint64_t id, void *ctx);
	void *ctx;
} cg;

const char *cgroupfs__root(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs sf;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!statfs(roots[i], &sf) && sf.f_type == CGROUP2_MAGIC)
			return roots[i];
	return NULL;
}

static int each_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *rel = fpath + cg.root_len;

	if (type != FTW_D)
		return 0;
	return cg.fn(*rel ? rel : "/", (uint64_t)sb->st_ino, cg.ctx);
}

int cgroupfs__each(int (*fn)(const char *path, uint64_t id, void *ctx), void *ctx)
{
	const char *root = cgroupfs__root();

	if (!root)
		return -ENOENT;
	cg.root_len = strlen(root);
	cg.fn = fn;
	cg.ctx = ctx;
	/* FTW_PHYS: a symlink is not a cgroup; FTW_MOUNT: stay on cgroup2
	 * (the v1 controllers of a hybrid host are mounted below). */
	return nftw(root, each_cb, 16, FTW_PHYS | FTW_MOUNT);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct cg_ent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int add_ent(const char *path, uint64_t id, void *ctx)
{
	if (cg.n == cg.cap) {
		size_t cap = cg.cap ? cg.cap * 2 : 256;
		void *p = realloc(cg.e, cap * sizeof(*cg.e));

		if (!p)
			return -ENOMEM;
		cg.e = p;
		cg.cap = cap;
	}
	cg.e[cg.n].id = id;
	cg.e[cg.n].path = strdup(path);
	if (!cg.e[cg.n].path)
		return -ENOMEM;
	cg.n++;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A cgroup removed since the last walk keeps its entry: a process that
 * lived in it is still named by it. */
static void walk(void)
{
	size_t old = cg.n;

	cg.last_walk_ns = now_ns();
	cgroupfs__each(add_ent, NULL);
	if (cg.n == old)
		return;
	qsort(cg.e, cg.n, sizeof(*cg.e), ent_cmp);
	/* drop duplicates of ids walked before, keeping one */
	size_t w = 0;

	for (size_t r = 0; r < cg.n; r++) {
		if (w && cg.e[w - 1].id == cg.e[r].id) {
			free(cg.e[r].path);
			continue;
		}
		cg.e[w++] = cg.e[r];
	}
	cg.n = w;
}

static const struct cg_ent *find(uint64_t id)
{
	struct cg_ent key = { .id = id };

	return cg.n ? bsearch(&key, cg.e, cg.n, sizeof(*cg.e), ent_cmp) : NULL;
}

int cgroupfs__path_of_id(uint64_t id, char *buf, size_t len)
{
	const struct cg_ent *e;

	if (!id)
		return -ENOENT;
	e = find(id);
	if (!e && now_ns() - cg.last_walk_ns > 200000000ULL) {
		walk();
		e = find(id);
	}
	if (!e)
		return -ENOENT;
	snprintf(buf, len, "%s", e->path);
	return 0;
}

int cgroupfs__path_of_pid(int pid, char *buf, size_t len)
{
	char path[64], *text, *line;
	int err = -ENOENT;

	procfs__path(path, sizeof(path), pid, "cgroup");
	text = procfs__read(path);
	if (!text)
		return -ENOENT;
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "0::", 3))
			continue;
		line += 3;
		snprintf(buf, len, "%.*s", (int)strcspn(line, "\n"), line);
		err = 0;
		break;
	}
	free(text);
	return err;
}
