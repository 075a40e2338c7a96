/*
 * queue_item.c: an item as the label screen shows it: its row and its
 * metadata in force, and nobody's labels.
 */
#include <stdlib.h>
#include <string.h>

#include "queue_int.h"

void
queue_item_free(struct queue_item *it)
{
	int i;

	if (it == NULL)
		return;
	for (i = 0; i < it->nmeta; i++) {
		free(it->meta[i].key);
		free(it->meta[i].value);
	}
	free(it->meta);
	free(it->path);
	free(it->sha256);
	free(it->kind);
	memset(it, 0, sizeof *it);
}

/* Metric values are REAL (printed %.4g for the screen); CSV values are
 * text and shown as written ("007" stays "007"). */
static char *
meta_value(struct sql_stmt *s, int col)
{
	switch (meta_type(s, col)) {
	case SQL_COL_REAL:
		return xasprintf("%.4g", sql_col_double(s, col + 2));
	case SQL_COL_INT:
		return xasprintf("%lld", sql_col_int64(s, col + 2));
	case SQL_COL_NULL:
		return xstrdup("");
	default:
		return xstrdup(sql_text(s, col));
	}
}

void
queue_item_meta_add(struct queue_item *out, struct sql_stmt *s, int col)
{
	/* Doubling at powers of two from 16: nmeta is the capacity's
	 * measure. */
	if (out->nmeta >= 16 ? (out->nmeta & (out->nmeta - 1)) == 0 :
	    out->nmeta == 0)
		out->meta = xreallocarray(out->meta, out->nmeta ?
		    (size_t)out->nmeta * 2 : 16, sizeof *out->meta);
	out->meta[out->nmeta].key = xstrdup(sql_text(s, col));
	out->meta[out->nmeta++].value = meta_value(s, col + 1);
}

/* The item's row and current metadata, with no one's labels. */
int
queue_item_read(struct store *st, long long id, struct queue_item *out,
    char **cause)
{
	struct sql_stmt *s;
	char *q;
	int rc;

	memset(out, 0, sizeof *out);
	if (sql_prepare(st, "SELECT path, sha256, kind FROM items WHERE id = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, id);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		out->id = id;
		out->path = xstrdup(sql_text(s, 0));
		out->sha256 = xstrdup(sql_text(s, 1));
		out->kind = xstrdup(sql_text(s, 2));
	}
	sql_finalize(st, s);
	if (rc == SQL_DONE)
		return acc_error(cause, "no item %lld in this project", id);
	if (rc != SQL_ROW)
		return sql_fail(st, cause, "cannot read items");
	q = xasprintf("SELECT m.key, %s FROM current_meta m WHERE m.item = ? "
	    "ORDER BY m.key", sql_meta_value(st));
	rc = sql_prepare(st, q, &s, cause);
	free(q);
	if (rc != 0)
		goto fail;
	sql_bind_int(s, 1, id);
	while ((rc = sql_step(s)) == SQL_ROW)
		queue_item_meta_add(out, s, 0);
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		sql_fail(st, cause, "cannot read item metadata");
		goto fail;
	}
	return 0;
fail:
	queue_item_free(out);
	return -1;
}

/*
 * queue_item_load has no user argument in its contract; the role is checked
 * for the OS user running the process, who is the identity everywhere else.
 */
int
queue_item_load(struct store *st, long long id, struct queue_item *out,
    char **cause)
{
	int r;

	memset(out, 0, sizeof *out);
	if (queue_require(st, acc_os_user(), cause) != 0)
		return -1;
	/* One snapshot: the item and its metadata agree. */
	if (store_begin(st, 0, cause) != 0)
		return -1;
	r = queue_item_read(st, id, out, cause);
	store_rollback(st);
	return r;
}
