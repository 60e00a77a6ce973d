/* The one place fastpath formats a quantity for people: bytes, durations,
 * rates and histogram axis labels, each in the few fixed shapes its views
 * use (as htop's Row_printBytes/Row_printTime are its only formatters).
 * A leaf: libc only, no snapshot, so every view and the findings' summaries
 * (model/findings_*.c, which are recorded as text) share it.  Each returns
 * buf. */
#ifndef FP_VIEWS_UNITS_H
#define FP_VIEWS_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "1.50 GiB", "12.00 KiB", "512 B": binary units up to GiB, two decimals. */
const char *units__bytes(uint64_t v, char *buf, size_t len);
/* "1.5 GiB", "512 B": binary units up to TiB, one decimal (findings, record). */
const char *units__bytes1(uint64_t v, char *buf, size_t len);
/* "1.5 GiB", "768 KiB", "512 B": three significant digits (HTML plots). */
const char *units__bytes3g(double v, char *buf, size_t len);
/* "1.23 s", "456.00 us", "850 ns": two decimals above 1 us. */
const char *units__dur(double ns, char *buf, size_t len);
/* A histogram value in its unit ("ns" or bytes): units__dur or units__bytes. */
const char *units__val(uint64_t v, const char *unit, char *buf, size_t len);
/* The same for plots: units__dur or units__bytes3g. */
const char *units__val3g(double v, const char *unit, char *buf, size_t len);

/* A count, rate or size with its unit, as the diff phrases them: "B" and
 * "B/s" in binary units up to TiB ("1.50 MiB/s", "512 B"), "ns" as
 * units__dur, anything else a number with k/M and the unit ("12.3k calls/s",
 * "0.25 calls/s", "850"). */
const char *units__amount(double v, const char *unit, char *buf, size_t len);
/* A ratio after/before: "x2.5", "/3.0", "new" (INFINITY), "gone" (<= 0). */
const char *units__fold(double fold, char *buf, size_t len);

/* Fixed-width cells of top (at most 5 characters), "-" for NAN or < 0.
 * units__num5: "0", "0.50", "12.3", "99999", "123k", "1.23M".
 * units__ns5: "850ns", "9.9us", "120us", "1.2ms", "3.4s".
 * units__mib5: bytes as MiB in units__num5's shape. */
/* A wait status as a shell says it: "exit 3", "killed by SIGKILL". */
const char *units__exit(int status, char *buf, size_t len);
const char *units__num5(double v, char *buf, size_t len);
const char *units__ns5(double ns, char *buf, size_t len);
const char *units__mib5(double bytes, char *buf, size_t len);

/* A histogram axis label, exact for the power-of-two bounds: "1us" (ns),
 * "32KiB" (bytes), "inf" for UINT64_MAX, the number otherwise. */
const char *units__axis(uint64_t v, const char *unit, char *buf, size_t len);

#endif
