/* fastpath report FILE.json: render a recording as text, HTML, CSV,
 * Prometheus exposition or folded stacks. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <string.h>
#include "cli/commands.h"
#include "cli/opts.h"
#include "util/err.h"
#include "util/outfile.h"
#include "views/json.h"
#include "views/report.h"

enum fmt { FMT_TEXT, FMT_HTML, FMT_CSV, FMT_PROM, FMT_FOLDED };

struct report_opts {
	const char *file;
	const char *output;
	enum fmt fmt;
	bool pid_label;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: fastpath report FILE.json [--format text|html|csv|prom|folded] [-o OUT]\n"
"\n"
"Renders a recording (fastpath record -o FILE.json):\n"
"  text    readable summary: syscall tables, sections, findings, histograms (default)\n"
"  html    one self-contained page with plots (no scripts, opens offline, prints)\n"
"  csv     one row per (process, metric): pid,comm,metric,value,unit,note\n"
"  prom    Prometheus text exposition (per command name; --pid-label adds pid)\n"
"  folded  allocation stacks for flame graph tools\n"
"\n"
"  -o, --output FILE   write there (atomically) instead of stdout\n"
"      --pid-label     prom: a pid label on every series\n"
"  -h, --help          this help\n");
}

static int parse_format(const char *s, enum fmt *fmt)
{
	static const char *const names[] = { "text", "html", "csv", "prom", "folded" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*fmt = (enum fmt)i;
			return 0;
		}
	return -EINVAL;
}

/* 0, 1 for --help, -EINVAL (message printed). */
static int report_parse(struct report_opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid-label", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &o->fmt)) {
				fp_err("report: unknown format '%s': use text, html, csv, prom or folded", optarg);
				return -EINVAL;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'P':
			o->pid_label = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return opts__getopt_error("report", c, argv);
		}
	}
	if (argc - optind != 1) {
		fp_err("report: give one recording: fastpath report FILE.json (see 'fastpath report --help')");
		return -EINVAL;
	}
	o->file = argv[optind];
	return 0;
}

static int report_render(const struct report_opts *o, const struct fp_snapshot *s, FILE *f)
{
	struct fp_prom_opts po = { .pid_label = o->pid_label, .self_cpu_s = -1, .read_s = -1 };
	char name[4096], err[512];
	int e;

	snprintf(name, sizeof(name), "%s", o->file);
	switch (o->fmt) {
	case FMT_TEXT:
		report_text__write(f, s, o->file);
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
	case FMT_FOLDED:
		e = folded__write(f, s, err, sizeof(err));
		if (e) {
			fp_err("%s: %s", o->file, err);
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
	struct report_opts o;
	char err[1024];
	int e;

	e = report_parse(&o, argc, argv);
	if (e)
		return e > 0 ? 0 : 2;
	e = json__read_record(o.file, &s, err, sizeof(err));
	if (e) {
		fp_err("%s", err);
		return 1;
	}
	e = outfile__open(&out, o.output);
	if (e) {
		fp_err("cannot write '%s': %s: choose a writable path for -o", o.output, strerror(-e));
		goto cleanup;
	}
	e = report_render(&o, s, out.f);
	if (!e && (e = outfile__commit(&out)))
		fp_err("cannot write %s: %s", o.output ? o.output : "the output", strerror(-e));
	if (e)
		outfile__abort(&out);
cleanup:
	snapshot__free(s);
	return e ? 1 : 0;
}
