/*
 * floor: load and attach bench/floor.bpf.c (empty programs on tp_btf
 * sys_enter/sys_exit), say "attached" on stderr, and hold them until
 * SIGINT/SIGTERM or for -d SECONDS.  The overhead floor of the benchmark.
 *   floor [-d SECONDS]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
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
	int err, opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd') {
			fprintf(stderr, "usage: floor [-d SECONDS]\n");
			return 2;
		}
		secs = atof(optarg);
	}
	libbpf_set_print(quiet);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: cannot load the BPF programs: %s: run as root\n", strerror(errno));
		return 1;
	}
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
