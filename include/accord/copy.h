/*
 * copy.h: `accord copy SRC DST`: a whole project, history included, from
 * one store to a new one, between any two kinds (SQLite file or
 * PostgreSQL database, core/store.c).
 *
 * Every row of the record is copied with its id: settings, classes,
 * members, guidelines and their class descriptions, batches, items,
 * their sources and metadata (each value with its type), label imports,
 * labels (superseded and withdrawn rows included), audit, tags, gold,
 * adjudications, comments, prediction runs and predictions.  The derived
 * tables (item_labelers, item_labels and the queue's counts) are made
 * again in DST from the copied rows.  Leases are not copied: they are a
 * running session's hold on an item for a few minutes, not history.
 * So `accord check DST` passes and agree, export, labels dump and status
 * give on DST what they give on SRC.
 *
 * SRC is read in one snapshot (a SQLite read transaction, a PostgreSQL
 * REPEATABLE READ transaction), row by row: memory does not grow with the
 * store, and labelers may go on working on SRC meanwhile (DST is SRC as
 * the copy began).
 *
 * DST must be new, as for accord init: a SQLite path where nothing
 * exists, or an existing PostgreSQL database without an accord project
 * (made by the DBA; the copy then runs as a superuser, as init does).
 * Either all of it is copied or DST is left as it was: a SQLite DST is
 * built as DST.tmp and renamed to DST once complete and synced (a copy
 * that is killed leaves DST absent, and DST.tmp behind, which the next
 * copy refuses to reuse); a PostgreSQL DST is written in one transaction.
 */
#ifndef ACCORD_COPY_H
#define ACCORD_COPY_H

#include "accord/store.h"

struct copy_result {
	long long rows;		/* rows copied, every table */
	long long items;
	long long labels;	/* label rows, superseded ones included */
	double seconds;
	/*
	 * PostgreSQL DST: the SQL a superuser runs so that the project's
	 * members can log in (the copy makes no login roles: who may
	 * connect to the server is the DBA's decision), one statement a
	 * line; NULL when every member can already.  SQLite DST: NULL.
	 */
	char *dba_sql;
};

/*
 * Copy the project in src (an open store) to a new store at dst (a path
 * or a postgresql:// URI) as `user`, src's identity: an sme or admin of
 * src, or on a PostgreSQL src a superuser (who reads every row).  A
 * refusal is audited in src as project_require does; src is otherwise
 * only read.  DST gets one audit row, "copy", naming where it came from.
 * Takes no transaction of the caller's (src must have none open).
 * Returns 0 and *res (copy_result_free after), or -1 or COPY_SRC_FAILED
 * (src refused the copy or could not be read) with *cause (the caller
 * frees); DST is then as it was before.
 */
#define COPY_SRC_FAILED (-2)
int copy_project(struct store *src, const char *user, const char *dst,
    struct copy_result *res, char **cause);
void copy_result_free(struct copy_result *res);

#endif
