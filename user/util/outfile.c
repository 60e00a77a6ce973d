#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util/outfile.h"

static int is_stdout(const char *path)
{
	return !path || !strcmp(path, "-");
}

/* Opening the temporary up front doubles as the "can we write there?"
 * check, done before anything is attached. */
int outfile__open(struct fp_outfile *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (is_stdout(path)) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int err = -errno;

		free(o->tmp);
		free(o->path);
		o->tmp = o->path = NULL;
		return err;
	}
	fchmod(fd, 0644);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		outfile__abort(o);
		return -ENOMEM;
	}
	return 0;
}

int outfile__commit(struct fp_outfile *o)
{
	int err = 0;

	if (!o->path) {
		fflush(stdout);
		return 0;
	}
	if (fflush(o->f) || ferror(o->f))
		err = -errno ? -errno : -EIO;
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return err;
}

void outfile__abort(struct fp_outfile *o)
{
	if (!o->path)
		return;
	if (o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
