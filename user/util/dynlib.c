/* dlopen'd libraries (see dynlib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "util/dynlib.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char why[256];

static int bind(struct fp_dynlib *d)
{
	void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(why, sizeof(why), "%s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < d->n; i++) {
		/* POSIX: dlsym's void * converts to a function pointer. */
		d->slot[i] = (void (*)(void))dlsym(h, d->names[i]);
		if (!d->slot[i]) {
			snprintf(why, sizeof(why), "%s lacks %s", d->soname, d->names[i]);
			return -1;
		}
	}
	d->handle = h;
	return 1;
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
