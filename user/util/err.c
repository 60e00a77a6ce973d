#include <stdarg.h>
#include <stdio.h>
#include "util/err.h"

int fp_verbose;
bool fp_quiet;

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "fastpath: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
