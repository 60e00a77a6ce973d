/* The Go park findings (issue 12): blocked-on-queue and lock-contention,
 * from where a process's goroutines spent their parked time.  Shares are of
 * the parked time outside the runtime's own idle waits. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "model/gopark.h"
#include "views/units.h"

/* Below this many parks a share says little, and a handful of long waits
 * (main waiting for its workers) would dominate. */
#define MIN_PARKS 100
#define MIN_SHARE 0.5

struct busy {
	uint64_t parked_ns;		/* outside idle reasons */
	uint64_t lock_ns, lock_parks;
	const struct fp_gopark_reason *send;
};

static void tally(const struct fp_gopark_stats *g, struct busy *b)
{
	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < g->nreasons; i++) {
		const struct fp_gopark_reason *r = &g->reasons[i];

		if (gopark__idle_reason(r->name))
			continue;
		b->parked_ns += r->parked.sum;
		if (gopark__lock_reason(r->name)) {
			b->lock_ns += r->parked.sum;
			b->lock_parks += r->parks;
		}
		if (!strcmp(r->name, "chan send"))
			b->send = r;
	}
}

/* The program's site of reason with the most parked time (sites are
 * sorted so); the runtime's own are left out. */
static const struct fp_gopark_site *top_site(const struct fp_gopark_stats *g, const char *reason)
{
	for (size_t i = 0; i < g->nsites; i++)
		if (!strcmp(g->sites[i].reason, reason) && !gopark__runtime_frame(g->sites[i].where))
			return &g->sites[i];
	return NULL;
}

static const struct fp_gopark_site *top_lock_site(const struct fp_gopark_stats *g)
{
	for (size_t i = 0; i < g->nsites; i++)
		if (gopark__lock_reason(g->sites[i].reason) && g->sites[i].parks >= MIN_PARKS / 10 &&
		    !gopark__runtime_frame(g->sites[i].where))
			return &g->sites[i];
	return NULL;
}

int gopark__queue_rule(struct fp_proc *p, double window_s)
{
	const struct fp_gopark_stats *g = p->gopark;
	const struct fp_gopark_site *site, *recv;
	char sum[512], det[640], tot[24], p50[24], p99[24];
	struct busy b;

	if (!g)
		return 0;
	tally(g, &b);
	/* "Most": more than half. */
	if (!b.send || b.send->parks < MIN_PARKS || b.send->parked.sum <= MIN_SHARE * b.parked_ns)
		return 0;
	site = top_site(g, "chan send");
	if (!site || site->parked_ns <= MIN_SHARE * b.send->parked.sum)
		return 0;
	recv = top_site(g, "chan receive");
	snprintf(sum, sizeof(sum), "%.0f%% of the goroutines' parked time is chan send (%" PRIu64 " parks, %s, "
		 "p50 %s, p99 %s), %.0f%% of it at %s: a full bounded channel holds the producer back "
		 "(backpressure working)",
		 100.0 * b.send->parked.sum / b.parked_ns, b.send->parks,
		 units__dur((double)b.send->parked.sum, tot, sizeof(tot)),
		 units__dur((double)hist__percentile(&b.send->parked, 0.5), p50, sizeof(p50)),
		 units__dur((double)hist__percentile(&b.send->parked, 0.99), p99, sizeof(p99)),
		 100.0 * site->parked_ns / b.send->parked.sum, site->where);
	/* Where the consumer is: it parks only when the queue runs dry. */
	snprintf(det, sizeof(det), "the consumer%s%s%s is the bottleneck: speed it up or add consumers; a bigger "
		 "buffer only delays the block and holds memory", recv ? " (receiving at " : "",
		 recv ? recv->where : "", recv ? ")" : "");
	(void)window_s;
	return proc__add_finding(p, "blocked-on-queue", "warning", sum, det);
}

int gopark__lock_rule(struct fp_proc *p, double window_s)
{
	const struct fp_gopark_stats *g = p->gopark;
	const struct fp_gopark_site *site;
	char sum[512], tot[24];
	struct busy b;

	if (!g)
		return 0;
	tally(g, &b);
	if (b.lock_parks < MIN_PARKS || b.lock_ns <= MIN_SHARE * b.parked_ns)
		return 0;
	site = top_lock_site(g);
	snprintf(sum, sizeof(sum), "%.0f%% of the goroutines' parked time is waiting for locks (%" PRIu64 " parks "
		 "in semacquire/sync.Mutex/RWMutex, %s, %.0f/s)%s%s",
		 100.0 * b.lock_ns / b.parked_ns, b.lock_parks, units__dur((double)b.lock_ns, tot, sizeof(tot)),
		 window_s > 0 ? b.lock_parks / window_s : 0.0, site ? ", most at " : "", site ? site->where : "");
	return proc__add_finding(p, "lock-contention", "warning", sum,
				 "shorten the critical section, shard the lock, or keep the state per goroutine");
}
