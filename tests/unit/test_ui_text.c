/*
 * test_ui_text.c: the guideline viewer's word wrap (tui/ui_text.c): breaks
 * after the last space that fits, inside a word longer than the width,
 * by display width (accented letters one column, CJK two), blank and CRLF
 * lines, undecodable bytes one column each, and the first line in view
 * kept across a re-wrap.
 */
#include <locale.h>

#include "../../tui/ui_text.h"
#include "t.h"

/* The wrapped lines joined by '|'. */
static char *
wrapped(const char *text, int width)
{
	static char out[4096];
	struct ui_text v;
	size_t n = 0;
	int i;

	ui_text_init(&v);
	ui_text_set(&v, text);
	ui_text_wrap(&v, width);
	out[0] = '\0';
	for (i = 0; i < v.nlines; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s",
		    i ? "|" : "", (int)v.lines[i].len,
		    v.text + v.lines[i].off);
	ui_text_free(&v);
	return out;
}

static void
t_words_break_at_spaces(void)
{
	T_EQ_STR(wrapped("one two three four", 9), "one two|three|four");
	T_EQ_STR(wrapped("one two three four", 7), "one two|three|four");
	T_EQ_STR(wrapped("one two", 80), "one two");
	/* A space at the break is dropped, however many. */
	T_EQ_STR(wrapped("abc    def", 3), "abc|def");
	/* Indentation of a source line is kept, not of a continuation. */
	T_EQ_STR(wrapped("  ab cd ef", 6), "  ab|cd ef");
}

static void
t_long_words_break_inside(void)
{
	T_EQ_STR(wrapped("abcdefghij", 4), "abcd|efgh|ij");
	T_EQ_STR(wrapped("x abcdefghij", 4), "x|abcd|efgh|ij");
	/* A width of one still moves on. */
	T_EQ_STR(wrapped("ab", 1), "a|b");
}

static void
t_display_width(void)
{
	/* é is two bytes and one column; 漢 three bytes and two columns. */
	T_EQ_STR(wrapped("caf\xc3\xa9 na\xc3\xafve", 5),
	    "caf\xc3\xa9|na\xc3\xafve");
	T_EQ_STR(wrapped("\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2", 5),
	    "\xe6\xbc\xa2\xe6\xbc\xa2|\xe6\xbc\xa2");
	T_EQ_STR(wrapped("\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2", 4),
	    "\xe6\xbc\xa2\xe6\xbc\xa2|\xe6\xbc\xa2");
	/* Bytes that do not decode: one column each, nothing lost. */
	T_EQ_STR(wrapped("\xff\xfe\xfd", 2), "\xff\xfe|\xfd");
}

static void
t_source_lines(void)
{
	T_EQ_STR(wrapped("a\n\nb\n", 10), "a||b");
	T_EQ_STR(wrapped("a\r\nb\r\n", 10), "a|b");
	T_EQ_STR(wrapped("", 10), "");
	T_EQ_STR(wrapped("a\n", 10), "a");
}

static void
t_rewrap_keeps_the_first_line(void)
{
	struct ui_text v;

	ui_text_init(&v);
	ui_text_set(&v, "aa bb cc dd\nee ff\n# gg\n");
	ui_text_wrap(&v, 2);
	T_EQ_INT(v.nlines, 8);		/* aa bb cc dd ee ff # gg */
	v.top = 5;			/* "ff" */
	T_EQ_INT(v.lines[5].heading, 0);
	T_EQ_INT(v.lines[6].heading, 1);
	T_EQ_INT(v.lines[7].heading, 1);	/* a heading's continuation */
	ui_text_wrap(&v, 80);
	T_EQ_INT(v.nlines, 3);
	T_EQ_INT(v.top, 1);		/* "ee ff" */
	ui_text_free(&v);
}

int
main(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		printf("skip - test_ui_text: no C.UTF-8 locale\n");
		return 0;
	}
	T_RUN(t_words_break_at_spaces);
	T_RUN(t_long_words_break_inside);
	T_RUN(t_display_width);
	T_RUN(t_source_lines);
	T_RUN(t_rewrap_keeps_the_first_line);
	return t_done();
}
