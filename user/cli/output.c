/* report's and diff's arguments, and every output file's open and commit
 * (see output.h). */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include "cli/opts.h"
#include "cli/output.h"
#include "util/err.h"

/* "text, html, csv, prom or folded" */
static void format_list(const char *const *f, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; f[i] && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i == 0 ? "" : f[i + 1] ? ", " : " or ", f[i]);
}

static int parse_format(const struct fp_render_cmd *c, const char *s, int *out)
{
	char list[128];

	for (int i = 0; c->formats[i]; i++)
		if (!strcmp(s, c->formats[i])) {
			*out = i;
			return 0;
		}
	format_list(c->formats, list, sizeof(list));
	fp_err("%s: unknown format '%s': use %s", c->name, s, list);
	return -EINVAL;
}

int output__parse(struct fp_render_args *a, const struct fp_render_cmd *c, int argc, char **argv)
{
	/* --pid-label last, so a command without it stops the table before. */
	struct option longs[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "pid-label", no_argument, NULL, 'P' },
		{},
	};
	int ch;

	if (!c->pid_label)
		memset(&longs[3], 0, sizeof(longs[3]));
	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:o:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (parse_format(c, optarg, &a->format))
				return -EINVAL;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'P':
			a->pid_label = true;
			break;
		case 'h':
			c->usage(stdout);
			return 1;
		default:
			return opts__getopt_error(c->name, ch, argv);
		}
	}
	if (argc - optind != c->nfiles) {
		fp_err("%s", c->files_err);
		return -EINVAL;
	}
	for (int i = 0; i < c->nfiles; i++)
		a->files[i] = argv[optind + i];
	return 0;
}

int output__open(struct fp_outfile *out, const char *path, const char *opt, mode_t mode)
{
	int err = outfile__open(out, path, mode);

	if (err)
		fp_err("cannot write '%s': %s: choose a writable path for %s", path, strerror(-err), opt);
	return err;
}

int output__commit(struct fp_outfile *out, const char *path)
{
	int err = outfile__commit(out);

	if (err) {
		fp_err("cannot write %s: %s", path ? path : "the output", strerror(-err));
		outfile__abort(out);
	}
	return err;
}
