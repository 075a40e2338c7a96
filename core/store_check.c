/*
 * store_check.c: is the store whole?  PRAGMA integrity_check, then the
 * tables kept by trigger counted again from `labels` in one pass: the
 * packed rows (item_labels, schema 4) and the queue's counts
 * (item_labelers, queue_levels, labeler_levels, labeler_rows, schema 5).
 *
 * The pass reads every item, its label rows in id order and its packed
 * and counted rows side by side, in item order, and keeps only sums by
 * (labeler, batch, level): memory grows with the labelers and batches,
 * never with the items or labels.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "label_int.h"
#include "sqlutil.h"

/*
 * A sum the pass keeps: kind SUM_LEVEL, the items of (batch, n) (name
 * unused); SUM_MINE, labeler's items in force at (batch, n); SUM_ROWS,
 * labeler's label rows.  In an open-addressing table.
 */
enum sum_kind { SUM_LEVEL, SUM_MINE, SUM_ROWS };

struct sum {
	char *name;		/* NULL: a free slot */
	size_t len;
	enum sum_kind kind;
	long long batch, n, count;
	int seen;		/* met in the table it is compared with */
};

struct sums {
	struct sum *v;
	size_t cap, used;
};

static uint64_t
sum_hash(enum sum_kind kind, const char *name, size_t len, long long batch,
    long long n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)kind;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3ULL;
	h = (h ^ (uint64_t)batch) * 0x100000001b3ULL;
	return (h ^ (uint64_t)n) * 0x100000001b3ULL;
}

/* The slot of the key: its entry, or the free slot where it would go. */
static struct sum *
sum_slot(struct sums *t, enum sum_kind kind, const char *name, size_t len,
    long long batch, long long n)
{
	size_t i = (size_t)sum_hash(kind, name, len, batch, n) & (t->cap - 1);

	for (;; i = (i + 1) & (t->cap - 1)) {
		struct sum *e = &t->v[i];

		if (e->name == NULL || (e->kind == kind && e->batch == batch &&
		    e->n == n && e->len == len && memcmp(e->name, name,
		    len) == 0))
			return e;
	}
}

static void sums_grow(struct sums *t);

/* Adds d to the key's sum. */
static void
sum_add(struct sums *t, enum sum_kind kind, const char *name, size_t len,
    long long batch, long long n, long long d)
{
	struct sum *e;

	if (2 * (t->used + 1) > t->cap)
		sums_grow(t);
	e = sum_slot(t, kind, name, len, batch, n);
	if (e->name == NULL) {
		e->name = xmalloc(len + 1);
		memcpy(e->name, name, len);
		e->name[len] = '\0';
		e->len = len;
		e->kind = kind;
		e->batch = batch;
		e->n = n;
		t->used++;
	}
	e->count += d;
}

static void
sums_grow(struct sums *t)
{
	struct sums old = *t;
	size_t i;

	t->cap = old.cap ? old.cap * 2 : 1024;
	t->v = xcalloc(t->cap, sizeof *t->v);
	for (i = 0; i < old.cap; i++)
		if (old.v[i].name != NULL)
			*sum_slot(t, old.v[i].kind, old.v[i].name,
			    old.v[i].len, old.v[i].batch, old.v[i].n) =
			    old.v[i];
	free(old.v);
}

static void
sums_free(struct sums *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		free(t->v[i].name);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* The labelers of one item and whether each has a label in force. */
struct item_pass {
	struct {
		size_t off, len;	/* the name, in names */
		int force;
	} *lab;
	size_t nlab, clab;
	struct buf names;
};

static void
item_pass_row(struct item_pass *ip, const char *name, size_t len, int force)
{
	size_t i;

	for (i = 0; i < ip->nlab; i++)
		if (ip->lab[i].len == len && memcmp(ip->names.s +
		    ip->lab[i].off, name, len) == 0)
			break;
	if (i == ip->nlab) {
		if (ip->nlab == ip->clab) {
			ip->clab = ip->clab ? ip->clab * 2 : 8;
			ip->lab = xreallocarray(ip->lab, ip->clab,
			    sizeof *ip->lab);
		}
		ip->lab[i].off = ip->names.len;
		ip->lab[i].len = len;
		buf_add(&ip->names, name, len);
		ip->nlab++;
	}
	ip->lab[i].force = force;	/* id order: the last row decides */
}

/* What the pass found wrong, table by table. */
struct findings {
	long long packed, first_packed;	/* item_labels */
	long long counted;		/* item_labelers */
};

/*
 * One item's label rows from l (positioned on the item's first row, or
 * past it): packed into want, in force into ip and the sums, the item's
 * labelers in force into *level.  Returns the step result after the
 * item's last row.
 */
static int
item_rows(struct sql_stmt *l, int rl, long long item, long long batch,
    struct buf *want, struct item_pass *ip, struct sums *t, long long *level)
{
	size_t i;
	long long n = 0;

	want->len = 0;
	ip->nlab = 0;
	ip->names.len = 0;
	while (rl == SQL_ROW && sql_col_int64(l, 0) == item) {
		struct label_entry e;

		e.id = sql_col_int64(l, 1);
		e.class_id = sql_col_int64(l, 2);
		e.guideline = sql_col_int64(l, 3);
		e.labeler = sql_text(l, 4);
		e.labeler_len = (size_t)sql_col_bytes(l, 4);
		label_pack(want, &e);
		item_pass_row(ip, e.labeler, e.labeler_len,
		    sql_col_type(l, 2) != SQL_COL_NULL);
		sum_add(t, SUM_ROWS, e.labeler, e.labeler_len, 0, 0, 1);
		rl = sql_step(l);
	}
	for (i = 0; i < ip->nlab; i++)
		n += ip->lab[i].force;
	for (i = 0; i < ip->nlab; i++)
		if (ip->lab[i].force)
			sum_add(t, SUM_MINE, ip->names.s + ip->lab[i].off,
			    ip->lab[i].len, batch, n, 1);
	sum_add(t, SUM_LEVEL, "", 0, batch, n, 1);
	*level = n;
	return rl;
}

static int
pass_prepare(struct store *st, struct sql_stmt **l, struct sql_stmt **p,
    struct sql_stmt **x, char **cause)
{
	*l = *p = *x = NULL;
	if (sql_prepare(st, "SELECT item, id, class, guideline, labeler FROM "
	    "labels ORDER BY item, id", l, cause) != 0 ||
	    sql_prepare(st, "SELECT item, rows FROM item_labels ORDER BY item",
	    p, cause) != 0 ||
	    sql_prepare(st, store_version(st) >= 5 ?
	    "SELECT i.id, i.batch, x.n, x.batch FROM items i LEFT JOIN "
	    "item_labelers x ON x.item = i.id ORDER BY i.id" :
	    "SELECT id, batch, 0, batch FROM items ORDER BY id", x,
	    cause) != 0) {
		sql_finalize(st, *l);
		sql_finalize(st, *p);
		return -1;
	}
	/* Every label, item and packed row: a batch at a time. */
	sql_stream(*l);
	sql_stream(*p);
	sql_stream(*x);
	return 0;
}

/*
 * The pass: every item with its label rows, packed rows and counted row;
 * item_labels and item_labelers compared as it goes, the sums kept for
 * the tables of sums.  0, or -1 with *cause if the store cannot be read.
 */
static int
check_pass(struct store *st, struct sums *t, struct findings *f,
    char **cause)
{
	struct sql_stmt *l, *p, *x;
	struct buf want = { 0 };
	struct item_pass ip = { 0 };
	int rl, rp, rx, ret = 0;

	if (pass_prepare(st, &l, &p, &x, cause) != 0)
		return -1;
	rl = sql_step(l);
	rp = sql_step(p);
	rx = sql_step(x);
	while (rl == SQL_ROW || rp == SQL_ROW || rx == SQL_ROW) {
		long long li = rl == SQL_ROW ? sql_col_int64(l, 0) :
		    LLONG_MAX;
		long long pi = rp == SQL_ROW ? sql_col_int64(p, 0) :
		    LLONG_MAX;
		long long xi = rx == SQL_ROW ? sql_col_int64(x, 0) :
		    LLONG_MAX;
		long long item = li < pi ? li : pi, batch = 0, level;
		int counted = 0;

		item = xi < item ? xi : item;
		if (xi == item) {
			batch = sql_col_int64(x, 1);
			counted = sql_col_type(x, 2) != SQL_COL_NULL &&
			    sql_col_int64(x, 3) == batch;
		}
		rl = item_rows(l, rl, item, batch, &want, &ip, t, &level);
		if (xi != item || !counted ||
		    sql_col_int64(x, 2) != level)
			f->counted++;
		if (want.len > 0 && (pi != item ||
		    strcmp(sql_text(p, 1), want.s) != 0) && f->packed++ == 0)
			f->first_packed = item;
		else if (want.len == 0 && pi == item && f->packed++ == 0)
			f->first_packed = item;
		if (pi == item)
			rp = sql_step(p);
		if (xi == item)
			rx = sql_step(x);
	}
	if (rl != SQL_DONE || rp != SQL_DONE || rx != SQL_DONE)
		ret = sql_fail(st, cause, "cannot compare the tables kept from "
		    "labels");
	sql_finalize(st, l);
	sql_finalize(st, p);
	sql_finalize(st, x);
	buf_free(&want);
	buf_free(&ip.names);
	free(ip.lab);
	return ret;
}

/*
 * Compare one table of sums (rows of sql: name, batch, n, count; name
 * NULL for queue_levels) with the pass's sums of kind: *bad gets the
 * places that differ.  A zero kept for a level nobody is at agrees.
 */
static int
compare_sums(struct store *st, struct sums *t, enum sum_kind kind,
    const char *sql, long long *bad, char **cause)
{
	struct sql_stmt *s;
	size_t i;
	int rc;

	*bad = 0;
	for (i = 0; i < t->cap; i++)
		t->v[i].seen = 0;
	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *name = sql_col_type(s, 0) == SQL_COL_NULL ?
		    "" : sql_text(s, 0);
		size_t len = strlen(name);
		long long c = sql_col_int64(s, 3);
		struct sum *e = t->cap == 0 ? NULL : sum_slot(t, kind, name,
		    len, sql_col_int64(s, 1), sql_col_int64(s,
		    2));

		if (e != NULL && e->name != NULL) {
			e->seen = 1;
			*bad += e->count != c;
		} else
			*bad += c != 0;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read the queue's counts");
	for (i = 0; i < t->cap; i++)
		*bad += t->v[i].name != NULL && t->v[i].kind == kind &&
		    !t->v[i].seen && t->v[i].count != 0;
	return 0;
}

/* The tables of sums against the pass; 0, or -1 naming the first. */
static int
check_sums(struct store *st, struct sums *t, char **cause)
{
	static const struct {
		const char *what, *sql;
		enum sum_kind kind;
	} q[] = {
		{ "queue_levels (items per level)", "SELECT NULL, batch, n, "
		  "items FROM queue_levels", SUM_LEVEL },
		{ "labeler_levels (each labeler's items per level)", "SELECT "
		  "labeler, batch, n, items FROM labeler_levels", SUM_MINE },
		{ "labeler_rows (each labeler's label rows)", "SELECT labeler, "
		  "0, 0, rows FROM labeler_rows", SUM_ROWS },
	};
	long long bad;
	size_t i;

	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		if (compare_sums(st, t, q[i].kind, q[i].sql, &bad, cause) != 0)
			return -1;
		if (bad > 0)
			return acc_error(cause, "%s differs from the labels in "
			    "%lld place%s", q[i].what, bad, bad == 1 ? "" :
			    "s");
	}
	return 0;
}

/* The tables kept from labels by trigger, counted again (above). */
static int
check_derived(struct store *st, char **cause)
{
	struct sums t = { 0 };
	struct findings f = { 0 };
	int v = store_version(st), r = -1;

	if (v < 4)
		return 0;
	if (check_pass(st, &t, &f, cause) != 0)
		goto out;
	if (f.packed > 0) {
		acc_error(cause, "item_labels (the packed label rows) differs "
		    "from labels on %lld item%s, the first item %lld",
		    f.packed, f.packed == 1 ? "" : "s", f.first_packed);
		goto out;
	}
	if (v >= 5 && f.counted > 0) {
		acc_error(cause, "item_labelers (each item's labelers in force) "
		    "differs from the labels in %lld place%s", f.counted,
		    f.counted == 1 ? "" : "s");
		goto out;
	}
	r = v >= 5 ? check_sums(st, &t, cause) : 0;
out:
	sums_free(&t);
	return r;
}

int
store_check(struct store *st, char **cause)
{
	struct sql_stmt *s;
	struct buf b = { 0 };
	int rc, ok = 1;

	/* PostgreSQL checks its own pages; the derived state is ours. */
	if (st->kind == STORE_PG)
		return check_derived(st, cause);
	if (sql_prepare(st, "PRAGMA integrity_check", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *t = sql_text(s, 0);

		if (strcmp(t, "ok") != 0) {
			ok = 0;
			if (b.len > 0)
				buf_puts(&b, "; ");
			buf_puts(&b, t);
		}
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		buf_free(&b);
		return sql_fail(st, cause, "integrity check failed");
	}
	if (!ok) {
		acc_error(cause, "integrity check: %s", b.s);
		buf_free(&b);
		return -1;
	}
	return check_derived(st, cause);
}
