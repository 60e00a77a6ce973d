/* fastpath diff BEFORE.json AFTER.json: what changed between two recordings,
 * largest change first (model/diff.h says how they are matched and ranked). */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "cli/commands.h"
#include "cli/opts.h"
#include "model/diff.h"
#include "util/err.h"
#include "util/outfile.h"
#include "views/json.h"
#include "views/report.h"

struct diff_opts {
	const char *files[2];
	const char *output;
	bool html;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: fastpath diff BEFORE.json AFTER.json [--format text|html] [-o OUT]\n"
"\n"
"Matches processes by command name (and PID when both recordings hold the same\n"
"PIDs) and lists what changed, largest first: the data path (zero-copy versus\n"
"copy), findings that appeared or went away, calls and bytes per second,\n"
"percentile shifts of the histograms.  Changes under 1.5x are left out.\n"
"\n"
"  -o, --output FILE   write there (atomically) instead of stdout\n"
"  -h, --help          this help\n");
}

static int diff_parse(struct diff_opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
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
			if (strcmp(optarg, "text") && strcmp(optarg, "html")) {
				fp_err("diff: unknown format '%s': use text or html", optarg);
				return -EINVAL;
			}
			o->html = !strcmp(optarg, "html");
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return opts__getopt_error("diff", c, argv);
		}
	}
	if (argc - optind != 2) {
		fp_err("diff: give two recordings: fastpath diff BEFORE.json AFTER.json");
		return -EINVAL;
	}
	o->files[0] = argv[optind];
	o->files[1] = argv[optind + 1];
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct fp_snapshot *s[2] = {};
	struct fp_outfile out = {};
	struct fp_diff *d = NULL;
	struct diff_opts o;
	char err[1024];
	int e;

	e = diff_parse(&o, argc, argv);
	if (e)
		return e > 0 ? 0 : 2;
	for (int k = 0; k < 2; k++) {
		e = json__read_record(o.files[k], &s[k], err, sizeof(err));
		if (e) {
			fp_err("%s", err);
			goto cleanup;
		}
	}
	d = diff__compute(s[0], s[1]);
	if (!d) {
		e = -ENOMEM;
		fp_err("diff: out of memory");
		goto cleanup;
	}
	e = outfile__open(&out, o.output);
	if (e) {
		fp_err("cannot write '%s': %s: choose a writable path for -o", o.output, strerror(-e));
		goto cleanup;
	}
	if (o.html)
		report_html__diff(out.f, d, o.files[0], o.files[1]);
	else
		report_text__diff(out.f, d, o.files[0], o.files[1]);
	e = outfile__commit(&out);
	if (e) {
		fp_err("cannot write %s: %s", o.output ? o.output : "the output", strerror(-e));
		outfile__abort(&out);
	}
cleanup:
	diff__free(d);
	snapshot__free(s[0]);
	snapshot__free(s[1]);
	return e ? 1 : 0;
}
