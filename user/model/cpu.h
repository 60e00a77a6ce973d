/* Model section: CPU (issue 11): on-CPU time per process, from the
 * scheduler's accounting (exact, not sampled).
 *
 * run_ns is the scheduler's sum_exec_runtime summed over the process's
 * threads (live and exited).  The kernel's utime/stime pair says how it
 * splits into user and system (tick-based on most kernels); like
 * /proc/PID/stat we scale run_ns by their ratio, here per interval, so
 * a delta's split is the interval's own. */
#ifndef FP_MODEL_CPU_H
#define FP_MODEL_CPU_H

#include "model/snapshot.h"
#include "model/cpu_prof.h"

struct fp_cpu_stats {
	uint64_t run_ns;	/* on-CPU time */
	uint64_t utime_ns;	/* the kernel's user/system ratio */
	uint64_t stime_ns;
	struct fp_cpu_prof *prof;	/* the sampled profile; NULL without --profile */
};

struct fp_cpu_stats *cpu_stats__new(void);
void cpu_stats__free(struct fp_cpu_stats *s);
struct fp_cpu_stats *cpu_stats__clone(const struct fp_cpu_stats *s);
/* cur - prev (prev may be NULL); counters that went backwards (a reused
 * pid) count from zero. */
struct fp_cpu_stats *cpu_stats__delta(const struct fp_cpu_stats *cur, const struct fp_cpu_stats *prev);

/* run_ns split by the utime:stime ratio (all user when both are 0). */
uint64_t cpu_stats__user_ns(const struct fp_cpu_stats *s);
uint64_t cpu_stats__system_ns(const struct fp_cpu_stats *s);
/* On-CPU time over window_s as a percentage of one CPU (may exceed 100
 * for a multi-threaded process); NAN without a window. */
double cpu_stats__pct(uint64_t ns, double window_s);

#endif
