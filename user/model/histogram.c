#include <string.h>
#include "model/histogram.h"

void hist__add(struct fp_hist *h, uint64_t v, uint64_t n)
{
	if (!n)
		return;
	h->b[fp_hist_bucket(v)] += n;
	h->count += n;
	h->sum += v * n;
	if (!h->min || v < h->min)
		h->min = v ? v : 1;
	if (v > h->max)
		h->max = v;
}

void hist__merge(struct fp_hist *dst, const struct fp_hist *src)
{
	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min && (!dst->min || src->min < dst->min))
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void hist__delta(struct fp_hist *dst, const struct fp_hist *cur, const struct fp_hist *prev)
{
	uint64_t blo, bhi;
	int lo, hi;

	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		dst->b[i] = sub0(cur->b[i], prev ? prev->b[i] : 0);
	dst->count = sub0(cur->count, prev ? prev->count : 0);
	dst->sum = sub0(cur->sum, prev ? prev->sum : 0);
	/* The interval's own extremes are unknown; bound them by its buckets. */
	if (!hist__span(dst, &lo, &hi)) {
		dst->min = dst->max = 0;
		return;
	}
	hist__bucket_bounds(lo, &blo, &bhi);
	dst->min = cur->min > blo ? cur->min : blo;
	hist__bucket_bounds(hi, &blo, &bhi);
	dst->max = cur->max < bhi - 1 ? cur->max : bhi - 1;
	if (dst->max < dst->min)
		dst->max = dst->min;
}

void hist__recount(struct fp_hist *h)
{
	h->count = 0;
	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		h->count += h->b[i];
}

void hist__bucket_bounds(unsigned int idx, uint64_t *lo, uint64_t *hi)
{
	unsigned int p, sub;

	if (idx < FP_HIST_SUB) {
		*lo = idx;
		*hi = idx + 1;
		return;
	}
	p = idx / FP_HIST_SUB + FP_HIST_SUB_BITS - 1;
	sub = idx % FP_HIST_SUB;
	*lo = (uint64_t)(FP_HIST_SUB + sub) << (p - FP_HIST_SUB_BITS);
	*hi = (uint64_t)(FP_HIST_SUB + sub + 1) << (p - FP_HIST_SUB_BITS);
	if (idx == FP_HIST_BUCKETS - 1)
		*hi = UINT64_MAX;
}

int hist__bucket_of(uint64_t lo, uint64_t hi)
{
	unsigned int idx = fp_hist_bucket(lo);
	uint64_t l, h;

	hist__bucket_bounds(idx, &l, &h);
	return (l == lo && h == hi) ? (int)idx : -1;
}

uint64_t hist__percentile(const struct fp_hist *h, double q)
{
	uint64_t total = 0, seen = 0, lo, hi, v;
	double rank;

	for (int i = 0; i < FP_HIST_BUCKETS; i++)
		total += h->b[i];
	if (!total)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	rank = q * (double)total;
	if (rank < 1)
		rank = 1;
	for (int i = 0; i < FP_HIST_BUCKETS; i++) {
		if (!h->b[i])
			continue;
		if ((double)(seen + h->b[i]) >= rank) {
			hist__bucket_bounds(i, &lo, &hi);
			if (hi == UINT64_MAX)
				hi = lo * 2;
			/* Linear within the bucket: rank-th of b[i] values. */
			v = lo + (uint64_t)((double)(hi - lo) * (rank - (double)seen) / (double)h->b[i]);
			if (v >= hi)
				v = hi - 1;
			if (h->min && v < h->min)
				v = h->min;
			if (h->max && v > h->max)
				v = h->max;
			return v;
		}
		seen += h->b[i];
	}
	return h->max;
}

double hist__mean(const struct fp_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

bool hist__span(const struct fp_hist *h, int *first, int *last)
{
	*first = *last = -1;
	for (int i = 0; i < FP_HIST_BUCKETS; i++) {
		if (!h->b[i])
			continue;
		if (*first < 0)
			*first = i;
		*last = i;
	}
	return *first >= 0;
}

uint64_t hist__count_below(const struct fp_hist *h, uint64_t v)
{
	unsigned int end = fp_hist_bucket(v);
	uint64_t n = 0;

	for (unsigned int i = 0; i < end && i < FP_HIST_BUCKETS; i++)
		n += h->b[i];
	return n;
}

size_t hist__pow2_rows(const struct fp_hist *h, struct fp_hist_row *out, size_t max)
{
	uint64_t blo, bhi;
	size_t n = 0;
	int lo, hi;

	if (!max || !hist__span(h, &lo, &hi))
		return 0;
	for (int g = lo / FP_HIST_SUB; g <= hi / FP_HIST_SUB; g++) {
		if (n < max) {
			hist__bucket_bounds(g * FP_HIST_SUB, &blo, &bhi);
			out[n].lo = blo;
			out[n].count = 0;
			n++;
		}
		hist__bucket_bounds(g * FP_HIST_SUB + FP_HIST_SUB - 1, &blo, &bhi);
		out[n - 1].hi = bhi;
		for (int s = 0; s < FP_HIST_SUB; s++)
			out[n - 1].count += h->b[g * FP_HIST_SUB + s];
	}
	return n;
}
