#include <stdio.h>
#include <string.h>
#include "model/cgroup.h"

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return n > 0;
}

/* "<prefix><64 hex><suffix>" exactly, the whole component. */
static bool is_named(const char *comp, size_t n, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);

	if (n != pl + FP_CTR_ID_LEN + sl || strncmp(comp, prefix, pl) ||
	    strncmp(comp + n - sl, suffix, sl))
		return false;
	return all_hex(comp + pl, FP_CTR_ID_LEN);
}

static void set(struct fp_container *c, const char *runtime, const char *id, size_t n)
{
	c->runtime = runtime;
	if (n >= sizeof(c->id))
		n = sizeof(c->id) - 1;
	memcpy(c->id, id, n);
	c->id[n] = 0;
}

/* Schemes of one component; parent is the component before (or ""). */
static bool container_comp(const char *comp, size_t n, const char *parent, size_t pn,
			   struct fp_container *c)
{
	static const struct { const char *prefix, *suffix, *runtime; } sd[] = {
		{ "docker-", ".scope", "docker" },		/* systemd driver */
		{ "cri-containerd-", ".scope", "containerd" },
		{ "libpod-", ".scope", "podman" },
		{ "crio-", ".scope", "crio" },
		{ "libpod-", "", "podman" },			/* libpod_parent/ */
	};

	for (size_t i = 0; i < sizeof(sd) / sizeof(sd[0]); i++)
		if (is_named(comp, n, sd[i].prefix, sd[i].suffix)) {
			set(c, sd[i].runtime, comp + strlen(sd[i].prefix), FP_CTR_ID_LEN);
			return true;
		}
	if (n != FP_CTR_ID_LEN || !all_hex(comp, n))
		return false;
	/* cgroupfs driver: /docker/<id>, /kubepods/<qos>/pod<uid>/<id> */
	if (pn == 6 && !strncmp(parent, "docker", 6)) {
		set(c, "docker", comp, n);
		return true;
	}
	if (pn > 3 && !strncmp(parent, "pod", 3)) {
		set(c, "kubepods", comp, n);
		return true;
	}
	return false;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t sl = strlen(suffix);

	return n > sl && !strncmp(s + n - sl, suffix, sl);
}

bool cgroup__parse(const char *path, struct fp_container *c)
{
	const char *unit = NULL, *slice = NULL, *parent = "", *p = path ? path : "";
	size_t unit_n = 0, slice_n = 0, pn = 0;
	bool found = false;

	c->runtime = "";
	c->id[0] = 0;
	while (*p) {
		const char *comp;
		size_t n;

		while (*p == '/')
			p++;
		comp = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - comp);
		if (!n)
			break;
		/* the deepest container wins: keep scanning */
		if (container_comp(comp, n, parent, pn, c))
			found = true;
		else if (ends_with(comp, n, ".service") || ends_with(comp, n, ".scope"))
			unit = comp, unit_n = n;
		else if (ends_with(comp, n, ".slice"))
			slice = comp, slice_n = n;
		parent = comp;
		pn = n;
	}
	if (found)
		return true;
	if (unit)
		set(c, "systemd", unit, unit_n);
	else if (slice)
		set(c, "systemd", slice, slice_n);
	return false;
}

bool cgroup__matches(const char *path, const char *want)
{
	struct fp_container c;
	const char *last;
	size_t wl = want ? strlen(want) : 0;

	if (!path || !wl)
		return false;
	if (cgroup__parse(path, &c) && !strncmp(c.id, want, wl))
		return true;
	last = strrchr(path, '/');
	last = last ? last + 1 : path;
	return !strncmp(last, want, wl);
}

unsigned int cgroup__level(const char *path)
{
	unsigned int level = 0;

	for (const char *p = path ? path : ""; *p; p++)
		if (*p != '/' && (p == path || p[-1] == '/'))
			level++;
	return level;
}
