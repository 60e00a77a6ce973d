/* JSON of the "wait" section of a process: scheduler waits, run-queue delay
 * and off-CPU time (docs/json-schema.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include "views/json.h"
#include "model/sched.h"

static json_t *hist_json(const struct fp_hist *h)
{
	json_t *o = json__hist(h);

	json_object_set_new(o, "p999", json_integer((json_int_t)hist__percentile(h, 0.999)));
	return o;
}

json_t *json_sched__from(const struct fp_sched_stats *s, double window_s)
{
	double share = sched_stats__off_share(s);
	json_t *blocks = json_array();
	json_t *o = json_pack("{s:I,s:I}", "on_cpu_ns", (json_int_t)s->on_ns, "preemptions",
			      (json_int_t)s->preempt);

	json_object_set_new(o, "run_queue", hist_json(&s->rq));
	json_object_set_new(o, "off_cpu", hist_json(&s->off));
	json_object_set_new(o, "off_cpu_percent", isnan(share) ? json_null() : json_real(share * 100));
	for (size_t i = 0; i < s->nblocks; i++) {
		const struct fp_sched_block *b = &s->blocks[i];

		json_array_append_new(blocks, json_pack("{s:s,s:I,s:I,s:I}", "syscall", sched__block_name(b->nr),
							"count", (json_int_t)b->count, "ns", (json_int_t)b->ns,
							"max_ns", (json_int_t)b->max_ns));
	}
	json_object_set_new(o, "blocked_in", blocks);
	if (s->stacks)
		json_object_set_new(o, "off_cpu_stacks", json_cpu__stacks(s->stacks, "ns"));
	return o;
}

static int parse_blocks(json_t *a, struct fp_sched_stats *s, char *err, size_t errlen)
{
	size_t i;
	json_t *b;

	if (!json_is_array(a))
		return json__bad(err, errlen, "wait.blocked_in", "expected an array");
	json_array_foreach(a, i, b) {
		const char *name = json_string_value(json_object_get(b, "syscall"));
		uint64_t count, ns, max;
		int nr = name ? sched__block_nr(name) : -2, e;

		if (nr == -2)
			return json__bad(err, errlen, "wait.blocked_in.syscall", "expected a syscall name or \"none\"");
		if ((e = json__get_u64(b, "count", &count, err, errlen, "wait.blocked_in")) ||
		    (e = json__get_u64(b, "ns", &ns, err, errlen, "wait.blocked_in")) ||
		    (e = json__get_u64(b, "max_ns", &max, err, errlen, "wait.blocked_in")))
			return e;
		if ((e = sched_stats__add_block(s, nr, count, ns, max)))
			return e;
	}
	return 0;
}

static int parse_stacks(json_t *a, struct fp_sched_stats *s, char *err, size_t errlen)
{
	int e;

	if (!a)
		return 0;	/* recorded without --waits=stacks */
	if (!(s->stacks = cpu_prof__new(0)))
		return -ENOMEM;
	e = json_cpu__parse_stacks(a, s->stacks, "ns", "wait.off_cpu_stacks", err, errlen);
	cpu_prof__finish(s->stacks);
	return e;
}

int json_sched__parse(json_t *j, struct fp_sched_stats **out, char *err, size_t errlen)
{
	struct fp_sched_stats *s;
	int e;

	if (!json_is_object(j))
		return json__bad(err, errlen, "wait", "expected an object");
	s = sched_stats__new();
	if (!s)
		return -ENOMEM;
	if ((e = json__get_u64(j, "on_cpu_ns", &s->on_ns, err, errlen, "wait")) ||
	    (e = json__get_u64(j, "preemptions", &s->preempt, err, errlen, "wait")) ||
	    (e = json__parse_hist(json_object_get(j, "run_queue"), &s->rq, err, errlen)) ||
	    (e = json__parse_hist(json_object_get(j, "off_cpu"), &s->off, err, errlen)) ||
	    (e = parse_blocks(json_object_get(j, "blocked_in"), s, err, errlen)) ||
	    (e = parse_stacks(json_object_get(j, "off_cpu_stacks"), s, err, errlen))) {
		sched_stats__free(s);
		return e;
	}
	sched_stats__sort(s);
	*out = s;
	return 0;
}
