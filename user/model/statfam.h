/* Model section: stat family: calls, errnos, paths (issue: stat storms).
 *
 * Counts per syscall with errno classes, the paths behind them (hashed in
 * the kernel, one entry per distinct path), the peak one-second rate, and a
 * roll-up of the paths by parent directory.  From the probes every path is
 * present (`complete`); read back from JSON only the top ones are. */
#ifndef FP_MODEL_STATFAM_H
#define FP_MODEL_STATFAM_H

#include "model/snapshot.h"
#include "fp_stat.h"

#define FP_STAT_TOP 10		/* top paths and directories shown */
#define FP_STAT_EXPLAINS 90
#define FP_STAT_SHARE 10

struct fp_stat_sys {
	int nr;
	uint64_t calls;
	uint64_t err[FP_STAT_NERR];	/* enum fp_stat_err */
};

struct fp_stat_path {
	uint64_t hash;		/* the kernel's; 0 when read from JSON */
	char *path;		/* NULL if the string map was full; absolute when resolved */
	char *given;		/* the relative path as the process gave it, when resolved */
	bool truncated;
	uint64_t calls;
	uint64_t errors;
};

/* A subtree: every path below dir, at any depth. */
struct fp_stat_dir {
	char *dir;
	uint64_t calls;
	uint64_t errors;
};

struct fp_stat_stats {
	bool paths_on;			/* false with --no-paths */
	bool complete;			/* paths[] holds every path, not a top N */
	struct fp_stat_sys *sys;	/* sorted by nr */
	size_t nsys;
	uint64_t truncated;		/* calls whose path was cut at the capture limit */
	uint64_t faulted;		/* calls whose path pointer could not be read */
	uint64_t peak_per_s;		/* highest calls in one clock second */
	uint64_t path_calls;		/* calls attributed to a path */
	uint64_t distinct_paths;
	struct fp_stat_path *paths;	/* by calls, descending (stat_stats__finish) */
	size_t npaths;
	struct fp_stat_dir *dirs;	/* subtrees worth naming (stat_stats__finish), by calls, descending */
	size_t ndirs;
};

struct fp_stat_stats *stat_stats__new(bool paths_on);
void stat_stats__free(struct fp_stat_stats *s);
struct fp_stat_stats *stat_stats__clone(const struct fp_stat_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_stat_stats *stat_stats__delta(const struct fp_stat_stats *cur, const struct fp_stat_stats *prev);

/* Building (probes, JSON): the entry of nr, created zeroed if absent. */
struct fp_stat_sys *stat_stats__sys(struct fp_stat_stats *s, int nr);
/* Appends a path entry; path is copied (may be NULL). */
int stat_stats__add_path(struct fp_stat_stats *s, uint64_t hash, const char *path,
			 bool truncated, uint64_t calls, uint64_t errors);
/* The last path added was resolved from `given` (relative); copied. */
int stat_stats__path_given(struct fp_stat_stats *s, const char *given);
int stat_stats__add_dir(struct fp_stat_stats *s, const char *dir, uint64_t calls, uint64_t errors);
/* Once every path of a complete set is in: sort, count distinct paths and
 * path calls, roll up by subtree.  A subtree is named when no one of its
 * subdirectories holds FP_STAT_EXPLAINS% of its calls (that one says more)
 * and it holds at least FP_STAT_SHARE% of its parent's (else it is one of
 * many siblings its parent names): a storm over a tree names the tree. */
int stat_stats__finish(struct fp_stat_stats *s);

/* A subtree as shown: "dir/" ("/" for the root), into buf. */
const char *stat__subtree(const char *dir, char *buf, size_t len);
/* "dir/name" -> "dir", "/name" -> "/", "name" -> ".", into buf. */
const char *stat__parent_dir(const char *path, char *buf, size_t len);
/* Whether syscall nr is counted by the stat family (open/openat: failures only). */
bool stat__in_family(int nr);

/* Summary accessors used by views (top, report, serve). */
uint64_t stat_stats__calls(const struct fp_stat_stats *s);
uint64_t stat_stats__errors(const struct fp_stat_stats *s);
uint64_t stat_stats__errno(const struct fp_stat_stats *s, enum fp_stat_err e);
/* (path calls - distinct paths) / path calls: the share of calls that
 * asked again about a path already seen; <0 when unknown (no paths). */
double stat_stats__repeat_ratio(const struct fp_stat_stats *s);
const char *stat__err_name(enum fp_stat_err e);
/* The peak one-second rate as every view shows it, for a recording of
 * window_s: never below the average over the window (the observations are
 * 200 ms apart and longer spans scaled, so a measured peak under the
 * average is the sampling's); a recording shorter than one second has no
 * one-second window, and its peak is its rate over what there was
 * (*short_window set, may be NULL). */
uint64_t stat_stats__peak(const struct fp_stat_stats *s, double window_s, bool *short_window);
/* "163753/s, peak 170000/s", or for a recording under one second
 * "163753/s over 0.12 s, shorter than the one-second peak window": the one
 * phrase of text, HTML and the finding. */
const char *stat__rates(const struct fp_stat_stats *s, double window_s, char *buf, size_t len);
/* ", 364 failed (5%), 363 of them ENOENT", or "" when none failed. */
const char *stat__failed(const struct fp_stat_stats *s, char *buf, size_t len);
/* The stat-storm finding (model/findings_stat.c), a rule of findings.c. */
int stat__storm_rule(struct fp_proc *p, double window_s);
size_t stat_stats__hists(const struct fp_stat_stats *s, struct fp_named_hist *out, size_t max);

#endif
