/*
 * sqlutil.c: stepping a query so that an error never reads as "no row".
 * SQLITE_ROW and SQLITE_DONE are the only results that are not errors.
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
