/*
 * agree_html.c: the page `accord agree --html FILE` writes, laid out with
 * the report toolkit (include/accord/report.h).
 *
 * What a reader (or a test) can find in it, by id and data- attribute
 * (docs/guide.md repeats this list):
 *
 *   #meta                 data-task, data-by, data-bootstrap, data-seed,
 *                         data-confidence
 *   #version-chart        bars per result (group "version V" or "every
 *                         version"): series fleiss, alpha_nominal,
 *                         percent, hlp (with its interval)
 *   #versions             table, a row per result: tr[data-result=R]
 *   section#R             one per result; R is "gV" for guideline
 *                         version V, "all" for every version together;
 *                         data-guideline="V" or "all"
 *   #R-overall            tr[data-stat=NAME] (NAME as in --json: percent,
 *                         unanimous, fleiss, conger, ac1, alpha_nominal,
 *                         alpha_ordinal, alpha_interval, cohen_mean, hlp)
 *   #R-labeler-chart      bars per labeler: agree_others, kappa_mean, hlp,
 *                         gold_accuracy (when some labeler has gold items)
 *   #R-labelers           tr[data-labeler=NAME]
 *   #R-confusion          heatmap, rect.cell[data-row][data-col][data-count]
 *   #R-classes            tr[data-class=NAME]
 *   #R-disagreements      tr[data-a][data-b] class pairs, most first
 *   #R-pairs              tr[data-a][data-b] labeler pairs, Cohen's kappa
 *   #R-slice-chart        with --by: bars per slice (data-group = slice
 *                         name, data-note "n = ITEMS"): hlp with interval
 *   #R-slices             with --by: tr[data-slice=NAME]
 *   #R-items              most disagreed items: tr[data-item=ID]
 *
 * A figure's cell is td[data-key=KEY][data-value=V] (V at %.12g, as in
 * --json) showing V at %.3f, or td.undef[data-why=WHY] showing
 * "undefined (WHY)"; an interval is td[data-lo][data-hi] "[lo, hi]".
 */
#include <stdlib.h>
#include <string.h>

#include "accord/report.h"
#include "agree.h"
#include "cmd.h"
#include "html.h"

/*
 * A result's HTML id prefix ("gV" for guideline version V, "all" for
 * every version together) and its name in the page.
 */
struct result_names {
	char id[24];
	char name[40];
};

static void
result_names(struct result_names *n, const struct agree_report_run *u)
{
	if (u->version) {
		snprintf(n->id, sizeof n->id, "g%d", u->version);
		snprintf(n->name, sizeof n->name, "version %d", u->version);
	} else {
		snprintf(n->id, sizeof n->id, "all");
		snprintf(n->name, sizeof n->name, "every version");
	}
}

/* The cells a row of #versions and of #R-slices share, after the name. */
static void
agreement_cells(struct buf *b, long long items, const struct agree_result *a)
{
	html_td_int(b, "items", items);
	html_td_int(b, "labels", a->nlabels);
	html_td_stat(b, "percent", &a->percent);
	html_td_stat(b, "fleiss", &a->fleiss);
	html_td_stat(b, "alpha_nominal", &a->alpha_nominal);
	html_td_stat(b, "hlp", &a->team_hlp);
	html_td_ci(b, "hlp_ci", &a->team_hlp_ci);
}

/* Agreement by guideline version: chart and table. */
static void
versions_html(struct buf *b, const struct agree_report_run *runs, int nruns)
{
	static const struct report_series series[] = {
		{ "fleiss", "Fleiss' kappa" },
		{ "alpha_nominal", "Krippendorff's alpha" },
		{ "percent", "percent agreement" },
		{ "hlp", "team HLP" },
	};
	static const char *const heads[] = { "result", "items", "labels",
		"percent", "Fleiss' kappa", "Krippendorff's alpha", "team HLP",
		"HLP interval", NULL };
	struct report_value *v = xcalloc((size_t)nruns * 4, sizeof *v);
	struct result_names *n = xcalloc((size_t)nruns, sizeof *n);
	const char **names = xcalloc((size_t)nruns, sizeof *names);
	struct report_bars c = { .id = "version-chart", .title = "Agreement "
	    "and team HLP by guideline version", .ngroups = nruns,
	    .nseries = 4, .groups = names, .series = series, .values = v };
	int i;

	for (i = 0; i < nruns; i++) {
		const struct agree_result *a = &runs[i].all;

		result_names(&n[i], &runs[i]);
		names[i] = n[i].name;
		html_bar_value(&v[i * 4 + 0], &a->fleiss, NULL);
		html_bar_value(&v[i * 4 + 1], &a->alpha_nominal, NULL);
		html_bar_value(&v[i * 4 + 2], &a->percent, NULL);
		html_bar_value(&v[i * 4 + 3], &a->team_hlp, &a->team_hlp_ci);
	}
	buf_puts(b, "<h2>Agreement by guideline version</h2>\n");
	report_svg_bars(b, &c);

	html_table_begin(b, NULL, "versions", heads);
	for (i = 0; i < nruns; i++) {
		const struct agree_result *a = &runs[i].all;

		buf_printf(b, "<tr data-result=\"%s\">", n[i].id);
		report_td_text(b, names[i]);
		agreement_cells(b, a->nitems, a);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	free(names);
	free(n);
	free(v);
}

static void
overall_html(struct buf *b, const char *id, const struct agree_result *a,
    double confidence)
{
	static const char *const heads[] = { "statistic", "value",
		"interval", NULL };
	const struct {
		const char *key, *name;
		const struct agree_stat *s;
		const struct agree_ci *ci;
	} rows[] = {
		{ "percent", "percent agreement", &a->percent, &a->percent_ci },
		{ "unanimous", "unanimous items", &a->unanimous, NULL },
		{ "fleiss", "Fleiss' kappa", &a->fleiss, &a->fleiss_ci },
		{ "conger", "Conger's kappa", &a->conger, NULL },
		{ "alpha_nominal", "Krippendorff's alpha, nominal",
		    &a->alpha_nominal, &a->alpha_nominal_ci },
		{ "alpha_ordinal", "Krippendorff's alpha, ordinal",
		    &a->alpha_ordinal, &a->alpha_ordinal_ci },
		{ "alpha_interval", "Krippendorff's alpha, interval",
		    &a->alpha_interval, &a->alpha_interval_ci },
		{ "ac1", "Gwet's AC1", &a->ac1, &a->ac1_ci },
		{ "cohen_mean", "mean Cohen's kappa", &a->cohen_mean, NULL },
		/* its interval has a row of its own (hlp_ci, below) */
		{ "hlp", "team HLP", &a->team_hlp, NULL },
	};
	char key[32];
	size_t i;

	buf_printf(b, "<h3>Overall</h3>\n<p class=\"note\">%d items, %d "
	    "labeled, %d with two labels or more, %lld labels, %d labeler%s; "
	    "intervals: %.0f%% BCa item bootstrap, %d replicates.</p>\n",
	    a->nitems, a->nlabeled, a->npairable, a->nlabels, a->nactive,
	    a->nactive == 1 ? "" : "s", confidence * 100, a->bootstrap);
	html_table_begin(b, id, "overall", heads);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_printf(b, "<tr data-stat=\"%s\">", rows[i].key);
		report_td_text(b, rows[i].name);
		html_td_stat(b, rows[i].key, rows[i].s);
		if (rows[i].ci != NULL) {
			snprintf(key, sizeof key, "%s_ci", rows[i].key);
			html_td_ci(b, key, rows[i].ci);
		} else
			report_td_text(b, "");
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "<tr data-stat=\"hlp_ci\">");
	report_td_text(b, "team HLP interval");
	html_td_ci(b, "hlp_ci", &a->team_hlp_ci);
	report_td_text(b, "");
	buf_puts(b, "</tr>\n</table>\n");
}

/* The heading, then #R-labeler-chart (gold accuracy when some labeler
 * has gold items). */
static void
labeler_chart(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	static const struct report_series series[] = {
		{ "agree_others", "agreement with others" },
		{ "kappa_mean", "mean Cohen's kappa" },
		{ "hlp", "HLP" },
		{ "gold_accuracy", "gold accuracy" },
	};
	struct report_value *v;
	struct report_bars c = { 0 };
	char *chart_id = xasprintf("%s-labeler-chart", id);
	int i, gold = 0, ns;

	for (i = 0; i < a->nlabelers; i++)
		gold |= a->labelers[i].ngold > 0;
	ns = gold ? 4 : 3;
	v = xcalloc((size_t)a->nlabelers * ns + 1, sizeof *v);
	for (i = 0; i < a->nlabelers; i++) {
		const struct agree_labeler *l = &a->labelers[i];

		html_bar_value(&v[i * ns + 0], &l->agree_others, NULL);
		html_bar_value(&v[i * ns + 1], &l->kappa_mean, NULL);
		html_bar_value(&v[i * ns + 2], &l->hlp, &l->hlp_ci);
		if (gold)
			html_bar_value(&v[i * ns + 3], &l->gold_accuracy, NULL);
	}
	buf_puts(b, "<h3>Per labeler</h3>\n");
	c.id = chart_id;
	c.title = gold ? "Each labeler: agreement with the others, kappa, HLP "
	    "and gold accuracy" : "Each labeler: agreement with the others, "
	    "kappa and HLP";
	c.ngroups = a->nlabelers;
	c.nseries = ns;
	c.groups = (const char *const *)r->labelers;
	c.series = series;
	c.values = v;
	report_svg_bars(b, &c);
	free(v);
	free(chart_id);
}

static void
labelers_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	static const char *const heads[] = { "labeler", "labels", "shared",
		"agreement with others", "mean Cohen's kappa", "gold items",
		"gold accuracy", "HLP", "HLP interval", NULL };
	int i;

	labeler_chart(b, id, r, a);
	html_table_begin(b, id, "labelers", heads);
	for (i = 0; i < a->nlabelers; i++) {
		const struct agree_labeler *l = &a->labelers[i];

		html_tr_named(b, "labeler", r->labelers[i]);
		html_td_int(b, "labels", l->nlabels);
		html_td_int(b, "shared", l->nshared);
		html_td_stat(b, "agree_others", &l->agree_others);
		html_td_stat(b, "kappa_mean", &l->kappa_mean);
		html_td_int(b, "gold_items", l->ngold);
		html_td_stat(b, "gold_accuracy", &l->gold_accuracy);
		html_td_stat(b, "hlp", &l->hlp);
		html_td_ci(b, "hlp_ci", &l->hlp_ci);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* #R-confusion: the pooled confusion between labelers. */
static void
confusion_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	char *hid = xasprintf("%s-confusion", id);
	struct report_heatmap h = { .id = hid, .title = "Pooled confusion: "
	    "ordered pairs of labels by two labelers on one item",
	    .row_axis = "one labeler", .col_axis = "another labeler",
	    .nrows = a->nclasses, .ncols = a->nclasses,
	    .rows = (const char *const *)r->classes,
	    .cols = (const char *const *)r->classes,
	    .counts = a->confusion };

	buf_puts(b, "<h3>Confusion between labelers</h3>\n");
	report_svg_heatmap(b, &h);
	free(hid);
}

/* #R-classes, then #R-disagreements (the class pairs, most first). */
static void
classes_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	static const char *const heads[] = { "class", "labels",
		"specific agreement", "HLP", "HLP weight", NULL };
	static const char *const dheads[] = { "class", "class",
		"disagreeing pairs", "share", NULL };
	int i;

	buf_puts(b, "<h3>Per class</h3>\n");
	html_table_begin(b, id, "classes", heads);
	for (i = 0; i < a->nclasses; i++) {
		const struct agree_class *c = &a->classes[i];

		buf_puts(b, "<tr data-class=\"");
		report_text(b, r->classes[i]);
		buf_puts(b, "\"><td>");
		report_text(b, r->classes[i]);
		if (c->borderline)
			buf_puts(b, " <span class=\"note\">(borderline)"
			    "</span>");
		buf_puts(b, "</td>");
		html_td_int(b, "labels", c->nlabels);
		html_td_stat(b, "specific", &c->specific);
		html_td_stat(b, "hlp", &c->hlp);
		report_td_num(b, "hlp_weight", c->hlp_weight, "%.6g");
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");

	buf_puts(b, "<h3>Class pairs with the most disagreement</h3>\n");
	if (a->ndisagreements == 0)
		buf_puts(b, "<p class=\"note\">No two labels on an item "
		    "disagree.</p>\n");
	html_table_begin(b, id, "disagreements", dheads);
	for (i = 0; i < a->ndisagreements; i++) {
		const struct agree_disagreement *d = &a->disagreements[i];

		html_tr_pair(b, r->classes[d->c], r->classes[d->k]);
		html_td_int(b, "count", d->count);
		/* Shown as a percentage; data-value keeps the share. */
		buf_puts(b, "<td class=\"num\" data-key=\"share\" "
		    "data-value=\"");
		report_num(b, NULL, d->share);
		buf_puts(b, "\">");
		report_num(b, "%.1f%%", 100 * d->share);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

static void
pairs_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	static const char *const heads[] = { "labeler", "labeler",
		"shared items", "observed", "expected", "Cohen's kappa", NULL };
	int i;

	buf_puts(b, "<h3>Pairs of labelers</h3>\n");
	html_table_begin(b, id, "pairs", heads);
	for (i = 0; i < a->npairs; i++) {
		const struct agree_pair *p = &a->pairs[i];

		html_tr_pair(b, r->labelers[p->a], r->labelers[p->b]);
		html_td_int(b, "shared", p->nshared);
		report_td_num(b, "observed", p->observed, "%.3f");
		report_td_num(b, "expected", p->expected, "%.3f");
		html_td_stat(b, "kappa", &p->kappa);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

static void
slices_html(struct buf *b, const char *id, const struct ratings *r,
    const char *by, const struct agree_report_run *u)
{
	static const struct report_series series[] = {
		{ "hlp", "team HLP" },
	};
	static const char *const heads[] = { "slice", "items", "labels",
		"percent", "Fleiss' kappa", "Krippendorff's alpha", "team HLP",
		"HLP interval", NULL };
	char *chart_id = xasprintf("%s-slice-chart", id);
	char *title = xasprintf("Team HLP by %s, with its interval", by);
	struct report_bars c = { .id = chart_id, .title = title,
	    .ngroups = r->nslices, .nseries = 1,
	    .groups = (const char *const *)r->slices, .series = series };
	struct html_bars h;
	int s;

	html_bars_alloc(&h, r->nslices, 1);
	for (s = 0; s < r->nslices; s++) {
		const struct agree_result *a = &u->slices[s];

		html_bar_value(&h.v[s], &a->team_hlp, &a->team_hlp_ci);
		h.notes[s] = xasprintf("n = %d item%s", u->slice_items[s],
		    u->slice_items[s] == 1 ? "" : "s");
	}
	buf_puts(b, "<h3>By ");
	report_text(b, by);
	buf_puts(b, "</h3>\n");
	c.notes = (const char *const *)h.notes;
	c.values = h.v;
	report_svg_bars(b, &c);

	html_table_begin(b, id, "slices", heads);
	for (s = 0; s < r->nslices; s++) {
		const struct agree_result *a = &u->slices[s];

		html_tr_named(b, "slice", r->slices[s]);
		agreement_cells(b, u->slice_items[s], a);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	html_bars_free(&h);
	free(chart_id);
	free(title);
}

static void
items_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_report_run *u)
{
	static const char *const heads[] = { "entropy (bits)", "item", "path",
		"labels", "adjudicated", "gold", NULL };
	int t, j, c;

	buf_puts(b, "<h3>Most disagreed items</h3>\n");
	if (u->ntop == 0)
		buf_puts(b, "<p class=\"note\">No item has disagreeing "
		    "labels.</p>\n");
	html_table_begin(b, id, "items", heads);
	for (t = 0; t < u->ntop; t++) {
		int it = u->top[t].item, first = 1;

		buf_printf(b, "<tr data-item=\"%lld\">", r->item_ids[it]);
		report_td_num(b, "entropy", u->top[t].entropy, "%.3f");
		html_td_int(b, "id", r->item_ids[it]);
		report_td_text(b, r->paths[it]);
		buf_puts(b, "<td>");
		for (j = 0; j < r->nlabelers; j++) {
			if ((c = agree_run_label(r, u, it, j)) < 0)
				continue;
			buf_puts(b, first ? "" : ", ");
			first = 0;
			report_text(b, r->labelers[j]);
			buf_puts(b, "=");
			report_text(b, r->classes[c]);
		}
		buf_puts(b, "</td>");
		report_td_text(b, r->reference[it] >= 0 ?
		    r->classes[r->reference[it]] : "-");
		report_td_text(b, r->gold[it] >= 0 ? r->classes[r->gold[it]] :
		    "-");
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

int
agree_html_write(const char *file, const char *task, const struct ratings *r,
    const char *by, const struct agree_opts *o,
    const struct agree_report_run *runs, int nruns, char **cause)
{
	struct buf b = { 0 };
	char *title = xasprintf("accord agree: %s", task);
	struct result_names n;
	int i, ret;

	report_page_begin(&b, title);
	free(title);
	buf_puts(&b, "<p id=\"meta\" data-task=\"");
	report_text(&b, task);
	buf_puts(&b, "\" data-by=\"");
	report_text(&b, by ? by : "");
	buf_printf(&b, "\" data-bootstrap=\"%d\" data-seed=\"%llu\" "
	    "data-confidence=\"", o->bootstrap, (unsigned long long)o->seed);
	report_num(&b, NULL, o->confidence);
	buf_puts(&b, "\">Classes: ");
	for (i = 0; i < r->nclasses; i++) {
		buf_puts(&b, i ? ", " : "");
		report_text(&b, r->classes[i]);
		if (i == r->borderline)
			buf_puts(&b, " (borderline)");
	}
	buf_printf(&b, "%s. Labelers: ", r->ordinal ? ", an ordinal scale" :
	    "");
	for (i = 0; i < r->nlabelers; i++) {
		buf_puts(&b, i ? ", " : "");
		report_text(&b, r->labelers[i]);
	}
	buf_printf(&b, ". HLP intervals: %d bootstrap replicates, seed %llu. "
	    "Formulas: docs/statistics.md.</p>\n", o->bootstrap,
	    (unsigned long long)o->seed);

	versions_html(&b, runs, nruns);
	for (i = 0; i < nruns; i++) {
		const struct agree_report_run *u = &runs[i];

		result_names(&n, u);
		buf_printf(&b, "<section id=\"%s\" data-guideline=\"%s\">\n"
		    "<h2>Labels of %s%s</h2>\n", n.id, u->version ? n.id + 1 :
		    "all", u->version ? "guideline " : "", n.name);
		overall_html(&b, n.id, &u->all, o->confidence);
		/* The heatmap early: it is where a discussion starts. */
		confusion_html(&b, n.id, r, &u->all);
		classes_html(&b, n.id, r, &u->all);
		labelers_html(&b, n.id, r, &u->all);
		pairs_html(&b, n.id, r, &u->all);
		if (by != NULL)
			slices_html(&b, n.id, r, by, u);
		items_html(&b, n.id, r, u);
		buf_puts(&b, "</section>\n");
	}
	report_page_end(&b);
	ret = report_write_file(file, b.s, b.len, cause);
	buf_free(&b);
	return ret;
}
