#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/opts.h"
#include "util/err.h"
#include "fp_cpu.h"

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

int opts__parse_hz(const char *s, unsigned int *hz)
{
	char *end;
	long v;

	if (!s) {
		*hz = FP_PROF_DEFAULT_HZ;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (end == s || (*end && strcmp(end, "Hz") && strcmp(end, "hz")) || v < 1 || v > FP_PROF_MAX_HZ)
		return -EINVAL;
	*hz = (unsigned int)v;
	return 0;
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
	OPT_PROFILE,
	OPT_CONTAINER,
	OPT_PARKS,
	OPT_WAITS,
};

/* The commands (FOR_*) that take the options not all three take: help
 * lists an option only for them, the parser rejects it for the others
 * (bpftool's per-command BAD_ARG). */
enum { FOR_RECORD = 1, FOR_TOP = 2, FOR_SERVE = 4 };

static const struct {
	int val;
	unsigned int cmds;
	const char *takers;	/* for the message */
} scoped[] = {
	{ 'o', FOR_RECORD, "record" },
	{ OPT_FOLDED, FOR_RECORD, "record" },
	{ OPT_FORMAT, 0, "report and diff" },
	{ 'i', FOR_TOP | FOR_SERVE, "top and serve" },
	{ 'b', FOR_TOP, "top" },
	{ 'n', FOR_TOP, "top" },
	{ OPT_JSON, FOR_TOP, "top" },
	{ OPT_LISTEN, FOR_SERVE, "serve" },
	{ OPT_PID_LABEL, FOR_SERVE, "serve" },
};

static unsigned int cmd_bit(const char *cmd)
{
	if (!strcmp(cmd, "record"))
		return FOR_RECORD;
	if (!strcmp(cmd, "top"))
		return FOR_TOP;
	return !strcmp(cmd, "serve") ? FOR_SERVE : 0;
}

/* The index in scoped[] of an option cmd does not take; -1 if it takes it. */
static int not_for(const char *cmd, int val)
{
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++)
		if (scoped[i].val == val)
			return scoped[i].cmds & cmd_bit(cmd) ? -1 : (int)i;
	return -1;
}

/* Help lines, each of the option it describes. */
static const struct { int val; const char *text; } usage_lines[] = {
	{ 'd', "  -d, --duration TIME      stop after TIME (10, 10s, 500ms, 2m)" },
	{ 'o', "  -o, --output FILE        write the recording as JSON (fastpath.record/1)" },
	{ 'i', "  -i, --interval TIME      refresh interval (default 1s)" },
	{ 'b', "  -b, --batch              plain text every interval, no terminal UI" },
	{ 'n', "  -n, --iterations COUNT   stop after COUNT intervals" },
	{ OPT_JSON, "      --json               one JSON object per interval (implies -b)" },
	{ OPT_LISTEN, "      --listen ADDR        HOST:PORT, [V6]:PORT or :PORT (default 127.0.0.1:9464)" },
	{ OPT_PID_LABEL, "      --pid-label          a pid label on every series" },
	{ OPT_ALLOC, "      --alloc=MODE         allocator calls (docs/alloc.md): sampled (default:\n"
		     "                           Go heap-profile samples, near-zero cost; libc not\n"
		     "                           probed), exact (every Go runtime.mallocgc and libc\n"
		     "                           malloc/free/...: 0.65 us (libc), 0.96 us (Go) added\n"
		     "                           per call, measured: docs/alloc.md), off" },
	{ OPT_STACKS, "      --stacks             allocation call sites (user stacks, frame pointers)" },
	{ OPT_FOLDED, "      --folded FILE        with --stacks: also write folded stacks for flame graphs" },
	{ OPT_NO_STAT, "      --no-stat            no stat-family accounting" },
	{ OPT_NO_PATHS, "      --no-paths           stat family: counts only, never read a path" },
	{ OPT_NO_IO, "      --no-io              no data-path probes (copy vs zero-copy bytes)" },
	{ OPT_PROFILE, "      --profile[=HZ]       sampled CPU profile of the targets, user and kernel\n"
		       "                           stacks, at HZ per CPU (default 49; docs/cpu.md)" },
	{ OPT_PARKS, "      --parks              Go targets: why and how long goroutines park (chan send,\n"
		     "                           select, semacquire, sleep, ...) and where; a uprobe per\n"
		     "                           park and per goroutine switch (docs/gopark.md)" },
	{ OPT_WAITS, "      --waits[=stacks]     where threads wait: run-queue delay and off-CPU time\n"
		     "                           by syscall, from every context switch; =stacks: and\n"
		     "                           the stacks they blocked in (docs/waits.md)" },
	{ 'v', "  -v, --verbose            more messages (twice: libbpf's too)" },
	{ 'q', "  -q, --quiet              no progress messages on stderr" },
	{ 'h', "  -h, --help               this help" },
};

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
"      --container ID|NAME  only processes in this container: an id prefix\n"
"                           (docker's short ids) or a cgroup name prefix\n"
"  -a, --all                every process (the default)\n"
"      --follow             also trace children that -p/-c targets fork\n"
"  -- COMMAND [ARGS...]     start COMMAND, trace it from its exec, with its\n"
"                           children (like strace -f)\n"
"\n"
"Options:\n", cmd);
	for (size_t i = 0; i < sizeof(usage_lines) / sizeof(usage_lines[0]); i++)
		if (not_for(cmd, usage_lines[i].val) < 0)
			fprintf(f, "%s\n", usage_lines[i].text);
	fprintf(f, "\nIt stops at the duration, on Ctrl-C/SIGTERM, or when every target has exited.\n");
}


static const struct option long_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, 'G' },
	{ "container", required_argument, NULL, OPT_CONTAINER },
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
	{ "format", required_argument, NULL, OPT_FORMAT },	/* rejected: report's */
	{ "alloc", required_argument, NULL, OPT_ALLOC },
	{ "stacks", no_argument, NULL, OPT_STACKS },
	{ "folded", required_argument, NULL, OPT_FOLDED },
	{ "no-stat", no_argument, NULL, OPT_NO_STAT },
	{ "no-paths", no_argument, NULL, OPT_NO_PATHS },
	{ "no-io", no_argument, NULL, OPT_NO_IO },
	{ "profile", optional_argument, NULL, OPT_PROFILE },
	{ "parks", no_argument, NULL, OPT_PARKS },
	{ "waits", optional_argument, NULL, OPT_WAITS },
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

/* "-o/--output" or "--listen": how the option is spelled in the help. */
static void opt_name(int val, char *buf, size_t len)
{
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (lo->val != val)
			continue;
		if (val < 256)
			snprintf(buf, len, "-%c/--%s", val, lo->name);
		else
			snprintf(buf, len, "--%s", lo->name);
		return;
	}
	snprintf(buf, len, "-%c", val);
}

int opts__getopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return usage_err(cmd, "option '%s' needs a value", argv[optind - 1]);
	return usage_err(cmd, "unknown option '%s'", argv[optind - 1]);
}

int opts__applies(const char *cmd, int val)
{
	char name[64], msg[192];
	int i = not_for(cmd, val);

	if (i < 0)
		return 0;
	opt_name(val, name, sizeof(name));
	snprintf(msg, sizeof(msg), "%s does not apply to %s; %s take%s it", name, cmd, scoped[i].takers,
		 strchr(scoped[i].takers, ' ') ? "" : "s");
	return usage_err(cmd, "%s", msg);
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
	o->probe.cpu = true;
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
	if (o->cgroup && o->container)
		return usage_err(o->cmd_name, "%s", "choose one of -G and --container");
	/* Go's park probes go per process, on the binary each target runs. */
	if (o->probe.parks && (o->all || !ntargets))
		return usage_err(o->cmd_name, "%s", "--parks needs targets: -p, -c or -- COMMAND");
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
		if ((err = opts__applies(cmd, c)))
			return err;
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
		case OPT_CONTAINER:
			if (!*optarg)
				return usage_err(cmd, "%s", "--container needs an id or a name prefix");
			o->container = optarg;
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
		case OPT_PROFILE:
			err = opts__parse_hz(optarg, &o->probe.profile_hz);
			if (err)
				return usage_err(cmd, "bad --profile rate '%s': a frequency in Hz, 1 to 20000 (e.g. --profile=99)",
						 optarg);
			break;
		case OPT_PARKS:
			o->probe.parks = true;
			break;
		case OPT_WAITS:
			if (optarg && strcmp(optarg, "stacks"))
				return usage_err(cmd, "bad --waits '%s': give --waits, or --waits=stacks for off-CPU stacks",
						 optarg);
			o->probe.waits = true;
			o->probe.waits_stacks = optarg != NULL;
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
