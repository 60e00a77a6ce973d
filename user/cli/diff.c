/* fastpath diff BEFORE.json AFTER.json: what changed between two recordings,
 * largest change first (model/diff.h says how they are matched and ranked). */
#include <errno.h>
#include <string.h>
#include "cli/commands.h"
#include "cli/output.h"
#include "model/diff.h"
#include "util/err.h"
#include "util/outfile.h"
#include "views/json.h"
#include "views/report.h"

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

enum { DIFF_TEXT, DIFF_HTML };
static const char *const formats[] = { [DIFF_TEXT] = "text", [DIFF_HTML] = "html", NULL };

static const struct fp_render_cmd diff_cmd = {
	.name = "diff",
	.formats = formats,
	.nfiles = 2,
	.files_err = "diff: give two recordings: fastpath diff BEFORE.json AFTER.json",
	.usage = usage,
};

int cmd_diff(int argc, char **argv)
{
	struct fp_snapshot *s[2] = {};
	struct fp_outfile out = {};
	struct fp_diff *d = NULL;
	struct fp_render_args o;
	char err[1024];
	int e;

	e = output__parse(&o, &diff_cmd, argc, argv);
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
	e = output__open(&out, o.output, "-o", FP_MODE_REPORT);
	if (e)
		goto cleanup;
	if (o.format == DIFF_HTML)
		report_html__diff(out.f, d, o.files[0], o.files[1]);
	else
		report_text__diff(out.f, d, o.files[0], o.files[1]);
	e = output__commit(&out, o.output);
cleanup:
	diff__free(d);
	snapshot__free(s[0]);
	snapshot__free(s[1]);
	return e ? 1 : 0;
}
