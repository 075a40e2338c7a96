/*
 * stats_panels.c: the five panels of the agreement dashboard, drawn from
 * core's agreement report (see stats_panels.h).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/agree_report.h"
#include "accord/util.h"
#include "spark.h"
#include "stats_panels.h"
#include "ui.h"

/* A statistic as 0.812, or a dash when undefined. */
static const char *
fmt_stat(char *out, size_t n, const struct agree_stat *st)
{
	if (st->defined)
		snprintf(out, n, "%.3f", st->value);
	else
		snprintf(out, n, "-");
	return out;
}

static const char *
fmt_ci(char *out, size_t n, const struct agree_ci *c)
{
	if (c->defined)
		snprintf(out, n, "[%.3f, %.3f]", c->lo, c->hi);
	else
		snprintf(out, n, "-");
	return out;
}

static void
put(struct stats_body *b, int line, int x, int w, const char *text, int attr)
{
	int y = line - b->scroll;

	if (line + 1 > b->n)
		b->n = line + 1;
	if (y < 0 || y >= b->rows || w <= 0)
		return;
	if (attr == ui_attr(UI_SELECTED))
		ui_clear_to(STATS_TOP + y, x, w, attr);
	ui_print(STATS_TOP + y, x, w, text, attr);
}

/*
 * A sparkline of one figure across guideline versions (not "all"), at
 * most width characters: the newest versions when they do not all fit.
 */
static char *
version_spark(const struct agree_report *rep, int width,
    const struct agree_stat *(*get)(const struct agree_result *, int),
    int arg)
{
	int nv = rep->r.nversions, from = nv > width ? nv - width : 0, f;
	double *v = xcalloc((size_t)nv + 1, sizeof *v);
	int *def = xcalloc((size_t)nv + 1, sizeof *def);
	char *line;

	for (f = from; f < nv; f++) {
		const struct agree_stat *st = get(&rep->runs[f].all, arg);

		v[f - from] = st->value;
		def[f - from] = st->defined;
	}
	line = spark_line(v, def, nv - from, ui_utf8());
	free(v);
	free(def);
	return line;
}

static const struct agree_stat *
get_fleiss(const struct agree_result *a, int i)
{
	(void)i;
	return &a->fleiss;
}

static const struct agree_stat *
get_hlp(const struct agree_result *a, int i)
{
	(void)i;
	return &a->team_hlp;
}

static const struct agree_stat *
get_percent(const struct agree_result *a, int i)
{
	(void)i;
	return &a->percent;
}

static const struct agree_stat *
get_class_specific(const struct agree_result *a, int i)
{
	return &a->classes[i].specific;
}

static const struct agree_stat *
get_class_hlp(const struct agree_result *a, int i)
{
	return &a->classes[i].hlp;
}

static const struct agree_stat *
get_labeler_hlp(const struct agree_result *a, int i)
{
	return &a->labelers[i].hlp;
}

/* "v1..v3" or "v2" under a version sparkline, as a label. */
static char *
versions_span(const struct agree_report *rep, int width)
{
	int nv = rep->r.nversions, from = nv > width ? nv - width : 0;

	if (nv == 0)
		return xstrdup("no labels yet");
	if (nv - from == 1)
		return xasprintf("v%d", rep->r.versions[from]);
	return xasprintf("v%d..v%d%s", rep->r.versions[from],
	    rep->r.versions[nv - 1], from > 0 ? " (newest)" : "");
}

void
stats_panel_versions(const struct stats_panel *pl, struct stats_body *b)
{
	const struct agree_report *rep = pl->rep;
	int f, line = 0, cur = pl->cur, w = COLS - 2;
	char p[16], k[16], a[16], h[16], ci[40], row[256];

	ui_print(STATS_TOP - 1, 1, w, "version    items  labels  percent   "
	    "kappa    alpha     HLP  HLP interval", ui_attr(UI_KEY));
	for (f = 0; f < rep->nruns; f++) {
		const struct agree_result *r = &rep->runs[f].all;
		char name[16];

		if (f < rep->r.nversions)
			snprintf(name, sizeof name, "v%d",
			    rep->r.versions[f]);
		else
			snprintf(name, sizeof name, "all");
		snprintf(row, sizeof row, "%-8s %7d %7lld  %7s %7s %7s %7s  %s",
		    name, r->nlabeled, r->nlabels,
		    fmt_stat(p, sizeof p, &r->percent),
		    fmt_stat(k, sizeof k, &r->fleiss),
		    fmt_stat(a, sizeof a, &r->alpha_nominal),
		    fmt_stat(h, sizeof h, &r->team_hlp),
		    fmt_ci(ci, sizeof ci, &r->team_hlp_ci));
		put(b, line++, 1, w, row, f == cur ? ui_attr(UI_SELECTED) :
		    ui_attr(UI_NORMAL));
	}
	line++;
	{
		static const struct {
			const char *name;
			const struct agree_stat *(*get)(const struct
			    agree_result *, int);
		} lines[] = {
			{ "kappa by version", get_fleiss },
			{ "HLP by version", get_hlp },
			{ "percent by version", get_percent },
		};
		int sw = w - 22 - 24, i;

		for (i = 0; i < 3; i++) {
			char *sp = version_spark(rep, sw, lines[i].get, 0);
			char *span = versions_span(rep, sw);

			put(b, line, 1, 20, lines[i].name, ui_attr(UI_DIM));
			put(b, line, 22, sw, sp, ui_attr(UI_KEY));
			put(b, line++, 22 + (rep->r.nversions < sw ?
			    rep->r.nversions : sw) + 2, 24, span,
			    ui_attr(UI_DIM));
			free(sp);
			free(span);
		}
	}
	line++;
	snprintf(row, sizeof row, "HLP interval: %d bootstrap replicates, "
	    "seed %llu, %.0f%%.  items: labeled under the version.",
	    pl->ao->bootstrap, (unsigned long long)pl->ao->seed,
	    pl->ao->confidence * 100);
	put(b, line++, 1, w, row, ui_attr(UI_DIM));
	put(b, line++, 1, w, "The same figures as accord agree --guideline V "
	    "(a dash: undefined there).", ui_attr(UI_DIM));
}

void
stats_panel_classes(const struct stats_panel *pl, struct stats_body *b)
{
	const struct agree_report *rep = pl->rep;
	const struct agree_result *r = &rep->runs[pl->cur].all;
	int c, w = COLS - 2, sw = (COLS - 48) / 2 - 2;
	char sp_[16], h[16], row[256];

	ui_print(STATS_TOP - 1, 1, 44,
	    "class             labels  specific     HLP",
	    ui_attr(UI_KEY));
	ui_print(STATS_TOP - 1, 47, sw + 1, "specific/version",
	    ui_attr(UI_KEY));
	ui_print(STATS_TOP - 1, 47 + sw + 2, sw, "HLP/version",
	    ui_attr(UI_KEY));
	for (c = 0; c < r->nclasses; c++) {
		const struct agree_class *k = &r->classes[c];
		char *name = acc_printable(rep->r.classes[c]);
		char *s1 = version_spark(rep, sw, get_class_specific, c);
		char *s2 = version_spark(rep, sw, get_class_hlp, c);

		snprintf(row, sizeof row, "%-16.16s %7lld %9s %7s", name,
		    k->nlabels, fmt_stat(sp_, sizeof sp_, &k->specific),
		    fmt_stat(h, sizeof h, &k->hlp));
		put(b, c, 1, 44, row, k->borderline ? ui_attr(UI_BORDERLINE) :
		    ui_attr(UI_NORMAL));
		put(b, c, 47, sw, s1, ui_attr(UI_KEY));
		put(b, c, 47 + sw + 2, sw, s2, ui_attr(UI_KEY));
		free(name);
		free(s1);
		free(s2);
	}
	{
		char *span = versions_span(rep, sw);

		snprintf(row, sizeof row, "specific: agreeing pairs / pairs "
		    "involving the class.  Sparklines: %s.", span);
		put(b, r->nclasses + 1, 1, w, row, ui_attr(UI_DIM));
		free(span);
	}
}

void
stats_panel_labelers(const struct stats_panel *pl, struct stats_body *b)
{
	const struct agree_report *rep = pl->rep;
	const struct agree_result *r = &rep->runs[pl->cur].all;
	int i, w = COLS - 2, sw = COLS - 2 - 74;
	char ag[16], g[16], h[16], ci[40], row[256];

	if (sw < 4)
		sw = 4;
	snprintf(row, sizeof row, "%-16s %7s %7s %7s %7s  %s", "labeler",
	    "labels", "agree", "gold", "HLP", "HLP interval");
	ui_print(STATS_TOP - 1, 1, 72, row, ui_attr(UI_KEY));
	ui_print(STATS_TOP - 1, 75, w - 74, "HLP/version", ui_attr(UI_KEY));
	for (i = 0; i < r->nlabelers; i++) {
		const struct agree_labeler *l = &r->labelers[i];
		char *name = acc_printable(rep->r.labelers[i]);
		char *sp = version_spark(rep, sw, get_labeler_hlp, i);

		snprintf(row, sizeof row, "%-16.16s %7lld %7s %7s %7s  %-16s",
		    name, l->nlabels, fmt_stat(ag, sizeof ag, &l->agree_others),
		    l->ngold ? fmt_stat(g, sizeof g, &l->gold_accuracy) : "-",
		    fmt_stat(h, sizeof h, &l->hlp),
		    fmt_ci(ci, sizeof ci, &l->hlp_ci));
		put(b, i, 1, 72, row, ui_attr(UI_NORMAL));
		put(b, i, 75, sw, sp, ui_attr(UI_KEY));
		free(name);
		free(sp);
	}
	put(b, r->nlabelers + 1, 1, w, "agree: this labeler's agreeing pairs "
	    "with the others; gold: accuracy on gold items (- none).",
	    ui_attr(UI_DIM));
}

/*
 * The percent and kappa sparklines of the newest buckets that fit, with
 * the first and last date under them, from row line; returns the next row.
 */
static int
trend_sparks(const struct ratings_trend *t, struct stats_body *b, int line)
{
	int i, sw = COLS - 14, n = t->nbuckets > sw ? sw : t->nbuckets;
	int from = t->nbuckets - n;
	double *pv = xcalloc((size_t)n, sizeof *pv);
	double *kv = xcalloc((size_t)n, sizeof *kv);
	int *pd = xcalloc((size_t)n, sizeof *pd);
	int *kd = xcalloc((size_t)n, sizeof *kd);
	char *sp, row[256], first[16], last[16];

	for (i = 0; i < n; i++) {
		const struct ratings_bucket *bk = &t->buckets[from + i];

		pv[i] = bk->percent.value;
		pd[i] = bk->percent.defined;
		kv[i] = bk->fleiss.value;
		kd[i] = bk->fleiss.defined;
	}
	put(b, line, 1, 10, "percent", ui_attr(UI_NORMAL));
	sp = spark_line(pv, pd, n, ui_utf8());
	put(b, line++, 12, sw, sp, ui_attr(UI_KEY));
	free(sp);
	put(b, line, 1, 10, "kappa", ui_attr(UI_NORMAL));
	sp = spark_line(kv, kd, n, ui_utf8());
	put(b, line++, 12, sw, sp, ui_attr(UI_KEY));
	free(sp);
	ratings_day_iso(t->buckets[from].day, first);
	ratings_day_iso(t->buckets[t->nbuckets - 1].day, last);
	/* The first date under the first bucket, the last under the last. */
	if (n == 1)
		snprintf(row, sizeof row, "%s", first);
	else if (n >= 2 * (int)strlen(first) + 2)
		snprintf(row, sizeof row, "%s%*s", first,
		    n - (int)strlen(first), last);
	else
		snprintf(row, sizeof row, "%s .. %s", first, last);
	put(b, line++, 12, sw, row, ui_attr(UI_DIM));
	if (from > 0) {
		snprintf(row, sizeof row, "(the newest %d of %d %ss)", n,
		    t->nbuckets, t->unit == 7 ? "week" : "day");
		put(b, line++, 12, sw, row, ui_attr(UI_DIM));
	}
	free(pv);
	free(kv);
	free(pd);
	free(kd);
	return line;
}

/* A row a bucket, newest first, from row line; returns the next row. */
static int
trend_table(const struct ratings_trend *t, struct stats_body *b, int line)
{
	int i, w = COLS - 2;
	char row[256];

	snprintf(row, sizeof row, "%-12s %7s %9s %8s %7s", t->unit == 7 ?
	    "week of" : "day", "items", "pairable", "percent", "kappa");
	put(b, line++, 1, w, row, ui_attr(UI_KEY));
	/* Newest first: what changed lately is what the team asks about. */
	for (i = t->nbuckets - 1; i >= 0; i--) {
		const struct ratings_bucket *bk = &t->buckets[i];
		char p[16], k[16], day[16];

		if (bk->nitems == 0)
			continue;
		ratings_day_iso(bk->day, day);
		snprintf(row, sizeof row, "%-12s %7d %9d %8s %7s", day,
		    bk->nitems, bk->npairable, fmt_stat(p, sizeof p,
		    &bk->percent), fmt_stat(k, sizeof k, &bk->fleiss));
		put(b, line++, 1, w, row, ui_attr(UI_NORMAL));
	}
	return line;
}

void
stats_panel_trend(const struct stats_panel *pl, struct stats_body *b)
{
	const struct ratings_trend *t = &pl->rep->runs[pl->cur].trend;
	int line = 0, w = COLS - 2;
	char row[256];
	const char *unit = t->unit == 7 ? "week" : "day";

	if (pl->trend_note != NULL) {
		put(b, 0, 1, w, pl->trend_note, ui_attr(UI_DIM));
		return;
	}
	if (t->unit == 0) {
		put(b, 0, 1, w, "no labels under this filter", ui_attr(UI_DIM));
		return;
	}
	snprintf(row, sizeof row, "agreement by %s of each item's newest label "
	    "(%s buckets: the labels span %s %d days)", unit, unit,
	    t->unit == 7 ? "more than" : "at most", RATINGS_TREND_DAYS);
	put(b, line++, 1, w, row, ui_attr(UI_DIM));
	line = trend_sparks(t, b, line + 1);
	line = trend_table(t, b, line + 1);
	if (t->nundated > 0) {
		snprintf(row, sizeof row, "%d item%s left out: a label's time "
		    "is not a date", t->nundated, t->nundated == 1 ? "" : "s");
		put(b, ++line, 1, w, row, ui_attr(UI_WARNING));
	}
}

/*
 * A path within width characters: its end, which names the file, with
 * "..." before it when the start does not fit.  Counts UTF-8 characters
 * (paths are rarely wide); caller frees.
 */
static char *
path_tail(const char *path, int width)
{
	const char *p = path + strlen(path);
	int n = 0;

	while (p > path) {
		const char *q = p - 1;

		while (q > path && ((unsigned char)*q & 0xc0) == 0x80)
			q--;
		if (n + 1 > width - 3 && q > path)
			return xasprintf("...%s", p);
		n++;
		p = q;
	}
	return xstrdup(path);
}

void
stats_panel_hot(const struct stats_panel *pl, struct stats_body *b)
{
	const struct agree_report *rep = pl->rep;
	int f = pl->cur, version = rep->runs[f].version, i, k;
	int w = COLS - 2, pw = (COLS - 10) / 2;
	const struct ratings_disagreed *top = rep->runs[f].top;

	ui_print(STATS_TOP - 1, 1, w, "entropy  path", ui_attr(UI_KEY));
	ui_print(STATS_TOP - 1, 10 + pw + 1, w - 10 - pw,
	    "labels (Enter: review)", ui_attr(UI_KEY));
	if (rep->runs[f].ntop == 0) {
		put(b, 0, 1, w, "no item has disagreeing labels under this "
		    "filter", ui_attr(UI_DIM));
		return;
	}
	/* Keep the selection on screen. */
	if (pl->sel < b->scroll)
		b->scroll = pl->sel;
	if (pl->sel >= b->scroll + b->rows)
		b->scroll = pl->sel - b->rows + 1;
	for (i = 0; i < rep->runs[f].ntop; i++) {
		int it = top[i].item, attr = i == pl->sel ?
		    ui_attr(UI_SELECTED) : ui_attr(UI_NORMAL);
		struct buf l = { 0 };
		char e[16], *path;

		snprintf(e, sizeof e, "%5.2f", top[i].entropy);
		buf_puts(&l, "");
		for (k = rep->r.start[it]; k < rep->r.start[it + 1]; k++) {
			if (version != 0 && rep->r.guideline[k] != version)
				continue;
			buf_printf(&l, "%s%s=%s", l.len ? " " : "",
			    rep->r.labelers[rep->r.lab[k]],
			    rep->r.classes[rep->r.cls[k]]);
		}
		if (rep->r.reference[it] >= 0)
			buf_printf(&l, " (adjudicated %s)",
			    rep->r.classes[rep->r.reference[it]]);
		put(b, i, 1, w, e, attr);
		path = path_tail(rep->r.paths[it], pw);
		put(b, i, 10, pw, path, attr);
		free(path);
		put(b, i, 10 + pw + 1, w - 10 - pw, l.s, attr);
		buf_free(&l);
	}
}
