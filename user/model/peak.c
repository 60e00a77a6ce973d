#include <string.h>
#include "model/peak.h"

void peak__init(struct fp_peak *p, uint64_t start_ns)
{
	memset(p, 0, sizeof(*p));
	p->start_ns = start_ns;
}

uint64_t peak__observe(struct fp_peak *p, uint64_t now_ns, uint64_t total)
{
	uint64_t base = 0, base_ts = p->start_ns, span, in_window;

	/* newest observation at least a window old */
	for (unsigned int i = 0; i < p->n; i++) {
		unsigned int k = (p->head + FP_PEAK_SAMPLES - 1 - i) % FP_PEAK_SAMPLES;

		if (p->ts[k] + FP_PEAK_WINDOW_NS <= now_ns) {
			base = p->total[k];
			base_ts = p->ts[k];
			break;
		}
	}
	span = now_ns > base_ts ? now_ns - base_ts : 0;
	in_window = total >= base ? total - base : 0;
	/* A span longer than the window is brought back to one second at its
	 * average rate; a shorter one (younger than a window) is taken as is:
	 * everything so far fits in one second. */
	if (span > FP_PEAK_WINDOW_NS)
		in_window = (uint64_t)((double)in_window * FP_PEAK_WINDOW_NS / (double)span);
	if (in_window > p->peak)
		p->peak = in_window;
	p->ts[p->head] = now_ns;
	p->total[p->head] = total;
	p->head = (p->head + 1) % FP_PEAK_SAMPLES;
	if (p->n < FP_PEAK_SAMPLES)
		p->n++;
	return p->peak;
}
