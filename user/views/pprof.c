/* `report --format pprof`: the CPU profile as a gzipped profile.proto
 * (proto/pprof.proto, encoded by protobuf-c, compressed by zlib), which
 * `go tool pprof`, Parca and Pyroscope read.  Values per sample: the
 * sample count and the CPU time it estimates (count x period); labels:
 * pid and comm.  Locations are symbolized frames (function, file, line),
 * so the profile needs no binary to be read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "views/report.h"
#include "model/cpu.h"
#include "pprof.pb-c.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;

/* Interned strings, locations (by frame text) and functions (by name and
 * file), each an index with an open-addressing hash. */
struct intern {
	char **v;
	size_t n, cap;
	size_t *slot;		/* index + 1 */
	size_t nslot;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int intern__grow(struct intern *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 1024;
	size_t *slot = calloc(ns, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = hash_str(t->v[i]) & (ns - 1);

		while (slot[h])
			h = (h + 1) & (ns - 1);
		slot[h] = i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	return 0;
}

/* The index of s (added if new); -1 on ENOMEM. */
static long intern__get(struct intern *t, const char *s, bool *added)
{
	size_t h;

	*added = false;
	if ((t->n + 1) * 2 > t->nslot && intern__grow(t))
		return -1;
	for (h = hash_str(s) & (t->nslot - 1); t->slot[h]; h = (h + 1) & (t->nslot - 1))
		if (!strcmp(t->v[t->slot[h] - 1], s))
			return (long)(t->slot[h] - 1);
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		void *v = realloc(t->v, cap * sizeof(*t->v));

		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	if (!(t->v[t->n] = strdup(s)))
		return -1;
	t->slot[h] = ++t->n;
	*added = true;
	return (long)(t->n - 1);
}

static void intern__free(struct intern *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t->slot);
}

struct builder {
	Profile prof;
	struct intern strs, locs, funcs;
	Location **loc;		/* by locs index */
	Function **fn;		/* by funcs index */
	size_t cap_loc, cap_fn;
	size_t cap_sample;
};

static long str_id(struct builder *B, const char *s)
{
	bool added;

	return intern__get(&B->strs, s, &added);
}

/* "main.sum main.go:12" -> fn, file, line; "vfs_read [kernel]" -> file
 * "[kernel]"; "libc.so.6+0x1234" -> fn is the whole text. */
static void split_frame(const char *frame, char *fn, size_t fnlen, char *file, size_t filelen, long *line)
{
	const char *sp = strchr(frame, ' '), *colon;

	*line = 0;
	snprintf(fn, fnlen, "%.*s", sp ? (int)(sp - frame) : (int)strlen(frame), frame);
	file[0] = 0;
	if (!sp)
		return;
	colon = strrchr(sp + 1, ':');
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		snprintf(file, filelen, "%.*s", (int)(colon - sp - 1), sp + 1);
		*line = strtol(colon + 1, NULL, 10);
	} else {
		snprintf(file, filelen, "%s", sp + 1);
	}
}

static long func_id(struct builder *B, const char *fn, const char *file)
{
	char key[640];
	bool added;
	long i;
	Function *f;

	snprintf(key, sizeof(key), "%s\t%s", fn, file);
	i = intern__get(&B->funcs, key, &added);
	if (i < 0 || !added)
		return i;
	if ((size_t)i >= B->cap_fn) {
		size_t cap = B->cap_fn ? B->cap_fn * 2 : 256;
		void *v = realloc(B->fn, cap * sizeof(*B->fn));

		if (!v)
			return -1;
		B->fn = v;
		B->cap_fn = cap;
	}
	f = B->fn[i] = malloc(sizeof(*f));
	if (!f)
		return -1;
	perftools__profiles__function__init(f);
	f->id = (uint64_t)i + 1;
	f->name = f->system_name = str_id(B, fn);
	f->filename = str_id(B, file);
	B->prof.n_function = B->funcs.n;
	return f->name < 0 || f->filename < 0 ? -1 : i;
}

static long loc_id(struct builder *B, const char *frame)
{
	char fn[512], file[512];
	bool added;
	long i, fi, ln;
	Location *l;

	i = intern__get(&B->locs, frame, &added);
	if (i < 0 || !added)
		return i;
	if ((size_t)i >= B->cap_loc) {
		size_t cap = B->cap_loc ? B->cap_loc * 2 : 256;
		void *v = realloc(B->loc, cap * sizeof(*B->loc));

		if (!v)
			return -1;
		B->loc = v;
		B->cap_loc = cap;
	}
	split_frame(frame, fn, sizeof(fn), file, sizeof(file), &ln);
	fi = func_id(B, fn, file);
	l = B->loc[i] = calloc(1, sizeof(*l));
	if (!l || fi < 0)
		return -1;
	perftools__profiles__location__init(l);
	l->id = (uint64_t)i + 1;
	l->line = calloc(1, sizeof(*l->line));
	if (!l->line || !(l->line[0] = malloc(sizeof(Line))))
		return -1;
	perftools__profiles__line__init(l->line[0]);
	l->line[0]->function_id = (uint64_t)fi + 1;
	l->line[0]->line = ln;
	l->n_line = 1;
	B->prof.n_location = B->locs.n;
	return i;
}

static int add_sample(struct builder *B, const struct fp_proc *p, const struct fp_cpu_stack *st, int64_t period)
{
	Sample *s;

	if (B->prof.n_sample == B->cap_sample) {
		size_t cap = B->cap_sample ? B->cap_sample * 2 : 256;
		void *v = realloc(B->prof.sample, cap * sizeof(*B->prof.sample));

		if (!v)
			return -ENOMEM;
		B->prof.sample = v;
		B->cap_sample = cap;
	}
	s = B->prof.sample[B->prof.n_sample] = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	B->prof.n_sample++;
	perftools__profiles__sample__init(s);
	s->location_id = calloc(st->nframes ? st->nframes : 1, sizeof(*s->location_id));
	s->value = calloc(2, sizeof(*s->value));
	s->label = calloc(2, sizeof(*s->label));
	if (!s->location_id || !s->value || !s->label)
		return -ENOMEM;
	for (size_t k = 0; k < st->nframes; k++) {
		long l = loc_id(B, st->frames[k]);

		if (l < 0)
			return -ENOMEM;
		s->location_id[s->n_location_id++] = (uint64_t)l + 1;
	}
	s->value[0] = (int64_t)st->count;
	s->value[1] = (int64_t)st->count * period;
	s->n_value = 2;
	for (int k = 0; k < 2; k++) {
		if (!(s->label[k] = malloc(sizeof(Label))))
			return -ENOMEM;
		perftools__profiles__label__init(s->label[k]);
		s->n_label++;
	}
	s->label[0]->key = str_id(B, "pid");
	s->label[0]->num = p->pid;
	s->label[1]->key = str_id(B, "comm");
	s->label[1]->str = str_id(B, p->comm);
	return 0;
}

static void builder__free(struct builder *B)
{
	for (size_t i = 0; i < B->prof.n_sample; i++) {
		Sample *s = B->prof.sample[i];

		for (size_t k = 0; k < s->n_label; k++)
			free(s->label[k]);
		free(s->label);
		free(s->value);
		free(s->location_id);
		free(s);
	}
	free(B->prof.sample);
	for (size_t i = 0; i < B->prof.n_location; i++) {
		if (B->loc[i] && B->loc[i]->line)
			free(B->loc[i]->line[0]);
		if (B->loc[i])
			free(B->loc[i]->line);
		free(B->loc[i]);
	}
	free(B->loc);
	for (size_t i = 0; i < B->prof.n_function; i++)
		free(B->fn[i]);
	free(B->fn);
	for (size_t i = 0; i < B->prof.n_sample_type; i++)
		free(B->prof.sample_type[i]);
	free(B->prof.sample_type);
	free(B->prof.period_type);
	free(B->prof.comment);
	intern__free(&B->strs);
	intern__free(&B->locs);
	intern__free(&B->funcs);
}

/* gzip (a gzip header, not zlib's) of len bytes into f. */
static int gzip_write(FILE *f, const uint8_t *buf, size_t len)
{
	z_stream z = {};
	uint8_t out[65536];
	int rc;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (uint8_t *)buf;
	z.avail_in = (uInt)len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = deflate(&z, Z_FINISH);
		if (fwrite(out, 1, sizeof(out) - z.avail_out, f) != sizeof(out) - z.avail_out) {
			deflateEnd(&z);
			return -EIO;
		}
	} while (rc == Z_OK);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -EIO;
}

int pprof__write(FILE *f, const struct fp_snapshot *s, char *err, size_t errlen)
{
	struct builder B = {};
	unsigned int hz = 0;
	int64_t period;
	uint8_t *buf = NULL;
	size_t len;
	char note[160];
	int e = -ENOMEM;

	for (size_t i = 0; i < s->nprocs && !hz; i++)
		if (s->procs[i].cpu && s->procs[i].cpu->prof)
			hz = s->procs[i].cpu->prof->hz;
	if (!hz) {
		snprintf(err, errlen, "the recording has no CPU profile: record it with "
			 "'fastpath record --profile' to use --format pprof");
		return -ENOENT;
	}
	period = 1000000000LL / hz;
	perftools__profiles__profile__init(&B.prof);
	if (str_id(&B, "") != 0)
		goto out;
	B.prof.sample_type = calloc(2, sizeof(*B.prof.sample_type));
	B.prof.period_type = malloc(sizeof(ValueType));
	B.prof.comment = calloc(1, sizeof(*B.prof.comment));
	if (!B.prof.sample_type || !B.prof.period_type || !B.prof.comment)
		goto out;
	for (int k = 0; k < 2; k++) {
		if (!(B.prof.sample_type[k] = malloc(sizeof(ValueType))))
			goto out;
		perftools__profiles__value_type__init(B.prof.sample_type[k]);
		B.prof.n_sample_type++;
	}
	B.prof.sample_type[0]->type = str_id(&B, "samples");
	B.prof.sample_type[0]->unit = str_id(&B, "count");
	B.prof.sample_type[1]->type = str_id(&B, "cpu");
	B.prof.sample_type[1]->unit = str_id(&B, "nanoseconds");
	perftools__profiles__value_type__init(B.prof.period_type);
	B.prof.period_type->type = str_id(&B, "cpu");
	B.prof.period_type->unit = str_id(&B, "nanoseconds");
	B.prof.period = period;
	B.prof.default_sample_type = B.prof.sample_type[1]->type;	/* "cpu" */
	B.prof.time_nanos = (int64_t)(s->meta.start_time * 1e9);
	B.prof.duration_nanos = (int64_t)(s->meta.duration_s * 1e9);
	snprintf(note, sizeof(note), "fastpath %s: sampled at %u Hz per CPU (cpu-clock); a count n is +-sqrt(n)",
		 s->meta.version, hz);
	B.prof.comment[0] = str_id(&B, note);
	B.prof.n_comment = 1;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct fp_proc *p = &s->procs[i];
		const struct fp_cpu_prof *prof = p->cpu ? p->cpu->prof : NULL;

		for (size_t j = 0; prof && j < prof->nstacks; j++)
			if ((e = add_sample(&B, p, &prof->stacks[j], 1000000000LL / (prof->hz ? prof->hz : hz))))
				goto out;
	}
	e = -ENOMEM;
	B.prof.string_table = B.strs.v;
	B.prof.n_string_table = B.strs.n;
	B.prof.location = B.loc;
	B.prof.function = B.fn;
	len = perftools__profiles__profile__get_packed_size(&B.prof);
	buf = malloc(len ? len : 1);
	if (!buf)
		goto out;
	perftools__profiles__profile__pack(&B.prof, buf);
	e = gzip_write(f, buf, len);
out:
	B.prof.string_table = NULL;
	free(buf);
	builder__free(&B);
	if (e == -ENOMEM)
		snprintf(err, errlen, "out of memory building the profile");
	return e;
}
