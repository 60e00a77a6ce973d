/* Folded allocation stacks ("main;handle;malloc 42" per line) for flame graph
 * tools (flamegraph.pl, inferno, speedscope).  The stacks come from the
 * alloc section; a recording without them says so instead of printing
 * nothing. */
#include <errno.h>
#include "views/report.h"
#include "model/alloc.h"

int folded__write(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen)
{
	/* The alloc section of this model carries call counts only, no call
	 * stacks: there is nothing to fold yet. */
	snprintf(err, errlen, "the recording has no allocation stacks: record it with the allocator "
		 "probes and call stacks on to use --format folded");
	return -ENOENT;
}
