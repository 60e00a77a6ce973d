/* Internal to probes/: targets held at exec until their per-process probes
 * are attached (bpf/proc.bpf.c stops them with SIGSTOP before the new
 * image's first instruction).
 *
 * A thread takes each exec event, attaches the probes that fit the new
 * binary and sends SIGCONT.  A guardian process, forked at start, holds the
 * registry of held pids (the fp_held map) and a pipe from fastpath: when
 * the pipe closes, whatever killed fastpath (SIGKILL too), it continues
 * every pid still held.  hold__stop() continues them itself on every normal
 * exit path. */
#ifndef FP_PROBES_HOLD_H
#define FP_PROBES_HOLD_H

#include <bpf/libbpf.h>

struct fp_hold;

/* Attach what fits pid's new image; errors are reported by the callee. */
typedef int (*fp_hold_attach_fn)(void *ctx, int pid);

/* proc_obj: the loaded proc.bpf.c object (fp_held, fp_exec_events).  Forks
 * the guardian; the thread starts with hold__run(). */
int hold__new(struct fp_hold **out, struct bpf_object *proc_obj, fp_hold_attach_fn fn, void *ctx);
int hold__run(struct fp_hold *h);
/* Stop the thread, continue every held pid, release the guardian. */
void hold__free(struct fp_hold *h);
/* Processes held and continued so far (for the debug log and tests). */
unsigned long hold__count(struct fp_hold *h);

/* Continue every pid in the fp_held map fd and empty it.  Returns how many
 * were continued.  Used by the guardian and by hold__free(). */
int hold__release_all(int held_fd);

#endif
