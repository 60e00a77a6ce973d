/* JSON of the "alloc" section of a process (docs/json-schema.md). */
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/json.h"
#include "model/alloc.h"
#include "model/alloc_site.h"

#define FP_JSON_TOP_SITES 50

static json_t *libc_json(const struct fp_alloc_stats *s)
{
	json_t *o = json_object();

	for (int i = 0; i < FP_ALLOC_LIBC_FNS; i++)
		json_object_set_new(o, alloc__fn_name(i), json_pack("{s:I,s:I}",
			"calls", (json_int_t)s->fn[i].calls, "bytes", (json_int_t)s->fn[i].bytes));
	return o;
}

static json_t *go_json(const struct fp_alloc_go *g)
{
	json_t *o = json_pack("{s:s,s:I,s:I,s:b,s:b}", "mode", alloc__go_mode_name(g->mode),
		"calls", (json_int_t)g->calls, "bytes", (json_int_t)g->bytes,
		"estimated", g->estimated, "complete", g->complete);

	json__set_str(o, "version", g->version);	/* read from the binary */

	if (g->mode == FP_GO_SAMPLED) {
		json_object_set_new(o, "profile_rate", g->rate >= 0 ? json_integer(g->rate) : json_null());
		json_object_set_new(o, "samples", json_integer((json_int_t)g->samples));
		json_object_set_new(o, "calls_error", json_integer((json_int_t)llround(sqrt(g->calls_var))));
		json_object_set_new(o, "bytes_error", json_integer((json_int_t)llround(sqrt(g->bytes_var))));
	} else {
		json_object_set_new(o, "size_specialised_calls", json_integer((json_int_t)g->sc_calls));
	}
	json__set_str(o, "entry_points", g->entries[0] ? g->entries : NULL);
	return o;
}

static json_t *sites_json(const struct fp_alloc_stats *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->nsites && i < FP_JSON_TOP_SITES; i++) {
		const struct fp_alloc_site *site = &s->sites[i];
		json_t *o = json_object();

		/* symbols of the target's binaries: frames_b64 when not UTF-8 */
		json__set_strs(o, "frames", site->frames, site->nframes);
		json_object_set_new(o, "calls", json_integer((json_int_t)site->calls));
		json_object_set_new(o, "bytes", json_integer((json_int_t)site->bytes));
		json__set_str(o, "caller", alloc_site__caller(site));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *json_alloc__from(const struct fp_alloc_stats *s, double window_s)
{
	json_t *o = json_pack("{s:I,s:I,s:b}", "calls", (json_int_t)alloc_stats__calls(s),
			      "bytes", (json_int_t)alloc_stats__bytes(s), "estimated", alloc_stats__estimated(s));

	if (s->libc)
		json_object_set_new(o, "libc", libc_json(s));
	if (s->go.mode != FP_GO_NONE)
		json_object_set_new(o, "go", go_json(&s->go));
	json_object_set_new(o, "size_bytes", json__hist(&s->size));
	json_object_set_new(o, "top_sites", sites_json(s));
	json__set_str(o, "notes", s->notes);
	return o;
}

static int bad(char *err, size_t errlen, const char *where, const char *what)
{
	snprintf(err, errlen, "alloc.%s: %s", where, what);
	return -EINVAL;
}

static uint64_t u64(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static int parse_libc(json_t *j, struct fp_alloc_stats *s, char *err, size_t errlen)
{
	const char *name;
	json_t *v;
	int i;

	if (!json_is_object(j))
		return bad(err, errlen, "libc", "expected an object");
	s->libc = true;
	json_object_foreach(j, name, v) {
		if ((i = alloc__fn_index(name)) < 0)
			return bad(err, errlen, "libc", "unknown function name");
		s->fn[i].calls = u64(v, "calls");
		s->fn[i].bytes = u64(v, "bytes");
	}
	return 0;
}

static int parse_go(json_t *j, struct fp_alloc_go *g, char *err, size_t errlen)
{
	const char *mode = json_string_value(json_object_get(j, "mode"));
	json_t *rate = json_object_get(j, "profile_rate");
	char *raw;

	if (!json_is_object(j) || !mode || alloc__go_mode_index(mode) < 0)
		return bad(err, errlen, "go.mode", "expected \"exact\" or \"sampled\"");
	g->mode = alloc__go_mode_index(mode);
	snprintf(g->version, sizeof(g->version), "%s", json__get_str(j, "version", &raw) ?: "");
	free(raw);
	g->calls = u64(j, "calls");
	g->bytes = u64(j, "bytes");
	g->estimated = json_is_true(json_object_get(j, "estimated"));
	g->complete = json_is_true(json_object_get(j, "complete"));
	g->rate = json_is_integer(rate) ? json_integer_value(rate) : -1;
	g->samples = u64(j, "samples");
	g->calls_var = pow((double)u64(j, "calls_error"), 2);
	g->bytes_var = pow((double)u64(j, "bytes_error"), 2);
	g->sc_calls = u64(j, "size_specialised_calls");
	snprintf(g->entries, sizeof(g->entries), "%s", json__get_str(j, "entry_points", &raw) ?: "");
	free(raw);
	return 0;
}

static int parse_sites(json_t *j, struct fp_alloc_stats *s, char *err, size_t errlen)
{
	json_t *site, *frames, *f;
	size_t i, k;
	int e;

	if (!j)
		return 0;
	if (!json_is_array(j))
		return bad(err, errlen, "top_sites", "expected an array");
	json_array_foreach(j, i, site) {
		const char **names;
		char **raw;

		frames = json_object_get(site, "frames");
		if (!json_is_array(frames))
			return bad(err, errlen, "top_sites[].frames", "expected an array");
		names = calloc(json_array_size(frames) + 1, sizeof(*names));
		raw = calloc(json_array_size(frames) + 1, sizeof(*raw));
		if (!names || !raw) {
			free(names);
			free(raw);
			return -ENOMEM;
		}
		json_array_foreach(frames, k, f)
			names[k] = json__get_strs_at(site, "frames", k, &raw[k]) ?: "?";
		e = alloc_stats__add_site(s, names, json_array_size(frames), u64(site, "calls"), u64(site, "bytes"));
		for (k = 0; k < json_array_size(frames); k++)
			free(raw[k]);
		free(names);
		free(raw);
		if (e)
			return e;
	}
	return 0;
}

int json_alloc__parse(json_t *j, struct fp_alloc_stats **out, char *err, size_t errlen)
{
	struct fp_alloc_stats *s;
	json_t *sec;
	const char *notes;
	char *raw;
	int e = 0;

	if (!json_is_object(j))
		return bad(err, errlen, "", "expected an object");
	s = alloc_stats__new();
	if (!s)
		return -ENOMEM;
	if ((sec = json_object_get(j, "libc")))
		e = parse_libc(sec, s, err, errlen);
	if (!e && (sec = json_object_get(j, "go")))
		e = parse_go(sec, &s->go, err, errlen);
	if (!e && (sec = json_object_get(j, "size_bytes")))
		e = json__parse_hist(sec, &s->size, err, errlen);
	if (!e)
		e = parse_sites(json_object_get(j, "top_sites"), s, err, errlen);
	notes = json__get_str(j, "notes", &raw);
	if (!e && notes)
		e = alloc_stats__add_note(s, notes);
	free(raw);
	if (e) {
		alloc_stats__free(s);
		return e;
	}
	*out = s;
	return 0;
}
