/*
 * project.c: creating a project (settings, classes, first guideline and
 * admin), loading it, and reading guideline versions (members and roles:
 * member.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/config.h"
#include "accord/project.h"
#include "internal.h"
#include "sqlutil.h"

/* A class name: printable, no separators the CLI and CSVs rely on. */
static int
class_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c == 0x7f || c == ',' || c == ':' || c == '"')
			return 0;
	}
	return 1;
}

struct parsed_class {
	char *name;
	char key;
	int borderline;
};

static void
parsed_free(struct parsed_class *pc, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(pc[i].name);
	free(pc);
}

/*
 * The --classes list "ok,scratch:s,dent" into *pc, *n (names and the keys
 * given).  On failure returns -1 with *cause; what *pc holds then, *n
 * entries, is the caller's to free.
 */
static int
classes_split(const char *p, struct parsed_class **pc, int *n, char **cause)
{
	for (;;) {
		const char *end = strchr(p, ','), *colon;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct parsed_class *c;

		colon = memchr(p, ':', len);
		if (*n == PROJECT_MAX_CLASSES)
			return acc_error(cause, "more than %d classes",
			    PROJECT_MAX_CLASSES);
		*pc = xreallocarray(*pc, (size_t)*n + 1, sizeof **pc);
		c = &(*pc)[(*n)++];
		memset(c, 0, sizeof *c);
		if (colon != NULL) {
			size_t klen = len - (size_t)(colon - p) - 1;

			c->name = xstrndup(p, (size_t)(colon - p));
			if (klen != 1 || !isalnum((unsigned char)colon[1]))
				return acc_error(cause, "class %s: a key is "
				    "one letter or digit (name:key)",
				    c->name);
			c->key = colon[1];
		} else
			c->name = xstrndup(p, len);
		if (!class_name_ok(c->name, strlen(c->name)))
			return acc_error(cause, "bad class name '%s' (1-64 "
			    "printable characters, no spaces, commas, colons "
			    "or quotes)", c->name);
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/*
 * Marks spec->borderline in the list, appending it when it is not listed
 * (not allowed with --ordinal, where it must sit inside the scale); it
 * always has key b.  Returns 0, or -1 with *cause (*pc, *n still the
 * caller's to free).
 */
static int
classes_borderline(const struct project_spec *spec, struct parsed_class **pc,
    int *n, char **cause)
{
	int i, bpos = -1;

	for (i = 0; i < *n; i++)
		if (strcmp((*pc)[i].name, spec->borderline) == 0)
			bpos = i;
	if (bpos == -1) {
		if (spec->ordinal)
			return acc_error(cause, "with --ordinal, list the "
			    "borderline class in --classes where it sits on "
			    "the scale (e.g. ok,%s,defect)", spec->borderline);
		*pc = xreallocarray(*pc, (size_t)*n + 1, sizeof **pc);
		bpos = (*n)++;
		memset(&(*pc)[bpos], 0, sizeof (*pc)[bpos]);
		(*pc)[bpos].name = xstrdup(spec->borderline);
		if (!class_name_ok((*pc)[bpos].name, strlen((*pc)[bpos].name)))
			return acc_error(cause, "bad borderline class name "
			    "'%s'", (*pc)[bpos].name);
	} else if (spec->ordinal && (bpos == 0 || bpos == *n - 1))
		return acc_error(cause, "with --ordinal the borderline class "
		    "%s must sit between two classes, not at an end",
		    spec->borderline);
	if ((*pc)[bpos].key != '\0' && (*pc)[bpos].key != 'b')
		return acc_error(cause, "the borderline class %s always has "
		    "key b", (*pc)[bpos].name);
	(*pc)[bpos].borderline = 1;
	(*pc)[bpos].key = 'b';
	return 0;
}

/*
 * Refuses a key an action takes; then gives the classes without a key the
 * digits 1..9, 0 in order, skipping digits already given explicitly.
 * Returns 0, or -1 with *cause.
 */
static int
classes_assign_keys(struct parsed_class *pc, int n, char **cause)
{
	int i, j, digit = 1;

	for (i = 0; i < n; i++)
		if (!pc[i].borderline && pc[i].key != '\0' &&
		    strchr(PROJECT_RESERVED_KEYS, pc[i].key) != NULL)
			return acc_error(cause, "class %s: key %c is taken by "
			    "an action (reserved: %s)", pc[i].name, pc[i].key,
			    PROJECT_RESERVED_KEYS);
	for (i = 0; i < n; i++) {
		if (pc[i].key != '\0')
			continue;
		for (;;) {
			char d = (char)('0' + digit % 10);
			int used = 0;

			if (digit > 10)
				return acc_error(cause, "more than ten classes "
				    "without keys: give the rest a letter "
				    "(name:key)");
			for (j = 0; j < n; j++)
				if (pc[j].key == d)
					used = 1;
			digit++;
			if (!used) {
				pc[i].key = d;
				break;
			}
		}
	}
	return 0;
}

/* No name and no key twice.  Returns 0, or -1 with *cause. */
static int
classes_check_unique(const struct parsed_class *pc, int n, char **cause)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (strcmp(pc[i].name, pc[j].name) == 0)
				return acc_error(cause, "class %s is listed "
				    "twice", pc[i].name);
			if (pc[i].key == pc[j].key)
				return acc_error(cause, "classes %s and %s "
				    "share key %c", pc[i].name, pc[j].name,
				    pc[i].key);
		}
	return 0;
}

/*
 * Parse "ok,scratch:s,dent" plus the borderline name into an ordered list
 * with keys.  Classes without a key get digits 1..9, 0 in order; the
 * borderline class gets 'b'.
 */
static int
parse_classes(const struct project_spec *spec, struct parsed_class **out,
    int *nout, char **cause)
{
	struct parsed_class *pc = NULL;
	int n = 0;

	if (spec->classes == NULL || *spec->classes == '\0')
		return acc_error(cause, "--classes is required (e.g. "
		    "ok,scratch,dent)");
	if (classes_split(spec->classes, &pc, &n, cause) != 0 ||
	    (spec->borderline != NULL &&
	    classes_borderline(spec, &pc, &n, cause) != 0))
		goto fail;
	if (n < 2) {
		acc_error(cause, "a project needs at least two classes");
		goto fail;
	}
	if (classes_assign_keys(pc, n, cause) != 0 ||
	    classes_check_unique(pc, n, cause) != 0)
		goto fail;
	*out = pc;
	*nout = n;
	return 0;
fail:
	parsed_free(pc, n);
	return -1;
}

char *
guideline_class_section(const char *text, const char *name)
{
	const char *p = text, *body = NULL;
	size_t nlen = strlen(name);
	struct buf b = { 0 };

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (body != NULL && len > 0 && p[0] == '#')
			break;
		if (body == NULL && len >= 3 && strncmp(p, "## ", 3) == 0) {
			const char *h = p + 3;
			size_t hl = len - 3;

			while (hl > 0 && (h[hl - 1] == ' ' || h[hl - 1] == '\r'))
				hl--;
			while (hl > 0 && *h == ' ')
				h++, hl--;
			if (hl == nlen && strncmp(h, name, nlen) == 0)
				body = eol ? eol + 1 : p + len;
		} else if (body != NULL)
			buf_add(&b, p, eol ? len + 1 : len);
		p = eol ? eol + 1 : p + len;
	}
	if (body == NULL)
		return NULL;
	if (b.s == NULL)
		return xstrdup("");
	/* Trim surrounding blank lines and spaces. */
	while (b.len > 0 && isspace((unsigned char)b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	{
		size_t lead = strspn(b.s, " \t\r\n");
		char *t = xstrdup(b.s + lead);

		buf_free(&b);
		return t;
	}
}

static int
setting_put(struct store *st, const char *user, const char *now,
    const char *key, const char *value, char **cause)
{
	const struct sql_arg a[] = { SQL_TEXT(key), SQL_TEXT(value),
	    SQL_TEXT(user), SQL_TEXT(now) };

	return SQL_WRITE(st, "INSERT INTO settings (key, value, set_by, "
	    "set_at) VALUES (?, ?, ?, ?)", a, cause);
}

static char *
default_guideline(const struct project_spec *spec, struct parsed_class *pc,
    int n)
{
	struct buf b = { 0 };
	int i;

	buf_printf(&b, "# %s\n\nLabel each %s with one class.\n", spec->task,
	    spec->media == MEDIA_KIND_AUDIO ? "clip" : "image");
	for (i = 0; i < n; i++)
		buf_printf(&b, "\n## %s\n\n%s\n", pc[i].name, pc[i].borderline ?
		    "Use when the item could reasonably be either neighbouring "
		    "class; add a note saying why." : "(not yet described)");
	return b.s;
}

/*
 * The project's first settings: task, media, overlap, ordinal, show-paths,
 * gold-rate.  A new project hides paths from labelers (a class-named folder
 * gives the answer away); the row is written here, not by a migration, so a
 * store made before the setting keeps showing paths (config.c).
 */
static int
init_settings(struct store *st, const struct project_spec *spec,
    const char *user, const char *now, char **cause)
{
	char num[32], *rate;
	int r;

	snprintf(num, sizeof num, "%d", spec->overlap);
	if (setting_put(st, user, now, "task", spec->task, cause) != 0 ||
	    setting_put(st, user, now, "media", media_kind_name(spec->media),
	    cause) != 0 ||
	    setting_put(st, user, now, "overlap", num, cause) != 0 ||
	    setting_put(st, user, now, "ordinal", spec->ordinal ? "1" : "0",
	    cause) != 0 ||
	    setting_put(st, user, now, "show-paths", CONFIG_SHOW_PATHS_NEW,
	    cause) != 0)
		return -1;
	if (spec->gold_rate == NULL)
		return 0;
	if (config_check("gold-rate", spec->gold_rate, &rate, cause) != 0)
		return -1;
	r = setting_put(st, user, now, "gold-rate", rate, cause);
	free(rate);
	return r;
}

/* Guideline version 1 (text), and the classes with their sections of it. */
static int
init_guideline(struct store *st, const struct parsed_class *pc, int n,
    const char *text, const char *user, const char *now, char **cause)
{
	struct sql_stmt *s = NULL, *g = NULL;
	const struct sql_arg a[] = { SQL_TEXT(text), SQL_TEXT(user),
	    SQL_TEXT(now) };
	int i, r = -1;

	if (SQL_WRITE(st, "INSERT INTO guidelines (version, text, author, "
	    "created_at, reason) VALUES (1, ?, ?, ?, 'initial definitions')",
	    a, cause) != 0)
		return -1;
	if (sql_prepare(st, "INSERT INTO classes (name, key, position, "
	    "is_borderline) VALUES (?, ?, ?, ?)", &s, cause) != 0 ||
	    sql_prepare(st, "INSERT INTO guideline_classes (version, class, "
	    "description) VALUES (1, (SELECT id FROM classes WHERE name = ?2), ?1)", &g, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		char key[2] = { pc[i].key, '\0' };
		char *desc = guideline_class_section(text, pc[i].name);

		sql_bind_text(s, 1, pc[i].name);
		sql_bind_text(s, 2, key);
		sql_bind_int(s, 3, i);
		sql_bind_int(s, 4, pc[i].borderline);
		sql_bind_text(g, 1, desc ? desc : "");
		sql_bind_text(g, 2, pc[i].name);
		free(desc);
		if (sql_step_done(st, s, cause) != 0 ||
		    sql_step_done(st, g, cause) != 0)
			goto out;
	}
	r = 0;
out:
	sql_finalize(st, s);
	sql_finalize(st, g);
	return r;
}

/* The creating user as the first admin, and the audit rows of both. */
static int
init_admin(struct store *st, const struct project_spec *spec,
    const char *user, const char *now, char **cause)
{
	const struct sql_arg a[] = { SQL_TEXT(user), SQL_TEXT(user),
	    SQL_TEXT(now) };
	char *detail;
	int r;

	if (SQL_WRITE(st, "INSERT INTO members (\"user\", role, active, "
	    "changed_by, changed_at) VALUES (?, 'admin', 1, ?, ?)", a,
	    cause) != 0)
		return -1;
	detail = xasprintf("task=%s media=%s classes=%s borderline=%s "
	    "ordinal=%d overlap=%d", spec->task, media_kind_name(spec->media),
	    spec->classes, spec->borderline ? spec->borderline : "",
	    spec->ordinal, spec->overlap);
	r = store_audit(st, user, "init", detail, cause);
	free(detail);
	if (r == 0)
		r = store_audit(st, user, "member add", "admin", cause);
	return r;
}

static int
init_rows(struct store *st, const struct project_spec *spec,
    struct parsed_class *pc, int n, const char *text, const char *user,
    char **cause)
{
	char now[32];

	acc_now_iso(now);
	if (init_settings(st, spec, user, now, cause) != 0 ||
	    init_guideline(st, pc, n, text, user, now, cause) != 0 ||
	    init_admin(st, spec, user, now, cause) != 0)
		return -1;
	return 0;
}

int
project_init(const char *path, const struct project_spec *spec,
    const char *user, char **cause)
{
	struct parsed_class *pc = NULL;
	struct store *st;
	char *text;
	int n = 0;

	if (user == NULL)
		return acc_error(cause, "cannot tell which OS user is running "
		    "accord");
	if (spec->task == NULL || *spec->task == '\0')
		return acc_error(cause, "--task is required");
	if (spec->media != MEDIA_KIND_IMAGE && spec->media != MEDIA_KIND_AUDIO)
		return acc_error(cause, "--media must be image or audio");
	if (spec->overlap < 1 || spec->overlap > 100)
		return acc_error(cause, "--overlap must be 1 to 100");
	if (spec->gold_rate != NULL) {
		char *rate;

		if (config_check("gold-rate", spec->gold_rate, &rate, cause) != 0)
			return -1;
		free(rate);
	}
	if (parse_classes(spec, &pc, &n, cause) != 0)
		return -1;
	text = spec->guideline_text ? xstrdup(spec->guideline_text) :
	    default_guideline(spec, pc, n);
	if (store_create(path, STORE_SCHEMA_VERSION, &st, cause) != 0) {
		free(text);
		parsed_free(pc, n);
		return -1;
	}
	if (store_begin(st, 1, cause) != 0 ||
	    init_rows(st, spec, pc, n, text, user, cause) != 0 ||
	    store_commit(st, cause) != 0) {
		store_discard(st);
		free(text);
		parsed_free(pc, n);
		return -1;
	}
	store_close(st);
	free(text);
	parsed_free(pc, n);
	return 0;
}

static char *
setting_get(struct store *st, const char *key, char **cause)
{
	struct sql_stmt *s;
	char *v = NULL;
	int rc;

	if (sql_prepare(st, "SELECT value FROM settings WHERE key = ? "
	    "ORDER BY id DESC LIMIT 1", &s, cause) != 0)
		return NULL;
	sql_bind_text(s, 1, key);
	rc = sql_next(st, s, cause);
	if (rc == 1)
		v = xstrdup(sql_text(s, 0));
	else if (rc == 0)
		acc_error(cause, "store has no setting %s", key);
	sql_finalize(st, s);
	return v;
}

int
project_setting_int(struct store *st, const char *key, int *v,
    char **cause)
{
	char *t;

	if ((t = setting_get(st, key, cause)) == NULL)
		return -1;
	*v = atoi(t);
	free(t);
	return 0;
}

int
project_load(struct store *st, struct project *p, char **cause)
{
	struct sql_stmt *s;
	char *v;
	long long n;
	int rc;

	memset(p, 0, sizeof *p);
	if ((p->task = setting_get(st, "task", cause)) == NULL)
		goto fail;
	if ((v = setting_get(st, "media", cause)) == NULL)
		goto fail;
	p->media = media_kind_from_name(v);
	free(v);
	if ((v = setting_get(st, "overlap", cause)) == NULL)
		goto fail;
	p->overlap = atoi(v);
	free(v);
	if ((v = setting_get(st, "ordinal", cause)) == NULL)
		goto fail;
	p->ordinal = atoi(v);
	free(v);
	if (sql_int(st, "SELECT max(version) FROM guidelines", NULL, &n,
	    cause) != 1)
		goto fail;
	p->guideline = (int)n;
	if (sql_prepare(st, "SELECT c.id, c.name, c.key, c.position, "
	    "c.is_borderline, coalesce(g.description, '') FROM classes c "
	    "LEFT JOIN guideline_classes g ON g.class = c.id AND g.version = "
	    "(SELECT max(version) FROM guideline_classes WHERE class = c.id) "
	    "ORDER BY c.position", &s, cause) != 0)
		goto fail;
	while ((rc = sql_step(s)) == SQL_ROW) {
		struct class_def *c;

		p->classes = xreallocarray(p->classes, (size_t)p->nclasses + 1,
		    sizeof *p->classes);
		c = &p->classes[p->nclasses++];
		c->id = sql_col_int(s, 0);
		c->name = xstrdup(sql_text(s, 1));
		c->key = sql_text(s, 2)[0];
		c->position = sql_col_int(s, 3);
		c->borderline = sql_col_int(s, 4);
		c->description = xstrdup(sql_text(s, 5));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		sql_fail(st, cause, "cannot read classes");
		goto fail;
	}
	return 0;
fail:
	project_free(p);
	return -1;
}

void
project_free(struct project *p)
{
	int i;

	for (i = 0; i < p->nclasses; i++) {
		free(p->classes[i].name);
		free(p->classes[i].description);
	}
	free(p->classes);
	free(p->task);
	memset(p, 0, sizeof *p);
}

const struct class_def *
project_class(const struct project *p, const char *name)
{
	int i;

	for (i = 0; i < p->nclasses; i++)
		if (strcmp(p->classes[i].name, name) == 0)
			return &p->classes[i];
	return NULL;
}

const struct class_def *
project_class_by_id(const struct project *p, int id)
{
	int i;

	for (i = 0; i < p->nclasses; i++)
		if (p->classes[i].id == id)
			return &p->classes[i];
	return NULL;
}

int
guideline_text(struct store *st, int version, char **text, int *got_version,
    char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, version > 0 ?
	    "SELECT version, text FROM guidelines WHERE version = ?" :
	    "SELECT version, text FROM guidelines ORDER BY version DESC "
	    "LIMIT 1", &s, cause) != 0)
		return -1;
	if (version > 0)
		sql_bind_int(s, 1, version);
	if ((rc = sql_next(st, s, cause)) != 1) {
		sql_finalize(st, s);
		return rc < 0 ? -1 : acc_error(cause, "no guideline version %d",
		    version);
	}
	*got_version = sql_col_int(s, 0);
	*text = xstrdup(sql_text(s, 1));
	sql_finalize(st, s);
	return 0;
}
