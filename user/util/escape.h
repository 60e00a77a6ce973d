/*
 * Untrusted strings (paths, comm, exe, command lines, symbol names, cgroup
 * names) are chosen by the traced processes, so no view may print them raw:
 * an ESC clears the reader's screen, a newline forges a line.  Every view
 * renders them through this one module (docs/security.md, "Escaping").
 *
 * The display form (esc__c) is the base of every output: C-style escapes as
 * strace and `ls -b` print them, so what is displayed is printable ASCII
 * plus valid UTF-8, and different strings never display alike:
 *   \\  for a backslash;  \n \t \r  for those controls;
 *   \xNN  for any other byte below 0x20, for 0x7f, for every byte that is
 *         not part of valid UTF-8, and for each byte of a character that
 *         moves text or the cursor although it is valid UTF-8: the C1
 *         controls U+0080..U+009F (U+009B is a CSI), the line and paragraph
 *         separators U+2028/U+2029 and the bidirectional controls
 *         (U+200E/F, U+202A..U+202E, U+2066..U+2069: "Trojan Source").
 * Valid multi-byte UTF-8 is kept as it is.
 *
 * HTML, CSV and Prometheus apply their own escaping on top of the display
 * form; JSON keeps valid UTF-8 as is and adds base64 of the raw bytes when a
 * string is not valid UTF-8 (views/json_common.c).
 */
#ifndef FP_UTIL_ESCAPE_H
#define FP_UTIL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Worst-case display length of n bytes (each byte as \xNN), without the NUL. */
#define ESC_MAX(n) ((n) * 4)

/* ESC(s): the display form in a temporary that lives until the end of the
 * enclosing block, for printf arguments: printf("%-16s", ESC(p->comm)).
 * Longer forms are cut (a path is at most 255 bytes, 1020 displayed). */
#define ESC_BUF 4096
#define ESC(s) esc__c((s), (char[ESC_BUF]){ 0 }, ESC_BUF)
/* The same for the first n bytes of s (printf's "%.*s"). */
#define ESCN(s, n) esc__cn((s), (n), (char[ESC_BUF]){ 0 }, ESC_BUF)

/* The display form of s (NUL-terminated; NULL is "") into buf, which is
 * always NUL-terminated; when it does not fit, it is cut between two
 * escapes or characters, never inside one.  Returns buf. */
const char *esc__c(const char *s, char *buf, size_t len);
/* The same for n bytes that may hold NULs (written \x00). */
const char *esc__cn(const void *s, size_t n, char *buf, size_t len);
/* The display form, malloc'ed (NULL only when out of memory). */
char *esc__c_dup(const char *s);
/* Bytes of the display form of s, without the NUL. */
size_t esc__c_len(const char *s);
/* true when the display form is s itself (nothing to escape). */
bool esc__plain(const char *s);

/* Writers to a stream, each the display form plus the format's escaping. */
void esc__fput_c(FILE *f, const char *s);
/* &amp; &lt; &gt; &quot; &#39; on top of the display form. */
void esc__fput_html(FILE *f, const char *s);
/* One RFC 4180 field: quoted ("" for ") when it holds , " or a space at
 * either end; a field a spreadsheet would take for a formula (= + - @
 * first) gets a leading ' so that opening the CSV runs nothing. */
void esc__fput_csv(FILE *f, const char *s);
/* A Prometheus label value (without the quotes): \\ and \" on top of the
 * display form, which has no raw newline or control byte left. */
void esc__fput_prom(FILE *f, const char *s);

/* n bytes are well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF). */
bool esc__utf8_valid(const void *s, size_t n);

/* Base64 (RFC 4648, with padding) of n bytes, malloc'ed. */
char *esc__b64(const void *p, size_t n);
/* Decodes base64 into a malloc'ed, NUL-terminated buffer of *n bytes;
 * -EINVAL when s is not base64, -ENOMEM. */
int esc__unb64(const char *s, char **out, size_t *n);

#endif
