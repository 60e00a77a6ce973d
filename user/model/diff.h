/*
 * The diff of two recordings (`fastpath diff BEFORE AFTER`): pure model,
 * unit-tested.  Processes are matched by command name; when both recordings
 * hold exactly the same PIDs for a name they are matched PID by PID,
 * otherwise (the usual case: a restart between the recordings) every process
 * of that name is summed into one.  Rates are per second of each recording,
 * so recordings of different lengths compare.
 *
 * Changes are ranked by score = tier * 100 + magnitude (magnitude < 100):
 *   tier 4  the data path switched between zero-copy and copying
 *   tier 3  a warning/critical finding appeared or went away
 *   tier 2  a rate or percentile moved by 2x or more, a process came or went
 *   tier 1  smaller moves (>= 1.5x rates, percentiles)
 * and within a tier by |log2(after/before)| weighted by the metric's share of
 * the process's activity.  Moves under 1.5x are left out as noise.
 */
#ifndef FP_MODEL_DIFF_H
#define FP_MODEL_DIFF_H

#include "model/snapshot.h"

enum fp_change_kind {
	FP_CHG_DATA_PATH,	/* zero-copy <-> copy */
	FP_CHG_FINDING_NEW,
	FP_CHG_FINDING_GONE,
	FP_CHG_PROC_NEW,
	FP_CHG_PROC_GONE,
	FP_CHG_RATE,		/* calls/s, bytes/s */
	FP_CHG_PERCENTILE,	/* p50/p99 of a histogram */
	FP_CHG_CPU_FN,		/* a function's share of the CPU samples */
};

/* What an FP_CHG_RATE change is the rate of. */
enum fp_change_subject {
	FP_SUBJ_METRIC,		/* a syscall or a section's counter */
	FP_SUBJ_ALLOC_SITE,	/* an allocation site that became a top one */
	FP_SUBJ_STAT_PATH,	/* a stat path that became hot */
};

/* A change as numbers; views/diff_text.c phrases it for people. */
struct fp_change {
	enum fp_change_kind kind;
	char comm[FP_COMM_LEN];
	int pid;		/* 0: every process of comm, summed */
	int nprocs_before, nprocs_after;
	char what[96];		/* "read calls/s", "syscall latency p99", finding kind */
	char unit[16];		/* "calls/s", "B/s", "ns", "share", "" */
	double before, after;
	double fold;		/* the move ranked: after/before, INFINITY new, 0 gone */
	double score;
	/* FP_CHG_RATE: the counts (or bytes) behind the two rates. */
	double total_before, total_after;
	/* FP_CHG_RATE of a site or path: which one (as long as a phrased line
	 * shows, where `what` cuts it at 70 characters), its share of the
	 * allocations (of the bytes when estimated) or stat calls after. */
	enum fp_change_subject subject;
	char name[320];
	double share;
	bool estimated;
	/* FP_CHG_DATA_PATH: zero-copy and copying bytes (unit "share"), or
	 * calls/s from the syscall table (unit "calls/s"); with bytes, the
	 * syscalls per MiB moved. */
	double zc[2], copy[2], per_mib[2];	/* 0 before, 1 after */
	/* FP_CHG_CPU_FN: before/after are shares (points) of the samples,
	 * total_* the samples, share_err the move's standard error. */
	double share_err;
	unsigned int hz[2];
	/* FP_CHG_FINDING_*: the finding's own words. */
	char severity[12];
	char summary[320];
};

struct fp_diff {
	struct fp_change *v;
	size_t n, cap;
	double before_s, after_s;	/* lengths of the recordings */
};

/* NULL on ENOMEM.  Changes come out sorted, largest first. */
struct fp_diff *diff__compute(const struct fp_snapshot *before, const struct fp_snapshot *after);
void diff__free(struct fp_diff *d);
const char *diff__kind_name(enum fp_change_kind k);

/* Exposed for the unit tests: the weighting of a move. */
double diff__fold(double before, double after);

#endif
