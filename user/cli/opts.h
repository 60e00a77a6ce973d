/* Command-line options shared by the tracing commands (record, top, serve).
 * Parsing is pure (no BPF, no /proc side effects) and unit-tested. */
#ifndef FP_CLI_OPTS_H
#define FP_CLI_OPTS_H

#include <stdbool.h>
#include <stdio.h>
#include "probes/probes.h"

#define FP_MAX_PIDS 256

struct fp_opts {
	const char *cmd_name;		/* "record", "top", ... */
	int pids[FP_MAX_PIDS];
	int npids;
	char comm[FP_COMM_LEN];
	const char *cgroup;		/* cgroup v2 directory */
	const char *container;		/* --container: id or cgroup name prefix */
	bool all;
	bool follow;
	char **command;			/* after --: run and trace this */
	double duration_s;		/* 0 = until Ctrl-C / targets exit */
	double interval_s;		/* top/serve refresh */
	const char *output;		/* -o */
	const char *folded;		/* --folded: folded allocation stacks */
	const char *listen;		/* serve */
	long count;			/* top -n */
	bool batch;			/* top -b */
	bool json;			/* top --json */
	bool show_pid_label;		/* serve --pid-label */
	struct fp_probe_opts probe;
};

/* Returns 0, 1 for --help (printed; exit 0), or -EINVAL (message printed). */
int opts__parse(struct fp_opts *o, const char *cmd, int argc, char **argv);
/* "10", "10s", "500ms", "2m", "1h" -> seconds; -1 if malformed. */
double opts__parse_duration(const char *s);
/* "1,2,3" into pids; -EINVAL on junk, -E2BIG on too many. */
int opts__parse_pids(const char *s, int *pids, int *npids, int max);
/* --profile's rate: NULL gives the default; "99", "99Hz"; -EINVAL. */
int opts__parse_hz(const char *s, unsigned int *hz);
void opts__usage(FILE *f, const char *cmd);
/* 0 if cmd (record, top, serve) takes the option getopt returned as val;
 * else prints the one line that names the option, cmd and the commands that
 * take it, and returns -EINVAL. */
int opts__applies(const char *cmd, int val);
/* The one-line error for what getopt returned as ':' (a value missing) or
 * anything else unknown, naming cmd's --help; returns -EINVAL. */
int opts__getopt_error(const char *cmd, int c, char **argv);

#endif
