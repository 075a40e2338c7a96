/*
 * status.c: project summary counts and item listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/status.h"
#include "internal.h"
#include "queue_pg.h"

static int
counts(struct store *st, const char *sql, struct status_count **out, int *n,
    char **cause)
{
	struct sql_stmt *s;
	int rc;

	*out = NULL;
	*n = 0;
	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		*out = xreallocarray(*out, (size_t)*n + 1, sizeof **out);
		(*out)[*n].name = xstrdup(sql_text(s, 0));
		(*out)[*n].n = sql_col_int64(s, 1);
		(*out)[*n].m = sql_col_count(s) > 2 ?
		    sql_col_int64(s, 2) : 0;
		(*n)++;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read status");
	return 0;
}

static void
counts_free(struct status_count *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

/* Items by kind and batch, as every member may read them. */
static int
item_counts(struct store *st, struct status *o, char **cause)
{
	return counts(st, "SELECT kind, count(*) FROM items GROUP BY kind "
	    "ORDER BY kind", &o->kinds, &o->nkinds, cause) != 0 ||
	    counts(st, "SELECT b.name, (SELECT count(*) FROM items i WHERE "
	    "i.batch = b.id), (SELECT count(*) FROM item_sources s WHERE "
	    "s.batch = b.id) FROM batches b ORDER BY b.id", &o->batches,
	    &o->nbatches, cause) != 0 ? -1 : 0;
}

/*
 * A labeler on PostgreSQL reads no level counts and no one else's labels
 * (blind labeling, enforced by the server): the items, and their own
 * labels in force and rows (accord.progress, labeler_rows' own row).
 */
static int
status_own(struct store *st, const char *user, struct status *o,
    char **cause)
{
	long long done, rem, rows = 0;
	int i;

	o->own_only = 1;
	o->items_complete = o->items_partial = o->items_unlabeled = -1;
	if (queue_pg_progress(st, 0, &done, &rem, cause) != 0 ||
	    sql_int(st, "SELECT rows FROM labeler_rows WHERE labeler = ?",
	    user, &rows, cause) < 0)
		return -1;
	if (store_begin(st, 0, cause) != 0)
		return -1;
	if (item_counts(st, o, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	store_commit(st, NULL);
	for (i = 0; i < o->nkinds; i++)
		o->items += o->kinds[i].n;
	o->labels_current = done;
	o->label_rows = rows;
	if (rows > 0) {
		o->labelers = xcalloc(1, sizeof *o->labelers);
		o->labelers[0] = (struct status_count){ xstrdup(user), done,
		    rows };
		o->nlabelers = 1;
	}
	return 0;
}

int
status_read(struct store *st, const char *user, int overlap,
    struct status *o, char **cause)
{
	struct sql_stmt *s;
	enum role role;
	int rc, i;

	memset(o, 0, sizeof *o);
	if (project_require(st, user, ROLE_LABELER, "reading the status",
	    cause) != 0)
		return -1;
	if (st->kind == STORE_PG) {
		if (project_role(st, user, &role, cause) != 0)
			return -1;
		if (role < ROLE_SME) {
			if (status_own(st, user, o, cause) == 0)
				return 0;
			status_free(o);
			return -1;
		}
	}
	/* One read transaction: every figure comes from the same snapshot. */
	if (store_begin(st, 0, cause) != 0)
		return -1;
	/*
	 * The queue's counts (schema 5, kept by trigger in the label's own
	 * transaction) answer what passes over items and labels took: items
	 * per level of labelers in force, each labeler's rows and items in
	 * force.  0.2 s at 1M items x 3 labels, against 1.4 s reading every
	 * packed row and 10.6 s per item.
	 */
	if (sql_prepare(st, "SELECT coalesce(sum(items), 0), "
	    "coalesce(sum(n * items), 0), coalesce(sum(CASE WHEN n >= ?1 THEN "
	    "items END), 0), coalesce(sum(CASE WHEN n > 0 AND n < ?1 THEN "
	    "items END), 0) FROM queue_levels", &s, cause) != 0)
		goto fail;
	sql_bind_int(s, 1, overlap);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		o->items = sql_col_int64(s, 0);
		o->labels_current = sql_col_int64(s, 1);
		o->items_complete = sql_col_int64(s, 2);
		o->items_partial = sql_col_int64(s, 3);
	}
	if (rc != SQL_ROW)
		sql_fail(st, cause, "cannot read status");
	sql_finalize(st, s);
	if (rc != SQL_ROW)
		goto fail;
	o->items_unlabeled = o->items - o->items_complete - o->items_partial;
	if (item_counts(st, o, cause) != 0 ||
	    counts(st, "SELECT r.labeler, (SELECT coalesce(sum(items), 0) "
	    "FROM labeler_levels l WHERE l.labeler = r.labeler), r.rows FROM "
	    "labeler_rows r ORDER BY r.labeler", &o->labelers, &o->nlabelers,
	    cause) != 0)
		goto fail;
	for (i = 0; i < o->nlabelers; i++)
		o->label_rows += o->labelers[i].m;
	store_commit(st, NULL);
	return 0;
fail:
	store_rollback(st);
	status_free(o);
	return -1;
}

void
status_free(struct status *s)
{
	counts_free(s->kinds, s->nkinds);
	counts_free(s->batches, s->nbatches);
	counts_free(s->labelers, s->nlabelers);
	memset(s, 0, sizeof *s);
}

/* Item columns a --where may name, and the SQL each compares. */
static const struct {
	const char *key, *expr;
} item_cols[] = {
	{ "kind", "i.kind" },
	{ "format", "i.format" },
	{ "batch", "b.name" },
	{ "sha256", "i.sha256" },
	{ "path", "i.path" },
};

/*
 * Appends to q the items' FROM and WHERE, one condition per --where (two
 * parameters each: key, value).  Returns 0, or -1 with *cause for a --where
 * that is not KEY=VALUE.
 */
static int
items_where(struct buf *q, const char *const *where, int nwhere,
    char **cause)
{
	int i, k, param = 1;

	buf_puts(q, " FROM items i JOIN batches b ON b.id = i.batch "
	    "WHERE true");
	for (i = 0; i < nwhere; i++) {
		const char *eq = strchr(where[i], '=');
		size_t klen;
		int col = -1;

		if (eq == NULL || eq == where[i])
			return acc_error(cause, "--where wants KEY=VALUE, not "
			    "'%s'", where[i]);
		klen = (size_t)(eq - where[i]);
		for (k = 0; k < (int)(sizeof item_cols / sizeof *item_cols);
		    k++)
			if (strlen(item_cols[k].key) == klen &&
			    strncmp(where[i], item_cols[k].key, klen) == 0)
				col = k;
		if (col >= 0)
			buf_printf(q, " AND %s = ?%d", item_cols[col].expr,
			    param + 1);
		else
			/* Metric values are numbers: compare as text too. */
			buf_printf(q, " AND EXISTS (SELECT 1 FROM current_meta "
			    "cm WHERE cm.item = i.id AND cm.key = ?%d AND "
			    "(cm.value = ?%d OR CAST(cm.value AS TEXT) = ?%d))",
			    param, param + 1, param + 1);
		param += 2;
	}
	return 0;
}

/*
 * The item query (items_where's conditions, ordered by id) in *items,
 * and the query of those items' metadata in force in *meta (item, key,
 * the value as sql_meta_value gives it; by item, then key).
 */
static int
items_query(struct store *st, struct buf *items, struct buf *meta,
    const char *const *where, int nwhere, char **cause)
{
	struct buf w = { 0 };

	if (items_where(&w, where, nwhere, cause) != 0) {
		buf_free(&w);
		return -1;
	}
	buf_printf(items, "SELECT i.id, i.path, i.sha256, i.kind, i.format, "
	    "b.name, i.imported_at, i.bytes, i.width, i.height, i.depth, "
	    "i.channels, i.rate, i.frames%s ORDER BY i.id", w.s);
	buf_printf(meta, "SELECT m.item, m.key, %s FROM current_meta m "
	    "WHERE m.item IN (SELECT i.id%s) ORDER BY m.item, m.key",
	    sql_meta_value(st), w.s);
	buf_free(&w);
	return 0;
}

/* Binds each --where's key and value to the parameters items_query made. */
static void
items_bind_where(struct sql_stmt *s, const char *const *where, int nwhere)
{
	int i;

	for (i = 0; i < nwhere; i++) {
		const char *eq = strchr(where[i], '=');
		char *key = xstrndup(where[i], (size_t)(eq - where[i]));

		sql_bind_text(s, 2 * i + 1, key);
		sql_bind_text(s, 2 * i + 2, eq + 1);
		free(key);
	}
}

/* One row of items_query into row (its strings are s's). */
static void
item_row_read(struct sql_stmt *s, struct item_row *row)
{
	memset(row, 0, sizeof *row);
	row->id = sql_col_int64(s, 0);
	row->path = sql_text(s, 1);
	row->sha256 = sql_text(s, 2);
	row->kind = sql_text(s, 3);
	row->format = sql_text(s, 4);
	row->batch = sql_text(s, 5);
	row->imported_at = sql_text(s, 6);
	row->bytes = sql_col_int64(s, 7);
	row->width = sql_col_int(s, 8);
	row->height = sql_col_int(s, 9);
	row->depth = sql_col_int(s, 10);
	row->channels = sql_col_int(s, 11);
	row->rate = sql_col_int(s, 12);
	row->frames = sql_col_int64(s, 13);
}

/*
 * An item's metadata in force, reused from item to item: kv[i] points into
 * vals (key, value), which item_meta_clear frees.
 */
struct item_meta {
	struct item_meta_kv *kv;
	char **vals;
	int n, cap;
};

/*
 * Item id's metadata into mb from the metadata cursor m (rows by item,
 * then key; *mrc its last step, SQL_ROW when it stands on a row not yet
 * taken): rows of items before id are passed over (an item the item
 * query did not list), id's are taken.  Returns SQL_ROW or SQL_DONE, else
 * the failed step's code.
 */
static int
item_meta_read(struct sql_stmt *m, int *mrc, long long id,
    struct item_meta *mb)
{
	mb->n = 0;
	for (; *mrc == SQL_ROW; *mrc = sql_step(m)) {
		struct item_meta_kv *kv;
		char **v;
		long long item = sql_col_int64(m, 0);

		if (item > id)
			break;
		if (item < id)
			continue;
		if (mb->n == mb->cap) {
			mb->cap = mb->cap ? mb->cap * 2 : 16;
			mb->kv = xreallocarray(mb->kv, (size_t)mb->cap,
			    sizeof *mb->kv);
			mb->vals = xreallocarray(mb->vals, (size_t)mb->cap * 2,
			    sizeof *mb->vals);
		}
		kv = &mb->kv[mb->n];
		v = &mb->vals[2 * mb->n];
		v[0] = xstrdup(sql_text(m, 1));
		if (meta_type(m, 2) == SQL_COL_REAL ||
		    meta_type(m, 2) == SQL_COL_INT) {
			v[1] = xasprintf("%.10g", sql_col_double(m, 4));
			kv->numeric = 1;
		} else {
			v[1] = xstrdup(sql_text(m, 2));
			kv->numeric = 0;
		}
		kv->key = v[0];
		kv->value = v[1];
		mb->n++;
	}
	return *mrc;
}

static void
item_meta_clear(struct item_meta *mb)
{
	int k;

	for (k = 0; k < 2 * mb->n; k++)
		free(mb->vals[k]);
	mb->n = 0;
}

/*
 * The items and their metadata are two statements read side by side, both
 * in id order (streamed: memory does not grow with the store), so the
 * metadata costs one pass rather than a query per item (on PostgreSQL a
 * round trip each: 100,000 items took 8 times SQLite's time).  Both are
 * read from one snapshot: SQLite's read transaction lasts while either
 * statement is open, and PostgreSQL's cursors share the driver's own
 * (REPEATABLE READ) transaction.
 */
int
items_each(struct store *st, const char *user, const char *const *where,
    int nwhere, int (*fn)(void *, const struct item_row *), void *arg,
    char **cause)
{
	struct buf q = { 0 }, mq = { 0 };
	struct sql_stmt *s = NULL, *m = NULL;
	struct item_meta mb = { 0 };
	int rc, mrc, r = 0;

	if (project_require(st, user, ROLE_LABELER, "listing items", cause)
	    != 0)
		return -1;
	if (items_query(st, &q, &mq, where, nwhere, cause) != 0) {
		buf_free(&q);
		buf_free(&mq);
		return -1;
	}
	if (sql_prepare(st, q.s, &s, cause) != 0 ||
	    sql_prepare(st, mq.s, &m, cause) != 0) {
		r = -1;
		goto out;
	}
	sql_stream(s);
	sql_stream(m);
	items_bind_where(s, where, nwhere);
	items_bind_where(m, where, nwhere);
	mrc = sql_step(m);
	while ((rc = sql_step(s)) == SQL_ROW) {
		struct item_row row;

		item_row_read(s, &row);
		if (item_meta_read(m, &mrc, row.id, &mb) == SQL_ROW ||
		    mrc == SQL_DONE) {
			row.nmeta = mb.n;
			row.meta = mb.kv;
			r = fn(arg, &row);
		} else
			r = sql_fail(st, cause, "cannot read metadata");
		item_meta_clear(&mb);
		if (r != 0)
			goto out;
	}
	if (rc != SQL_DONE)
		r = sql_fail(st, cause, "cannot read items");
out:
	sql_finalize(st, s);
	sql_finalize(st, m);
	free(mb.kv);
	free(mb.vals);
	buf_free(&q);
	buf_free(&mq);
	return r;
}
