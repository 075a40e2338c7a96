/*
 * json.c: the streaming JSON writer every --json and export's JSON Lines
 * and manifest.json go through: separators, nesting and escaping kept here,
 * so no command or file writer writes its own.
 */
#include <math.h>
#include <stdio.h>

#include "accord/json.h"

void
json_start(struct json *j, struct buf *b)
{
	j->b = b;
	j->depth = 0;
	j->want_value = 0;
	j->spaced = 0;
	j->indent = -1;
}

void
json_spaced(struct json *j)
{
	j->spaced = 1;
}

void
json_newline(struct json *j, int indent)
{
	if (indent < 0 || indent > JSON_MAX_INDENT)
		acc_fatal("json: indent %d out of range", indent);
	j->indent = indent;
}

/* What goes before a member or element (comma: one came before it in its
 * level) or before a closing bracket (comma 0): the only separators. */
static void
separate(struct json *j, int comma)
{
	static const char line[] = "\n                                ";

	_Static_assert(sizeof line == 1 + JSON_MAX_INDENT + 1, "indent");

	if (comma)
		buf_add(j->b, ",", 1);
	if (j->indent >= 0) {
		buf_add(j->b, line, 1 + (size_t)j->indent);
		j->indent = -1;
	} else if (comma && j->spaced)
		buf_add(j->b, " ", 1);
}

/*
 * s as a string literal.  Most strings (keys, hashes, paths, names) are
 * printable ASCII with nothing to escape: those go in whole, in one copy,
 * since JSON Lines writes several per row; the rest is buf_json_str's.
 */
static void
put_string(struct buf *b, const char *s)
{
	size_t n = 0;

	while (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\')
		n++;
	if (s[n] != '\0') {
		buf_json_str(b, s);
		return;
	}
	buf_add(b, "\"", 1);
	buf_add(b, s, n);
	buf_add(b, "\"", 1);
}

/* Before any value: the comma after a previous array element. */
static void
before_value(struct json *j)
{
	int d = j->depth - 1;

	if (j->want_value) {
		j->want_value = 0;
		return;
	}
	if (d < 0)
		return;
	if (j->kind[d] == 'o')
		acc_fatal("json: value without a key in an object");
	separate(j, j->used[d]);
	j->used[d] = 1;
}

static void
open_level(struct json *j, char kind)
{
	before_value(j);
	if (j->depth == JSON_MAX_DEPTH)
		acc_fatal("json: nested deeper than %d", JSON_MAX_DEPTH);
	j->kind[j->depth] = kind;
	j->used[j->depth] = 0;
	j->depth++;
	buf_add(j->b, kind == 'o' ? "{" : "[", 1);
}

static void
close_level(struct json *j, char kind)
{
	if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->want_value)
		acc_fatal("json: %s closes nothing open",
		    kind == 'o' ? "}" : "]");
	separate(j, 0);
	j->depth--;
	buf_add(j->b, kind == 'o' ? "}" : "]", 1);
}

void
json_object_begin(struct json *j)
{
	open_level(j, 'o');
}

void
json_object_end(struct json *j)
{
	close_level(j, 'o');
}

void
json_array_begin(struct json *j)
{
	open_level(j, 'a');
}

void
json_array_end(struct json *j)
{
	close_level(j, 'a');
}

void
json_key(struct json *j, const char *key)
{
	int d = j->depth - 1;

	if (d < 0 || j->kind[d] != 'o' || j->want_value)
		acc_fatal("json: key '%s' outside an object", key);
	separate(j, j->used[d]);
	j->used[d] = 1;
	put_string(j->b, key);
	buf_add(j->b, ": ", j->spaced ? 2 : 1);
	j->want_value = 1;
}

void
json_string(struct json *j, const char *s)
{
	before_value(j);
	if (s == NULL)
		buf_puts(j->b, "null");
	else
		put_string(j->b, s);
}

/* Numbers are formatted on the stack: no allocation per value, since JSON
 * Lines writers call these for every row. */
void
json_int(struct json *j, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", v);

	before_value(j);
	buf_add(j->b, num, (size_t)n);
}

void
json_uint(struct json *j, unsigned long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%llu", v);

	before_value(j);
	buf_add(j->b, num, (size_t)n);
}

void
json_double(struct json *j, const char *fmt, double v)
{
	char num[64];
	int n;

	before_value(j);
	if (!isfinite(v)) {
		buf_puts(j->b, "null");
		return;
	}
	n = snprintf(num, sizeof num, fmt, v);
	if (n >= 0 && (size_t)n < sizeof num)
		buf_add(j->b, num, (size_t)n);
	else
		buf_printf(j->b, fmt, v);	/* "%.3f" of 1e300 */
}

void
json_bool(struct json *j, int v)
{
	before_value(j);
	buf_puts(j->b, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	before_value(j);
	buf_puts(j->b, "null");
}

void
json_raw(struct json *j, const char *text)
{
	before_value(j);
	buf_puts(j->b, text);
}
