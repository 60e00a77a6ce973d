/*
 * Privileges: what the kernel needs before fastpath can trace, decided by
 * the effective capabilities (not by the uid: root in a container may lack
 * them, a service user may be granted exactly CAP_BPF+CAP_PERFMON).  One
 * answer for `check` and for every subcommand that loads BPF.
 */
#ifndef FP_UTIL_PRIVS_H
#define FP_UTIL_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

struct fp_privs {
	bool can_load;		/* CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON */
	bool read_others;	/* CAP_SYS_PTRACE: other users' /proc/PID/{maps,mem,exe,root} */
	const char *how;	/* "CAP_SYS_ADMIN", "CAP_BPF+CAP_PERFMON" or "" */
	char missing[64];	/* what to grant when !can_load: "CAP_BPF and CAP_PERFMON" */
};

void privs__get(struct fp_privs *p);
/* For `record/top/serve`: 0, or one line naming what is missing and
 * -EPERM. */
int privs__require(void);
/* Whether pid's memory map can be read (uprobes, symbols): false for
 * another user's process without CAP_SYS_PTRACE. */
bool privs__can_read_maps(int pid);

#endif
