#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include "probes/family.h"
#include "probes/hold.h"
#include "probes/pool.h"
#include "util/err.h"
#include "util/procfs.h"

/* Load order: the lifecycle family first, since it owns the shared maps.
 * Later issues append their families here. */
static const struct fp_family *const families[] = {
	&fp_family_proc,
	&fp_family_sys,
	&fp_family_alloc,
	&fp_family_stat,
	&fp_family_io,
	&fp_family_cpu,
	&fp_family_gopark,
	&fp_family_sched,	/* after sys: it shares sys's per-thread state */
};
#define NFAM (sizeof(families) / sizeof(families[0]))

struct fp_probes {
	struct fp_probe_opts opts;
	void *state[NFAM];
	int targets_fd, procs_fd, drops_fd, bits_fd, cpu_exit_fd;
	__u64 *bits;		/* fp_target_bits, mapped */
	size_t bits_len, bits_words;
	int stats_fd;		/* BPF_ENABLE_STATS handle, -1 if off */
	/* Final totals of the processes reaped from the maps (see reap()),
	 * merged into every read; poll and read run on different threads in
	 * serve.  `reaping` holds what one reap took of a process whose
	 * identity comes with the next (its pool slot died before the exit
	 * hook was seen); `reaped` only complete processes, so that a new
	 * process with a recycled pid is reaped into an entry of its own. */
	struct fp_snapshot *reaped, *reaping;
	pthread_mutex_t lock;
	uint64_t reaped_procs;	/* ever, for the debug log */
	void *syscalls;		/* struct syscalls_bpf *, owned by the sys family */
	struct fp_hold *hold;	/* targets held at exec (hold.h); NULL if none */
	pthread_mutex_t attach_lock;	/* attach_pid: main and hold threads */
	struct fp_pool *pool;	/* its counter pool, idem */
};

void probes__set_syscalls(struct fp_probes *P, void *skel, struct fp_pool *pool)
{
	P->syscalls = skel;
	P->pool = pool;
}

struct fp_pool *probes__pool(struct fp_probes *P)
{
	return P->pool;
}

void *probes__syscalls(struct fp_probes *P)
{
	return P->syscalls;
}

const struct fp_probe_opts *probes__opts(struct fp_probes *P)
{
	return &P->opts;
}

int probes__ncpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

void probes__sum_percpu(const void *percpu, size_t value_size, void *out)
{
	size_t words = value_size / sizeof(__u64);
	const __u64 *in = percpu;
	__u64 *o = out;
	int n = probes__ncpus();

	memset(out, 0, value_size);
	for (int c = 0; c < n; c++)
		for (size_t w = 0; w < words; w++)
			o[w] += in[(size_t)c * words + w];
}

int probes__each_percpu(int fd, size_t key_size, size_t value_size, fp_percpu_fn fn, void *ctx)
{
	int ncpus = probes__ncpus();
	void *key = calloc(1, key_size), *next = calloc(1, key_size);
	void *vals = calloc(ncpus, value_size), *sum = calloc(1, value_size);
	struct fp_percpu_entry e = { .key = key, .sum = sum, .percpu = vals,
				     .value_size = value_size, .ncpus = ncpus };
	bool first = true;
	int err = 0;

	if (!key || !next || !vals || !sum) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!err && !bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, key_size);
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* deleted meanwhile: nothing to add */
		probes__sum_percpu(vals, value_size, sum);
		err = fn(&e, ctx);
	}
cleanup:
	free(key);
	free(next);
	free(vals);
	free(sum);
	return err;
}

bool reap__has(const struct fp_reap *r, __u32 tgid)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->tgids[mid] == tgid)
			return true;
		if (r->tgids[mid] < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The walk only collects the keys: deleting the key get_next_key was given
 * would restart it at the first bucket. */
int probes__reap_percpu(int fd, size_t key_size, size_t value_size, const struct fp_reap *r,
			fp_percpu_fn fn, void *ctx)
{
	int ncpus = probes__ncpus();
	char *keys = NULL, *key = calloc(1, key_size), *next = calloc(1, key_size);
	void *vals = calloc(ncpus, value_size), *sum = calloc(1, value_size);
	struct fp_percpu_entry e = { .sum = sum, .percpu = vals, .value_size = value_size,
				     .ncpus = ncpus };
	size_t n = 0, cap = 0;
	bool first = true;
	__u32 tgid;
	int err = 0;

	if (!key || !next || !vals || !sum) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, key_size);
		memcpy(&tgid, key, sizeof(tgid));
		if (!reap__has(r, tgid))
			continue;
		if (n == cap) {
			char *k = realloc(keys, (cap = cap ? cap * 2 : 64) * key_size);

			if (!k) {
				err = -ENOMEM;
				goto cleanup;
			}
			keys = k;
		}
		memcpy(keys + n++ * key_size, key, key_size);
	}
	for (size_t i = 0; !err && i < n; i++) {
		e.key = keys + i * key_size;
		if (bpf_map_lookup_elem(fd, e.key, vals))
			continue;
		probes__sum_percpu(vals, value_size, sum);
		err = fn(&e, ctx);
		if (!err)
			bpf_map_delete_elem(fd, e.key);
	}
cleanup:
	free(keys);
	free(key);
	free(next);
	free(vals);
	free(sum);
	return err;
}

uint64_t probes__percpu_min(const struct fp_percpu_entry *e, size_t off)
{
	uint64_t m = 0, v;

	for (int c = 0; c < e->ncpus; c++) {
		memcpy(&v, (const char *)e->percpu + (size_t)c * e->value_size + off, sizeof(v));
		if (v && (!m || v < m))
			m = v;
	}
	return m;
}

uint64_t probes__percpu_max(const struct fp_percpu_entry *e, size_t off)
{
	uint64_t m = 0, v;

	for (int c = 0; c < e->ncpus; c++) {
		memcpy(&v, (const char *)e->percpu + (size_t)c * e->value_size + off, sizeof(v));
		if (v > m)
			m = v;
	}
	return m;
}

static int reuse(struct bpf_object *obj, const char *name, int fd)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m)
		return 0;	/* this family does not use it */
	return bpf_map__reuse_fd(m, fd);
}

int probes__share_maps(struct fp_probes *P, struct bpf_object *obj)
{
	int err;

	err = reuse(obj, "fp_targets", P->targets_fd);
	if (!err)
		err = reuse(obj, "fp_target_bits", P->bits_fd);
	if (!err)
		err = reuse(obj, "fp_procs", P->procs_fd);
	if (!err)
		err = reuse(obj, "fp_drops", P->drops_fd);
	if (!err)
		err = reuse(obj, "fp_cpu_exit", P->cpu_exit_fd);
	return err;
}

/* Set by the proc family once loaded, before the others load. */
void probes__set_shared(struct fp_probes *P, struct bpf_object *obj)
{
	P->targets_fd = bpf_object__find_map_fd_by_name(obj, "fp_targets");
	P->bits_fd = bpf_object__find_map_fd_by_name(obj, "fp_target_bits");
	P->procs_fd = bpf_object__find_map_fd_by_name(obj, "fp_procs");
	P->drops_fd = bpf_object__find_map_fd_by_name(obj, "fp_drops");
	P->cpu_exit_fd = bpf_object__find_map_fd_by_name(obj, "fp_cpu_exit");
}

static int map_bits(struct fp_probes *P)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *m;

	if (bpf_obj_get_info_by_fd(P->bits_fd, &info, &len))
		return -errno;
	P->bits_len = ((size_t)info.max_entries * sizeof(__u64) + page - 1) / page * page;
	m = mmap(NULL, P->bits_len, PROT_READ | PROT_WRITE, MAP_SHARED, P->bits_fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	P->bits = m;
	P->bits_words = info.max_entries;
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && fp_verbose < 2)
		return 0;
	if (level == LIBBPF_INFO && !fp_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void probes__log_step(const char *family, const char *step, double t0)
{
	char took[32] = "";

	if (!fp_verbose)
		return;
	if (t0 >= 0)
		snprintf(took, sizeof(took), " in %.1f ms", mono_ms() - t0);
	fp_debug("%s probes %s%s: VmHWM %ld kB, VmRSS %ld kB", family, step, took,
		 procfs__self_kb("VmHWM"), procfs__self_kb("VmRSS"));
}

/* With -v: what the verifier processed of each program just loaded
 * (bench/load.sh): its time is most of an object's load. */
static void log_insns(const struct fp_family *f, void *state)
{
	struct bpf_prog_info info;
	struct bpf_program *prog;
	__u32 len;

	if (!fp_verbose || !f->object)
		return;
	bpf_object__for_each_program(prog, f->object(state)) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_program__fd(prog) < 0 || bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		fp_debug("%s probes program %s: %u verified instructions", f->name,
			 bpf_program__name(prog), info.verified_insns);
	}
}

/* Per-process probes (uprobes) must be in place before a target's new
 * image runs: targets are held at exec when a family has them.  Not for
 * -a, whose probes are system-wide. */
static bool wants_hold(const struct fp_probe_opts *opts)
{
	if (opts->cfg.all)
		return false;
	for (size_t i = 0; i < NFAM; i++)
		if (families[i]->attach_pid && (!families[i]->wanted || families[i]->wanted(opts)))
			return true;
	return false;
}

static int hold_attach(void *ctx, int pid)
{
	return probes__attach_pid(ctx, pid, NULL);
}

static int load_one(struct fp_probes *P, size_t i)
{
	double t0 = mono_ms();
	int err = families[i]->load(P, &P->state[i]);

	probes__log_step(families[i]->name, "loaded", t0);
	if (!err)
		log_insns(families[i], P->state[i]);
	if (!err && families[i] == &fp_family_proc)
		err = map_bits(P);
	return err;
}

static int load_failed(size_t i, int err)
{
	fp_err("cannot load the %s probes: %s", families[i]->name, strerror(-err));
	return err;
}

/* The families that load from the sys family's skeleton, after it. */
static bool after_sys(const struct fp_family *f)
{
	return f == &fp_family_sys || f == &fp_family_stat || f == &fp_family_io ||
	       f == &fp_family_sched;
}

/* One chain of loads, in families[] order: those after sys or the others. */
struct load_chain {
	struct fp_probes *P;
	const struct fp_probe_opts *opts;
	bool sys_chain;
	int err;
	size_t failed;	/* the family that failed, if err */
};

static void *load_chain(void *arg)
{
	struct load_chain *c = arg;

	for (size_t i = 1; i < NFAM && !c->err; i++) {
		if (after_sys(families[i]) != c->sys_chain)
			continue;
		if (families[i]->wanted && !families[i]->wanted(c->opts))
			continue;
		c->err = load_one(c->P, i);
		c->failed = i;
	}
	return NULL;
}

/* The lifecycle family first (it creates the shared maps), then the sys
 * chain here and the others on a second thread: most of a load is the
 * kernel's verifier, which runs on the loading thread's CPU, and every
 * load is handed the one parse of the kernel's BTF (vmlinux_btf.c), so the
 * peak stays that of one load at a time plus the other's small heap. */
static int load_families(struct fp_probes *P, const struct fp_probe_opts *opts)
{
	struct load_chain sys = { .P = P, .opts = opts, .sys_chain = true };
	struct load_chain other = { .P = P, .opts = opts };
	pthread_t th;
	bool threaded;
	int err = load_one(P, 0);

	if (err)
		return load_failed(0, err);
	threaded = !pthread_create(&th, NULL, load_chain, &other);
	load_chain(&sys);
	if (threaded)
		pthread_join(th, NULL);
	else
		load_chain(&other);
	/* One line, even if both chains failed (most often for one cause). */
	if (sys.err)
		return load_failed(sys.failed, sys.err);
	if (other.err)
		return load_failed(other.failed, other.err);
	return 0;
}

int probes__open(struct fp_probes **out, const struct fp_probe_opts *opts)
{
	struct fp_probes *P;
	int err = 0;

	libbpf_set_print(libbpf_quiet);
	P = calloc(1, sizeof(*P));
	if (!P)
		return -ENOMEM;
	P->opts = *opts;
	pthread_mutex_init(&P->lock, NULL);
	P->reaped = snapshot__new();
	P->reaping = snapshot__new();
	if (!P->reaped || !P->reaping) {
		snapshot__free(P->reaped);
		snapshot__free(P->reaping);
		free(P);
		return -ENOMEM;
	}
	P->targets_fd = P->procs_fd = P->drops_fd = P->bits_fd = P->stats_fd = -1;
	pthread_mutex_init(&P->attach_lock, NULL);
	P->opts.cfg.hold_exec = wants_hold(opts);
	P->cpu_exit_fd = -1;
	vmlinux_btf__hold();
	err = load_families(P, opts);
	vmlinux_btf__release();
	if (err)
		goto cleanup;
	if (P->opts.cfg.hold_exec) {
		err = hold__new(&P->hold, families[0]->object(P->state[0]), hold_attach, P);
		if (err) {
			fp_err("cannot start the exec guardian: %s", strerror(-err));
			goto cleanup;
		}
	}
	if (opts->bpf_stats) {
		P->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (P->stats_fd < 0)
			fp_debug("BPF run-time statistics unavailable: %s", strerror(errno));
	}
	*out = P;
	return 0;
cleanup:
	probes__destroy(P);
	return err;
}

/* Name the target now, so a process that stays silent is still listed. */
static bool seed_proc_info(struct fp_probes *P, __u32 tgid)
{
	struct fp_proc_info info = {};
	struct timespec ts;
	int ppid;
	bool zombie;

	procfs__comm(tgid, info.comm, sizeof(info.comm));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	info.first_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	ppid = procfs__ppid(tgid);
	info.ppid = ppid > 0 ? ppid : 0;
	/* A zombie's exit has passed: the exit hook will never see it, so
	 * it is exited now and no longer a target (record -p stops). */
	zombie = procfs__zombie(tgid, &info.exit_code);
	if (zombie)
		info.exit_ns = info.first_ns;
	bpf_map_update_elem(P->procs_fd, &tgid, &info, BPF_NOEXIST);
	return zombie;
}

/* The hot path's view of the targets (see bpf/fp_target.h), with the same
 * two atomic steps as fp_target_bits_set() in BPF: the fork hook may be
 * setting another pid's bits in the same word at this very moment. */
static int set_target_bits(struct fp_probes *P, __u32 tgid, __u64 state)
{
	__u32 idx = tgid / FP_TARGET_BITS_PER_WORD;
	__u32 sh = tgid % FP_TARGET_BITS_PER_WORD * 2;

	if (idx >= P->bits_words)
		return -ERANGE;	/* beyond pid_max: cannot be a pid */
	__atomic_fetch_and(&P->bits[idx], ~(3ULL << sh), __ATOMIC_SEQ_CST);
	if (state)
		__atomic_fetch_or(&P->bits[idx], state << sh, __ATOMIC_SEQ_CST);
	return 0;
}

int probes__add_target(struct fp_probes *P, int tgid, int state)
{
	__u32 key = tgid;
	__u8 st = state;

	if (bpf_map_update_elem(P->targets_fd, &key, &st, BPF_ANY))
		return -errno;
	if (set_target_bits(P, key, state)) {
		bpf_map_delete_elem(P->targets_fd, &key);
		return -ERANGE;
	}
	if (seed_proc_info(P, key)) {
		bpf_map_delete_elem(P->targets_fd, &key);
		set_target_bits(P, key, 0);
		return 0;
	}
	/* A pending command is attached by the session, which knows its binary. */
	return state == FP_TARGET_ACTIVE ? probes__attach_pid(P, tgid, NULL) : 0;
}

int probes__attach_pid(struct fp_probes *P, int tgid, const char *exe)
{
	int err = 0;

	pthread_mutex_lock(&P->attach_lock);
	for (size_t i = 0; i < NFAM && !err; i++) {
		if (!P->state[i] || !families[i]->attach_pid)
			continue;
		err = families[i]->attach_pid(P->state[i], tgid, exe);
	}
	pthread_mutex_unlock(&P->attach_lock);
	return err;
}

int probes__attach(struct fp_probes *P)
{
	int err;

	for (size_t i = 0; i < NFAM; i++) {
		double t0 = mono_ms();

		if (!P->state[i])
			continue;
		err = families[i]->attach(P->state[i]);
		probes__log_step(families[i]->name, "attached", t0);
		if (err) {
			fp_err("cannot attach the %s probes: %s", families[i]->name, strerror(-err));
			return err;
		}
	}
	return P->hold ? hold__run(P->hold) : 0;
}

static void read_bpf_stats(struct fp_probes *P, struct fp_snapshot *s)
{
	struct bpf_prog_info info;
	struct bpf_program *prog;
	struct bpf_object *obj;
	__u32 len;

	for (size_t i = 0; i < NFAM; i++) {
		if (!P->state[i] || !families[i]->object)
			continue;
		obj = families[i]->object(P->state[i]);
		bpf_object__for_each_program(prog, obj) {
			int fd = bpf_program__fd(prog);

			if (fd < 0)
				continue;
			memset(&info, 0, sizeof(info));
			len = sizeof(info);
			if (bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			s->bpf_run_ns += info.run_time_ns;
			s->bpf_run_cnt += info.run_cnt;
		}
	}
}

static void read_drops(struct fp_probes *P, struct fp_snapshot *s)
{
	int n = probes__ncpus();
	__u64 vals[n];

	for (__u32 k = 0; k < FP_DROP_MAX; k++) {
		if (bpf_map_lookup_elem(P->drops_fd, &k, vals))
			continue;
		s->drops[k] = 0;
		for (int c = 0; c < n; c++)
			s->drops[k] += vals[c];
	}
}

/* The reaped processes join the live ones.  A pid can be in both: the
 * process's allocator entries are not reaped (the alloc family has no reap),
 * its data was reaped from a dead pool slot before the exit hook stamped
 * fp_procs (the proc family still names it live), or a new process got the
 * pid of one already reaped.  The first two are one process (same start
 * time, or no identity yet, and no data of the reaped families) and are
 * completed; the last stays two entries. */
static bool same_process(const struct fp_proc *live, const struct fp_proc *r)
{
	if (live->nsys || live->io || live->stat)
		return false;
	return !live->comm[0] || (live->first_ns && live->first_ns == r->first_ns);
}

static int merge_one(struct fp_snapshot *s, const struct fp_snapshot *from)
{
	for (size_t i = 0; i < from->nprocs; i++) {
		const struct fp_proc *r = &from->procs[i];
		struct fp_proc *p;
		int err;

		if (!r->pid)
			continue;	/* moved out by a take that ran out of memory */
		p = snapshot__proc(s, r->pid, false);
		if (p && same_process(p, r))
			err = proc__absorb(p, r);
		else
			err = snapshot__append_copy(s, r) ? 0 : -ENOMEM;
		if (err)
			return err;
	}
	return 0;
}

static int merge_reaped(struct fp_probes *P, struct fp_snapshot *s)
{
	int err = merge_one(s, P->reaped);

	if (!err)
		err = merge_one(s, P->reaping);
	if (err)
		return err;
	/* top: an exited process is in one read with its final totals; the
	 * next interval's delta has nothing of it, so it is forgotten. */
	if (P->opts.transient && P->reaped->nprocs) {
		snapshot__free(P->reaped);
		P->reaped = snapshot__new();
		if (!P->reaped)
			return -ENOMEM;
	}
	return 0;
}

static int read_locked(struct fp_probes *P, struct fp_snapshot *s)
{
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	/* Reverse order: the data families first, identity (proc) last so it
	 * names every process the others created. */
	for (size_t i = NFAM; i-- > 0;) {
		if (!P->state[i])
			continue;
		err = families[i]->read(P->state[i], s);
		if (err)
			return err;
	}
	err = merge_reaped(P, s);
	if (err)
		return err;
	read_drops(P, s);
	read_bpf_stats(P, s);
	snapshot__sort_pid(s);
	return 0;
}

int probes__read(struct fp_probes *P, struct fp_snapshot *s)
{
	int err;

	pthread_mutex_lock(&P->lock);
	err = read_locked(P, s);
	pthread_mutex_unlock(&P->lock);
	return err;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* Processes that exited: the exit hook stamped exit_ns in fp_procs. */
static int exited_tgids(struct fp_probes *P, __u32 **out, size_t *n)
{
	struct fp_proc_info info;
	__u32 key, next, *v = NULL, *prev = NULL;
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(P->procs_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(P->procs_fd, &key, &info) || !info.exit_ns)
			continue;
		if (*n == cap) {
			__u32 *g = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (!g) {
				free(v);
				return -ENOMEM;
			}
			v = g;
		}
		v[(*n)++] = key;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_u32);
	*out = v;
	return 0;
}

/* A process whose pool slot died (its last thread's sys_exit) before the
 * exit hook stamped fp_procs is reaped by the data families one poll
 * before the proc family sees it exited: name it now from fp_procs, which
 * the proc family reaps (and deletes) at the next poll.  Without this,
 * top's interval showed its counts with no comm or ppid. */
static void name_reaped(struct fp_probes *P)
{
	struct fp_proc_info info;

	for (size_t i = 0; i < P->reaping->nprocs; i++) {
		struct fp_proc *p = &P->reaping->procs[i];
		__u32 key = p->pid;

		if (p->comm[0] || bpf_map_lookup_elem(P->procs_fd, &key, &info))
			continue;
		memcpy(p->comm, info.comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = 0;
		p->ppid = info.ppid;
		p->first_ns = info.first_ns;
	}
}

/* A process is complete once the proc family reaped its identity (exited
 * is set), or when it waited one reap for it (a process the proc family
 * never saw); complete ones move to P->reaped.  A later process with the
 * same pid is then reaped into a new entry, never into the old one. */
static int settle_reaped(struct fp_probes *P, size_t held)
{
	struct fp_snapshot *keep = snapshot__new();

	if (!keep)
		return -ENOMEM;
	for (size_t i = 0; i < P->reaping->nprocs; i++) {
		struct fp_proc *p = &P->reaping->procs[i];

		if (!snapshot__append_move(p->exited || i < held ? P->reaped : keep, p)) {
			/* what moved is in P->reaped, the rest stays here */
			snapshot__free(keep);
			return -ENOMEM;
		}
	}
	snapshot__free(P->reaping);
	P->reaping = keep;
	return 0;
}

/* Fork churn: every process that exited since the last poll leaves the
 * maps for P->reaped, so the maps hold only live processes and what
 * exited in the last poll interval.  After the exit hook no program runs
 * for that tgid any more (its threads' last sys_exit came before), so what
 * is read now is final.  The data families go first, identity (proc, whose
 * fp_procs entry says the process exited) last. */
static int reap(struct fp_probes *P)
{
	struct fp_reap r = {};
	__u32 *tgids = NULL;
	size_t held;
	int err;

	err = exited_tgids(P, &tgids, &r.n);
	/* The pool's dead slots are noted once, for every family's reap. */
	if (!err && P->pool)
		err = pool__collect_dead(P->pool);
	if (err || (!r.n && !(P->pool && pool__ndead(P->pool)))) {
		free(tgids);
		return err;
	}
	r.tgids = tgids;
	held = P->reaping->nprocs;
	for (size_t i = NFAM; !err && i-- > 0;)
		if (P->state[i] && families[i]->reap)
			err = families[i]->reap(P->state[i], &r, P->reaping);
	if (!err)
		name_reaped(P);
	if (!err)
		err = settle_reaped(P, held);
	P->reaped_procs += r.n;
	free(tgids);
	return err;
}

void probes__poll(struct fp_probes *P)
{
	uint64_t n;
	double t0;
	int err;

	pthread_mutex_lock(&P->lock);
	for (size_t i = 0; i < NFAM; i++)
		if (P->state[i] && families[i]->poll)
			families[i]->poll(P->state[i]);
	t0 = mono_ms();
	n = P->reaped_procs;
	err = reap(P);
	if (P->reaped_procs > n && fp_verbose >= 2)
		fp_debug("reaped %" PRIu64 " exited processes in %.1f ms", P->reaped_procs - n,
			 mono_ms() - t0);
	if (err)
		fp_debug("cannot reap the exited processes: %s", strerror(-err));
	pthread_mutex_unlock(&P->lock);
}

static bool held_by(const __u32 *v, size_t n, __u32 tgid)
{
	return n && bsearch(&tgid, v, n, sizeof(*v), cmp_u32);
}

/* Caller holds P->lock.  Every reaped process goes to taken but those a
 * family still holds data of, which stay in P->reaped: the next read
 * names those entries from them (an exited process's allocator counters
 * would come out without a command name, and never join its totals). */
static int take_locked(struct fp_probes *P, struct fp_snapshot *taken, struct fp_snapshot *keep)
{
	for (size_t f = 0; f < NFAM; f++) {
		__u32 *held = NULL;
		size_t n = 0;
		int err;

		if (!P->state[f] || !families[f]->held)
			continue;
		if ((err = families[f]->held(P->state[f], &held, &n)))
			return err;
		for (size_t i = 0; i < P->reaped->nprocs; i++) {
			struct fp_proc *p = &P->reaped->procs[i];

			if (p->pid && held_by(held, n, (__u32)p->pid) && !snapshot__append_move(keep, p)) {
				free(held);
				return -ENOMEM;
			}
		}
		free(held);
	}
	for (size_t i = 0; i < P->reaped->nprocs; i++)
		if (P->reaped->procs[i].pid && !snapshot__append_move(taken, &P->reaped->procs[i]))
			return -ENOMEM;
	return 0;
}

struct fp_snapshot *probes__take_reaped(struct fp_probes *P)
{
	struct fp_snapshot *taken = snapshot__new(), *keep = snapshot__new();
	int err;

	if (!taken || !keep) {
		snapshot__free(taken);
		snapshot__free(keep);
		return NULL;
	}
	pthread_mutex_lock(&P->lock);
	err = take_locked(P, taken, keep);
	if (!err) {
		snapshot__free(P->reaped);	/* every entry moved out */
		P->reaped = keep;
	} else {
		/* what moved goes back: nothing is lost, only not taken */
		for (size_t i = 0; i < taken->nprocs; i++)
			snapshot__append_move(P->reaped, &taken->procs[i]);
		for (size_t i = 0; i < keep->nprocs; i++)
			snapshot__append_move(P->reaped, &keep->procs[i]);
		snapshot__free(keep);
	}
	pthread_mutex_unlock(&P->lock);
	if (err) {
		snapshot__free(taken);
		return NULL;
	}
	return taken;
}

int probes__live_targets(struct fp_probes *P)
{
	__u32 key, next;
	int n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(P->targets_fd, prev, &next)) {
		key = next;
		/* A target that exited before the exit hook was attached never
		 * got removed: prune it here. */
		if (kill(key, 0) && errno == ESRCH) {
			bpf_map_delete_elem(P->targets_fd, &key);
			set_target_bits(P, key, 0);
			continue;
		}
		n++;
		prev = &key;
	}
	return n;
}

void probes__destroy(struct fp_probes *P)
{
	if (!P)
		return;
	/* First: no attach may run on a family being destroyed, and nothing
	 * stays stopped. */
	double t0 = mono_ms();

	hold__free(P->hold);
	fp_debug("exec hold stopped in %.1f ms", mono_ms() - t0);
	for (size_t i = NFAM; i-- > 0;) {
		double t1 = mono_ms();

		if (!P->state[i])
			continue;
		families[i]->destroy(P->state[i]);
		/* Exit time (issue 13): which family's detach it goes to. */
		fp_debug("%s probes detached in %.1f ms", families[i]->name, mono_ms() - t1);
	}
	fp_debug("probes destroyed in %.1f ms", mono_ms() - t0);
	if (P->stats_fd >= 0)
		close(P->stats_fd);
	if (P->bits)
		munmap(P->bits, P->bits_len);
	snapshot__free(P->reaped);
	snapshot__free(P->reaping);
	pthread_mutex_destroy(&P->lock);
	pthread_mutex_destroy(&P->attach_lock);
	free(P);
}

bool probes__have_btf(void)
{
	return access(FP_VMLINUX_BTF, R_OK) == 0;
}

void probes__check_support(struct fp_support *s)
{
	struct fp_probe_opts o = { .sys = true };
	struct fp_probes *P = NULL;
	int err, fd;

	memset(s, 0, sizeof(*s));
	s->btf = probes__have_btf();
	s->uprobe = access("/sys/bus/event_source/devices/uprobe/type", R_OK) == 0;
	if (!s->btf) {
		/* libbpf would only say it in four lines of its own */
		snprintf(s->tp_btf_err, sizeof(s->tp_btf_err), "no kernel BTF to load them with");
		return;
	}
	o.cfg.self_tgid = getpid();
	o.cfg.all = 0;		/* load and attach for real, trace nobody */
	err = probes__open(&P, &o);
	if (!err)
		err = probes__attach(P);
	s->tp_btf = !err;
	if (err)
		snprintf(s->tp_btf_err, sizeof(s->tp_btf_err), "%s", strerror(-err));
	probes__destroy(P);
	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	s->bpf_stats = fd >= 0;
	if (fd >= 0)
		close(fd);
}
