/* Libraries opened at first use instead of linked (issue 13): a linked
 * library is resident in every run from exec (its relocated data, the pages
 * the loader touches), whatever the command; capstone alone is 3 MB.  A
 * table of a library's functions, declared from its own headers:
 *   #define SYMS(X) X(cs_open) X(cs_close)
 *   FP_DL_TABLE(fp_cs, SYMS);  ...  static const char *const names[] = { SYMS(FP_DL_NAME) };
 * filled by dynlib__load(). */
#ifndef FP_UTIL_DYNLIB_H
#define FP_UTIL_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#define FP_DL_FIELD(f) __typeof__(f) *f;
#define FP_DL_NAME(f) #f,
#define FP_DL_ONE(f) +1
/* union NAME: the functions by name, or as slots for dynlib__load(). */
#define FP_DL_TABLE(name, SYMS) \
	union name { \
		struct { SYMS(FP_DL_FIELD) }; \
		void (*slot[0 SYMS(FP_DL_ONE)])(void); \
	}

struct fp_dynlib {
	const char *soname;
	const char *const *names;	/* n symbols, into slot[0..n) */
	size_t n;
	void (**slot)(void);
	int state;			/* 0 untried, 1 loaded, -1 unusable */
	void *handle;			/* once loaded: for dlsym of its data */
	const char *pkg;		/* the Debian package that has it (make deps) */
	/* What a run goes without if it is missing, for the one warning its
	 * first failure prints; NULL: the caller fails with dynlib__error(). */
	const char *lost;
};

/* Opens the library once (thread-safe; never closed) and binds its
 * symbols; false if it or one of them is missing. */
bool dynlib__load(struct fp_dynlib *d);
/* Why the last dynlib__load() failed, with the package to install ("" if
 * it did not). */
const char *dynlib__error(void);

#endif
