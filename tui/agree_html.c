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
	struct report_bars c = { 0 };
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
	c.id = "version-chart";
	c.title = "Agreement and team HLP by guideline version";
	c.ngroups = nruns;
	c.nseries = 4;
	c.groups = names;
	c.series = series;
	c.values = v;
	report_svg_bars(b, &c);

	html_table_begin(b, NULL, "versions", heads);
	for (i = 0; i < nruns; i++) {
		const struct agree_result *a = &runs[i].all;

		buf_printf(b, "<tr data-result=\"%s\">", n[i].id);
		report_td_text(b, names[i]);
		html_td_int(b, "items", a->nitems);
		html_td_int(b, "labels", a->nlabels);
		html_td_stat(b, "percent", &a->percent);
		html_td_stat(b, "fleiss", &a->fleiss);
		html_td_stat(b, "alpha_nominal", &a->alpha_nominal);
		html_td_stat(b, "hlp", &a->team_hlp);
		html_td_ci(b, "hlp_ci", &a->team_hlp_ci);
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
	static const char *const heads[] = { "statistic", "value", NULL };
	const struct {
		const char *key, *name;
		const struct agree_stat *s;
	} rows[] = {
		{ "percent", "percent agreement", &a->percent },
		{ "unanimous", "unanimous items", &a->unanimous },
		{ "fleiss", "Fleiss' kappa", &a->fleiss },
		{ "conger", "Conger's kappa", &a->conger },
		{ "alpha_nominal", "Krippendorff's alpha, nominal",
		    &a->alpha_nominal },
		{ "alpha_ordinal", "Krippendorff's alpha, ordinal",
		    &a->alpha_ordinal },
		{ "alpha_interval", "Krippendorff's alpha, interval",
		    &a->alpha_interval },
		{ "ac1", "Gwet's AC1", &a->ac1 },
		{ "cohen_mean", "mean Cohen's kappa", &a->cohen_mean },
		{ "hlp", "team HLP", &a->team_hlp },
	};
	size_t i;

	buf_printf(b, "<h3>Overall</h3>\n<p class=\"note\">%d items, %d "
	    "labeled, %d with two labels or more, %lld labels, %d labeler%s; "
	    "HLP interval: %.0f%% percentile bootstrap, %d replicates.</p>\n",
	    a->nitems, a->nlabeled, a->npairable, a->nlabels, a->nactive,
	    a->nactive == 1 ? "" : "s", confidence * 100, a->bootstrap);
	html_table_begin(b, id, "overall", heads);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		buf_printf(b, "<tr data-stat=\"%s\">", rows[i].key);
		report_td_text(b, rows[i].name);
		html_td_stat(b, rows[i].key, rows[i].s);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "<tr data-stat=\"hlp_ci\">");
	report_td_text(b, "team HLP interval");
	html_td_ci(b, "hlp_ci", &a->team_hlp_ci);
	buf_puts(b, "</tr>\n</table>\n");
}

static void
labelers_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	static const struct report_series series[] = {
		{ "agree_others", "agreement with others" },
		{ "kappa_mean", "mean Cohen's kappa" },
		{ "hlp", "HLP" },
		{ "gold_accuracy", "gold accuracy" },
	};
	static const char *const heads[] = { "labeler", "labels", "shared",
		"agreement with others", "mean Cohen's kappa", "gold items",
		"gold accuracy", "HLP", "HLP interval", NULL };
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

	html_table_begin(b, id, "labelers", heads);
	for (i = 0; i < a->nlabelers; i++) {
		const struct agree_labeler *l = &a->labelers[i];

		buf_puts(b, "<tr data-labeler=\"");
		report_text(b, r->labelers[i]);
		buf_puts(b, "\">");
		report_td_text(b, r->labelers[i]);
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

static void
classes_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_result *a)
{
	static const char *const heads[] = { "class", "labels",
		"specific agreement", "HLP", "HLP weight", NULL };
	static const char *const dheads[] = { "class", "class",
		"disagreeing pairs", "share", NULL };
	struct report_heatmap h = { 0 };
	char *hid = xasprintf("%s-confusion", id);
	int i;

	buf_puts(b, "<h3>Confusion between labelers</h3>\n");
	h.id = hid;
	h.title = "Pooled confusion: ordered pairs of labels by two labelers "
	    "on one item";
	h.row_axis = "one labeler";
	h.col_axis = "another labeler";
	h.nrows = h.ncols = a->nclasses;
	h.rows = h.cols = (const char *const *)r->classes;
	h.counts = a->confusion;
	report_svg_heatmap(b, &h);
	free(hid);

	buf_puts(b, "<h3>Per class</h3>\n");
	html_table_begin(b, id, "classes", heads);
	for (i = 0; i < a->nclasses; i++) {
		const struct agree_class *c = &a->classes[i];

		buf_puts(b, "<tr data-class=\"");
		report_text(b, r->classes[i]);
		buf_puts(b, "\"><td>");
		report_text(b, r->classes[i]);
		if (c->borderline)
			buf_puts(b, " <span class=\"note\">(borderline)</span>");
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
		buf_puts(b, "<td class=\"num\" data-key=\"share\" data-value=\"");
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
	struct report_value *v = xcalloc((size_t)r->nslices + 1, sizeof *v);
	char **notes = xcalloc((size_t)r->nslices + 1, sizeof *notes);
	char *chart_id = xasprintf("%s-slice-chart", id);
	char *title = xasprintf("Team HLP by %s, with its interval", by);
	struct report_bars c = { 0 };
	int s;

	for (s = 0; s < r->nslices; s++) {
		const struct agree_result *a = &u->slices[s];

		html_bar_value(&v[s], &a->team_hlp, &a->team_hlp_ci);
		notes[s] = xasprintf("n = %d item%s", u->slice_items[s],
		    u->slice_items[s] == 1 ? "" : "s");
	}
	buf_puts(b, "<h3>By ");
	report_text(b, by);
	buf_puts(b, "</h3>\n");
	c.id = chart_id;
	c.title = title;
	c.ngroups = r->nslices;
	c.nseries = 1;
	c.groups = (const char *const *)r->slices;
	c.notes = (const char *const *)notes;
	c.series = series;
	c.values = v;
	report_svg_bars(b, &c);

	html_table_begin(b, id, "slices", heads);
	for (s = 0; s < r->nslices; s++) {
		const struct agree_result *a = &u->slices[s];

		buf_puts(b, "<tr data-slice=\"");
		report_text(b, r->slices[s]);
		buf_puts(b, "\">");
		report_td_text(b, r->slices[s]);
		html_td_int(b, "items", u->slice_items[s]);
		html_td_int(b, "labels", a->nlabels);
		html_td_stat(b, "percent", &a->percent);
		html_td_stat(b, "fleiss", &a->fleiss);
		html_td_stat(b, "alpha_nominal", &a->alpha_nominal);
		html_td_stat(b, "hlp", &a->team_hlp);
		html_td_ci(b, "hlp_ci", &a->team_hlp_ci);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
	for (s = 0; s < r->nslices; s++)
		free(notes[s]);
	free(notes);
	free(v);
	free(chart_id);
	free(title);
}

static void
items_html(struct buf *b, const char *id, const struct ratings *r,
    const struct agree_report_run *u)
{
	static const char *const heads[] = { "entropy (bits)", "item", "path",
		"labels", "adjudicated", "gold", NULL };
	int t, j;

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
			size_t k = (size_t)it * r->nlabelers + j;

			if (r->cells[k] < 0 || (u->version != 0 &&
			    r->guideline[k] != u->version))
				continue;
			buf_puts(b, first ? "" : ", ");
			first = 0;
			report_text(b, r->labelers[j]);
			buf_puts(b, "=");
			report_text(b, r->classes[r->cells[k]]);
		}
		buf_puts(b, "</td>");
		report_td_text(b, r->reference[it] >= 0 ?
		    r->classes[r->reference[it]] : "-");
		report_td_text(b, r->gold[it] >= 0 ? r->classes[r->gold[it]] : "-");
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
