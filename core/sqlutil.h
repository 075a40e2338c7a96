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
 * failed: " and sqlite3_errmsg; s is reset then, so the caller may
 * finalize or reuse it.  Loops read
 *	while ((rc = sql_next(st, s, cause)) == 1) ...
 *	if (rc < 0) fail;
 */
int sql_next(struct store *st, sqlite3_stmt *s, char **cause);

#endif
