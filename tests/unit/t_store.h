/*
 * t_store.h: what the unit tests that work on store files share: a fresh
 * path in the test's directory, and a raw connection that reads or writes
 * the file as it is, not as core says.  Include after t.h; the test sets
 * t_dir (t_mkdtemp) before the first t_path.
 */
#ifndef ACCORD_T_STORE_H
#define ACCORD_T_STORE_H

#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

static char t_dir[256];

/*
 * t_dir/NAME, with no file of that name left from an earlier test.  The
 * result is one of four buffers used in turn, so up to four paths can be
 * held at once (say, a store and the CSV imported into it).
 */
static inline char *
t_path(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", t_dir, name);
	unlink(p[k]);
	return p[k];
}

/*
 * The first column of the first row of sql on the file at path: -1 when
 * no row, -2 when it cannot be opened, -3 when sql is wrong.  It waits up
 * to 10 s for a writer, as core does.
 */
static inline long long
t_q(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -2;
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	} else
		v = -3;
	sqlite3_close(db);
	return v;
}

/* Run sql on a raw connection with foreign keys on: the sqlite result
 * code (-1 when the file cannot be opened). */
static inline int
t_x(const char *path, const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 10000);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

#endif
