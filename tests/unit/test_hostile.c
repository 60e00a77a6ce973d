/* Unit tests: a snapshot whose every string a traced process could choose
 * is hostile (comm, exe, target, paths, directories, frames, symbols, source
 * lines, notes, findings), rendered by every writer: none lets a control
 * byte through (issue 16, docs/security.md "Escaping"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"
#include "model/statfam.h"
#include "model/cpu.h"
#include "model/cpu_prof.h"
#include "model/gopark.h"
#include "views/report.h"
#include "views/text.h"
#include "views/detail.h"
#include "views/batch.h"
#include "views/topfmt.h"
#include "util/escape.h"

#define EVIL "\x1b[2J\x1b]0;t\a\n\r\t\x7f\x9b\xc2\x9b\xff"

static struct fp_snapshot *hostile(void)
{
	struct fp_snapshot *s = snap(2);
	struct fp_proc *p = proc(s, 7, "c\x1b[2J\n\xff\x9b");
	const char *frames[] = { "leaf" EVIL " f.c:1", "mid;dle" EVIL, "root" EVIL };
	struct fp_cpu_annot an = {};

	snprintf(s->meta.host, sizeof(s->meta.host), "host%s", EVIL);
	snprintf(s->meta.target, sizeof(s->meta.target), "command: ls %s", EVIL);
	p->exe = strdup("/bin/" EVIL);
	/* a unit name is chosen by whoever made the cgroup */
	p->cgroup = strdup("/system.slice/u" EVIL ".service");
	p->nspid = 3;
	calls(p, "newfstatat", 10, 1000);
	p->stat = stat_stats__new(true);
	stat_stats__sys(p->stat, syscall__nr("newfstatat"))->calls = 10;
	assert_int_equal(stat_stats__add_path(p->stat, 0, "/p/" EVIL, false, 10, 1), 0);
	assert_int_equal(stat_stats__add_dir(p->stat, "/d/" EVIL, 10, 1), 0);
	mallocs(p, "caller" EVIL " c.c:2", 100, 64);
	assert_int_equal(alloc_stats__add_note(p->alloc, "note" EVIL), 0);
	p->cpu = cpu_stats__new();
	p->cpu->run_ns = 1000000;
	p->cpu->prof = cpu_prof__new(99);
	assert_int_equal(cpu_prof__add(p->cpu->prof, frames, 3, 0, 50), 0);
	p->cpu->prof->samples = 50;
	an.function = strdup("fn" EVIL);
	an.samples = 50;
	an.insns = calloc(1, sizeof(*an.insns));
	an.ninsns = 1;
	an.insns[0].count = 50;
	an.insns[0].kind = FP_INSN_BOUNDS;
	snprintf(an.insns[0].text, sizeof(an.insns[0].text), "mov %s", EVIL);
	snprintf(an.insns[0].line, sizeof(an.insns[0].line), "l%s.c:3", EVIL);
	snprintf(an.insns[0].callee, sizeof(an.insns[0].callee), "panic%s", EVIL);
	assert_int_equal(cpu_prof__add_annot(p->cpu->prof, &an), 0);
	/* Go park reasons and sites: names from the traced binary */
	p->gopark = gopark_stats__new();
	snprintf(p->gopark->go_version, sizeof(p->gopark->go_version), "go%s", EVIL);
	struct fp_gopark_reason *r = gopark_stats__reason(p->gopark, "chan" EVIL, true);
	r->parks = 5;
	hist__add(&r->parked, 1000, 5);
	assert_int_equal(gopark_stats__add_site(p->gopark, "chan" EVIL, "main.x" EVIL " m.go:1", frames, 3, 5, 5,
						5000), 0);
	assert_int_equal(gopark_stats__add_note(p->gopark, "note" EVIL), 0);
	assert_int_equal(proc__add_finding(p, "kind" EVIL, "warning\" onclick=\"x", "sum" EVIL, "det" EVIL), 0);
	return s;
}

/* No byte a terminal acts on: below 0x20 but line ends, 0x7f, a C1 control
 * (raw or UTF-8), nor invalid UTF-8. */
static void assert_clean(const char *what, const char *out, bool crlf)
{
	size_t n = strlen(out);

	if (!esc__utf8_valid(out, n))
		fail_msg("%s: not UTF-8", what);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\n' || (crlf && c == '\r' && out[i + 1] == '\n'))
			continue;
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)out[i + 1] >= 0x80 &&
						(unsigned char)out[i + 1] <= 0x9f))
			fail_msg("%s: raw control 0x%02x at %zu: ...%.40s", what, c, i, out + (i > 20 ? i - 20 : 0));
	}
}

static void test_every_writer(void **state)
{
	struct fp_snapshot *s = hostile();
	struct fp_prom_opts po = { .self_cpu_s = -1, .read_s = -1 };
	struct top_info in = { .seq = 1 };
	char *out = NULL, err[128];

	CAPTURE(out, text__record(f, s));
	assert_clean("record text", out, false);
	assert_non_null(strstr(out, "/bin/\\x1b[2J\\x1b]0;t\\x07\\n\\r\\t\\x7f\\x9b\\xc2\\x9b\\xff"));
	assert_non_null(strstr(out, "/p/\\x1b[2J"));	/* the path is there, escaped */
	assert_non_null(strstr(out, "cgroup /system.slice/u\\x1b[2J"));
	free(out);
	CAPTURE(out, report_text__write(f, s, "r" EVIL ".json"));
	assert_clean("report text", out, false);
	free(out);
	CAPTURE(out, report_html__write(f, s, "r" EVIL ".json"));
	assert_clean("report html", out, false);
	assert_non_null(strstr(out, "/p/\\x1b[2J"));
	assert_non_null(strstr(out, "cgroup /system.slice/u\\x1b[2J"));
	assert_null(strstr(out, "onclick"));	/* the severity is not an attribute */
	free(out);
	CAPTURE(out, csv__write(f, s));
	assert_clean("csv", out, true);
	assert_non_null(strstr(out, "cgroup,1,,/system.slice/u\\x1b[2J"));
	free(out);
	CAPTURE(out, prom__write(f, s, &po));
	assert_clean("prom", out, false);
	assert_non_null(strstr(out, "fastpath_go_park_seconds_count{comm="));
	free(out);
	CAPTURE(out, folded__write_sites(f, s, false));
	assert_clean("folded sites", out, false);
	/* one line per site, ';' only between frames */
	assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
	free(out);
	CAPTURE(out, folded__write_cpu(f, s));
	assert_clean("folded cpu", out, false);
	assert_non_null(strstr(out, "mid:dle"));
	free(out);
	CAPTURE(out, batch__text(f, s, &in));
	assert_clean("top -b", out, false);
	assert_non_null(strstr(out, "u\\x1b[2J"));	/* the CONTAINER column: the unit */
	free(out);
	CAPTURE(out, assert_int_equal(batch__json_line(f, s, &in), 0));
	assert_clean("top --json", out, false);
	free(out);
	CAPTURE(out, assert_int_equal(pprof__write(f, s, err, sizeof(err)), 0));
	free(out);

	struct detail *det = detail__new();
	bool where = false;	/* the cgroup line is there, escaped */

	detail__proc(det, &s->procs[0], 2, 100);
	for (size_t i = 0; i < detail__count(det); i++) {
		assert_clean("top detail", detail__line(det, i)->text, false);
		where |= strstr(detail__line(det, i)->text, "cgroup /system.slice/u\\x1b[2J") != NULL;
	}
	assert_true(where);
	detail__free(det);
	snapshot__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_writer),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
