/*
 * adjudicate.c: the SME's decisions, comments and gold items, each one
 * appended row (plus an audit row) in one BEGIN IMMEDIATE transaction,
 * tagged with the guideline version in force.
 */
#include <stdlib.h>
#include <string.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "internal.h"

/*
 * Text shown later on other terminals: refused (not stripped, so what is
 * stored is what was typed) when it holds control characters or invalid
 * UTF-8, which acc_printable() would have to change.
 */
static int
text_ok(const char *what, const char *text, char **cause)
{
	char *p;
	int same;

	if (text == NULL)
		return 0;
	p = acc_printable(text);
	same = strcmp(p, text) == 0;
	free(p);
	if (!same)
		return acc_error(cause, "the %s is not valid UTF-8 or contains a "
		    "control character (newline, tab, escape, ...)", what);
	return 0;
}

/*
 * BEGIN IMMEDIATE; the role check inside it (a refusal's audit row is
 * committed); the item must exist; *guideline gets the version in force.
 */
static int
begin_sme(struct store *st, const char *user, const char *what,
    long long item, int *guideline, char **cause)
{
	sqlite3_stmt *s;
	long long v = 0;
	int r;

	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (project_require(st, user, ROLE_SME, what, cause) != 0) {
		if (store_commit(st, NULL) != 0)
			store_rollback(st);
		return -1;
	}
	if (sql_prepare(st, "SELECT count(*) FROM items WHERE id = ?", &s,
	    cause) != 0) {
		store_rollback(st);
		return -1;
	}
	sql_bind_int(s, 1, item);
	r = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	if (r < 0) {
		sql_fail(st, cause, "cannot read items");
		store_rollback(st);
		return -1;
	}
	if (r == 0) {
		store_rollback(st);
		return acc_error(cause, "no item %lld in this project", item);
	}
	if (sql_int(st, "SELECT max(version) FROM guidelines", NULL, &v,
	    cause) < 0) {
		store_rollback(st);
		return -1;
	}
	*guideline = (int)v;
	return 0;
}

/* Audit, commit; on failure roll back.  0 or -1. */
static int
finish(struct store *st, const char *user, const char *action,
    long long item, const char *extra, char **cause)
{
	char *detail = xasprintf("item %lld%s%s", item, extra ? " " : "",
	    extra ? extra : "");
	int r;

	r = store_audit(st, user, action, detail, cause);
	free(detail);
	if (r != 0 || store_commit(st, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

static int
class_check(struct store *st, long long cls, char **name, char **cause)
{
	struct project p;
	const struct class_def *c;

	if (project_load(st, &p, cause) != 0)
		return -1;
	c = cls > 0 && cls <= 1000000 ? project_class_by_id(&p, (int)cls) : NULL;
	if (c == NULL) {
		project_free(&p);
		return acc_error(cause, "class %lld is not a class of this "
		    "project", cls);
	}
	*name = xstrdup(c->name);
	project_free(&p);
	return 0;
}

static int
decide(struct store *st, const char *user, long long item, long long cls,
    const char *status, const char *note, char **cause)
{
	sqlite3_stmt *s;
	char now[32], *name = NULL;
	int g, r;

	if (text_ok("note", note, cause) != 0)
		return -1;
	if (begin_sme(st, user, "adjudicating", item, &g, cause) != 0)
		return -1;
	if (cls > 0 && class_check(st, cls, &name, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO adjudications (item, class, status, "
	    "user, note, guideline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    &s, cause) != 0) {
		free(name);
		store_rollback(st);
		return -1;
	}
	sql_bind_int(s, 1, item);
	if (cls > 0)
		sql_bind_int(s, 2, cls);
	else
		sql_bind_null(s, 2);
	sql_bind_text(s, 3, status);
	sql_bind_text(s, 4, user);
	sql_bind_text(s, 5, note ? note : "");
	sql_bind_int(s, 6, g);
	sql_bind_text(s, 7, now);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	if (r != 0) {
		free(name);
		store_rollback(st);
		return -1;
	}
	{
		char *extra = xasprintf("%s%s%s guideline v%d", status,
		    name ? " " : "", name ? name : "", g);

		r = finish(st, user, "adjudicate", item, extra, cause);
		free(extra);
	}
	free(name);
	return r;
}

int
adjudicate_class(struct store *st, const char *user, long long item,
    long long cls, const char *note, char **cause)
{
	if (cls <= 0)
		return acc_error(cause, "class %lld is not a class of this "
		    "project", cls);
	return decide(st, user, item, cls, "class", note, cause);
}

int
adjudicate_ambiguous(struct store *st, const char *user, long long item,
    const char *note, char **cause)
{
	return decide(st, user, item, 0, "ambiguous", note, cause);
}

int
adjudicate_relabel(struct store *st, const char *user, long long item,
    const char *note, char **cause)
{
	return decide(st, user, item, 0, "relabel", note, cause);
}

int
comment_add(struct store *st, const char *user, long long item,
    const char *text, char **cause)
{
	sqlite3_stmt *s;
	char now[32];
	int g, r;

	if (text == NULL || text[strspn(text, " ")] == '\0')
		return acc_error(cause, "an empty comment is not saved");
	if (text_ok("comment", text, cause) != 0)
		return -1;
	if (begin_sme(st, user, "commenting", item, &g, cause) != 0)
		return -1;
	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO comments (item, user, text, "
	    "created_at) VALUES (?, ?, ?, ?)", &s, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	sql_bind_text(s, 3, text);
	sql_bind_text(s, 4, now);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	if (r != 0) {
		store_rollback(st);
		return -1;
	}
	return finish(st, user, "comment", item, NULL, cause);
}

static int
gold_put(struct store *st, const char *user, long long item, long long cls,
    char **cause)
{
	sqlite3_stmt *s;
	char now[32], *name = NULL, *extra;
	int g, r;

	if (begin_sme(st, user, "changing gold items", item, &g, cause) != 0)
		return -1;
	if (cls > 0 && class_check(st, cls, &name, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO gold (item, class, user, created_at) "
	    "VALUES (?, ?, ?, ?)", &s, cause) != 0) {
		free(name);
		store_rollback(st);
		return -1;
	}
	sql_bind_int(s, 1, item);
	if (cls > 0)
		sql_bind_int(s, 2, cls);
	else
		sql_bind_null(s, 2);
	sql_bind_text(s, 3, user);
	sql_bind_text(s, 4, now);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	if (r != 0) {
		free(name);
		store_rollback(st);
		return -1;
	}
	extra = name ? xasprintf("%s guideline v%d", name, g) : NULL;
	r = finish(st, user, cls > 0 ? "gold add" : "gold remove", item, extra,
	    cause);
	free(extra);
	free(name);
	return r;
}

int
gold_add(struct store *st, const char *user, long long item, long long cls,
    char **cause)
{
	if (cls <= 0)
		return acc_error(cause, "class %lld is not a class of this "
		    "project", cls);
	return gold_put(st, user, item, cls, cause);
}

int
gold_remove(struct store *st, const char *user, long long item, char **cause)
{
	return gold_put(st, user, item, 0, cause);
}
