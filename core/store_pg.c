/*
 * store_pg.c: the PostgreSQL driver under core/sql.c's statements.
 *
 * Core writes its SQL once, in the dialect both stores read (numbered
 * parameters ?N, ON CONFLICT, RETURNING, IS DISTINCT FROM, coalesce); this
 * driver rewrites the parameters as $N and runs the statement with libpq.
 * A statement kept in the cache (sql.c) is prepared on the server the
 * first time it runs, with the types of that run's values, and runs by
 * name after that.  A query's rows are fetched whole when it first steps,
 * so a caller may run other statements while it reads them, as with
 * SQLite.  A statement marked with sql_stream (the readers of a whole
 * large table) runs as a cursor instead and its rows come PG_FETCH at a
 * time, so memory does not grow with the table; other statements may
 * still run between its rows (see "Reading a large table" in
 * docs/design.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "store_pg.h"

/* Type OIDs (PostgreSQL's catalog/pg_type_d.h, stable across versions). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* Rows per FETCH of a streamed statement. */
#define PG_FETCH 1024
/* The idle limit in a transaction, and in a reader's while it streams
 * (pg_stream_open). */
#define PG_IDLE "'5s'"
#define PG_READER_IDLE "'10min'"

struct pg_conn {
	PGconn *c;
	char *err;		/* the last error, for sql_errmsg */
	unsigned long next_name;
	unsigned long next_cursor;
	/* Cursors live in a transaction: tx counts the transactions seen to
	 * end (the connection found idle after a command), so a cursor
	 * knows whether the one it was declared in is still open. */
	unsigned long tx;
	int ncursors;		/* open cursors of the transaction tx */
	int own_tx;		/* the driver began tx for its cursors */
	int write_tx;		/* store_begin(st, 1)'s transaction is open */
	int idle_set;		/* tx's idle timeout is the reader's */
	struct pg_stmt *ahead;	/* its next FETCH is on the way, or NULL */
};

struct pg_stmt {
	char *sql;		/* with $N parameters */
	int nparams;
	char **vals;		/* bound values as text; NULL: SQL NULL */
	unsigned *types;	/* OID of each bound value, 0 unknown */
	unsigned char *used;	/* each parameter appears in the text */
	int cacheable;
	char name[24];		/* server-side name once prepared, or "" */
	struct pg_conn *pc;
	int stream;		/* sql_stream: read through a cursor */
	char cursor[24];	/* the open cursor, or "" */
	unsigned long cursor_tx; /* pc->tx when it was declared */
	PGresult *res;		/* the rows of the run in progress (a
				 * streamed statement: of its last FETCH) */
	PGresult *next;		/* the FETCH after, taken in (pg_drain) */
	int has_next;		/* next is that FETCH's result (NULL: the
				 * connection failed) */
	int row;		/* the row sql_step gave last; -1 none */
	int done;		/* ran to its end */
	unsigned char *blob;	/* sql_col_blob's bytes (PQunescapeBytea) */
};

int
pg_is_uri(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	    strncmp(path, "postgres://", 11) == 0;
}

static void
pg_set_err(struct pg_conn *pc, const char *msg)
{
	size_t n;

	free(pc->err);
	pc->err = xstrdup(msg != NULL && *msg != '\0' ? msg : "unknown error");
	/* libpq ends its messages with a newline (sometimes several lines:
	 * DETAIL, HINT): one line is kept, as SQLite's. */
	n = strcspn(pc->err, "\n");
	pc->err[n] = '\0';
	if (strncmp(pc->err, "ERROR:  ", 8) == 0)
		memmove(pc->err, pc->err + 8, strlen(pc->err + 8) + 1);
}

const char *
pg_errmsg(struct store *st)
{
	return st->pg->err != NULL ? st->pg->err : "not an error";
}

/*
 * Rewrite SQLite's parameters as PostgreSQL's: ?N as $N, a bare ? as one
 * more than the largest number so far (SQLite's rule).  Quoted strings
 * and identifiers are copied as they are.  Returns the new text and sets
 * *nparams to the largest number.
 */
char *
pg_translate(const char *sql, int *nparams, unsigned char *used,
    size_t nused)
{
	struct buf b = { 0 };
	const char *p = sql;
	int max = 0;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			const char *e = p + 1;

			for (;;) {
				if (*e == '\0')
					break;
				if (*e == q) {
					if (e[1] == q) {
						e += 2;
						continue;
					}
					e++;
					break;
				}
				e++;
			}
			buf_add(&b, p, (size_t)(e - p));
			p = e;
		} else if (*p == '?') {
			char num[16];
			int n;

			p++;
			if (*p >= '0' && *p <= '9') {
				n = 0;
				while (*p >= '0' && *p <= '9' && n < 100000)
					n = n * 10 + (*p++ - '0');
			} else
				n = max + 1;
			if (n > max)
				max = n;
			if (used != NULL && (size_t)n <= nused)
				used[n - 1] = 1;
			snprintf(num, sizeof num, "$%d", n);
			buf_puts(&b, num);
		} else if (*p == '-' && p[1] == '-') {
			const char *e = p + strcspn(p, "\n");

			buf_add(&b, p, (size_t)(e - p));
			p = e;
		} else
			buf_add(&b, p++, 1);
	}
	*nparams = max;
	return b.s != NULL ? b.s : xstrdup("");
}

static void
pg_blob_free(struct pg_stmt *ps)
{
	if (ps->blob != NULL)
		PQfreemem(ps->blob);
	ps->blob = NULL;
}

/*
 * Note the connection's state after a command: found idle, the
 * transaction it was in has ended, and its cursors with it.
 */
static void
pg_note(struct pg_conn *pc)
{
	if (PQtransactionStatus(pc->c) != PQTRANS_IDLE)
		return;
	pc->tx++;
	pc->ncursors = 0;
	pc->own_tx = 0;
	pc->write_tx = 0;
	pc->idle_set = 0;
}

/*
 * A FETCH sent ahead (pg_fetch) is taken in before the connection runs
 * anything else: libpq runs one command at a time.
 */
static void
pg_drain(struct pg_conn *pc)
{
	struct pg_stmt *ps = pc->ahead;
	PGresult *r, *keep = NULL;

	if (ps == NULL)
		return;
	pc->ahead = NULL;
	while ((r = PQgetResult(pc->c)) != NULL) {
		if (keep == NULL)
			keep = r;
		else
			PQclear(r);
	}
	pg_note(pc);
	ps->next = keep;
	ps->has_next = 1;
}

/* Run a command whose result is not wanted (cleaning up: the error of
 * the caller's last statement stays in pc->err). */
static void
pg_quiet_exec(struct pg_conn *pc, const char *sql)
{
	pg_drain(pc);
	PQclear(PQexec(pc->c, sql));
	pg_note(pc);
}

/* The driver's own transaction ends with the last of its cursors. */
static void
pg_own_end(struct pg_conn *pc)
{
	if (!pc->own_tx)
		return;
	pg_quiet_exec(pc, PQtransactionStatus(pc->c) == PQTRANS_INTRANS ?
	    "COMMIT" : "ROLLBACK");
	pc->own_tx = 0;
}

/* Close ps's cursor if it has one (its transaction may be gone). */
static void
pg_cursor_close(struct pg_stmt *ps)
{
	struct pg_conn *pc = ps->pc;
	char q[48];

	if (ps->cursor[0] == '\0')
		return;
	if (pc->ahead == ps)
		pg_drain(pc);
	PQclear(ps->next);
	ps->next = NULL;
	ps->has_next = 0;
	if (ps->cursor_tx == pc->tx && pc->c != NULL) {
		if (PQtransactionStatus(pc->c) == PQTRANS_INTRANS) {
			snprintf(q, sizeof q, "CLOSE %s", ps->cursor);
			pg_quiet_exec(pc, q);
		}
		if (ps->cursor_tx == pc->tx && --pc->ncursors == 0 &&
		    pc->own_tx)
			pg_own_end(pc);
		else if (ps->cursor_tx == pc->tx && pc->ncursors == 0 &&
		    pc->idle_set && PQtransactionStatus(pc->c) ==
		    PQTRANS_INTRANS) {
			/* The caller's transaction goes on without a
			 * stream: its own limit again. */
			pg_quiet_exec(pc, "SET LOCAL idle_in_transaction_"
			    "session_timeout = " PG_IDLE);
			pc->idle_set = 0;
		}
	}
	ps->cursor[0] = '\0';
}

static void
pg_clear_result(struct pg_stmt *ps)
{
	pg_cursor_close(ps);
	pg_blob_free(ps);
	PQclear(ps->res);
	ps->res = NULL;
	ps->row = -1;
	ps->done = 0;
}

int
pg_prepare(struct store *st, const char *sql, struct sql_stmt **out,
    int *cacheable)
{
	struct sql_stmt *s = xcalloc(1, sizeof *s);
	struct pg_stmt *ps = xcalloc(1, sizeof *ps);
	const char *t;

	ps->sql = pg_translate(sql, &ps->nparams, NULL, 0);
	ps->vals = xcalloc((size_t)ps->nparams + 1, sizeof *ps->vals);
	ps->types = xcalloc((size_t)ps->nparams + 1, sizeof *ps->types);
	ps->used = xcalloc((size_t)ps->nparams + 1, 1);
	free(pg_translate(sql, &ps->nparams, ps->used, (size_t)ps->nparams));
	ps->row = -1;
	ps->pc = st->pg;
	/* One statement: a text with more runs through pg_exec. */
	t = strchr(sql, ';');
	*cacheable = t == NULL || t[strspn(t, " \t\n;")] == '\0';
	ps->cacheable = *cacheable;
	s->st = st;
	s->pg = ps;
	*out = s;
	return 0;
}

void
pg_stmt_free(struct sql_stmt *s)
{
	struct pg_stmt *ps = s->pg;
	int i;

	pg_clear_result(ps);
	if (ps->name[0] != '\0' && s->st->pg->c != NULL) {
		char *q = xasprintf("DEALLOCATE %s", ps->name);

		pg_quiet_exec(s->st->pg, q);
		free(q);
	}
	for (i = 0; i < ps->nparams; i++)
		free(ps->vals[i]);
	free(ps->vals);
	free(ps->types);
	free(ps->used);
	free(ps->sql);
	free(ps);
}

static struct pg_stmt *
bind_slot(struct sql_stmt *s, int i)
{
	struct pg_stmt *ps = s->pg;

	if (i < 1 || i > ps->nparams)
		acc_fatal("sql_bind: no parameter %d in %s", i, ps->sql);
	pg_clear_result(ps);
	free(ps->vals[i - 1]);
	ps->vals[i - 1] = NULL;
	return ps;
}

void
pg_bind_text(struct sql_stmt *s, int i, const char *v)
{
	struct pg_stmt *ps = bind_slot(s, i);

	ps->vals[i - 1] = v != NULL ? xstrdup(v) : NULL;
	ps->types[i - 1] = v != NULL ? OID_TEXT : 0;
}

void
pg_bind_int(struct sql_stmt *s, int i, long long v)
{
	struct pg_stmt *ps = bind_slot(s, i);

	ps->vals[i - 1] = xasprintf("%lld", v);
	ps->types[i - 1] = OID_INT8;
}

void
pg_bind_double(struct sql_stmt *s, int i, double v)
{
	struct pg_stmt *ps = bind_slot(s, i);

	ps->vals[i - 1] = xasprintf("%.17g", v);
	ps->types[i - 1] = OID_FLOAT8;
}

void
pg_bind_null(struct sql_stmt *s, int i)
{
	(void)bind_slot(s, i);
}

/* Parameters go as text: bytea's hex form, \x and two digits a byte. */
void
pg_bind_blob(struct sql_stmt *s, int i, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	struct pg_stmt *ps = bind_slot(s, i);
	const unsigned char *b = p;
	char *v;
	size_t k;

	if (n > (SIZE_MAX - 3) / 2)
		acc_fatal("sql_bind_blob: %zu bytes", n);
	v = xmalloc(2 * n + 3);
	v[0] = '\\';
	v[1] = 'x';
	for (k = 0; k < n; k++) {
		v[2 + 2 * k] = hex[b[k] >> 4];
		v[3 + 2 * k] = hex[b[k] & 15];
	}
	v[2 + 2 * n] = '\0';
	ps->vals[i - 1] = v;
	ps->types[i - 1] = OID_BYTEA;
}

void
pg_clear_bindings(struct sql_stmt *s)
{
	struct pg_stmt *ps = s->pg;
	int i;

	pg_clear_result(ps);
	ps->stream = 0;		/* sql_stream is for one use */
	for (i = 0; i < ps->nparams; i++) {
		free(ps->vals[i]);
		ps->vals[i] = NULL;
	}
}

/*
 * The next PG_FETCH rows of ps's cursor into ps->res; 0 or -1.  A full
 * batch sends the FETCH after it at once, unless another is on the way:
 * the server reads the next rows while the caller takes these, and
 * libpq holds two batches at most.
 */
static int
pg_fetch(struct pg_stmt *ps)
{
	struct pg_conn *pc = ps->pc;
	char q[64];
	PGresult *r;

	pg_blob_free(ps);
	PQclear(ps->res);
	ps->res = NULL;
	ps->row = -1;
	snprintf(q, sizeof q, "FETCH FORWARD %d FROM %s", PG_FETCH,
	    ps->cursor);
	if (pc->ahead == ps)
		pg_drain(pc);
	if (ps->has_next) {
		r = ps->next;
		ps->next = NULL;
		ps->has_next = 0;
	} else if (ps->cursor_tx != pc->tx) {
		/* A COMMIT or ROLLBACK between two rows closed it. */
		ps->cursor[0] = '\0';
		pg_set_err(pc, "a read was cut short: its transaction ended "
		    "before its last row");
		return -1;
	} else {
		pg_drain(pc);
		r = PQexec(pc->c, q);
		pg_note(pc);
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_set_err(pc, r != NULL ? PQresultErrorMessage(r) :
		    PQerrorMessage(pc->c));
		PQclear(r);
		return -1;
	}
	ps->res = r;
	/* The last rows are in hand: the cursor (and the driver's own
	 * transaction, if it was the last) can go now. */
	if (PQntuples(r) < PG_FETCH)
		pg_cursor_close(ps);
	else if (pc->ahead == NULL && PQsendQuery(pc->c, q) == 1)
		pc->ahead = ps;
	return 0;
}

/*
 * Run a streamed statement: DECLARE its cursor, with the bound values,
 * and FETCH the first rows.  A cursor lives in a transaction: with none
 * open, the driver begins its own (REPEATABLE READ, so that the cursors
 * of one pass see one snapshot; READ ONLY), ended when its last cursor
 * closes, or when the caller begins one of its own (pg_exec).  In a read
 * transaction the rows are the caller's to take at its pace: the idle
 * limit, which is there so a stopped writer cannot hold its locks, is
 * the statement limit instead (a reader holds no lock a labeler waits
 * for).  0, or -1 with the error.
 */
static int
pg_stream_open(struct sql_stmt *s)
{
	struct pg_conn *pc = s->st->pg;
	struct pg_stmt *ps = s->pg;
	PGTransactionStatusType ts;
	PGresult *r;
	char *decl;

	pg_drain(pc);
	ts = PQtransactionStatus(pc->c);
	if (ts == PQTRANS_IDLE) {
		if (pg_exec(s->st, "BEGIN ISOLATION LEVEL REPEATABLE READ "
		    "READ ONLY") != 0)
			return -1;
		pc->own_tx = 1;
	}
	if (!pc->write_tx && !pc->idle_set && ts != PQTRANS_INERROR) {
		if (pg_exec(s->st, "SET LOCAL idle_in_transaction_session_"
		    "timeout = " PG_READER_IDLE) != 0)
			goto fail;
		pc->idle_set = 1;
	}
	snprintf(ps->cursor, sizeof ps->cursor, "accord_c%lu",
	    ++pc->next_cursor);
	decl = xasprintf("DECLARE %s NO SCROLL CURSOR FOR %s", ps->cursor,
	    ps->sql);
	r = PQexecParams(pc->c, decl, ps->nparams, (const Oid *)ps->types,
	    (const char *const *)ps->vals, NULL, NULL, 0);
	free(decl);
	pg_note(pc);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_set_err(pc, r != NULL ? PQresultErrorMessage(r) :
		    PQerrorMessage(pc->c));
		PQclear(r);
		ps->cursor[0] = '\0';
		goto fail;
	}
	PQclear(r);
	ps->cursor_tx = pc->tx;
	pc->ncursors++;
	return pg_fetch(ps);
fail:
	if (pc->ncursors == 0)
		pg_own_end(pc);
	return -1;
}

/* Run the statement with its bound values; 0, or -1 with the error. */
static int
pg_run(struct sql_stmt *s)
{
	struct pg_conn *pc = s->st->pg;
	struct pg_stmt *ps = s->pg;
	PGresult *r;
	ExecStatusType es;

	int i;

	pg_drain(pc);
	/* A number the text skips (SQLite allows ?2 without ?1) has no type
	 * the server could infer: any will do. */
	for (i = 0; i < ps->nparams; i++)
		if (!ps->used[i] && ps->types[i] == 0)
			ps->types[i] = OID_TEXT;
	if (ps->stream)
		return pg_stream_open(s);
	if (ps->cacheable && ps->name[0] == '\0') {
		char name[24];

		snprintf(name, sizeof name, "a%lu", ++pc->next_name);
		r = PQprepare(pc->c, name, ps->sql, ps->nparams,
		    (const Oid *)ps->types);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_set_err(pc, PQresultErrorMessage(r));
			PQclear(r);
			return -1;
		}
		PQclear(r);
		memcpy(ps->name, name, sizeof name);
	}
	if (ps->name[0] != '\0')
		r = PQexecPrepared(pc->c, ps->name, ps->nparams,
		    (const char *const *)ps->vals, NULL, NULL, 0);
	else
		r = PQexecParams(pc->c, ps->sql, ps->nparams,
		    (const Oid *)ps->types, (const char *const *)ps->vals,
		    NULL, NULL, 0);
	pg_note(pc);
	es = PQresultStatus(r);
	if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
		pg_set_err(pc, r != NULL ? PQresultErrorMessage(r) :
		    PQerrorMessage(pc->c));
		PQclear(r);
		return -1;
	}
	ps->res = r;
	ps->row = -1;
	return 0;
}

/*
 * pg_step for a statement that commits by itself without waiting for its
 * WAL flush (a function that sets synchronous_commit off for its own
 * transaction, such as accord.label_put): in the same round trip, as a
 * libpq pipeline, a transaction that does wait (it is given an id, so it
 * writes a commit record, and its commit flushes the WAL up to there,
 * the statement's commit record with it).  When this returns a row or
 * SQL_DONE, the statement's transaction is durable; an error of either
 * is the statement's.  Concurrent callers share flushes (group commit)
 * while the statement's locks are gone at its own commit.
 */
int
pg_step_flushed(struct sql_stmt *s)
{
	struct pg_conn *pc = s->st->pg;
	struct pg_stmt *ps = s->pg;
	PGresult *r, *res = NULL;
	char name[24] = "";
	int i, syncs = 0, nulls = 0, prepared = 0, prep_ok = 0;

	pg_drain(pc);
	pg_clear_result(ps);
	for (i = 0; i < ps->nparams; i++)
		if (!ps->used[i] && ps->types[i] == 0)
			ps->types[i] = OID_TEXT;
	free(pc->err);
	pc->err = NULL;
	if (PQenterPipelineMode(pc->c) != 1) {
		pg_set_err(pc, PQerrorMessage(pc->c));
		return SQL_PG_ERROR;
	}
	if (ps->cacheable && ps->name[0] == '\0') {
		snprintf(name, sizeof name, "a%lu", ++pc->next_name);
		prepared = PQsendPrepare(pc->c, name, ps->sql, ps->nparams,
		    (const Oid *)ps->types) == 1;
	}
	if (ps->name[0] != '\0' || prepared)
		(void)PQsendQueryPrepared(pc->c, prepared ? name : ps->name,
		    ps->nparams, (const char *const *)ps->vals, NULL, NULL, 0);
	else
		(void)PQsendQueryParams(pc->c, ps->sql, ps->nparams,
		    (const Oid *)ps->types, (const char *const *)ps->vals,
		    NULL, NULL, 0);
	(void)PQpipelineSync(pc->c);
	(void)PQsendQueryParams(pc->c, "SELECT pg_current_xact_id()", 0,
	    NULL, NULL, NULL, NULL, 0);
	(void)PQpipelineSync(pc->c);
	/* Each command's results end with a NULL; each sync has its own
	 * result.  Two NULLs in a row: the connection is gone. */
	while (syncs < 2 && nulls < 2) {
		if ((r = PQgetResult(pc->c)) == NULL) {
			nulls++;
			continue;
		}
		nulls = 0;
		switch (PQresultStatus(r)) {
		case PGRES_PIPELINE_SYNC:
			syncs++;
			break;
		case PGRES_TUPLES_OK:
			if (syncs == 0 && res == NULL) {
				res = r;
				r = NULL;
			}
			break;
		case PGRES_COMMAND_OK:
			prep_ok |= syncs == 0 && prepared;
			break;
		case PGRES_PIPELINE_ABORTED:
			break;
		default:
			if (pc->err == NULL)
				pg_set_err(pc, PQresultErrorMessage(r));
			break;
		}
		PQclear(r);
	}
	if (syncs < 2 && pc->err == NULL)
		pg_set_err(pc, PQerrorMessage(pc->c));
	if (PQpipelineStatus(pc->c) != PQ_PIPELINE_OFF &&
	    PQexitPipelineMode(pc->c) != 1 && pc->err == NULL)
		pg_set_err(pc, PQerrorMessage(pc->c));
	pg_note(pc);
	if (prep_ok)
		memcpy(ps->name, name, sizeof name);
	if (pc->err != NULL || res == NULL) {
		if (pc->err == NULL)
			pg_set_err(pc, "the statement returned no rows");
		PQclear(res);
		return SQL_PG_ERROR;
	}
	ps->res = res;
	ps->row = -1;
	return pg_step(s);
}

int
pg_step(struct sql_stmt *s)
{
	struct pg_stmt *ps = s->pg;

	if (ps->done)
		return SQL_DONE;
	if (ps->res == NULL && pg_run(s) != 0)
		return SQL_PG_ERROR;
	if (ps->row + 1 < PQntuples(ps->res)) {
		ps->row++;
		return SQL_ROW;
	}
	/* A streamed statement's cursor still open: its next rows. */
	if (ps->cursor[0] != '\0') {
		if (pg_fetch(ps) != 0)
			return SQL_PG_ERROR;
		if (PQntuples(ps->res) > 0) {
			ps->row = 0;
			return SQL_ROW;
		}
	}
	ps->done = 1;
	return SQL_DONE;
}

void
pg_reset(struct sql_stmt *s)
{
	pg_clear_result(s->pg);
}

int
pg_col_count(struct sql_stmt *s)
{
	struct pg_stmt *ps = s->pg;

	if (ps->res == NULL && pg_run(s) != 0)
		return 0;
	return PQnfields(ps->res);
}

/* The row in hand's value i, or NULL (no row, no such column, NULL). */
static const char *
pg_value(struct sql_stmt *s, int i)
{
	struct pg_stmt *ps = s->pg;

	if (ps->res == NULL || ps->row < 0 || ps->row >= PQntuples(ps->res) ||
	    i < 0 || i >= PQnfields(ps->res) ||
	    PQgetisnull(ps->res, ps->row, i))
		return NULL;
	return PQgetvalue(ps->res, ps->row, i);
}

enum sql_col_kind
pg_col_type(struct sql_stmt *s, int i)
{
	struct pg_stmt *ps = s->pg;

	if (pg_value(s, i) == NULL)
		return SQL_COL_NULL;
	switch (PQftype(ps->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return SQL_COL_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return SQL_COL_REAL;
	case OID_BYTEA:
		return SQL_COL_BLOB;
	default:
		return SQL_COL_TEXT;
	}
}

/* SQLite's conversions: a text reads as the number it starts with. */
long long
pg_col_int64(struct sql_stmt *s, int i)
{
	const char *v = pg_value(s, i);
	double d;

	if (v == NULL)
		return 0;
	if (PQftype(s->pg->res, i) == OID_BOOL)
		return v[0] == 't';
	errno = 0;
	if (strpbrk(v, ".eE") != NULL) {
		d = strtod(v, NULL);
		return d >= 9.2e18 ? LLONG_MAX : d <= -9.2e18 ? LLONG_MIN :
		    (long long)d;
	}
	return strtoll(v, NULL, 10);
}

double
pg_col_double(struct sql_stmt *s, int i)
{
	const char *v = pg_value(s, i);

	if (v == NULL)
		return 0.0;
	if (PQftype(s->pg->res, i) == OID_BOOL)
		return v[0] == 't';
	return strtod(v, NULL);
}

const char *
pg_col_text(struct sql_stmt *s, int i)
{
	const char *v = pg_value(s, i);

	return v != NULL ? v : "";
}

int
pg_col_bytes(struct sql_stmt *s, int i)
{
	if (pg_value(s, i) == NULL)
		return 0;
	return PQgetlength(s->pg->res, s->pg->row, i);
}

const void *
pg_col_blob(struct sql_stmt *s, int i, size_t *n)
{
	const char *v = pg_value(s, i);
	size_t len = 0;

	pg_blob_free(s->pg);
	*n = 0;
	if (v == NULL)
		return NULL;
	/* Results come as text: bytea's hex (or escape) form. */
	s->pg->blob = PQunescapeBytea((const unsigned char *)v, &len);
	if (s->pg->blob == NULL)
		acc_fatal("PQunescapeBytea: out of memory");
	*n = len;
	return s->pg->blob;
}

int
pg_param_count(struct sql_stmt *s)
{
	return s->pg->nparams;
}

int
pg_exec(struct store *st, const char *sql)
{
	PGresult *r;
	ExecStatusType es;
	int rc = 0;

	/* The caller's transaction is its own, not a continuation of the
	 * driver's (its cursors end; a stream still open then fails). */
	pg_drain(st->pg);
	if (st->pg->own_tx && strncasecmp(sql, "BEGIN", 5) == 0)
		pg_own_end(st->pg);
	r = PQexec(st->pg->c, sql);
	pg_note(st->pg);
	es = PQresultStatus(r);

	if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
		pg_set_err(st->pg, r != NULL ? PQresultErrorMessage(r) :
		    PQerrorMessage(st->pg->c));
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int
pg_in_tx(struct store *st)
{
	/* The driver's own read transaction is not the caller's to end. */
	return PQtransactionStatus(st->pg->c) != PQTRANS_IDLE &&
	    !st->pg->own_tx;
}

void
pg_tx_began(struct store *st, int write)
{
	st->pg->write_tx = write;
}

void
pg_stmt_stream(struct sql_stmt *s)
{
	s->pg->stream = 1;
}

/* libpq's notices (NOTICE: ... from DDL) are not for the user's terminal. */
static void
pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
pg_connect(struct store *st, char **cause)
{
	struct pg_conn *pc = xcalloc(1, sizeof *pc);
	PGresult *r;

	st->kind = STORE_PG;
	st->pg = pc;
	pc->c = PQconnectdb(st->path);
	if (PQstatus(pc->c) != CONNECTION_OK) {
		pg_set_err(pc, PQerrorMessage(pc->c));
		return acc_error(cause, "cannot connect: %s", pc->err);
	}
	PQsetNoticeProcessor(pc->c, pg_quiet, NULL);
	/*
	 * A client stopped while it holds a lock (SIGSTOP, a dead SSH link)
	 * stalls the others only until the server ends its transaction;
	 * a writer waits for a lock at most as long as SQLite's busy limit.
	 */
	if (pg_exec(st, "SET search_path = accord, pg_catalog; "
	    "SET lock_timeout = '10s'; "
	    "SET idle_in_transaction_session_timeout = " PG_IDLE "; "
	    "SET statement_timeout = '10min'; "
	    /* A cursor (sql_stream) is read to its end: plan it for all
	     * its rows, not for a fast first tenth (nested loops). */
	    "SET cursor_tuple_fraction = 1; "
	    "SET client_min_messages = warning") != 0)
		return acc_error(cause, "cannot set up the connection: %s",
		    pc->err);
	/* Who is writing is the server's answer, never the client's. */
	r = PQexec(pc->c, "SELECT session_user");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		pg_set_err(pc, PQresultErrorMessage(r));
		PQclear(r);
		return acc_error(cause, "cannot read the role: %s", pc->err);
	}
	acc_identity_set(PQgetvalue(r, 0, 0));
	PQclear(r);

	return 0;
}

void
pg_close(struct store *st)
{
	if (st->pg == NULL)
		return;
	PQfinish(st->pg->c);
	st->pg->c = NULL;
	free(st->pg->err);
	free(st->pg);
	st->pg = NULL;
}
