/*
 * floor: load and attach bench/floor.bpf.c (empty programs on tp_btf
 * sys_enter/sys_exit), say "attached" on stderr, and hold them until
 * SIGINT/SIGTERM or for -d SECONDS.  The overhead floor of the benchmark.
 * With -l LEVEL (1-4) -p PID the programs do the parts of syscall
 * accounting up to LEVEL for PID (see floor.bpf.c; bench/parts.sh).
 *   floor [-d SECONDS] [-l LEVEL -p PID]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "fp_sys.h"
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

/* The row of the one process level 4 counts: cell nr + 1 for syscall nr,
 * as fastpath's pool would hold it once the process made every syscall. */
static int fill_row(struct floor_bpf *skel)
{
	static struct fp_row row;
	unsigned int zero = 0, i;

	for (i = 0; i < FP_SYS_NR_MAX; i++)
		row.cell[i] = i + 1;
	if (bpf_map__update_elem(skel->maps.rows, &zero, sizeof(zero), &row, sizeof(row), 0)) {
		fprintf(stderr, "floor: cannot fill the row: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct floor_bpf *skel;
	double secs = 0;
	int err, opt, level = 0, pid = 0;

	while ((opt = getopt(argc, argv, "d:l:p:")) != -1) {
		switch (opt) {
		case 'd': secs = atof(optarg); break;
		case 'l': level = atoi(optarg); break;
		case 'p': pid = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: floor [-d SECONDS] [-l LEVEL -p PID]\n");
			return 2;
		}
	}
	if (level && pid <= 0) {
		fprintf(stderr, "floor: -l needs -p PID\n");
		return 2;
	}
	libbpf_set_print(quiet);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->parts = level;
	skel->rodata->target_tgid = pid;
	skel->rodata->ncpus = libbpf_num_possible_cpus();
	bpf_map__set_max_entries(skel->maps.cells, FP_SYS_NR_MAX * skel->rodata->ncpus);
	err = floor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "floor: cannot load the BPF programs: %s: run as root\n", strerror(-err));
		goto cleanup;
	}
	err = fill_row(skel);
	if (err)
		goto cleanup;
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: cannot attach: %s\n", strerror(-err));
		goto cleanup;
	}
	fprintf(stderr, "floor: attached to tp_btf/sys_enter and sys_exit\n");
	if (secs > 0) {
		struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };

		nanosleep(&ts, NULL);	/* a signal ends it early */
	} else {
		while (!stop)
			pause();
	}
cleanup:
	floor_bpf__destroy(skel);
	return err ? 1 : 0;
}
