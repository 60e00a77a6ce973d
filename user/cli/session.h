/* A tracing session: resolves the target, starts the command if there is
 * one, loads and attaches the probes, and reads snapshots until done.  Shared
 * by record, top and serve. */
#ifndef FP_CLI_SESSION_H
#define FP_CLI_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include "cli/opts.h"

struct fp_session {
	struct fp_opts *opts;
	struct fp_probes *probes;
	pid_t child;		/* -- COMMAND, 0 if none */
	int child_status;
	bool child_reaped;
	int go_fd;		/* write end: releases the child to exec */
	int err_fd;		/* read end: errno if the exec failed */
	double start_wall;
	uint64_t start_mono;
	struct fp_meta meta;
};

extern volatile sig_atomic_t fp_stop;

/* Housekeeping between reads: learn new processes' binaries, reap the
 * exited ones' map entries into totals.  session__wait does it 5 times a
 * second; loops of their own call it. */
void session__poll(struct fp_session *S);
/* The complete processes reaped since the last call, findings evaluated
 * over the session; later reads leave them out.  NULL on ENOMEM. */
struct fp_snapshot *session__take_reaped(struct fp_session *S);

/* Signal handlers for SIGINT/SIGTERM that set fp_stop. */
void session__signals(void);
/* Validate, load, attach, release the command.  On error: message printed,
 * nothing left loaded, negative errno. */
int session__start(struct fp_session *S, struct fp_opts *o);
/* Fill an empty snapshot with cumulative counters and metadata. */
int session__read(struct fp_session *S, struct fp_snapshot *snap);
/* A new snapshot read from the probes, its findings evaluated: over the
 * whole session when since is NULL (*out is the cumulative snapshot), else
 * over the interval since that earlier cumulative snapshot (*out is the
 * difference, and the new cumulative snapshot goes to *cum for the next
 * call).  The caller frees what it gets; nothing on error. */
int session__snapshot(struct fp_session *S, const struct fp_snapshot *since, struct fp_snapshot **out,
		      struct fp_snapshot **cum);
/* True when every target has exited (targeted modes only). */
bool session__targets_gone(struct fp_session *S);
/* Sleep up to secs (<= 0: no limit), waking early on stop or when the
 * targets are gone. */
void session__wait(struct fp_session *S, double secs);
double session__elapsed(struct fp_session *S);
void session__end(struct fp_session *S);
/* Exit status of the command, for `record -- CMD`: 0 if none. */
int session__child_status(struct fp_session *S);

#endif
