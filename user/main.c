/* fastpath: which syscalls, how slow; is the zero-copy path firing; is it
 * in a stat storm; is it hammering the allocator.  Dispatch only. */
#include <stdio.h>
#include <string.h>
#include "cli/commands.h"
#include "util/err.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "record", cmd_record, "trace, then write a recording (JSON) or an strace -c style table" },
	{ "top", cmd_top, "live view of every traced process, refreshed each interval" },
	{ "check", cmd_check, "show what this machine supports" },
	{ "report", cmd_report, "render a recording: text, html, csv, prom, folded" },
	{ "diff", cmd_diff, "what changed between two recordings, largest first" },
	{ "serve", cmd_serve, "Prometheus exporter on 127.0.0.1:9464 (/metrics)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: fastpath COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'fastpath COMMAND --help' for each; docs/cli.md for all.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("fastpath %s\n", FP_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fp_err("unknown command '%s' (see 'fastpath --help')", argv[1]);
	return 2;
}
