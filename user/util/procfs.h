/*
 * procfs: every /proc file fastpath reads about a process (exe, comm,
 * maps, mem, root, status), the system's pid_max, and execvp's PATH
 * search.  One short function a file; all return negative errno (or
 * NULL / 0 where said) and never print.
 */
#ifndef FP_UTIL_PROCFS_H
#define FP_UTIL_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "/proc/PID/what" into buf (a path to open, e.g. an executable's). */
int procfs__path(char *buf, size_t len, int pid, const char *what);
/* The whole file at path, NUL-terminated, malloc'd; NULL if it cannot be
 * read or is empty. */
char *procfs__read(const char *path);
/* /proc/PID/maps as procfs__read() returns it. */
char *procfs__maps(int pid);
/* The target of /proc/PID/exe (a process not yet exec'd names its parent's
 * program). */
int procfs__exe(int pid, char *buf, size_t len);
/* /proc/PID/comm without its newline; buf is "" on error. */
int procfs__comm(int pid, char *buf, size_t len);
/* path as process pid sees it, through /proc/PID/root (containers). */
int procfs__root(int pid, const char *path, char *buf, size_t len);
/* len bytes of pid's memory at addr (/proc/PID/mem). */
int procfs__read_mem(int pid, uint64_t addr, void *buf, size_t len);
/* Calls fn for every process in /proc (entries that are not pids are
 * skipped); stops at, and returns, fn's first non-zero return. */
int procfs__each_pid(int (*fn)(int pid, void *ctx), void *ctx);
/* /proc/sys/kernel/pid_max; 0 if unreadable. */
unsigned int procfs__pid_max(void);
/* CapEff of /proc/self/status; 0 if unreadable. */
unsigned long long procfs__cap_eff(void);
/* A kB field of /proc/self/status ("VmHWM", "VmRSS"); -1 if unreadable. */
long procfs__self_kb(const char *field);

/* Where the offset-0 mapping of path starts in maps (the text of
 * /proc/PID/maps); 0 if it is not mapped. */
uint64_t procfs__maps_start(const char *maps, const char *path);
/* Whether maps map addr executable (an x mapping covers it). */
bool procfs__maps_exec_covers(const char *maps, uint64_t addr);
/* The PPid of /proc/PID/status; negative errno. */
int procfs__ppid(int pid);
/* A zombie: exited, not yet reaped by its parent (state Z in
 * /proc/PID/stat); its wait status into *exit_code. */
bool procfs__zombie(int pid, int *exit_code);
/* The last NSpid of /proc/PID/status: the pid in the process's own PID
 * namespace (pid itself outside any); negative errno. */
int procfs__nspid(int pid);
/* The file execvp(cmd) runs: cmd itself if it has a '/', else the first
 * executable cmd along $PATH (execvp's default without one). -ENOENT if
 * none. */
int procfs__which(const char *cmd, char *out, size_t len);

#endif
