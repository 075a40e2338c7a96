/*
 * csv.c: RFC 4180 CSV and flat JSON objects (JSON Lines).  Both parsers are
 * written to be fed hostile input: every read is bounds-checked against len,
 * and errors say where.
 */
#include <stdlib.h>
#include <string.h>

#include "accord/csv.h"
#include "accord/util.h"

static void
row_add_field(struct csv_row *r, struct buf *f)
{
	r->fields = xreallocarray(r->fields, (size_t)r->nfields + 1,
	    sizeof *r->fields);
	r->fields[r->nfields++] = f->s ? f->s : xstrdup("");
	memset(f, 0, sizeof *f);
}

static void
row_free(struct csv_row *r)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
}

/* Where csv_parse is in its input. */
struct csv_in {
	const char *data;
	size_t len, i;
	int line;
};

/*
 * A quoted field, from its opening quote up to what follows the closing
 * one, into f; start is the line its record starts on.  Returns 0, or -1
 * with *cause.
 */
static int
csv_quoted_field(struct csv_in *in, int start, struct buf *f, char **cause)
{
	const char *data = in->data;
	size_t len = in->len;

	in->i++;
	for (;;) {
		if (in->i >= len)
			return acc_error(cause, "line %d: quoted field never "
			    "closed", start);
		if (data[in->i] == '"') {
			if (in->i + 1 < len && data[in->i + 1] == '"') {
				buf_add(f, "\"", 1);
				in->i += 2;
				continue;
			}
			in->i++;
			break;
		}
		if (data[in->i] == '\0')
			return acc_error(cause, "line %d: NUL byte", in->line);
		if (data[in->i] == '\n')
			in->line++;
		buf_add(f, &data[in->i], 1);
		in->i++;
	}
	/* After the closing quote: a comma, LF, CRLF or the end. */
	if (in->i < len && (data[in->i] == '\r' ? !(in->i + 1 < len &&
	    data[in->i + 1] == '\n') : data[in->i] != ',' &&
	    data[in->i] != '\n'))
		return acc_error(cause, "line %d: text after a closing quote",
		    in->line);
	return 0;
}

/*
 * An unquoted field up to a comma, LF, CRLF or the end, into f; clears
 * *empty when it holds anything.  Returns 0, or -1 with *cause.
 */
static int
csv_plain_field(struct csv_in *in, struct buf *f, int *empty, char **cause)
{
	const char *data = in->data;
	size_t len = in->len;

	while (in->i < len && data[in->i] != ',' && data[in->i] != '\n' &&
	    !(data[in->i] == '\r' && in->i + 1 < len &&
	    data[in->i + 1] == '\n')) {
		if (data[in->i] == '"')
			return acc_error(cause, "line %d: quote inside an "
			    "unquoted field", in->line);
		if (data[in->i] == '\0')
			return acc_error(cause, "line %d: NUL byte", in->line);
		buf_add(f, &data[in->i], 1);
		*empty = 0;
		in->i++;
	}
	return 0;
}

/*
 * One record into row, through its end of line.  Returns 1 if it held
 * nothing (a blank line), 0, or -1 with *cause.
 */
static int
csv_record(struct csv_in *in, struct csv_row *row, struct buf *f,
    char **cause)
{
	int empty = 1;

	row->line = in->line;
	for (;;) {
		if (in->i < in->len && in->data[in->i] == '"') {
			empty = 0;
			if (csv_quoted_field(in, row->line, f, cause) != 0)
				return -1;
		} else if (csv_plain_field(in, f, &empty, cause) != 0)
			return -1;
		row_add_field(row, f);
		if (in->i < in->len && in->data[in->i] == ',') {
			empty = 0;
			in->i++;
			continue;
		}
		break;
	}
	/* End of record: LF, CRLF or end of data. */
	if (in->i < in->len && in->data[in->i] == '\r')
		in->i++;
	if (in->i < in->len && in->data[in->i] == '\n') {
		in->i++;
		in->line++;
	}
	return empty;
}

int
csv_parse(const char *data, size_t len, struct csv *out, char **cause)
{
	struct csv c = { 0 };
	struct csv_row row = { 0 };
	struct buf f = { 0 };
	struct csv_in in = { data, len, 0, 1 };
	int k;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		in.i = 3;
	while (in.i < len) {
		if ((k = csv_record(&in, &row, &f, cause)) < 0)
			goto fail;
		if (k == 1) {
			row_free(&row);
			memset(&row, 0, sizeof row);
			continue;
		}
		if (c.nrows > 0 && row.nfields != c.rows[0].nfields) {
			acc_error(cause, "line %d: %d field%s, the header has %d",
			    row.line, row.nfields, row.nfields == 1 ? "" : "s",
			    c.rows[0].nfields);
			goto fail;
		}
		c.rows = xreallocarray(c.rows, (size_t)c.nrows + 1,
		    sizeof *c.rows);
		c.rows[c.nrows++] = row;
		memset(&row, 0, sizeof row);
	}
	if (c.nrows == 0) {
		acc_error(cause, "empty file: no header row");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	buf_free(&f);
	row_free(&row);
	csv_free(&c);
	return -1;
}

void
csv_free(struct csv *c)
{
	int i;

	for (i = 0; i < c->nrows; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	memset(c, 0, sizeof *c);
}

int
csv_column(const struct csv *c, const char *name)
{
	int i;

	if (c->nrows == 0)
		return -1;
	for (i = 0; i < c->rows[0].nfields; i++)
		if (strcmp(c->rows[0].fields[i], name) == 0)
			return i;
	return -1;
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static void
put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		buf_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

static int
hex4(const char *p, unsigned long *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned long)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Parse a JSON string at p (on the opening quote); *end after the close. */
static char *
json_string(const char *p, const char **end, char **cause)
{
	struct buf b = { 0 };

	p++;
	buf_add(&b, "", 0);
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '\0') {
			acc_error(cause, "unterminated string");
			goto fail;
		}
		if (c < 0x20) {
			acc_error(cause, "control character in a string");
			goto fail;
		}
		if (c == '"')
			break;
		if (c != '\\') {
			buf_add(&b, p, 1);
			p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"': buf_add(&b, "\"", 1); break;
		case '\\': buf_add(&b, "\\", 1); break;
		case '/': buf_add(&b, "/", 1); break;
		case 'b': buf_add(&b, "\b", 1); break;
		case 'f': buf_add(&b, "\f", 1); break;
		case 'n': buf_add(&b, "\n", 1); break;
		case 'r': buf_add(&b, "\r", 1); break;
		case 't': buf_add(&b, "\t", 1); break;
		case 'u': {
			unsigned long cp, lo;

			if (hex4(p + 1, &cp) != 0) {
				acc_error(cause, "bad \\u escape");
				goto fail;
			}
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && p[1] == '\\' &&
			    p[2] == 'u' && hex4(p + 3, &lo) == 0 &&
			    lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp == 0) {
				acc_error(cause, "NUL in a string");
				goto fail;
			}
			put_utf8(&b, cp);
			break;
		}
		default:
			acc_error(cause, "bad escape in a string");
			goto fail;
		}
		p++;
	}
	*end = p + 1;
	return b.s;
fail:
	buf_free(&b);
	return NULL;
}

/*
 * A value at p (a string, number, true, false or null: null gives NULL)
 * into *val; *end after it.  Returns 0, or -1 with *cause.
 */
static int
json_flat_value(const char *p, const char **end, char **val, char **cause)
{
	*val = NULL;
	if (*p == '"') {
		if ((*val = json_string(p, &p, cause)) == NULL)
			return -1;
	} else if (strncmp(p, "null", 4) == 0) {
		p += 4;
	} else if (strncmp(p, "true", 4) == 0) {
		*val = xstrdup("true");
		p += 4;
	} else if (strncmp(p, "false", 5) == 0) {
		*val = xstrdup("false");
		p += 5;
	} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
		const char *s = p;

		while (*p == '-' || *p == '+' || *p == '.' || *p == 'e' ||
		    *p == 'E' || (*p >= '0' && *p <= '9'))
			p++;
		*val = xstrndup(s, (size_t)(p - s));
	} else
		return acc_error(cause, "%s: values must be strings, numbers, "
		    "true, false or null", *p == '{' || *p == '[' ?
		    "nested value" : "bad value");
	*end = p;
	return 0;
}

/* Appends key and val (both taken) to r. */
static void
record_push(struct record *r, char *key, char *val)
{
	r->keys = xreallocarray(r->keys, (size_t)r->n + 1, sizeof *r->keys);
	r->values = xreallocarray(r->values, (size_t)r->n + 1,
	    sizeof *r->values);
	r->keys[r->n] = key;
	r->values[r->n] = val;
	r->n++;
}

int
json_parse_flat(const char *text, struct record *out, char **cause)
{
	struct record r = { 0 };
	const char *p = skip_ws(text);

	if (*p != '{')
		return acc_error(cause, "not a JSON object");
	p = skip_ws(p + 1);
	if (*p == '}')
		goto done;
	for (;;) {
		char *key, *val;

		if (*p != '"') {
			acc_error(cause, "expected a quoted key");
			goto fail;
		}
		if ((key = json_string(p, &p, cause)) == NULL)
			goto fail;
		p = skip_ws(p);
		if (*p != ':') {
			free(key);
			acc_error(cause, "expected ':' after a key");
			goto fail;
		}
		if (json_flat_value(skip_ws(p + 1), &p, &val, cause) != 0) {
			free(key);
			goto fail;
		}
		record_push(&r, key, val);
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p == '}')
			break;
		acc_error(cause, "expected ',' or '}'");
		goto fail;
	}
done:
	p = skip_ws(p + 1);
	if (*p != '\0') {
		acc_error(cause, "text after the object");
		goto fail;
	}
	*out = r;
	return 0;
fail:
	record_free(&r);
	return -1;
}

void
record_free(struct record *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		free(r->keys[i]);
		free(r->values[i]);
	}
	free(r->keys);
	free(r->values);
	memset(r, 0, sizeof *r);
}

const char *
record_get(const struct record *r, const char *key)
{
	int i;

	for (i = r->n - 1; i >= 0; i--)
		if (strcmp(r->keys[i], key) == 0)
			return r->values[i];
	return NULL;
}

/* The whole of s is a decimal number: [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)? */
static int
csv_number(const char *s)
{
	int digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
	if (digits == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int
csv_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL &&
	    !csv_number(s);
}

void
csv_put_field(struct buf *b, const char *s, int neutralise)
{
	size_t n = strlen(s);
	int formula = neutralise && csv_formula(s);

	if (!formula && strpbrk(s, ",\"\r\n") == NULL && (n == 0 ||
	    (s[0] != ' ' && s[n - 1] != ' '))) {
		buf_add(b, s, n);
		return;
	}
	buf_add(b, formula ? "\"'" : "\"", formula ? 2 : 1);
	for (; *s != '\0'; s++)
		if (*s == '"')
			buf_add(b, "\"\"", 2);
		else
			buf_add(b, s, 1);
	buf_add(b, "\"", 1);
}
