/* A ring buffer's reader thread that stops at once (internal to probes/). */
#ifndef FP_PROBES_RBWAIT_H
#define FP_PROBES_RBWAIT_H

#include <bpf/libbpf.h>

/* ring_buffer__poll(rb, 100) in a loop until a stop flag is set makes exit
 * wait out the timeout: up to 100 ms per thread, one after another (issue
 * 13: ~75 ms of the exec hold's stop, ~100 ms of the allocator's).  This
 * waits on the ring buffer's epoll fd and an eventfd that rbwait__wake
 * writes, so a stop is seen as soon as it is asked for. */
struct fp_rbwait {
	int ep;		/* epoll set: the ring buffer's epoll fd, wake */
	int wake;	/* eventfd */
};

/* -errno; w is closable (rbwait__close) whatever this returns. */
int rbwait__init(struct fp_rbwait *w, struct ring_buffer *rb);
/* Waits up to timeout_ms for records or a wake, then consumes what came:
 * like ring_buffer__poll (records consumed, 0 on timeout or wake, -errno). */
int rbwait__poll(struct fp_rbwait *w, struct ring_buffer *rb, int timeout_ms);
/* Ends the current and every later rbwait__poll's wait at once. */
void rbwait__wake(struct fp_rbwait *w);
void rbwait__close(struct fp_rbwait *w);

#endif
