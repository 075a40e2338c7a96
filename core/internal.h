/*
 * internal.h: what core modules share and nothing outside core sees: the
 * store's connection and the statements core runs on either store.
 * tui/ never includes this (it never runs SQL).
 */
#ifndef ACCORD_INTERNAL_H
#define ACCORD_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "accord/store.h"
#include "accord/util.h"

/*
 * A statement of either store (core/sql.c): SQLite's, or the libpq
 * driver's (core/store_pg.c).  Core code sees only struct sql_stmt and
 * the sql_* functions below, never which store it has.
 */
struct pg_stmt;
struct pg_conn;
struct sql_stmt {
	struct store *st;
	sqlite3_stmt *lite;	/* SQLite's, or NULL */
	struct pg_stmt *pg;	/* PostgreSQL's, or NULL */
};

/* sql_step's results besides errors, and sql_col_type's. */
#define SQL_ROW 100
#define SQL_DONE 101
enum sql_col_kind {
	SQL_COL_INT = 1,
	SQL_COL_REAL = 2,
	SQL_COL_TEXT = 3,
	SQL_COL_BLOB = 4,
	SQL_COL_NULL = 5,
};

/*
 * A prepared statement kept for the next sql_prepare of the same text
 * (core/sql.c): compiling is most of what a short query costs (a label's
 * take and commit spent three quarters of their instructions in
 * sqlite3_prepare, the label insert's triggers above all).
 */
#define SQL_CACHE_SIZE 64
struct sql_cached {
	struct sql_stmt *s;	/* NULL: a free slot */
	char *sql;		/* the text it was prepared from */
	uint64_t hash;		/* of the text, to skip most comparisons */
	unsigned long used;	/* st->cache_clock at its last hand-out */
	int busy;		/* handed out, not yet given back */
};

enum store_kind { STORE_SQLITE, STORE_PG };

struct store {
	enum store_kind kind;
	sqlite3 *db;		/* SQLite: the connection */
	struct pg_conn *pg;	/* PostgreSQL: the connection (store_pg.c) */
	char *path;		/* the file, or the URI */
	int in_tx;
	double busy_since;	/* store_busy: when this wait began */
	unsigned busy_rng;	/* store_busy: its pauses' jitter */
	int busy_carry;		/* store_busy: busy_since set by the queue */
	struct sql_cached cache[SQL_CACHE_SIZE];
	unsigned long cache_clock;
	struct store_wq *wq;	/* the writers' queue (store_wq.c), or NULL */
	int wq_none;		/* no queue for this connection */
	int wq_held;		/* this connection holds the queue's lock */
	int create_pending;	/* PostgreSQL: store_create's transaction is
				 * open; the first store_begin is that one */
	struct store_made *made; /* init: what it created (store.c), or NULL */
};

/*
 * The writers' queue (core/store_wq.c): store_begin(st, 1) waits in it,
 * up to ms, before BEGIN IMMEDIATE; store_commit and store_rollback leave
 * it; store_close closes it after SQLite's own descriptors.
 */
void store_wq_enter(struct store *st, double ms);
void store_wq_leave(struct store *st);
void store_wq_close(struct store *st);

/* The schema: migration step v (1-based) takes a store from v-1 to v. */
const char *schema_migration(int v);


/*
 * Prepare sql (its first statement); 0, or -1 with *cause carrying
 * sqlite3_errmsg.  The statement may come from st's cache, reset and
 * unbound: give it back with sql_finalize, never sqlite3_finalize.  The
 * same text prepared again before it is given back gets a statement of
 * its own.
 */
int sql_prepare(struct store *st, const char *sql, struct sql_stmt **stmt,
    char **cause);
/* Done with s (NULL is fine): a cached statement is reset and unbound for
 * its next use, any other finalized. */
void sql_finalize(struct store *st, struct sql_stmt *s);
/* Finalize every cached statement: before st->db is closed by hand. */
void sql_cache_drop(struct store *st);
/* Run statements with no results; 0 or -1 with *cause. */
int sql_exec(struct store *st, const char *sql, char **cause);
/* Fill *cause from the store's last error, with a prefix; returns -1. */
int sql_fail(struct store *st, char **cause, const char *what);
/* The store's last error message. */
const char *sql_errmsg(struct store *st);

/*
 * Stepping and reading a statement, as SQLite's calls of the same names:
 * sql_step gives SQL_ROW, SQL_DONE or an error (sql_errmsg says which);
 * sql_reset makes it ready to run again with the same bindings.
 */
int sql_step(struct sql_stmt *s);
void sql_reset(struct sql_stmt *s);
/*
 * s reads a whole large table: on PostgreSQL, its rows come through a
 * cursor a batch at a time (core/store_pg.c), not all at its first
 * step, so the client's memory does not grow with the table.  Other
 * statements may still run while it reads, and it may be read alongside
 * other streamed ones; a transaction begun or ended before its last row
 * cuts it short (its next step fails).  Call it after sql_prepare,
 * before the first step; it holds until sql_finalize (a cached statement
 * handed out again reads whole unless marked again).  Nothing on SQLite.
 */
void sql_stream(struct sql_stmt *s);
int sql_col_count(struct sql_stmt *s);
enum sql_col_kind sql_col_type(struct sql_stmt *s, int i);
long long sql_col_int64(struct sql_stmt *s, int i);
int sql_col_int(struct sql_stmt *s, int i);
double sql_col_double(struct sql_stmt *s, int i);
/* Bytes of column i's text (its length without the NUL). */
int sql_col_bytes(struct sql_stmt *s, int i);
/* The number of parameters the statement takes. */
int sql_param_count(struct sql_stmt *s);

/*
 * Bind helpers: NULL strings bind as SQL NULL.  Binding errors only happen
 * on programming mistakes (bad index), which abort.
 */
void sql_bind_text(struct sql_stmt *s, int i, const char *v);
void sql_bind_int(struct sql_stmt *s, int i, long long v);
void sql_bind_double(struct sql_stmt *s, int i, double v);
void sql_bind_null(struct sql_stmt *s, int i);
/* Bytes as a BLOB (SQLite) or bytea (PostgreSQL); copied. */
void sql_bind_blob(struct sql_stmt *s, int i, const void *p, size_t n);
/*
 * Column i of the row in hand as bytes (a BLOB or bytea), *n its length;
 * NULL with *n 0 for SQL NULL.  Valid until the next step, reset or read
 * of a column of s.
 */
const void *sql_col_blob(struct sql_stmt *s, int i, size_t *n);

/*
 * item_meta's value is typed in SQLite (text from a metadata CSV, real
 * from a metric, NULL); PostgreSQL keeps it as value (text), value_type
 * and value_num (core/schema_pg.c).  A reader of item_meta or
 * current_meta aliased m selects SQL_META_VALUE(st): three columns from
 * col on, read with meta_type (the value's type), sql_text(s, col) (its
 * text) and sql_col_double/int64(s, col + 2) (its number).
 */
const char *sql_meta_value(struct store *st);
enum sql_col_kind meta_type(struct sql_stmt *s, int col);

/* Column as a string, "" for NULL. */
const char *sql_text(struct sql_stmt *s, int i);

/*
 * Run a prepared statement that returns no rows (or ignores them), then
 * reset it.  0, or -1 with *cause.
 */
int sql_step_done(struct store *st, struct sql_stmt *s, char **cause);

/* One integer from a query with up to one text parameter (NULL for none);
 * *out untouched when there is no row.  1 row found, 0 none, -1 error. */
int sql_int(struct store *st, const char *sql, const char *param,
    long long *out, char **cause);

/*
 * Group commit (core/store.c): after a COMMIT made under
 * synchronous=NORMAL, sync the store's WAL outside the write lock, so
 * concurrent writers' syncs overlap.  When it returns 0 the commit is as
 * durable as under FULL.  0, or -1 with *cause.
 */
int store_sync_wal(struct store *st, char **cause);

/*
 * Remove a store file and its -wal/-shm/-journal companions by path: only
 * for files the caller made in a directory nobody else writes.
 */
void store_unlink_files(const char *path);

/*
 * After store_create succeeded and a later step of init failed: close st
 * and remove the files store_create made for it, and nothing else (not
 * what another process put at the path since).  st is freed.
 */
void store_discard(struct store *st);
/* Frees store_create's record of what it made (store_close calls it). */
void store_made_free(struct store_made *m);

/* Append a row to the audit table (inside the caller's transaction). */
int store_audit(struct store *st, const char *user, const char *action,
    const char *detail, char **cause);

/*
 * Input files of rows (labels.c): labels and model predictions.
 */
#include "accord/csv.h"
#include "accord/labels.h"	/* struct label_input: one row of either */

/*
 * Read a CSV (header row) or, by a .jsonl/.ndjson/.json extension, JSON
 * Lines file of at most max bytes into records.  A JSON line that does
 * not parse is reported through on_error ("FILE:LINE", why), counted in
 * *nbad and skipped; a CSV that does not parse fails whole.  0 and
 * *out and *nout (labels_rows_free after), or -1 with *cause.
 */
int records_read(const char *file, size_t max, struct label_input **out,
    int *nout, void (*on_error)(void *, const char *, const char *),
    void *arg, int *nbad, char **cause);

/*
 * Finding the item an input row names: by its `sha256` column, or by the
 * column `key` holding a path relative to the input file's directory, an
 * absolute path, a base name naming one item, or a sha256.
 */
struct item_finder {
	struct store *st;
	struct sql_stmt *bysha, *bypath, *byname;
	char *dir;
	/* Base names of every item_sources path, sorted, read on the first
	 * lookup by base name (one query, not a scan per row). */
	struct finder_name {
		const char *name; /* into names_buf */
		long long item;
	} *names;
	size_t nnames;
	char *names_buf;
	int names_read;
	/* Items by sha256, fetched ahead for a file's rows
	 * (item_finder_prefetch), sorted by sha256. */
	struct finder_sha {
		char sha[65];
		long long item;
	} *shas;
	size_t nshas;
};
int item_finder_init(struct store *st, const char *file,
    struct item_finder *f, char **cause);
/*
 * The items the n records name by sha256 (the sha256 column, or a sha256
 * in column key; key NULL: "path" when a record has one, else "file"),
 * fetched a few hundred to a statement, so that
 * item_finder_find answers them without a query each (on PostgreSQL a
 * round trip each).  A failure here only leaves the rows to their own
 * queries, which report it.
 */
void item_finder_prefetch(struct item_finder *f, const char *key,
    const struct record *const *recs, int n);
/* 0 and *item, or ITEM_FINDER_BAD / _FAILED with *why (caller frees). */
int item_finder_find(struct item_finder *f, const char *key,
    const struct record *r, long long *item, char **why);
void item_finder_free(struct item_finder *f);

/*
 * item_finder_find's returns: 0 found, ITEM_FINDER_BAD the row's problem
 * (report it, go on), ITEM_FINDER_FAILED the store's (stop: *why has
 * sqlite3_errmsg).
 */
#define ITEM_FINDER_BAD (-1)
#define ITEM_FINDER_FAILED (-2)

int is_sha256(const char *s);

/*
 * queue.c, for what labelers write (label.c, tags.c).  Role checks say
 * "labeling".  queue_begin: BEGIN IMMEDIATE, then the labeler check
 * inside it, so the check and the write it guards see the same
 * membership (a refusal's audit row is committed).  queue_item_exists:
 * -1 with "no item N in this project" or a store error.  queue_lease_drop:
 * drop user's lease on item, inside the caller's transaction.  0 or -1.
 */
int queue_require(struct store *st, const char *user, char **cause);
int queue_begin(struct store *st, const char *user, char **cause);
int queue_item_exists(struct store *st, long long item, char **cause);
int queue_lease_drop(struct store *st, const char *user, long long item,
    char **cause);
/* A numeric setting in force (overlap, ordinal), as project_load reads
 * it, without the rest of the project; 0 or -1 with *cause. */
int project_setting_int(struct store *st, const char *key, int *v,
    char **cause);
/* s ends in suf, ignoring case. */
int has_suffix(const char *s, const char *suf);

#endif
