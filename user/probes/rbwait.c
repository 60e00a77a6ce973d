/* See rbwait.h. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include "probes/rbwait.h"

enum { RBW_RING, RBW_WAKE };

int rbwait__init(struct fp_rbwait *w, struct ring_buffer *rb)
{
	struct epoll_event ev = { .events = EPOLLIN };

	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->ep < 0 || w->wake < 0)
		return -errno;
	ev.data.u32 = RBW_WAKE;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev))
		return -errno;
	ev.data.u32 = RBW_RING;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev))
		return -errno;
	return 0;
}

int rbwait__poll(struct fp_rbwait *w, struct ring_buffer *rb, int timeout_ms)
{
	struct epoll_event ev[2];
	int n = epoll_wait(w->ep, ev, 2, timeout_ms);

	if (n < 0)
		return -errno;
	/* Consumed even after a wake: nothing that came is left unread. */
	return ring_buffer__consume(rb);
}

void rbwait__wake(struct fp_rbwait *w)
{
	uint64_t one = 1;

	/* Never read back: the eventfd stays readable, every later wait
	 * returns at once.  Cannot fail short of a counter overflow. */
	if (w->wake >= 0 && write(w->wake, &one, sizeof(one)) < 0)
		return;
}

void rbwait__close(struct fp_rbwait *w)
{
	if (w->ep >= 0)
		close(w->ep);
	if (w->wake >= 0)
		close(w->wake);
	w->ep = w->wake = -1;
}
