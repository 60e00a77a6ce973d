/* The data-path summary under each process of `record`'s table: calls and
 * bytes of each family, by fd kind, and the zero-copy ratio. */
#include <string.h>
#include "views/text.h"
#include "views/units.h"
#include "model/io.h"

static void item(FILE *f, const char **sep, const char *what, uint64_t bytes)
{
	char b[32];

	fprintf(f, "%s%s %s", *sep, what, units__bytes1(bytes, b, sizeof(b)));
	*sep = ", ";
}

/* "file 4.0 MiB, socket 4.0 MiB (tcp 4.0 MiB)": coarse kinds, pairs for
 * zero-copy, then the sockets' protocols. */
static void by_kind(FILE *f, const struct fp_io_stats *s, unsigned int family)
{
	static const unsigned int kinds[] = { FP_FD_FILE, FP_FD_SOCKET, FP_FD_PIPE, FP_FD_CHARDEV,
					      FP_FD_OTHER, FP_FD_MEMORY, FP_FD_NONE };
	const size_t nk = sizeof(kinds) / sizeof(kinds[0]);
	const char *sep = "";
	char what[48];
	uint64_t n;

	for (size_t i = 0; i < nk; i++) {
		unsigned int k = kinds[i];

		if (family == FP_IO_COPY_IN && io_stats__flow_calls(s, family, k, FP_FD_MEMORY))
			item(f, &sep, io__kind_name(k), io_stats__flow_bytes(s, family, k, FP_FD_MEMORY));
		if (family == FP_IO_COPY_OUT && io_stats__flow_calls(s, family, FP_FD_MEMORY, k))
			item(f, &sep, io__kind_name(k), io_stats__flow_bytes(s, family, FP_FD_MEMORY, k));
		for (size_t j = 0; family == FP_IO_ZERO_COPY && j < nk; j++) {
			if (!io_stats__flow_calls(s, family, k, kinds[j]))
				continue;
			snprintf(what, sizeof(what), "%s->%s", io__kind_name(k), io__kind_name(kinds[j]));
			item(f, &sep, what, io_stats__flow_bytes(s, family, k, kinds[j]));
		}
	}
	sep = " (";
	for (unsigned int k = FP_FD_TCP; k < FP_FD_KINDS; k++)
		if ((n = io_stats__socket_bytes(s, family, k)))
			item(f, &sep, io__socket_name(k), n);
	if (sep[0] == ',')
		fprintf(f, ")");
}

void text__io(FILE *f, const struct fp_proc *p)
{
	static const char *const names[FP_IO_FAMILIES] = { "copy-in", "copy-out", "zero-copy" };
	const struct fp_io_stats *s = p->io;
	double r;
	char b[32];

	if (!s)
		return;
	fprintf(f, "\ndata path       calls        bytes  by fd kind\n");
	for (unsigned int fam = 0; fam < FP_IO_FAMILIES; fam++) {
		fprintf(f, "%-10s %10llu %12s  ", names[fam],
			(unsigned long long)io_stats__calls(s, fam),
			units__bytes1(io_stats__bytes(s, fam), b, sizeof(b)));
		if (io_stats__calls(s, fam))
			by_kind(f, s, fam);
		else
			fprintf(f, "-");
		fprintf(f, "\n");
	}
	r = io_stats__zero_copy_ratio(s);
	if (r >= 0)
		fprintf(f, "zero-copy ratio %.1f%% of the bytes written to files and sockets\n", 100 * r);
}
