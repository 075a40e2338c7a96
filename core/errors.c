/*
 * errors.c: model predictions, imported as runs, and where the model falls
 * short of people (include/accord/errors.h).
 *
 * The analysis is Andrew Ng's error analysis by tag ("Machine Learning
 * Yearning", 2018, ch. 14-19; "Data-centric AI" course, 2021): per group
 * of items, how much data it holds, how often the model is wrong there,
 * and how far the model is from human-level performance (HLP) there.  The
 * product of the gap and the group's share of the data bounds what
 * closing that gap can add to overall accuracy, so groups are sorted by
 * it.  Formulas: docs/statistics.md, "Error analysis".
 */
#include <libgen.h>
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

/* Import */

struct pred {
	int line;
	long long item;
	int class_id;
	int has_score;
	double score;
};

static int
cmp_pred(const void *a, const void *b)
{
	const struct pred *x = a, *y = b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return x->line - y->line;
}

static void
report(void (*on_error)(void *, const char *, const char *), void *arg,
    const char *file, int line, const char *msg)
{
	char *where = xasprintf("%s:%d", file, line);

	on_error(arg, where, msg);
	free(where);
}

/* The run name from a file name: its base name without the extension. */
static char *
run_name_of(const char *file)
{
	char *tmp = xstrdup(file), *base, *dot, *name;

	base = basename(tmp);
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base)
		*dot = '\0';
	name = xstrdup(base);
	free(tmp);
	return name;
}

static int
check_run_name(const char *name, char **cause)
{
	const unsigned char *s;

	if (*name == '\0' || strlen(name) > ERRORS_MAX_NAME)
		return acc_error(cause, "a run name must be 1-%d bytes",
		    ERRORS_MAX_NAME);
	for (s = (const unsigned char *)name; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return acc_error(cause, "a run name must not hold "
			    "control characters");
	return 0;
}

/*
 * The run of that name: 1 and *id, *sha (caller frees), 0 if none, or -1.
 */
static int
run_find(struct store *st, const char *name, long long *id, char **sha,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, sha256 FROM prediction_runs WHERE "
	    "name = ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		if (sha != NULL)
			*sha = xstrdup(sql_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read prediction runs");
	return rc == SQLITE_ROW;
}

/*
 * Resolve one row into *pr; 0, or ITEM_FINDER_BAD (the row's problem) or
 * ITEM_FINDER_FAILED (the store's) with *why.
 */
static int
pred_resolve(const struct project *p, struct item_finder *finder,
    const struct record *r, struct pred *pr, char **why)
{
	const char *cls = record_get(r, "class"), *score;
	const char *key = record_get(r, "path") != NULL ? "path" : "file";
	const struct class_def *c;
	int rc;

	if (cls == NULL)
		cls = record_get(r, "prediction");

	if ((rc = item_finder_find(finder, key, r, &pr->item, why)) != 0)
		return rc;
	if (cls == NULL)
		return acc_error(why, "no class (column class or prediction)");
	if ((c = project_class(p, cls)) == NULL)
		return acc_error(why, "unknown class '%s'", cls);
	pr->class_id = c->id;
	score = record_get(r, "score");
	pr->has_score = score != NULL;
	if (score != NULL && acc_parse_double(score, &pr->score) != 0)
		return acc_error(why, "score '%s' is not a number", score);
	return 0;
}

static int
count_run_rows(struct store *st, long long run, int *n, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT count(*) FROM predictions WHERE run = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, run);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : sql_fail(st, cause,
	    "cannot count predictions");
}

static int
store_run(struct store *st, const char *name, const char *real,
    const char *sha, const char *user, const struct pred *pr, int n,
    char **cause)
{
	sqlite3_stmt *run = NULL, *ins = NULL;
	char now[32], *detail;
	long long id;
	int i, rc = -1;

	acc_now_iso(now);
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (sql_prepare(st, "INSERT INTO prediction_runs (name, file, sha256, "
	    "imported_by, imported_at) VALUES (?, ?, ?, ?, ?)", &run,
	    cause) != 0)
		goto out;
	sql_bind_text(run, 1, name);
	sql_bind_text(run, 2, real);
	sql_bind_text(run, 3, sha);
	sql_bind_text(run, 4, user);
	sql_bind_text(run, 5, now);
	if (sql_step_done(st, run, cause) != 0)
		goto out;
	id = sqlite3_last_insert_rowid(st->db);
	if (sql_prepare(st, "INSERT INTO predictions (run, item, class, score) "
	    "VALUES (?, ?, ?, ?)", &ins, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sql_bind_int(ins, 1, id);
		sql_bind_int(ins, 2, pr[i].item);
		sql_bind_int(ins, 3, pr[i].class_id);
		if (pr[i].has_score)
			sql_bind_double(ins, 4, pr[i].score);
		else
			sql_bind_null(ins, 4);
		if (sql_step_done(st, ins, cause) != 0)
			goto out;
	}
	detail = xasprintf("run %s: %d predictions from %s (sha256 %s)", name,
	    n, real, sha);
	rc = store_audit(st, user, "predictions import", detail, cause);
	free(detail);
	if (rc == 0)
		rc = store_commit(st, cause);
out:
	sqlite3_finalize(run);
	sqlite3_finalize(ins);
	if (rc != 0)
		store_rollback(st);
	return rc;
}

int
errors_import(struct store *st, const char *file, const char *name,
    const char *user, void (*on_error)(void *, const char *, const char *),
    void *arg, struct errors_import_result *out, char **cause)
{
	struct project p;
	struct item_finder finder = { 0 };
	struct label_input *rows = NULL;
	struct pred *pr = NULL;
	unsigned char *data;
	size_t len;
	char sha[65], *old_sha = NULL, *real = NULL;
	long long run_id = 0;
	int n = 0, i, k, good = 0, found, rc = -1;

	memset(out, 0, sizeof *out);
	if (project_require(st, user, ROLE_SME, "importing predictions",
	    cause) != 0)
		return -1;
	out->run = name != NULL ? xstrdup(name) : run_name_of(file);
	if (check_run_name(out->run, cause) != 0)
		goto fail;
	if (acc_read_file(file, ERRORS_MAX_BYTES, &data, &len, cause) != 0)
		goto fail;
	acc_sha256_hex(data, len, sha);
	free(data);
	if ((found = run_find(st, out->run, &run_id, &old_sha, cause)) < 0)
		goto fail;
	if (found) {
		if (strcmp(old_sha, sha) != 0) {
			acc_error(cause, "run '%s' exists with other content "
			    "(sha256 %.12s..., this file %.12s...): give "
			    "another --run name", out->run, old_sha, sha);
			free(old_sha);
			goto fail;
		}
		free(old_sha);
		out->reused = 1;
		if (count_run_rows(st, run_id, &out->rows, cause) != 0)
			goto fail;
		return 0;
	}
	if (project_load(st, &p, cause) != 0)
		goto fail;
	if (records_read(file, ERRORS_MAX_BYTES, &rows, &n, on_error, arg,
	    &out->bad, cause) != 0 ||
	    (real = realpath(file, NULL)) == NULL ||
	    item_finder_init(st, file, &finder, cause) != 0) {
		if (real == NULL && (cause == NULL || *cause == NULL))
			acc_error(cause, "cannot resolve path");
		goto done;
	}
	pr = xcalloc((size_t)n + 1, sizeof *pr);
	for (i = 0; i < n; i++) {
		char *why = NULL;
		int bad;

		pr[good].line = rows[i].line;
		bad = pred_resolve(&p, &finder, &rows[i].r, &pr[good], &why);
		if (bad == ITEM_FINDER_FAILED) {
			/* The store, not the row: stop, store nothing. */
			if (cause != NULL)
				*cause = why;
			else
				free(why);
			goto done;
		}
		if (bad != 0) {
			report(on_error, arg, file, rows[i].line, why);
			free(why);
			out->bad++;
			continue;
		}
		good++;
	}
	/* An item named twice: the first row stands, later ones are bad. */
	qsort(pr, (size_t)good, sizeof *pr, cmp_pred);
	for (i = 0, k = 0; i < good; i++) {
		if (k > 0 && pr[k - 1].item == pr[i].item) {
			char *msg = xasprintf("item already predicted on line "
			    "%d", pr[k - 1].line);

			report(on_error, arg, file, pr[i].line, msg);
			free(msg);
			out->bad++;
			continue;
		}
		pr[k++] = pr[i];
	}
	good = k;
	if (good == 0) {
		acc_error(cause, "no usable prediction rows%s", out->bad ?
		    " (every row was bad)" : "");
		goto done;
	}
	if (store_run(st, out->run, real, sha, user, pr, good, cause) != 0)
		goto done;
	out->rows = good;
	rc = 0;
done:
	item_finder_free(&finder);
	labels_rows_free(rows, n);
	free(pr);
	free(real);
	project_free(&p);
	if (rc == 0)
		return 0;
fail:
	free(out->run);
	out->run = NULL;
	return -1;
}

/* Report */

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The ratings index of item id, or -1. */
static int
item_at(const struct ratings *r, long long id)
{
	const long long *hit = bsearch(&id, r->item_ids, (size_t)r->nitems,
	    sizeof id, cmp_ll);

	return hit == NULL ? -1 : (int)(hit - r->item_ids);
}

static int
read_run(struct store *st, const char *name, struct errors_report *rep,
    long long *id, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, file, sha256, imported_by, imported_at "
	    "FROM prediction_runs WHERE name = ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rep->run = xstrdup(name);
		rep->file = xstrdup(sql_text(s, 1));
		rep->sha256 = xstrdup(sql_text(s, 2));
		rep->imported_by = xstrdup(sql_text(s, 3));
		rep->imported_at = xstrdup(sql_text(s, 4));
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return acc_error(cause, "no prediction run named '%s'", name);
	if (rc != SQLITE_ROW)
		return sql_fail(st, cause, "cannot read prediction runs");
	return 0;
}

/* predicted[i]: the run's class index for ratings item i, or -1. */
static int
read_predictions(struct store *st, const struct project *p,
    const struct ratings *r, long long run, int *predicted, char **cause)
{
	sqlite3_stmt *s;
	int rc, i, c;

	for (i = 0; i < r->nitems; i++)
		predicted[i] = -1;
	if (sql_prepare(st, "SELECT item, class FROM predictions WHERE run = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long cid = sqlite3_column_int64(s, 1);

		if ((i = item_at(r, sqlite3_column_int64(s, 0))) < 0)
			continue;
		for (c = 0; c < p->nclasses; c++)
			if (p->classes[c].id == cid)
				predicted[i] = c;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read predictions");
	return 0;
}

/* ambiguous[i]: the newest adjudication of item i says 'ambiguous'. */
static int
read_ambiguous(struct store *st, const struct ratings *r,
    unsigned char *ambiguous, char **cause)
{
	sqlite3_stmt *s;
	int rc, i;

	if (sql_prepare(st, "SELECT item, status = 'ambiguous' FROM "
	    "adjudications ORDER BY item, id", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((i = item_at(r, sqlite3_column_int64(s, 0))) >= 0)
			ambiguous[i] = (unsigned char)sqlite3_column_int(s, 1);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
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
	sqlite3_stmt *s;
	unsigned char *tagged = xcalloc((size_t)r->nitems + 1, 1);
	int rc, i, t;

	if (sql_prepare(st, "SELECT DISTINCT tag, item FROM tags t WHERE "
	    "removed = 0 AND id = (SELECT max(id) FROM tags u WHERE "
	    "u.item = t.item AND u.tag = t.tag AND u.user = t.user) "
	    "ORDER BY tag, item", &s, cause) != 0) {
		free(tagged);
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *tag = sql_text(s, 0);

		if ((i = item_at(r, sqlite3_column_int64(s, 1))) < 0)
			continue;
		if (g->n == 0 || strcmp(g->names[g->n - 1], tag) != 0) {
			g->names = xreallocarray(g->names, (size_t)g->n + 2,
			    sizeof *g->names);
			g->names[g->n++] = xstrdup(tag);
		}
		groups_add(g, i, g->n - 1);
		tagged[i] = 1;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
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

static int
analyse(struct store *st, const struct project *p, const struct ratings *r,
    long long run, const struct errors_opts *o, struct errors_report *rep,
    char **cause)
{
	int *consensus = xcalloc((size_t)r->nitems + 1, sizeof *consensus);
	int *predicted = xcalloc((size_t)r->nitems + 1, sizeof *predicted);
	unsigned char *ambiguous = xcalloc((size_t)r->nitems + 1, 1);
	struct consensus_item *maj = NULL;
	struct groups tags = { 0 }, slices = { 0 }, all = { 0 };
	char *all_name = "all items";
	int i, k = r->nclasses, ret = -1;
	struct agree_opts ho;

	agree_opts_init(&ho);
	ho.bootstrap = o->bootstrap;
	ho.seed = o->seed;

	if (read_predictions(st, p, r, run, predicted, cause) != 0 ||
	    read_ambiguous(st, r, ambiguous, cause) != 0 ||
	    read_tags(st, r, &tags, cause) != 0)
		goto out;
	rep->confusion = xcalloc((size_t)k * k + 1, sizeof *rep->confusion);
	maj = xcalloc((size_t)r->nitems + 1, sizeof *maj);
	consensus_majority(r->nitems, r->nlabelers, r->nclasses, r->cells, maj);
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
	for (i = 0; i < r->nitems; i++)
		groups_add(&all, i, 0);
	if (rep->by != NULL) {
		slices.n = r->nslices;
		slices.names = r->slices; /* borrowed: not freed below */
		for (i = 0; i < r->nitems; i++)
			groups_add(&slices, i, r->slice[i]);
	}
	{
		struct errors_row *one = NULL;

		if (errors_rows(r, consensus, predicted, 1, &all_name, all.item,
		    all.group, all.npairs, &ho, &one, cause) != 0)
			goto out;
		rep->overall = one[0];
		free(one);
	}
	if (errors_rows(r, consensus, predicted, tags.n, tags.names, tags.item,
	    tags.group, tags.npairs, &ho, &rep->tags, cause) != 0)
		goto out;
	rep->ntags = tags.n;
	errors_rows_sort(rep->tags, rep->ntags);
	if (rep->by != NULL) {
		if (errors_rows(r, consensus, predicted, slices.n, slices.names,
		    slices.item, slices.group, slices.npairs, &ho,
		    &rep->slices, cause) != 0)
			goto out;
		rep->nslices = slices.n;
		errors_rows_sort(rep->slices, rep->nslices);
	}
	ret = 0;
out:
	slices.n = 0;
	slices.names = NULL;
	groups_free(&slices);
	groups_free(&tags);
	groups_free(&all);
	free(consensus);
	free(predicted);
	free(ambiguous);
	free(maj);
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
