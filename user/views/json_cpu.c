/* JSON of the "cpu" section of a process (docs/json-schema.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "model/cpu.h"

static int bad(char *err, size_t errlen, const char *where, const char *what);

json_t *json_cpu__from(const struct fp_cpu_stats *s, double window_s)
{
	uint64_t user = cpu_stats__user_ns(s), sys = cpu_stats__system_ns(s);
	double pct = cpu_stats__pct(s->run_ns, window_s);
	json_t *o = json_pack("{s:I,s:I,s:I,s:f,s:f}", "on_cpu_ns", (json_int_t)s->run_ns,
			      "user_ns", (json_int_t)user, "system_ns", (json_int_t)sys,
			      "user_seconds", user / 1e9, "system_seconds", sys / 1e9);

	json_object_set_new(o, "percent", isnan(pct) ? json_null() : json_real(pct));
	if (s->prof)
		json_object_set_new(o, "profile", json_cpu__profile(s->prof));
	return o;
}

static int bad(char *err, size_t errlen, const char *where, const char *what)
{
	snprintf(err, errlen, "cpu.%s: %s", where, what);
	return -EINVAL;
}

static int get_ns(json_t *j, const char *key, uint64_t *v, char *err, size_t errlen)
{
	json_t *x = json_object_get(j, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return bad(err, errlen, key, "expected a non-negative integer");
	*v = (uint64_t)json_integer_value(x);
	return 0;
}

int json_cpu__parse(json_t *j, struct fp_cpu_stats **out, char *err, size_t errlen)
{
	struct fp_cpu_stats *s;
	int e;

	if (!json_is_object(j))
		return bad(err, errlen, "", "expected an object");
	s = cpu_stats__new();
	if (!s)
		return -ENOMEM;
	/* The split is already scaled: keep it as the ratio. */
	if ((e = get_ns(j, "on_cpu_ns", &s->run_ns, err, errlen)) ||
	    (e = get_ns(j, "user_ns", &s->utime_ns, err, errlen)) ||
	    (e = get_ns(j, "system_ns", &s->stime_ns, err, errlen)) ||
	    (json_object_get(j, "profile") &&
	     (e = json_cpu__parse_profile(json_object_get(j, "profile"), &s->prof, err, errlen)))) {
		cpu_stats__free(s);
		return e;
	}
	*out = s;
	return 0;
}

/* ---- the profile ---------------------------------------------------- */

static const char *const kind_names[] = { "plain", "bounds_check", "back_edge" };

static json_t *ranked_json(const struct fp_cpu_prof *p, bool by_line)
{
	struct fp_prof_count c[2 * FP_PROF_TOP];
	size_t n = cpu_prof__rank(p, by_line, c, 2 * FP_PROF_TOP);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s%,s:I,s:I,s:f,s:f}", by_line ? "line" : "function", c[i].name, c[i].len,
				      "self", (json_int_t)c[i].self, "total", (json_int_t)c[i].total,
				      "self_percent", p->samples ? 100.0 * c[i].self / p->samples : 0.0,
				      "self_percent_error", cpu_prof__share_err(c[i].self, p->samples));

		json_array_append_new(a, o);
	}
	return a;
}

json_t *json_cpu__stacks(const struct fp_cpu_prof *p, const char *weight)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nstacks && i < FP_PROF_JSON_STACKS; i++) {
		const struct fp_cpu_stack *s = &p->stacks[i];
		json_t *o = json_object();

		/* symbols of the target's binaries: frames_b64 when not UTF-8 */
		json__set_strs(o, "frames", s->frames, s->nframes);
		json_object_set_new(o, "kernel_frames", json_integer((json_int_t)s->nkernel));
		json_object_set_new(o, weight, json_integer((json_int_t)s->count));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *annot_json(const struct fp_cpu_annot *an)
{
	json_t *insns = json_array();

	for (size_t i = 0; i < an->ninsns; i++) {
		const struct fp_cpu_insn *in = &an->insns[i];
		json_t *o = json_pack("{s:I,s:I}", "offset", (json_int_t)in->off, "samples", (json_int_t)in->count);

		json__set_str(o, "text", in->text);
		json__set_str(o, "line", in->line);	/* a source path of the binary */
		json_object_set_new(o, "kind", json_string(kind_names[in->kind]));

		if (in->kind != FP_INSN_PLAIN)
			json_object_set_new(o, "target", json_integer((json_int_t)in->target));
		if (in->callee[0])
			json__set_str(o, "callee", in->callee);
		json_array_append_new(insns, o);
	}
	json_t *o = json_pack("{s:I,s:o}", "samples", (json_int_t)an->samples, "instructions", insns);

	if (o)
		json__set_str(o, "function", an->function);
	return o;
}

json_t *json_cpu__profile(const struct fp_cpu_prof *p)
{
	uint64_t kept = 0;
	json_t *o, *an = json_array();

	for (size_t i = 0; i < p->nstacks && i < FP_PROF_JSON_STACKS; i++)
		kept += p->stacks[i].count;
	o = json_pack("{s:i,s:I,s:f,s:f}", "hz", p->hz, "samples", (json_int_t)p->samples,
		      "seconds_estimate", p->hz ? (double)p->samples / p->hz : 0.0,
		      "seconds_error", p->hz ? sqrt((double)p->samples) / p->hz : 0.0);
	json_object_set_new(o, "functions", ranked_json(p, false));
	json_object_set_new(o, "lines", ranked_json(p, true));
	json_object_set_new(o, "stacks", json_cpu__stacks(p, "count"));
	json_object_set_new(o, "stacks_omitted_samples", json_integer((json_int_t)(p->samples > kept ? p->samples - kept : 0)));
	for (size_t i = 0; i < p->nannots; i++)
		json_array_append_new(an, annot_json(&p->annots[i]));
	json_object_set_new(o, "annotate", an);
	return o;
}

static uint64_t u64_of(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

int json_cpu__parse_stacks(json_t *j, struct fp_cpu_prof *p, const char *weight, const char *where, char *err,
			   size_t errlen)
{
	json_t *st, *frames, *f;
	size_t i, k;
	int e;

	if (!json_is_array(j))
		return json__bad(err, errlen, where, "expected an array");
	json_array_foreach(j, i, st) {
		const char **names;
		char **raw;

		frames = json_object_get(st, "frames");
		if (!json_is_array(frames))
			return json__bad(err, errlen, where, "expected an array of frames in each stack");
		names = calloc(json_array_size(frames) + 1, sizeof(*names));
		raw = calloc(json_array_size(frames) + 1, sizeof(*raw));
		if (!names || !raw) {
			free(names);
			free(raw);
			return -ENOMEM;
		}
		json_array_foreach(frames, k, f)
			names[k] = json__get_strs_at(st, "frames", k, &raw[k]) ?: "?";
		e = cpu_prof__add(p, names, json_array_size(frames), u64_of(st, "kernel_frames"), u64_of(st, weight));
		for (k = 0; k < json_array_size(frames); k++)
			free(raw[k]);
		free(names);
		free(raw);
		if (e)
			return e;
	}
	return 0;
}

static int parse_annot(json_t *j, struct fp_cpu_prof *p, char *err, size_t errlen)
{
	json_t *an, *insns, *in;
	size_t i, k;

	if (!json_is_array(j))
		return bad(err, errlen, "profile.annotate", "expected an array");
	json_array_foreach(j, i, an) {
		struct fp_cpu_annot a = {};
		char *raw;
		const char *fn = json__get_str(an, "function", &raw);

		insns = json_object_get(an, "instructions");
		if (!fn || !json_is_array(insns)) {
			free(raw);
			return bad(err, errlen, "profile.annotate[]", "expected function and instructions");
		}
		a.function = strdup(fn);
		free(raw);
		a.insns = calloc(json_array_size(insns) + 1, sizeof(*a.insns));
		if (!a.function || !a.insns) {
			free(a.function);
			free(a.insns);
			return -ENOMEM;
		}
		a.samples = u64_of(an, "samples");
		json_array_foreach(insns, k, in) {
			struct fp_cpu_insn *d = &a.insns[a.ninsns++];
			const char *kind = json_string_value(json_object_get(in, "kind")) ?: "plain";

			d->off = u64_of(in, "offset");
			d->count = u64_of(in, "samples");
			d->target = u64_of(in, "target");
			snprintf(d->text, sizeof(d->text), "%s", json__get_str(in, "text", &raw) ?: "");
			free(raw);
			snprintf(d->line, sizeof(d->line), "%s", json__get_str(in, "line", &raw) ?: "");
			free(raw);
			snprintf(d->callee, sizeof(d->callee), "%s", json__get_str(in, "callee", &raw) ?: "");
			free(raw);
			for (int n = 0; n < 3; n++)
				if (!strcmp(kind, kind_names[n]))
					d->kind = n;
		}
		if (cpu_prof__add_annot(p, &a)) {
			free(a.function);
			free(a.insns);
			return -ENOMEM;
		}
	}
	return 0;
}

int json_cpu__parse_profile(json_t *j, struct fp_cpu_prof **out, char *err, size_t errlen)
{
	struct fp_cpu_prof *p;
	json_t *sec;
	int e = 0;

	if (!json_is_object(j))
		return bad(err, errlen, "profile", "expected an object");
	p = cpu_prof__new((unsigned int)u64_of(j, "hz"));
	if (!p)
		return -ENOMEM;
	if ((sec = json_object_get(j, "stacks")))
		e = json_cpu__parse_stacks(sec, p, "count", "cpu.profile.stacks", err, errlen);
	if (!e && (sec = json_object_get(j, "annotate")))
		e = parse_annot(sec, p, err, errlen);
	if (e) {
		cpu_prof__free(p);
		return e;
	}
	cpu_prof__finish(p);
	/* Stacks a recording left out still count in the totals. */
	p->omitted = u64_of(j, "stacks_omitted_samples");
	p->samples += p->omitted;
	*out = p;
	return 0;
}
