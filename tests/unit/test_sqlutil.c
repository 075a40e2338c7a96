/*
 * test_sqlutil.c: sql_next tells a row, the end and an error apart, and an
 * error carries SQLite's message.
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
	sqlite3_stmt *s;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, "SELECT 1 UNION ALL SELECT 2", &s, &cause),
	    0);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_INT(sqlite3_column_int(s, 0), 1);
	T_EQ_INT(sql_next(st, s, &cause), 1);
	T_EQ_INT(sql_next(st, s, &cause), 0);
	T_CHECK(cause == NULL);
	sqlite3_finalize(s);
	store_close(st);
}

/* A query that fails while it runs, not when it is prepared. */
static void
t_a_failed_step_is_an_error_with_the_reason(void)
{
	struct store *st = open_project();
	sqlite3_stmt *s;
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
	T_EQ_INT(sqlite3_column_int(s, 0), 5);
	sqlite3_finalize(s);
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
	sqlite3_stmt *s;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(sql_prepare(st, "SELECT name FROM classes", &s, &cause), 0);
	sqlite3_progress_handler(sqlite3_db_handle(s), 1, stop, NULL);
	T_EQ_INT(sql_next(st, s, &cause), -1);
	T_EQ_STR(cause, "store query failed: interrupted");
	free(cause);
	cause = NULL;
	/* And no cause asked for: still -1. */
	T_EQ_INT(sql_next(st, s, NULL), -1);
	sqlite3_progress_handler(sqlite3_db_handle(s), 0, NULL, NULL);
	sqlite3_finalize(s);
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
	store_unlink_files(path);
	if (rmdir(dir) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(path);
	free(dir);
	return t_done();
}
