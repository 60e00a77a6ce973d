/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open-coded numeric iterators (kfuncs, kernel 6.4+; libbpf 1.1's headers
 * predate the bpf_for() macro, so declared here).  The verifier checks an
 * iterator loop's body until its states converge, a few passes, where a
 * bounded for loop is simulated once per iteration: a 48-step walk cost
 * ~12,000 verified instructions, the load time of the whole object.
 */
#ifndef FP_ITER_BPF_H
#define FP_ITER_BPF_H

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

#endif /* FP_ITER_BPF_H */
