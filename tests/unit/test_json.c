/*
 * test_json.c: the JSON writer: commas and nesting, string escaping,
 * numbers in the caller's format, non-finite doubles as null, JSON Lines,
 * the spaced layout with line breaks (export's manifest.json).
 */
#include <math.h>

#include "accord/json.h"
#include "t.h"

static void
t_nesting_and_commas(void)
{
	struct buf b = { 0 };
	struct json j;

	json_start(&j, &b);
	json_object_begin(&j);
	json_key(&j, "a");
	json_int(&j, 1);
	json_key(&j, "list");
	json_array_begin(&j);
	json_int(&j, -2);
	json_array_begin(&j);
	json_array_end(&j);
	json_object_begin(&j);
	json_object_end(&j);
	json_array_begin(&j);
	json_bool(&j, 1);
	json_bool(&j, 0);
	json_null(&j);
	json_array_end(&j);
	json_array_end(&j);
	json_key(&j, "o");
	json_object_begin(&j);
	json_key(&j, "x");
	json_null(&j);
	json_key(&j, "y");
	json_string(&j, NULL);
	json_object_end(&j);
	json_object_end(&j);
	T_EQ_STR(b.s, "{\"a\":1,\"list\":[-2,[],{},[true,false,null]],"
	    "\"o\":{\"x\":null,\"y\":null}}");
	T_EQ_INT(j.depth, 0);
	buf_free(&b);
}

static void
t_strings_escaped_as_buf_json_str(void)
{
	struct buf b = { 0 }, want = { 0 };
	struct json j;
	const char *s = "q\"b\\n\nr\rt\tc\x01\x7f \xc3\xa9 bad\xff end";

	json_start(&j, &b);
	json_array_begin(&j);
	json_string(&j, s);
	json_string(&j, "");
	json_array_end(&j);
	T_EQ_STR(b.s, "[\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u007f \xc3\xa9 "
	    "bad\\ufffd end\",\"\"]");
	buf_puts(&want, "[");
	buf_json_str(&want, s);
	buf_puts(&want, ",\"\"]");
	T_EQ_STR(b.s, want.s);
	buf_free(&b);
	buf_free(&want);
}

static void
t_keys_escaped(void)
{
	struct buf b = { 0 };
	struct json j;

	json_start(&j, &b);
	json_object_begin(&j);
	json_key(&j, "k\"1");
	json_string(&j, "v");
	json_key(&j, "k2");
	json_raw(&j, "0.25");
	json_object_end(&j);
	T_EQ_STR(b.s, "{\"k\\\"1\":\"v\",\"k2\":0.25}");
	buf_free(&b);
}

static void
t_doubles_in_callers_format_nonfinite_null(void)
{
	struct buf b = { 0 };
	struct json j;

	json_start(&j, &b);
	json_array_begin(&j);
	json_double(&j, "%.12g", 1.0 / 3);
	json_double(&j, "%.3f", 2.5);
	json_double(&j, "%.12g", INFINITY);
	json_double(&j, "%.12g", -INFINITY);
	json_double(&j, "%.3f", nan(""));
	json_double(&j, "%.12g", 0.1);
	json_int(&j, 9007199254740993LL);
	json_array_end(&j);
	T_EQ_STR(b.s, "[0.333333333333,2.500,null,null,null,0.1,"
	    "9007199254740993]");
	buf_free(&b);
}

static void
t_json_lines_restart(void)
{
	struct buf b = { 0 };
	struct json j;
	int i;

	for (i = 0; i < 2; i++) {
		json_start(&j, &b);
		json_object_begin(&j);
		json_key(&j, "id");
		json_int(&j, i);
		json_object_end(&j);
		buf_add(&b, "\n", 1);
	}
	T_EQ_STR(b.s, "{\"id\":0}\n{\"id\":1}\n");
	buf_free(&b);
}

static void
t_deep_nesting_closes(void)
{
	struct buf b = { 0 };
	struct json j;
	int i;

	json_start(&j, &b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&j);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&j);
	T_EQ_INT(b.len, 2 * JSON_MAX_DEPTH);
	T_EQ_INT(j.depth, 0);
	buf_free(&b);
}

/* Every byte around the edges of the copied-whole fast path (space, '~',
 * quote, backslash, DEL, controls, UTF-8) escapes as buf_json_str does. */
static void
t_plain_strings_as_buf_json_str(void)
{
	static const char *const s[] = { " ", "~", "a b~c", "x\"", "\\",
		"\x7f", "\x1f", "\t", "\xc3\xa9", "\xff", "ab\xc3", "" };
	size_t i;

	for (i = 0; i < sizeof s / sizeof s[0]; i++) {
		struct buf b = { 0 }, want = { 0 };
		struct json j;

		json_start(&j, &b);
		json_string(&j, s[i]);
		buf_json_str(&want, s[i]);
		T_EQ_STR(b.s, want.s);
		buf_free(&b);
		buf_free(&want);
	}
}

static void
t_spaced_with_line_breaks(void)
{
	struct buf b = { 0 };
	struct json j;

	json_start(&j, &b);
	json_spaced(&j);
	json_object_begin(&j);
	json_newline(&j, 2);
	json_key(&j, "a");
	json_array_begin(&j);
	json_int(&j, 1);
	json_int(&j, 2);
	json_newline(&j, 4);
	json_int(&j, 3);
	json_array_end(&j);
	json_newline(&j, 2);
	json_key(&j, "b");
	json_object_begin(&j);
	json_key(&j, "c");
	json_null(&j);
	json_object_end(&j);
	json_key(&j, "e");
	json_array_begin(&j);
	json_newline(&j, 4);
	json_bool(&j, 1);
	json_newline(&j, 2);
	json_array_end(&j);
	json_newline(&j, 0);
	json_object_end(&j);
	T_EQ_STR(b.s, "{\n  \"a\": [1, 2,\n    3],\n  \"b\": {\"c\": null}, "
	    "\"e\": [\n    true\n  ]\n}");
	buf_free(&b);
}

static void
t_unsigned_and_long_doubles(void)
{
	struct buf b = { 0 }, want = { 0 };
	struct json j;

	json_start(&j, &b);
	json_array_begin(&j);
	json_uint(&j, 18446744073709551615ULL);
	json_int(&j, -9223372036854775807LL - 1);
	json_double(&j, "%.3f", 1e300);
	json_array_end(&j);
	buf_printf(&want, "[18446744073709551615,-9223372036854775808,%.3f]",
	    1e300);
	T_EQ_STR(b.s, want.s);
	T_CHECK(b.len > 300);
	buf_free(&b);
	buf_free(&want);
}

int
main(void)
{
	T_RUN(t_nesting_and_commas);
	T_RUN(t_strings_escaped_as_buf_json_str);
	T_RUN(t_keys_escaped);
	T_RUN(t_doubles_in_callers_format_nonfinite_null);
	T_RUN(t_json_lines_restart);
	T_RUN(t_deep_nesting_closes);
	T_RUN(t_plain_strings_as_buf_json_str);
	T_RUN(t_spaced_with_line_breaks);
	T_RUN(t_unsigned_and_long_doubles);
	return t_done();
}
