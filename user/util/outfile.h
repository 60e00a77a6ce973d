/* Output files are written to a temporary beside the target and put in
 * place on success, so a reader never sees half a file, and a fastpath
 * killed on the way leaves nothing behind (docs/security.md, "Files").
 *
 * The temporary is an unnamed O_TMPFILE linked in at commit; where the
 * filesystem has none it is named "FILE.tmp.PID.XXXXXX", and stale ones of
 * that naming (their pid gone, our own uid) are removed by the next open in
 * the same directory.  A file replaced keeps its mode; a new one gets the
 * mode asked for, less the umask.  A target that exists and is not a
 * regular file (a FIFO, /dev/null, a terminal) is written to directly. */
#ifndef FP_OUTFILE_H
#define FP_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Modes of new files (before the umask): recordings hold paths and command
 * lines of the traced processes, so only their owner reads them; reports
 * are made to be shared and get what the umask leaves. */
#define FP_MODE_RECORDING 0600
#define FP_MODE_REPORT 0666

struct fp_outfile {
	char *path;	/* NULL means stdout */
	char *tmp;	/* the named temporary, when there is one */
	FILE *f;
	bool unnamed;	/* an O_TMPFILE, linked in at commit */
	bool direct;	/* written in place (not a regular file) */
};

/* path NULL or "-": stdout.  mode: of a new file, before the umask. */
int outfile__open(struct fp_outfile *o, const char *path, mode_t mode);
int outfile__commit(struct fp_outfile *o);
void outfile__abort(struct fp_outfile *o);

#endif
