/*
 * adjudicate.c: what SMEs decide about an item (adjudications), the
 * comment threads, gold items, and naming an item on the command line.
 *
 * Every write is one BEGIN IMMEDIATE transaction that checks the role
 * inside it (so the check and the write see the same membership) and only
 * appends rows; the triggers of schema 2 refuse UPDATE and DELETE on these
 * tables anyway.  Rows carry the guideline version in force when written,
 * so "sent back under v2" and "decided under v1" stay distinguishable.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "internal.h"
#include "sqlutil.h"

#define NOTE_MAX_BYTES 4096
#define COMMENT_MAX_BYTES 16384

/* BEGIN IMMEDIATE and require sme or admin (project_begin). */
static int
begin_sme(struct store *st, const char *user, const char *what, char **cause)
{
	return project_begin(st, user, ROLE_SME, what, cause);
}

static int
finish(struct store *st, int r, char **cause)
{
	if (r == 0 && store_commit(st, cause) == 0)
		return 0;
	store_rollback(st);
	return -1;
}

static int
exists(struct store *st, const char *sql, long long id, const char *what,
    char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, id);
	rc = sql_step(s);
	sql_finalize(st, s);
	if (rc == SQL_ROW)
		return 0;
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read the store");
	return acc_error(cause, "no %s %lld in this project", what, id);
}

static int
item_ok(struct store *st, long long item, char **cause)
{
	return exists(st, "SELECT 1 FROM items WHERE id = ?", item, "item",
	    cause);
}

static int
class_ok(struct store *st, long long cls, char **cause)
{
	return exists(st, "SELECT 1 FROM classes WHERE id = ?", cls, "class",
	    cause);
}

static int
text_ok(const char *what, const char *text, size_t max, int multiline,
    char **cause)
{
	const char *why;

	if (strlen(text) > max)
		return acc_error(cause, "the %s is longer than %zu bytes", what,
		    max);
	if ((why = acc_text_problem(text, multiline)) != NULL)
		return acc_error(cause, "the %s %s", what, why);
	return 0;
}

/* A class id, or NULL for 0 (no class: ambiguous, relabel, gold removed). */
#define CLASS_ARG(cls) \
	{ (cls) > 0 ? SQL_ARG_INT : SQL_ARG_NULL, NULL, (cls), 0.0 }

/* The newest guideline version: what "in force" means for a new row. */
static int
current_version(struct store *st, long long *v, char **cause)
{
	if (sql_int(st, "SELECT max(version) FROM guidelines", NULL, v,
	    cause) != 1)
		return acc_error(cause, "the store has no guideline");
	return 0;
}

/* One adjudications row; cls 0 stores NULL.  Inside the caller's
 * transaction. */
static int
adjudication_put(struct store *st, const char *user, long long item,
    long long cls, const char *status, const char *note, char **cause)
{
	long long v;
	char now[32];
	int r;

	if (note == NULL)
		note = "";
	if (item_ok(st, item, cause) != 0 ||
	    (cls > 0 && class_ok(st, cls, cause) != 0) ||
	    text_ok("note", note, NOTE_MAX_BYTES, 0, cause) != 0 ||
	    current_version(st, &v, cause) != 0)
		return -1;
	acc_now_iso(now);
	{
		const struct sql_arg a[] = { SQL_INT(item), CLASS_ARG(cls),
		    SQL_TEXT(status), SQL_TEXT(user), SQL_TEXT(note),
		    SQL_INT(v), SQL_TEXT(now) };

		r = SQL_WRITE(st, "INSERT INTO adjudications (item, class, "
		    "status, \"user\", note, guideline, created_at) VALUES (?, ?, "
		    "?, ?, ?, ?, ?)", a, cause);
	}
	if (r == 0) {
		char *detail = cls > 0 ? xasprintf("item %lld: class %lld",
		    item, cls) : xasprintf("item %lld: %s", item, status);

		r = store_audit(st, user, "adjudicate", detail, cause);
		free(detail);
	}
	return r;
}

int
adjudicate_class(struct store *st, const char *user, long long item,
    long long cls, const char *note, char **cause)
{
	if (cls <= 0)
		return acc_error(cause, "class %lld is not a class of this "
		    "project", cls);
	if (begin_sme(st, user, "adjudicating", cause) != 0)
		return -1;
	return finish(st, adjudication_put(st, user, item, cls, "class", note,
	    cause), cause);
}

int
adjudicate_ambiguous(struct store *st, const char *user, long long item,
    const char *note, char **cause)
{
	if (begin_sme(st, user, "adjudicating", cause) != 0)
		return -1;
	return finish(st, adjudication_put(st, user, item, 0, "ambiguous",
	    note, cause), cause);
}

int
adjudicate_relabel(struct store *st, const char *user, long long item,
    const char *note, char **cause)
{
	if (begin_sme(st, user, "sending items back for relabeling",
	    cause) != 0)
		return -1;
	return finish(st, adjudication_put(st, user, item, 0, "relabel", note,
	    cause), cause);
}

int
comment_add(struct store *st, const char *user, long long item,
    const char *text, char **cause)
{
	char now[32];
	const struct sql_arg a[] = { SQL_INT(item), SQL_TEXT(user),
	    SQL_TEXT(text), SQL_TEXT(now) };
	int r;

	if (text == NULL || text[strspn(text, " \t\r\n")] == '\0')
		return acc_error(cause, "an empty comment");
	if (begin_sme(st, user, "commenting", cause) != 0)
		return -1;
	if (item_ok(st, item, cause) != 0 ||
	    text_ok("comment", text, COMMENT_MAX_BYTES, 1, cause) != 0)
		return finish(st, -1, cause);
	acc_now_iso(now);
	r = SQL_WRITE(st, "INSERT INTO comments (item, \"user\", text, "
	    "created_at) VALUES (?, ?, ?, ?)", a, cause);
	if (r == 0) {
		char *detail = xasprintf("item %lld", item);

		r = store_audit(st, user, "comment", detail, cause);
		free(detail);
	}
	return finish(st, r, cause);
}

/* The item's gold class in force (0: not gold). */
static int
gold_class(struct store *st, long long item, long long *cls, char **cause)
{
	struct sql_stmt *s;
	int rc;

	*cls = 0;
	if (sql_prepare(st, "SELECT class FROM gold WHERE item = ? "
	    "ORDER BY id DESC LIMIT 1", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	rc = sql_step(s);
	if (rc == SQL_ROW && sql_col_type(s, 0) != SQL_COL_NULL)
		*cls = sql_col_int64(s, 0);
	sql_finalize(st, s);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read gold");
	return 0;
}

/* A gold row (cls 0: removal) and its audit row. */
static int
gold_put(struct store *st, const char *user, long long item, long long cls,
    char **cause)
{
	char now[32], *detail;
	const struct sql_arg a[] = { SQL_INT(item), CLASS_ARG(cls),
	    SQL_TEXT(user), SQL_TEXT(now) };
	int r;

	acc_now_iso(now);
	r = SQL_WRITE(st, "INSERT INTO gold (item, class, \"user\", created_at) "
	    "VALUES (?, ?, ?, ?)", a, cause);
	if (r != 0)
		return -1;
	detail = cls > 0 ? xasprintf("item %lld class %lld", item, cls) :
	    xasprintf("item %lld", item);
	r = store_audit(st, user, cls > 0 ? "gold add" : "gold remove", detail,
	    cause);
	free(detail);
	return r;
}

int
gold_add(struct store *st, const char *user, long long item, long long cls,
    char **cause)
{
	long long old;

	if (cls <= 0)
		return acc_error(cause, "class %lld is not a class of this "
		    "project", cls);
	if (begin_sme(st, user, "changing gold items", cause) != 0)
		return -1;
	if (item_ok(st, item, cause) != 0 || class_ok(st, cls, cause) != 0 ||
	    gold_class(st, item, &old, cause) != 0)
		return finish(st, -1, cause);
	/* The same answer again would only add history that says nothing. */
	if (old == cls) {
		store_rollback(st);
		return acc_error(cause, "item %lld is already gold with this "
		    "class", item);
	}
	return finish(st, gold_put(st, user, item, cls, cause), cause);
}

int
gold_remove(struct store *st, const char *user, long long item, char **cause)
{
	long long old;

	if (begin_sme(st, user, "changing gold items", cause) != 0)
		return -1;
	if (item_ok(st, item, cause) != 0 ||
	    gold_class(st, item, &old, cause) != 0)
		return finish(st, -1, cause);
	if (old == 0) {
		store_rollback(st);
		return acc_error(cause, "item %lld is not a gold item", item);
	}
	return finish(st, gold_put(st, user, item, 0, cause), cause);
}

void
gold_list_free(struct gold_row *g, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(g[i].path);
		free(g[i].class_name);
		free(g[i].user);
		free(g[i].created_at);
	}
	free(g);
}

int
gold_list(struct store *st, const char *user, struct gold_row **out, int *n,
    char **cause)
{
	struct sql_stmt *s;
	struct gold_row *g = NULL;
	int k = 0, rc;

	*out = NULL;
	*n = 0;
	if (project_require(st, user, ROLE_SME, "reading gold items",
	    cause) != 0)
		return -1;
	if (sql_prepare(st, "SELECT g.item, i.path, c.name, g.\"user\", "
	    "g.created_at FROM gold g JOIN items i ON i.id = g.item "
	    "JOIN classes c ON c.id = g.class "
	    "WHERE g.id = (SELECT max(id) FROM gold h WHERE h.item = g.item) "
	    "ORDER BY g.item", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		g = xreallocarray(g, (size_t)k + 1, sizeof *g);
		g[k].item = sql_col_int64(s, 0);
		g[k].path = xstrdup(sql_text(s, 1));
		g[k].class_name = xstrdup(sql_text(s, 2));
		g[k].user = xstrdup(sql_text(s, 3));
		g[k].created_at = xstrdup(sql_text(s, 4));
		k++;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		gold_list_free(g, k);
		return sql_fail(st, cause, "cannot read gold");
	}
	*out = g;
	*n = k;
	return 0;
}

/* Item ids with path p among items or item_sources: 1 found (unique), 0
 * none, -1 error. */
static int
item_by_path(struct store *st, const char *p, long long *item, char **cause)
{
	struct sql_stmt *s;
	int rc, found = 0;

	if (sql_prepare(st, "SELECT id FROM items WHERE path = ?1 UNION "
	    "SELECT item FROM item_sources WHERE path = ?1", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, p);
	while ((rc = sql_step(s)) == SQL_ROW) {
		*item = sql_col_int64(s, 0);
		found++;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read items");
	/* One path holds one content at a time, but a file rewritten in
	 * place between imports was seen with two contents. */
	if (found > 1)
		return acc_error(cause, "%s was imported with %d different "
		    "contents; name the item by id or sha256", p, found);
	return found;
}

int
item_resolve(struct store *st, const char *spec, long long *item,
    char **cause)
{
	struct sql_stmt *s;
	size_t len = strlen(spec), i;
	long long id;
	char *abs, *why = NULL, *pat;
	int r, rc, found = 0, hex = len >= 6 && len <= 64;

	*item = 0;
	if (len == 0)
		return acc_error(cause, "an empty item name");
	if (acc_parse_int(spec, 1, 0x7fffffffffffffffLL, &id) == 0) {
		if (item_ok(st, id, cause) != 0)
			return -1;
		*item = id;
		return 0;
	}
	if ((r = item_by_path(st, spec, item, cause)) != 0)
		return r < 0 ? -1 : 0;
	/* Imports store canonical absolute paths. */
	if ((abs = acc_resolve_path(".", spec, &why)) != NULL) {
		r = item_by_path(st, abs, item, cause);
		free(abs);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	free(why);
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)spec[i]))
			hex = 0;
	if (!hex)
		return acc_error(cause, "no item '%s' (give an item id, a path "
		    "as imported, or 6+ hex digits of its sha256)", spec);
	pat = xasprintf("%s%%", spec);
	for (i = 0; pat[i] != '\0'; i++)
		pat[i] = (char)tolower((unsigned char)pat[i]);
	if (sql_prepare(st, "SELECT id FROM items WHERE sha256 LIKE ? "
	    "LIMIT 2", &s, cause) != 0) {
		free(pat);
		return -1;
	}
	sql_bind_text(s, 1, pat);
	while ((rc = sql_step(s)) == SQL_ROW) {
		*item = sql_col_int64(s, 0);
		found++;
	}
	sql_finalize(st, s);
	free(pat);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read items");
	if (found == 1)
		return 0;
	*item = 0;
	if (found > 1)
		return acc_error(cause, "sha256 prefix %s names more than one "
		    "item; give more digits", spec);
	return acc_error(cause, "no item '%s' (no id, path or sha256 prefix "
	    "matches)", spec);
}
