/* The full-screen view of `fastpath top` (ncurses): a table of processes
 * with per-second rates, the detail of one process, help.  It renders
 * interval snapshots handed to it and never touches maps.  The caller owns
 * the loop and the signals; tui__close() restores the terminal and must run
 * on every exit path (it is safe to call twice). */
#ifndef FP_VIEWS_TUI_H
#define FP_VIEWS_TUI_H

#include <stdbool.h>
#include "model/snapshot.h"
#include "views/topfmt.h"

struct tui;

/* Takes over the terminal (stdin/stdout); -ENOTTY if it cannot.
 * interval_s: the refresh asked for, shown in the header. */
int tui__open(struct tui **out, double interval_s);
void tui__close(struct tui *t);
/* A new interval: the tui takes ownership of d (and frees it at once
 * while paused: the shown one stays). */
void tui__update(struct tui *t, struct fp_snapshot *d, const struct top_info *in);
/* Waits up to timeout_ms for a key and acts on it (a resize redraws).
 * Returns true when the user asked to quit. */
bool tui__poll(struct tui *t, int timeout_ms);
bool tui__paused(const struct tui *t);

#endif
