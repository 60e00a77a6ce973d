/* Folded CPU stacks ("comm;main;sum 42" per line, root first) for flame
 * graph tools; kernel frames get flamegraph.pl's "_[k]" suffix. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "views/report.h"
#include "model/cpu.h"

static void put_fn(FILE *f, const char *frame)
{
	folded__name(f, frame, strcspn(frame, " "));
}

bool folded__has_cpu(const struct fp_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].cpu && s->procs[i].cpu->prof && s->procs[i].cpu->prof->nstacks)
			return true;
	return false;
}

int folded__write_cpu(FILE *f, const struct fp_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct fp_proc *p = &s->procs[i];
		const struct fp_cpu_prof *prof = p->cpu ? p->cpu->prof : NULL;

		for (size_t j = 0; prof && j < prof->nstacks; j++) {
			const struct fp_cpu_stack *st = &prof->stacks[j];

			folded__name(f, p->comm, strlen(p->comm));
			for (size_t k = st->nframes; k-- > 0;) {
				fputc(';', f);
				put_fn(f, st->frames[k]);
				if (k < st->nkernel)
					fputs("_[k]", f);
			}
			fprintf(f, " %llu\n", (unsigned long long)st->count);
		}
	}
	return ferror(f) ? -EIO : 0;
}
