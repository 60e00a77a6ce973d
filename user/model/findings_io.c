/* Finding "sendfile-lost": a process moves files to sockets through a
 * user-space buffer (read from a file, write to a socket) where sendfile(2)
 * or splice(2) would move the same bytes without copying them twice. */
#include <stdio.h>
#include "model/io.h"
#include "model/findings.h"
#include "views/units.h"

/* Time spent in the calls of one flow, from the syscall section: each
 * syscall's time shared out by calls, since a syscall (read) may serve
 * several flows (files and sockets).  0 if syscalls were not collected. */
static uint64_t flow_ns(const struct fp_proc *p, unsigned int family, unsigned int src, unsigned int dst)
{
	const struct fp_io_stats *s = p->io;
	double ns = 0;

	for (size_t i = 0; i < s->ncells; i++) {
		const struct fp_io_cell *c = &s->cells[i];
		const struct fp_sys_stat *st;

		if (fp_io_family_of(c->nr) != family || io__coarse(c->src) != src ||
		    io__coarse(c->dst) != dst)
			continue;
		st = proc__sys((struct fp_proc *)p, c->nr, false);
		if (st && st->calls)
			ns += (double)st->total_ns * (double)c->calls / (double)st->calls;
	}
	return (uint64_t)ns;
}

/* The sizes of one family's transfers on one coarse kind, sockets merged. */
static void kind_sizes(const struct fp_io_stats *s, unsigned int family, unsigned int coarse,
		       struct fp_hist *out)
{
	for (unsigned int k = 0; k < FP_FD_KINDS; k++)
		if (io__coarse(k) == coarse && s->size[family][k])
			hist__merge(out, s->size[family][k]);
}

static const char *sock_proto(const struct fp_io_stats *s)
{
	unsigned int best = FP_FD_SOCKET;
	uint64_t most = 0, b;

	for (unsigned int k = FP_FD_SOCKET; k < FP_FD_KINDS; k++) {
		b = io_stats__socket_bytes(s, FP_IO_COPY_OUT, k);
		if (b > most) {
			most = b;
			best = k;
		}
	}
	return best == FP_FD_SOCKET ? "" : best == FP_FD_TCP ? "TCP " : best == FP_FD_UDP ? "UDP " : "Unix ";
}

static int add_finding(struct fp_proc *p, uint64_t copied, double pct, double window_s)
{
	const struct fp_io_stats *s = p->io;
	uint64_t reads = io_stats__flow_calls(s, FP_IO_COPY_IN, FP_FD_FILE, FP_FD_MEMORY);
	uint64_t writes = io_stats__flow_calls(s, FP_IO_COPY_OUT, FP_FD_MEMORY, FP_FD_SOCKET);
	uint64_t ns = flow_ns(p, FP_IO_COPY_IN, FP_FD_FILE, FP_FD_MEMORY) +
		      flow_ns(p, FP_IO_COPY_OUT, FP_FD_MEMORY, FP_FD_SOCKET);
	struct fp_hist in = {}, out = {};
	char vol[32], rs[32], ws[32], maxs[32], cost[64] = "", rate[48] = "", summary[400], detail[1400];
	uint64_t rp50;

	kind_sizes(s, FP_IO_COPY_IN, FP_FD_FILE, &in);
	kind_sizes(s, FP_IO_COPY_OUT, FP_FD_SOCKET, &out);
	rp50 = hist__percentile(&in, 0.5);
	if (ns)
		snprintf(cost, sizeof(cost), ", %.1f ms in those syscalls", ns / 1e6);
	if (window_s > 0)
		snprintf(rate, sizeof(rate), " (%s/s)", units__bytes1((uint64_t)(copied / window_s), vol, sizeof(vol)));
	units__bytes1(copied, vol, sizeof(vol));
	snprintf(summary, sizeof(summary),
		 "%s%s went from files to %ssockets through a user-space buffer: %llu reads + %llu writes%s; "
		 "sendfile/splice would send it without copying (%.0f%% of file-to-socket bytes copied)",
		 vol, rate, sock_proto(s), (unsigned long long)reads, (unsigned long long)writes, cost, pct);
	snprintf(detail, sizeof(detail),
		 "Seen: %llu reads from regular files, p50 %s (max %s); %llu writes to sockets, p50 %s.%s "
		 "Usual causes: in Go, io.Copy(conn, f) uses sendfile only when f is an *os.File (or an "
		 "*io.LimitedReader around one): a wrapper such as a byte-counting reader hides it, so keep the "
		 "*os.File or make the wrapper implement io.WriterTo/io.ReaderFrom passing the file through; "
		 "sendfile turned off in a server's configuration (nginx 'sendfile off', Apache 'EnableSendfile Off'); "
		 "TLS, where copying is expected (data is encrypted in user space; only kernel TLS can use sendfile), "
		 "so over TLS this is not a fault.",
		 (unsigned long long)reads, units__bytes1(rp50, rs, sizeof(rs)),
		 units__bytes1(in.max, maxs, sizeof(maxs)), (unsigned long long)writes,
		 units__bytes1(hist__percentile(&out, 0.5), ws, sizeof(ws)),
		 fp_hist_bucket(rp50) == fp_hist_bucket(32768) ? " 32 KiB is the buffer of Go's io.Copy." : "");
	return proc__add_finding(p, "sendfile-lost", "warning", summary, detail);
}

int io__rule_sendfile_lost(struct fp_proc *p, double window_s)
{
	const struct fp_io_stats *s = p->io;
	uint64_t in_file, out_sock, copied, zc;

	if (!s)
		return 0;
	in_file = io_stats__flow_bytes(s, FP_IO_COPY_IN, FP_FD_FILE, FP_FD_MEMORY);
	out_sock = io_stats__flow_bytes(s, FP_IO_COPY_OUT, FP_FD_MEMORY, FP_FD_SOCKET);
	/* What can have gone file -> buffer -> socket is at most the smaller. */
	copied = in_file < out_sock ? in_file : out_sock;
	/* Zero-copy into sockets: sendfile from a file, splice from a pipe. */
	zc = io_stats__flow_bytes(s, FP_IO_ZERO_COPY, FP_FD_KINDS, FP_FD_SOCKET);
	if (copied < FP_SENDFILE_LOST_MIN_BYTES || copied <= zc)
		return 0;
	return add_finding(p, copied, 100.0 * (double)copied / (double)(copied + zc), window_s);
}
