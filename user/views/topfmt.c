#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/topfmt.h"
#include "views/units.h"
#include "model/io.h"
#include "model/statfam.h"
#include "model/alloc.h"

const struct top_col_info top_cols[TOP_NCOLS] = {
	[TOP_PID]   = { NULL, "PID", "PID", 7, 'N', false, false },
	[TOP_COMM]  = { NULL, "COMM", "COMM", 10, 'C', true, false },
	[TOP_SYS]   = { "SYSCALLS", "/s", "syscalls/s", 5, 'S', false, true },
	[TOP_P99]   = { "SYSCALLS", "p99", "p99 syscall latency", 5, 'L', false, true },
	[TOP_ERR]   = { "SYSCALLS", "err/s", "syscall errors/s", 5, 'E', false, true },
	[TOP_STAT]  = { "STAT", "/s", "stat-family calls/s", 5, 'T', false, true },
	[TOP_COPY]  = { "DATA PATH MiB/s", "copy", "copied MiB/s", 5, 'Y', false, true },
	[TOP_ZC]    = { "DATA PATH MiB/s", "zero", "zero-copy MiB/s", 5, 'Z', false, true },
	[TOP_ZCR]   = { "DATA PATH MiB/s", "zc%", "zero-copy ratio", 4, 'R', false, false },
	[TOP_ALLOC] = { "ALLOCATOR", "/s", "allocations/s", 5, 'A', false, true },
	[TOP_AMB]   = { "ALLOCATOR", "MiB/s", "allocated MiB/s", 5, 'M', false, true },
	[TOP_FLAGS] = { NULL, "FLAGS", "findings", 7, 'F', true, true },
};

int topcol__by_key(int key)
{
	for (int c = 0; c < TOP_NCOLS; c++)
		if (top_cols[c].key == key)
			return c;
	return -1;
}

int topfmt__severity(const char *severity)
{
	if (!strcmp(severity, "critical"))
		return 3;
	if (!strcmp(severity, "warning"))
		return 2;
	return 1;
}

static void row__fill(struct top_row *r, const struct fp_proc *p, double secs)
{
	struct fp_hist h;
	double ratio;

	memset(r, 0, sizeof(*r));
	for (int c = 0; c < TOP_NCOLS; c++)
		r->v[c] = NAN;
	r->p = p;
	r->pid = p->pid;
	r->exited = p->exited;
	r->v[TOP_PID] = p->pid;
	r->v[TOP_SYS] = proc__sys_calls(p) / secs;
	r->v[TOP_ERR] = proc__sys_errors(p) / secs;
	proc__sys_hist(p, &h);
	if (h.count)
		r->v[TOP_P99] = (double)hist__percentile(&h, 0.99);
	if (p->stat)
		r->v[TOP_STAT] = stat_stats__calls(p->stat) / secs;
	if (p->io) {
		r->v[TOP_COPY] = io_stats__copy_bytes(p->io) / secs;
		r->v[TOP_ZC] = io_stats__zero_copy_bytes(p->io) / secs;
		ratio = io_stats__zero_copy_ratio(p->io);
		if (ratio >= 0)
			r->v[TOP_ZCR] = ratio;
	}
	if (p->alloc) {
		r->v[TOP_ALLOC] = alloc_stats__calls(p->alloc) / secs;
		r->v[TOP_AMB] = alloc_stats__bytes(p->alloc) / secs;
	}
	for (size_t i = 0; i < p->nfindings; i++) {
		int s = topfmt__severity(p->findings[i].severity);

		if (s > r->severity)
			r->severity = s;
	}
	/* Sorting by FLAGS: the worst finding first, then the most of them. */
	r->v[TOP_FLAGS] = r->severity * 100.0 + (double)p->nfindings;
}

bool toprow__active(const struct top_row *r)
{
	static const int cols[] = { TOP_SYS, TOP_STAT, TOP_COPY, TOP_ZC, TOP_ALLOC };

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (r->v[cols[i]] > 0)
			return true;
	return r->p->nfindings > 0;
}

static bool row__matches(const struct fp_proc *p, const char *filter)
{
	char pid[16];

	if (!filter || !*filter)
		return true;
	if (strcasestr(p->comm, filter))
		return true;
	snprintf(pid, sizeof(pid), "%d", p->pid);
	return !strncmp(pid, filter, strlen(filter));
}

size_t toprows__build(const struct fp_snapshot *d, struct top_row *rows, size_t max,
		      const char *filter, int linger, bool active_only)
{
	double secs = d->interval_s > 0 ? d->interval_s : 1.0;
	uint64_t keep_ns = (uint64_t)(linger * secs * 1e9);
	size_t n = 0;

	for (size_t i = 0; i < d->nprocs && n < max; i++) {
		const struct fp_proc *p = &d->procs[i];

		if (p->exited && p->exit_ns && d->ts_ns > p->exit_ns + keep_ns)
			continue;	/* gone for more than `linger` intervals */
		if (!row__matches(p, filter))
			continue;
		row__fill(&rows[n], p, secs);
		/* A process that exited in this interval is news, busy or not. */
		if (active_only && !toprow__active(&rows[n]) &&
		    !(p->exited && p->exit_ns + (uint64_t)(secs * 1e9) >= d->ts_ns))
			continue;
		n++;
	}
	return n;
}

static int sort_col;
static int sort_sign;

/* Missing values sort last whatever the direction. */
static int row__cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double u, v;
	int c;

	if (sort_col == TOP_COMM) {
		c = strcmp(x->p->comm, y->p->comm) * sort_sign;
		if (c)
			return c;
	} else {
		u = x->v[sort_col];
		v = y->v[sort_col];
		if (isnan(u) != isnan(v))
			return isnan(u) ? 1 : -1;
		if (!isnan(u) && u != v)
			return (u < v ? -1 : 1) * sort_sign;
	}
	return x->pid - y->pid;
}

void toprows__sort(struct top_row *rows, size_t n, int col, bool desc)
{
	if (col < 0 || col >= TOP_NCOLS)
		col = TOP_SYS;
	sort_col = col;
	sort_sign = desc ? -1 : 1;
	if (n)
		qsort(rows, n, sizeof(*rows), row__cmp);
}

const char *topfmt__cell(const struct top_row *r, int col, char *buf, size_t len)
{
	double v = r->v[col];

	switch (col) {
	case TOP_PID:
		snprintf(buf, len, "%d", r->pid);
		break;
	case TOP_COMM:
		snprintf(buf, len, "%s", r->p->comm);
		break;
	case TOP_P99:
		units__ns5(v, buf, len);
		break;
	case TOP_COPY:
	case TOP_ZC:
	case TOP_AMB:
		units__mib5(v, buf, len);
		break;
	case TOP_ZCR:
		if (isnan(v))
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%.0f%%", fmin(fmax(v, 0), 1) * 100);
		break;
	case TOP_FLAGS:
		topfmt__flags(r->p, (int)len - 1, buf, len);
		break;
	default:
		units__num5(v, buf, len);
	}
	return buf;
}

static const struct {
	const char *kind, *code;
} flag_codes[] = {
	{ "sendfile-lost", "SF-LOST" },
	{ "stat-storm", "STORM" },
	{ "alloc-churn", "CHURN" },
};

static void flag__full(const char *kind, char *out, size_t len)
{
	size_t i;

	for (i = 0; kind[i] && i + 1 < len; i++)
		out[i] = (char)toupper((unsigned char)kind[i]);
	out[i] = 0;
}

static void flag__code(const char *kind, char *out, size_t len)
{
	for (size_t i = 0; i < sizeof(flag_codes) / sizeof(flag_codes[0]); i++) {
		if (!strcmp(kind, flag_codes[i].kind)) {
			snprintf(out, len, "%s", flag_codes[i].code);
			return;
		}
	}
	flag__full(kind, out, len < 8 ? len : 8);
}

/* All findings' names (full or short) joined by ','; its length. */
static size_t flags__join(const struct fp_proc *p, bool full, char *buf, size_t len)
{
	char name[40];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < p->nfindings; i++) {
		if (full)
			flag__full(p->findings[i].kind, name, sizeof(name));
		else
			flag__code(p->findings[i].kind, name, sizeof(name));
		n += snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s", i ? "," : "", name);
	}
	return n;
}

const char *topfmt__flags(const struct fp_proc *p, int width, char *buf, size_t len)
{
	char tmp[256], first[40];
	size_t w = width < 0 ? 0 : (size_t)width;

	buf[0] = 0;
	if (!p->nfindings || !len)
		return buf;
	if (flags__join(p, true, tmp, sizeof(tmp)) <= w ||
	    flags__join(p, false, tmp, sizeof(tmp)) <= w) {
		snprintf(buf, len, "%s", tmp);
		return buf;
	}
	flag__code(p->findings[0].kind, first, sizeof(first));
	snprintf(tmp, sizeof(tmp), "%s+%zu", first, p->nfindings - 1);
	if (strlen(tmp) > w)
		tmp[w] = 0;
	snprintf(buf, len, "%s", tmp);
	return buf;
}

double topfmt__cpu_pct(double busy_ns, double interval_s)
{
	if (interval_s <= 0 || busy_ns < 0)
		return 0;
	return 100.0 * busy_ns / (interval_s * 1e9);
}

const char *topfmt__bar(uint64_t count, uint64_t max, int width, char *buf, size_t len)
{
	size_t n = 0;

	if (max && count && width > 0) {
		n = (size_t)llround((double)count / (double)max * width);
		if (n < 1)
			n = 1;
		if (n > (size_t)width)
			n = (size_t)width;
	}
	if (n >= len)
		n = len - 1;
	memset(buf, '#', n);
	buf[n] = 0;
	return buf;
}

void toplayout__fit(struct top_layout *L, int cols)
{
	int base = 0, extra;

	for (int c = 0; c < TOP_NCOLS; c++) {
		L->width[c] = top_cols[c].width;
		base += top_cols[c].width + (c ? 1 : 0);
	}
	extra = cols - base;
	if (extra > 0) {
		int grow = extra < FP_COMM_LEN - 1 - L->width[TOP_COMM] ? extra
			 : FP_COMM_LEN - 1 - L->width[TOP_COMM];

		L->width[TOP_COMM] += grow;
		L->width[TOP_FLAGS] += extra - grow;
	}
	L->total = 0;
	for (int c = 0; c < TOP_NCOLS; c++) {
		L->x[c] = L->total + (c ? 1 : 0);
		L->total = L->x[c] + L->width[c];
	}
}

/* Writes s into buf at x, width w, aligned; buf is pre-filled with spaces. */
static void put(char *buf, size_t len, int x, int w, const char *s, bool left)
{
	int n = (int)strlen(s);

	if (n > w)
		n = w;
	if (x < 0 || (size_t)(x + w) >= len)
		return;
	memcpy(buf + x + (left ? 0 : w - n), s, n);
}

static void blank(char *buf, size_t len, int total)
{
	size_t n = (size_t)total < len ? (size_t)total : len - 1;

	memset(buf, ' ', n);
	buf[n] = 0;
}

const char *toplayout__header(const struct top_layout *L, int line, char *buf, size_t len)
{
	blank(buf, len, L->total);
	for (int c = 0; c < TOP_NCOLS; c++) {
		const char *g = top_cols[c].group;
		int end = c;

		if (line == 1) {
			put(buf, len, L->x[c], L->width[c], top_cols[c].title, top_cols[c].left);
			continue;
		}
		if (!g || (c && top_cols[c - 1].group && !strcmp(top_cols[c - 1].group, g)))
			continue;
		while (end + 1 < TOP_NCOLS && top_cols[end + 1].group && !strcmp(top_cols[end + 1].group, g))
			end++;
		/* Centred over its columns. */
		{
			int span = L->x[end] + L->width[end] - L->x[c], n = (int)strlen(g);

			put(buf, len, L->x[c] + (span > n ? (span - n) / 2 : 0), span, g, true);
		}
	}
	return buf;
}

const char *toplayout__row(const struct top_layout *L, const struct top_row *r, char *buf, size_t len)
{
	char cell[256];

	blank(buf, len, L->total);
	for (int c = 0; c < TOP_NCOLS; c++) {
		size_t w = (size_t)L->width[c] + 1 < sizeof(cell) ? (size_t)L->width[c] + 1 : sizeof(cell);

		topfmt__cell(r, c, cell, w);
		put(buf, len, L->x[c], L->width[c], cell, top_cols[c].left);
	}
	return buf;
}

void toptotals__compute(const struct fp_snapshot *d, struct top_totals *t)
{
	double secs = d->interval_s > 0 ? d->interval_s : 1.0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < d->nprocs; i++) {
		const struct fp_proc *p = &d->procs[i];

		if (!p->exited)
			t->procs++;
		else if (p->exit_ns + (uint64_t)(secs * 1e9) >= d->ts_ns)
			t->exited++;
		t->syscalls += proc__sys_calls(p);
		t->errors += proc__sys_errors(p);
		if (p->alloc)
			t->allocs += alloc_stats__calls(p->alloc);
	}
	t->syscalls /= secs;
	t->errors /= secs;
	t->allocs /= secs;
	t->events = t->syscalls + t->allocs;
	t->bpf_cpu_pct = topfmt__cpu_pct((double)d->bpf_run_ns, secs);
	t->bpf_runs = d->bpf_run_cnt / secs;
	for (int r = 0; r < FP_DROP_MAX; r++)
		t->dropped += d->drops[r];
}
