/*
 * labels_tools.c: label files from other labeling tools, read into rows of
 * accord's own import (labels_int.h): Label Studio's JSON export, Prodigy's
 * JSONL (db-out) and doccano's JSONL export.  The mapping of each tool's
 * fields is documented in docs/guide.md ("labels import"); what a field
 * means is taken from each tool's own documentation of its format.
 *
 * JSON is parsed with jansson (docs/design.md, "Libraries"): these files
 * nest (tasks, annotations, results), which the flat reader of csv.c
 * refuses by design.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "accord/csv.h"
#include "accord/labels.h"
#include "internal.h"
#include "labels_int.h"

static const struct {
	const char *name;
	enum labels_format f;
} formats[] = {
	{ "accord", LABELS_ACCORD },
	{ "label-studio", LABELS_LABEL_STUDIO },
	{ "ls", LABELS_LABEL_STUDIO },
	{ "cvat", LABELS_CVAT },
	{ "prodigy", LABELS_PRODIGY },
	{ "doccano", LABELS_DOCCANO },
};

int
labels_format_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0)
			return (int)formats[i].f;
	return -1;
}

const char *
labels_format_name(enum labels_format f)
{
	size_t i;

	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].f == f)
			return formats[i].name;
	return "detect";
}

/* The first JSON object of a JSON Lines text, or NULL. */
static json_t *
first_line_object(const unsigned char *data, size_t len)
{
	const unsigned char *nl = memchr(data, '\n', len);
	json_t *o;

	if (nl != NULL)
		len = (size_t)(nl - data);
	o = json_loadb((const char *)data, len, 0, NULL);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/*
 * Tells the formats apart by what each one alone has: XML is CVAT's; a
 * JSON array (or an object with `data` and `annotations`, one task as
 * Label Studio's cloud storage writes it) is Label Studio's; a JSON line
 * with `answer` or Prodigy's hashes is Prodigy's; one with `label` and
 * `text` or `filename` but no `labeler` is doccano's; the rest is accord's
 * own CSV or JSON Lines.
 */
enum labels_format
labels_sniff(const unsigned char *data, size_t len)
{
	enum labels_format f = LABELS_ACCORD;
	json_t *o;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	while (len > 0 && isspace(*data)) {
		data++;
		len--;
	}
	if (len == 0)
		return LABELS_ACCORD;
	if (*data == '<')
		return LABELS_CVAT;
	if (*data == '[')
		return LABELS_LABEL_STUDIO;
	if (*data != '{')
		return LABELS_ACCORD;
	/* One task object over several lines is Label Studio's too. */
	if ((o = json_loadb((const char *)data, len, 0, NULL)) != NULL &&
	    json_is_object(o) && json_object_get(o, "data") != NULL &&
	    json_object_get(o, "annotations") != NULL) {
		json_decref(o);
		return LABELS_LABEL_STUDIO;
	}
	json_decref(o);
	if ((o = first_line_object(data, len)) == NULL)
		return LABELS_ACCORD;
	if (json_object_get(o, "data") != NULL &&
	    json_object_get(o, "annotations") != NULL)
		f = LABELS_LABEL_STUDIO;
	else if (json_object_get(o, "answer") != NULL ||
	    json_object_get(o, "_input_hash") != NULL ||
	    json_object_get(o, "_task_hash") != NULL)
		f = LABELS_PRODIGY;
	else if (json_object_get(o, "label") != NULL &&
	    json_object_get(o, "labeler") == NULL &&
	    (json_object_get(o, "text") != NULL ||
	    json_object_get(o, "filename") != NULL))
		f = LABELS_DOCCANO;
	json_decref(o);
	return f;
}

struct record *
interop_row(struct interop *x, char *where)
{
	struct label_input *in;

	x->rows = xreallocarray(x->rows, (size_t)x->n + 1, sizeof *x->rows);
	in = &x->rows[x->n++];
	memset(in, 0, sizeof *in);
	in->where = where;
	return &in->r;
}

void
interop_put(struct record *r, const char *key, const char *value)
{
	if (value == NULL)
		return;
	r->keys = xreallocarray(r->keys, (size_t)r->n + 1, sizeof *r->keys);
	r->values = xreallocarray(r->values, (size_t)r->n + 1,
	    sizeof *r->values);
	r->keys[r->n] = xstrdup(key);
	r->values[r->n++] = xstrdup(value);
}

void
interop_bad(struct interop *x, const char *where, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	x->on_error(x->arg, where, msg);
	free(msg);
	(*x->nbad)++;
}

const char *
interop_user(const struct interop *x, const char *who)
{
	return who != NULL ? record_get(&x->users, who) : NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s with %XX escapes decoded (up to end), malloc'd. */
static char *
unescape(const char *s, const char *end)
{
	char *out = xmalloc((size_t)(end - s) + 1), *o = out;

	while (s < end) {
		if (*s == '%' && end - s >= 3 && hexval(s[1]) >= 0 &&
		    hexval(s[2]) >= 0 && (hexval(s[1]) | hexval(s[2])) != 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Label Studio stores an upload as 8 hex digits, '-', the file's name. */
static const char *
strip_upload_prefix(const char *name)
{
	int i;

	for (i = 0; i < 8; i++)
		if (hexval((unsigned char)name[i]) < 0)
			return name;
	return name[8] == '-' && name[9] != '\0' ? name + 9 : name;
}

void
interop_media(struct record *r, const char *media)
{
	const char *scheme = strstr(media, "://"), *q;
	char *path;

	if (strncmp(media, "/data/local-files/", 18) == 0 &&
	    (q = strstr(media, "d=")) != NULL) {
		const char *end = strchr(q, '&');

		path = unescape(q + 2, end != NULL ? end : q + strlen(q));
	} else if (strncmp(media, "/data/upload/", 13) == 0) {
		char *all = unescape(media, media + strlen(media));

		path = xstrdup(strip_upload_prefix(base_name(all)));
		free(all);
	} else if (scheme != NULL) {
		const char *p = strchr(scheme + 3, '/'), *end;

		if (p == NULL)
			p = scheme + strlen(scheme);
		end = p + strcspn(p, "?#");
		path = unescape(p, end);
	} else
		path = xstrdup(media);
	interop_put(r, "file", scheme != NULL ? base_name(path) : path);
	interop_put(r, "name", base_name(path));
	free(path);
}

void
interop_time(double t, char out[32])
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The string at key in o, or NULL. */
static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A scalar as text into buf (ids: numbers or strings), or NULL. */
static const char *
jscalar(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return NULL;
}

static const char *
json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	default: return "true, false or null";
	}
}

/* ---- Label Studio ---------------------------------------------------- */

/*
 * The labeler of a Label Studio annotation: --labeler; else --map-users
 * for the user's id or email; else the local part of the email, up to
 * its last '@' (older exports and accord's own write the user as an
 * object; accord's as NAME@accord.invalid).  A bare id with
 * no mapping names nobody: NULL with *why.
 */
static char *
ls_labeler(const struct interop *x, const json_t *by, char **why)
{
	char idbuf[32];
	const char *id, *email = NULL, *m;

	if (x->o->labeler != NULL)
		return xstrdup(x->o->labeler);
	if (json_is_object(by)) {
		email = jstr(by, "email");
		id = jscalar(json_object_get(by, "id"), idbuf, sizeof idbuf);
	} else
		id = jscalar(by, idbuf, sizeof idbuf);
	if ((m = interop_user(x, email)) != NULL ||
	    (m = interop_user(x, id)) != NULL)
		return xstrdup(m);
	/* The domain holds no '@'; a quoted local part may. */
	if (email != NULL && *email != '\0' && *email != '@')
		return strchr(email, '@') == NULL ? xstrdup(email) :
		    strndup(email, (size_t)(strrchr(email, '@') - email));
	if (id == NULL) {
		acc_error(why, "annotation has no completed_by");
		return NULL;
	}
	acc_error(why, "annotator %s is named only by id; give --map-users "
	    "FILE (user,labeler) or --labeler NAME", id);
	return NULL;
}

/* The media key a result points at ("$image" -> "image"), or NULL. */
static const char *
ls_media(const json_t *task, const json_t *results)
{
	static const char *const keys[] = { "image", "audio", "path", "url",
	    NULL };
	const json_t *data = json_object_get(task, "data");
	const char *key, *src;
	json_t *v, *r;
	size_t i;
	int k, nstr = 0;
	const char *only = NULL;

	json_array_foreach(results, i, r)
		if ((src = jstr(r, "source")) != NULL && src[0] == '$' &&
		    (key = jstr(data, src + 1)) != NULL)
			return key;
	for (k = 0; keys[k] != NULL; k++)
		if ((key = jstr(data, keys[k])) != NULL)
			return key;
	json_object_foreach((json_t *)data, src, v)
		if (json_is_string(v) && strcmp(src, "sha256") != 0) {
			nstr++;
			only = json_string_value(v);
		}
	return nstr == 1 ? only : NULL;
}

/*
 * The one class of an annotation's "choices" results into *cls: 1, or 0
 * when it has no choice (an empty annotation), or -1 with *why.
 */
static int
ls_choice(const json_t *results, const char **cls, char **why)
{
	const char *from = NULL, *other = NULL;
	json_t *r, *choices;
	size_t i, n = 0;

	*cls = NULL;
	json_array_foreach(results, i, r) {
		const char *type = jstr(r, "type"), *fn = jstr(r, "from_name");

		if (type == NULL || strcmp(type, "choices") != 0) {
			if (other == NULL)
				other = type != NULL ? type : "?";
			continue;
		}
		if (from != NULL && fn != NULL && strcmp(from, fn) != 0)
			return acc_error(why, "choices from two controls (%s, "
			    "%s): accord keeps one class per labeler", from, fn);
		from = fn;
		choices = json_object_get(json_object_get(r, "value"),
		    "choices");
		if (!json_is_array(choices))
			return acc_error(why, "a choices result without "
			    "value.choices");
		n += json_array_size(choices);
		if (json_array_size(choices) > 0)
			*cls = json_string_value(json_array_get(choices, 0));
	}
	if (n > 1)
		return acc_error(why, "%zu choices in one annotation: accord "
		    "keeps one class per labeler", n);
	if (n == 1 && *cls == NULL)
		return acc_error(why, "a choice that is not a string");
	if (n == 0 && other != NULL)
		return acc_error(why, "no choices result (only %s): accord "
		    "imports classifications", other);
	return n == 1;
}

/*
 * A textarea result's text as the row's note (lines joined by newlines):
 * where a Label Studio labeling config asks for a comment beside the
 * choice, and where accord's notes go on the way out.
 */
static void
ls_note(struct record *r, const json_t *results)
{
	struct buf b = { 0 };
	json_t *res, *t;
	size_t i, j;
	const char *type;

	json_array_foreach(results, i, res) {
		if ((type = jstr(res, "type")) == NULL ||
		    strcmp(type, "textarea") != 0)
			continue;
		json_array_foreach(json_object_get(json_object_get(res,
		    "value"), "text"), j, t)
			if (json_is_string(t))
				buf_printf(&b, "%s%s", b.len ? "\n" : "",
				    json_string_value(t));
	}
	interop_put(r, "note", b.s);
	buf_free(&b);
}

static void
ls_annotation(struct interop *x, const json_t *task, const json_t *a,
    const char *where)
{
	const json_t *results = json_object_get(a, "result");
	const char *cls, *media, *sha;
	struct record *r;
	char *why = NULL, *who, secs[32];
	int k;

	if (json_is_true(json_object_get(a, "was_cancelled"))) {
		x->skipped++;
		return;
	}
	if (!json_is_array(results)) {
		interop_bad(x, where, "annotation has no result array");
		return;
	}
	if ((k = ls_choice(results, &cls, &why)) <= 0) {
		if (k < 0) {
			interop_bad(x, where, "%s", why);
			free(why);
		} else
			x->skipped++;
		return;
	}
	sha = jstr(json_object_get(task, "data"), "sha256");
	if ((media = ls_media(task, results)) == NULL && sha == NULL) {
		interop_bad(x, where, "task data names no media (image, audio "
		    "or path)");
		return;
	}
	if ((who = ls_labeler(x, json_object_get(a, "completed_by"),
	    &why)) == NULL) {
		interop_bad(x, where, "%s", why);
		free(why);
		return;
	}
	r = interop_row(x, xstrdup(where));
	if (media != NULL)
		interop_media(r, media);
	interop_put(r, "sha256", sha);
	interop_put(r, "labeler", who);
	interop_put(r, "class", cls);
	ls_note(r, results);
	if (json_is_number(json_object_get(a, "lead_time"))) {
		snprintf(secs, sizeof secs, "%.3f",
		    json_number_value(json_object_get(a, "lead_time")));
		interop_put(r, "seconds", secs);
	}
	interop_put(r, "time", jstr(a, "created_at"));
	if (json_is_true(json_object_get(a, "ground_truth")))
		interop_put(r, "gold", "1");
	free(who);
}

static void
ls_task(struct interop *x, const json_t *task, size_t index)
{
	const json_t *anns = json_object_get(task, "annotations"), *a;
	char idbuf[32], *where;
	const char *id = jscalar(json_object_get(task, "id"), idbuf,
	    sizeof idbuf);
	size_t i;

	if (id == NULL) {
		snprintf(idbuf, sizeof idbuf, "#%zu", index + 1);
		id = idbuf;
	}
	if (!json_is_object(task) ||
	    !json_is_object(json_object_get(task, "data"))) {
		where = xasprintf("%s:task %s", x->file, id);
		/* JSON-MIN flattens a task to its data and one value per
		 * control, losing which key holds the choice. */
		if (json_object_get(task, "annotator") != NULL ||
		    json_object_get(task, "annotation_id") != NULL)
			interop_bad(x, where, "a JSON-MIN export: export the "
			    "project as JSON (the full format)");
		else
			interop_bad(x, where, "not a Label Studio task (no "
			    "data object)");
		free(where);
		return;
	}
	/* A task nobody annotated carries no label; predictions are a
	 * model's, not a labeler's, and are not imported. */
	if (anns == NULL || json_is_null(anns))
		return;
	if (!json_is_array(anns)) {
		where = xasprintf("%s:task %s", x->file, id);
		interop_bad(x, where, "annotations is %s, not an array",
		    json_type_name(anns));
		free(where);
		return;
	}
	json_array_foreach(anns, i, a) {
		char abuf[32];
		const char *aid = jscalar(json_object_get(a, "id"), abuf,
		    sizeof abuf);

		where = aid != NULL ?
		    xasprintf("%s:task %s, annotation %s", x->file, id, aid) :
		    xasprintf("%s:task %s, annotation #%zu", x->file, id, i + 1);
		if (!json_is_object(a))
			interop_bad(x, where, "annotation is %s, not an object",
			    json_type_name(a));
		else
			ls_annotation(x, task, a, where);
		free(where);
	}
}

int
labels_read_label_studio(struct interop *x, const unsigned char *data,
    size_t len, char **cause)
{
	json_error_t e;
	json_t *root, *task;
	size_t i;

	root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &e);
	if (root == NULL)
		return acc_error(cause, "line %d, column %d: %s", e.line,
		    e.column, e.text);
	if (json_is_object(root))
		ls_task(x, root, 0);
	else if (json_is_array(root)) {
		json_array_foreach(root, i, task)
			ls_task(x, task, i);
	} else {
		acc_error(cause, "not a Label Studio JSON export (an array "
		    "of tasks): the file holds %s", json_type_name(root));
		json_decref(root);
		return -1;
	}
	json_decref(root);
	return 0;
}

/* ---- JSON Lines (Prodigy, doccano) ----------------------------------- */

/*
 * Calls fn with each non-blank line's object and "FILE:LINE"; a line that
 * does not parse as an object is reported and counted.
 */
static void
each_object(struct interop *x, const unsigned char *data, size_t len,
    void (*fn)(struct interop *, const json_t *, const char *))
{
	size_t at = 0;
	int lineno = 0;

	while (at < len) {
		const unsigned char *nl = memchr(data + at, '\n', len - at);
		size_t end = nl != NULL ? (size_t)(nl - data) : len, k;
		json_error_t e;
		json_t *o;
		char *where;

		lineno++;
		for (k = at; k < end && isspace(data[k]); k++)
			;
		if (k == end) {
			at = end + 1;
			continue;
		}
		where = xasprintf("%s:%d", x->file, lineno);
		o = json_loadb((const char *)data + at, end - at,
		    JSON_REJECT_DUPLICATES, &e);
		if (o == NULL)
			interop_bad(x, where, "column %d: %s", e.column, e.text);
		else if (!json_is_object(o))
			interop_bad(x, where, "%s, not a JSON object",
			    json_type_name(o));
		else
			fn(x, o, where);
		json_decref(o);
		free(where);
		at = end + 1;
	}
}

/* ---- Prodigy ----------------------------------------------------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * The sha256 of a data: URI's base64 bytes into sha (Prodigy inlines
 * images so unless told --remove-base64).  0, or -1 if it is not one.
 */
static int
data_uri_sha(const char *uri, char sha[65])
{
	const char *p = strstr(uri, ";base64,");
	unsigned char *out;
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;

	if (strncmp(uri, "data:", 5) != 0 || p == NULL)
		return -1;
	out = xmalloc(strlen(p) / 4 * 3 + 3);
	for (p += 8; *p != '\0' && *p != '='; p++) {
		const char *c = strchr(b64, *p);

		if (c == NULL || *p == '\0') {
			if (isspace((unsigned char)*p))
				continue;
			free(out);
			return -1;
		}
		acc = acc << 6 | (unsigned)(c - b64);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	acc_sha256_hex(out, n, sha);
	free(out);
	return 0;
}

/*
 * The media of a Prodigy task: `path` (Prodigy's image and audio loaders
 * keep the file's path there), else `image`/`audio`/`video` unless inline
 * data (then its sha256), else meta.file / meta.path.
 */
static int
prodigy_media(struct record *r, const json_t *o)
{
	static const char *const keys[] = { "image", "audio", "video", NULL };
	const json_t *meta = json_object_get(o, "meta");
	const char *m = jstr(o, "path");
	char sha[65];
	int k;

	for (k = 0; m == NULL && keys[k] != NULL; k++)
		if ((m = jstr(o, keys[k])) != NULL &&
		    strncmp(m, "data:", 5) == 0) {
			if (data_uri_sha(m, sha) == 0) {
				interop_put(r, "sha256", sha);
				return 0;
			}
			m = NULL;
		}
	if (m == NULL && (m = jstr(meta, "file")) == NULL)
		m = jstr(meta, "path");
	if (m == NULL)
		return -1;
	interop_media(r, m);
	return 0;
}

/*
 * The labeler of a Prodigy answer: --labeler; else --map-users for its
 * _annotator_id or _session_id; else the session name, the part of
 * _annotator_id (or _session_id) after its last '-' (Prodigy writes
 * "DATASET-SESSION").
 */
static const char *
prodigy_labeler(const struct interop *x, const json_t *o)
{
	const char *id = jstr(o, "_annotator_id"), *sess = jstr(o, "_session_id");
	const char *m, *dash;

	if (x->o->labeler != NULL)
		return x->o->labeler;
	if ((m = interop_user(x, id)) != NULL ||
	    (m = interop_user(x, sess)) != NULL)
		return m;
	if (id == NULL)
		id = sess;
	if (id == NULL || *id == '\0')
		return NULL;
	dash = strrchr(id, '-');
	return dash != NULL && dash[1] != '\0' ? dash + 1 : id;
}

/* The class of a project of two classes (bar the borderline one) that is
 * not `not`, or NULL. */
static const char *
other_class(const struct project *p, const char *not)
{
	const char *other = NULL;
	int i, n = 0;

	for (i = 0; i < p->nclasses; i++) {
		if (p->classes[i].borderline)
			continue;
		n++;
		if (strcmp(p->classes[i].name, not) != 0)
			other = p->classes[i].name;
	}
	return n == 2 && project_class(p, not) != NULL ? other : NULL;
}

/*
 * The class a choice answer accepted: the accepted option's id when it
 * names a class, else the option's text.  NULL with *why.
 */
static const char *
prodigy_choice(const struct interop *x, const json_t *o, int *none,
    char **why)
{
	const json_t *accept = json_object_get(o, "accept"), *opt;
	char buf[32];
	const char *id;
	size_t i;

	*none = 0;
	if (json_array_size(accept) == 0) {
		*none = 1;
		return NULL;
	}
	if (json_array_size(accept) > 1) {
		acc_error(why, "%zu options accepted: accord keeps one class "
		    "per labeler", json_array_size(accept));
		return NULL;
	}
	if ((id = jscalar(json_array_get(accept, 0), buf, sizeof buf)) ==
	    NULL) {
		acc_error(why, "accept holds %s, not an option id",
		    json_type_name(json_array_get(accept, 0)));
		return NULL;
	}
	if (project_class(x->p, id) != NULL)
		return project_class(x->p, id)->name;
	json_array_foreach(json_object_get(o, "options"), i, opt) {
		char ob[32];
		const char *oid = jscalar(json_object_get(opt, "id"), ob,
		    sizeof ob);

		if (oid != NULL && strcmp(oid, id) == 0 &&
		    jstr(opt, "text") != NULL)
			return jstr(opt, "text");
	}
	acc_error(why, "accepted option '%s' is not a class of this project "
	    "and no option of that id has a text", id);
	return NULL;
}

static void
prodigy_task(struct interop *x, const json_t *o, const char *where)
{
	const char *answer = jstr(o, "answer"), *cls = NULL, *who;
	json_t *ts = json_object_get(o, "_timestamp");
	struct record *r;
	char *why = NULL, when[32];
	int none;

	if (answer == NULL) {
		interop_bad(x, where, "no answer (accept, reject or ignore): "
		    "not an annotated Prodigy task");
		return;
	}
	if (strcmp(answer, "ignore") == 0) {
		x->skipped++;
		return;
	}
	if (strcmp(answer, "accept") != 0 && strcmp(answer, "reject") != 0) {
		interop_bad(x, where, "answer '%s' is not accept, reject or "
		    "ignore", answer);
		return;
	}
	if (json_object_get(o, "accept") != NULL ||
	    json_object_get(o, "options") != NULL) {
		/* A choice task: reject turns the whole question down and
		 * names no class. */
		if (strcmp(answer, "reject") == 0) {
			x->skipped++;
			return;
		}
		if ((cls = prodigy_choice(x, o, &none, &why)) == NULL) {
			if (none)
				x->skipped++;
			else {
				interop_bad(x, where, "%s", why);
				free(why);
			}
			return;
		}
	} else if ((cls = jstr(o, "label")) == NULL) {
		interop_bad(x, where, "neither a label (binary task) nor "
		    "accept/options (choice task)");
		return;
	} else if (strcmp(answer, "reject") == 0 &&
	    (cls = other_class(x->p, cls)) == NULL) {
		/* "Not LABEL" is a class only in a project of two. */
		x->skipped++;
		return;
	}
	if ((who = prodigy_labeler(x, o)) == NULL) {
		interop_bad(x, where, "no _annotator_id or _session_id; give "
		    "--labeler NAME");
		return;
	}
	r = interop_row(x, xstrdup(where));
	if (prodigy_media(r, o) != 0) {
		x->n--;
		record_free(r);
		free(x->rows[x->n].where);
		interop_bad(x, where, "no path, image, audio or meta.file "
		    "names the media");
		return;
	}
	interop_put(r, "labeler", who);
	interop_put(r, "class", cls);
	if (json_is_number(ts)) {
		interop_time(json_number_value(ts), when);
		interop_put(r, "time", when);
	}
}

/* ---- doccano ----------------------------------------------------------- */

/*
 * doccano exports one JSONL file per user, named after the user, unless
 * annotations are shared (all.jsonl): the labeler is --labeler, else that
 * name, through --map-users.
 */
static char *
doccano_labeler(const struct interop *x)
{
	const char *b = base_name(x->file), *m;
	char *name;

	if (x->o->labeler != NULL)
		return xstrdup(x->o->labeler);
	name = strndup(b, strcspn(b, "."));
	if ((m = interop_user(x, name)) != NULL) {
		free(name);
		return xstrdup(m);
	}
	if (*name == '\0' || strcmp(name, "all") == 0) {
		free(name);
		return NULL;
	}
	return name;
}

static void
doccano_record(struct interop *x, const json_t *o, const char *where)
{
	const json_t *label = json_object_get(o, "label");
	const char *file = jstr(o, "filename"), *cls;
	struct record *r;
	char *who;

	if (file == NULL) {
		interop_bad(x, where, jstr(o, "text") != NULL ?
		    "a text record (no filename): accord labels media files" :
		    "no filename");
		return;
	}
	if (json_is_string(label))
		cls = json_string_value(label);
	else if (!json_is_array(label)) {
		interop_bad(x, where, "label is %s, not a list of classes",
		    label == NULL ? "missing" : json_type_name(label));
		return;
	} else if (json_array_size(label) == 0) {
		x->skipped++;
		return;
	} else if (json_array_size(label) > 1) {
		interop_bad(x, where, "%zu labels: accord keeps one class per "
		    "labeler", json_array_size(label));
		return;
	} else if ((cls = json_string_value(json_array_get(label, 0))) ==
	    NULL) {
		interop_bad(x, where, "label holds %s, not a class name "
		    "(a sequence-labeling export?)",
		    json_type_name(json_array_get(label, 0)));
		return;
	}
	if ((who = doccano_labeler(x)) == NULL) {
		interop_bad(x, where, "the file names no user (doccano names "
		    "each user's export after the user); give --labeler NAME");
		return;
	}
	r = interop_row(x, xstrdup(where));
	interop_media(r, file);
	interop_put(r, "labeler", who);
	interop_put(r, "class", cls);
	free(who);
}

void
labels_read_lines(struct interop *x, const unsigned char *data, size_t len,
    enum labels_format f)
{
	each_object(x, data, len, f == LABELS_PRODIGY ? prodigy_task :
	    doccano_record);
}
