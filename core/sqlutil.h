/*
 * sqlutil.h: stepping a query so that an error never reads as "no row".
 * Core only, like internal.h.
 */
#ifndef ACCORD_SQLUTIL_H
#define ACCORD_SQLUTIL_H

#include "internal.h"

/*
 * Step s once.  1: a row is ready; 0: no more rows; -1 on any other
 * result (busy, I/O error, corrupt page...), with *cause "store query
 * failed: " and the store's message; s is reset then, so the caller may
 * finalize or reuse it.  Loops read
 *	while ((rc = sql_next(st, s, cause)) == 1) ...
 *	if (rc < 0) fail;
 */
int sql_next(struct store *st, struct sql_stmt *s, char **cause);

/*
 * Step an INSERT ... RETURNING id once: 1 and *id (the row's), 0 when no
 * row was added (ON CONFLICT DO NOTHING), -1 with *cause.  s is reset.
 */
int sql_insert_id(struct store *st, struct sql_stmt *s, long long *id,
    char **cause);

/*
 * One value for sql_write: SQL_TEXT(s) (NULL binds NULL), SQL_INT(n),
 * SQL_REAL(x) or SQL_NULL.
 */
struct sql_arg {
	enum { SQL_ARG_NULL, SQL_ARG_TEXT, SQL_ARG_INT, SQL_ARG_REAL } type;
	const char *text;
	long long i;
	double d;
};
#define SQL_NULL { SQL_ARG_NULL, NULL, 0, 0.0 }
#define SQL_TEXT(v) { SQL_ARG_TEXT, (v), 0, 0.0 }
#define SQL_INT(v) { SQL_ARG_INT, NULL, (v), 0.0 }
#define SQL_REAL(v) { SQL_ARG_REAL, NULL, 0, (v) }

/*
 * One write in the caller's transaction: prepares sql, binds args[0..n)
 * to ?1..?n, steps it to the end and finalizes it.  0, or -1 with *cause.
 * SQL_WRITE takes the count from an array.
 */
int sql_write(struct store *st, const char *sql, const struct sql_arg *args,
    int n, char **cause);
#define SQL_WRITE(st, sql, args, cause) \
	sql_write((st), (sql), (args), (int)(sizeof(args) / sizeof *(args)), \
	    (cause))

#endif
