/* Model section: data path: zero-copy versus copying, by fd kind (issue: data path).
 *
 * The exact data are cells: one per (syscall, source kind, destination kind)
 * with calls and bytes, as the kernel aggregated them, plus transfer-size
 * histograms per (family, fd kind).  Everything the views show (per-family
 * totals, bytes per fd kind, the zero-copy ratio) is derived from them. */
#ifndef FP_MODEL_IO_H
#define FP_MODEL_IO_H

#include "model/snapshot.h"
#include "fp_io.h"	/* the kernel contract */

struct fp_io_cell {
	int nr;			/* syscall */
	uint8_t src, dst;	/* enum fp_fd_kind */
	uint64_t calls;
	uint64_t bytes;
};

struct fp_io_stats {
	struct fp_io_cell *cells;
	size_t ncells, cap;
	/* Transfer sizes per family and fd kind (the fd read for copy-in,
	 * written for copy-out, the destination for zero-copy); NULL if none. */
	struct fp_hist *size[FP_IO_FAMILIES][FP_FD_KINDS];
	/* Per family, all kinds merged: kept by io_stats__finish(). */
	struct fp_hist merged[FP_IO_FAMILIES];
};

struct fp_io_stats *io_stats__new(void);
void io_stats__free(struct fp_io_stats *s);
struct fp_io_stats *io_stats__clone(const struct fp_io_stats *s);
/* cur - prev (prev may be NULL). */
struct fp_io_stats *io_stats__delta(const struct fp_io_stats *cur, const struct fp_io_stats *prev);

/* Building (probes, JSON): add to a cell, get a size histogram; then
 * finish() once to derive the merged histograms.  -ENOMEM / NULL. */
int io_stats__add(struct fp_io_stats *s, int nr, unsigned int src, unsigned int dst,
		  uint64_t calls, uint64_t bytes);
struct fp_hist *io_stats__size(struct fp_io_stats *s, unsigned int family, unsigned int kind);
void io_stats__finish(struct fp_io_stats *s);

/* Summary accessors used by views (top, report, serve). */
uint64_t io_stats__copy_bytes(const struct fp_io_stats *s);	/* copy_in + copy_out */
uint64_t io_stats__zero_copy_bytes(const struct fp_io_stats *s);
/* Zero-copy bytes over all bytes moved into files and sockets (by copy-out
 * or by a zero-copy call whose destination is a file or a socket); <0 if none. */
double io_stats__zero_copy_ratio(const struct fp_io_stats *s);
size_t io_stats__hists(const struct fp_io_stats *s, struct fp_named_hist *out, size_t max);

/* Totals of one family; kind filters are coarse (io__coarse()), and
 * FP_FD_KINDS means any. */
uint64_t io_stats__calls(const struct fp_io_stats *s, unsigned int family);
uint64_t io_stats__bytes(const struct fp_io_stats *s, unsigned int family);
/* Bytes and calls of a family whose source and destination have these
 * coarse kinds (copy-in: dst is MEMORY; copy-out: src is MEMORY). */
uint64_t io_stats__flow_bytes(const struct fp_io_stats *s, unsigned int family,
			      unsigned int src, unsigned int dst);
uint64_t io_stats__flow_calls(const struct fp_io_stats *s, unsigned int family,
			      unsigned int src, unsigned int dst);
/* Bytes of a family with one end a socket of this (fine) kind. */
uint64_t io_stats__socket_bytes(const struct fp_io_stats *s, unsigned int family,
				unsigned int sock_kind);

/* Names as in the JSON: "copy_in", ...; "file", "socket:tcp", ...;
 * the coarse kind of a socket is FP_FD_SOCKET ("socket"). */
const char *io__family_name(unsigned int family);
const char *io__kind_name(unsigned int kind);
int io__kind_of(const char *name);		/* -1 if unknown */
unsigned int io__coarse(unsigned int kind);
/* "tcp", "udp", "unix", "other" for a socket kind. */
const char *io__socket_name(unsigned int kind);

/* Finding "sendfile-lost" (findings_io.c): a rule of model/findings.c. */
int io__rule_sendfile_lost(struct fp_proc *p, double window_s);
/* Bytes both read from files and written to sockets by copying, below
 * which the rule says nothing. */
#define FP_SENDFILE_LOST_MIN_BYTES (1ULL << 20)

/* The cells, most bytes first (then most calls): a caller-freed array of
 * pointers into s, or NULL on ENOMEM (or when there are none: *n = 0). */
const struct fp_io_cell **io_stats__cells_by_bytes(const struct fp_io_stats *s, size_t *n);

#endif
