/* test_csv.c: the RFC 4180 CSV reader and the flat JSON object reader. */
#include <stdlib.h>
#include <string.h>

#include "accord/csv.h"
#include "accord/util.h"
#include "t.h"

static int
parse(const char *s, struct csv *c, char **cause)
{
	return csv_parse(s, strlen(s), c, cause);
}

static void
t_quoted_fields_commas_quotes_newlines(void)
{
	struct csv c;
	char *cause = NULL;
	const char *s = "file,line,note\r\n"
	    "a.png,\"Line 2, \"\"north\"\"\",\"two\nlines\"\r\n"
	    "b.png,,plain\n";

	T_CHECK(parse(s, &c, &cause) == 0);
	if (cause != NULL)
		return;
	T_EQ_INT(c.nrows, 3);
	T_EQ_STR(c.rows[1].fields[1], "Line 2, \"north\"");
	T_EQ_STR(c.rows[1].fields[2], "two\nlines");
	T_EQ_STR(c.rows[2].fields[1], "");
	T_EQ_INT(c.rows[2].line, 4);
	T_EQ_INT(csv_column(&c, "note"), 2);
	T_EQ_INT(csv_column(&c, "nope"), -1);
	csv_free(&c);
}

static void
t_bom_blank_lines_and_no_final_newline(void)
{
	struct csv c;
	char *cause = NULL;

	T_CHECK(parse("\xef\xbb\xbf" "file,x\n\na,1\n\nb,2", &c, &cause) == 0);
	if (cause != NULL)
		return;
	T_EQ_STR(c.rows[0].fields[0], "file");
	T_EQ_INT(c.nrows, 3);
	T_EQ_STR(c.rows[2].fields[1], "2");
	T_EQ_INT(c.rows[2].line, 5);
	csv_free(&c);
}

static void
t_errors_name_the_line(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "a,b\n1,2,3\n", "line 2: 3 fields, the header has 2" },
		{ "a,b\n1,\"open\n", "line 2: quoted field never closed" },
		{ "a,b\n1,x\"y\n", "line 2: quote inside an unquoted field" },
		{ "a,b\n1,\"x\"y\n", "line 2: text after a closing quote" },
		{ "", "empty file" },
		{ "\n\n", "empty file" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct csv c;
		char *cause = NULL;

		if (parse(bad[i].text, &c, &cause) == 0) {
			T_FAIL("accepted case %zu", i);
			csv_free(&c);
		} else if (strstr(cause, bad[i].why) == NULL)
			T_FAIL("case %zu: '%s' lacks '%s'", i, cause, bad[i].why);
		free(cause);
	}
}

static void
t_json_flat_objects(void)
{
	struct record r;
	char *cause = NULL;

	T_CHECK(json_parse_flat("{\"file\": \"a\\\"b.png\", \"seconds\": 2.5, "
	    "\"note\": null, \"ok\": true, \"u\": \"\\u00e9\\ud83d\\ude00\"}",
	    &r, &cause) == 0);
	if (cause != NULL)
		return;
	T_EQ_STR(record_get(&r, "file"), "a\"b.png");
	T_EQ_STR(record_get(&r, "seconds"), "2.5");
	T_CHECK(record_get(&r, "note") == NULL);
	T_EQ_STR(record_get(&r, "ok"), "true");
	T_EQ_STR(record_get(&r, "u"), "\xc3\xa9\xf0\x9f\x98\x80");
	record_free(&r);
	T_CHECK(json_parse_flat("{\"a\": [1]}", &r, &cause) == -1);
	T_CHECK(cause && strstr(cause, "nested") != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(json_parse_flat("{\"a\": 1", &r, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(json_parse_flat("{\"a\": \"x\"} trailing", &r, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(json_parse_flat("{\"a\": \"\\u0000\"}", &r, &cause) == -1);
	free(cause);
}

static void
t_printable_strips_controls(void)
{
	char *p = acc_printable("a\033[31mb\x07\xc2\x9b" "c\xff");

	T_EQ_STR(p, "a?[31mb??c\xef\xbf\xbd");
	free(p);
}

int
main(void)
{
	T_RUN(t_quoted_fields_commas_quotes_newlines);
	T_RUN(t_bom_blank_lines_and_no_final_newline);
	T_RUN(t_errors_name_the_line);
	T_RUN(t_json_flat_objects);
	T_RUN(t_printable_strips_controls);
	return t_done();
}
