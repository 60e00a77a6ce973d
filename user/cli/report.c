/* fastpath report FILE.json: render a recording as text, HTML, CSV,
 * Prometheus exposition or folded stacks. */
#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>
#include "cli/commands.h"
#include "cli/output.h"
#include "util/err.h"
#include "util/outfile.h"
#include "views/json.h"
#include "views/report.h"

enum fmt { FMT_TEXT, FMT_HTML, FMT_CSV, FMT_PROM, FMT_FOLDED, FMT_PPROF, FMT_FOLDED_OFFCPU };

static void usage(FILE *f)
{
	fprintf(f,
"usage: fastpath report FILE.json [--format text|html|csv|prom|folded|folded-offcpu|pprof] [-o OUT]\n"
"\n"
"Renders a recording (fastpath record -o FILE.json):\n"
"  text    readable summary: syscall tables, sections, findings, histograms (default)\n"
"  html    one self-contained page with plots (no scripts, opens offline, prints)\n"
"  csv     one row per (process, metric): pid,comm,metric,value,unit,note\n"
"  prom    Prometheus text exposition (per command name; --pid-label adds pid)\n"
"  folded  CPU stacks (--profile), else allocation stacks, for flame graph tools\n"
"  folded-offcpu  the stacks threads blocked in (--waits=stacks), weighted by\n"
"          microseconds blocked: an off-CPU flame graph\n"
"  pprof   the CPU profile as gzipped profile.proto (go tool pprof; binary: needs -o)\n"
"\n"
"  -o, --output FILE   write there (atomically) instead of stdout\n"
"      --pid-label     prom: a pid label on every series\n"
"  -h, --help          this help\n");
}

static const char *const formats[] = {
	[FMT_TEXT] = "text", [FMT_HTML] = "html", [FMT_CSV] = "csv", [FMT_PROM] = "prom",
	[FMT_FOLDED] = "folded", [FMT_PPROF] = "pprof", [FMT_FOLDED_OFFCPU] = "folded-offcpu", NULL
};

static const struct fp_render_cmd report_cmd = {
	.name = "report",
	.formats = formats,
	.nfiles = 1,
	.files_err = "report: give one recording: fastpath report FILE.json (see 'fastpath report --help')",
	.pid_label = true,
	.usage = usage,
};

static int report_render(const struct fp_render_args *o, const struct fp_snapshot *s, FILE *f)
{
	struct fp_prom_opts po = { .pid_label = o->pid_label, .self_cpu_s = -1, .read_s = -1 };
	char name[4096], err[512];
	int e;

	snprintf(name, sizeof(name), "%s", o->files[0]);
	switch ((enum fmt)o->format) {
	case FMT_TEXT:
		report_text__write(f, s, o->files[0]);
		break;
	case FMT_HTML:
		report_html__write(f, s, basename(name));
		break;
	case FMT_CSV:
		csv__write(f, s);
		break;
	case FMT_PROM:
		prom__write(f, s, &po);
		break;
	case FMT_PPROF:
		e = pprof__write(f, s, err, sizeof(err));
		if (e) {
			fp_err("%s: %s", o->files[0], err);
			return e;
		}
		break;
	case FMT_FOLDED:
	case FMT_FOLDED_OFFCPU:
		e = o->format == FMT_FOLDED ? folded__write(f, s, err, sizeof(err))
					    : folded__write_offcpu(f, s, err, sizeof(err));
		if (e) {
			fp_err("%s: %s", o->files[0], err);
			return e;
		}
		break;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct fp_snapshot *s = NULL;
	struct fp_outfile out = {};
	struct fp_render_args o;
	char err[1024];
	int e;

	e = output__parse(&o, &report_cmd, argc, argv);
	if (e)
		return e > 0 ? 0 : 2;
	if (o.format == FMT_PPROF && (!o.output || !strcmp(o.output, "-")) && isatty(STDOUT_FILENO)) {
		fp_err("report: --format pprof is binary: give -o FILE.pb.gz");
		return 2;
	}
	e = json__read_record(o.files[0], &s, err, sizeof(err));
	if (e) {
		fp_err("%s", err);
		return 1;
	}
	e = output__open(&out, o.output, "-o", FP_MODE_REPORT);
	if (e)
		goto cleanup;
	e = report_render(&o, s, out.f);
	if (e)
		outfile__abort(&out);
	else
		e = output__commit(&out, o.output);
cleanup:
	snapshot__free(s);
	return e ? 1 : 0;
}
