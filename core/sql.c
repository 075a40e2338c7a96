/*
 * sql.c: the statements core runs, on either store.  Each call goes to
 * SQLite or to the libpq driver (core/store_pg.c) by the statement's
 * store; the statement cache and the helpers built on the calls
 * (internal.h) are the same for both.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlutil.h"
#include "store_pg.h"

const char *
sql_errmsg(struct store *st)
{
	if (st->kind == STORE_PG)
		return pg_errmsg(st);
	return sqlite3_errmsg(st->db);
}

int
sql_fail(struct store *st, char **cause, const char *what)
{
	return acc_error(cause, "%s: %s", what, sql_errmsg(st));
}

/* FNV-1a (Fowler, Noll and Vo) of the text, and its length. */
static uint64_t
sql_hash(const char *sql, size_t *len)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p;

	for (p = sql; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	*len = (size_t)(p - sql);
	return h;
}

/* Compile sql's first statement: 0 and *out, or -1 (sql_errmsg says why).
 * *cacheable: a single statement that may be kept. */
static int
stmt_compile(struct store *st, const char *sql, size_t len,
    struct sql_stmt **out, int *cacheable)
{
	struct sql_stmt *s;
	sqlite3_stmt *lite;
	const char *tail = NULL;

	if (st->kind == STORE_PG)
		return pg_prepare(st, sql, out, cacheable);
	if (sqlite3_prepare_v3(st->db, sql, (int)len + 1,
	    SQLITE_PREPARE_PERSISTENT, &lite, &tail) != SQLITE_OK)
		return -1;
	s = xcalloc(1, sizeof *s);
	s->st = st;
	s->lite = lite;
	/* A setting such as synchronous is applied when a PRAGMA is
	 * compiled, and a compiled one run again was seen not to apply it
	 * (queue_lease_sync switches it at every label). */
	*cacheable = lite != NULL && (tail == NULL || tail[strspn(tail, " \t\n;")] == '\0') &&
	    strncasecmp(sql + strspn(sql, " \t\n"), "PRAGMA", 6) != 0;
	*out = s;
	return 0;
}

static void
stmt_free(struct sql_stmt *s)
{
	if (s == NULL)
		return;
	if (s->pg != NULL)
		pg_stmt_free(s);
	sqlite3_finalize(s->lite);
	free(s);
}

/*
 * The statement cache (struct sql_cached).  A look-up hashes the text and
 * compares it with the few cached statements of the same hash; a miss
 * compiles the statement and keeps it in a free slot, or in place of the
 * one handed out longest ago.  Only a single statement is kept (a text
 * with a tail is compiled each time), and no PRAGMA.  A statement still
 * handed out is never handed out twice.  0 and *stmt, or -1.
 */
static int
cache_prepare(struct store *st, const char *sql, struct sql_stmt **stmt)
{
	struct sql_cached *c, *victim = NULL;
	uint64_t h;
	size_t len, i;
	int cacheable;

	h = sql_hash(sql, &len);
	for (i = 0; i < SQL_CACHE_SIZE; i++) {
		c = &st->cache[i];
		if (c->s == NULL) {
			if (victim == NULL || victim->s != NULL)
				victim = c;
			continue;
		}
		if (c->hash == h && !c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			c->used = ++st->cache_clock;
			*stmt = c->s;
			return 0;
		}
		if (!c->busy && (victim == NULL || (victim->s != NULL &&
		    c->used < victim->used)))
			victim = c;
	}
	if (stmt_compile(st, sql, len, stmt, &cacheable) != 0) {
		*stmt = NULL;
		return -1;
	}
	if (victim == NULL || !cacheable)
		return 0;
	stmt_free(victim->s);
	free(victim->sql);
	victim->s = *stmt;
	victim->sql = xstrdup(sql);
	victim->hash = h;
	victim->used = ++st->cache_clock;
	victim->busy = 1;
	return 0;
}

int
sql_prepare(struct store *st, const char *sql, struct sql_stmt **stmt,
    char **cause)
{
	if (cache_prepare(st, sql, stmt) != 0)
		return sql_fail(st, cause, "store query failed");
	return 0;
}

void
sql_finalize(struct store *st, struct sql_stmt *s)
{
	size_t i;

	if (s == NULL)
		return;
	/* Given back to the wrong store, it would be freed while cached. */
	if (s->st != st)
		acc_fatal("sql_finalize: a statement of another connection");
	for (i = 0; i < SQL_CACHE_SIZE; i++) {
		if (st->cache[i].s == s) {
			if (s->pg != NULL)
				pg_clear_bindings(s);
			else {
				sqlite3_reset(s->lite);
				sqlite3_clear_bindings(s->lite);
			}
			st->cache[i].busy = 0;
			return;
		}
	}
	stmt_free(s);
}

void
sql_cache_drop(struct store *st)
{
	size_t i;

	for (i = 0; i < SQL_CACHE_SIZE; i++) {
		stmt_free(st->cache[i].s);
		free(st->cache[i].sql);
	}
	memset(st->cache, 0, sizeof st->cache);
}

/*
 * One statement (no ';': BEGIN, COMMIT, a PRAGMA) runs from the cache;
 * a script goes through sqlite3_exec.
 */
int
sql_exec(struct store *st, const char *sql, char **cause)
{
	struct sql_stmt *s;
	char *msg = NULL;
	int rc;

	if (st->kind == STORE_PG) {
		if (pg_exec(st, sql) != 0)
			return acc_error(cause, "store: %s", sql_errmsg(st));
		return 0;
	}
	if (strchr(sql, ';') == NULL) {
		if (cache_prepare(st, sql, &s) != 0)
			return acc_error(cause, "store: %s", sql_errmsg(st));
		while ((rc = sql_step(s)) == SQL_ROW)
			;
		if (rc != SQL_DONE)
			acc_error(cause, "store: %s", sql_errmsg(st));
		sql_finalize(st, s);
		return rc == SQL_DONE ? 0 : -1;
	}

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		acc_error(cause, "store: %s", msg ? msg : sql_errmsg(st));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

void
sql_stream(struct sql_stmt *s)
{
	if (s->pg != NULL)
		pg_stmt_stream(s);
}

int
sql_step(struct sql_stmt *s)
{
	int rc;

	if (s->pg != NULL)
		return pg_step(s);
	rc = sqlite3_step(s->lite);
	return rc == SQLITE_ROW ? SQL_ROW : rc == SQLITE_DONE ? SQL_DONE : rc;
}

void
sql_reset(struct sql_stmt *s)
{
	if (s->pg != NULL)
		pg_reset(s);
	sqlite3_reset(s->lite);
}

int
sql_col_count(struct sql_stmt *s)
{
	if (s->pg != NULL)
		return pg_col_count(s);
	return sqlite3_column_count(s->lite);
}

enum sql_col_kind
sql_col_type(struct sql_stmt *s, int i)
{
	if (s->pg != NULL)
		return pg_col_type(s, i);
	return (enum sql_col_kind)sqlite3_column_type(s->lite, i);
}

long long
sql_col_int64(struct sql_stmt *s, int i)
{
	if (s->pg != NULL)
		return pg_col_int64(s, i);
	return sqlite3_column_int64(s->lite, i);
}

int
sql_col_int(struct sql_stmt *s, int i)
{
	if (s->pg != NULL)
		return (int)pg_col_int64(s, i);
	return sqlite3_column_int(s->lite, i);
}

double
sql_col_double(struct sql_stmt *s, int i)
{
	if (s->pg != NULL)
		return pg_col_double(s, i);
	return sqlite3_column_double(s->lite, i);
}

const char *
sql_text(struct sql_stmt *s, int i)
{
	const unsigned char *t;

	if (s->pg != NULL)
		return pg_col_text(s, i);
	t = sqlite3_column_text(s->lite, i);
	return t ? (const char *)t : "";
}

int
sql_col_bytes(struct sql_stmt *s, int i)
{
	if (s->pg != NULL)
		return pg_col_bytes(s, i);
	return sqlite3_column_bytes(s->lite, i);
}

int
sql_param_count(struct sql_stmt *s)
{
	if (s->pg != NULL)
		return pg_param_count(s);
	return sqlite3_bind_parameter_count(s->lite);
}

static void
bind_check(struct sql_stmt *s, int rc)
{
	if (rc != SQLITE_OK)
		acc_fatal("sqlite3_bind: %s", sql_errmsg(s->st));
}

void
sql_bind_text(struct sql_stmt *s, int i, const char *v)
{
	if (s->pg != NULL) {
		pg_bind_text(s, i, v);
		return;
	}
	bind_check(s, v ? sqlite3_bind_text(s->lite, i, v, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(s->lite, i));
}

void
sql_bind_int(struct sql_stmt *s, int i, long long v)
{
	if (s->pg != NULL) {
		pg_bind_int(s, i, v);
		return;
	}
	bind_check(s, sqlite3_bind_int64(s->lite, i, v));
}

void
sql_bind_double(struct sql_stmt *s, int i, double v)
{
	if (s->pg != NULL) {
		pg_bind_double(s, i, v);
		return;
	}
	bind_check(s, sqlite3_bind_double(s->lite, i, v));
}

void
sql_bind_null(struct sql_stmt *s, int i)
{
	if (s->pg != NULL) {
		pg_bind_null(s, i);
		return;
	}
	bind_check(s, sqlite3_bind_null(s->lite, i));
}

void
sql_bind_blob(struct sql_stmt *s, int i, const void *p, size_t n)
{
	if (s->pg != NULL) {
		pg_bind_blob(s, i, p, n);
		return;
	}
	bind_check(s, sqlite3_bind_blob64(s->lite, i, n > 0 ? p : "", n,
	    SQLITE_TRANSIENT));
}

const void *
sql_col_blob(struct sql_stmt *s, int i, size_t *n)
{
	const void *p;

	if (s->pg != NULL)
		return pg_col_blob(s, i, n);
	/* sqlite3_column_blob first, then its length (SQLite's rule). */
	p = sqlite3_column_blob(s->lite, i);
	*n = p != NULL ? (size_t)sqlite3_column_bytes(s->lite, i) : 0;
	return p;
}

const char *
sql_meta_value(struct store *st)
{
	return st->kind == STORE_PG ? "m.value, m.value_type, m.value_num" :
	    "m.value, typeof(m.value), m.value";
}

enum sql_col_kind
meta_type(struct sql_stmt *s, int col)
{
	const char *t = sql_text(s, col + 1);

	if (strcmp(t, "integer") == 0)
		return SQL_COL_INT;
	if (strcmp(t, "real") == 0)
		return SQL_COL_REAL;
	if (strcmp(t, "text") == 0)
		return SQL_COL_TEXT;
	if (strcmp(t, "blob") == 0)
		return SQL_COL_BLOB;
	return SQL_COL_NULL;
}

int
sql_step_done(struct store *st, struct sql_stmt *s, char **cause)
{
	int rc;

	while ((rc = sql_step(s)) == SQL_ROW)
		;
	if (rc != SQL_DONE)
		acc_error(cause, "store write failed: %s", sql_errmsg(st));
	sql_reset(s);
	return rc == SQL_DONE ? 0 : -1;
}

int
sql_int(struct store *st, const char *sql, const char *param, long long *out,
    char **cause)
{
	struct sql_stmt *s;
	int rc, found = 0;

	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	if (param != NULL)
		sql_bind_text(s, 1, param);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		*out = sql_col_int64(s, 0);
		found = 1;
	} else if (rc != SQL_DONE) {
		sql_fail(st, cause, "store query failed");
		sql_finalize(st, s);
		return -1;
	}
	sql_finalize(st, s);
	return found;
}
