/* dlopen'd libraries (see dynlib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "util/dynlib.h"
#include "util/err.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char why[256];

static int bind(struct fp_dynlib *d)
{
	void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, sizeof(why), "%s; install %s (make deps)", dlerror(), d->pkg);
		goto unusable;
	}
	for (size_t i = 0; i < d->n; i++) {
		/* POSIX: dlsym's void * converts to a function pointer. */
		d->slot[i] = (void (*)(void))dlsym(h, d->names[i]);
		if (!d->slot[i]) {
			snprintf(why, sizeof(why), "%s lacks %s; install %s (make deps)", d->soname,
				 d->names[i], d->pkg);
			goto unusable;
		}
	}
	d->handle = h;
	return 1;
unusable:
	/* Once per library: the state keeps it from being tried again. */
	if (d->lost)
		fp_warn("%s: %s", d->lost, why);
	return -1;
}

bool dynlib__load(struct fp_dynlib *d)
{
	int st = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);

	if (st)
		return st > 0;
	pthread_mutex_lock(&lock);
	if (!d->state)
		__atomic_store_n(&d->state, bind(d), __ATOMIC_RELEASE);
	st = d->state;
	pthread_mutex_unlock(&lock);
	return st > 0;
}

const char *dynlib__error(void)
{
	return why;
}
