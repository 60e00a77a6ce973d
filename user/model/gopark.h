/* Model section: Go park reasons (issue 12).  Per Go process: for each
 * reason the runtime gave gopark (chan send, select, semacquire, sleep,
 * ...), how many parks, how long the goroutines stayed parked (until they
 * ran again: run-queue wait included) as a histogram, and the sites that
 * parked the longest.  Names come from the binary (util/gowait.h). */
#ifndef FP_MODEL_GOPARK_H
#define FP_MODEL_GOPARK_H

#include "model/snapshot.h"

#define FP_GOPARK_NAME 40	/* FP_GOWAIT_NAME */
#define FP_GOPARK_TOP_SITES 16	/* sites kept per process */

struct fp_gopark_reason {
	char name[FP_GOPARK_NAME];	/* "chan send"; "reason 42" if the binary's table lacks it */
	char title[FP_GOPARK_NAME + 8];	/* "parked: chan send", for the histogram views */
	int index;			/* the runtime's waitReason in this binary; -1 unknown */
	uint64_t parks;			/* gopark calls */
	struct fp_hist parked;		/* ns of the parks that ended: count, sum, max */
};

/* A site: the first frame outside the runtime and the standard library's
 * blocking primitives ("main.producer main.go:153"), and the stack. */
struct fp_gopark_site {
	char reason[FP_GOPARK_NAME];
	char *where;
	char **frames;			/* innermost first, symbolized */
	size_t nframes;
	uint64_t parks, wakes, parked_ns;
};

struct fp_gopark_stats {
	char go_version[24];
	struct fp_gopark_reason *reasons;	/* most parked time first (gopark_stats__sort) */
	size_t nreasons;
	struct fp_gopark_site *sites;		/* most parked time first */
	size_t nsites;
	char *notes;				/* "; "-separated caveats, or NULL */
};

struct fp_gopark_stats *gopark_stats__new(void);
void gopark_stats__free(struct fp_gopark_stats *s);
struct fp_gopark_stats *gopark_stats__clone(const struct fp_gopark_stats *s);
/* cur - prev (prev may be NULL), by reason name and by site. */
struct fp_gopark_stats *gopark_stats__delta(const struct fp_gopark_stats *cur, const struct fp_gopark_stats *prev);

/* The reason called name (created empty if asked); NULL if absent or ENOMEM. */
struct fp_gopark_reason *gopark_stats__reason(struct fp_gopark_stats *s, const char *name, bool create);
/* Adds to the site (reason, where), created with these frames. */
int gopark_stats__add_site(struct fp_gopark_stats *s, const char *reason, const char *where,
			   const char *const *frames, size_t nframes, uint64_t parks, uint64_t wakes,
			   uint64_t parked_ns);
int gopark_stats__add_note(struct fp_gopark_stats *s, const char *note);
/* Reasons and sites by parked time, then parks; sites cut to the top. */
void gopark_stats__sort(struct fp_gopark_stats *s);

uint64_t gopark_stats__parks(const struct fp_gopark_stats *s);
uint64_t gopark_stats__parked_ns(const struct fp_gopark_stats *s);
/* The reason with the most parked time (then parks); NULL if none. */
const struct fp_gopark_reason *gopark_stats__dominant(const struct fp_gopark_stats *s);
/* A histogram per reason, for the views that draw every histogram. */
size_t gopark_stats__hists(const struct fp_gopark_stats *s, struct fp_named_hist *out, size_t max);

/* Is this frame the runtime's or a standard blocking primitive's (skipped
 * when naming a site)?  "runtime.chansend", "sync.(*Cond).Wait", ... */
bool gopark__runtime_frame(const char *frame);

/* The runtime's own idle waits (GC workers, the scavenger, the finalizer
 * goroutine, ...): parked by design, left out of the findings' shares. */
bool gopark__idle_reason(const char *name);
/* Lock waits: semacquire (sync.Mutex before Go 1.21, WaitGroup before
 * 1.25), sync.Mutex.Lock, sync.RWMutex.RLock/Lock. */
bool gopark__lock_reason(const char *name);

/* findings_gopark.c, rules of findings.c.
 * blocked-on-queue (warning): chan send holds most of the parked time, and
 * one site most of that: a full bounded channel holds the producer back.
 * lock-contention (warning): lock waits hold most of the parked time. */
int gopark__queue_rule(struct fp_proc *p, double window_s);
int gopark__lock_rule(struct fp_proc *p, double window_s);
#endif
