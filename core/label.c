/*
 * label.c: the label rule: writing a label row (insert, supersede, undo),
 * which row is in force, and the packed per-item encoding (label_int.h).
 *
 * Blind labeling: every query here that reads labels filters on the
 * caller's own rows.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/label.h"
#include "accord/project.h"
#include "label_int.h"
#include "sqlutil.h"
#include "queue_int.h"
#include "queue_pg.h"

/* --- packed entries -------------------------------------------------- */

void
label_pack(struct buf *b, const struct label_entry *e)
{
	if (e->class_id > 0)
		buf_printf(b, "%lld,%lld,%lld,%zu:", e->id, e->class_id,
		    e->guideline, e->labeler_len);
	else
		buf_printf(b, "%lld,,%lld,%zu:", e->id, e->guideline,
		    e->labeler_len);
	buf_add(b, e->labeler, e->labeler_len);
	buf_add(b, ";", 1);
}

/* Digits at *p, advancing *p; 0 when there are none. */
static int
unpack_num(const char **p, long long *v)
{
	const char *q = *p;
	long long x = 0;

	while (*q >= '0' && *q <= '9' && x < LLONG_MAX / 10)
		x = x * 10 + (*q++ - '0');
	if (q == *p)
		return 0;
	*v = x;
	*p = q;
	return 1;
}

int
label_unpack(const char **p, struct label_entry *e)
{
	const char *s = *p;
	long long id, cls = 0, g, n;

	if (*s == '\0')
		return 0;
	if (!unpack_num(&s, &id) || *s++ != ',')
		return -1;
	if (*s != ',' && !unpack_num(&s, &cls))
		return -1;
	if (*s++ != ',' || !unpack_num(&s, &g) || *s++ != ',' ||
	    !unpack_num(&s, &n) || *s++ != ':' ||
	    (long long)strnlen(s, (size_t)n + 1) < n + 1 || s[n] != ';')
		return -1;
	if (id <= e->id)
		return -1;
	e->id = id;
	e->class_id = cls;
	e->guideline = g;
	e->labeler = s;
	e->labeler_len = (size_t)n;
	*p = s + n + 1;
	return 1;
}

/* --- the newest row of a pair ------------------------------------------ */

int
label_newest_prepare(struct store *st, struct sql_stmt **s, char **cause)
{
	return sql_prepare(st, LABEL_NEWEST_ROW("id, class, note", "?1", "?2",
	    ""), s, cause);
}

int
label_newest(struct store *st, struct sql_stmt *s, long long item,
    const char *labeler, long long *id, int *class_id, char **note,
    char **cause)
{
	int rc;

	*id = 0;
	*class_id = 0;
	if (note != NULL)
		*note = NULL;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, labeler);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		*id = sql_col_int64(s, 0);
		if (sql_col_type(s, 1) != SQL_COL_NULL) {
			*class_id = sql_col_int(s, 1);
			if (note != NULL)
				*note = xstrdup(sql_text(s, 2));
		}
	}
	sql_reset(s);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/* --- writing ----------------------------------------------------------- */

#define LABEL_COLS "INSERT INTO labels (item, labeler, class, note, " \
	"guideline, seconds_spent, created_at, supersedes, origin, " \
	"label_import, recorded_by, view) VALUES "
#define LABEL_NPARAM 12

int
label_writer_open(struct store *st, struct label_writer *w, char **cause)
{
	memset(w, 0, sizeof *w);
	w->st = st;
	if (label_newest_prepare(st, &w->newest, cause) != 0 ||
	    sql_prepare(st, LABEL_COLS "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "RETURNING id", &w->insert, cause) != 0) {
		label_writer_close(w);
		return -1;
	}
	return 0;
}

void
label_writer_close(struct label_writer *w)
{
	sql_finalize(w->st, w->newest);
	sql_finalize(w->st, w->insert);
	memset(w, 0, sizeof *w);
}

/*
 * The pair's newest row, which row supersedes (0: none), in *prev;
 * refuses a withdrawal with nothing in force.
 */
static int
row_prev(struct label_writer *w, const struct label_new *row,
    long long *prev, char **cause)
{
	int cur;

	if (label_newest(w->st, w->newest, row->item, row->labeler, prev,
	    &cur, NULL, cause) != 0)
		return -1;
	if (row->class_id == 0 && cur == 0)
		return acc_error(cause, "%s has no label on item %lld to "
		    "withdraw", row->labeler, row->item);
	return 0;
}

/* Binds row's 12 values from parameter base + 1 on. */
static void
row_bind(struct sql_stmt *s, int base, const struct label_new *row,
    long long prev)
{
	sql_bind_int(s, base + 1, row->item);
	sql_bind_text(s, base + 2, row->labeler);
	if (row->class_id > 0)
		sql_bind_int(s, base + 3, row->class_id);
	else
		sql_bind_null(s, base + 3);
	sql_bind_text(s, base + 4, row->note ? row->note : "");
	sql_bind_int(s, base + 5, row->guideline);
	if (row->seconds >= 0 && isfinite(row->seconds))
		sql_bind_double(s, base + 6, row->seconds);
	else
		sql_bind_null(s, base + 6);
	sql_bind_text(s, base + 7, row->created_at);
	if (prev > 0)
		sql_bind_int(s, base + 8, prev);
	else
		sql_bind_null(s, base + 8);
	sql_bind_text(s, base + 9, row->label_import > 0 ? "import" :
	    "screen");
	if (row->label_import > 0)
		sql_bind_int(s, base + 10, row->label_import);
	else
		sql_bind_null(s, base + 10);
	sql_bind_text(s, base + 11, row->recorded_by);
	if (row->view != NULL)
		sql_bind_text(s, base + 12, row->view);
	else
		sql_bind_null(s, base + 12);
}

int
label_write(struct label_writer *w, const struct label_new *row,
    long long *id, char **cause)
{
	struct sql_stmt *s = w->insert;
	long long prev, new_id;

	if (row_prev(w, row, &prev, cause) != 0)
		return -1;
	row_bind(s, 0, row, prev);
	if (sql_insert_id(w->st, s, &new_id, cause) != 1)
		return -1;
	if (id != NULL)
		*id = new_id;
	return 0;
}

/*
 * The newest row of each of the n rows' pairs (distinct pairs), in one
 * statement rather than one a row (on PostgreSQL a round trip each: 3 s
 * of a 30,000-label import's 9.7 s): prev[i], 0 for none; a withdrawal
 * with nothing in force is refused as row_prev refuses it.
 */
static int
rows_prev(struct label_writer *w, const struct label_new *rows, int n,
    long long *prev, char **cause)
{
	struct sql_stmt *s;
	struct buf sql = { 0 };
	int i, r, rc;

	buf_puts(&sql, "WITH v (n, item, labeler) AS (VALUES ");
	for (i = 0; i < n; i++)
		buf_printf(&sql, "%s(%d, ?, ?)", i ? ", " : "", i);
	buf_puts(&sql, ") SELECT v.n, l.id, l.class FROM v LEFT JOIN labels l "
	    "ON l.id = (SELECT max(m.id) FROM labels m WHERE m.item = v.item "
	    "AND m.labeler = v.labeler) ORDER BY v.n");
	r = sql_prepare(w->st, sql.s, &s, cause);
	buf_free(&sql);
	if (r != 0)
		return -1;
	for (i = 0; i < n; i++) {
		sql_bind_int(s, 2 * i + 1, rows[i].item);
		sql_bind_text(s, 2 * i + 2, rows[i].labeler);
		prev[i] = -1;
	}
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long k = sql_col_int64(s, 0);

		if (k < 0 || k >= n)
			continue;
		prev[k] = sql_col_type(s, 1) == SQL_COL_NULL ? 0 :
		    sql_col_int64(s, 1);
		if (rows[k].class_id == 0 && sql_col_type(s, 2) ==
		    SQL_COL_NULL) {
			sql_finalize(w->st, s);
			return acc_error(cause, "%s has no label on item %lld "
			    "to withdraw", rows[k].labeler, rows[k].item);
		}
	}
	sql_finalize(w->st, s);
	if (rc != SQL_DONE)
		return sql_fail(w->st, cause, "cannot read labels");
	for (i = 0; i < n; i++)
		if (prev[i] < 0)
			return acc_error(cause, "cannot read labels: no newest "
			    "row for item %lld", rows[i].item);
	return 0;
}

int
label_write_many(struct label_writer *w, const struct label_new *rows,
    int n, char **cause)
{
	struct sql_stmt *s;
	struct buf sql = { 0 };
	long long *prev;
	int i, r;

	if (n <= 0)
		return 0;
	prev = xcalloc((size_t)n, sizeof *prev);
	if (rows_prev(w, rows, n, prev, cause) != 0) {
		free(prev);
		return -1;
	}
	buf_puts(&sql, LABEL_COLS);
	for (i = 0; i < n; i++)
		buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" :
		    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	r = sql_prepare(w->st, sql.s, &s, cause);
	buf_free(&sql);
	if (r == 0) {
		for (i = 0; i < n; i++)
			row_bind(s, i * LABEL_NPARAM, &rows[i], prev[i]);
		r = sql_step_done(w->st, s, cause);
		sql_finalize(w->st, s);
	}
	free(prev);
	return r;
}

/* Whether class id is one of the project's: 1, 0 or -1. */
static int
class_exists(struct store *st, int id, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT 1 FROM classes WHERE id = ?", &s,
	    cause) != 0)
		return -1;
	sql_bind_int(s, 1, id);
	rc = sql_next(st, s, cause);
	sql_finalize(st, s);
	return rc;
}

/*
 * Write user's row on item from the label screen inside the caller's
 * transaction: class_id 0 withdraws.  Checks what only the store can tell
 * (item, class, something to withdraw); text was checked by the caller.
 */
static int
put_row(struct store *st, const char *user, long long item, int class_id,
    const char *note, double seconds, const char *view, long long *label_id,
    char **cause)
{
	struct label_writer w;
	struct label_new row;
	long long version;
	char now[32];
	int r;

	if (queue_item_exists(st, item, cause) != 0)
		return -1;
	/* Two look-ups, not project_load: this runs under the write lock. */
	if (class_id > 0 && (r = class_exists(st, class_id, cause)) <= 0)
		return r < 0 ? -1 : acc_error(cause, "class %d is not a class "
		    "of this project", class_id);
	if (sql_int(st, "SELECT max(version) FROM guidelines", NULL,
	    &version, cause) != 1)
		return -1;
	acc_now_iso(now);
	row = (struct label_new){ item, user, class_id, note, (int)version,
	    seconds, now, 0, user, view };
	if (label_writer_open(st, &w, cause) != 0)
		return -1;
	r = label_write(&w, &row, label_id, cause);
	label_writer_close(&w);
	if (r != 0)
		return -1;
	/* The slot is now held by the label itself.  (PostgreSQL:
	 * accord.label_put.) */
	return queue_lease_drop(st, user, item, cause);
}

/*
 * user's newest label in force, for an undo: *item (0: none).  Walks
 * user's rows newest first (labels_labeler); repeated undos therefore
 * walk back through the history.  0 or -1.
 */
static int
undo_target(struct store *st, const char *user, long long *item,
    char **cause)
{
	struct sql_stmt *s;
	int rc;

	*item = 0;
	if (sql_prepare(st, "SELECT item FROM current_labels WHERE "
	    "labeler = ? ORDER BY id DESC LIMIT 1", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	rc = sql_step(s);
	if (rc == SQL_ROW)
		*item = sql_col_int64(s, 0);
	sql_finalize(st, s);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/*
 * put_shared on PostgreSQL: accord.label_put (core/schema_pg.c, migration
 * 3) writes the row as put_row does, under the writer lock, in one call
 * that is its own transaction, and the wait for its flush goes in the
 * same round trip (queue_pg_label): the lock is held on the server only,
 * from the call's start to its commit, never across a round trip to the
 * client, and never through an fsync (concurrent labelers share
 * flushes).  Made of separate statements, a label was eight round trips
 * (one labeler alone: 5.7 ms a label; 16 at once: commit p50 53 ms, p99
 * 138 ms, 174 labels/s; tests/stress/labelers.sh, STRESS_PG=1).  The
 * server checks the role; the client says why it refused
 * (queue_pg_refused).
 */
static int
put_shared_pg(struct store *st, const char *user, long long *item,
    int class_id, const char *note, double seconds, const char *view,
    long long *label_id, char **cause)
{
	int undo = *item == 0;
	char now[32];

	acc_now_iso(now);
	if (queue_pg_label(st, item, class_id, note, seconds, now, view,
	    label_id, cause) != 0) {
		if (undo)
			*item = 0;
		return queue_pg_refused(st, user, cause);
	}
	return 0;
}

/*
 * put_row in its own transaction, durable when this returns 0: committed
 * under synchronous=NORMAL, then the WAL synced outside the write lock
 * (store_sync_wal: group commit).  *item 0 asks for an undo: the item is
 * user's newest label in force, 0 if none (nothing written).
 */
static int
put_shared(struct store *st, const char *user, long long *item, int class_id,
    const char *note, double seconds, const char *view, long long *label_id,
    char **cause)
{
	int undo = *item == 0, r = -1;

	if (st->kind == STORE_PG)
		return put_shared_pg(st, user, item, class_id, note, seconds,
		    view, label_id, cause);
	queue_lease_sync(st, 0);
	if (queue_begin(st, user, cause) != 0)
		goto out;
	if ((undo && undo_target(st, user, item, cause) != 0) ||
	    (*item != 0 && put_row(st, user, *item, class_id, note, seconds,
	    view, label_id, cause) != 0) || store_commit(st, cause) != 0) {
		store_rollback(st);
		if (undo)
			*item = 0;
		goto out;
	}
	r = *item != 0 ? store_sync_wal(st, cause) : 0;
out:
	queue_lease_sync(st, 1);
	return r;
}

int
label_put(struct store *st, const char *user, long long item, int class_id,
    const char *note, double seconds, long long *label_id, char **cause)
{
	return label_put_view(st, user, item, class_id, note, seconds, NULL,
	    label_id, cause);
}

int
label_put_view(struct store *st, const char *user, long long item,
    int class_id, const char *note, double seconds, const char *view,
    long long *label_id, char **cause)
{
	const char *why;

	if (class_id < 0)
		return acc_error(cause, "class %d is not a class of this "
		    "project", class_id);
	if (note != NULL && (why = acc_text_problem(note, 0)) != NULL)
		return acc_error(cause, "the note %s", why);
	if (view != NULL && (why = acc_text_problem(view, 0)) != NULL)
		return acc_error(cause, "the view %s", why);
	return put_shared(st, user, &item, class_id, note, seconds,
	    view != NULL && *view != '\0' ? view : NULL, label_id, cause);
}

int
label_undo(struct store *st, const char *user, long long *item, char **cause)
{
	*item = 0;
	return put_shared(st, user, item, 0, "", -1, NULL, NULL, cause);
}

int
label_mine(struct store *st, const char *user, long long item, int *class_id,
    char **note, char **cause)
{
	struct sql_stmt *s;
	long long id;
	int r;

	*class_id = 0;
	*note = NULL;
	if (queue_require(st, user, cause) != 0 ||
	    label_newest_prepare(st, &s, cause) != 0)
		return -1;
	r = label_newest(st, s, item, user, &id, class_id, note, cause);
	sql_finalize(st, s);
	return r;
}

int
label_history(struct store *st, const char *user, long long **items, int *n,
    char **cause)
{
	return label_history_recent(st, user, -1, items, n, cause);
}

int
label_history_recent(struct store *st, const char *user, int max,
    long long **items, int *n, char **cause)
{
	struct sql_stmt *s;
	long long *v = NULL, t;
	size_t cap = 0, k = 0, i;
	int rc;

	*items = NULL;
	*n = 0;
	if (queue_require(st, user, cause) != 0)
		return -1;
	/*
	 * The row in force is the pair's newest, so ordering rows in force by
	 * id orders items by user's newest label on them.  Newest first
	 * through labels_labeler (labeler, id), so `max` rows cost `max`
	 * seeks however many labels user has (the whole list of 900,000
	 * labels took 1.5-2.8 s); reversed below.
	 */
	if (sql_prepare(st, "SELECT item FROM current_labels WHERE "
	    "labeler = ? ORDER BY id DESC LIMIT ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_int(s, 2, max);
	while ((rc = sql_step(s)) == SQL_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[k++] = sql_col_int64(s, 0);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		free(v);
		return sql_fail(st, cause, "cannot read labels");
	}
	if (k > 0x7fffffff) {
		free(v);
		return acc_error(cause, "too many labels to list");
	}
	for (i = 0; i < k / 2; i++) {
		t = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = t;
	}
	*items = v;
	*n = (int)k;
	return 0;
}
