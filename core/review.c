/*
 * review.c: the read side of the SME review: the filter, and the full
 * record of one item.  The disagreement queue is core/review_queue.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/review.h"
#include "label_int.h"
#include "review_int.h"

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
each_row(struct store *st, struct sql_stmt *s, void (*row)(struct sql_stmt *, int,
    void *), void *arg, const char *what, char **cause)
{
	int rc, i = 0;

	while ((rc = sql_step(s)) == SQL_ROW)
		row(s, i++, arg);
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, what);
	return 0;
}

static void
label_row(struct sql_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	struct review_label *l;

	d->labels = xreallocarray(d->labels, (size_t)i + 1, sizeof *d->labels);
	d->nlabels = i + 1;
	l = &d->labels[i];
	l->id = sql_col_int64(s, 0);
	l->labeler = xstrdup(sql_text(s, 1));
	l->class_id = sql_col_int(s, 2);
	l->note = xstrdup(sql_text(s, 3));
	l->seconds = sql_col_type(s, 4) == SQL_COL_NULL ? -1 :
	    sql_col_double(s, 4);
	l->guideline = sql_col_int(s, 5);
	l->created_at = xstrdup(sql_text(s, 6));
	l->origin = xstrdup(sql_text(s, 7));
	l->in_force = sql_col_int(s, 8);
	l->tags = NULL;
}

static void
tag_row(struct sql_stmt *s, int i, void *arg)
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
adj_row(struct sql_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	struct review_adjudication *a;

	d->adj = xreallocarray(d->adj, (size_t)i + 1, sizeof *d->adj);
	d->nadj = i + 1;
	a = &d->adj[i];
	a->id = sql_col_int64(s, 0);
	a->class_id = sql_col_int(s, 1);
	a->status = xstrdup(sql_text(s, 2));
	a->user = xstrdup(sql_text(s, 3));
	a->note = xstrdup(sql_text(s, 4));
	a->guideline = sql_col_int(s, 5);
	a->created_at = xstrdup(sql_text(s, 6));
}

static void
comment_row(struct sql_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;
	struct review_comment *c;

	d->comments = xreallocarray(d->comments, (size_t)i + 1,
	    sizeof *d->comments);
	d->ncomments = i + 1;
	c = &d->comments[i];
	c->id = sql_col_int64(s, 0);
	c->user = xstrdup(sql_text(s, 1));
	c->text = xstrdup(sql_text(s, 2));
	c->created_at = xstrdup(sql_text(s, 3));
}

static void
gold_row(struct sql_stmt *s, int i, void *arg)
{
	(void)i;
	((struct review_detail *)arg)->gold_class = sql_col_int(s, 0);
}

static void
item_row(struct sql_stmt *s, int i, void *arg)
{
	struct review_detail *d = arg;

	(void)i;
	d->path = xstrdup(sql_text(s, 0));
	d->kind = xstrdup(sql_text(s, 1));
	d->batch = xstrdup(sql_text(s, 2));
}

static const struct {
	const char *sql;
	void (*row)(struct sql_stmt *, int, void *);
	const char *what;
} detail_queries[] = {
	{ "SELECT i.path, i.kind, b.name FROM items i JOIN batches b ON "
	  "b.id = i.batch WHERE i.id = ?1", item_row, "cannot read the item" },
	{ "SELECT l.id, l.labeler, l.class, l.note, l.seconds_spent, "
	  "l.guideline, l.created_at, l.origin, " LABEL_IN_FORCE("l")
	  " FROM labels l WHERE l.item = ?1 ORDER BY l.id",
	  label_row, "cannot read labels" },
	/* Tags in force: each (user, tag)'s newest row, unless it removed. */
	{ "SELECT t.\"user\", t.tag FROM tags t WHERE t.item = ?1 AND "
	  "t.removed = 0 AND t.id = (SELECT max(id) FROM tags u WHERE "
	  "u.item = ?1 AND u.\"user\" = t.\"user\" AND u.tag = t.tag) "
	  "ORDER BY t.\"user\", t.tag", tag_row, "cannot read tags" },
	{ "SELECT id, class, status, \"user\", note, guideline, created_at FROM "
	  "adjudications WHERE item = ?1 ORDER BY id", adj_row,
	  "cannot read adjudications" },
	{ "SELECT id, \"user\", text, created_at FROM comments WHERE item = ?1 "
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
		struct sql_stmt *s;

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
