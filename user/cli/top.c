/* fastpath top: the live view.  Every interval it reads the probes into a
 * fresh cumulative snapshot, takes the difference with the previous one,
 * evaluates the findings on that interval, and hands it to a view: the
 * ncurses one (views/tui.c) on a terminal, plain text or JSON lines
 * (views/batch.c) otherwise.
 *
 * Findings are evaluated on the interval, not on the cumulative counts: top
 * answers "what is it doing now", so a flag goes out once the behaviour
 * stops, and a storm that started a minute ago is not diluted by an hour of
 * calm before it.  `record` evaluates the whole recording instead. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "cli/commands.h"
#include "cli/session.h"
#include "util/err.h"
#include "views/batch.h"
#include "views/tui.h"

struct sampler {
	struct fp_session *S;
	struct fp_snapshot *prev;	/* cumulative, at the last read */
	double cpu_prev;		/* fastpath's user+sys seconds then */
	long seq;
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The first interval starts at attach: an empty snapshot stamped then, so
 * nothing counted before the first read is lost. */
static int sampler__init(struct sampler *sm, struct fp_session *S)
{
	memset(sm, 0, sizeof(*sm));
	sm->S = S;
	sm->prev = snapshot__new();
	if (!sm->prev)
		return -ENOMEM;
	sm->prev->ts_ns = S->start_mono;
	sm->cpu_prev = self_cpu_s();
	return 0;
}

/* The interval since the last step, with its findings; *out is the
 * caller's. */
static int sampler__step(struct sampler *sm, struct fp_snapshot **out, struct top_info *in)
{
	struct fp_snapshot *cur, *d;
	double cpu;
	int err;

	err = session__snapshot(sm->S, sm->prev, &d, &cur);
	if (err)
		return err;
	cpu = self_cpu_s();
	memset(in, 0, sizeof(*in));
	in->seq = ++sm->seq;
	in->wall = now_wall();
	in->uptime_s = session__elapsed(sm->S);
	in->interval_s = sm->S->opts->interval_s;
	in->self_cpu_pct = d->interval_s > 0 ? 100.0 * (cpu - sm->cpu_prev) / d->interval_s : 0;
	/* With statistics on, some program of ours has always run by now. */
	in->bpf_stats = cur->bpf_run_cnt > 0;
	in->targets_gone = session__targets_gone(sm->S);
	sm->cpu_prev = cpu;
	snapshot__free(sm->prev);
	sm->prev = cur;
	*out = d;
	return 0;
}

static void sampler__end(struct sampler *sm)
{
	snapshot__free(sm->prev);
	sm->prev = NULL;
}

/* One interval to the view.  -EPIPE: the reader of batch output left. */
static int top__emit(struct fp_opts *o, struct tui *T, struct fp_snapshot *d, const struct top_info *in)
{
	int err = 0;

	if (T) {
		tui__update(T, d, in);	/* takes d */
		return 0;
	}
	if (o->json)
		err = batch__json_line(stdout, d, in);
	else
		batch__text(stdout, d, in);
	if (!err && ferror(stdout))
		err = -EIO;
	snapshot__free(d);
	return err ? -EPIPE : 0;
}

/* Until q, a signal, -n intervals, -d, or (batch) every target gone. */
static int top__loop(struct fp_opts *o, struct fp_session *S, struct sampler *sm, struct tui *T)
{
	double next = now_mono() + o->interval_s, left;
	struct fp_snapshot *d;
	struct top_info in;
	bool last = false;
	int err;

	for (;;) {
		left = next - now_mono();
		if (fp_stop) {
			if (T)
				return 0;
			last = true;	/* batch: the partial interval, so totals add up */
		} else if (T && left > 0) {
			session__poll(S);
			if (tui__poll(T, left > 0.25 ? 250 : (int)(left * 1000) + 1))
				return 0;
			continue;
		} else if (left > 0) {
			session__wait(S, left);
			if (fp_stop)
				last = true;
			else if (!session__targets_gone(S))
				continue;
		}
		if (o->duration_s > 0 && session__elapsed(S) >= o->duration_s)
			last = true;
		err = sampler__step(sm, &d, &in);
		if (err)
			return err;
		if (!T && in.targets_gone)
			last = true;
		err = top__emit(o, T, d, &in);
		if (err)
			return err;
		if (last || (o->count && sm->seq >= o->count))
			return 0;
		next += o->interval_s;
		if (next < now_mono())
			next = now_mono() + o->interval_s;	/* fell behind: no burst */
	}
}

int cmd_top(int argc, char **argv)
{
	struct fp_session S = {};
	struct sampler sm = {};
	struct tui *T = NULL;
	struct fp_opts o;
	bool interactive;
	int err;

	err = opts__parse(&o, "top", argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	if (o.json)
		o.batch = true;
	interactive = !o.batch && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	o.probe.bpf_stats = true;	/* the header's self-cost */
	/* Intervals only: an exited process counts in the interval it ended
	 * in, then its reaped totals are let go (bounded memory under churn). */
	o.probe.transient = true;
	session__signals();
	err = session__start(&S, &o);
	if (err)
		return 1;
	err = sampler__init(&sm, &S);
	if (!err && interactive) {
		err = tui__open(&T, o.interval_s);
		if (err) {
			fp_err("cannot take over the terminal (TERM=%s): use 'fastpath top -b' for plain text",
			       getenv("TERM") ?: "unset");
			goto cleanup;
		}
	}
	if (!err)
		err = top__loop(&o, &S, &sm, T);
	/* The terminal first, so the message below is seen. */
	tui__close(T);
	T = NULL;
	if (err == -EPIPE)
		err = 0;	/* `top -b | head`: the reader has what it wanted */
	else if (err)
		fp_err("cannot read the probes' maps: %s", strerror(-err));
cleanup:
	tui__close(T);
	sampler__end(&sm);
	session__end(&S);
	return err ? 1 : 0;
}
