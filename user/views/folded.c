/* Folded allocation stacks ("main;handle;malloc 42" per line) for flame graph
 * tools (flamegraph.pl, inferno, speedscope).  The stacks come from the
 * alloc section; a recording without them says so instead of printing
 * nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "views/report.h"
#include "model/alloc.h"
#include "util/escape.h"

void folded__name(FILE *f, const char *s, size_t n)
{
	const char *d = ESCN(s, n);

	for (; *d; d++)
		fputc(*d == ';' ? ':' : *d == ' ' ? '_' : *d, f);
}

/* Frames are "func file:line" or "module+0xoff": folded output keeps the
 * function. */
static void put_frame(FILE *f, const char *frame)
{
	folded__name(f, frame, strcspn(frame, " "));
}

int folded__write_sites(FILE *f, const struct fp_snapshot *s, bool bytes)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct fp_proc *p = &s->procs[i];

		if (!p->alloc)
			continue;
		for (size_t j = 0; j < p->alloc->nsites; j++) {
			const struct fp_alloc_site *site = &p->alloc->sites[j];
			uint64_t w = bytes ? site->bytes : site->calls;

			if (!w)
				continue;
			folded__name(f, p->comm, strlen(p->comm));
			for (size_t k = site->nframes; k-- > 0;) {
				fputc(';', f);
				put_frame(f, site->frames[k]);
			}
			fprintf(f, " %llu\n", (unsigned long long)w);
		}
	}
	return ferror(f) ? -EIO : 0;
}

int folded__write(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen)
{
	bool any = false;

	/* A CPU profile first: what --format folded is mostly for. */
	if (folded__has_cpu(s))
		return folded__write_cpu(f, s);
	for (size_t i = 0; i < s->nprocs && !any; i++)
		any = s->procs[i].alloc && s->procs[i].alloc->nsites;
	if (!any) {
		snprintf(err, errlen, "the recording has no allocation stacks and no CPU profile: record it with "
			 "'fastpath record --profile' (CPU) or '--stacks' (allocations) to use --format folded");
		return -ENOENT;
	}
	return folded__write_sites(f, s, false);
}
