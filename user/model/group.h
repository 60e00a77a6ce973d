/* Processes summed by command name (and PID): the unit of the diff and of the
 * Prometheus exporter, where per-PID series would grow without bound. */
#ifndef FP_MODEL_GROUP_H
#define FP_MODEL_GROUP_H

#include "model/snapshot.h"
#include "model/alloc.h"

#define FP_GROUP_MAX_HISTS 32

struct fp_group_hist {
	char name[48];
	char unit[8];
	struct fp_hist h;
};

/* A path of the stat family, summed over the group's processes. */
struct fp_group_path {
	char *path;
	uint64_t calls, errors;
};

/* An allocation site summed over the group's processes, keyed by the
 * function of its caller frame (model/alloc_site.h), so one line moving
 * across a rebuild is still the same site. */
struct fp_group_site {
	char *caller;			/* "churn allocloop.c:28" */
	uint64_t calls, bytes;		/* estimates when the group's Go is sampled */
};

struct fp_group {
	char comm[FP_COMM_LEN];
	int pid;			/* 0: every pid of comm */
	int nprocs, nexited;
	struct fp_proc sum;		/* sys[] summed; findings[] once per kind */
	bool has_io, has_stat, has_alloc;
	uint64_t zc, copy;		/* data path bytes */
	uint64_t stat_calls, stat_errors;
	uint64_t alloc_calls, alloc_bytes;
	bool alloc_estimated;		/* the totals include Go's sampled estimates */
	bool has_libc;
	struct fp_alloc_count alloc_fn[FP_ALLOC_LIBC_FNS];
	bool has_go[3];			/* by enum fp_go_mode (FP_GO_NONE unused) */
	struct fp_alloc_count go[3];
	uint64_t go_samples;
	bool has_cpu;
	uint64_t cpu_user_ns, cpu_system_ns;	/* on-CPU time (model/cpu.h) */
	struct fp_cpu_prof *prof;		/* the profiles' stacks merged; NULL if none */
	struct fp_group_site *sites;	/* most calls first after group__add */
	size_t nsites;
	struct fp_group_hist *hists;	/* every histogram (proc__hists), merged by name */
	size_t nhists;
	struct fp_group_path *paths;	/* stat paths with a name, merged by path */
	size_t npaths;
};

/* Adds p to g (counters summed, histograms merged); -ENOMEM. */
int group__add(struct fp_group *g, const struct fp_proc *p);
void group__free(struct fp_group *g);
/* Frees what only a report shows of g: its stat paths, allocation sites
 * and profile stacks, each unbounded over a long run (the counters stay). */
void group__drop_detail(struct fp_group *g);
/* Adds the group src to g (what group__add of each of src's processes
 * would have added); -ENOMEM. */
int group__merge(struct fp_group *g, const struct fp_group *src);
/* Each group of add merged into the group of *v with its comm and pid,
 * appended when there is none; -ENOMEM (what merged so far stays). */
int groups__merge(struct fp_group **v, size_t *n, const struct fp_group *add, size_t nadd);

/* The processes of s grouped by comm (by comm and pid with by_pid), in
 * order of first appearance.  -ENOMEM. */
int groups__of(const struct fp_snapshot *s, bool by_pid, struct fp_group **out, size_t *n);
void groups__free(struct fp_group *v, size_t n);

#endif
