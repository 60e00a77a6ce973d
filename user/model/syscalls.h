/* x86_64 syscall names, as strace prints them (generated table). */
#ifndef FP_MODEL_SYSCALLS_H
#define FP_MODEL_SYSCALLS_H

#define FP_SYSCALL_TABLE_SIZE 512

extern const char *const fp_syscall_table[FP_SYSCALL_TABLE_SIZE];

/* Name of nr, or "syscall_NNN" (in a static per-thread buffer) if unknown. */
const char *syscall__name(int nr);
/* Number of a name (also accepts "syscall_NNN"), or -1. */
int syscall__nr(const char *name);

#endif
