#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/gopark.h"

struct fp_gopark_stats *gopark_stats__new(void)
{
	return calloc(1, sizeof(struct fp_gopark_stats));
}

static void site_free(struct fp_gopark_site *t)
{
	for (size_t i = 0; i < t->nframes; i++)
		free(t->frames[i]);
	free(t->frames);
	free(t->where);
}

void gopark_stats__free(struct fp_gopark_stats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsites; i++)
		site_free(&s->sites[i]);
	free(s->sites);
	free(s->reasons);
	free(s->notes);
	free(s);
}

struct fp_gopark_reason *gopark_stats__reason(struct fp_gopark_stats *s, const char *name, bool create)
{
	struct fp_gopark_reason *r;
	void *p;

	for (size_t i = 0; i < s->nreasons; i++)
		if (!strcmp(s->reasons[i].name, name))
			return &s->reasons[i];
	if (!create)
		return NULL;
	p = realloc(s->reasons, (s->nreasons + 1) * sizeof(*s->reasons));
	if (!p)
		return NULL;
	s->reasons = p;
	r = &s->reasons[s->nreasons++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->title, sizeof(r->title), "parked: %s", r->name);
	r->index = -1;
	return r;
}

static struct fp_gopark_site *find_site(struct fp_gopark_stats *s, const char *reason, const char *where)
{
	for (size_t i = 0; i < s->nsites; i++)
		if (!strcmp(s->sites[i].reason, reason) && !strcmp(s->sites[i].where, where))
			return &s->sites[i];
	return NULL;
}

static int copy_frames(struct fp_gopark_site *t, const char *const *frames, size_t n)
{
	t->frames = calloc(n ? n : 1, sizeof(*t->frames));
	if (!t->frames)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		t->frames[i] = strdup(frames[i] ? frames[i] : "?");
		if (!t->frames[i])
			return -ENOMEM;
		t->nframes++;
	}
	return 0;
}

int gopark_stats__add_site(struct fp_gopark_stats *s, const char *reason, const char *where,
			   const char *const *frames, size_t nframes, uint64_t parks, uint64_t wakes,
			   uint64_t parked_ns)
{
	struct fp_gopark_site *t = find_site(s, reason, where ? where : "?");
	void *p;

	if (!t) {
		p = realloc(s->sites, (s->nsites + 1) * sizeof(*s->sites));
		if (!p)
			return -ENOMEM;
		s->sites = p;
		t = &s->sites[s->nsites];
		memset(t, 0, sizeof(*t));
		snprintf(t->reason, sizeof(t->reason), "%s", reason);
		t->where = strdup(where ? where : "?");
		/* Counted in nsites even half-built, so that free() frees it. */
		s->nsites++;
		if (!t->where || copy_frames(t, frames, nframes))
			return -ENOMEM;
	}
	t->parks += parks;
	t->wakes += wakes;
	t->parked_ns += parked_ns;
	return 0;
}

int gopark_stats__add_note(struct fp_gopark_stats *s, const char *note)
{
	size_t n = s->notes ? strlen(s->notes) : 0;
	char *p;

	if (!note || !*note || (s->notes && strstr(s->notes, note)))
		return 0;
	p = realloc(s->notes, n + strlen(note) + 3);
	if (!p)
		return -ENOMEM;
	sprintf(p + n, "%s%s", n ? "; " : "", note);
	s->notes = p;
	return 0;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct fp_gopark_reason *x = a, *y = b;

	if (x->parked.sum != y->parked.sum)
		return x->parked.sum < y->parked.sum ? 1 : -1;
	if (x->parks != y->parks)
		return x->parks < y->parks ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_site(const void *a, const void *b)
{
	const struct fp_gopark_site *x = a, *y = b;
	int c;

	if (x->parked_ns != y->parked_ns)
		return x->parked_ns < y->parked_ns ? 1 : -1;
	if (x->parks != y->parks)
		return x->parks < y->parks ? 1 : -1;
	c = strcmp(x->reason, y->reason);
	return c ? c : strcmp(x->where, y->where);
}

void gopark_stats__sort(struct fp_gopark_stats *s)
{
	if (s->nreasons > 1)
		qsort(s->reasons, s->nreasons, sizeof(*s->reasons), cmp_reason);
	if (s->nsites > 1)
		qsort(s->sites, s->nsites, sizeof(*s->sites), cmp_site);
	while (s->nsites > FP_GOPARK_TOP_SITES)
		site_free(&s->sites[--s->nsites]);
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static int copy_into(struct fp_gopark_stats *d, const struct fp_gopark_stats *cur,
		     const struct fp_gopark_stats *prev)
{
	memcpy(d->go_version, cur->go_version, sizeof(d->go_version));
	if (cur->notes && !(d->notes = strdup(cur->notes)))
		return -ENOMEM;
	for (size_t i = 0; i < cur->nreasons; i++) {
		const struct fp_gopark_reason *c = &cur->reasons[i];
		const struct fp_gopark_reason *p = prev ? gopark_stats__reason((struct fp_gopark_stats *)prev,
									     c->name, false) : NULL;
		struct fp_gopark_reason *r = gopark_stats__reason(d, c->name, true);

		if (!r)
			return -ENOMEM;
		r->index = c->index;
		if (!p || p->parks > c->parks) {
			r->parks = c->parks;
			r->parked = c->parked;
			continue;
		}
		r->parks = c->parks - p->parks;
		hist__delta(&r->parked, &c->parked, &p->parked);
	}
	for (size_t i = 0; i < cur->nsites; i++) {
		const struct fp_gopark_site *c = &cur->sites[i];
		const struct fp_gopark_site *p = prev ? find_site((struct fp_gopark_stats *)prev, c->reason,
								  c->where) : NULL;
		uint64_t parks = c->parks, wakes = c->wakes, ns = c->parked_ns;

		if (p && p->parks <= c->parks) {
			parks -= p->parks;
			wakes = sub(wakes, p->wakes);
			ns = sub(ns, p->parked_ns);
		}
		if (gopark_stats__add_site(d, c->reason, c->where, (const char *const *)c->frames, c->nframes,
					   parks, wakes, ns))
			return -ENOMEM;
	}
	return 0;
}

struct fp_gopark_stats *gopark_stats__delta(const struct fp_gopark_stats *cur, const struct fp_gopark_stats *prev)
{
	struct fp_gopark_stats *d = gopark_stats__new();

	if (!d)
		return NULL;
	if (copy_into(d, cur, prev)) {
		gopark_stats__free(d);
		return NULL;
	}
	gopark_stats__sort(d);
	return d;
}

struct fp_gopark_stats *gopark_stats__clone(const struct fp_gopark_stats *s)
{
	return gopark_stats__delta(s, NULL);
}

uint64_t gopark_stats__parks(const struct fp_gopark_stats *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nreasons; i++)
		n += s->reasons[i].parks;
	return n;
}

uint64_t gopark_stats__parked_ns(const struct fp_gopark_stats *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nreasons; i++)
		n += s->reasons[i].parked.sum;
	return n;
}

const struct fp_gopark_reason *gopark_stats__dominant(const struct fp_gopark_stats *s)
{
	const struct fp_gopark_reason *best = NULL;

	for (size_t i = 0; i < s->nreasons; i++)
		if (!best || cmp_reason(&s->reasons[i], best) < 0)
			best = &s->reasons[i];
	return best && best->parks ? best : NULL;
}

size_t gopark_stats__hists(const struct fp_gopark_stats *s, struct fp_named_hist *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nreasons && n < max; i++)
		if (s->reasons[i].parked.count)
			out[n++] = (struct fp_named_hist){ s->reasons[i].title, "ns", &s->reasons[i].parked };
	return n;
}

bool gopark__runtime_frame(const char *f)
{
	/* golang.org/x/sync's semaphore, errgroup and singleflight block for
	 * their callers as sync's primitives do: the site is who called them. */
	static const char *const prefixes[] = { "runtime.", "sync.", "internal/", "time.Sleep", "context.",
						"golang.org/x/sync/" };

	if (!f || !*f || !strcmp(f, "?") || !strncmp(f, "0x", 2) || !strncmp(f, "[unknown]", 9))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

bool gopark__idle_reason(const char *n)
{
	static const char *const prefixes[] = { "GC ", "finalizer wait", "force gc", "trace ", "wait for GC",
						"cleanup wait", "timer goroutine", "GOMAXPROCS updater",
						"garbage collection", "panicwait", "debug call", "preempted" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(n, prefixes[i], strlen(prefixes[i])))
			return true;
	return strstr(n, "(idle)") != NULL;
}

bool gopark__lock_reason(const char *n)
{
	return !strcmp(n, "semacquire") || !strcmp(n, "sync.Mutex.Lock") || !strcmp(n, "sync.RWMutex.RLock") ||
	       !strcmp(n, "sync.RWMutex.Lock");
}
