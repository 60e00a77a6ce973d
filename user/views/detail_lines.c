/* The lines of the detail view (detail.h): a growing array the section
 * writers (detail.c, detail_io.c, detail_stat.c, detail_alloc.c) append to
 * and the TUI scrolls. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "views/detail.h"
#include "util/escape.h"

struct detail {
	struct detail_line *l;
	size_t n, cap;
};

struct detail *detail__new(void)
{
	return calloc(1, sizeof(struct detail));
}

void detail__free(struct detail *det)
{
	if (!det)
		return;
	for (size_t i = 0; i < det->n; i++)
		free(det->l[i].text);
	free(det->l);
	free(det);
}

size_t detail__count(const struct detail *det)
{
	return det ? det->n : 0;
}

const struct detail_line *detail__line(const struct detail *det, size_t i)
{
	return i < det->n ? &det->l[i] : NULL;
}

struct detail_line *detail__push(struct detail *det, int kind, char *text)
{
	struct detail_line *l;

	if (!text)
		return NULL;
	if (det->n == det->cap) {
		size_t cap = det->cap ? det->cap * 2 : 64;
		void *n = realloc(det->l, cap * sizeof(*det->l));

		if (!n) {
			free(text);
			return NULL;
		}
		det->l = n;
		det->cap = cap;
	}
	l = &det->l[det->n++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->text = text;
	return l;
}

int detail__add(struct detail *det, int kind, const char *fmt, ...)
{
	char *text = NULL, *safe;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	/* The lines hold comm, exe, paths and frames of the traced processes:
	 * escaped here, once, so that no caller can forget (the formats' own
	 * text is plain ASCII and comes out the same). */
	safe = esc__c_dup(text);
	free(text);
	if (!safe)
		return -ENOMEM;
	return detail__push(det, kind, safe) ? 0 : -ENOMEM;
}
