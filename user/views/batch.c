#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "views/batch.h"
#include "views/json.h"
#include "views/units.h"
#include "util/escape.h"

/* Wide enough that nothing is cut: COMM gets its 15 characters. */
#define BATCH_COLS 200

static struct top_row *rows__for(const struct fp_snapshot *d, size_t *n)
{
	struct top_row *rows = calloc(d->nprocs ? d->nprocs : 1, sizeof(*rows));

	if (!rows)
		return NULL;
	*n = toprows__build(d, rows, d->nprocs, NULL, 1, true);
	toprows__sort(rows, *n, TOP_SYS, true);
	return rows;
}

static void rtrim(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == ' ')
		s[--n] = 0;
}

static void batch__header(FILE *f, const struct fp_snapshot *d, const struct top_info *in)
{
	struct top_totals t;
	char when[32], a[16], b[16], c[16];
	time_t now = (time_t)in->wall;
	struct tm tm;

	toptotals__compute(d, &t);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(f, "fastpath top - %s, interval %ld (%.2f s), up %.1f s, host %s, kernel %s, target %s%s\n",
		when, in->seq, d->interval_s, in->uptime_s, ESC(d->meta.host), ESC(d->meta.kernel),
		ESC(d->meta.target), in->targets_gone ? " (all exited)" : "");
	fprintf(f, "procs %zu, exited %zu; syscalls/s %s, errors/s %s, events/s %s; dropped %llu\n",
		t.procs, t.exited, units__num5(t.syscalls, a, sizeof(a)),
		units__num5(t.errors, b, sizeof(b)), units__num5(t.events, c, sizeof(c)),
		(unsigned long long)t.dropped);
	if (in->bpf_stats)
		fprintf(f, "self: BPF %.2f%% of a CPU (%s runs/s), fastpath %.2f%% of a CPU\n",
			t.bpf_cpu_pct, units__num5(t.bpf_runs, a, sizeof(a)), in->self_cpu_pct);
	else
		fprintf(f, "self: BPF n/a (no run-time statistics), fastpath %.2f%% of a CPU\n",
			in->self_cpu_pct);
}

void batch__text(FILE *f, const struct fp_snapshot *d, const struct top_info *in)
{
	struct top_layout L;
	struct top_row *rows;
	char line[BATCH_COLS + 8];
	size_t n = 0;

	batch__header(f, d, in);
	toplayout__fit_waits(&L, BATCH_COLS, toplayout__has_waits(d));
	rows = rows__for(d, &n);
	for (int h = 0; h < 2; h++) {
		toplayout__header(&L, h, line, sizeof(line));
		rtrim(line);
		fprintf(f, "%s\n", line);
	}
	for (size_t i = 0; rows && i < n; i++) {
		toplayout__row(&L, &rows[i], line, sizeof(line));
		rtrim(line);
		fprintf(f, "%s%s\n", line, rows[i].exited ? " [exited]" : "");
	}
	if (!n)
		fprintf(f, "(no activity in this interval)\n");
	fprintf(f, "\n");
	fflush(f);
	free(rows);
}

/* A number, or null when missing (NAN). */
static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *rates__json(const struct top_row *r)
{
	json_t *o = json_pack("{s:o,s:o,s:o}", "syscalls", num(r->v[TOP_SYS]),
			      "errors", num(r->v[TOP_ERR]), "syscall_p99_ns", num(r->v[TOP_P99]));

	if (r->p->cpu)
		json_object_set_new(o, "cpu_percent", num(r->v[TOP_CPU]));
	if (r->p->sched) {
		json_object_set_new(o, "run_queue_p99_ns", num(r->v[TOP_RQ]));
		json_object_set_new(o, "off_cpu_ratio", num(r->v[TOP_OFF]));
	}
	if (r->p->stat)
		json_object_set_new(o, "stat", num(r->v[TOP_STAT]));
	if (r->p->io) {
		json_object_set_new(o, "copy_bytes", num(r->v[TOP_COPY]));
		json_object_set_new(o, "zero_copy_bytes", num(r->v[TOP_ZC]));
		json_object_set_new(o, "zero_copy_ratio", num(r->v[TOP_ZCR]));
	}
	if (r->p->alloc) {
		json_object_set_new(o, "allocs", num(r->v[TOP_ALLOC]));
		json_object_set_new(o, "alloc_bytes", num(r->v[TOP_AMB]));
	}
	return o;
}

static json_t *procs__json(const struct fp_snapshot *d)
{
	json_t *a = json_array();
	struct top_row *rows;
	size_t n = 0;

	rows = rows__for(d, &n);
	for (size_t i = 0; rows && i < n; i++) {
		json_t *p = json__proc(rows[i].p, d->interval_s);

		json_object_set_new(p, "rates", rates__json(&rows[i]));
		json_array_append_new(a, p);
	}
	free(rows);
	return a;
}

json_t *batch__json(const struct fp_snapshot *d, const struct top_info *in)
{
	json_t *drops = json_object();
	struct top_totals t;

	toptotals__compute(d, &t);
	for (int i = 0; i < FP_DROP_MAX; i++)
		if (d->drops[i])
			json_object_set_new(drops, drop__name(i), json_integer((json_int_t)d->drops[i]));
	json_t *o = json_pack("{s:s,s:s,s:I,s:f,s:f,s:f,s:b,s:o,"
			 "s:{s:I,s:I,s:o,s:f},s:o}",
		"schema", FP_SCHEMA_TOP, "version", d->meta.version,
		"interval", (json_int_t)in->seq, "time", in->wall,
		"interval_s", d->interval_s, "uptime_s", in->uptime_s,
		"targets_gone", in->targets_gone, "dropped", drops,
		"self", "bpf_run_ns", (json_int_t)d->bpf_run_ns, "bpf_run_count", (json_int_t)d->bpf_run_cnt,
		"bpf_cpu_pct", in->bpf_stats ? json_real(t.bpf_cpu_pct) : json_null(),
		"cpu_pct", in->self_cpu_pct,
		"processes", procs__json(d));

	if (o)
		json__meta(o, &d->meta);
	return o;
}

int batch__json_line(FILE *f, const struct fp_snapshot *d, const struct top_info *in)
{
	json_t *j = batch__json(d, in);
	int err;

	if (!j)
		return -ENOMEM;
	err = json_dumpf(j, f, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (err || fputc('\n', f) == EOF || fflush(f))
		return -EIO;
	return 0;
}
