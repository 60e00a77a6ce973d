/*
 * Files a process maps that fastpath cannot open by their path: the binary
 * of a container exists only in the container's mount namespace (or the
 * host has another file at that path).  Noted while the process lives,
 * each is kept open (bounded) and named /proc/self/fd/N, so a process that
 * exited is still symbolized from its own files.
 */
#ifndef FP_UTIL_NSFILE_H
#define FP_UTIL_NSFILE_H

/* For every file of maps (the text of /proc/PID/maps) that the same path
 * does not name on our side (another device and inode, or nothing), open
 * pid's own through /proc/PID/map_files or /proc/PID/root. */
void nsfile__note_maps(int pid, const char *maps);
/* maps with the path of every noted file replaced by /proc/self/fd/N;
 * malloc'd, or NULL when nothing is replaced (maps as it is). */
char *nsfile__rewrite_maps(const char *maps);

#endif
