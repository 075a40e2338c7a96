/*
 * test_sqlutil.c: sql_next tells a row, the end and an error apart, and an
 * error carries SQLite's message; sql_write binds each value to its
 * parameter with its type, and a failed write says why.  The statement
 * cache hands a statement back reset and unbound, never to two users at
 * once, keeps no script, and survives more texts than it holds.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/project.h"
#include "accord/store.h"
#include "accord/util.h"
#include "../../core/sqlutil.h"
#include "t.h"

static char *dir, *path;

static struct store *
open_project(void)
{
	struct project_spec spec = { .task = "t", .media = MEDIA_KIND_IMAGE,
	    .classes = "ok,bad", .overlap = 2 };
	struct store *st = NULL;
	char *cause = NULL;

	unlink(path);
	if (project_init(path, &spec, "root", &cause) != 0 ||
	    store_open(path, &st, &cause) != 0) {
		T_FAIL("setup: %s", cause);
		free(cause);
		return NULL;
	}
	return st;
}

static void
t_rows_then_the_end(void)
{
	struct store *st = open_project();
	struct sql_stmt *s;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, "SELECT 1 UNION ALL SELECT 2", &s, &cause),
	    0);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_INT(sql_col_int(s, 0), 1);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_INT(sql_next(st, s, &cause), 0);
	T_CHECK(cause == NULL);
	sql_finalize(st, s);
	store_close(st);
}

/* A query that fails while it runs, not when it is prepared. */
static void
t_a_failed_step_is_an_error_with_the_reason(void)
{
	struct store *st = open_project();
	struct sql_stmt *s;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, "SELECT abs(?)", &s, &cause), 0);
	sql_bind_int(s, 1, -9223372036854775807LL - 1);
	T_EQ_INT(sql_next(st, s, &cause), -1);
	T_EQ_STR(cause, "store query failed: integer overflow");
	free(cause);
	cause = NULL;
	/* Reset: the statement runs again with a good value. */
	sql_bind_int(s, 1, -5);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_INT(sql_col_int(s, 0), 5);
	sql_finalize(st, s);
	store_close(st);
}

static int
stop(void *arg)
{
	(void)arg;
	return 1;
}

/* An interrupted scan is not the end of the data. */
static void
t_an_interrupted_scan_is_not_the_end(void)
{
	struct store *st = open_project();
	struct sql_stmt *s;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, "SELECT name FROM classes", &s, &cause), 0);
	sqlite3_progress_handler(st->db, 1, stop, NULL);
	T_EQ_INT(sql_next(st, s, &cause), -1);
	T_EQ_STR(cause, "store query failed: interrupted");
	free(cause);
	cause = NULL;
	/* And no cause asked for: still -1. */
	T_EQ_INT(sql_next(st, s, NULL), -1);
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	sql_finalize(st, s);
	store_close(st);
}

/* sql_write: each value to its parameter, with its type. */
static void
t_each_value_to_its_parameter(void)
{
	struct store *st = open_project();
	const struct sql_arg a[] = { SQL_TEXT("x"), SQL_INT(1LL << 40),
	    SQL_REAL(2.5), SQL_NULL, SQL_TEXT(NULL) };
	struct sql_stmt *s;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_exec(st, "CREATE TEMP TABLE w (a, b, c, d, e)", &cause),
	    0);
	T_EQ_INT(SQL_WRITE(st, "INSERT INTO w VALUES (?, ?, ?, ?, ?)", a,
	    &cause), 0);
	T_CHECK(cause == NULL);
	T_EQ_INT(sql_prepare(st, "SELECT typeof(a), a, typeof(b), b, "
	    "typeof(c), c, typeof(d), typeof(e) FROM w", &s, &cause), 0);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_STR(sql_text(s, 0), "text");
	T_EQ_STR(sql_text(s, 1), "x");
	T_EQ_STR(sql_text(s, 2), "integer");
	T_CHECK(sql_col_int64(s, 3) == 1LL << 40);
	T_EQ_STR(sql_text(s, 4), "real");
	T_NEAR(sql_col_double(s, 5), 2.5, 0);
	T_EQ_STR(sql_text(s, 6), "null");
	T_EQ_STR(sql_text(s, 7), "null");
	T_EQ_INT(sql_next(st, s, &cause), 0);
	sql_finalize(st, s);
	store_close(st);
}

static void
t_a_failed_write_says_why(void)
{
	struct store *st = open_project();
	const struct sql_arg a[] = { SQL_INT(1), SQL_INT(1) };
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_exec(st, "CREATE TEMP TABLE u (k UNIQUE, v)", &cause),
	    0);
	T_EQ_INT(SQL_WRITE(st, "INSERT INTO u VALUES (?, ?)", a, &cause), 0);
	T_EQ_INT(SQL_WRITE(st, "INSERT INTO u VALUES (?, ?)", a, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "UNIQUE") != NULL);
	free(cause);
	cause = NULL;
	/* A statement that does not prepare: -1 too, nothing left open. */
	T_EQ_INT(SQL_WRITE(st, "INSERT INTO nowhere VALUES (?, ?)", a,
	    &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "nowhere") != NULL);
	free(cause);
	store_close(st);
}

/* Given back and prepared again: the same statement, reset and unbound. */
static void
t_cache_gives_back_reset_and_unbound(void)
{
	struct store *st = open_project();
	struct sql_stmt *a, *b;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, "SELECT ?1 UNION ALL SELECT 2", &a, &cause),
	    0);
	sql_bind_int(a, 1, 7);
	T_EQ_INT(sql_next(st, a, &cause), 1);
	T_EQ_INT(sql_col_int(a, 0), 7);
	sql_finalize(st, a);	/* mid-scan: the reset ends it */
	T_EQ_INT(sql_prepare(st, "SELECT ?1 UNION ALL SELECT 2", &b, &cause),
	    0);
	T_CHECK(a == b);
	T_EQ_INT(sql_next(st, b, &cause), 1);
	T_EQ_INT(sql_col_type(b, 0), SQL_COL_NULL);
	T_EQ_INT(sql_next(st, b, &cause), 1);
	T_EQ_INT(sql_col_int(b, 0), 2);
	T_EQ_INT(sql_next(st, b, &cause), 0);
	sql_finalize(st, b);
	store_close(st);
}

/* The same text twice at once (a nested use): two statements, each with
 * its own cursor. */
static void
t_cache_never_shares_a_statement(void)
{
	struct store *st = open_project();
	const char *q = "SELECT name FROM classes ORDER BY name";
	struct sql_stmt *a, *b;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, q, &a, &cause), 0);
	T_EQ_INT(sql_next(st, a, &cause), 1);
	T_EQ_INT(sql_prepare(st, q, &b, &cause), 0);
	T_CHECK(a != b);
	T_EQ_INT(sql_next(st, b, &cause), 1);
	T_EQ_INT(sql_next(st, b, &cause), 1);
	T_EQ_STR(sql_text(a, 0), "bad");
	T_EQ_STR(sql_text(b, 0), "ok");
	sql_finalize(st, b);
	sql_finalize(st, a);
	store_close(st);
}

/*
 * Many more texts than the cache holds, each used twice, with a script
 * among them: every answer right (an evicted statement is finalized, not
 * handed out; LeakSanitizer sees whether anything is left), and
 * sql_exec's single statements fail as its scripts do.
 */
static void
t_cache_evicts_and_runs_scripts(void)
{
	struct store *st = open_project();
	struct sql_stmt *s;
	char *cause = NULL, *q;
	int i, round, bad = 0;

	if (st == NULL)
		return;
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 3 * SQL_CACHE_SIZE; i++) {
			q = xasprintf("SELECT %d + ?", i);
			if (sql_prepare(st, q, &s, &cause) != 0) {
				bad++;
				free(q);
				continue;
			}
			sql_bind_int(s, 1, round);
			if (sql_next(st, s, &cause) != 1 ||
			    sql_col_int(s, 0) != i + round)
				bad++;
			sql_finalize(st, s);
			free(q);
		}
	}
	T_EQ_INT(bad, 0);
	T_EQ_INT(sql_exec(st, "CREATE TEMP TABLE t (x); INSERT INTO t "
	    "VALUES (1); INSERT INTO t VALUES (2)", &cause), 0);
	T_EQ_INT(sql_exec(st, "INSERT INTO t VALUES (3)", &cause), 0);
	T_EQ_INT(sql_prepare(st, "SELECT sum(x) FROM t", &s, &cause), 0);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_INT(sql_col_int(s, 0), 6);
	sql_finalize(st, s);
	T_EQ_INT(sql_exec(st, "INSERT INTO nowhere VALUES (1)", &cause), -1);
	T_EQ_STR(cause, "store: no such table: nowhere");
	free(cause);
	cause = NULL;
	/* A setting switched back and forth is set each time. */
	for (i = 0; i < 3; i++) {
		long long v = -1;

		T_EQ_INT(sql_exec(st, "PRAGMA synchronous = NORMAL", &cause),
		    0);
		T_EQ_INT(sql_int(st, "PRAGMA synchronous", NULL, &v, &cause),
		    1);
		T_EQ_INT(v, 1);
		T_EQ_INT(sql_exec(st, "PRAGMA synchronous = FULL", &cause), 0);
		T_EQ_INT(sql_int(st, "PRAGMA synchronous", NULL, &v, &cause),
		    1);
		T_EQ_INT(v, 2);
	}
	T_EQ_INT(sql_exec(st, "COMMIT", &cause), -1);
	T_EQ_STR(cause, "store: cannot commit - no transaction is active");
	free(cause);
	store_close(st);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	dir = xasprintf("%s/accord-unit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	path = xasprintf("%s/p.accord", dir);
	T_RUN(t_rows_then_the_end);
	T_RUN(t_a_failed_step_is_an_error_with_the_reason);
	T_RUN(t_an_interrupted_scan_is_not_the_end);
	T_RUN(t_each_value_to_its_parameter);
	T_RUN(t_a_failed_write_says_why);
	T_RUN(t_cache_gives_back_reset_and_unbound);
	T_RUN(t_cache_never_shares_a_statement);
	T_RUN(t_cache_evicts_and_runs_scripts);
	store_unlink_files(path);
	if (rmdir(dir) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(path);
	free(dir);
	return t_done();
}
