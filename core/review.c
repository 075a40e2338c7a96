/*
 * review.c: the read side of the SME review: the disagreement queue,
 * ordered by vote entropy, and the full record of one item.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/review.h"
#include "label_int.h"

#define REVIEW_WHAT "reviewing labels"

/* --- the filter --------------------------------------------------------- */

void
review_filter_free(struct review_filter *f)
{
	int i;

	free(f->class_a);
	free(f->class_b);
	free(f->batch);
	for (i = 0; i < f->nmeta; i++) {
		free(f->meta_key[i]);
		free(f->meta_value[i]);
	}
	memset(f, 0, sizeof *f);
}

static int
filter_word(struct review_filter *f, const char *w, char **cause)
{
	const char *eq = strchr(w, '='), *sl = strchr(w, '/');
	long long v;

	if (eq == NULL) {
		if (sl == NULL || sl == w || sl[1] == '\0' ||
		    strchr(sl + 1, '/') != NULL)
			goto bad;
		free(f->class_a);
		free(f->class_b);
		f->class_a = xstrndup(w, (size_t)(sl - w));
		f->class_b = xstrdup(sl + 1);
		return 0;
	}
	if (eq == w || eq[1] == '\0')
		goto bad;
	if (strncmp(w, "batch=", 6) == 0) {
		free(f->batch);
		f->batch = xstrdup(eq + 1);
		return 0;
	}
	if (strncmp(w, "v=", 2) == 0 || strncmp(w, "guideline=", 10) == 0) {
		if (acc_parse_int(eq + 1, 1, 1000000000, &v) != 0)
			return acc_error(cause, "bad guideline version '%s' in the "
			    "filter", eq + 1);
		f->guideline = (int)v;
		return 0;
	}
	if (strncmp(w, "decided=", 8) == 0) {
		if (strcmp(eq + 1, "hide") == 0)
			f->hide_decided = 1;
		else if (strcmp(eq + 1, "show") == 0)
			f->hide_decided = 0;
		else
			return acc_error(cause, "decided= takes hide or show, not "
			    "'%s'", eq + 1);
		return 0;
	}
	if (f->nmeta == REVIEW_MAX_META)
		return acc_error(cause, "at most %d metadata conditions in a "
		    "filter", REVIEW_MAX_META);
	f->meta_key[f->nmeta] = xstrndup(w, (size_t)(eq - w));
	f->meta_value[f->nmeta++] = xstrdup(eq + 1);
	return 0;
bad:
	return acc_error(cause, "bad filter word '%s' (want A/B, batch=NAME, "
	    "v=N, decided=hide|show or KEY=VALUE)", w);
}

int
review_filter_parse(const char *text, struct review_filter *f, char **cause)
{
	char *copy = xstrdup(text ? text : ""), *w, *save = NULL;
	int r = 0;

	memset(f, 0, sizeof *f);
	for (w = strtok_r(copy, " \t", &save); w != NULL && r == 0;
	    w = strtok_r(NULL, " \t", &save))
		r = filter_word(f, w, cause);
	free(copy);
	if (r != 0)
		review_filter_free(f);
	return r;
}

char *
review_filter_text(const struct review_filter *f)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "");
	if (f->class_a != NULL && f->class_b != NULL)
		buf_printf(&b, " %s/%s", f->class_a, f->class_b);
	if (f->batch != NULL)
		buf_printf(&b, " batch=%s", f->batch);
	if (f->guideline > 0)
		buf_printf(&b, " v=%d", f->guideline);
	for (i = 0; i < f->nmeta; i++)
		buf_printf(&b, " %s=%s", f->meta_key[i], f->meta_value[i]);
	if (f->hide_decided)
		buf_puts(&b, " decided=hide");
	if (b.s[0] == ' ')
		memmove(b.s, b.s + 1, strlen(b.s));
	return b.s;
}

/* --- the queue ------------------------------------------------------------ */

/* The newest adjudication of an item (adjudications are few: all kept). */
struct decision {
	long long item;
	int settles;		/* status 'class' or 'ambiguous' */
	char *at;
};

static int
decisions_read(struct store *st, struct decision **out, int *n, char **cause)
{
	sqlite3_stmt *s;
	int rc, cap = 0;

	*out = NULL;
	*n = 0;
	if (sql_prepare(st, "SELECT item, status, created_at FROM "
	    "adjudications a WHERE id = (SELECT max(id) FROM adjudications b "
	    "WHERE b.item = a.item) ORDER BY item", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xreallocarray(*out, (size_t)cap, sizeof **out);
		}
		(*out)[*n].item = sqlite3_column_int64(s, 0);
		(*out)[*n].settles = strcmp(sql_text(s, 1), "relabel") != 0;
		(*out)[(*n)++].at = xstrdup(sql_text(s, 2));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
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

/* The filter's names as ids; -1 with *cause for names the store lacks. */
static int
filter_ids(struct store *st, const struct review_filter *f, int *ca, int *cb,
    long long *batch, char **cause)
{
	struct project p;
	const struct class_def *a, *b;
	int r;

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
			acc_error(cause, "no class named '%s' in this project",
			    a == NULL ? f->class_a : f->class_b);
			project_free(&p);
			return -1;
		}
		*ca = a->id;
		*cb = b->id;
		project_free(&p);
	}
	if (f->batch != NULL) {
		r = sql_int(st, "SELECT id FROM batches WHERE name = ?", f->batch,
		    batch, cause);
		if (r < 0)
			return -1;
		if (r == 0)
			return acc_error(cause, "no import batch named '%s'",
			    f->batch);
	}
	return 0;
}

/* One item's grouped rows, gathered while walking the result. */
struct tally {
	long long item;
	int cls[PROJECT_MAX_CLASSES], cnt[PROJECT_MAX_CLASSES], n, total;
	char newest[32];
};

/* Finish an item: append it to *out if it passes. */
static void
tally_done(const struct tally *t, const struct review_filter *f, int ca,
    int cb, const struct decision *d, int nd, int *di,
    struct review_entry **out, int *n, int *cap)
{
	int i, has_a = 0, has_b = 0, decided = 0;

	if (t->item == 0 || t->n < 2)
		return;
	for (i = 0; i < t->n; i++) {
		has_a |= t->cls[i] == ca;
		has_b |= t->cls[i] == cb;
	}
	if (ca != 0 && !(has_a && has_b))
		return;
	while (*di < nd && d[*di].item < t->item)
		(*di)++;
	/* ISO 8601 UTC strings of one width compare as times. */
	if (*di < nd && d[*di].item == t->item && d[*di].settles &&
	    strcmp(d[*di].at, t->newest) >= 0)
		decided = 1;
	if (decided && f->hide_decided)
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*out = xreallocarray(*out, (size_t)*cap, sizeof **out);
	}
	(*out)[*n].item = t->item;
	(*out)[*n].entropy = vote_entropy(t->cnt, t->n, t->total);
	(*out)[*n].nlabels = t->total;
	(*out)[*n].nclasses = t->n;
	(*out)[(*n)++].decided = decided;
}

int
review_queue(struct store *st, const char *user, const struct review_filter *f,
    struct review_entry **out, int *n, char **cause)
{
	static const struct review_filter none;
	struct decision *d = NULL;
	struct tally t;
	struct buf sql = { 0 };
	sqlite3_stmt *s = NULL;
	long long batch;
	int ca, cb, nd = 0, di = 0, cap = 0, rc, i;

	*out = NULL;
	*n = 0;
	if (f == NULL)
		f = &none;
	if (project_require(st, user, ROLE_SME, REVIEW_WHAT, cause) != 0)
		return -1;
	if (store_begin(st, 0, cause) != 0)
		return -1;
	if (filter_ids(st, f, &ca, &cb, &batch, cause) != 0 ||
	    decisions_read(st, &d, &nd, cause) != 0)
		goto fail;
	/* Fixed SQL text; every value the user gave is bound. */
	buf_puts(&sql, "SELECT l.item, l.class, count(*), max(l.created_at) "
	    "FROM current_labels l JOIN items i ON i.id = l.item "
	    "WHERE (?1 = 0 OR l.guideline = ?1) AND (?2 = 0 OR i.batch = ?2)");
	/* A number is shown as %.4g (queue_meta), so match that too. */
	for (i = 0; i < f->nmeta; i++)
		buf_printf(&sql, " AND EXISTS (SELECT 1 FROM current_meta m "
		    "WHERE m.item = l.item AND m.key = ?%d AND "
		    "(CAST(m.value AS TEXT) = ?%d OR (typeof(m.value) IN "
		    "('integer', 'real') AND printf('%%.4g', m.value) = ?%d)))",
		    3 + 2 * i, 4 + 2 * i, 4 + 2 * i);
	buf_puts(&sql, " GROUP BY l.item, l.class ORDER BY l.item, l.class");
	if (sql_prepare(st, sql.s, &s, cause) != 0)
		goto fail;
	sql_bind_int(s, 1, f->guideline);
	sql_bind_int(s, 2, batch);
	for (i = 0; i < f->nmeta; i++) {
		sql_bind_text(s, 3 + 2 * i, f->meta_key[i]);
		sql_bind_text(s, 4 + 2 * i, f->meta_value[i]);
	}
	memset(&t, 0, sizeof t);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long item = sqlite3_column_int64(s, 0);
		const char *at = sql_text(s, 3);

		if (item != t.item) {
			tally_done(&t, f, ca, cb, d, nd, &di, out, n, &cap);
			memset(&t, 0, sizeof t);
			t.item = item;
		}
		if (t.n < PROJECT_MAX_CLASSES) {
			t.cls[t.n] = sqlite3_column_int(s, 1);
			t.cnt[t.n++] = sqlite3_column_int(s, 2);
		}
		t.total += sqlite3_column_int(s, 2);
		if (strcmp(at, t.newest) > 0)
			snprintf(t.newest, sizeof t.newest, "%s", at);
	}
	if (rc != SQLITE_DONE) {
		sql_fail(st, cause, "cannot read labels");
		goto fail;
	}
	tally_done(&t, f, ca, cb, d, nd, &di, out, n, &cap);
	sqlite3_finalize(s);
	buf_free(&sql);
	decisions_free(d, nd);
	store_rollback(st);
	if (*n > 1)
		qsort(*out, (size_t)*n, sizeof **out, entry_cmp);
	return 0;
fail:
	sqlite3_finalize(s);
	buf_free(&sql);
	decisions_free(d, nd);
	store_rollback(st);
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

/* --- one item ------------------------------------------------------------- */

void
review_detail_free(struct review_detail *d)
{
	int i;

	free(d->path);
	free(d->kind);
	free(d->batch);
	for (i = 0; i < d->nlabels; i++) {
		free(d->labels[i].labeler);
		free(d->labels[i].note);
		free(d->labels[i].tags);
		free(d->labels[i].created_at);
		free(d->labels[i].origin);
	}
	free(d->labels);
	for (i = 0; i < d->nadj; i++) {
		free(d->adj[i].status);
		free(d->adj[i].user);
		free(d->adj[i].note);
		free(d->adj[i].created_at);
	}
	free(d->adj);
	for (i = 0; i < d->ncomments; i++) {
		free(d->comments[i].user);
		free(d->comments[i].text);
		free(d->comments[i].created_at);
	}
	free(d->comments);
	memset(d, 0, sizeof *d);
}

/* Step s to the end, calling row(s, i, arg) for row i; -1 on error. */
static int
each_row(struct store *st, sqlite3_stmt *s, void (*row)(sqlite3_stmt *, int,
    void *), void *arg, const char *what, char **cause)
{
	int rc, i = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(s, i++, arg);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, what);
	return 0;
}

static void
label_row(sqlite3_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	struct review_label *l;

	d->labels = xreallocarray(d->labels, (size_t)i + 1, sizeof *d->labels);
	d->nlabels = i + 1;
	l = &d->labels[i];
	l->id = sqlite3_column_int64(s, 0);
	l->labeler = xstrdup(sql_text(s, 1));
	l->class_id = sqlite3_column_int(s, 2);
	l->note = xstrdup(sql_text(s, 3));
	l->seconds = sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 :
	    sqlite3_column_double(s, 4);
	l->guideline = sqlite3_column_int(s, 5);
	l->created_at = xstrdup(sql_text(s, 6));
	l->origin = xstrdup(sql_text(s, 7));
	l->in_force = sqlite3_column_int(s, 8);
	l->tags = NULL;
}

static void
tag_row(sqlite3_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	const char *user = sql_text(s, 0), *tag = sql_text(s, 1);
	int k;

	(void)i;
	for (k = 0; k < d->nlabels; k++) {
		struct review_label *l = &d->labels[k];
		char *t;

		if (strcmp(l->labeler, user) != 0)
			continue;
		t = l->tags == NULL ? xstrdup(tag) :
		    xasprintf("%s, %s", l->tags, tag);
		free(l->tags);
		l->tags = t;
	}
}

static void
adj_row(sqlite3_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	struct review_adjudication *a;

	d->adj = xreallocarray(d->adj, (size_t)i + 1, sizeof *d->adj);
	d->nadj = i + 1;
	a = &d->adj[i];
	a->id = sqlite3_column_int64(s, 0);
	a->class_id = sqlite3_column_int(s, 1);
	a->status = xstrdup(sql_text(s, 2));
	a->user = xstrdup(sql_text(s, 3));
	a->note = xstrdup(sql_text(s, 4));
	a->guideline = sqlite3_column_int(s, 5);
	a->created_at = xstrdup(sql_text(s, 6));
}

static void
comment_row(sqlite3_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	struct review_comment *c;

	d->comments = xreallocarray(d->comments, (size_t)i + 1,
	    sizeof *d->comments);
	d->ncomments = i + 1;
	c = &d->comments[i];
	c->id = sqlite3_column_int64(s, 0);
	c->user = xstrdup(sql_text(s, 1));
	c->text = xstrdup(sql_text(s, 2));
	c->created_at = xstrdup(sql_text(s, 3));
}

static void
gold_row(sqlite3_stmt *s, int i, void *arg)
{
	(void)i;
	((struct review_detail *)arg)->gold_class = sqlite3_column_int(s, 0);
}

static void
item_row(sqlite3_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;

	(void)i;
	d->path = xstrdup(sql_text(s, 0));
	d->kind = xstrdup(sql_text(s, 1));
	d->batch = xstrdup(sql_text(s, 2));
}

static const struct {
	const char *sql;
	void (*row)(sqlite3_stmt *, int, void *);
	const char *what;
} detail_queries[] = {
	{ "SELECT i.path, i.kind, b.name FROM items i JOIN batches b ON "
	  "b.id = i.batch WHERE i.id = ?1", item_row, "cannot read the item" },
	{ "SELECT l.id, l.labeler, l.class, l.note, l.seconds_spent, "
	  "l.guideline, l.created_at, l.origin, " LABEL_IN_FORCE("l")
	  " FROM labels l WHERE l.item = ?1 ORDER BY l.id",
	  label_row, "cannot read labels" },
	/* Tags in force: each (user, tag)'s newest row, unless it removed. */
	{ "SELECT t.user, t.tag FROM tags t WHERE t.item = ?1 AND "
	  "t.removed = 0 AND t.id = (SELECT max(id) FROM tags u WHERE "
	  "u.item = ?1 AND u.user = t.user AND u.tag = t.tag) "
	  "ORDER BY t.user, t.tag", tag_row, "cannot read tags" },
	{ "SELECT id, class, status, user, note, guideline, created_at FROM "
	  "adjudications WHERE item = ?1 ORDER BY id", adj_row,
	  "cannot read adjudications" },
	{ "SELECT id, user, text, created_at FROM comments WHERE item = ?1 "
	  "ORDER BY id", comment_row, "cannot read comments" },
	{ "SELECT class FROM gold WHERE item = ?1 ORDER BY id DESC LIMIT 1",
	  gold_row, "cannot read gold" },
};

int
review_detail(struct store *st, const char *user, long long item,
    struct review_detail *out, char **cause)
{
	size_t q;
	int k;

	memset(out, 0, sizeof *out);
	if (project_require(st, user, ROLE_SME, REVIEW_WHAT, cause) != 0)
		return -1;
	if (store_begin(st, 0, cause) != 0)
		return -1;
	for (q = 0; q < sizeof detail_queries / sizeof detail_queries[0]; q++) {
		sqlite3_stmt *s;

		if (sql_prepare(st, detail_queries[q].sql, &s, cause) != 0)
			goto fail;
		sql_bind_int(s, 1, item);
		if (each_row(st, s, detail_queries[q].row, out,
		    detail_queries[q].what, cause) != 0)
			goto fail;
		if (q == 0 && out->path == NULL) {
			acc_error(cause, "no item %lld in this project", item);
			goto fail;
		}
	}
	store_rollback(st);
	out->item = item;
	for (k = 0; k < out->nlabels; k++)
		if (out->labels[k].tags == NULL)
			out->labels[k].tags = xstrdup("");
	return 0;
fail:
	store_rollback(st);
	review_detail_free(out);
	return -1;
}
