/*
 * review_queue.c: the disagreement queue of the SME review, ordered by
 * vote entropy (include/accord/review.h).
 *
 * The votes come from one pass over item_labels (schema 4: every label
 * row of an item packed in one value, in id order, core/label_int.h), one
 * row per item, where each labeler's last row on the item is their label
 * in force (label_stream).  Grouping current_labels by item and class
 * asked the index for the newest row of every label row and sorted the
 * groups in a temporary B-tree, its seeks falling out of the cache as the
 * store grew: 11.5 s a queue at 1M items x 3 labels against 0.8 s now
 * (the review started in 16 s at 1M and 128 s at 5M, issue 14).  Only the
 * few items with a settling decision need their labels' times, read by id.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/review.h"
#include "accord/suggest.h"
#include "label_int.h"
#include "review_int.h"

/* The newest adjudication of an item (adjudications are few: all kept). */
struct decision {
	long long item;
	int settles;		/* status 'class' or 'ambiguous' */
	char *at;
};

static int
decisions_read(struct store *st, struct decision **out, int *n, char **cause)
{
	struct sql_stmt *s;
	int rc, cap = 0;

	*out = NULL;
	*n = 0;
	if (sql_prepare(st, "SELECT item, status, created_at FROM "
	    "adjudications a WHERE id = (SELECT max(id) FROM adjudications b "
	    "WHERE b.item = a.item) ORDER BY item", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, (size_t)cap, sizeof **out);
		}
		(*out)[*n].item = sql_col_int64(s, 0);
		(*out)[*n].settles = strcmp(sql_text(s, 1), "relabel") != 0;
		(*out)[(*n)++].at = xstrdup(sql_text(s, 2));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read adjudications");
	return 0;
}

static void
decisions_free(struct decision *d, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(d[i].at);
	free(d);
}

/* Vote entropy in bits of counts[0..n), total labels `total`. */
static double
vote_entropy(const int *counts, int n, int total)
{
	double h = 0;
	int i;

	for (i = 0; i < n; i++) {
		double p = (double)counts[i] / total;

		if (counts[i] > 0)
			h -= p * log2(p);
	}
	return h;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct review_entry *x = a, *y = b;

	if (x->decided != y->decided)
		return x->decided - y->decided;
	/* Entropies of different vote splits differ by far more than this;
	 * equal splits give bitwise-equal sums in the same order. */
	if (fabs(x->entropy - y->entropy) > 1e-12)
		return x->entropy > y->entropy ? -1 : 1;
	if (x->nlabels != y->nlabels)
		return y->nlabels - x->nlabels;
	return x->item < y->item ? -1 : x->item > y->item;
}

/*
 * Sorting the queue.  Items of one vote split (the same decided,
 * entropy and number of labels) are ordered by id, and the queue is read
 * in id order, so each entry needs only the rank of its split among the
 * distinct splits, which are few (a handful with three labelers), and a
 * stable counting sort by rank gives entry_cmp's order in time linear in
 * the entries: qsort of 290,000 entries at 1M items was a sixth of the
 * review's start-up.
 */
struct split {
	struct review_entry key;	/* item unused */
	uint64_t bits;			/* key.entropy's */
	int rank, count;
};

static size_t
split_hash(uint64_t bits, const struct review_entry *e)
{
	return (size_t)((bits ^ (uint64_t)e->nlabels << 1 ^
	    (uint64_t)e->decided) * 0x9e3779b97f4a7c15ULL >> 40);
}

static int
split_cmp(const void *a, const void *b)
{
	struct review_entry x = ((const struct split *)a)->key;
	struct review_entry y = ((const struct split *)b)->key;

	x.item = y.item = 0;
	return entry_cmp(&x, &y);
}

/* The splits of e[0..n) into *sp (*nsp of them), each entry's in which. */
static void
splits_find(const struct review_entry *e, int n, struct split **sp,
    int *nsp, int *which)
{
	size_t nslot = 64, i, k;
	int *slot = NULL, ns = 0, cap = 0, j;

	*sp = NULL;
	for (j = 0; j < n; j++) {
		uint64_t bits;

		if (slot == NULL || (size_t)ns * 2 >= nslot) {
			nslot = slot == NULL ? nslot : nslot * 2;
			free(slot);
			slot = xcalloc(nslot, sizeof *slot);
			for (k = 0; k < (size_t)ns; k++) {
				i = split_hash((*sp)[k].bits, &(*sp)[k].key);
				while (slot[i & (nslot - 1)] != 0)
					i++;
				slot[i & (nslot - 1)] = (int)k + 1;
			}
		}
		memcpy(&bits, &e[j].entropy, sizeof bits);
		/* Slots hold split + 1; 0 is empty. */
		for (i = split_hash(bits, &e[j]);
		    (k = (size_t)slot[i & (nslot - 1)]) != 0; i++) {
			const struct split *t = &(*sp)[k - 1];

			if (t->bits == bits && t->key.nlabels == e[j].nlabels &&
			    t->key.decided == e[j].decided)
				break;
		}
		if (k == 0) {
			if (ns == cap) {
				cap = cap ? cap * 2 : 16;
				*sp = xreallocarray(*sp, (size_t)cap,
				    sizeof **sp);
			}
			(*sp)[ns].key = e[j];
			(*sp)[ns].bits = bits;
			(*sp)[ns].count = 0;
			k = (size_t)++ns;
			slot[i & (nslot - 1)] = (int)k;
		}
		(*sp)[k - 1].count++;
		which[j] = (int)k - 1;
	}
	free(slot);
	*nsp = ns;
}

/* Sort e[0..n), in ascending item order, by entry_cmp. */
static void
queue_sort(struct review_entry *e, int n)
{
	struct split *sp, *by;
	struct review_entry *out;
	int *which = xcalloc((size_t)n + 1, sizeof *which), ns, j, r;
	int *start;

	splits_find(e, n, &sp, &ns, which);
	by = xcalloc((size_t)ns + 1, sizeof *by);
	for (j = 0; j < ns; j++) {
		by[j] = sp[j];
		by[j].rank = j;		/* where it came from, for now */
	}
	qsort(by, (size_t)ns, sizeof *by, split_cmp);
	/* Splits that compare equal (entropies a rounding apart) share a
	 * rank, so their items mix by id as entry_cmp orders them. */
	start = xcalloc((size_t)ns + 1, sizeof *start);
	for (j = 0, r = 0; j < ns; j++) {
		if (j > 0 && split_cmp(&by[j - 1], &by[j]) != 0)
			r++;
		sp[by[j].rank].rank = r;
		start[r + 1] += by[j].count;
	}
	for (j = 1; j <= ns; j++)
		start[j] += start[j - 1];
	out = xcalloc((size_t)n + 1, sizeof *out);
	for (j = 0; j < n; j++)
		out[start[sp[which[j]].rank]++] = e[j];
	memcpy(e, out, (size_t)n * sizeof *e);
	free(out);
	free(start);
	free(by);
	free(sp);
	free(which);
}

/* The filter's names as ids; -1 with *cause for names the store lacks. */
static int
filter_ids(struct store *st, const struct review_filter *f, int *ca, int *cb,
    long long *batch, char **cause)
{
	struct project p;
	const struct class_def *a, *b;

	*ca = *cb = 0;
	*batch = 0;
	if ((f->class_a == NULL) != (f->class_b == NULL))
		return acc_error(cause, "a class pair needs both classes (A/B)");
	if (f->class_a != NULL) {
		if (project_load(st, &p, cause) != 0)
			return -1;
		a = project_class(&p, f->class_a);
		b = project_class(&p, f->class_b);
		if (a == NULL || b == NULL) {
			const char *name = a == NULL ? f->class_a : f->class_b;
			char *tail = suggest_class(&p, name);

			acc_error(cause, "no class named '%s' in this project "
			    "(%s)", name, tail);
			free(tail);
			project_free(&p);
			return -1;
		}
		*ca = a->id;
		*cb = b->id;
		project_free(&p);
	}
	if (f->batch != NULL) {
		if (suggest_batch_id(st, f->batch, batch, cause) != 0)
			return -1;
	}
	return 0;
}

/* --- each labeler's row in force on an item ------------------------------- */

/*
 * The labeler names met in the packed rows, each numbered in order of
 * first appearance, so an item's rows are matched to their labelers by
 * number: an open-addressing table of the names (FNV-1a), kept at most
 * half full.  There are few labelers and many rows.
 */
struct names {
	char **name;
	size_t *len;
	int n;
	int *slot;		/* index into name, -1 empty */
	size_t nslot;		/* a power of two */
};

static uint64_t
name_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void
names_grow(struct names *nm)
{
	size_t i, nslot = nm->nslot ? nm->nslot * 2 : 64;
	int k;

	free(nm->slot);
	nm->slot = xcalloc(nslot, sizeof *nm->slot);
	for (i = 0; i < nslot; i++)
		nm->slot[i] = -1;
	nm->nslot = nslot;
	for (k = 0; k < nm->n; k++) {
		i = name_hash(nm->name[k], nm->len[k]) & (nslot - 1);
		while (nm->slot[i] >= 0)
			i = (i + 1) & (nslot - 1);
		nm->slot[i] = k;
	}
}

/* The number of the name s (n bytes), numbering it if it is new. */
static int
names_index(struct names *nm, const char *s, size_t n)
{
	size_t i;
	int k;

	if ((size_t)nm->n * 2 >= nm->nslot)
		names_grow(nm);
	i = name_hash(s, n) & (nm->nslot - 1);
	for (; (k = nm->slot[i]) >= 0; i = (i + 1) & (nm->nslot - 1))
		if (nm->len[k] == n && memcmp(nm->name[k], s, n) == 0)
			return k;
	nm->name = xreallocarray(nm->name, (size_t)nm->n + 1, sizeof *nm->name);
	nm->len = xreallocarray(nm->len, (size_t)nm->n + 1, sizeof *nm->len);
	nm->name[nm->n] = xstrndup(s, n);
	nm->len[nm->n] = n;
	nm->slot[i] = nm->n;
	return nm->n++;
}

static void
names_free(struct names *nm)
{
	int k;

	for (k = 0; k < nm->n; k++)
		free(nm->name[k]);
	free(nm->name);
	free(nm->len);
	free(nm->slot);
	memset(nm, 0, sizeof *nm);
}

/*
 * One item's labels in force, gathered from its packed rows: per labeler
 * number k, the newest row (held[k], valid while seen[k] is the item) and
 * the labelers met on the item in order (touched[0..nt)).
 */
struct pass {
	struct names nm;
	int cap;		/* size of seen, held and touched */
	long long *seen;
	struct label_entry *held;
	int *touched, nt;
};

/* Read one item's packed rows into p; 0, or -1 if they are damaged. */
static int
pass_item(struct pass *p, long long item, const char *v)
{
	struct label_entry e = { 0 };
	int k, more;

	p->nt = 0;
	while ((more = label_unpack(&v, &e)) == 1) {
		k = names_index(&p->nm, e.labeler, e.labeler_len);
		if (k >= p->cap) {
			int cap = p->cap ? p->cap * 2 : 16;

			p->seen = xreallocarray(p->seen, (size_t)cap,
			    sizeof *p->seen);
			p->held = xreallocarray(p->held, (size_t)cap,
			    sizeof *p->held);
			p->touched = xreallocarray(p->touched, (size_t)cap,
			    sizeof *p->touched);
			memset(p->seen + p->cap, 0,
			    (size_t)(cap - p->cap) * sizeof *p->seen);
			p->cap = cap;
		}
		if (p->seen[k] != item) {
			p->seen[k] = item;
			p->touched[p->nt++] = k;
		}
		/* Rows come in id order: the last one of a labeler is the
		 * newest, in force unless it withdraws (class 0). */
		p->held[k] = e;
	}
	return more;
}

static void
pass_free(struct pass *p)
{
	names_free(&p->nm);
	free(p->seen);
	free(p->held);
	free(p->touched);
}

/* --- the queue ------------------------------------------------------------ */

/* One item's votes: its classes in ascending id order, as the entropy's
 * sum takes them. */
struct tally {
	long long item;
	int cls[PROJECT_MAX_CLASSES], cnt[PROJECT_MAX_CLASSES], n, total;
	int nforce;		/* labels in force passing the filter */
};

/* The labels in force of the item in p that pass the guideline filter. */
static void
tally_votes(struct tally *t, const struct pass *p, int guideline)
{
	int i, j, c;

	for (i = 0; i < p->nt; i++) {
		const struct label_entry *e = &p->held[p->touched[i]];

		if (e->class_id == 0 ||
		    (guideline != 0 && e->guideline != guideline))
			continue;
		t->total++;
		c = (int)e->class_id;
		for (j = 0; j < t->n && t->cls[j] < c; j++)
			;
		if (j < t->n && t->cls[j] == c) {
			t->cnt[j]++;
			continue;
		}
		if (t->n == PROJECT_MAX_CLASSES)
			continue;
		memmove(&t->cls[j + 1], &t->cls[j],
		    (size_t)(t->n - j) * sizeof t->cls[0]);
		memmove(&t->cnt[j + 1], &t->cnt[j],
		    (size_t)(t->n - j) * sizeof t->cnt[0]);
		t->cls[j] = c;
		t->cnt[j] = 1;
		t->n++;
	}
}

/*
 * The newest time of the labels tallied (ISO 8601 UTC text, at most 31
 * bytes kept) into newest, read by id; 0, or -1 with *cause.
 */
static int
newest_time(struct store *st, struct sql_stmt *at, const struct pass *p,
    int guideline, char newest[32], char **cause)
{
	int i, rc;

	newest[0] = '\0';
	for (i = 0; i < p->nt; i++) {
		const struct label_entry *e = &p->held[p->touched[i]];

		if (e->class_id == 0 ||
		    (guideline != 0 && e->guideline != guideline))
			continue;
		sql_bind_int(at, 1, e->id);
		rc = sql_step(at);
		if (rc == SQL_ROW && strcmp(sql_text(at, 0), newest) > 0)
			snprintf(newest, 32, "%s", sql_text(at, 0));
		sql_reset(at);
		if (rc != SQL_ROW && rc != SQL_DONE)
			return sql_fail(st, cause, "cannot read a label's time");
	}
	return 0;
}

/* What the pass over the items needs besides each item's rows. */
struct queue_ctx {
	struct store *st;
	const struct review_filter *f;
	int ca, cb;
	const struct decision *d;
	int nd, di;
	struct sql_stmt *at;	/* a label's created_at by id */
	struct review_entry *out;
	int n, cap;
};

/* Finish the item in p: append it to the queue if it passes. */
static int
queue_item(struct queue_ctx *q, const struct pass *p, long long item,
    char **cause)
{
	struct tally t;
	char newest[32];
	int i, has_a = 0, has_b = 0, decided = 0;

	memset(&t, 0, sizeof t);
	t.item = item;
	tally_votes(&t, p, q->f->guideline);
	if (t.n < 2)
		return 0;
	for (i = 0; i < t.n; i++) {
		has_a |= t.cls[i] == q->ca;
		has_b |= t.cls[i] == q->cb;
	}
	if (q->ca != 0 && !(has_a && has_b))
		return 0;
	while (q->di < q->nd && q->d[q->di].item < item)
		q->di++;
	/* ISO 8601 UTC strings of one width compare as times. */
	if (q->di < q->nd && q->d[q->di].item == item && q->d[q->di].settles) {
		if (newest_time(q->st, q->at, p, q->f->guideline, newest,
		    cause) != 0)
			return -1;
		decided = strcmp(q->d[q->di].at, newest) >= 0;
	}
	if (decided && q->f->hide_decided)
		return 0;
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->out = xreallocarray(q->out, (size_t)q->cap, sizeof *q->out);
	}
	q->out[q->n].item = item;
	q->out[q->n].entropy = vote_entropy(t.cnt, t.n, t.total);
	q->out[q->n].nlabels = t.total;
	q->out[q->n].nclasses = t.n;
	q->out[q->n++].decided = decided;
	return 0;
}

/*
 * Prepares the packed label rows of the items that pass f's batch and
 * metadata conditions, by item.  Returns 0, or -1 with *cause.
 */
static int
items_prepare(struct store *st, const struct review_filter *f,
    long long batch, struct sql_stmt **s, char **cause)
{
	struct buf sql = { 0 };
	int i, r;

	/* Fixed SQL text; every value the user gave is bound.  Items are
	 * joined only for a batch: a seek per item otherwise spent. */
	buf_puts(&sql, "SELECT l.item, l.rows FROM item_labels l");
	if (batch != 0)
		buf_puts(&sql, " JOIN items i ON i.id = l.item AND "
		    "i.batch = ?1");
	buf_puts(&sql, " WHERE true");
	/*
	 * A number is shown as %.4g (queue_meta), so match that too: on
	 * PostgreSQL (no printf) as the value rounded to 4 significant
	 * digits equal to the filter read as a number.
	 */
	for (i = 0; i < f->nmeta; i++)
		buf_printf(&sql, st->kind == STORE_PG ?
		    " AND EXISTS (SELECT 1 FROM current_meta m WHERE m.item = "
		    "l.item AND m.key = ?%d AND (m.value = ?%d OR CASE WHEN "
		    "m.value_type IN ('integer', 'real') AND ?%d ~ "
		    "'^[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?$' THEN CASE "
		    "WHEN m.value_num = 0 THEN CAST(?%d AS numeric) = 0 ELSE "
		    "round(CAST(m.value_num AS numeric), 3 - CAST(floor(log("
		    "abs(CAST(m.value_num AS numeric)))) AS integer)) = "
		    "CAST(?%d AS numeric) END ELSE false END))" :
		    " AND EXISTS (SELECT 1 FROM current_meta m "
		    "WHERE m.item = l.item AND m.key = ?%d AND "
		    "(CAST(m.value AS TEXT) = ?%d OR (typeof(m.value) IN "
		    "('integer', 'real') AND printf('%%.4g', m.value) = ?%d)))",
		    2 + 2 * i, 3 + 2 * i, 3 + 2 * i, 3 + 2 * i, 3 + 2 * i);
	buf_puts(&sql, " ORDER BY l.item");
	r = sql_prepare(st, sql.s, s, cause);
	buf_free(&sql);
	if (r != 0)
		return -1;
	if (batch != 0)
		sql_bind_int(*s, 1, batch);
	for (i = 0; i < f->nmeta; i++) {
		sql_bind_text(*s, 2 + 2 * i, f->meta_key[i]);
		sql_bind_text(*s, 3 + 2 * i, f->meta_value[i]);
	}
	return 0;
}

/* The pass over the items, inside the caller's read transaction. */
static int
queue_read(struct queue_ctx *q, long long batch, char **cause)
{
	struct pass p;
	struct sql_stmt *s = NULL;
	int rc, ret = -1;

	memset(&p, 0, sizeof p);
	if (sql_prepare(q->st, "SELECT created_at FROM labels WHERE id = ?1",
	    &q->at, cause) != 0 ||
	    items_prepare(q->st, q->f, batch, &s, cause) != 0)
		goto done;
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long item = sql_col_int64(s, 0);

		if (pass_item(&p, item, sql_text(s, 1)) != 0) {
			acc_error(cause, "the packed label rows of item %lld "
			    "are damaged (item_labels); accord check tells "
			    "more", item);
			goto done;
		}
		if (queue_item(q, &p, item, cause) != 0)
			goto done;
	}
	if (rc != SQL_DONE)
		sql_fail(q->st, cause, "cannot read labels");
	else
		ret = 0;
done:
	sql_finalize(q->st, s);
	sql_finalize(q->st, q->at);
	q->at = NULL;
	pass_free(&p);
	return ret;
}

/* No filter: every disagreed item. */
static const struct review_filter no_filter;

/*
 * The start of a read of the queue: *f defaulted, user allowed (refusals
 * audited), the read transaction begun.  0, or -1 with *cause.
 */
static int
review_begin(struct store *st, const char *user,
    const struct review_filter **f, char **cause)
{
	if (*f == NULL)
		*f = &no_filter;
	if (project_require(st, user, ROLE_SME, REVIEW_WHAT, cause) != 0)
		return -1;
	return store_begin(st, 0, cause);
}

int
review_check(struct store *st, const char *user,
    const struct review_filter *f, char **cause)
{
	long long batch;
	int ca, cb, r;

	if (review_begin(st, user, &f, cause) != 0)
		return -1;
	r = filter_ids(st, f, &ca, &cb, &batch, cause);
	store_rollback(st);
	return r;
}

int
review_queue(struct store *st, const char *user, const struct review_filter *f,
    struct review_entry **out, int *n, char **cause)
{
	struct queue_ctx q;
	struct decision *d = NULL;
	long long batch;
	int nd = 0, r;

	*out = NULL;
	*n = 0;
	if (review_begin(st, user, &f, cause) != 0)
		return -1;
	memset(&q, 0, sizeof q);
	q.st = st;
	q.f = f;
	r = filter_ids(st, f, &q.ca, &q.cb, &batch, cause);
	if (r == 0)
		r = decisions_read(st, &d, &nd, cause);
	q.d = d;
	q.nd = nd;
	if (r == 0)
		r = queue_read(&q, batch, cause);
	decisions_free(d, nd);
	store_rollback(st);
	if (r != 0) {
		free(q.out);
		return -1;
	}
	if (q.n > 1)
		queue_sort(q.out, q.n);
	*out = q.out;
	*n = q.n;
	return 0;
}
