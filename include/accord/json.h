/*
 * json.h: a streaming JSON writer over struct buf.  It puts the commas and
 * colons itself, so a caller writes keys and values in order and cannot
 * emit "[,1]" or a bare nan.  Output is compact (no spaces), one value per
 * json_start; JSON Lines callers end each line with buf_add(b, "\n", 1).
 * A file meant for people (export's manifest.json) asks for spaces after
 * the separators (json_spaced) and line breaks where it wants them
 * (json_newline).
 *
 *	struct json j;
 *
 *	json_start(&j, &b);
 *	json_object_begin(&j);
 *	json_key(&j, "items");
 *	json_int(&j, 12);
 *	json_key(&j, "kappa");
 *	json_double(&j, "%.12g", k);
 *	json_object_end(&j);
 *
 * Misuse (a key outside an object, a value in an object without its key,
 * an end without its begin, nesting deeper than JSON_MAX_DEPTH) is a bug in
 * the caller: acc_fatal() aborts.  The writer never fails otherwise.
 */
#ifndef ACCORD_JSON_H
#define ACCORD_JSON_H

#include "accord/util.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct buf *b;
	int depth;		/* open objects and arrays */
	int want_value;		/* a key was written, its value comes next */
	int spaced;		/* ", " and ": " rather than "," and ":" */
	int indent;		/* next separator: a line break and this many
				 * spaces; -1: none */
	/* Per level: 'o' object or 'a' array, and whether it has a member. */
	char kind[JSON_MAX_DEPTH];
	char used[JSON_MAX_DEPTH];
};

/* Start writing one JSON value at the end of b (b is appended to), compact. */
void json_start(struct json *j, struct buf *b);
/* From here on, a space after each comma and colon. */
void json_spaced(struct json *j);
/*
 * Break the line at the next separator: before the next member or element
 * (after its comma, if any) or before the next closing bracket, write a
 * newline and indent spaces (0 to JSON_MAX_INDENT) instead of a space.
 */
#define JSON_MAX_INDENT 32
void json_newline(struct json *j, int indent);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* The next member's name, escaped as json_string does. */
void json_key(struct json *j, const char *key);

/* s as a string literal (escaping as buf_json_str: invalid UTF-8 becomes
 * U+FFFD, control characters \uXXXX); NULL writes null. */
void json_string(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v);
/*
 * v formatted with the printf format fmt, which must convert exactly one
 * double ("%.12g", "%.3f") so callers keep their output byte for byte.
 * NaN and infinities are written as null: JSON has no such numbers.
 */
void json_double(struct json *j, const char *fmt, double v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* text written as it is as one value: the caller vouches it is valid JSON
 * (a number stored as text, say). */
void json_raw(struct json *j, const char *text);

#endif
