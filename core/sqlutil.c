/*
 * sqlutil.c: stepping a query so that an error never reads as "no row"
 * (SQLITE_ROW and SQLITE_DONE are the only results that are not errors),
 * and one-statement writes.
 */
#include "sqlutil.h"

int
sql_next(struct store *st, sqlite3_stmt *s, char **cause)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	/* The message before the reset, which may replace it. */
	sql_fail(st, cause, "store query failed");
	sqlite3_reset(s);
	return -1;
}

int
sql_write(struct store *st, const char *sql, const struct sql_arg *args,
    int n, char **cause)
{
	sqlite3_stmt *s;
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
