/* Unit tests: util/escape.c, how every view renders untrusted strings
 * (the display form, HTML, CSV, Prometheus, UTF-8 validity, base64). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "util/escape.h"

static char buf[256];

static const char *disp(const char *s)
{
	return esc__c(s, buf, sizeof(buf));
}

/* What a writer put on a stream, as a string (freed by the next call). */
static char *mem;
static const char *out_of(void (*w)(FILE *f, const char *s), const char *s)
{
	size_t n;
	FILE *f;

	free(mem);
	f = open_memstream(&mem, &n);
	assert_non_null(f);
	w(f, s);
	fclose(f);
	return mem;
}

static void test_display_controls(void **state)
{
	assert_string_equal(disp("/tmp/plain"), "/tmp/plain");
	assert_string_equal(disp("a\nb\nfake: line"), "a\\nb\\nfake: line");
	assert_string_equal(disp("\x1b[2J"), "\\x1b[2J");
	assert_string_equal(disp("\x1b]0;title\a"), "\\x1b]0;title\\x07");
	assert_string_equal(disp("tab\there\r"), "tab\\there\\r");
	assert_string_equal(disp("del\x7f"), "del\\x7f");
	assert_string_equal(disp("back\\slash"), "back\\\\slash");
	assert_string_equal(disp(NULL), "");
	assert_string_equal(disp(""), "");
	assert_true(esc__plain("/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_false(esc__plain("a\\b"));
	assert_false(esc__plain("a\nb"));
}

static void test_display_utf8(void **state)
{
	/* valid multi-byte UTF-8 is kept */
	assert_string_equal(disp("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* invalid bytes as \xNN, one each */
	assert_string_equal(disp("bad\xff\xfe"), "bad\\xff\\xfe");
	assert_string_equal(disp("lone\x9b[2J"), "lone\\x9b[2J");		/* a raw 8-bit CSI */
	assert_string_equal(disp("cut\xc3"), "cut\\xc3");			/* truncated sequence */
	assert_string_equal(disp("\xc0\xaf"), "\\xc0\\xaf");			/* overlong '/' */
	assert_string_equal(disp("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");		/* overlong */
	assert_string_equal(disp("\xed\xa0\x80"), "\\xed\\xa0\\x80");		/* a surrogate */
	assert_string_equal(disp("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");	/* above U+10FFFF */
	/* valid, but controls: C1 CSI, RLO (Trojan Source), the line separator */
	assert_string_equal(disp("\xc2\x9b" "2J"), "\\xc2\\x9b2J");
	assert_string_equal(disp("a\xe2\x80\xae" "b"), "a\\xe2\\x80\\xaeb");
	assert_string_equal(disp("\xe2\x80\xa8"), "\\xe2\\x80\\xa8");
	assert_true(esc__utf8_valid("caf\xc3\xa9", 5));
	assert_false(esc__utf8_valid("bad\xff", 4));
	assert_false(esc__utf8_valid("\xed\xa0\x80", 3));
	assert_true(esc__utf8_valid("", 0));
}

static void test_display_bytes_and_cut(void **state)
{
	char small[8];

	assert_string_equal(esc__cn("a\0b", 3, buf, sizeof(buf)), "a\\x00b");
	/* cut between escapes, never inside one */
	assert_string_equal(esc__c("ab\x1b" "cd", small, sizeof(small)), "ab\\x1bc");
	assert_string_equal(esc__c("abcd\x1b", small, sizeof(small)), "abcd");
	assert_string_equal(esc__c("abcdef\xc3\xa9", small, sizeof(small)), "abcdef");
	assert_string_equal(esc__c("abcdefghij", small, sizeof(small)), "abcdefg");
	/* the length and the allocating form agree with the buffer form */
	const char *hostile = "x\x1b[2J\n\xff\xc3\xa9\\";
	char *d = esc__c_dup(hostile);

	assert_string_equal(d, disp(hostile));
	assert_int_equal(esc__c_len(hostile), strlen(d));
	free(d);
	/* the worst case fits ESC_MAX */
	char ff[64], big[ESC_MAX(63) + 1];

	memset(ff, 0xff, 63);
	ff[63] = 0;
	assert_int_equal(strlen(esc__c(ff, big, sizeof(big))), ESC_MAX(63));
}

static void test_display_no_raw_controls(void **state)
{
	/* every single byte and every pair: the display form is printable ASCII
	 * or valid UTF-8 without controls (so a 0x9b is only ever the
	 * continuation byte of a printable character, never a C1 CSI) */
	char s[3] = { 0 };

	for (int a = 1; a < 256; a++)
		for (int b = 0; b < 256; b++) {
			s[0] = (char)a;
			s[1] = (char)b;
			const char *d = disp(s);

			assert_true(esc__utf8_valid(d, strlen(d)));
			for (const unsigned char *p = (const unsigned char *)d; *p; p++) {
				assert_false(*p < 0x20 || *p == 0x7f);
				assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
			}
		}
}

static void test_html(void **state)
{
	assert_string_equal(out_of(esc__fput_html, "<a href=\"x\">&'</a>"),
			    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	assert_string_equal(out_of(esc__fput_html, "\x1b[2J\n\xff"), "\\x1b[2J\\n\\xff");
}

static void test_csv(void **state)
{
	assert_string_equal(out_of(esc__fput_csv, "plain"), "plain");
	assert_string_equal(out_of(esc__fput_csv, "a,b"), "\"a,b\"");
	assert_string_equal(out_of(esc__fput_csv, "say \"hi\""), "\"say \"\"hi\"\"\"");
	assert_string_equal(out_of(esc__fput_csv, " lead"), "\" lead\"");
	/* no raw line break left to split a row */
	assert_string_equal(out_of(esc__fput_csv, "a\r\nb\x1b"), "a\\r\\nb\\x1b");
	/* a formula is neutralised */
	assert_string_equal(out_of(esc__fput_csv, "=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
	assert_string_equal(out_of(esc__fput_csv, "@SUM(1)"), "\"'@SUM(1)\"");
	assert_string_equal(out_of(esc__fput_csv, ""), "");
}

static void test_prom(void **state)
{
	assert_string_equal(out_of(esc__fput_prom, "nginx"), "nginx");
	assert_string_equal(out_of(esc__fput_prom, "a\"b"), "a\\\"b");
	/* the display form's backslashes are escaped once more: the label's
	 * value, once parsed, is the display form */
	assert_string_equal(out_of(esc__fput_prom, "a\\b"), "a\\\\\\\\b");
	assert_string_equal(out_of(esc__fput_prom, "a\nb"), "a\\\\nb");
	assert_string_equal(out_of(esc__fput_prom, "\x1b\xff"), "\\\\x1b\\\\xff");
}

static void test_b64(void **state)
{
	static const struct { const char *raw; const char *enc; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char *enc, *dec;
	size_t n;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		enc = esc__b64(v[i].raw, strlen(v[i].raw));
		assert_string_equal(enc, v[i].enc);
		assert_int_equal(esc__unb64(enc, &dec, &n), 0);
		assert_int_equal(n, strlen(v[i].raw));
		assert_memory_equal(dec, v[i].raw, n);
		free(enc);
		free(dec);
	}
	/* every byte value round-trips */
	unsigned char all[256];

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	enc = esc__b64(all, sizeof(all));
	assert_int_equal(esc__unb64(enc, &dec, &n), 0);
	assert_int_equal(n, sizeof(all));
	assert_memory_equal(dec, all, n);
	free(enc);
	free(dec);
	assert_int_equal(esc__unb64("Zm9", &dec, &n), -EINVAL);
	assert_int_equal(esc__unb64("Zm9*", &dec, &n), -EINVAL);
	assert_int_equal(esc__unb64("Z===", &dec, &n), -EINVAL);
	assert_int_equal(esc__unb64("Zg==Zg==", &dec, &n), -EINVAL);
	assert_int_equal(esc__unb64("Zm=v", &dec, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_controls),
		cmocka_unit_test(test_display_utf8),
		cmocka_unit_test(test_display_bytes_and_cut),
		cmocka_unit_test(test_display_no_raw_controls),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_prom),
		cmocka_unit_test(test_b64),
	};
	int r = cmocka_run_group_tests_name("escape", tests, NULL, NULL);

	free(mem);
	return r;
}
