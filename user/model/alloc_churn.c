/* The alloc-churn finding: allocation rate or volume far above what the
 * process's work suggests. */
#include <stdio.h>
#include "model/alloc.h"
#include "model/alloc_churn.h"
#include "model/alloc_site.h"

/* Thresholds: an allocator call costs tens of ns, so 200k calls/s is a few
 * percent of a core spent in it (plus GC for Go); 1 GiB/s of requested
 * bytes is churn whatever the count.  "Far above the work": more than 100
 * allocations per syscall (a request-serving process does a handful). */
#define CHURN_CALLS_PER_S 200000.0
#define CHURN_BYTES_PER_S (1024.0 * 1024 * 1024)
#define CHURN_PER_SYSCALL 100.0

int alloc_churn__rule(struct fp_proc *p, double window_s)
{
	const struct fp_alloc_stats *a = p->alloc;
	char summary[256], detail[1024], chain[768];
	const struct fp_alloc_site *top;
	double calls, bytes, per_sys;
	uint64_t sys;
	int n;

	if (!a || window_s <= 0)
		return 0;
	calls = alloc_stats__calls(a) / window_s;
	bytes = alloc_stats__bytes(a) / window_s;
	sys = proc__sys_calls(p);
	per_sys = sys ? (double)alloc_stats__calls(a) / sys : (double)alloc_stats__calls(a);
	if (!((calls >= CHURN_CALLS_PER_S && per_sys >= CHURN_PER_SYSCALL) || bytes >= CHURN_BYTES_PER_S))
		return 0;
	snprintf(summary, sizeof(summary), "%.0f allocations/s, %.1f MiB/s requested%s (%.0f per syscall)",
		 calls, bytes / 1048576.0, alloc_stats__estimated(a) ? " (estimated)" : "", per_sys);
	n = snprintf(detail, sizeof(detail), "top site: %s",
		     a->nsites ? "" : "unknown (record with --stacks to see it)");
	if (a->nsites && alloc_sites__ranked(a, &top, 1)) {
		/* The first frame outside the allocator says who allocates; the
		 * same site and frame as the exports' first. */
		n += snprintf(detail + n, sizeof(detail) - n, "%s (%llu calls%s)",
			      alloc_site__chain(top, 4, " <- ", chain, sizeof(chain)),
			      (unsigned long long)top->calls, alloc_stats__estimated(a) ? ", estimated" : "");
	}
	if (a->go.mode != FP_GO_NONE && n < (int)sizeof(detail))
		snprintf(detail + n, sizeof(detail) - n,
			 ". In Go this is usually a value escaping to the heap: `go build -gcflags=-m` says which and why");
	return proc__add_finding(p, "alloc-churn", "warning", summary, detail);
}
