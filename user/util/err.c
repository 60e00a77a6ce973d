#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "util/err.h"
#include "util/escape.h"

int fp_verbose;
bool fp_quiet;

/* Messages echo paths, names and recordings' contents: escaped here (the
 * display form of util/escape.h), so a message is always one line and no
 * caller can forget. */
static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fprintf(stderr, "fastpath: %s", prefix);
	if (msg)
		esc__fput_c(stderr, msg);
	else
		fputs("(out of memory formatting a message)", stderr);
	fputc('\n', stderr);
	free(msg);
}

void fp_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void fp_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

void fp_info(const char *fmt, ...)
{
	va_list ap;

	if (fp_quiet)
		return;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void fp_debug(const char *fmt, ...)
{
	va_list ap;

	if (!fp_verbose)
		return;
	va_start(ap, fmt);
	vsay("debug: ", fmt, ap);
	va_end(ap);
}
