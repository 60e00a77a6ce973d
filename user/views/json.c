#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "views/json.h"
#include "model/syscalls.h"
#include "model/cgroup.h"

static json_t *json__syscalls(const struct fp_proc *p)
{
	json_t *o = json_object();

	for (size_t i = 0; i < p->nsys; i++) {
		const struct fp_sys_stat *s = &p->sys[i];

		json_object_set_new(o, syscall__name(s->nr), json_pack("{s:I,s:I,s:I,s:o}",
			"calls", (json_int_t)s->calls, "errors", (json_int_t)s->errors,
			"total_ns", (json_int_t)s->total_ns, "latency_ns", json__hist(&s->lat)));
	}
	return o;
}

static json_t *json__findings(const struct fp_proc *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nfindings; i++) {
		const struct fp_finding *f = &p->findings[i];

		json_t *o = json_object();

		json__set_str(o, "kind", f->kind);
		json__set_str(o, "severity", f->severity);
		json__set_str(o, "summary", f->summary);
		json__set_str(o, "detail", f->detail);
		json_array_append_new(a, o);
	}
	return a;
}

/* Where the process runs: its cgroup (a name others chose: cgroup_b64 when
 * not UTF-8), the container derived from it, and its namespace pid. */
static void json__where(json_t *o, const struct fp_proc *p)
{
	struct fp_container c;

	if (p->nspid)
		json_object_set_new(o, "nspid", json_integer(p->nspid));
	if (!p->cgroup)
		return;
	json__set_str(o, "cgroup", p->cgroup);
	if (cgroup__parse(p->cgroup, &c)) {
		json_t *ctr = json_object();

		json__set_str(ctr, "runtime", c.runtime);
		json__set_str(ctr, "id", c.id);
		json_object_set_new(o, "container", ctr);
	} else if (c.runtime[0]) {
		json__set_str(o, "unit", c.id);
	}
}

json_t *json__proc(const struct fp_proc *p, double window_s)
{
	json_t *o = json_pack("{s:i,s:i}", "pid", p->pid, "ppid", p->ppid);

	/* the process chose both: comm_b64/exe_b64 when not UTF-8 */
	json__set_str(o, "comm", p->comm);
	json__set_str(o, "exe", p->exe);
	json__where(o, p);
	json_object_set_new(o, "exited", json_boolean(p->exited));
	/* the denominator of this process's rates (snapshot__proc_secs) */
	json_object_set_new(o, "traced_s", json_real(window_s));

	if (p->exited)
		json_object_set_new(o, "exit_code", json_integer(p->exit_code));
	json_object_set_new(o, "syscalls", json__syscalls(p));
	if (p->io)
		json_object_set_new(o, "io", json_io__from(p->io, window_s));
	if (p->stat)
		json_object_set_new(o, "stat", json_stat__from(p->stat, window_s));
	if (p->alloc)
		json_object_set_new(o, "alloc", json_alloc__from(p->alloc, window_s));
	if (p->cpu)
		json_object_set_new(o, "cpu", json_cpu__from(p->cpu, window_s));
	if (p->gopark)
		json_object_set_new(o, "gopark", json_gopark__from(p->gopark, window_s));
	if (p->sched)
		json_object_set_new(o, "wait", json_sched__from(p->sched, window_s));
	json_object_set_new(o, "findings", json__findings(p));
	return o;
}

json_t *json__record(const struct fp_snapshot *s)
{
	json_t *procs = json_array(), *drops = json_object();

	for (size_t i = 0; i < s->nprocs; i++)
		json_array_append_new(procs, json__proc(&s->procs[i], snapshot__proc_secs(s, &s->procs[i])));
	for (int i = 0; i < FP_DROP_MAX; i++)
		if (s->drops[i])
			json_object_set_new(drops, drop__name(i), json_integer((json_int_t)s->drops[i]));
	json_t *o = json_pack("{s:s,s:s,s:f,s:f,s:o,s:{s:I,s:I},s:o}",
		"schema", FP_SCHEMA_RECORD, "version", s->meta.version,
		"start_time", s->meta.start_time, "duration_s", s->meta.duration_s, "dropped", drops,
		"self", "bpf_run_ns", (json_int_t)s->bpf_run_ns, "bpf_run_count", (json_int_t)s->bpf_run_cnt,
		"processes", procs);

	if (o)
		json__meta(o, &s->meta);
	return o;
}

int json__write_record(FILE *f, const struct fp_snapshot *s)
{
	json_t *j = json__record(s);
	int err;

	if (!j)
		return -ENOMEM;
	err = json_dumpf(j, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(j);
	return err ? -EIO : 0;
}

/* ---- reading ------------------------------------------------------------ */

static int parse_syscalls(json_t *o, struct fp_proc *p, char *err, size_t errlen, const char *where)
{
	const char *name;
	json_t *v;
	char w[256];
	int nr, e;

	if (!json_is_object(o))
		return json__bad(err, errlen, where, "syscalls: expected an object");
	json_object_foreach(o, name, v) {
		struct fp_sys_stat *s;

		snprintf(w, sizeof(w), "%s.syscalls.%s", where, name);
		nr = syscall__nr(name);
		if (nr < 0)
			return json__bad(err, errlen, w, "unknown syscall name");
		s = proc__sys(p, nr, true);
		if (!s)
			return -ENOMEM;
		if ((e = json__get_u64(v, "calls", &s->calls, err, errlen, w)) ||
		    (e = json__get_u64(v, "errors", &s->errors, err, errlen, w)) ||
		    (e = json__get_u64(v, "total_ns", &s->total_ns, err, errlen, w)))
			return e;
		e = json__parse_hist(json_object_get(v, "latency_ns"), &s->lat, err, errlen);
		if (e)
			return e;
	}
	proc__sort_sys(p);
	return 0;
}

static int parse_findings(json_t *a, struct fp_proc *p, char *err, size_t errlen, const char *where)
{
	json_t *f;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return json__bad(err, errlen, where, "findings: expected an array");
	json_array_foreach(a, i, f) {
		char *raw[4];
		const char *k = json__get_str(f, "kind", &raw[0]);
		const char *sev = json__get_str(f, "severity", &raw[1]);
		const char *sum = json__get_str(f, "summary", &raw[2]);
		const char *det = json__get_str(f, "detail", &raw[3]);
		int e = !k ? json__bad(err, errlen, where, "findings[]: kind missing")
			   : proc__add_finding(p, k, sev ?: "info", sum, det) ? -ENOMEM : 0;

		for (int r = 0; r < 4; r++)
			free(raw[r]);
		if (e)
			return e;
	}
	return 0;
}

static int parse_proc(json_t *o, struct fp_snapshot *s, size_t idx, char *err, size_t errlen)
{
	char where[64];
	struct fp_proc *p;
	json_t *pid = json_object_get(o, "pid"), *sec;
	const char *comm, *exe;
	char *raw;
	int e;

	snprintf(where, sizeof(where), "processes[%zu]", idx);
	if (!json_is_object(o))
		return json__bad(err, errlen, where, "expected an object");
	if (!json_is_integer(pid))
		return json__bad(err, errlen, where, "pid: expected an integer");
	p = snapshot__proc(s, (int)json_integer_value(pid), true);
	if (!p)
		return -ENOMEM;
	p->ppid = (int)json_integer_value(json_object_get(o, "ppid"));
	comm = json__get_str(o, "comm", &raw);
	if (!comm)
		return json__bad(err, errlen, where, "comm: expected a string");
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	free(raw);
	exe = json__get_str(o, "exe", &raw);
	p->exe = exe ? strdup(exe) : NULL;
	free(raw);
	exe = json__get_str(o, "cgroup", &raw);
	p->cgroup = exe ? strdup(exe) : NULL;
	free(raw);
	p->nspid = (int)json_integer_value(json_object_get(o, "nspid"));
	p->exited = json_is_true(json_object_get(o, "exited"));
	p->exit_code = (int)json_integer_value(json_object_get(o, "exit_code"));
	p->traced_s = json_number_value(json_object_get(o, "traced_s"));
	e = parse_syscalls(json_object_get(o, "syscalls"), p, err, errlen, where);
	if (!e && (sec = json_object_get(o, "io")))
		e = json_io__parse(sec, &p->io, err, errlen);
	if (!e && (sec = json_object_get(o, "stat")))
		e = json_stat__parse(sec, &p->stat, err, errlen);
	if (!e && (sec = json_object_get(o, "alloc")))
		e = json_alloc__parse(sec, &p->alloc, err, errlen);
	if (!e && (sec = json_object_get(o, "cpu")))
		e = json_cpu__parse(sec, &p->cpu, err, errlen);
	if (!e && (sec = json_object_get(o, "gopark")))
		e = json_gopark__parse(sec, &p->gopark, err, errlen);
	if (!e && (sec = json_object_get(o, "wait")))
		e = json_sched__parse(sec, &p->sched, err, errlen);
	if (!e)
		e = parse_findings(json_object_get(o, "findings"), p, err, errlen, where);
	return e;
}

static int parse_record(json_t *root, struct fp_snapshot *s, char *err, size_t errlen)
{
	const char *schema = json_string_value(json_object_get(root, "schema"));
	json_t *procs, *p, *drops, *v;
	const char *k;
	size_t i;
	int e;

	if (!json_is_object(root))
		return json__bad(err, errlen, "top level", "expected a JSON object (a fastpath recording)");
	if (!schema)
		return json__bad(err, errlen, "schema", "missing: not a fastpath recording");
	if (strcmp(schema, FP_SCHEMA_RECORD)) {
		snprintf(err, errlen, "schema is \"%s\", expected \"%s\"", schema, FP_SCHEMA_RECORD);
		return -EINVAL;
	}
	snprintf(s->meta.version, sizeof(s->meta.version), "%s", json_string_value(json_object_get(root, "version")) ?: "");
	json__get_meta(root, &s->meta);
	s->meta.start_time = json_number_value(json_object_get(root, "start_time"));
	s->meta.duration_s = json_number_value(json_object_get(root, "duration_s"));
	s->interval_s = s->meta.duration_s;
	drops = json_object_get(root, "dropped");
	json_object_foreach(drops, k, v)
		for (int r = 0; r < FP_DROP_MAX; r++)
			if (!strcmp(k, drop__name(r)))
				s->drops[r] = json_integer_value(v);
	s->bpf_run_ns = json_integer_value(json_object_get(json_object_get(root, "self"), "bpf_run_ns"));
	s->bpf_run_cnt = json_integer_value(json_object_get(json_object_get(root, "self"), "bpf_run_count"));
	procs = json_object_get(root, "processes");
	if (!json_is_array(procs))
		return json__bad(err, errlen, "processes", procs ? "expected an array" : "missing");
	json_array_foreach(procs, i, p) {
		e = parse_proc(p, s, i, err, errlen);
		if (e)
			return e;
	}
	return 0;
}

int json__read_record(const char *path, struct fp_snapshot **out, char *err, size_t errlen)
{
	struct fp_snapshot *s;
	json_error_t jerr;
	struct stat st;
	json_t *root;
	char inner[512];
	int e;

	if (stat(path, &st)) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return e;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, expected a recording (fastpath record -o FILE)", path);
		return -EISDIR;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "%s: empty file, expected a recording (fastpath record -o FILE)", path);
		return -EINVAL;
	}
	root = json_load_file(path, 0, &jerr);
	if (!root) {
		snprintf(err, errlen, "%s: not valid JSON at line %d column %d: %s", path,
			 jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	s = snapshot__new();
	if (!s) {
		json_decref(root);
		return -ENOMEM;
	}
	e = parse_record(root, s, inner, sizeof(inner));
	json_decref(root);
	if (e) {
		snprintf(err, errlen, "%s: %s", path, inner);
		snapshot__free(s);
		return e;
	}
	*out = s;
	return 0;
}
