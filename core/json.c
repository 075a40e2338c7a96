/*
 * json.c: the streaming JSON writer every --json goes through: commas and
 * nesting kept here, so no command writes its own separators.
 */
#include <math.h>

#include "accord/json.h"

void
json_start(struct json *j, struct buf *b)
{
	j->b = b;
	j->depth = 0;
	j->want_value = 0;
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
	if (j->used[d])
		buf_add(j->b, ",", 1);
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
	if (j->used[d])
		buf_add(j->b, ",", 1);
	j->used[d] = 1;
	buf_json_str(j->b, key);
	buf_add(j->b, ":", 1);
	j->want_value = 1;
}

void
json_string(struct json *j, const char *s)
{
	before_value(j);
	if (s == NULL)
		buf_puts(j->b, "null");
	else
		buf_json_str(j->b, s);
}

void
json_int(struct json *j, long long v)
{
	before_value(j);
	buf_printf(j->b, "%lld", v);
}

void
json_double(struct json *j, const char *fmt, double v)
{
	before_value(j);
	if (isfinite(v))
		buf_printf(j->b, fmt, v);
	else
		buf_puts(j->b, "null");
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
