#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/opts.h"
#include "util/err.h"

double opts__parse_duration(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "ms"))
		return v / 1000.0;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return -1;
}

int opts__parse_pids(const char *s, int *pids, int *npids, int max)
{
	const char *p = s;
	char *end;
	long v;

	if (!*p)
		return -EINVAL;
	while (*p) {
		v = strtol(p, &end, 10);
		if (end == p || v <= 0 || v > 4194304 || (*end && *end != ','))
			return -EINVAL;
		if (*npids >= max)
			return -E2BIG;
		pids[(*npids)++] = (int)v;
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p)
			return -EINVAL;
	}
	return 0;
}

void opts__usage(FILE *f, const char *cmd)
{
	fprintf(f,
"usage: fastpath %s [TARGET] [OPTIONS] [-- COMMAND [ARGS...]]\n"
"\n"
"Targets (default: every process but fastpath itself):\n"
"  -p, --pid PID[,PID...]   trace these processes (all their threads)\n"
"  -c, --comm NAME          trace processes whose command name is NAME,\n"
"                           including ones that start later\n"
"  -G, --cgroup DIR         only processes in this cgroup v2 directory\n"
"  -a, --all                every process (the default)\n"
"      --follow             also trace children that -p/-c targets fork\n"
"  -- COMMAND [ARGS...]     start COMMAND, trace it from its exec, with its\n"
"                           children (like strace -f)\n"
"\n"
"Options:\n"
"  -d, --duration TIME      stop after TIME (10, 10s, 500ms, 2m)\n"
"  -o, --output FILE        write the recording as JSON (fastpath.record/1)\n"
"  -i, --interval TIME      refresh interval (top, serve; default 1s)\n"
"      --alloc=MODE         allocator calls (docs/alloc.md): sampled (default:\n"
"                           Go heap-profile samples, near-zero cost; libc not\n"
"                           probed), exact (every Go runtime.mallocgc and libc\n"
"                           malloc/free/...: 0.65 us (libc), 0.96 us (Go) added\n"
"                           per call, measured: docs/alloc.md), off\n"
"      --stacks             allocation call sites (user stacks, frame pointers)\n"
"      --folded FILE        with --stacks: also write folded stacks for flame graphs\n"
"      --no-stat            no stat-family accounting\n"
"      --no-paths           stat family: counts only, never read a path\n"
"      --no-io              no data-path probes (copy vs zero-copy bytes)\n"
"  -v, --verbose            more messages (twice: libbpf's too)\n"
"  -q, --quiet              no progress messages on stderr\n"
"  -h, --help               this help\n"
"\n"
"It stops at the duration, on Ctrl-C/SIGTERM, or when every target has exited.\n",
		cmd);
}

enum {
	OPT_FOLLOW = 256,
	OPT_JSON,
	OPT_LISTEN,
	OPT_PID_LABEL,
	OPT_FORMAT,
	OPT_ALLOC,
	OPT_STACKS,
	OPT_FOLDED,
	OPT_NO_STAT,
	OPT_NO_PATHS,
	OPT_NO_IO,
};

static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, 'G' },
	{ "all", no_argument, NULL, 'a' },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "duration", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "interval", required_argument, NULL, 'i' },
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "pid-label", no_argument, NULL, OPT_PID_LABEL },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "alloc", required_argument, NULL, OPT_ALLOC },
	{ "stacks", no_argument, NULL, OPT_STACKS },
	{ "folded", required_argument, NULL, OPT_FOLDED },
	{ "no-stat", no_argument, NULL, OPT_NO_STAT },
	{ "no-paths", no_argument, NULL, OPT_NO_PATHS },
	{ "no-io", no_argument, NULL, OPT_NO_IO },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

static int usage_err(const char *cmd, const char *fmt, const char *arg)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, arg);
	fp_err("%s: %s (see 'fastpath %s --help')", cmd, msg, cmd);
	return -EINVAL;
}

int opts__getopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return usage_err(cmd, "option '%s' needs a value", argv[optind - 1]);
	return usage_err(cmd, "unknown option '%s'", argv[optind - 1]);
}

static void opts__defaults(struct fp_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd_name = cmd;
	o->interval_s = 1.0;
	o->probe.sys = true;
	o->probe.stat = true;
	o->probe.io = true;
	o->probe.stat_paths = true;
	o->probe.alloc = FP_ALLOC_SAMPLED;	/* safe in production: docs/alloc.md */
}

static int opts__finish(struct fp_opts *o, int argc, char **argv)
{
	int ntargets = (o->npids > 0) + (o->comm[0] != 0) + o->all + (optind < argc);

	if (optind < argc) {
		/* getopt stops at "--" or at the first non-option (the "+"). */
		if (optind > 0 && strcmp(argv[optind - 1], "--"))
			return usage_err(o->cmd_name, "unexpected argument '%s'; put a command to run after --",
					 argv[optind]);
		o->command = &argv[optind];
		o->probe.cfg.follow = 1;
	}
	if (o->folded && !o->probe.stacks)
		return usage_err(o->cmd_name, "%s", "--folded needs --stacks");
	if (o->probe.stacks && o->probe.alloc == FP_ALLOC_OFF)
		return usage_err(o->cmd_name, "%s", "--stacks needs allocator probes: drop --alloc=off");
	if (ntargets > 1)
		return usage_err(o->cmd_name, "%s", "choose one target: -p, -c, -a or -- COMMAND");
	if (!ntargets)
		o->all = true;
	if (o->follow)
		o->probe.cfg.follow = 1;
	o->probe.cfg.all = o->all;
	if (o->comm[0]) {
		o->probe.cfg.by_comm = 1;
		memcpy(o->probe.cfg.comm, o->comm, FP_COMM_LEN);
	}
	return 0;
}

int opts__parse(struct fp_opts *o, const char *cmd, int argc, char **argv)
{
	int c, err;

	opts__defaults(o, cmd);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:c:G:ad:o:i:bn:vqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			err = opts__parse_pids(optarg, o->pids, &o->npids, FP_MAX_PIDS);
			if (err)
				return usage_err(cmd, err == -E2BIG ? "too many PIDs in '%s'"
					: "bad PID list '%s': expected PID[,PID...]", optarg);
			break;
		case 'c':
			if (strlen(optarg) >= FP_COMM_LEN)
				return usage_err(cmd, "command name '%s' is longer than the kernel's 15 characters", optarg);
			snprintf(o->comm, sizeof(o->comm), "%s", optarg);
			break;
		case 'G':
			o->cgroup = optarg;
			break;
		case 'a':
			o->all = true;
			break;
		case OPT_FOLLOW:
			o->follow = true;
			break;
		case 'd':
			o->duration_s = opts__parse_duration(optarg);
			if (o->duration_s <= 0)
				return usage_err(cmd, "bad duration '%s': use e.g. 10, 10s, 500ms, 2m", optarg);
			break;
		case 'i':
			o->interval_s = opts__parse_duration(optarg);
			if (o->interval_s < 0.05)
				return usage_err(cmd, "bad interval '%s': at least 50ms", optarg);
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'b':
			o->batch = true;
			break;
		case 'n':
			o->count = strtol(optarg, NULL, 10);
			if (o->count <= 0)
				return usage_err(cmd, "bad count '%s': a positive number", optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_PID_LABEL:
			o->show_pid_label = true;
			break;
		case OPT_FORMAT:
			o->format = optarg;
			break;
		case OPT_ALLOC:
			if (!strcmp(optarg, "exact"))
				o->probe.alloc = FP_ALLOC_EXACT;
			else if (!strcmp(optarg, "sampled"))
				o->probe.alloc = FP_ALLOC_SAMPLED;
			else if (!strcmp(optarg, "off"))
				o->probe.alloc = FP_ALLOC_OFF;
			else
				return usage_err(cmd, "bad --alloc '%s': exact, sampled or off", optarg);
			break;
		case OPT_STACKS:
			o->probe.stacks = true;
			break;
		case OPT_FOLDED:
			o->folded = optarg;
			break;
		case OPT_NO_STAT:
			o->probe.stat = false;
			break;
		case OPT_NO_PATHS:
			o->probe.stat_paths = false;
			break;
		case OPT_NO_IO:
			o->probe.io = false;
			break;
		case 'v':
			fp_verbose++;
			break;
		case 'q':
			fp_quiet = true;
			break;
		case 'h':
			opts__usage(stdout, cmd);
			return 1;
		default:
			return opts__getopt_error(cmd, c, argv);
		}
	}
	return opts__finish(o, argc, argv);
}
