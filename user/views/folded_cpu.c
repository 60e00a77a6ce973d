/* Folded CPU and off-CPU stacks ("comm;main;sum 42" per line, root first)
 * for flame graph tools; kernel frames get flamegraph.pl's "_[k]" suffix. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "views/report.h"
#include "model/cpu.h"
#include "model/sched.h"

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

/* div: the weight's unit (1 for samples, 1000 for ns shown as us, rounded
 * up so that no stack blocked for under a microsecond vanishes). */
static void write_prof(FILE *f, const char *comm, const struct fp_cpu_prof *prof, uint64_t div)
{
	for (size_t j = 0; prof && j < prof->nstacks; j++) {
		const struct fp_cpu_stack *st = &prof->stacks[j];

		folded__name(f, comm, strlen(comm));
		for (size_t k = st->nframes; k-- > 0;) {
			fputc(';', f);
			put_fn(f, st->frames[k]);
			if (k < st->nkernel)
				fputs("_[k]", f);
		}
		fprintf(f, " %llu\n", (unsigned long long)((st->count + div - 1) / div));
	}
}

int folded__write_cpu(FILE *f, const struct fp_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		write_prof(f, s->procs[i].comm, s->procs[i].cpu ? s->procs[i].cpu->prof : NULL, 1);
	return ferror(f) ? -EIO : 0;
}

int folded__write_offcpu(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen)
{
	bool any = false;

	for (size_t i = 0; i < s->nprocs && !any; i++)
		any = s->procs[i].sched && s->procs[i].sched->stacks && s->procs[i].sched->stacks->nstacks;
	if (!any) {
		snprintf(err, errlen, "the recording has no off-CPU stacks: record it with 'fastpath record "
			 "--waits=stacks' to use --format folded-offcpu");
		return -ENOENT;
	}
	for (size_t i = 0; i < s->nprocs; i++)
		write_prof(f, s->procs[i].comm, s->procs[i].sched ? s->procs[i].sched->stacks : NULL, 1000);
	return ferror(f) ? -EIO : 0;
}
