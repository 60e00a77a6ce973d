#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/topfmt.h"
#include "views/units.h"
#include "util/escape.h"

const struct top_col_info top_cols[TOP_NCOLS] = {
	[TOP_PID]   = { NULL, "PID", "PID", 7, 'N', false, false },
	[TOP_COMM]  = { NULL, "COMM", "COMM", 10, 'C', true, false },
	[TOP_CPU]   = { NULL, "CPU%", "CPU% (user+system)", 5, 'U', false, true },
	[TOP_RQ]    = { "WAITS", "rqp99", "p99 run-queue delay", 5, 'W', false, true },
	[TOP_OFF]   = { "WAITS", "off%", "off-CPU share", 4, 'O', false, true },
	[TOP_SYS]   = { "SYSCALLS", "/s", "syscalls/s", 5, 'S', false, true },
	[TOP_P99]   = { "SYSCALLS", "p99", "p99 syscall latency", 5, 'L', false, true },
	[TOP_ERR]   = { "SYSCALLS", "err/s", "syscall errors/s", 5, 'E', false, true },
	[TOP_STAT]  = { "STAT", "/s", "stat-family calls/s", 5, 'T', false, true },
	[TOP_COPY]  = { "DATA PATH MiB/s", "copy", "copied MiB/s", 5, 'Y', false, true },
	[TOP_ZC]    = { "DATA PATH MiB/s", "zero", "zero-copy MiB/s", 5, 'Z', false, true },
	[TOP_ZCR]   = { "DATA PATH MiB/s", "zc%", "zero-copy ratio", 4, 'R', false, false },
	[TOP_ALLOC] = { "ALLOCATOR", "/s", "allocations/s", 5, 'A', false, true },
	[TOP_AMB]   = { "ALLOCATOR", "MiB/s", "allocated MiB/s", 5, 'M', false, true },
	[TOP_CTR]   = { NULL, "CONTAINER", "container or unit", 12, 'O', true, false },
	[TOP_FLAGS] = { NULL, "FLAGS", "findings", 7, 'F', true, true },
};

int topcol__by_key(int key)
{
	for (int c = 0; c < TOP_NCOLS; c++)
		if (top_cols[c].key == key)
			return c;
	return -1;
}

const char *topfmt__cell(const struct top_row *r, int col, char *buf, size_t len)
{
	double v = r->v[col];

	switch (col) {
	case TOP_PID:
		snprintf(buf, len, "%d", r->pid);
		break;
	case TOP_COMM:
		esc__c(r->p->comm, buf, len);	/* the process chose it */
		break;
	case TOP_P99:
	case TOP_RQ:
		units__ns5(v, buf, len);
		break;
	case TOP_COPY:
	case TOP_ZC:
	case TOP_AMB:
		units__mib5(v, buf, len);
		break;
	case TOP_ZCR:
	case TOP_OFF:
		if (isnan(v))
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%.0f%%", fmin(fmax(v, 0), 1) * 100);
		break;
	case TOP_CTR: {
		char raw[256];

		top__container(r->p, raw, sizeof(raw));
		esc__c(raw[0] ? raw : "-", buf, len);	/* a unit name others chose */
		break;
	}
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
	{ "bounds-check", "BOUNDS" },
};

static void flag__full(const char *kind, char *out, size_t len)
{
	size_t i;

	/* letters, digits and '-' only: a cell of the table, never a control */
	for (i = 0; kind[i] && i + 1 < len; i++)
		out[i] = isalnum((unsigned char)kind[i]) || kind[i] == '-' ? (char)toupper((unsigned char)kind[i]) : '?';
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

bool toplayout__has_waits(const struct fp_snapshot *d)
{
	for (size_t i = 0; d && i < d->nprocs; i++)
		if (d->procs[i].sched)
			return true;
	return false;
}

void toplayout__fit(struct top_layout *L, int cols)
{
	toplayout__fit_waits(L, cols, false);
}

void toplayout__fit_waits(struct top_layout *L, int cols, bool waits)
{
	/* Hidden first on a narrow screen: zc% is derivable from copy and
	 * zero; with the waits columns, errors and allocated MiB/s next (a
	 * look at where threads wait is seldom one at allocations), so that
	 * 80 columns hold them. */
	static const int optional[] = { TOP_ZCR, TOP_ERR, TOP_AMB };
	int base = 0, extra;

	for (int c = 0; c < TOP_NCOLS; c++) {
		bool off = !waits && (c == TOP_RQ || c == TOP_OFF);

		L->width[c] = off ? 0 : top_cols[c].width;
		base += L->width[c] + (c && L->width[c] ? 1 : 0);
	}
	/* The container (in the detail view too) only beside a whole COMM. */
	if (base + FP_COMM_LEN - 1 - L->width[TOP_COMM] > cols) {
		base -= L->width[TOP_CTR] + 1;
		L->width[TOP_CTR] = 0;
	}
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]) && base > cols; i++) {
		base -= L->width[optional[i]] + 1;
		L->width[optional[i]] = 0;
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
		L->x[c] = L->total + (c && L->width[c] ? 1 : 0);
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

			/* Narrower than its name (a column hidden): whole words. */
			while (n > span && n > 0) {
				while (n > 0 && g[n - 1] != ' ')
					n--;
				while (n > 0 && g[n - 1] == ' ')
					n--;
			}
			put(buf, len, L->x[c] + (span > n ? (span - n) / 2 : 0), n, g, true);
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

