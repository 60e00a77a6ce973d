/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Histogram bucketing shared by the BPF programs and user space.
 *
 * Log2 buckets with FP_HIST_SUB linear sub-buckets per power of two, so a
 * bucket is at most 25% wide: p50/p99 come out far sharper than with plain
 * log2 (where a bucket spans 100%).  Values 0..3 get one bucket each; for
 * v >= 4 with p = floor(log2 v), the bucket is 4*(p-1) + the two bits below
 * the leading one.  Plain C, no vmlinux.h: both sides include it.
 */
#ifndef FP_HIST_H
#define FP_HIST_H

#define FP_HIST_SUB_BITS 2
#define FP_HIST_SUB (1 << FP_HIST_SUB_BITS)
/* 2^40 ns is about 18 minutes; anything larger lands in the last bucket. */
#define FP_HIST_MAX_POW 40
#define FP_HIST_BUCKETS (FP_HIST_SUB * FP_HIST_MAX_POW)

/* floor(log2(v)) for v > 0 without loops or clz: the BPF target lacks clz. */
static inline unsigned int fp_log2(unsigned long long v)
{
	unsigned int r = 0, s;

	s = (v > 0xFFFFFFFFULL) << 5; v >>= s; r |= s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (unsigned int)(v >> 1);
	return r;
}

static inline unsigned int fp_hist_bucket(unsigned long long v)
{
	unsigned int p, idx;

	if (v < FP_HIST_SUB)
		return (unsigned int)v;
	p = fp_log2(v);
	idx = FP_HIST_SUB * (p - FP_HIST_SUB_BITS + 1) +
	      (unsigned int)((v >> (p - FP_HIST_SUB_BITS)) & (FP_HIST_SUB - 1));
	if (idx >= FP_HIST_BUCKETS)
		idx = FP_HIST_BUCKETS - 1;
	return idx;
}

#endif /* FP_HIST_H */
