/* Internal to the CPU family (probes/cpu.c): the sampled profile
 * (--profile), from bpf/profile.bpf.c's perf_event program. */
#ifndef FP_PROBES_CPU_SAMPLER_H
#define FP_PROBES_CPU_SAMPLER_H

#include "model/snapshot.h"

struct profile_bpf;
struct fp_sampler;

int sampler__new(struct fp_sampler **out, struct profile_bpf *skel, unsigned int hz);
/* One perf event on each CPU's cpu-clock at hz, the program on each. */
int sampler__attach(struct fp_sampler *S);
/* Saves the memory maps of processes with new samples (they may exit). */
void sampler__poll(struct fp_sampler *S);
/* Every process's profile (stacks since attach, annotations of the
 * hottest functions) into its cpu section. */
int sampler__read(struct fp_sampler *S, struct fp_snapshot *s);
void sampler__free(struct fp_sampler *S);

#endif
