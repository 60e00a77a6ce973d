/* Unit tests of the CPU profile: the model (merging, ranking, deltas), the
 * disassembly's bounds-check detection on a real Go function's bytes, the
 * bounds-check rule, the JSON, folded and pprof outputs. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>
#include "model/cpu.h"
#include "model/findings.h"
#include "util/disasm.h"
#include "views/json.h"
#include "views/report.h"
#include "pprof.pb-c.h"

static void add(struct fp_cpu_prof *p, uint64_t n, size_t nk, ...)
{
	const char *f[16];
	size_t k = 0;
	va_list ap;

	va_start(ap, nk);
	while (k < 16 && (f[k] = va_arg(ap, const char *)))
		k++;
	va_end(ap);
	assert_int_equal(cpu_prof__add(p, f, k, nk, n), 0);
}

static struct fp_cpu_prof *sample_prof(void)
{
	struct fp_cpu_prof *p = cpu_prof__new(49);

	add(p, 60, 0, "main.sum main.go:21", "main.main main.go:50", NULL);
	add(p, 15, 0, "main.sum main.go:20", "main.main main.go:50", NULL);
	add(p, 5, 0, "main.sum main.go:21", "main.main main.go:50", NULL);	/* merged with the first */
	add(p, 10, 2, "vfs_read [kernel]", "ksys_read [kernel]", "read libc.so.6", "main.main main.go:52", NULL);
	/* recursion: counted once in the total */
	add(p, 10, 0, "fib fib.c:3", "fib fib.c:4", "fib fib.c:4", "main.main main.go:53", NULL);
	cpu_prof__finish(p);
	return p;
}

static void test_merge_and_rank(void **state)
{
	struct fp_cpu_prof *p = sample_prof();
	struct fp_prof_count c[8];
	size_t n;

	assert_int_equal(p->samples, 100);
	assert_int_equal(p->nstacks, 4);
	assert_int_equal(p->stacks[0].count, 65);
	n = cpu_prof__rank(p, false, c, 8);
	assert_true(n >= 4);
	assert_int_equal((int)c[0].len, 8);
	assert_memory_equal(c[0].name, "main.sum", 8);
	assert_int_equal(c[0].self, 80);
	assert_int_equal(c[0].total, 80);
	assert_int_equal(cpu_prof__fn_total(p, "main.main"), 100);
	assert_int_equal(cpu_prof__fn_self(p, "main.main"), 0);
	assert_int_equal(cpu_prof__fn_total(p, "fib"), 10);
	n = cpu_prof__rank(p, true, c, 8);
	assert_string_equal(c[0].name, "main.sum main.go:21");
	assert_int_equal(c[0].self, 65);
	/* share error: sqrt(p(1-p)/N) in points */
	assert_true(fabs(cpu_prof__share_err(65, 100) - 100 * sqrt(0.65 * 0.35 / 100)) < 1e-9);
	cpu_prof__free(p);
}

static void test_delta_by_frames(void **state)
{
	struct fp_cpu_prof *a = sample_prof(), *b = sample_prof(), *d;

	add(b, 7, 0, "main.sum main.go:21", "main.main main.go:50", NULL);
	add(b, 3, 0, "new.fn x.go:1", NULL);
	cpu_prof__finish(b);
	d = cpu_prof__delta(b, a);
	assert_non_null(d);
	assert_int_equal(d->samples, 10);
	assert_int_equal(d->nstacks, 2);
	cpu_prof__free(d);
	d = cpu_prof__clone(b);
	assert_int_equal(d->samples, 110);
	cpu_prof__free(d);
	cpu_prof__free(a);
	cpu_prof__free(b);
}

/* main.sumChecked of tests/workloads/go/hotloop (Go 1.19, amd64), as
 * `go tool objdump` showed it: two index checks, the second of which is
 * also the loop's back edge (in range: back to the head; else fall through
 * to the panic block). */
static const uint8_t sum_checked[] = {
	0x48, 0x83, 0xec, 0x18, 0x48, 0x89, 0x6c, 0x24, 0x10, 0x48, 0x8d, 0x6c, 0x24, 0x10,
	0x48, 0x89, 0x44, 0x24, 0x20, 0x48, 0x89, 0x7c, 0x24, 0x38, 0x31, 0xc9, 0x31, 0xd2,
	0xeb, 0x0e, 0x4c, 0x8d, 0x51, 0x01, 0x4c, 0x03, 0x04, 0xcf, 0x4c, 0x01, 0xc2, 0x4c,
	0x89, 0xd1, 0x49, 0x39, 0xc9, 0x7e, 0x11, 0x48, 0x39, 0xcb, 0x76, 0x24, 0x4c, 0x8b,
	0x04, 0xc8, 0x48, 0x39, 0xce, 0x77, 0xdf, 0x90, 0xeb, 0x0d, 0x48, 0x89, 0xd0, 0x48,
	0x8b, 0x6c, 0x24, 0x10, 0x48, 0x83, 0xc4, 0x18, 0xc3, 0x48, 0x89, 0xc8, 0x48, 0x89,
	0xf1, 0xe8, 0x86, 0x7e, 0xfd, 0xff, 0x48, 0x89, 0xc8, 0x48, 0x89, 0xd9, 0xe8, 0x7b,
	0x7e, 0xfd, 0xff, 0x90,
};
#define SUM_AT 0x485480ULL
#define PANIC_INDEX 0x45d360ULL

static bool is_panic_index(uint64_t target, void *ctx)
{
	return target == PANIC_INDEX;
}

static void test_disasm_finds_go_bounds_checks(void **state)
{
	struct fp_disasm_insn *v;
	size_t n, guards = 0;
	uint64_t at;

	assert_int_equal(disasm__run(sum_checked, sizeof(sum_checked), SUM_AT, &v, &n), 0);
	assert_int_equal(n, 32);
	for (size_t i = 0; i < n; i++) {
		bool g = disasm__guards_panic(v, n, i, is_panic_index, NULL, &at);

		if (!g)
			continue;
		guards++;
		assert_int_equal(at, PANIC_INDEX);
		assert_true(v[i].addr == 0x4854b4 || v[i].addr == 0x4854bd);
	}
	assert_int_equal(guards, 2);
	/* the loop's exit test (jle to the return) guards nothing */
	for (size_t i = 0; i < n; i++)
		if (v[i].addr == 0x4854af)
			assert_false(disasm__guards_panic(v, n, i, is_panic_index, NULL, &at));
	assert_string_equal(v[0].text, "sub rsp, 0x18");
	free(v);
	assert_true(disasm__is_bounds_panic("runtime.panicIndex"));
	assert_true(disasm__is_bounds_panic("runtime.panicSliceAcap"));
	assert_true(disasm__is_bounds_panic("runtime.goPanicIndexU"));
	assert_true(disasm__is_bounds_panic("runtime.panicBounds"));
	assert_false(disasm__is_bounds_panic("runtime.panicdivide"));
}

/* An annotation the way the probes build it from sum_checked: kinds from
 * the disassembly, counts where the samples land. */
static struct fp_proc *proc_with_annot(struct fp_snapshot *s, bool checks_in_loop)
{
	struct fp_proc *p = snapshot__proc(s, 42, true);
	struct fp_cpu_annot a = {};
	struct fp_disasm_insn *v;
	size_t n;
	uint64_t at;

	p->cpu = cpu_stats__new();
	p->cpu->prof = cpu_prof__new(49);
	add(p->cpu->prof, 95, 0, "main.sumChecked main.go:24", "main.main main.go:57", NULL);
	add(p->cpu->prof, 5, 0, "main.main main.go:57", NULL);
	assert_int_equal(disasm__run(sum_checked, sizeof(sum_checked), SUM_AT, &v, &n), 0);
	a.function = strdup("main.sumChecked");
	a.insns = calloc(n, sizeof(*a.insns));
	a.ninsns = n;
	a.samples = 95;
	for (size_t i = 0; i < n; i++) {
		struct fp_cpu_insn *in = &a.insns[i];

		in->off = v[i].addr - SUM_AT;
		snprintf(in->text, sizeof(in->text), "%s", v[i].text);
		snprintf(in->line, sizeof(in->line), "main.go:24");
		if (disasm__guards_panic(v, n, i, is_panic_index, NULL, &at)) {
			in->kind = FP_INSN_BOUNDS;
			in->target = v[i].target - SUM_AT;
			snprintf(in->callee, sizeof(in->callee), "runtime.panicIndex");
		} else if (v[i].flow >= FP_FLOW_JCC && v[i].flow <= FP_FLOW_JMP && v[i].direct &&
			   v[i].target <= v[i].addr && checks_in_loop) {
			in->kind = FP_INSN_BACKEDGE;
			in->target = v[i].target - SUM_AT;
		}
		if (v[i].addr == 0x4854a6)
			in->count = 47;
		if (v[i].addr == 0x4854a9)
			in->count = 44;
		if (v[i].addr == 0x4854ba)
			in->count = 4;
	}
	if (!checks_in_loop)	/* the checks' branches all forward: no loop around them */
		for (size_t i = 0; i < n; i++)
			if (a.insns[i].kind == FP_INSN_BOUNDS)
				a.insns[i].target = a.insns[i].off + 0x40;
	free(v);
	assert_int_equal(cpu_prof__add_annot(p->cpu->prof, &a), 0);
	cpu_prof__finish(p->cpu->prof);
	return p;
}

static void test_bounds_rule(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = proc_with_annot(s, true);

	assert_int_equal(findings__evaluate(s, 2.0), 0);
	assert_int_equal(p->nfindings, 1);
	assert_string_equal(p->findings[0].kind, "bounds-check");
	assert_non_null(strstr(p->findings[0].summary, "main.sumChecked: 2 bounds checks in its hot loop at main.go:24"));
	assert_non_null(strstr(p->findings[0].summary, "runtime.panicIndex"));
	/* the check at +0x3d: the compare before it has 4 of the 95 samples */
	assert_non_null(strstr(p->findings[0].summary, "4% of the function's samples on the compare-and-branch"));
	assert_non_null(strstr(p->findings[0].detail, "b = b[:len(a)]"));
	snapshot__free(s);

	/* checks outside any loop (the re-sliced variant's one check): quiet */
	s = snapshot__new();
	p = proc_with_annot(s, false);
	assert_int_equal(findings__evaluate(s, 2.0), 0);
	assert_int_equal(p->nfindings, 0);
	/* a function under 5% of the samples: quiet */
	p->cpu->prof->annots[0].samples = 4;
	assert_int_equal(findings__evaluate(s, 2.0), 0);
	assert_int_equal(p->nfindings, 0);
	snapshot__free(s);
}

static void test_json_round_trip(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = proc_with_annot(s, true);
	struct fp_cpu_prof *back = NULL;
	char err[256] = "";
	json_t *j = json_cpu__profile(p->cpu->prof);

	assert_int_equal(json_integer_value(json_object_get(j, "hz")), 49);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "functions"), 0),
							       "function")), "main.sumChecked");
	assert_int_equal(json_cpu__parse_profile(j, &back, err, sizeof(err)), 0);
	assert_int_equal(back->samples, 100);
	assert_int_equal(back->nstacks, 2);
	assert_int_equal(back->nannots, 1);
	assert_int_equal(back->annots[0].ninsns, p->cpu->prof->annots[0].ninsns);
	assert_int_equal(back->annots[0].insns[15].kind, FP_INSN_BOUNDS);
	assert_string_equal(back->annots[0].insns[15].callee, "runtime.panicIndex");
	cpu_prof__free(back);
	json_decref(j);
	j = json_loads("{\"hz\": 49, \"stacks\": {}}", 0, NULL);
	assert_int_equal(json_cpu__parse_profile(j, &back, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cpu.profile.stacks"));
	json_decref(j);
	snapshot__free(s);
}

static void test_folded_and_pprof(void **state)
{
	struct fp_snapshot *s = snapshot__new();
	struct fp_proc *p = snapshot__proc(s, 7, true);
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	Perftools__Profiles__Profile *pp;
	uint8_t raw[65536];
	uLongf rawlen = sizeof(raw);
	z_stream z = {};

	snprintf(p->comm, sizeof(p->comm), "srv");
	p->cpu = cpu_stats__new();
	p->cpu->prof = sample_prof();
	assert_true(folded__has_cpu(s));
	assert_int_equal(folded__write_cpu(f, s), 0);
	fclose(f);
	assert_non_null(strstr(buf, "srv;main.main;main.sum 65\n"));
	assert_non_null(strstr(buf, "srv;main.main;read;ksys_read_[k];vfs_read_[k] 10\n"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(pprof__write(f, s, err, sizeof(err)), 0);
	fclose(f);
	assert_true(len > 18 && (uint8_t)buf[0] == 0x1f && (uint8_t)buf[1] == 0x8b);	/* gzip */
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (uint8_t *)buf;
	z.avail_in = (uInt)len;
	z.next_out = raw;
	z.avail_out = sizeof(raw);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	rawlen = z.total_out;
	inflateEnd(&z);
	pp = perftools__profiles__profile__unpack(NULL, rawlen, raw);
	assert_non_null(pp);
	assert_int_equal(pp->n_sample, 4);
	assert_int_equal(pp->period, 1000000000 / 49);
	assert_string_equal(pp->string_table[pp->sample_type[1]->type], "cpu");
	assert_string_equal(pp->string_table[pp->period_type->unit], "nanoseconds");
	{
		int64_t total = 0;

		for (size_t i = 0; i < pp->n_sample; i++)
			total += pp->sample[i]->value[0];
		assert_int_equal(total, 100);
	}
	/* leaf first: the first location of the biggest sample is main.sum line 21 */
	for (size_t i = 0; i < pp->n_sample; i++)
		if (pp->sample[i]->value[0] == 65) {
			Perftools__Profiles__Location *l = pp->location[pp->sample[i]->location_id[0] - 1];
			Perftools__Profiles__Function *fn = pp->function[l->line[0]->function_id - 1];

			assert_int_equal(l->line[0]->line, 21);
			assert_string_equal(pp->string_table[fn->name], "main.sum");
			assert_string_equal(pp->string_table[fn->filename], "main.go");
		}
	perftools__profiles__profile__free_unpacked(pp, NULL);
	free(buf);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_and_rank),
		cmocka_unit_test(test_delta_by_frames),
		cmocka_unit_test(test_disasm_finds_go_bounds_checks),
		cmocka_unit_test(test_bounds_rule),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_folded_and_pprof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
