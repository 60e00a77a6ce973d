/* Files already probed per process: see probed.h. */
#include <sys/stat.h>
#include "probes/probed.h"

bool probed__before(struct fp_probed *p, const char *path)
{
	struct stat sb;

	if (stat(path, &sb))
		return false;
	for (unsigned int i = 0; i < p->n; i++)
		if (p->f[i].dev == sb.st_dev && p->f[i].ino == sb.st_ino)
			return true;
	if (p->n < FP_PROBED_MAX) {
		p->f[p->n].dev = sb.st_dev;
		p->f[p->n++].ino = sb.st_ino;
	}
	return false;
}
