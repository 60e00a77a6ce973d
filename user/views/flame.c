/* A flame graph of a CPU profile as inline SVG (no scripts): one box per
 * function in a call path, as wide as its samples, roots at the bottom;
 * the title of each box gives its samples and share.  Boxes narrower than
 * a pixel are merged away, so the page stays small whatever the stacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/report.h"
#include "model/cpu_prof.h"

#define FLAME_W 740
#define ROW_H 17
#define MAX_DEPTH 64

struct fnode {
	char name[128];
	bool kernel;
	uint64_t count;
	int parent, child, next;	/* indices; -1 none */
};

struct ftree {
	struct fnode *v;
	size_t n, cap;
};

static int node_new(struct ftree *t, int parent, const char *name, bool kernel)
{
	struct fnode *nd;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		void *v = realloc(t->v, cap * sizeof(*t->v));

		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	nd = &t->v[t->n];
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	nd->kernel = kernel;
	nd->parent = parent;
	nd->child = nd->next = -1;
	if (parent >= 0) {
		nd->next = t->v[parent].child;
		t->v[parent].child = (int)t->n;
	}
	return (int)t->n++;
}

static int child_of(struct ftree *t, int parent, const char *name, bool kernel)
{
	for (int c = t->v[parent].child; c >= 0; c = t->v[c].next)
		if (t->v[c].kernel == kernel && !strcmp(t->v[c].name, name))
			return c;
	return node_new(t, parent, name, kernel);
}

static unsigned int hue_of(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void draw(FILE *f, const struct ftree *t, int i, double x, int depth, int height, uint64_t total)
{
	const struct fnode *nd = &t->v[i];
	double w = (double)nd->count / total * FLAME_W;
	unsigned int h = hue_of(nd->name);

	if (w < 1.0 || depth >= MAX_DEPTH)
		return;
	if (depth > 0) {
		int y = height - depth * ROW_H;

		/* Warm colours for the process, blue-grey for the kernel. */
		fputs("<g><title>", f);
		html__puts(f, nd->name);
		fprintf(f, " (%llu samples, %.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"fill=\"rgb(%u,%u,%u)\" rx=\"2\"/>", (unsigned long long)nd->count, 100.0 * nd->count / total,
			x, y, w - 0.5, ROW_H - 1, nd->kernel ? 120 + h % 40 : 205 + h % 50,
			nd->kernel ? 150 + h % 40 : 80 + (h >> 8) % 120, nd->kernel ? 200 + h % 40 : 40 + (h >> 16) % 40);
		if (w > 30) {
			int chars = (int)(w / 7);

			fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" font-family=\"monospace\">", x + 3, y + 12);
			if ((int)strlen(nd->name) > chars) {
				char cut[128];

				snprintf(cut, sizeof(cut), "%.*s..", chars > 2 ? chars - 2 : 0, nd->name);
				html__puts(f, cut);
			} else {
				html__puts(f, nd->name);
			}
			fputs("</text>", f);
		}
		fputs("</g>\n", f);
	}
	for (int c = nd->child; c >= 0; c = t->v[c].next) {
		draw(f, t, c, x, depth + 1, height, total);
		x += (double)t->v[c].count / total * FLAME_W;
	}
}

static int max_depth(const struct ftree *t, int i)
{
	int m = 0;

	for (int c = t->v[i].child; c >= 0; c = t->v[c].next) {
		int d = max_depth(t, c);

		if (d > m)
			m = d;
	}
	return m + 1;
}

void html__flame(FILE *f, const struct fp_cpu_prof *p)
{
	struct ftree t = {};
	char fn[128];
	int height;

	if (!p->samples || node_new(&t, -1, "all", false) < 0)
		return;
	for (size_t i = 0; i < p->nstacks; i++) {
		const struct fp_cpu_stack *s = &p->stacks[i];
		int at = 0;

		t.v[0].count += s->count;
		for (size_t k = s->nframes; k-- > 0 && at >= 0;) {
			at = child_of(&t, at, cpu_prof__fn_of(s->frames[k], fn, sizeof(fn)), k < s->nkernel);
			if (at >= 0)
				t.v[at].count += s->count;
		}
	}
	height = (max_depth(&t, 0) < MAX_DEPTH ? max_depth(&t, 0) : MAX_DEPTH) * ROW_H + 4;
	fprintf(f, "<svg class=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n", FLAME_W, height, FLAME_W, height);
	draw(f, &t, 0, 0, 0, height - 2, t.v[0].count);
	fputs("</svg>\n", f);
	free(t.v);
}
