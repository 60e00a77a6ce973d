/* The single error sink: every user-facing message goes through here, one
 * line each, prefixed "fastpath: ".  Functions return negative errno. */
#ifndef FP_ERR_H
#define FP_ERR_H

#include <stdbool.h>

extern int fp_verbose;
extern bool fp_quiet;

void fp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fp_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fp_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
