/* The sampled CPU profile: perf events, reading the counts and stacks,
 * symbolizing (libdw for the process, /proc/kallsyms for the kernel) and
 * annotating the hottest functions per instruction (capstone). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes/family.h"
#include "probes/cpu_sampler.h"
#include "probes/stacks.h"
#include "model/cpu.h"
#include "util/disasm.h"
#include "util/elfsym.h"
#include "util/err.h"
#include "util/symbolize.h"
#include "fp_cpu.h"
#include "profile.skel.h"

#define MAX_INSNS 8192		/* instructions annotated per function */

/* The static part of a function's annotation, kept across reads: the
 * disassembly and a line per instruction cost milliseconds each. */
struct sam_func {
	char path[4096];
	uint64_t file_vaddr;
	struct fp_cpu_annot a;	/* counts zero */
};

struct fp_sampler {
	struct profile_bpf *skel;
	unsigned int hz;
	int *pfd;
	struct bpf_link **links;
	int ncpu;
	struct ring_buffer *rb;
	struct fp_stacks *stk;	/* symbolizing, and the targets' saved maps */
	struct fp_symbolizer *sym;	/* stk's */
	struct sam_func *funcs;
	size_t nfuncs;
};

static int on_event(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(__u32))
		stacks__note(((struct fp_sampler *)ctx)->stk, *(__u32 *)data, false);
	return 0;
}

int sampler__new(struct fp_sampler **out, struct profile_bpf *skel, unsigned int hz)
{
	struct fp_sampler *S = calloc(1, sizeof(*S));
	int err;

	if (!S)
		return -ENOMEM;
	S->skel = skel;
	S->hz = hz;
	S->ncpu = libbpf_num_possible_cpus();
	S->pfd = calloc(S->ncpu, sizeof(*S->pfd));
	S->links = calloc(S->ncpu, sizeof(*S->links));
	err = S->pfd && S->links ? stacks__new(&S->stk) : -ENOMEM;
	if (!err) {
		S->sym = stacks__symbolizer(S->stk);
		S->rb = ring_buffer__new(bpf_map__fd(skel->maps.fp_prof_events), on_event, S, NULL);
		if (!S->rb)
			err = -errno;
	}
	if (err) {
		sampler__free(S);
		return err;
	}
	for (int c = 0; c < S->ncpu; c++)
		S->pfd[c] = -1;
	*out = S;
	return 0;
}

int sampler__attach(struct fp_sampler *S)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.freq = 1,
		.sample_freq = S->hz,
	};
	int attached = 0;

	for (int c = 0; c < S->ncpu; c++) {
		S->pfd[c] = syscall(__NR_perf_event_open, &attr, -1, c, -1, PERF_FLAG_FD_CLOEXEC);
		if (S->pfd[c] < 0) {
			if (errno == ENODEV)
				continue;	/* a possible CPU that is offline */
			return -errno;
		}
		S->links[c] = bpf_program__attach_perf_event(S->skel->progs.fp_cpu_sample, S->pfd[c]);
		if (!S->links[c])
			return -errno;
		attached++;
	}
	return attached ? 0 : -ENODEV;
}

void sampler__poll(struct fp_sampler *S)
{
	ring_buffer__consume(S->rb);
}

void sampler__free(struct fp_sampler *S)
{
	if (!S)
		return;
	for (int c = 0; S->links && c < S->ncpu; c++)
		bpf_link__destroy(S->links[c]);
	for (int c = 0; S->pfd && c < S->ncpu; c++)
		if (S->pfd[c] >= 0)
			close(S->pfd[c]);
	free(S->links);
	free(S->pfd);
	ring_buffer__free(S->rb);
	for (size_t i = 0; i < S->nfuncs; i++) {
		free(S->funcs[i].a.function);
		free(S->funcs[i].a.insns);
	}
	free(S->funcs);
	stacks__free(S->stk);
	free(S);
}

/* ---- reading -------------------------------------------------------- */

struct entry {
	struct fp_prof_key k;
	uint64_t count;
};

struct collect {
	struct entry *v;
	size_t n, cap;
};

static int collect_entry(const struct fp_percpu_entry *e, void *ctx)
{
	struct collect *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		void *v = realloc(c->v, cap * sizeof(*c->v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	memcpy(&c->v[c->n].k, e->key, sizeof(struct fp_prof_key));
	c->v[c->n].count = *(const __u64 *)e->sum;
	c->n++;
	return 0;
}

static int cmp_entry_tgid(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->k.tgid != y->k.tgid)
		return x->k.tgid < y->k.tgid ? -1 : 1;
	return (x->count < y->count) - (x->count > y->count);
}

/* The frames of one key, leaf first: kernel, then user.  frames[] get
 * strdup'd strings. */
static size_t key_frames(struct fp_sampler *S, struct fp_addrspace *as, const struct fp_prof_key *k,
			 char **frames, size_t max, size_t *nkernel)
{
	return stacks__frames(S->stk, as, bpf_map__fd(S->skel->maps.fp_prof_stacks), FP_PROF_DEPTH,
			      k->user_stack, k->kern_stack, k->ip, frames, max, nkernel);
}

/* ---- annotation ----------------------------------------------------- */

struct panic_ctx {
	struct fp_sampler *S;
	struct fp_addrspace *as;
	char name[64];
};

static bool is_panic(uint64_t target, void *ctx)
{
	struct panic_ctx *c = ctx;
	char buf[256];

	symbolizer__frame(c->S->sym, c->as, target, false, buf, sizeof(buf));
	cpu_prof__fn_of(buf, c->name, sizeof(c->name));
	return disasm__is_bounds_panic(c->name);
}

/* Disassembles the function of range r once, with a line per instruction
 * and the kinds (bounds-check branch, back edge). */
static struct sam_func *func_static(struct fp_sampler *S, struct fp_addrspace *as, const struct fp_func_range *r)
{
	struct fp_disasm_insn *v = NULL;
	struct sam_func *f;
	struct fp_elf *e = NULL;
	uint8_t *code = NULL;
	char buf[512];
	size_t n = 0, len;
	void *nv;

	for (size_t i = 0; i < S->nfuncs; i++)
		if (S->funcs[i].file_vaddr == r->file_vaddr && !strcmp(S->funcs[i].path, r->path))
			return S->funcs[i].a.function ? &S->funcs[i] : NULL;
	if (!(nv = realloc(S->funcs, (S->nfuncs + 1) * sizeof(*S->funcs))))
		return NULL;
	S->funcs = nv;
	f = &S->funcs[S->nfuncs++];
	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "%s", r->path);
	f->file_vaddr = r->file_vaddr;
	len = r->size < 65536 ? r->size : 65536;
	if (elf__open(r->path, &e) || !(code = malloc(len)) || elf__read(e, r->file_vaddr, code, len) ||
	    disasm__run(code, len, r->start, &v, &n) || !n)
		goto out;	/* remembered as not annotatable */
	if (n > MAX_INSNS)
		n = MAX_INSNS;
	f->a.insns = calloc(n, sizeof(*f->a.insns));
	f->a.function = strdup(r->name);
	if (!f->a.insns || !f->a.function) {
		free(f->a.insns);
		free(f->a.function);
		memset(&f->a, 0, sizeof(f->a));
		goto out;
	}
	f->a.ninsns = n;
	for (size_t i = 0; i < n; i++) {
		struct fp_cpu_insn *in = &f->a.insns[i];
		struct panic_ctx pc = { S, as };
		uint64_t at;
		const char *sp;

		in->off = v[i].addr - r->start;
		snprintf(in->text, sizeof(in->text), "%s", v[i].text);
		symbolizer__frame(S->sym, as, v[i].addr, false, buf, sizeof(buf));
		sp = strchr(buf, ' ');
		snprintf(in->line, sizeof(in->line), "%s", sp && strchr(sp, ':') ? sp + 1 : "");
		if (disasm__guards_panic(v, n, i, is_panic, &pc, &at)) {
			in->kind = FP_INSN_BOUNDS;
			in->target = v[i].target - r->start;
			snprintf(in->callee, sizeof(in->callee), "%s", pc.name);
		} else if ((v[i].flow == FP_FLOW_JCC || v[i].flow == FP_FLOW_JMP) && v[i].direct &&
			   v[i].target >= r->start && v[i].target <= v[i].addr) {
			in->kind = FP_INSN_BACKEDGE;
			in->target = v[i].target - r->start;
		}
	}
out:
	free(v);
	free(code);
	elf__close(e);
	return f->a.function ? f : NULL;
}

struct ipcount {
	uint64_t ip, count;
};

struct hotfn {
	struct fp_func_range r;
	uint64_t samples;
};

static int cmp_hot(const void *a, const void *b)
{
	const struct hotfn *x = a, *y = b;

	return (x->samples < y->samples) - (x->samples > y->samples);
}

/* The user-mode samples of one process, by function: the hottest few get
 * their instructions with counts. */
static int annotate(struct fp_sampler *S, struct fp_addrspace *as, struct fp_cpu_prof *prof,
		    const struct entry *v, size_t n)
{
	struct hotfn *hot = NULL;
	size_t nhot = 0;
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t ip = v[i].k.ip;
		size_t j;

		if (!ip)
			continue;	/* in the kernel */
		for (j = 0; j < nhot; j++)
			if (ip >= hot[j].r.start && ip < hot[j].r.start + hot[j].r.size)
				break;
		if (j == nhot) {
			struct fp_func_range r;
			void *nv;

			if (symbolizer__function(S->sym, as, ip, &r))
				continue;
			if (!(nv = realloc(hot, (nhot + 1) * sizeof(*hot)))) {
				err = -ENOMEM;
				goto out;
			}
			hot = nv;
			hot[nhot].r = r;
			hot[nhot++].samples = 0;
		}
		hot[j].samples += v[i].count;
	}
	if (nhot)
		qsort(hot, nhot, sizeof(*hot), cmp_hot);
	for (size_t h = 0; h < nhot && h < FP_PROF_ANNOT_FUNCS; h++) {
		struct sam_func *f;
		struct fp_cpu_annot a = {};

		/* Below 1% there is nothing to read in the instructions. */
		if (hot[h].samples * 100 < prof->samples)
			break;
		f = func_static(S, as, &hot[h].r);
		if (!f)
			continue;
		a.function = strdup(f->a.function);
		a.insns = malloc(f->a.ninsns * sizeof(*a.insns));
		if (!a.function || !a.insns) {
			free(a.function);
			free(a.insns);
			err = -ENOMEM;
			goto out;
		}
		memcpy(a.insns, f->a.insns, f->a.ninsns * sizeof(*a.insns));
		a.ninsns = f->a.ninsns;
		for (size_t i = 0; i < n; i++) {
			uint64_t ip = v[i].k.ip, off;
			size_t lo = 0, hi = a.ninsns;

			if (!ip || ip < hot[h].r.start || ip >= hot[h].r.start + hot[h].r.size)
				continue;
			off = ip - hot[h].r.start;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (a.insns[mid].off < off)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < a.ninsns && a.insns[lo].off == off) {
				a.insns[lo].count += v[i].count;
				a.samples += v[i].count;
			}
		}
		if ((err = cpu_prof__add_annot(prof, &a))) {
			free(a.function);
			free(a.insns);
			goto out;
		}
	}
out:
	free(hot);
	return err;
}

static int read_proc(struct fp_sampler *S, struct fp_snapshot *s, const struct entry *v, size_t n)
{
	unsigned int tgid = v[0].k.tgid;
	struct fp_addrspace *as = stacks__addrspace(S->stk, tgid);
	struct fp_proc *p = snapshot__proc(s, tgid, true);
	char *frames[2 * FP_PROF_DEPTH + 1];
	struct fp_cpu_prof *prof;
	int err = 0;

	if (!p || (!p->cpu && !(p->cpu = cpu_stats__new())))
		return -ENOMEM;
	cpu_prof__free(p->cpu->prof);
	prof = p->cpu->prof = cpu_prof__new(S->hz);
	if (!prof)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		size_t nk, nf = key_frames(S, as, &v[i].k, frames, sizeof(frames) / sizeof(frames[0]), &nk);
		bool ok = true;

		for (size_t f = 0; f < nf; f++)
			ok &= frames[f] != NULL;
		err = ok ? cpu_prof__add(prof, (const char *const *)frames, nf, nk, v[i].count) : -ENOMEM;
		for (size_t f = 0; f < nf; f++)
			free(frames[f]);
	}
	cpu_prof__finish(prof);
	if (!err && as)
		err = annotate(S, as, prof, v, n);
	return err;
}

int sampler__read(struct fp_sampler *S, struct fp_snapshot *s)
{
	struct collect c = {};
	int err;

	sampler__poll(S);
	err = probes__each_percpu(bpf_map__fd(S->skel->maps.fp_prof_counts), sizeof(struct fp_prof_key),
				  sizeof(__u64), collect_entry, &c);
	if (!err && c.n)
		qsort(c.v, c.n, sizeof(*c.v), cmp_entry_tgid);
	for (size_t i = 0, j; !err && i < c.n; i = j) {
		for (j = i; j < c.n && c.v[j].k.tgid == c.v[i].k.tgid; j++)
			;
		err = read_proc(S, s, &c.v[i], j - i);
	}
	free(c.v);
	return err;
}
