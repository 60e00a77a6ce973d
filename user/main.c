/* fastpath: which syscalls, how slow; is the zero-copy path firing; is it
 * in a stat storm; is it hammering the allocator.  Dispatch only. */
#include <malloc.h>
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
	fprintf(f, "\n'fastpath help COMMAND' (or 'fastpath COMMAND --help') for each;\n"
		   "'man fastpath' and 'man fastpath-COMMAND' for all; 'fastpath --version'.\n");
}

static int find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return (int)i;
	return -1;
}

/* `fastpath help COMMAND` is `fastpath COMMAND --help`: one usage text per
 * command, printed by the command itself, so the two cannot differ. */
static int help(int argc, char **argv)
{
	char *args[] = { NULL, "--help", NULL };
	int i;

	if (argc < 3 || !strcmp(argv[2], "help")) {
		usage(stdout);
		return 0;
	}
	if (argc > 3) {
		fp_err("help: one command at a time: fastpath help COMMAND");
		return 2;
	}
	i = find_command(argv[2]);
	if (i < 0) {
		fp_err("help: unknown command '%s' (see 'fastpath --help')", argv[2]);
		return 2;
	}
	args[0] = argv[2];
	return commands[i].fn(2, args);
}

int main(int argc, char **argv)
{
	int i;

	/* A fixed mmap threshold (glibc's initial 128 KiB): glibc raises it to
	 * the size of each large block freed, so after libbpf frees its first
	 * copy of the kernel's BTF (5 MB) every buffer up to that size came from
	 * the heap and stayed resident once freed, under a trim threshold of
	 * twice that: a Go binary's function table read per probe family was
	 * 4.7 MB each, kept, and --parks peaked at 18.7 MB (issue 13). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return help(2, argv);
	if (!strcmp(argv[1], "help"))
		return help(argc, argv);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("fastpath %s\n", FP_VERSION);
		return 0;
	}
	i = find_command(argv[1]);
	if (i >= 0)
		return commands[i].fn(argc - 1, argv + 1);
	fp_err("unknown command '%s' (see 'fastpath --help')", argv[1]);
	return 2;
}
