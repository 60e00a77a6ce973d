/*
 * The cgroup v2 hierarchy as files: a cgroup id (what the kernel records,
 * bpf_get_current_cgroup_id()) to its path, and a process's path from
 * /proc/PID/cgroup.  Paths are as /proc/PID/cgroup writes them: from the
 * root of the hierarchy, "/" for the root itself.
 */
#ifndef FP_UTIL_CGROUPFS_H
#define FP_UTIL_CGROUPFS_H

#include <stddef.h>
#include <stdint.h>

/* Where cgroup v2 is mounted ("/sys/fs/cgroup", or its "unified" half on a
 * hybrid host); NULL without one. */
const char *cgroupfs__root(void);
/* The path of cgroup id into buf.  A cgroup's id is its directory's inode:
 * found by walking the hierarchy (cached; walked again on a miss, at most
 * every 200 ms, so a cgroup made meanwhile is found).  -ENOENT if none. */
int cgroupfs__path_of_id(uint64_t id, char *buf, size_t len);
/* The "0::" line of /proc/PID/cgroup: the fallback for a process whose
 * cgroup the kernel did not record.  Negative errno. */
int cgroupfs__path_of_pid(int pid, char *buf, size_t len);
/* Calls fn for every cgroup directory (path as above, id); stops at and
 * returns fn's first non-zero return.  -ENOENT without cgroup v2. */
int cgroupfs__each(int (*fn)(const char *path, uint64_t id, void *ctx), void *ctx);

#endif
