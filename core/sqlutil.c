/*
 * sqlutil.c: stepping a query so that an error never reads as "no row"
 * (SQL_ROW and SQL_DONE are the only results that are not errors),
 * and one-statement writes.
 */
#include "sqlutil.h"

int
sql_next(struct store *st, struct sql_stmt *s, char **cause)
{
	int rc = sql_step(s);

	if (rc == SQL_ROW)
		return 1;
	if (rc == SQL_DONE)
		return 0;
	/* The message before the reset, which may replace it. */
	sql_fail(st, cause, "store query failed");
	sql_reset(s);
	return -1;
}

int
sql_insert_id(struct store *st, struct sql_stmt *s, long long *id,
    char **cause)
{
	int rc = sql_next(st, s, cause);

	if (rc == 1) {
		*id = sql_col_int64(s, 0);
		/* To the end: SQLite runs the insert's triggers then. */
		if (sql_step(s) != SQL_DONE)
			rc = sql_fail(st, cause, "store write failed");
	}
	sql_reset(s);
	return rc;
}

int
sql_write(struct store *st, const char *sql, const struct sql_arg *args,
    int n, char **cause)
{
	struct sql_stmt *s;
	int i, r;

	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	for (i = 0; i < n; i++)
		switch (args[i].type) {
		case SQL_ARG_NULL:
			sql_bind_null(s, i + 1);
			break;
		case SQL_ARG_TEXT:
			sql_bind_text(s, i + 1, args[i].text);
			break;
		case SQL_ARG_INT:
			sql_bind_int(s, i + 1, args[i].i);
			break;
		case SQL_ARG_REAL:
			sql_bind_double(s, i + 1, args[i].d);
			break;
		}
	r = sql_step_done(st, s, cause);
	sql_finalize(st, s);
	return r;
}
