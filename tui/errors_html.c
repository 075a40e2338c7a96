/*
 * errors_html.c: the pages `accord errors --html FILE` and `accord drift
 * --html FILE` write, laid out with the report toolkit
 * (include/accord/report.h), as agree_html.c does for `accord agree`.
 *
 * What a reader (or a test) can find, by id and data- attribute
 * (docs/guide.md repeats this list):
 *
 * errors:
 *   #meta              data-task, data-run, data-file, data-sha256, data-by,
 *                      data-items, data-predicted, data-scored,
 *                      data-ambiguous, data-ties, data-unlabeled,
 *                      data-one-label, data-bootstrap, data-seed
 *   #G                 G is overall, tags or slices (slices with --by):
 *                      a table, tr[data-row=NAME] with td[data-key=K] for
 *                      K in items, errors, data_share, error_rate,
 *                      error_share, accuracy, accuracy_ci, hlp, hlp_ci,
 *                      gap, gap_ci, room, room_ci (names as in --json;
 *                      largest room first)
 *   #G-room-chart      tags and slices: bars per row, series room (with
 *                      its interval)
 *   #G-error-chart     overall, tags and slices: bars per row, series
 *                      accuracy and hlp (each with its interval)
 *   #confusion         heatmap, rect.cell[data-row=CONSENSUS]
 *                      [data-col=PREDICTED][data-count]
 *
 * drift:
 *   #meta              data-from, data-to, data-items-from, data-items-to,
 *                      data-epsilon
 *   #psi-chart         bars per shift (metric or "labels"), series psi
 *   #ks-chart          bars per metric, series ks_d, data-note "p = P"
 *   #shifts            tr[data-shift=NAME][data-kind=metric|labels]:
 *                      td[data-key=K] for n_from, n_to, mean_from,
 *                      mean_to, psi, bins, ks_d, ks_p, ks_method (its
 *                      text "exact" or "asymptotic"), chi2, chi2_df,
 *                      chi2_p (undefined ones td.undef)
 *   #labels-chart      bars per class, series from and to (shares)
 *   #labels            tr[data-class=NAME]: from, to (counts),
 *                      from_share, to_share
 *
 * A figure's cell is td[data-key=KEY][data-value=V] (V at %.12g, as in
 * --json), an interval td[data-lo][data-hi]; undefined figures read
 * "undefined (why)".
 */
#include <stdlib.h>
#include <string.h>

#include "accord/drift.h"
#include "accord/report.h"
#include "errors_html.h"
#include "html.h"

/* errors */

static void
meta_attr(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, " data-%s=\"", name);
	report_text(b, value ? value : "");
	buf_puts(b, "\"");
}

static void
row_table(struct buf *b, const char *id, const char *first,
    const struct errors_row *rows, int n)
{
	const char *heads[] = { first, "items", "errors", "share of data",
		"model error", "share of errors", "model accuracy",
		"accuracy interval", "HLP", "HLP interval", "gap",
		"gap interval", "room", "room interval", NULL };
	int i;

	html_table_begin(b, NULL, id, heads);
	for (i = 0; i < n; i++) {
		const struct errors_row *r = &rows[i];

		html_tr_named(b, "row", r->name);
		html_td_int(b, "items", r->items);
		html_td_int(b, "errors", r->errors);
		report_td_num(b, "data_share", r->data_share, "%.3f");
		report_td_num(b, "error_rate", r->error_rate, "%.3f");
		report_td_num(b, "error_share", r->error_share, "%.3f");
		html_td_stat(b, "accuracy", &r->accuracy);
		html_td_ci(b, "accuracy_ci", &r->accuracy_ci);
		html_td_stat(b, "hlp", &r->hlp);
		html_td_ci(b, "hlp_ci", &r->hlp_ci);
		html_td_stat(b, "gap", &r->gap);
		html_td_ci(b, "gap_ci", &r->gap_ci);
		html_td_stat(b, "room", &r->room);
		html_td_ci(b, "room_ci", &r->room_ci);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/*
 * Chart ID-SUFFIX of c's groups (the rows) with its series; takes title
 * (freed here).
 */
static void
row_chart(struct buf *b, struct report_bars *c, const char *id,
    const char *suffix, char *title, int nseries,
    const struct report_series *series)
{
	char *cid = xasprintf("%s-%s", id, suffix);

	c->id = cid;
	c->title = title;
	c->nseries = nseries;
	c->series = series;
	report_svg_bars(b, c);
	free(cid);
	free(title);
}

/* Room for improvement per row, and model error next to HLP per row. */
static void
row_charts(struct buf *b, const char *id, const char *what,
    const struct errors_row *rows, int n, int room)
{
	static const struct report_series room_series[] = {
		{ "room", "room for improvement" },
	};
	static const struct report_series err_series[] = {
		{ "accuracy", "model accuracy" },
		{ "hlp", "HLP" },
	};
	struct html_bars h;
	struct report_bars c = { .ngroups = n };
	struct report_value *v;
	int i;

	html_bars_alloc(&h, n, 2);
	v = h.v;
	for (i = 0; i < n; i++) {
		h.names[i] = rows[i].name;
		h.notes[i] = xasprintf("n = %d, %d error%s", rows[i].items,
		    rows[i].errors, rows[i].errors == 1 ? "" : "s");
	}
	c.groups = h.names;
	c.notes = (const char *const *)h.notes;
	c.values = v;
	if (room) {
		for (i = 0; i < n; i++)
			html_bar_value(&v[i], &rows[i].room,
			    &rows[i].room_ci);
		row_chart(b, &c, id, "room-chart", xasprintf("Room for "
		    "improvement %s: (HLP - model accuracy) x share of data",
		    what), 1, room_series);
	}
	for (i = 0; i < n; i++) {
		html_bar_value(&v[i * 2], &rows[i].accuracy,
		    &rows[i].accuracy_ci);
		html_bar_value(&v[i * 2 + 1], &rows[i].hlp, &rows[i].hlp_ci);
	}
	row_chart(b, &c, id, "error-chart", xasprintf("Model accuracy and "
	    "HLP %s (95%% intervals)", what), 2, err_series);
	html_bars_free(&h);
}

/* The paragraph #meta: what was analysed, how, and what was left out. */
static void
errors_meta(struct buf *b, const char *task, const struct errors_report *e,
    const struct errors_opts *o)
{
	buf_puts(b, "<p id=\"meta\"");
	meta_attr(b, "task", task);
	meta_attr(b, "run", e->run);
	meta_attr(b, "file", e->file);
	meta_attr(b, "sha256", e->sha256);
	meta_attr(b, "by", e->by);
	buf_printf(b, " data-items=\"%d\" data-predicted=\"%d\" "
	    "data-scored=\"%d\" data-ambiguous=\"%d\" data-ties=\"%d\" "
	    "data-unlabeled=\"%d\" data-one-label=\"%d\" "
	    "data-bootstrap=\"%d\" data-seed=\"%llu\">",
	    e->nitems, e->npredicted, e->nscored, e->nambiguous, e->nties,
	    e->nunlabeled, e->nsingle, o->bootstrap,
	    (unsigned long long)o->seed);
	buf_puts(b, "Run ");
	report_text(b, e->run);
	buf_puts(b, " (");
	report_text(b, e->file);
	buf_printf(b, ", sha256 %.12s), imported by ", e->sha256);
	report_text(b, e->imported_by);
	buf_puts(b, " at ");
	report_text(b, e->imported_at);
	buf_printf(b, ". %d items, %d predicted, %d scored; left out: %d "
	    "ambiguous, %d without labels, %d with one label and no "
	    "reference. The model is scored as a person is: against the "
	    "adjudicated or gold class where there is one, else against the "
	    "people's labels; HLP is the people's mean score on the same "
	    "items. Room = (HLP - model accuracy) x share of data. Intervals: "
	    "95%% BCa over the items, %d bootstrap replicates, seed %llu. The "
	    "confusion matrix and the error counts compare with the consensus "
	    "class (adjudication, else gold, else majority; %d scored items "
	    "whose labels tie are not in them). Formulas: "
	    "docs/statistics.md.</p>\n", e->nitems, e->npredicted, e->nscored,
	    e->nambiguous, e->nunlabeled, e->nsingle, o->bootstrap,
	    (unsigned long long)o->seed, e->nties);
}

int
errors_html_write(const char *file, const char *task,
    const struct errors_report *e, const struct errors_opts *o,
    char **cause)
{
	struct buf b = { 0 };
	char *title = xasprintf("accord errors: %s", task), *by;
	struct report_heatmap h = { .id = "confusion", .title = "Confusion: "
	    "consensus class (rows) by model prediction (columns)",
	    .row_axis = "consensus", .col_axis = "model" };
	int ret;

	report_page_begin(&b, title);
	free(title);
	errors_meta(&b, task, e, o);
	buf_puts(&b, "<h2>All scored items</h2>\n");
	row_table(&b, "overall", "scored", &e->overall, 1);
	row_charts(&b, "overall", "over all scored items", &e->overall, 1,
	    0);

	buf_puts(&b, "<h2>By tag</h2>\n");
	if (e->ntags == 0)
		buf_puts(&b, "<p class=\"note\">No tags in force.</p>\n");
	else {
		row_table(&b, "tags", "tag", e->tags, e->ntags);
		row_charts(&b, "tags", "by tag", e->tags, e->ntags, 1);
	}
	if (e->by != NULL) {
		buf_puts(&b, "<h2>By ");
		report_text(&b, e->by);
		buf_puts(&b, "</h2>\n");
		by = xasprintf("by %s", e->by);
		row_table(&b, "slices", e->by, e->slices, e->nslices);
		row_charts(&b, "slices", by, e->slices, e->nslices, 1);
		free(by);
	}

	buf_puts(&b, "<h2>Model against consensus</h2>\n");
	h.nrows = h.ncols = e->nclasses;
	h.rows = h.cols = (const char *const *)e->classes;
	h.counts = e->confusion;
	report_svg_heatmap(&b, &h);
	report_page_end(&b);
	ret = report_write_file(file, b.s, b.len, cause);
	buf_free(&b);
	return ret;
}

/* drift */

#define NOT_METRIC "labels: no metric"
#define NOT_LABELS "metrics: no chi-square"

static void
td_maybe(struct buf *b, const char *key, double v, int defined,
    const char *why, const char *fmt)
{
	if (defined)
		report_td_num(b, key, v, fmt);
	else {
		struct report_value u = { .why = why };

		report_td_value(b, key, &u);
	}
}

/* The paragraph #meta: the two batches and how they are compared. */
static void
drift_meta(struct buf *b, const struct drift_report *d)
{
	buf_puts(b, "<p id=\"meta\"");
	meta_attr(b, "from", d->from);
	meta_attr(b, "to", d->to);
	buf_printf(b, " data-items-from=\"%d\" data-items-to=\"%d\" "
	    "data-epsilon=\"", d->items_from, d->items_to);
	report_num(b, NULL, DRIFT_PSI_EPSILON);
	buf_puts(b, "\">From batch ");
	report_text(b, d->from);
	buf_printf(b, " (%d items) to batch ", d->items_from);
	report_text(b, d->to);
	buf_printf(b, " (%d items). PSI over the deciles of the from batch "
	    "(an empty bin counts as a share of %g); two-sample "
	    "Kolmogorov-Smirnov D and its p-value, exact where the exact "
	    "count is feasible and else asymptotic (the table says which); "
	    "largest PSI first. Formulas: docs/statistics.md.</p>\n",
	    d->items_to,
	    DRIFT_PSI_EPSILON);
}

/* #psi-chart: the PSI of every shift, metrics and labels. */
static void
drift_psi_chart(struct buf *b, const struct drift_report *d)
{
	static const struct report_series psi_series[] = {
		{ "psi", "population stability index" },
	};
	struct html_bars h;
	struct report_bars c = { .id = "psi-chart", .title = "PSI per metric "
	    "and for the labels (0.1: some shift, 0.25: a large one)",
	    .ngroups = d->nshifts, .nseries = 1, .series = psi_series };
	int i;

	html_bars_alloc(&h, d->nshifts, 1);
	buf_puts(b, "<h2>Population stability index</h2>\n");
	for (i = 0; i < d->nshifts; i++) {
		h.names[i] = d->shifts[i].name;
		h.v[i].value = d->shifts[i].psi;
		h.v[i].defined = 1;
	}
	c.groups = h.names;
	c.values = h.v;
	report_svg_bars(b, &c);
	html_bars_free(&h);
}

/* #ks-chart: KS D of each metric, its p-value as the note; none without
 * metrics. */
static void
drift_ks_chart(struct buf *b, const struct drift_report *d)
{
	static const struct report_series ks_series[] = {
		{ "ks_d", "Kolmogorov-Smirnov D" },
	};
	struct html_bars h;
	struct report_bars c = { .id = "ks-chart", .title = "Kolmogorov-"
	    "Smirnov D per metric (with its p-value)", .nseries = 1,
	    .series = ks_series };
	int i, n;

	html_bars_alloc(&h, d->nshifts, 1);
	for (i = n = 0; i < d->nshifts; i++) {
		if (d->shifts[i].labels)
			continue;
		h.names[n] = d->shifts[i].name;
		h.notes[n] = xasprintf("p = %.3g", d->shifts[i].ks_p);
		h.v[n].value = d->shifts[i].ks_d;
		h.v[n].defined = 1;
		n++;
	}
	if (n > 0) {
		buf_puts(b, "<h2>Kolmogorov-Smirnov</h2>\n");
		c.ngroups = n;
		c.groups = h.names;
		c.notes = (const char *const *)h.notes;
		c.values = h.v;
		report_svg_bars(b, &c);
	}
	html_bars_free(&h);
}

/* A row of #shifts: a metric's or the labels' figures, the others
 * undefined with the reason. */
static void
drift_shift_row(struct buf *b, const struct drift_shift *s)
{
	int m = !s->labels, chi = s->labels && s->chi2_df > 0;
	const char *nochi = m ? NOT_LABELS : "fewer than two classes used";

	buf_puts(b, "<tr data-shift=\"");
	report_text(b, s->name);
	buf_printf(b, "\" data-kind=\"%s\">", m ? "metric" : "labels");
	report_td_text(b, s->name);
	report_td_text(b, m ? "metric" : "labels");
	html_td_int(b, "n_from", s->n_from);
	html_td_int(b, "n_to", s->n_to);
	td_maybe(b, "mean_from", s->mean_from, m, NOT_METRIC, "%.4g");
	td_maybe(b, "mean_to", s->mean_to, m, NOT_METRIC, "%.4g");
	report_td_num(b, "psi", s->psi, "%.3f");
	html_td_int(b, "bins", s->bins);
	td_maybe(b, "ks_d", s->ks_d, m, NOT_METRIC, "%.3f");
	td_maybe(b, "ks_p", s->ks_p, m, NOT_METRIC, "%.3g");
	if (m)
		buf_printf(b, "<td data-key=\"ks_method\">%s</td>",
		    s->ks_exact ? "exact" : "asymptotic");
	else
		td_maybe(b, "ks_method", 0, 0, NOT_METRIC, "%.0f");
	td_maybe(b, "chi2", s->chi2, chi, nochi, "%.3f");
	if (chi)
		html_td_int(b, "chi2_df", s->chi2_df);
	else
		td_maybe(b, "chi2_df", 0, 0, nochi, "%.0f");
	td_maybe(b, "chi2_p", s->chi2_p, chi, nochi, "%.3g");
	buf_puts(b, "</tr>\n");
}

/* #labels-chart and #labels: each class's share of the labels in force
 * in either batch. */
static void
drift_labels(struct buf *b, const struct drift_report *d)
{
	static const struct report_series label_series[] = {
		{ "from", "from batch" },
		{ "to", "to batch" },
	};
	static const char *const heads[] = { "class", "from", "to",
		"share from", "share to", NULL };
	struct report_value *v = xcalloc((size_t)d->nclasses * 2 + 1,
	    sizeof *v);
	struct report_bars c = { .id = "labels-chart", .title = "Share of the "
	    "labels in force per class", .ngroups = d->nclasses,
	    .nseries = 2, .groups = (const char *const *)d->classes,
	    .series = label_series, .values = v };
	long long tf = 0, tt = 0;
	int i;

	buf_puts(b, "<h2>Label distribution</h2>\n");
	for (i = 0; i < d->nclasses; i++) {
		tf += d->labels_from[i];
		tt += d->labels_to[i];
	}
	for (i = 0; i < d->nclasses; i++) {
		struct report_value *f = &v[2 * i], *t = &v[2 * i + 1];

		f->defined = tf > 0;
		f->value = tf > 0 ? (double)d->labels_from[i] / tf : 0;
		f->why = "no labels";
		t->defined = tt > 0;
		t->value = tt > 0 ? (double)d->labels_to[i] / tt : 0;
		t->why = "no labels";
	}
	report_svg_bars(b, &c);
	html_table_begin(b, NULL, "labels", heads);
	for (i = 0; i < d->nclasses; i++) {
		html_tr_named(b, "class", d->classes[i]);
		html_td_int(b, "from", d->labels_from[i]);
		html_td_int(b, "to", d->labels_to[i]);
		report_td_value(b, "from_share", &v[2 * i]);
		report_td_value(b, "to_share", &v[2 * i + 1]);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	free(v);
}

int
drift_html_write(const char *file, const struct drift_report *d,
    char **cause)
{
	static const char *const heads[] = { "shift", "kind", "n from",
		"n to", "mean from", "mean to", "PSI", "bins", "KS D",
		"KS p", "KS p method", "chi-square", "df", "chi-square p",
		NULL };
	struct buf b = { 0 };
	char *title = xasprintf("accord drift: %s -> %s", d->from, d->to);
	int i, ret;

	report_page_begin(&b, title);
	free(title);
	drift_meta(&b, d);
	drift_psi_chart(&b, d);
	drift_ks_chart(&b, d);
	html_table_begin(&b, NULL, "shifts", heads);
	for (i = 0; i < d->nshifts; i++)
		drift_shift_row(&b, &d->shifts[i]);
	buf_puts(&b, "</table>\n");
	drift_labels(&b, d);
	report_page_end(&b);
	ret = report_write_file(file, b.s, b.len, cause);
	buf_free(&b);
	return ret;
}
