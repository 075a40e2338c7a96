/*
 * errors.c: where a run of model predictions falls short of people
 * (include/accord/errors.h); errors_import.c imports the runs.
 *
 * The analysis is Andrew Ng's error analysis by tag ("Machine Learning
 * Yearning", 2018, ch. 14-19; "Data-centric AI" course, 2021): per group
 * of items, how much data it holds, how accurate the model is there, and
 * how far it is from human-level performance (HLP) there.  The product of
 * the gap and the group's share of the data is what closing that gap
 * would add to overall accuracy, so groups are sorted by it.
 *
 * For the gap to mean "how far from human level", the model is measured
 * exactly as a person is (errors_item_credit): against the adjudicated or
 * gold class where one exists, else against the other people on the item,
 * on the same items, each item once.  A model that behaves like one more
 * person then has a gap of 0 in expectation at any overlap.  Formulas and
 * the intervals: docs/statistics.md, "Error analysis".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/errors.h"
#include "accord/project.h"
#include "agree_int.h"
#include "errors_int.h"
#include "internal.h"

#define NO_TAG "(no tag)"
#define ALL_ITEMS "all items"

/* Items */

/* The item's reference: its adjudicated class, else its gold class. */
static int
item_reference(const struct ratings *r, int i)
{
	if (r->reference != NULL && r->reference[i] >= 0)
		return r->reference[i];
	if (r->gold != NULL && r->gold[i] >= 0)
		return r->gold[i];
	return -1;
}

/*
 * h and c of item i (errors.h), from count[] (nclasses entries, zero on
 * entry and on return), and the untied majority class in *major (-1:
 * none or a tie).  Returns 1 when h is defined.
 */
static int
item_score(const struct ratings *r, int i, int y, int *count, double *h,
    double *c, int *major)
{
	int ref = item_reference(r, i), m = 0, x, k, top = 0, ntop = 0;
	double pairs = 0;

	*major = -1;
	for (x = r->start[i]; x < r->start[i + 1]; x++) {
		k = r->cls[x];
		if (k < 0 || k >= r->nclasses)
			continue;
		m++;
		/* n (n - 1) grows by 2 (n - 1) when n grows by one. */
		pairs += 2.0 * count[k];
		if (++count[k] > top) {
			top = count[k];
			ntop = 1;
			*major = k;
		} else if (count[k] == top)
			ntop++;
	}
	if (ntop > 1)
		*major = -1;
	*h = *c = 0;
	if (ref >= 0 && m >= 1) {
		*h = (double)count[ref] / m;
		*c = y == ref;
	} else if (m >= 2) {
		*h = pairs / ((double)m * (m - 1));
		*c = y >= 0 && y < r->nclasses ? (double)count[y] / m : 0;
	}
	for (x = r->start[i]; x < r->start[i + 1]; x++)
		if (r->cls[x] >= 0 && r->cls[x] < r->nclasses)
			count[r->cls[x]] = 0;
	return (ref >= 0 && m >= 1) || m >= 2;
}

int
errors_item_credit(const struct ratings *r, int item, int y, double *h,
    double *c)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count), major;
	int ok = item_score(r, item, y, count, h, c, &major);

	free(count);
	return ok;
}

/*
 * The consensus class the confusion matrix and the error counts use:
 * the reference, else the untied majority; -1 when the labels tie.
 */
static int
item_consensus(const struct ratings *r, int i, int major)
{
	int ref = item_reference(r, i);

	return ref >= 0 ? ref : major;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Rows */

static void
row_figures(struct errors_row *row, const struct gsum *s, double total,
    double total_miss)
{
	row->items = (int)s->n;
	row->errors = s->errors;
	row->data_share = total > 0 ? s->n / total : 0;
	row->error_share = total_miss > 0 ? (s->n - s->c) / total_miss : 0;
	if (s->n == 0) {
		row->error_rate = 0;
		row->hlp = row->accuracy = row->gap = row->room =
		    UNDEFINED(ERRORS_WHY_NO_ITEMS);
		return;
	}
	row->hlp = STAT(s->h / s->n);
	row->accuracy = STAT(s->c / s->n);
	row->error_rate = 1 - row->accuracy.value;
	row->gap = STAT((s->h - s->c) / s->n);
	row->room = STAT((s->h - s->c) / total);
}
int
errors_rows(const struct ratings *r, const unsigned char *ambiguous,
    const int *predicted, int ngroups, char *const *names,
    const int *pair_item, const int *pair_group, int npairs,
    const struct errors_boot *bo, struct errors_row *overall,
    struct errors_row **rows, char **cause)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count);
	int *gstart = xcalloc((size_t)r->nitems + 2, sizeof *gstart);
	int *glist = xcalloc((size_t)npairs + 1, sizeof *glist);
	struct gsum *gs = xcalloc((size_t)ngroups + 1, sizeof *gs);
	struct gsum all = { 0 };
	struct patterns pt = { 0 };
	struct errors_row *out;
	double miss = 0;
	int i, p, g, k, n, major;

	(void)cause;
	/* Each item's groups, sorted and distinct. */
	for (p = 0; p < npairs; p++)
		if (pair_item[p] >= 0 && pair_item[p] < r->nitems &&
		    pair_group[p] >= 0 && pair_group[p] < ngroups)
			gstart[pair_item[p] + 2]++;
	for (i = 0; i < r->nitems; i++)
		gstart[i + 2] += gstart[i + 1];
	for (p = 0; p < npairs; p++)
		if (pair_item[p] >= 0 && pair_item[p] < r->nitems &&
		    pair_group[p] >= 0 && pair_group[p] < ngroups)
			glist[gstart[pair_item[p] + 1]++] = pair_group[p];

	for (i = 0; i < r->nitems; i++) {
		double h, c;
		int *gl = glist + gstart[i], cons;

		if (predicted[i] < 0 || (ambiguous != NULL && ambiguous[i]) ||
		    !item_score(r, i, predicted[i], count, &h, &c, &major))
			continue;
		n = gstart[i + 1] - gstart[i];
		if (n > 1)
			qsort(gl, (size_t)n, sizeof *gl, cmp_int);
		for (k = 0, g = 0; k < n; k++)
			if (g == 0 || gl[g - 1] != gl[k])
				gl[g++] = gl[k];
		n = g;
		cons = item_consensus(r, i, major);
		all.n++;
		all.h += h;
		all.c += c;
		all.errors += cons >= 0 && cons != predicted[i];
		miss += 1 - c;
		for (k = 0; k < n; k++) {
			struct gsum *s = &gs[gl[k]];

			s->n++;
			s->h += h;
			s->c += c;
			s->errors += cons >= 0 && cons != predicted[i];
		}
		errors_patterns_add(&pt, gl, (uint32_t)n, h, c);
	}

	out = xcalloc((size_t)ngroups + 1, sizeof *out);
	memset(overall, 0, sizeof *overall);
	overall->name = xstrdup(ALL_ITEMS);
	row_figures(overall, &all, all.n, miss);
	for (g = 0; g < ngroups; g++) {
		out[g].name = xstrdup(names[g]);
		row_figures(&out[g], &gs[g], all.n, miss);
	}
	if (bo == NULL || bo->bootstrap <= 0) {
		errors_rows_no_intervals(overall, 1, AGREE_WHY_NO_BOOTSTRAP);
		errors_rows_no_intervals(out, ngroups, AGREE_WHY_NO_BOOTSTRAP);
	} else if (all.n == 0) {
		errors_rows_no_intervals(overall, 1, ERRORS_WHY_NO_ITEMS);
		errors_rows_no_intervals(out, ngroups, ERRORS_WHY_NO_ITEMS);
	} else
		errors_bootstrap(&pt, ngroups, gs, &all, bo, overall, out);

	errors_patterns_free(&pt);
	free(count);
	free(gstart);
	free(glist);
	free(gs);
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
 * The report's counts and confusion matrix over the items the run
 * predicts: why each is left out, and the consensus class of each scored
 * one (item_consensus) against its prediction.
 */
static void
count_items(const struct ratings *r, const unsigned char *ambiguous,
    const int *predicted, struct errors_report *rep)
{
	int *count = xcalloc((size_t)r->nclasses + 1, sizeof *count);
	int i, k = r->nclasses, major, cons;

	rep->confusion = xcalloc((size_t)k * k + 1, sizeof *rep->confusion);
	for (i = 0; i < r->nitems; i++) {
		double h, c;

		if (predicted[i] < 0)
			continue;
		rep->npredicted++;
		if (ambiguous[i]) {
			rep->nambiguous++;
			continue;
		}
		if (!item_score(r, i, predicted[i], count, &h, &c, &major)) {
			if (r->start[i + 1] == r->start[i])
				rep->nunlabeled++;
			else
				rep->nsingle++;
			continue;
		}
		rep->nscored++;
		if ((cons = item_consensus(r, i, major)) < 0)
			rep->nties++;
		else
			rep->confusion[(size_t)cons * k + predicted[i]]++;
	}
	free(count);
}

static int
analyse(struct store *st, const struct project *p, const struct ratings *r,
    long long run, const struct errors_opts *o, struct errors_report *rep,
    char **cause)
{
	int *predicted = xcalloc((size_t)r->nitems + 1, sizeof *predicted);
	unsigned char *ambiguous = xcalloc((size_t)r->nitems + 1, 1);
	struct groups g = { 0 };
	struct errors_row *rows = NULL;
	struct errors_boot bo;
	int i, ntags, ret = -1;

	bo.bootstrap = o->bootstrap;
	bo.seed = o->seed;
	bo.confidence = 0.95;
	bo.threads = o->threads;
	if (read_predictions(st, p, r, run, predicted, cause) != 0 ||
	    read_ambiguous(st, r, ambiguous, cause) != 0 ||
	    read_tags(st, r, &g, cause) != 0)
		goto out;
	count_items(r, ambiguous, predicted, rep);
	/*
	 * Tags and slices are groups of one call, so that all rows come
	 * from the same bootstrap resamples.
	 */
	ntags = g.n;
	if (rep->by != NULL) {
		g.names = xreallocarray(g.names, (size_t)g.n + r->nslices + 1,
		    sizeof *g.names);
		for (i = 0; i < r->nslices; i++)
			g.names[g.n + i] = xstrdup(r->slices[i]);
		for (i = 0; i < r->nitems; i++)
			groups_add(&g, i, g.n + r->slice[i]);
		g.n += r->nslices;
	}
	if (errors_rows(r, ambiguous, predicted, g.n, g.names, g.item,
	    g.group, g.npairs, &bo, &rep->overall, &rows, cause) != 0)
		goto out;
	rep->ntags = ntags;
	rep->tags = xcalloc((size_t)ntags + 1, sizeof *rep->tags);
	memcpy(rep->tags, rows, (size_t)ntags * sizeof *rows);
	errors_rows_sort(rep->tags, ntags);
	if (rep->by != NULL) {
		rep->nslices = g.n - ntags;
		rep->slices = xcalloc((size_t)rep->nslices + 1,
		    sizeof *rep->slices);
		memcpy(rep->slices, rows + ntags, (size_t)rep->nslices *
		    sizeof *rows);
		errors_rows_sort(rep->slices, rep->nslices);
	}
	free(rows); /* the names moved to rep's rows */
	ret = 0;
out:
	groups_free(&g);
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
