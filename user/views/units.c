/* Formatting of quantities: see units.h. */
#include <math.h>
#include <stdio.h>
#include <sys/wait.h>
#include <string.h>
#include "views/units.h"

#define MiB 1048576.0

static const char *const bin_units[] = { "B", "KiB", "MiB", "GiB", "TiB" };

/* Divides *v by 1024 while it is at least 1024, at most max times; the
 * index of the unit.  Powers of two divide exactly, so this is the same
 * figure as one division by the unit. */
static int scale_binary(double *v, int max)
{
	int u = 0;

	while (*v >= 1024 && u < max) {
		*v /= 1024;
		u++;
	}
	return u;
}

/* Whole bytes below 1 KiB, else the largest unit up to bin_units[max]
 * with prec decimals. */
static const char *bytes_in(uint64_t v, int max, int prec, char *buf, size_t len)
{
	double d = (double)v;
	int u;

	if (v < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)v);
		return buf;
	}
	u = scale_binary(&d, max);
	snprintf(buf, len, "%.*f %s", prec, d, bin_units[u]);
	return buf;
}

const char *units__bytes(uint64_t v, char *buf, size_t len)
{
	return bytes_in(v, 3, 2, buf, len);
}

const char *units__bytes1(uint64_t v, char *buf, size_t len)
{
	return bytes_in(v, 4, 1, buf, len);
}

const char *units__bytes3g(double v, char *buf, size_t len)
{
	int u;

	if (v < 1024) {
		snprintf(buf, len, "%.0f B", v);
		return buf;
	}
	u = scale_binary(&v, 3);
	snprintf(buf, len, "%.3g %s", v, bin_units[u]);
	return buf;
}

const char *units__dur(double ns, char *buf, size_t len)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

const char *units__val(uint64_t v, const char *unit, char *buf, size_t len)
{
	if (!strcmp(unit, "ns"))
		return units__dur(v, buf, len);
	return units__bytes(v, buf, len);
}

const char *units__val3g(double v, const char *unit, char *buf, size_t len)
{
	if (!strcmp(unit, "ns"))
		return units__dur((uint64_t)v, buf, len);
	return units__bytes3g(v, buf, len);
}

const char *units__amount(double v, const char *unit, char *buf, size_t len)
{
	const char *sp = *unit ? " " : "";
	int u;

	if (!strcmp(unit, "B") || !strcmp(unit, "B/s")) {
		u = scale_binary(&v, 4);
		snprintf(buf, len, u ? "%.2f %s%s" : "%.0f %s%s", v, bin_units[u], unit[1] ? "/s" : "");
	} else if (!strcmp(unit, "ns")) {
		units__dur(v, buf, len);
	} else if (v >= 1e6) {
		snprintf(buf, len, "%.2fM%s%s", v / 1e6, sp, unit);
	} else if (v >= 1e4) {
		snprintf(buf, len, "%.1fk%s%s", v / 1e3, sp, unit);
	} else {
		snprintf(buf, len, v == floor(v) || v >= 100 ? "%.0f%s%s" : "%.3g%s%s", v, sp, unit);
	}
	return buf;
}

const char *units__fold(double fold, char *buf, size_t len)
{
	if (isinf(fold))
		snprintf(buf, len, "new");
	else if (fold <= 0)
		snprintf(buf, len, "gone");
	else if (fold >= 1)
		snprintf(buf, len, "x%.1f", fold);
	else
		snprintf(buf, len, "/%.1f", 1 / fold);
	return buf;
}

/* One row of a 5-character scale: values below `below` print as v / div
 * with prec decimals and the suffix.  The last row (below INFINITY) caps
 * at 9999 of its unit. */
struct step {
	double below, div;
	int prec;
	const char *suffix;
};

static const struct step num5_steps[] = {
	{ 9.995, 1, 2, "" }, { 99.95, 1, 1, "" }, { 99999.5, 1, 0, "" }, { 999.5e3, 1e3, 0, "k" },
	{ 9.995e6, 1e6, 2, "M" }, { 99.95e6, 1e6, 1, "M" }, { 999.5e6, 1e6, 0, "M" },
	{ 9.995e9, 1e9, 2, "G" }, { INFINITY, 1e9, 0, "G" },
};

static const struct step ns5_steps[] = {
	{ 999.5, 1, 0, "ns" }, { 9.95e3, 1e3, 1, "us" }, { 999.5e3, 1e3, 0, "us" },
	{ 9.95e6, 1e6, 1, "ms" }, { 999.5e6, 1e6, 0, "ms" }, { 9.95e9, 1e9, 1, "s" },
	{ INFINITY, 1e9, 0, "s" },
};

static const char *scaled5(double v, const struct step *st, char *buf, size_t len)
{
	while (!isinf(st->below) && v >= st->below)
		st++;
	snprintf(buf, len, "%.*f%s", st->prec, isinf(st->below) ? fmin(v / st->div, 9999) : v / st->div,
		 st->suffix);
	return buf;
}

const char *units__num5(double v, char *buf, size_t len)
{
	if (isnan(v) || v < 0)
		snprintf(buf, len, "-");
	else if (v == 0)
		snprintf(buf, len, "0");
	else
		scaled5(v, num5_steps, buf, len);
	return buf;
}

const char *units__ns5(double ns, char *buf, size_t len)
{
	if (isnan(ns) || ns < 0)
		snprintf(buf, len, "-");
	else
		scaled5(ns, ns5_steps, buf, len);
	return buf;
}

const char *units__mib5(double bytes, char *buf, size_t len)
{
	return units__num5(bytes / MiB, buf, len);
}

const char *units__axis(uint64_t v, const char *unit, char *buf, size_t len)
{
	int u = 0;

	if (!strcmp(unit, "ns"))
		return units__ns5((double)v, buf, len);
	if (v == UINT64_MAX) {
		snprintf(buf, len, "inf");
		return buf;
	}
	if (strcmp(unit, "bytes")) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (u < 4 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)v, bin_units[u]);
	return buf;
}

const char *units__exit(int status, char *buf, size_t len)
{
	const char *sig;

	if (WIFSIGNALED(status)) {
		sig = sigabbrev_np(WTERMSIG(status));
		if (sig)
			snprintf(buf, len, "killed by SIG%s%s", sig, WCOREDUMP(status) ? " (core dumped)" : "");
		else
			snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	} else {
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	}
	return buf;
}
