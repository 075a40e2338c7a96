/*
 * store_pg.h: the PostgreSQL driver (core/store_pg.c) under core/sql.c and
 * core/store.c.  Core only; nothing else calls it.
 */
#ifndef ACCORD_STORE_PG_H
#define ACCORD_STORE_PG_H

#include "internal.h"

/* sql_step's result for an error of the server (sql_errmsg says which). */
#define SQL_PG_ERROR 1

/* path is a libpq URI (postgresql:// or postgres://). */
int pg_is_uri(const char *path);
/* SQLite's parameters (?N, ?) as $N; *nparams the largest N; used[N-1]
 * set for each N the text holds (used may be NULL). */
char *pg_translate(const char *sql, int *nparams, unsigned char *used,
    size_t nused);

/* Connect st (st->path the URI); 0, or -1 with *cause. */
int pg_connect(struct store *st, char **cause);
void pg_close(struct store *st);
const char *pg_errmsg(struct store *st);
/* Statements with no parameters, several allowed; 0 or -1. */
int pg_exec(struct store *st, const char *sql);
/* A transaction of the caller's is open (or failed and not yet rolled
 * back); the driver's own, for its cursors, does not count. */
int pg_in_tx(struct store *st);
/* store_begin began a transaction; write: with the writer lock. */
void pg_tx_began(struct store *st, int write);
/* sql_stream's call: s runs as a cursor, PG_FETCH rows a fetch. */
void pg_stmt_stream(struct sql_stmt *s);

/* sql.c's calls, for a statement of a PostgreSQL store. */
int pg_prepare(struct store *st, const char *sql, struct sql_stmt **out,
    int *cacheable);
void pg_stmt_free(struct sql_stmt *s);
void pg_bind_text(struct sql_stmt *s, int i, const char *v);
void pg_bind_int(struct sql_stmt *s, int i, long long v);
void pg_bind_double(struct sql_stmt *s, int i, double v);
void pg_bind_null(struct sql_stmt *s, int i);
void pg_bind_blob(struct sql_stmt *s, int i, const void *p, size_t n);
void pg_clear_bindings(struct sql_stmt *s);
int pg_step(struct sql_stmt *s);
/* pg_step of a statement that commits asynchronously by itself, and the
 * wait for its flush, in one round trip: durable when it returns a row. */
int pg_step_flushed(struct sql_stmt *s);
void pg_reset(struct sql_stmt *s);
int pg_col_count(struct sql_stmt *s);
enum sql_col_kind pg_col_type(struct sql_stmt *s, int i);
long long pg_col_int64(struct sql_stmt *s, int i);
double pg_col_double(struct sql_stmt *s, int i);
const char *pg_col_text(struct sql_stmt *s, int i);
int pg_col_bytes(struct sql_stmt *s, int i);
const void *pg_col_blob(struct sql_stmt *s, int i, size_t *n);
int pg_param_count(struct sql_stmt *s);

#endif
