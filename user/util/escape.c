/* Escaping of untrusted strings for every output (see escape.h).  One
 * decoder, esc_piece(), decides what each character becomes; the buffer
 * and stream writers only place its pieces. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"

/* Length of the well-formed UTF-8 sequence at s (n bytes left) and its code
 * point, or 0 when the bytes there are not one (RFC 3629 table 3-7). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

/* Valid characters that still move the text or the cursor. */
static bool cp_hostile(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

static size_t hex_bytes(const unsigned char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[s[i] >> 4];
		out[o++] = hex[s[i] & 15];
	}
	return o;
}

/* What the character at s (n > 0 bytes left) displays as: its bytes into
 * out (at least 16), their number returned; *used is how many input bytes
 * it took. */
static size_t esc_piece(const unsigned char *s, size_t n, char *out, size_t *used)
{
	uint32_t cp;
	size_t len;

	if (s[0] >= 0x20 && s[0] < 0x7f && s[0] != '\\') {	/* most of every string */
		out[0] = (char)s[0];
		*used = 1;
		return 1;
	}
	len = utf8_seq(s, n, &cp);
	if (!len) {
		*used = 1;
		return hex_bytes(s, 1, out);
	}
	*used = len;
	switch (cp) {
	case '\\': memcpy(out, "\\\\", 2); return 2;
	case '\n': memcpy(out, "\\n", 2); return 2;
	case '\t': memcpy(out, "\\t", 2); return 2;
	case '\r': memcpy(out, "\\r", 2); return 2;
	}
	if (cp < 0x20 || cp == 0x7f || cp_hostile(cp))
		return hex_bytes(s, len, out);
	memcpy(out, s, len);
	return len;
}

const char *esc__cn(const void *p, size_t n, char *buf, size_t len)
{
	const unsigned char *s = p;
	size_t o = 0, used, k;
	char piece[16];

	if (!len)
		return buf;
	for (size_t i = 0; i < n; i += used) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			if (o + 1 >= len)
				break;
			buf[o++] = (char)s[i];
			used = 1;
			continue;
		}
		k = esc_piece(s + i, n - i, piece, &used);
		if (o + k >= len)
			break;
		memcpy(buf + o, piece, k);
		o += k;
	}
	buf[o] = 0;
	return buf;
}

const char *esc__c(const char *s, char *buf, size_t len)
{
	return esc__cn(s ? s : "", s ? strlen(s) : 0, buf, len);
}

size_t esc__c_len(const char *s)
{
	size_t n = s ? strlen(s) : 0, out = 0, used;
	char piece[16];

	for (size_t i = 0; i < n; i += used)
		out += esc_piece((const unsigned char *)s + i, n - i, piece, &used);
	return out;
}

bool esc__plain(const char *s)
{
	size_t n = s ? strlen(s) : 0, used, k;
	char piece[16];

	for (size_t i = 0; i < n; i += used) {
		k = esc_piece((const unsigned char *)s + i, n - i, piece, &used);
		if (k != used || memcmp(piece, s + i, k))
			return false;
	}
	return true;
}

char *esc__c_dup(const char *s)
{
	size_t len = esc__c_len(s) + 1;
	char *buf = malloc(len);

	return buf ? (char *)esc__c(s, buf, len) : NULL;
}

/* Calls put(f, piece) for each piece of the display form of s. */
static void each_piece(FILE *f, const char *s, void (*put)(FILE *f, const char *p, size_t n))
{
	size_t n = s ? strlen(s) : 0, used, k;
	char piece[16];

	for (size_t i = 0; i < n; i += used) {
		k = esc_piece((const unsigned char *)s + i, n - i, piece, &used);
		put(f, piece, k);
	}
}

static void put_raw(FILE *f, const char *p, size_t n)
{
	fwrite(p, 1, n, f);
}

void esc__fput_c(FILE *f, const char *s)
{
	each_piece(f, s, put_raw);
}

static void put_html(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(p[i], f);
		}
	}
}

void esc__fput_html(FILE *f, const char *s)
{
	each_piece(f, s, put_html);
}

static void put_prom(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' || p[i] == '"')
			fputc('\\', f);
		fputc(p[i], f);
	}
}

void esc__fput_prom(FILE *f, const char *s)
{
	each_piece(f, s, put_prom);
}

static void put_csv_quoted(FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			fputc('"', f);
		fputc(p[i], f);
	}
}

void esc__fput_csv(FILE *f, const char *s)
{
	/* The display form has no line break or tab left; quote when a reader
	 * could split or trim it. */
	char *d = esc__c_dup(s);
	size_t n;
	bool formula, quote;

	if (!d) {
		fputs("\"\"", f);
		return;
	}
	n = strlen(d);
	formula = n && strchr("=+-@", d[0]);
	quote = formula || strpbrk(d, ",\"") || (n && (d[0] == ' ' || d[n - 1] == ' '));
	if (!quote) {
		fputs(d, f);
	} else {
		fputc('"', f);
		if (formula)
			fputc('\'', f);
		put_csv_quoted(f, d, n);
		fputc('"', f);
	}
	free(d);
}

bool esc__utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint32_t cp;
	size_t len;

	for (size_t i = 0; i < n; i += len)
		if (!(len = utf8_seq(s + i, n - i, &cp)))
			return false;
	return true;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *esc__b64(const void *p, size_t n)
{
	const unsigned char *s = p;
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);

		*o++ = b64chars[v >> 18 & 63];
		*o++ = b64chars[v >> 12 & 63];
		*o++ = i + 1 < n ? b64chars[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*o = 0;
	return out;
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

int esc__unb64(const char *s, char **out, size_t *n)
{
	size_t len = strlen(s), o = 0;
	char *buf;

	*out = NULL;
	*n = 0;
	if (len % 4)
		return -EINVAL;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;

		for (int k = 0; k < 4; k++) {
			v[k] = b64val(s[i + k]);
			if (s[i + k] == '=' && i + 4 == len && k >= 2 && (k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if (v[k] < 0) {
				free(buf);
				return -EINVAL;
			}
		}
		uint32_t w = (uint32_t)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];

		buf[o++] = w >> 16;
		if (pad < 2)
			buf[o++] = w >> 8 & 0xff;
		if (pad < 1)
			buf[o++] = w & 0xff;
	}
	buf[o] = 0;
	*out = buf;
	*n = o;
	return 0;
}
