/* For unit tests of code that reports errors on stderr (fp_err): run a
 * call with stderr caught into a buffer, to check the one line it says. */
#ifndef FP_TEST_STDERR_CAPTURE_H
#define FP_TEST_STDERR_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

static FILE *capture_tmp;
static int capture_saved = -1;

static inline void capture_begin(void)
{
	capture_tmp = tmpfile();
	assert_non_null(capture_tmp);
	fflush(stderr);
	capture_saved = dup(STDERR_FILENO);
	dup2(fileno(capture_tmp), STDERR_FILENO);
}

/* What was written to stderr since capture_begin(), NUL-terminated. */
static inline void capture_end(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(capture_saved, STDERR_FILENO);
	close(capture_saved);
	rewind(capture_tmp);
	n = fread(buf, 1, len - 1, capture_tmp);
	buf[n] = 0;
	fclose(capture_tmp);
}

#endif
