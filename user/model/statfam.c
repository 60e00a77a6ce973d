/* The stat family's model: per-syscall counts, paths, directory roll-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/statfam.h"

/* x86_64 numbers, as in bpf/statfam.bpf.c. */
static const int family_nrs[] = {
	2 /* open */, 4 /* stat */, 5 /* fstat */, 6 /* lstat */, 21 /* access */,
	89 /* readlink */, 137 /* statfs */, 138 /* fstatfs */, 217 /* getdents64 */,
	257 /* openat */, 262 /* newfstatat */, 267 /* readlinkat */,
	269 /* faccessat */, 332 /* statx */, 439 /* faccessat2 */,
};

bool stat__in_family(int nr)
{
	for (size_t i = 0; i < sizeof(family_nrs) / sizeof(family_nrs[0]); i++)
		if (family_nrs[i] == nr)
			return true;
	return false;
}

const char *stat__err_name(enum fp_stat_err e)
{
	static const char *const names[FP_STAT_NERR] = { "ENOENT", "ENOTDIR", "EACCES", "other" };

	return e < FP_STAT_NERR ? names[e] : "other";
}

struct fp_stat_stats *stat_stats__new(bool paths_on)
{
	struct fp_stat_stats *s = calloc(1, sizeof(*s));

	if (s) {
		s->paths_on = paths_on;
		s->complete = true;
	}
	return s;
}

void stat_stats__free(struct fp_stat_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npaths; i++) {
		free(s->paths[i].path);
		free(s->paths[i].given);
	}
	for (size_t i = 0; i < s->ndirs; i++)
		free(s->dirs[i].dir);
	free(s->paths);
	free(s->dirs);
	free(s->sys);
	free(s);
}

static int cmp_sys(const void *a, const void *b)
{
	return ((const struct fp_stat_sys *)a)->nr - ((const struct fp_stat_sys *)b)->nr;
}

struct fp_stat_sys *stat_stats__sys(struct fp_stat_stats *s, int nr)
{
	struct fp_stat_sys *n;

	for (size_t i = 0; i < s->nsys; i++)
		if (s->sys[i].nr == nr)
			return &s->sys[i];
	n = realloc(s->sys, (s->nsys + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->sys = n;
	memset(&n[s->nsys], 0, sizeof(*n));
	n[s->nsys].nr = nr;
	s->nsys++;
	qsort(s->sys, s->nsys, sizeof(*s->sys), cmp_sys);
	for (size_t i = 0; i < s->nsys; i++)
		if (s->sys[i].nr == nr)
			return &s->sys[i];
	return NULL;
}

/* Room for element n: capacity 16, doubled each time n reaches a power of
 * two (a git status brings tens of thousands of paths). */
static int grow(void **arr, size_t n, size_t elem)
{
	void *p;

	if (n && (n < 16 || (n & (n - 1))))
		return 0;
	p = realloc(*arr, (n ? n * 2 : 16) * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

int stat_stats__add_path(struct fp_stat_stats *s, uint64_t hash, const char *path,
			 bool truncated, uint64_t calls, uint64_t errors)
{
	struct fp_stat_path *p;

	if (grow((void **)&s->paths, s->npaths, sizeof(*s->paths)))
		return -ENOMEM;
	p = &s->paths[s->npaths];
	p->hash = hash;
	p->path = path ? strdup(path) : NULL;
	if (path && !p->path)
		return -ENOMEM;
	p->given = NULL;
	p->truncated = truncated;
	p->calls = calls;
	p->errors = errors;
	s->npaths++;
	return 0;
}

int stat_stats__path_given(struct fp_stat_stats *s, const char *given)
{
	struct fp_stat_path *p;

	if (!s->npaths || !given)
		return 0;
	p = &s->paths[s->npaths - 1];
	free(p->given);
	p->given = strdup(given);
	return p->given ? 0 : -ENOMEM;
}

int stat_stats__add_dir(struct fp_stat_stats *s, const char *dir, uint64_t calls, uint64_t errors)
{
	struct fp_stat_dir *d;

	if (grow((void **)&s->dirs, s->ndirs, sizeof(*s->dirs)))
		return -ENOMEM;
	d = &s->dirs[s->ndirs];
	d->dir = strdup(dir);
	if (!d->dir)
		return -ENOMEM;
	d->calls = calls;
	d->errors = errors;
	s->ndirs++;
	return 0;
}

const char *stat__subtree(const char *dir, char *buf, size_t len)
{
	size_t n = strlen(dir);

	snprintf(buf, len, "%s%s", dir, n && dir[n - 1] == '/' ? "" : "/");
	return buf;
}

const char *stat__parent_dir(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')	/* "a/b/" is "a/b" */
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0) {
		snprintf(buf, len, ".");
		return buf;
	}
	while (n > 1 && path[n - 1] == '/')	/* "a//b" -> "a" */
		n--;
	snprintf(buf, len, "%.*s", (int)n, path);
	return buf;
}

static int cmp_path_calls(const void *a, const void *b)
{
	const struct fp_stat_path *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	if (x->path && y->path)
		return strcmp(x->path, y->path);
	return (x->path == NULL) - (y->path == NULL);
}

static int cmp_dir_calls(const void *a, const void *b)
{
	const struct fp_stat_dir *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls < y->calls ? 1 : -1;
	return strcmp(x->dir, y->dir);
}

static int cmp_dir_name(const void *a, const void *b)
{
	return strcmp(((const struct fp_stat_dir *)a)->dir, ((const struct fp_stat_dir *)b)->dir);
}

static void clear_dirs(struct fp_stat_stats *s)
{
	for (size_t i = 0; i < s->ndirs; i++)
		free(s->dirs[i].dir);
	free(s->dirs);
	s->dirs = NULL;
	s->ndirs = 0;
}

/* Every directory above a path, up to "/" (absolute) or "." (relative). */
static int add_ancestors(struct fp_stat_stats *s, const struct fp_stat_path *p)
{
	size_t len = strlen(p->path) + 8;
	char *a = malloc(len), *b = malloc(len), *t;
	int err = 0;

	if (!a || !b) {
		err = -ENOMEM;
		goto cleanup;
	}
	stat__parent_dir(p->path, a, len);
	for (;;) {
		if ((err = stat_stats__add_dir(s, a, p->calls, p->errors)))
			break;
		if (!strcmp(a, "/") || !strcmp(a, "."))
			break;
		stat__parent_dir(a, b, len);
		t = a, a = b, b = t;
	}
cleanup:
	free(a);
	free(b);
	return err;
}

/* Index of the parent of dirs[i] in the name-sorted dirs, or -1. */
static long parent_of(const struct fp_stat_stats *s, size_t i, char *buf, size_t len)
{
	struct fp_stat_dir key = { .dir = buf }, *hit;

	if (!strcmp(s->dirs[i].dir, "/") || !strcmp(s->dirs[i].dir, "."))
		return -1;
	stat__parent_dir(s->dirs[i].dir, buf, len);
	hit = bsearch(&key, s->dirs, s->ndirs, sizeof(*s->dirs), cmp_dir_name);
	return hit ? hit - s->dirs : -1;
}

/* Keep the subtrees worth naming (statfam.h): not explained by one child,
 * not a small one of many siblings. */
static int prune(struct fp_stat_stats *s)
{
	uint64_t *maxchild = calloc(s->ndirs, sizeof(*maxchild));
	long *par = calloc(s->ndirs, sizeof(*par));
	bool *keep = calloc(s->ndirs, sizeof(*keep));
	bool *explained = calloc(s->ndirs, sizeof(*explained));
	char *buf = NULL;
	size_t out = 0, len = 0;
	int err = -ENOMEM;

	for (size_t i = 0; i < s->ndirs; i++)
		if (strlen(s->dirs[i].dir) + 8 > len)
			len = strlen(s->dirs[i].dir) + 8;
	buf = malloc(len);
	if (!maxchild || !par || !keep || !explained || !buf)
		goto cleanup;
	for (size_t i = 0; i < s->ndirs; i++) {
		par[i] = parent_of(s, i, buf, len);
		if (par[i] >= 0 && s->dirs[i].calls > maxchild[par[i]])
			maxchild[par[i]] = s->dirs[i].calls;
	}
	for (size_t i = 0; i < s->ndirs; i++)
		explained[i] = maxchild[i] * 100 >= s->dirs[i].calls * FP_STAT_EXPLAINS;
	for (size_t i = 0; i < s->ndirs; i++) {
		/* The share is of the nearest ancestor that branches: a parent
		 * this very subtree explains is not named, so the subtree stands
		 * in its place among its siblings (site3/lib/ is one of 17
		 * site*, not all of site3/). */
		long a = par[i], c = (long)i;

		while (a >= 0 && explained[a] && maxchild[a] == s->dirs[c].calls) {
			c = a;
			a = par[a];
		}
		keep[i] = !explained[i] && (a < 0 || s->dirs[i].calls * 100 >= s->dirs[a].calls * FP_STAT_SHARE);
	}
	for (size_t i = 0; i < s->ndirs; i++) {
		if (keep[i])
			s->dirs[out++] = s->dirs[i];
		else
			free(s->dirs[i].dir);
	}
	s->ndirs = out;
	err = 0;
cleanup:
	free(maxchild);
	free(par);
	free(keep);
	free(explained);
	free(buf);
	return err;
}

/* Every path counts in each directory above it; the (dir, calls) pairs are
 * sorted by name and equal names merged: O(n log n) in paths x depth for
 * the tens of thousands of paths of a large tree. */
static int rollup(struct fp_stat_stats *s)
{
	size_t out = 0;
	int err;

	clear_dirs(s);
	for (size_t i = 0; i < s->npaths; i++) {
		const struct fp_stat_path *p = &s->paths[i];

		if (p->path && p->calls && (err = add_ancestors(s, p)))
			return err;
	}
	if (!s->ndirs)
		return 0;
	qsort(s->dirs, s->ndirs, sizeof(*s->dirs), cmp_dir_name);
	for (size_t i = 1; i < s->ndirs; i++) {
		if (!strcmp(s->dirs[i].dir, s->dirs[out].dir)) {
			s->dirs[out].calls += s->dirs[i].calls;
			s->dirs[out].errors += s->dirs[i].errors;
			free(s->dirs[i].dir);
		} else {
			s->dirs[++out] = s->dirs[i];
		}
	}
	s->ndirs = out + 1;
	if ((err = prune(s)))
		return err;
	qsort(s->dirs, s->ndirs, sizeof(*s->dirs), cmp_dir_calls);
	return 0;
}

int stat_stats__finish(struct fp_stat_stats *s)
{
	if (s->npaths)
		qsort(s->paths, s->npaths, sizeof(*s->paths), cmp_path_calls);
	if (!s->complete) {
		if (s->ndirs)
			qsort(s->dirs, s->ndirs, sizeof(*s->dirs), cmp_dir_calls);
		return 0;
	}
	s->distinct_paths = 0;
	s->path_calls = 0;
	for (size_t i = 0; i < s->npaths; i++) {
		if (!s->paths[i].calls)
			continue;
		s->distinct_paths++;
		s->path_calls += s->paths[i].calls;
	}
	return rollup(s);
}

struct fp_stat_stats *stat_stats__clone(const struct fp_stat_stats *s)
{
	return stat_stats__delta(s, NULL);
}

static const struct fp_stat_path *find_path(const struct fp_stat_stats *s, const struct fp_stat_path *p)
{
	/* Linear only for the top N read from JSON; complete sets go through
	 * the sorted index built in delta_paths(). */
	for (size_t i = 0; i < s->npaths; i++) {
		const struct fp_stat_path *q = &s->paths[i];

		if (p->hash ? q->hash == p->hash : (p->path && q->path && !strcmp(p->path, q->path)))
			return q;
	}
	return NULL;
}

static int cmp_hash_ptr(const void *a, const void *b)
{
	uint64_t x = (*(const struct fp_stat_path *const *)a)->hash;
	uint64_t y = (*(const struct fp_stat_path *const *)b)->hash;

	return x < y ? -1 : x > y;
}

static int delta_paths(struct fp_stat_stats *d, const struct fp_stat_stats *cur,
		       const struct fp_stat_stats *prev)
{
	const struct fp_stat_path **idx = NULL;
	size_t n = prev ? prev->npaths : 0;
	int err = 0;

	if (n && prev->complete) {
		idx = malloc(n * sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			idx[i] = &prev->paths[i];
		qsort(idx, n, sizeof(*idx), cmp_hash_ptr);
	}
	for (size_t i = 0; i < cur->npaths && !err; i++) {
		const struct fp_stat_path *c = &cur->paths[i], *o = NULL, *key = c, **hit;

		if (idx) {
			hit = bsearch(&key, idx, n, sizeof(*idx), cmp_hash_ptr);
			o = hit ? *hit : NULL;
		} else if (prev) {
			o = find_path(prev, c);
		}
		if (o && o->calls >= c->calls && prev)
			continue;	/* nothing new on this path */
		err = stat_stats__add_path(d, c->hash, c->path, c->truncated,
					   c->calls - (o ? o->calls : 0), c->errors - (o ? o->errors : 0));
		if (!err)
			err = stat_stats__path_given(d, c->given);
	}
	free(idx);
	return err;
}

static int delta_dirs(struct fp_stat_stats *d, const struct fp_stat_stats *cur,
		      const struct fp_stat_stats *prev)
{
	for (size_t i = 0; i < cur->ndirs; i++) {
		const struct fp_stat_dir *c = &cur->dirs[i], *o = NULL;

		for (size_t j = 0; prev && j < prev->ndirs && !o; j++)
			if (!strcmp(prev->dirs[j].dir, c->dir))
				o = &prev->dirs[j];
		if (o && o->calls >= c->calls)
			continue;
		if (stat_stats__add_dir(d, c->dir, c->calls - (o ? o->calls : 0),
					c->errors - (o ? o->errors : 0)))
			return -ENOMEM;
	}
	return 0;
}

struct fp_stat_stats *stat_stats__delta(const struct fp_stat_stats *cur, const struct fp_stat_stats *prev)
{
	struct fp_stat_stats *d = stat_stats__new(cur->paths_on);
	struct fp_stat_sys *ds;

	if (!d)
		return NULL;
	d->complete = cur->complete;
	for (size_t i = 0; i < cur->nsys; i++) {
		const struct fp_stat_sys *c = &cur->sys[i], *o = NULL;

		for (size_t j = 0; prev && j < prev->nsys && !o; j++)
			if (prev->sys[j].nr == c->nr)
				o = &prev->sys[j];
		if (!(ds = stat_stats__sys(d, c->nr)))
			goto nomem;
		ds->calls = c->calls - (o ? o->calls : 0);
		for (int e = 0; e < FP_STAT_NERR; e++)
			ds->err[e] = c->err[e] - (o ? o->err[e] : 0);
	}
	d->truncated = cur->truncated - (prev ? prev->truncated : 0);
	d->faulted = cur->faulted - (prev ? prev->faulted : 0);
	/* The peak is of the whole run so far: a one-second peak inside an
	 * interval is not derivable from two cumulative snapshots. */
	d->peak_per_s = cur->peak_per_s;
	d->path_calls = cur->path_calls - (prev ? prev->path_calls : 0);
	d->distinct_paths = cur->distinct_paths;
	if (delta_paths(d, cur, prev))
		goto nomem;
	if (!cur->complete && delta_dirs(d, cur, prev))
		goto nomem;
	if (stat_stats__finish(d))
		goto nomem;
	return d;
nomem:
	stat_stats__free(d);
	return NULL;
}

uint64_t stat_stats__calls(const struct fp_stat_stats *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nsys; i++)
		n += s->sys[i].calls;
	return n;
}

uint64_t stat_stats__errno(const struct fp_stat_stats *s, enum fp_stat_err e)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nsys; i++)
		n += s->sys[i].err[e];
	return n;
}

uint64_t stat_stats__errors(const struct fp_stat_stats *s)
{
	uint64_t n = 0;

	for (int e = 0; e < FP_STAT_NERR; e++)
		n += stat_stats__errno(s, e);
	return n;
}

uint64_t stat_stats__peak(const struct fp_stat_stats *s, double window_s, bool *short_window)
{
	double avg = window_s > 0 ? stat_stats__calls(s) / window_s : 0;
	bool sh = window_s > 0 && window_s < 1.0;

	if (short_window)
		*short_window = sh;
	/* rounded as the views print the average (%.0f), so equal figures
	 * print equal */
	if (sh || avg > (double)s->peak_per_s)
		return (uint64_t)(avg + 0.5);
	return s->peak_per_s;
}

const char *stat__rates(const struct fp_stat_stats *s, double window_s, char *buf, size_t len)
{
	double avg = window_s > 0 ? stat_stats__calls(s) / window_s : 0;
	bool sh;
	uint64_t peak = stat_stats__peak(s, window_s, &sh);

	if (sh)
		snprintf(buf, len, "%.0f/s over %.3g s, shorter than the one-second peak window", avg, window_s);
	else
		snprintf(buf, len, "%.0f/s, peak %llu/s", avg, (unsigned long long)peak);
	return buf;
}

/* A share as a percentage a reader can add up: no "0%" for something that
 * happened, no "100%" for something that did not always. */
static const char *share(uint64_t part, uint64_t whole, char *buf, size_t len)
{
	double pc = whole ? 100.0 * part / whole : 0;

	if (part && pc < 0.1)
		snprintf(buf, len, "<0.1%%");
	else if (part && pc < 1)
		snprintf(buf, len, "%.1f%%", pc);
	else if (part < whole && pc > 99)
		snprintf(buf, len, ">99%%");
	else
		snprintf(buf, len, "%.0f%%", pc);
	return buf;
}

const char *stat__failed(const struct fp_stat_stats *s, char *buf, size_t len)
{
	uint64_t errs = stat_stats__errors(s), most = 0;
	enum fp_stat_err top = FP_STAT_ENOENT;
	char pc[16];

	buf[0] = 0;
	if (!errs)
		return buf;
	for (int e = 0; e < FP_STAT_NERR; e++)
		if (stat_stats__errno(s, e) > most) {
			most = stat_stats__errno(s, e);
			top = e;
		}
	if (most == errs)
		snprintf(buf, len, ", %llu failed (%s), all %s", (unsigned long long)errs,
			 share(errs, stat_stats__calls(s), pc, sizeof(pc)), stat__err_name(top));
	else
		snprintf(buf, len, ", %llu failed (%s), %llu of them %s", (unsigned long long)errs,
			 share(errs, stat_stats__calls(s), pc, sizeof(pc)), (unsigned long long)most,
			 stat__err_name(top));
	return buf;
}

double stat_stats__repeat_ratio(const struct fp_stat_stats *s)
{
	if (!s->paths_on || !s->path_calls)
		return -1;
	return (double)(s->path_calls - s->distinct_paths) / (double)s->path_calls;
}

/* The family has no histogram of its own: the latencies of these calls are
 * in the syscall section. */
size_t stat_stats__hists(const struct fp_stat_stats *s, struct fp_named_hist *out, size_t max)
{
	return 0;
}
