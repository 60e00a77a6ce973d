/* Output files are written to a temporary beside the target and renamed
 * into place on success, so a reader never sees half a file. */
#ifndef FP_OUTFILE_H
#define FP_OUTFILE_H

#include <stdio.h>

struct fp_outfile {
	char *path;	/* NULL or "-" means stdout */
	char *tmp;
	FILE *f;
};

int outfile__open(struct fp_outfile *o, const char *path);
int outfile__commit(struct fp_outfile *o);
void outfile__abort(struct fp_outfile *o);

#endif
