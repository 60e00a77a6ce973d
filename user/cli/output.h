/* What report and diff (and record's files) share: parsing "RECORDING...
 * [--format F] [-o OUT]", and writing the output through a temporary
 * renamed into place (util/outfile.c), each failure named in one line. */
#ifndef FP_CLI_OUTPUT_H
#define FP_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "util/outfile.h"

struct fp_render_args {
	const char *files[2];		/* the recordings */
	const char *output;		/* -o; NULL: stdout */
	int format;			/* index into the command's formats */
	bool pid_label;			/* --pid-label, where offered */
};

struct fp_render_cmd {
	const char *name;		/* "report" */
	const char *const *formats;	/* NULL-terminated; the first is the default */
	int nfiles;			/* recordings it takes (1 or 2) */
	const char *files_err;		/* the line when it is given another number */
	bool pid_label;			/* offers --pid-label */
	void (*usage)(FILE *f);
};

/* Returns 0, 1 for --help (usage printed), or -EINVAL (one line printed). */
int output__parse(struct fp_render_args *a, const struct fp_render_cmd *c, int argc, char **argv);
/* Opens path (NULL or "-": stdout) for writing, before any work is done;
 * on error names path and opt (the option that gave it, "-o").  mode: a
 * new file's (FP_MODE_RECORDING or FP_MODE_REPORT), less the umask; a file
 * replaced keeps its own. */
int output__open(struct fp_outfile *out, const char *path, const char *opt, mode_t mode);
/* Completes the file (renamed into place), or removes it and names the
 * failure; path as given to output__open. */
int output__commit(struct fp_outfile *out, const char *path);

#endif
