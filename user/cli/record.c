/* fastpath record: trace for a while, then write the recording (JSON with
 * -o, an strace -c style table otherwise). */
#include <errno.h>
#include <string.h>
#include "cli/commands.h"
#include "cli/session.h"
#include "model/alloc.h"
#include "views/report.h"
#include "model/findings.h"
#include "util/err.h"
#include "util/outfile.h"
#include "views/json.h"
#include "views/text.h"

/* out: the recording or table; folded: --folded FILE, or not open. */
static int record_write(struct fp_session *S, struct fp_outfile *out, struct fp_outfile *folded)
{
	struct fp_snapshot *snap = snapshot__new();
	int err;

	if (!snap)
		return -ENOMEM;
	err = session__read(S, snap);
	if (!err)
		err = findings__evaluate(snap, snap->meta.duration_s);
	if (err) {
		fp_err("cannot read the probes' maps: %s", strerror(-err));
		goto cleanup;
	}
	if (S->opts->output)
		err = json__write_record(out->f, snap);
	else
		text__record(out->f, snap);
	if (!err)
		err = outfile__commit(out);
	if (err) {
		fp_err("cannot write %s: %s", S->opts->output ? S->opts->output : "the output",
		       strerror(-err));
		goto cleanup;
	}
	if (S->opts->folded) {
		err = folded__write_sites(folded->f, snap, false);
		if (!err)
			err = outfile__commit(folded);
		if (err)
			fp_err("cannot write %s: %s", S->opts->folded, strerror(-err));
	}
cleanup:
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
	err = outfile__open(&out, o.output);
	if (err) {
		fp_err("cannot write '%s': %s: choose a writable path for -o", o.output, strerror(-err));
		return 1;
	}
	if (o.folded && (err = outfile__open(&folded, o.folded))) {
		fp_err("cannot write '%s': %s: choose a writable path for --folded", o.folded, strerror(-err));
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
