/*
 * errors.c: where a run of model predictions falls short of people
 * (include/accord/errors.h); errors_import.c imports the runs.
 *
 * The analysis is Andrew Ng's error analysis by tag ("Machine Learning
 * Yearning", 2018, ch. 14-19; "Data-centric AI" course, 2021): per group
 * of items, how much data it holds, how often the model is wrong there,
 * and how far the model is from human-level performance (HLP) there.  The
 * product of the gap and the group's share of the data bounds what
 * closing that gap can add to overall accuracy, so groups are sorted by
 * it.  Formulas: docs/statistics.md, "Error analysis".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/consensus.h"
#include "accord/errors.h"
#include "accord/project.h"
#include "internal.h"

#define NO_TAG "(no tag)"

/* Why an item has no consensus class. */
enum cons_why {
	CONS_OK,
	CONS_AMBIGUOUS, /* newest adjudication says ambiguous */
	CONS_TIE,       /* two or more classes share the most labels */
	CONS_NO_LABELS, /* no label in force and no adjudicated class */
};

/*
 * The consensus class of ratings item i, or -1 (and *why): the newest
 * adjudication when its status is 'class' (r->reference), else the
 * majority of the labels in force (maj, from consensus_majority: the same
 * rule `accord export --method majority` uses), whatever their guideline
 * version.  Items whose newest adjudication is 'ambiguous' are left out,
 * and so are ties.  *confidence: 1 for an adjudicated class, else the
 * majority's share of the item's labels.
 */
static int
consensus_of(const struct ratings *r, const unsigned char *ambiguous,
    const struct consensus_item *maj, int i, double *confidence,
    enum cons_why *why)
{
	*confidence = 0;
	if (ambiguous[i]) {
		*why = CONS_AMBIGUOUS;
		return -1;
	}
	if (r->reference[i] >= 0) {
		*why = CONS_OK;
		*confidence = 1;
		return r->reference[i];
	}
	if (maj[i].nlabels == 0) {
		*why = CONS_NO_LABELS;
		return -1;
	}
	if (maj[i].label < 0) {
		*why = CONS_TIE;
		return -1;
	}
	*why = CONS_OK;
	*confidence = maj[i].confidence;
	return maj[i].label;
}

/* Rows */

#define STAT(v) ((struct agree_stat){ .value = (v), .defined = 1 })
#define UNDEFINED(w) ((struct agree_stat){ .why = (w) })

/*
 * Fill row's figures from its scored items (keep[i] set), given the
 * totals over every scored item.
 */
static int
row_fill(const struct ratings *r, const int *consensus, const int *predicted,
    const unsigned char *keep, int total, int total_errors,
    const struct agree_opts *hlp_opts, struct errors_row *row, char **cause)
{
	struct ratings_view v;
	struct agree_result a;
	struct agree_opts o;
	int i;

	row->items = row->errors = 0;
	for (i = 0; i < r->nitems; i++) {
		if (!keep[i])
			continue;
		row->items++;
		row->errors += predicted[i] != consensus[i];
	}
	row->data_share = total > 0 ? (double)row->items / total : 0;
	row->error_rate = row->items > 0 ? (double)row->errors / row->items :
	    0;
	row->error_share = total_errors > 0 ? (double)row->errors /
	    total_errors : 0;

	/* HLP on the very items the model is scored on: like with like. */
	if (hlp_opts != NULL)
		o = *hlp_opts;
	else {
		agree_opts_init(&o);
		o.bootstrap = 0;
		o.threads = 1;
	}
	ratings_view_mask(r, keep, 0, &v);
	if (agree_compute(&v.in, &o, &a, cause) != 0) {
		ratings_view_free(&v);
		return -1;
	}
	row->hlp = a.team_hlp;
	row->hlp_ci = a.team_hlp_ci;
	agree_result_free(&a);
	ratings_view_free(&v);

	if (row->items == 0)
		row->gap = row->room = UNDEFINED(ERRORS_WHY_NO_ITEMS);
	else if (!row->hlp.defined)
		row->gap = row->room = UNDEFINED(row->hlp.why);
	else {
		row->gap = STAT(row->hlp.value - (1 - row->error_rate));
		row->room = STAT(row->gap.value * row->data_share);
	}
	return 0;
}

int
errors_rows(const struct ratings *r, const int *consensus,
    const int *predicted, int ngroups, char *const *names,
    const int *pair_item, const int *pair_group, int npairs,
    const struct agree_opts *hlp_opts, struct errors_row **rows,
    char **cause)
{
	unsigned char *keep = xcalloc((size_t)r->nitems + 1, 1);
	struct errors_row *out;
	int i, g, p, total = 0, total_errors = 0;

	for (i = 0; i < r->nitems; i++)
		if (consensus[i] >= 0 && predicted[i] >= 0) {
			total++;
			total_errors += predicted[i] != consensus[i];
		}
	out = xcalloc((size_t)ngroups + 1, sizeof *out);
	for (g = 0; g < ngroups; g++) {
		memset(keep, 0, (size_t)r->nitems);
		for (p = 0; p < npairs; p++) {
			i = pair_item[p];
			if (pair_group[p] == g && consensus[i] >= 0 &&
			    predicted[i] >= 0)
				keep[i] = 1;
		}
		out[g].name = xstrdup(names[g]);
		if (row_fill(r, consensus, predicted, keep, total,
		    total_errors, hlp_opts, &out[g], cause) != 0) {
			errors_rows_free(out, g + 1);
			free(keep);
			return -1;
		}
	}
	free(keep);
	*rows = out;
	return 0;
}

void
errors_rows_free(struct errors_row *rows, int n)
{
	int i;

	for (i = 0; i < n && rows != NULL; i++)
		free(rows[i].name);
	free(rows);
}

static int
cmp_row(const void *a, const void *b)
{
	const struct errors_row *x = a, *y = b;

	if (x->room.defined != y->room.defined)
		return x->room.defined ? -1 : 1;
	if (x->room.defined && x->room.value != y->room.value)
		return x->room.value > y->room.value ? -1 : 1;
	if (x->error_share != y->error_share)
		return x->error_share > y->error_share ? -1 : 1;
	return strcmp(x->name, y->name);
}

void
errors_rows_sort(struct errors_row *rows, int n)
{
	qsort(rows, (size_t)n, sizeof *rows, cmp_row);
}


/* Report */

static int
read_run(struct store *st, const char *name, struct errors_report *rep,
    long long *id, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, file, sha256, imported_by, imported_at "
	    "FROM prediction_runs WHERE name = ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, name);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		*id = sql_col_int64(s, 0);
		rep->run = xstrdup(name);
		rep->file = xstrdup(sql_text(s, 1));
		rep->sha256 = xstrdup(sql_text(s, 2));
		rep->imported_by = xstrdup(sql_text(s, 3));
		rep->imported_at = xstrdup(sql_text(s, 4));
	}
	sql_finalize(st, s);
	if (rc == SQL_DONE)
		return acc_error(cause, "no prediction run named '%s'", name);
	if (rc != SQL_ROW)
		return sql_fail(st, cause, "cannot read prediction runs");
	return 0;
}

/* predicted[i]: the run's class index for ratings item i, or -1. */
static int
read_predictions(struct store *st, const struct project *p,
    const struct ratings *r, long long run, int *predicted, char **cause)
{
	struct sql_stmt *s;
	int rc, i, c;

	for (i = 0; i < r->nitems; i++)
		predicted[i] = -1;
	if (sql_prepare(st, "SELECT item, class FROM predictions WHERE run = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, run);
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long cid = sql_col_int64(s, 1);

		if ((i = ratings_item_index(r, sql_col_int64(s, 0))) < 0)
			continue;
		for (c = 0; c < p->nclasses; c++)
			if (p->classes[c].id == cid)
				predicted[i] = c;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read predictions");
	return 0;
}

/* ambiguous[i]: the newest adjudication of item i says 'ambiguous'. */
static int
read_ambiguous(struct store *st, const struct ratings *r,
    unsigned char *ambiguous, char **cause)
{
	struct sql_stmt *s;
	int rc, i;

	if (sql_prepare(st, "SELECT item, status = 'ambiguous' FROM "
	    "adjudications ORDER BY item, id", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		i = ratings_item_index(r, sql_col_int64(s, 0));
		if (i >= 0)
			ambiguous[i] = (unsigned char)sql_col_int(s, 1);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read adjudications");
	return 0;
}

/* (item, group) pairs of a grouping, growing arrays. */
struct groups {
	int n, npairs, cap;
	char **names;
	int *item, *group;
};

static void
groups_add(struct groups *g, int item, int group)
{
	if (g->npairs == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->item = xreallocarray(g->item, (size_t)g->cap,
		    sizeof *g->item);
		g->group = xreallocarray(g->group, (size_t)g->cap,
		    sizeof *g->group);
	}
	g->item[g->npairs] = item;
	g->group[g->npairs++] = group;
}

static void
groups_free(struct groups *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->item);
	free(g->group);
	memset(g, 0, sizeof *g);
}

/*
 * Tags in force: a (item, tag, user) triple whose newest row is not a
 * removal.  An item carries a tag when any user's is in force; items
 * with none form NO_TAG (only when some item has a tag).
 */
static int
read_tags(struct store *st, const struct ratings *r, struct groups *g,
    char **cause)
{
	struct sql_stmt *s;
	unsigned char *tagged = xcalloc((size_t)r->nitems + 1, 1);
	int rc, i, t;

	if (sql_prepare(st, "SELECT DISTINCT tag, item FROM tags t WHERE "
	    "removed = 0 AND id = (SELECT max(id) FROM tags u WHERE "
	    "u.item = t.item AND u.tag = t.tag AND u.\"user\" = t.\"user\") "
	    "ORDER BY tag, item", &s, cause) != 0) {
		free(tagged);
		return -1;
	}
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *tag = sql_text(s, 0);

		if ((i = ratings_item_index(r, sql_col_int64(s, 1))) < 0)
			continue;
		if (g->n == 0 || strcmp(g->names[g->n - 1], tag) != 0) {
			g->names = xreallocarray(g->names, (size_t)g->n + 2,
			    sizeof *g->names);
			g->names[g->n++] = xstrdup(tag);
		}
		groups_add(g, i, g->n - 1);
		tagged[i] = 1;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		free(tagged);
		return sql_fail(st, cause, "cannot read tags");
	}
	if (g->n > 0) {
		t = g->n;
		g->names[g->n++] = xstrdup(NO_TAG);
		for (i = 0; i < r->nitems; i++)
			if (!tagged[i])
				groups_add(g, i, t);
	}
	free(tagged);
	return 0;
}

/*
 * consensus[i] of every item, and the report's counts and confusion
 * matrix over the items the run predicts.
 */
static void
score_items(const struct ratings *r, const unsigned char *ambiguous,
    const int *predicted, int *consensus, struct errors_report *rep)
{
	struct consensus_item *maj = xcalloc((size_t)r->nitems + 1,
	    sizeof *maj);
	struct agree_input in;
	int i, k = r->nclasses;

	rep->confusion = xcalloc((size_t)k * k + 1, sizeof *rep->confusion);
	ratings_input(r, &in);
	consensus_majority_in(&in, maj);
	for (i = 0; i < r->nitems; i++) {
		enum cons_why why;
		double conf;

		consensus[i] = consensus_of(r, ambiguous, maj, i, &conf, &why);
		if (predicted[i] < 0)
			continue;
		rep->npredicted++;
		if (why == CONS_AMBIGUOUS)
			rep->nambiguous++;
		else if (why == CONS_TIE)
			rep->nties++;
		else if (why == CONS_NO_LABELS)
			rep->nunlabeled++;
		else {
			rep->nscored++;
			rep->confusion[(size_t)consensus[i] * k +
			    predicted[i]]++;
		}
	}
	free(maj);
}

/* The row of every item together. */
static int
overall_row(const struct ratings *r, const int *consensus,
    const int *predicted, const struct agree_opts *ho,
    struct errors_row *row, char **cause)
{
	struct groups all = { 0 };
	struct errors_row *one = NULL;
	char *name = "all items";
	int i, rc;

	for (i = 0; i < r->nitems; i++)
		groups_add(&all, i, 0);
	rc = errors_rows(r, consensus, predicted, 1, &name, all.item,
	    all.group, all.npairs, ho, &one, cause);
	groups_free(&all);
	if (rc != 0)
		return -1;
	*row = one[0];
	free(one);
	return 0;
}

/* One row per group of g, sorted (errors_rows_sort): *rows and *n. */
static int
group_rows(const struct ratings *r, const int *consensus,
    const int *predicted, const struct groups *g,
    const struct agree_opts *ho, struct errors_row **rows, int *n,
    char **cause)
{
	if (errors_rows(r, consensus, predicted, g->n, g->names, g->item,
	    g->group, g->npairs, ho, rows, cause) != 0)
		return -1;
	*n = g->n;
	errors_rows_sort(*rows, *n);
	return 0;
}

static int
analyse(struct store *st, const struct project *p, const struct ratings *r,
    long long run, const struct errors_opts *o, struct errors_report *rep,
    char **cause)
{
	int *consensus = xcalloc((size_t)r->nitems + 1, sizeof *consensus);
	int *predicted = xcalloc((size_t)r->nitems + 1, sizeof *predicted);
	unsigned char *ambiguous = xcalloc((size_t)r->nitems + 1, 1);
	struct groups tags = { 0 }, slices = { 0 };
	int i, ret = -1;
	struct agree_opts ho;

	agree_opts_init(&ho);
	ho.bootstrap = o->bootstrap;
	ho.seed = o->seed;

	if (read_predictions(st, p, r, run, predicted, cause) != 0 ||
	    read_ambiguous(st, r, ambiguous, cause) != 0 ||
	    read_tags(st, r, &tags, cause) != 0)
		goto out;
	score_items(r, ambiguous, predicted, consensus, rep);
	if (rep->by != NULL) {
		slices.n = r->nslices;
		slices.names = r->slices; /* borrowed: not freed below */
		for (i = 0; i < r->nitems; i++)
			groups_add(&slices, i, r->slice[i]);
	}
	if (overall_row(r, consensus, predicted, &ho, &rep->overall,
	    cause) != 0 ||
	    group_rows(r, consensus, predicted, &tags, &ho, &rep->tags,
	    &rep->ntags, cause) != 0 ||
	    (rep->by != NULL && group_rows(r, consensus, predicted, &slices,
	    &ho, &rep->slices, &rep->nslices, cause) != 0))
		goto out;
	ret = 0;
out:
	slices.n = 0;
	slices.names = NULL;
	groups_free(&slices);
	groups_free(&tags);
	free(consensus);
	free(predicted);
	free(ambiguous);
	return ret;
}

int
errors_report(struct store *st, const struct errors_opts *o,
    struct errors_report *out, char **cause)
{
	struct ratings_opts ro = { 0 };
	struct ratings r;
	struct project p;
	long long run = 0;
	int c, ret = -1;

	memset(out, 0, sizeof *out);
	if (project_require(st, o->user, ROLE_SME, "error analysis",
	    cause) != 0)
		return -1;
	if (read_run(st, o->run, out, &run, cause) != 0) {
		errors_report_free(out);
		return -1;
	}
	ro.user = o->user;
	if (o->by != NULL && strcmp(o->by, "tag") != 0)
		ro.by = o->by;
	if (ratings_build(st, &ro, &r, cause) != 0) {
		errors_report_free(out);
		return -1;
	}
	if (project_load(st, &p, cause) != 0) {
		ratings_free(&r);
		errors_report_free(out);
		return -1;
	}
	out->by = ro.by != NULL ? xstrdup(ro.by) : NULL;
	out->nitems = r.nitems;
	out->nclasses = r.nclasses;
	out->classes = xcalloc((size_t)r.nclasses + 1, sizeof *out->classes);
	for (c = 0; c < r.nclasses; c++)
		out->classes[c] = xstrdup(r.classes[c]);
	ret = analyse(st, &p, &r, run, o, out, cause);
	project_free(&p);
	ratings_free(&r);
	if (ret != 0)
		errors_report_free(out);
	return ret;
}

void
errors_report_free(struct errors_report *rep)
{
	int c;

	free(rep->run);
	free(rep->file);
	free(rep->sha256);
	free(rep->imported_by);
	free(rep->imported_at);
	free(rep->by);
	for (c = 0; c < rep->nclasses && rep->classes != NULL; c++)
		free(rep->classes[c]);
	free(rep->classes);
	free(rep->overall.name);
	errors_rows_free(rep->tags, rep->ntags);
	errors_rows_free(rep->slices, rep->nslices);
	free(rep->confusion);
	memset(rep, 0, sizeof *rep);
}
