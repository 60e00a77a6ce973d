/*
 * What a cgroup v2 path says about the process in it: the container engine
 * and container id when the path follows one of the engines' naming
 * schemes, else the systemd unit or slice.  Pure parsing (no file is read),
 * so the samples in tests/unit/test_cgroup.c are the specification.
 */
#ifndef FP_MODEL_CGROUP_H
#define FP_MODEL_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#define FP_CTR_ID_LEN 64	/* docker, containerd, podman and CRI-O ids: 64 hex */

struct fp_container {
	/* "docker", "containerd", "podman", "crio", "kubepods" (a CRI
	 * container under the cgroupfs driver: the engine is not named),
	 * "systemd" (no container: id is the unit or slice), or "". */
	const char *runtime;
	char id[256];
};

/* Fill c from a cgroup path such as "/system.slice/docker-<id>.scope" (the
 * path of /proc/PID/cgroup, or below /sys/fs/cgroup).  The deepest
 * container component wins: an engine's cgroup inside another's (a
 * container's own sub-cgroups, nested engines) names the innermost.
 * Returns true when a container (not a systemd unit) was found. */
bool cgroup__parse(const char *path, struct fp_container *c);

/* Whether the container c (parsed from a process's cgroup path) is what
 * `--container want` names: an id prefix (docker's 12-digit short ids), or
 * a prefix of the last component of the path (a unit, scope or directory
 * name). */
bool cgroup__matches(const char *path, const char *want);

/* The depth of a cgroup path below the hierarchy's root ("/" is 0,
 * "/system.slice/x.service" 2): the level bpf_get_current_ancestor_cgroup_id()
 * takes. */
unsigned int cgroup__level(const char *path);

#endif
