/* fastpath record: trace for a while, then write the recording (JSON with
 * -o, an strace -c style table otherwise). */
#include <errno.h>
#include <string.h>
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/session.h"
#include "model/alloc.h"
#include "views/report.h"
#include "util/err.h"
#include "util/outfile.h"
#include "views/json.h"
#include "views/text.h"

/* out: the recording or table; folded: --folded FILE, or not open. */
static int record_write(struct fp_session *S, struct fp_outfile *out, struct fp_outfile *folded)
{
	struct fp_snapshot *snap = NULL;
	int err;

	err = session__snapshot(S, NULL, &snap, NULL);
	if (err) {
		fp_err("cannot read the probes' maps: %s", strerror(-err));
		return err;
	}
	if (S->opts->output)
		err = json__write_record(out->f, snap);
	else
		text__record(out->f, snap);
	if (err)
		fp_err("cannot write %s: %s", S->opts->output, strerror(-err));
	else
		err = output__commit(out, S->opts->output);
	if (!err && S->opts->folded) {
		err = folded__write_sites(folded->f, snap, false);
		if (err)
			fp_err("cannot write %s: %s", S->opts->folded, strerror(-err));
		else
			err = output__commit(folded, S->opts->folded);
	}
	snapshot__free(snap);
	return err;
}

int cmd_record(int argc, char **argv)
{
	struct fp_outfile out = {}, folded = {};
	struct fp_session S = {};
	struct fp_opts o;
	int err;

	err = opts__parse(&o, "record", argc, argv);
	if (err)
		return err > 0 ? 0 : 2;
	/* Checked before attaching: a bad path must not cost a trace. */
	if (output__open(&out, o.output, "-o", FP_MODE_RECORDING))
		return 1;
	if (o.folded && output__open(&folded, o.folded, "--folded", FP_MODE_RECORDING)) {
		outfile__abort(&out);
		return 1;
	}
	session__signals();
	err = session__start(&S, &o);
	if (err)
		goto cleanup;
	session__wait(&S, o.duration_s);
	err = record_write(&S, &out, &folded);
	if (!err && o.command)
		fp_debug("command exited with status %d", session__child_status(&S));
cleanup:
	session__end(&S);
	if (err) {
		outfile__abort(&out);
		outfile__abort(&folded);
	}
	return err ? 1 : 0;
}
