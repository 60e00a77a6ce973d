/* The peak number of events in any one-second window, from cumulative
 * counts observed now and then (a few times a second while tracing).
 * Pure: the probes feed it, the unit tests drive it with made-up times. */
#ifndef FP_MODEL_PEAK_H
#define FP_MODEL_PEAK_H

#include <stdint.h>

#define FP_PEAK_WINDOW_NS 1000000000ULL
#define FP_PEAK_SAMPLES 16

struct fp_peak {
	uint64_t ts[FP_PEAK_SAMPLES];	/* monotonic ns of each observation */
	uint64_t total[FP_PEAK_SAMPLES];	/* the cumulative count then */
	unsigned int n, head;
	uint64_t start_ns;		/* when counting began (count 0) */
	uint64_t peak;			/* events in the busiest window seen */
};

/* Counting began at start_ns with a count of zero. */
void peak__init(struct fp_peak *p, uint64_t start_ns);
/* The cumulative count was `total` at now_ns; returns the peak so far.
 * The window ending now starts at the newest observation at least one
 * second old (or at start_ns); a span longer than a second is scaled to
 * one second at its average rate, so the peak can be under- but never
 * over-stated (by the spacing of the observations: 200 ms in a session). */
uint64_t peak__observe(struct fp_peak *p, uint64_t now_ns, uint64_t total);

#endif
