/*
 * cmd_agree.c: accord agree: inter-annotator agreement and HLP of the
 * project, per slice and per guideline version.
 *
 * --json prints one object whose schema is documented, and kept stable
 * (fields are only added), in docs/guide.md ("accord agree", JSON); the
 * writers below follow it field by field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/agree_report.h"
#include "accord/json.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "accord/suggest.h"
#include "agree.h"
#include "cmd.h"
#include "term.h"

static int cmd_agree_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "by", "KEY|batch", CMD_OPT_NONEMPTY,
	    "also one row per import batch, or per value of a\n"
	    "metadata key (numeric keys in quartile bins)" },
	{ "guideline", "V", 0,
	    "each labeler's newest label made under version V\n"
	    "(kept when a later version's label superseded it); `all`:\n"
	    "one result per version, then all together\n"
	    "(default: every version together)" },
	{ "bootstrap", "N", 0,
	    "bootstrap replicates for the intervals of HLP, kappa,\n"
	    "alpha, AC1 and percent agreement (default 1000; 0: none)" },
	{ "seed", "S", 0, "bootstrap seed (default 1)" },
	{ "json", NULL, 0, "one JSON object; schema in docs/guide.md" },
	{ "html", "FILE", CMD_OPT_NONEMPTY,
	    "also write a self-contained HTML page with charts\n"
	    "(confusion heatmap, per labeler, HLP by slice, by\n"
	    "guideline version) to FILE; text or JSON still goes\n"
	    "to standard output" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_agree_entry = {
	.name = "agree",
	.summary = "agreement between labelers and human-level performance",
	.usage =
"usage: accord agree DB [--by KEY|batch] [--guideline V|all]\n"
"                       [--bootstrap N] [--seed S] [--json] [--html FILE]\n"
"\n"
"Agreement of the labels in force: percent agreement, Fleiss' kappa,\n"
"Krippendorff's alpha (nominal; ordinal and interval on an ordinal scale),\n"
"Gwet's AC1, mean Cohen's kappa, and human-level performance (HLP) with a\n"
"bootstrap interval; per class, per labeler (with gold accuracy), the class\n"
"pairs behind most disagreement and the most disagreed items.  Formulas:\n"
"docs/statistics.md.  Needs the sme or admin role (it shows every\n"
"labeler's labels).\n",
	.opts = options,
	.usage_end =
"On a terminal the 0..1 figures get bars, coloured green from 0.8,\n"
"yellow from 0.6, red below; NO_COLOR or ACCORD_COLOR=none keeps them\n"
"uncoloured.  A pipe gets plain text.\n",
	.run = cmd_agree_run,
};

int
agree_run_label(const struct ratings *r, const struct agree_report_run *u,
    int item, int labeler)
{
	int k = ratings_entry(r, item, labeler);

	if (k < 0 || (u->version != 0 && r->guideline[k] != u->version))
		return -1;
	return r->cls[k];
}

/* JSON */

/* A class name, or null for -1. */
static void
json_class(struct json *j, const struct ratings *r, int c)
{
	json_string(j, c < 0 ? NULL : r->classes[c]);
}

static void
json_classes(struct json *j, const struct ratings *r,
    const struct agree_result *a)
{
	int i;

	json_key(j, "classes");
	json_array_begin(j);
	for (i = 0; i < a->nclasses; i++) {
		const struct agree_class *c = &a->classes[i];

		json_object_begin(j);
		cmd_json_str(j, "name", r->classes[i]);
		json_key(j, "borderline");
		json_bool(j, c->borderline);
		cmd_json_int(j, "labels", c->nlabels);
		cmd_json_stat(j, "specific", &c->specific);
		cmd_json_stat(j, "hlp", &c->hlp);
		cmd_json_num(j, "hlp_weight", c->hlp_weight, 1);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
json_labelers(struct json *j, const struct ratings *r,
    const struct agree_result *a)
{
	int i;

	json_key(j, "labelers");
	json_array_begin(j);
	for (i = 0; i < a->nlabelers; i++) {
		const struct agree_labeler *l = &a->labelers[i];

		json_object_begin(j);
		cmd_json_str(j, "name", r->labelers[i]);
		cmd_json_int(j, "labels", l->nlabels);
		cmd_json_int(j, "shared", l->nshared);
		cmd_json_stat(j, "agree_others", &l->agree_others);
		cmd_json_stat(j, "kappa_mean", &l->kappa_mean);
		cmd_json_int(j, "gold_items", l->ngold);
		cmd_json_stat(j, "gold_accuracy", &l->gold_accuracy);
		cmd_json_int(j, "scored", l->nscored);
		cmd_json_stat(j, "hlp", &l->hlp);
		cmd_json_ci(j, "hlp_ci", &l->hlp_ci);
		json_object_end(j);
	}
	json_array_end(j);
}

/* Labeler pairs, class pairs behind the disagreement, the confusion. */
static void
json_pairs(struct json *j, const struct ratings *r,
    const struct agree_result *a)
{
	int i, k;

	json_key(j, "pairs");
	json_array_begin(j);
	for (i = 0; i < a->npairs; i++) {
		const struct agree_pair *p = &a->pairs[i];

		json_object_begin(j);
		cmd_json_str(j, "a", r->labelers[p->a]);
		cmd_json_str(j, "b", r->labelers[p->b]);
		cmd_json_int(j, "shared", p->nshared);
		cmd_json_num(j, "observed", p->observed, 1);
		cmd_json_num(j, "expected", p->expected, 1);
		cmd_json_stat(j, "kappa", &p->kappa);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "disagreements");
	json_array_begin(j);
	for (i = 0; i < a->ndisagreements; i++) {
		const struct agree_disagreement *d = &a->disagreements[i];

		json_object_begin(j);
		json_key(j, "a");
		json_class(j, r, d->c);
		json_key(j, "b");
		json_class(j, r, d->k);
		cmd_json_int(j, "count", d->count);
		cmd_json_num(j, "share", d->share, 1);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "confusion");
	json_array_begin(j);
	for (i = 0; i < a->nclasses; i++) {
		json_array_begin(j);
		for (k = 0; k < a->nclasses; k++)
			json_int(j, a->confusion[(size_t)i * a->nclasses + k]);
		json_array_end(j);
	}
	json_array_end(j);
}

static void
json_agreement(struct json *j, const struct ratings *r,
    const struct agree_result *a)
{
	json_object_begin(j);
	cmd_json_int(j, "items", a->nitems);
	cmd_json_int(j, "labeled", a->nlabeled);
	cmd_json_int(j, "pairable", a->npairable);
	cmd_json_int(j, "labels", a->nlabels);
	cmd_json_int(j, "labelers_active", a->nactive);
	cmd_json_stat(j, "percent", &a->percent);
	cmd_json_ci(j, "percent_ci", &a->percent_ci);
	cmd_json_stat(j, "unanimous", &a->unanimous);
	cmd_json_stat(j, "fleiss", &a->fleiss);
	cmd_json_ci(j, "fleiss_ci", &a->fleiss_ci);
	cmd_json_stat(j, "conger", &a->conger);
	cmd_json_stat(j, "ac1", &a->ac1);
	cmd_json_ci(j, "ac1_ci", &a->ac1_ci);
	cmd_json_stat(j, "alpha_nominal", &a->alpha_nominal);
	cmd_json_ci(j, "alpha_nominal_ci", &a->alpha_nominal_ci);
	cmd_json_stat(j, "alpha_ordinal", &a->alpha_ordinal);
	cmd_json_ci(j, "alpha_ordinal_ci", &a->alpha_ordinal_ci);
	cmd_json_stat(j, "alpha_interval", &a->alpha_interval);
	cmd_json_ci(j, "alpha_interval_ci", &a->alpha_interval_ci);
	cmd_json_stat(j, "cohen_mean", &a->cohen_mean);
	cmd_json_stat(j, "hlp", &a->team_hlp);
	cmd_json_ci(j, "hlp_ci", &a->team_hlp_ci);
	cmd_json_int(j, "hlp_scored", a->team_scored);
	cmd_json_int(j, "hlp_items", a->hlp_items);
	cmd_json_int(j, "bootstrap", a->bootstrap);
	json_classes(j, r, a);
	json_labelers(j, r, a);
	json_pairs(j, r, a);
	json_object_end(j);
}

static void
json_top(struct json *j, const struct ratings *r,
    const struct agree_report_run *u)
{
	int t, k, c;

	json_key(j, "most_disagreed");
	json_array_begin(j);
	for (t = 0; t < u->ntop; t++) {
		int i = u->top[t].item;

		json_object_begin(j);
		cmd_json_int(j, "id", r->item_ids[i]);
		cmd_json_str(j, "path", r->paths[i]);
		cmd_json_num(j, "entropy", u->top[t].entropy, 1);
		json_key(j, "labels");
		json_object_begin(j);
		for (k = 0; k < r->nlabelers; k++) {
			if ((c = agree_run_label(r, u, i, k)) < 0)
				continue;
			json_key(j, r->labelers[k]);
			json_class(j, r, c);
		}
		json_object_end(j);
		json_key(j, "reference");
		json_class(j, r, r->reference[i]);
		json_key(j, "gold");
		json_class(j, r, r->gold[i]);
		json_object_end(j);
	}
	json_array_end(j);
}

/* What the report is of: the task, classes, labelers, options. */
static void
json_head(struct json *j, const char *task, const struct ratings *r,
    const char *by, const char *guideline, const struct agree_opts *o,
    int version)
{
	int i;

	cmd_json_str(j, "task", task);
	json_key(j, "ordinal");
	json_bool(j, r->ordinal);
	json_key(j, "classes");
	json_array_begin(j);
	for (i = 0; i < r->nclasses; i++) {
		json_object_begin(j);
		cmd_json_str(j, "name", r->classes[i]);
		json_key(j, "borderline");
		json_bool(j, i == r->borderline);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "labelers");
	json_array_begin(j);
	for (i = 0; i < r->nlabelers; i++)
		json_string(j, r->labelers[i]);
	json_array_end(j);
	cmd_json_str(j, "by", by);
	json_key(j, "guideline");
	if (guideline == NULL)
		json_null(j);
	else if (strcmp(guideline, "all") == 0)
		json_string(j, "all");
	else
		json_int(j, version);
	cmd_json_int(j, "bootstrap", o->bootstrap);
	/* --seed takes 0..INT64_MAX, so it fits a long long. */
	cmd_json_int(j, "seed", (long long)o->seed);
	cmd_json_num(j, "confidence", o->confidence, 1);
}

static void
print_json(const char *task, const struct ratings *r, const char *by,
    const char *guideline, const struct agree_opts *o,
    const struct agree_report_run *runs, int nruns)
{
	struct buf b = { 0 };
	struct json j;
	int i, s;

	json_start(&j, &b);
	json_object_begin(&j);
	json_head(&j, task, r, by, guideline, o, runs[0].version);
	json_key(&j, "results");
	json_array_begin(&j);
	for (i = 0; i < nruns; i++) {
		const struct agree_report_run *u = &runs[i];

		json_object_begin(&j);
		json_key(&j, "guideline");
		if (u->version)
			json_int(&j, u->version);
		else
			json_null(&j);
		json_key(&j, "overall");
		json_agreement(&j, r, &u->all);
		json_key(&j, "slices");
		json_array_begin(&j);
		for (s = 0; by != NULL && s < r->nslices; s++) {
			json_object_begin(&j);
			cmd_json_str(&j, "name", r->slices[s]);
			cmd_json_int(&j, "items", u->slice_items[s]);
			json_key(&j, "agreement");
			json_agreement(&j, r, &u->slices[s]);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_top(&j, r, u);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	cmd_json_print(&b);
}

/* Text */

static int tty, colour;

/*
 * Colour bands of the 0..1 statistics (docs/guide.md, "Colours"): green
 * from 0.8, yellow from 0.6, red below.  The cuts are the round figures
 * next to Landis and Koch's (1977) "almost perfect" (0.81) and
 * "substantial" (0.61) bands for kappa; for percent agreement and HLP they
 * are a rule of thumb.  BAR_PLAIN is for shares, which are neither good
 * nor bad.
 */
enum bar_kind { BAR_GRADED, BAR_PLAIN };

static const char *
bar_sgr(double v, enum bar_kind kind)
{
	if (kind == BAR_PLAIN)
		return "\033[36m";
	if (v >= 0.8)
		return "\033[32m";
	if (v >= 0.6)
		return "\033[33m";
	return "\033[31m";
}

/*
 * A 10-cell bar for a figure in 0..1 on a terminal (eighth blocks give
 * 80 steps), coloured by bar_sgr() unless NO_COLOR or ACCORD_COLOR=none;
 * nothing when the output is a pipe or file, so text output stays plain
 * for grep and diff.  A negative kappa draws no bar but still counts as
 * red on the scale.
 */
static void
bar_as(double v, enum bar_kind kind)
{
	static const char *const eighth[] = { "", "\u258f", "\u258e",
		"\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	int n, i;

	if (!tty)
		return;
	fputs("  ", stdout);
	if (colour)
		fputs(bar_sgr(v, kind), stdout);
	if (v < 0)
		v = 0;
	if (v > 1)
		v = 1;
	n = (int)(v * 80 + 0.5);
	for (i = 0; i < n / 8; i++)
		fputs("\u2588", stdout);
	fputs(eighth[n % 8], stdout);
	if (colour)
		fputs("\033[0m", stdout);
}

static void
bar(double v)
{
	bar_as(v, BAR_GRADED);
}

/* "0.812" or "undefined (reason)"; returns a static buffer. */
static const char *
fmt_stat(const struct agree_stat *s)
{
	static char out[96];

	if (s->defined)
		snprintf(out, sizeof out, "%.3f", s->value);
	else
		snprintf(out, sizeof out, "undefined (%s)", s->why ? s->why :
		    "?");
	return out;
}

static const char *
fmt_ci(const struct agree_ci *c)
{
	static char out[96];

	if (c->defined)
		snprintf(out, sizeof out, "[%.3f, %.3f]", c->lo, c->hi);
	else
		snprintf(out, sizeof out, "CI undefined (%s)", c->why ? c->why :
		    "?");
	return out;
}

static void
name_col(const char *s, int width)
{
	char *p = acc_printable(s);
	int len = (int)strlen(p);

	fputs(p, stdout);
	printf("%*s", len < width ? width - len : 1, "");
	free(p);
}

static void
team_row(const char *name, const struct agree_stat *s,
    const struct agree_ci *ci)
{
	printf("  %-28s %s", name, fmt_stat(s));
	if (s->defined && ci != NULL && ci->defined)
		printf(" %s", fmt_ci(ci));
	if (s->defined)
		bar(s->value);
	putchar('\n');
}

/* An HLP, then its interval and bar when it is defined (no newline). */
static void
hlp_cells(const struct agree_stat *hlp, const struct agree_ci *ci)
{
	printf("%s", fmt_stat(hlp));
	if (hlp->defined) {
		printf(" %s", fmt_ci(ci));
		bar(hlp->value);
	}
}

/* The team's figures, one a line. */
static void
print_team(const struct ratings *r, const struct agree_result *a,
    double confidence)
{
	printf("  %d items, %d labeled, %d with two labels or more, %lld "
	    "labels, %d labeler%s\n\n", a->nitems, a->nlabeled, a->npairable,
	    a->nlabels, a->nactive, a->nactive == 1 ? "" : "s");
	team_row("percent agreement", &a->percent, &a->percent_ci);
	team_row("unanimous items", &a->unanimous, NULL);
	team_row("Fleiss' kappa", &a->fleiss, &a->fleiss_ci);
	team_row("Krippendorff alpha, nominal", &a->alpha_nominal,
	    &a->alpha_nominal_ci);
	if (r->ordinal) {
		team_row("Krippendorff alpha, ordinal", &a->alpha_ordinal,
		    &a->alpha_ordinal_ci);
		team_row("Krippendorff alpha, interval", &a->alpha_interval,
		    &a->alpha_interval_ci);
	}
	team_row("Gwet's AC1", &a->ac1, &a->ac1_ci);
	team_row("mean Cohen's kappa", &a->cohen_mean, NULL);
	printf("  %-28s %s", "team HLP", fmt_stat(&a->team_hlp));
	if (a->team_hlp.defined) {
		printf(" %s", fmt_ci(&a->team_hlp_ci));
		if (a->team_hlp_ci.defined)
			printf(" %.0f%%, %d bootstrap", confidence * 100,
			    a->bootstrap);
		bar(a->team_hlp.value);
	}
	putchar('\n');
}

/* Per class, then per labeler. */
static void
print_classes_labelers(const struct ratings *r, const struct agree_result *a)
{
	int i;

	printf("\n  %-18s %7s  %-10s %s\n", "class", "labels", "specific",
	    "HLP");
	for (i = 0; i < a->nclasses; i++) {
		const struct agree_class *c = &a->classes[i];

		fputs("  ", stdout);
		name_col(r->classes[i], 18);
		printf(" %7lld  ", c->nlabels);
		printf("%-10s ", fmt_stat(&c->specific));
		printf("%s%s\n", fmt_stat(&c->hlp), c->borderline ?
		    "  (borderline)" : "");
	}

	printf("\n  %-18s %7s  %-10s %-10s %s\n", "labeler", "labels",
	    "agree", "gold", "HLP");
	for (i = 0; i < a->nlabelers; i++) {
		const struct agree_labeler *l = &a->labelers[i];

		fputs("  ", stdout);
		name_col(r->labelers[i], 18);
		printf(" %7lld  ", l->nlabels);
		printf("%-10s ", fmt_stat(&l->agree_others));
		printf("%-10s ", l->ngold ? fmt_stat(&l->gold_accuracy) : "-");
		hlp_cells(&l->hlp, &l->hlp_ci);
		putchar('\n');
	}
}

/* The (at most five) class pairs behind most disagreement. */
static void
print_disagreements(const struct ratings *r, const struct agree_result *a)
{
	int i;

	if (a->ndisagreements > 0)
		printf("\n  class pairs behind the disagreement\n");
	for (i = 0; i < a->ndisagreements && i < 5; i++) {
		const struct agree_disagreement *d = &a->disagreements[i];
		char *x = acc_printable(r->classes[d->c]);
		char *y = acc_printable(r->classes[d->k]);
		char *both = xasprintf("%s / %s", x, y);

		printf("    %-24s %6lld pairs  %5.1f%%", both, d->count,
		    100 * d->share);
		bar_as(d->share, BAR_PLAIN);
		putchar('\n');
		free(both);
		free(x);
		free(y);
	}
}

/* One row per --by slice. */
static void
print_slices(const struct ratings *r, const struct agree_report_run *u)
{
	int s;

	printf("\n  %-34s %6s %9s  %-10s %-10s %s\n", "slice", "items",
	    "percent", "fleiss", "alpha", "HLP");
	for (s = 0; s < r->nslices; s++) {
		const struct agree_result *a = &u->slices[s];

		fputs("  ", stdout);
		name_col(r->slices[s], 34);
		printf(" %6d %9s  ", u->slice_items[s], fmt_stat(&a->percent));
		printf("%-10s ", fmt_stat(&a->fleiss));
		printf("%-10s ", fmt_stat(&a->alpha_nominal));
		hlp_cells(&a->team_hlp, &a->team_hlp_ci);
		putchar('\n');
	}
}

/* The most disagreed items with the labels that count in this result. */
static void
print_top(const struct ratings *r, const struct agree_report_run *u)
{
	int t, j, c;

	if (u->ntop > 0)
		printf("\n  most disagreed items (vote entropy, bits)\n");
	for (t = 0; t < u->ntop; t++) {
		int it = u->top[t].item;

		printf("    %.2f  ", u->top[t].entropy);
		cmd_print_safe(stdout, r->paths[it]);
		fputs("  ", stdout);
		for (j = 0; j < r->nlabelers; j++) {
			if ((c = agree_run_label(r, u, it, j)) < 0)
				continue;
			putchar(' ');
			cmd_print_safe(stdout, r->labelers[j]);
			putchar('=');
			cmd_print_safe(stdout, r->classes[c]);
		}
		if (r->reference[it] >= 0) {
			fputs("  (adjudicated ", stdout);
			cmd_print_safe(stdout, r->classes[r->reference[it]]);
			putchar(')');
		}
		putchar('\n');
	}
}

static void
print_text(const char *task, const struct ratings *r, const char *by,
    const struct agree_opts *o, const struct agree_report_run *runs, int nruns)
{
	int i;

	for (i = 0; i < nruns; i++) {
		const struct agree_report_run *u = &runs[i];

		if (i)
			putchar('\n');
		fputs("agreement  ", stdout);
		cmd_print_safe(stdout, task);
		if (u->version)
			printf(", guideline version %d\n", u->version);
		else
			printf(", labels of every guideline version\n");
		print_team(r, &u->all, o->confidence);
		print_classes_labelers(r, &u->all);
		print_disagreements(r, &u->all);
		if (by != NULL)
			print_slices(r, u);
		print_top(r, u);
	}
}

/*
 * The options into *ro (the user aside): 0, or a usage error printed and
 * EXIT_USAGE.
 */
static int
agree_options(struct cmd_args *a, struct agree_report_opts *ro)
{
	const struct cmd_entry *c = a->entry;
	const char *guideline;
	long long n;

	agree_report_opts_init(ro);
	ro->top = AGREE_TOP;
	ro->by = cmd_args_get(a, "by");
	if ((guideline = cmd_args_get(a, "guideline")) != NULL) {
		if (strcmp(guideline, "all") == 0)
			ro->each_version = 1;
		else if (acc_parse_int(guideline, 1, INT32_MAX, &n) != 0)
			return cmd_usage(c, "--guideline wants a version "
			    "number or 'all', not '%s'", guideline);
		else
			ro->version = (int)n;
	}
	if (cmd_opt_bootstrap(a, &ro->agree.bootstrap) != 0 ||
	    cmd_opt_seed(a, &ro->agree.seed) != 0)
		return EXIT_USAGE;
	return 0;
}

static int
cmd_agree_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct agree_report_opts ro;
	struct agree_report rep;
	struct project p;
	struct store *st;
	const char *guideline = cmd_args_get(a, "guideline"), *html =
	    cmd_args_get(a, "html"), *db, *term;
	char *cause = NULL;
	int json = cmd_args_has(a, "json"), ret = 0;

	if (agree_options(a, &ro) != 0)
		return EXIT_USAGE;
	if (a->argc != 1)
		return cmd_usage(c, "want one DB");
	db = a->argv[0];
	if ((ro.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (ro.by != NULL && !cmd_known(st, db, SUGGEST_KEYS_AFTER("'batch' "
	    "AS k"), ro.by, "keys", "no item has metadata key '%s'", ro.by)) {
		store_close(st);
		return EXIT_FAIL;
	}
	if (agree_report_build(st, &ro, &rep, &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	if (project_load(st, &p, &cause) != 0) {
		ret = cmd_fail_cause(db, cause);
		agree_report_free(&rep);
		store_close(st);
		return ret;
	}
	store_close(st);
	term = getenv("TERM");
	tty = isatty(1);
	colour = tty && (term == NULL || strcmp(term, "dumb") != 0) &&
	    term_depth_from(getenv("NO_COLOR"), getenv("ACCORD_COLOR"),
	    getenv("COLORTERM"), -1, -1) != TERM_DEPTH_NONE;
	if (json)
		print_json(p.task, &rep.r, ro.by, guideline, &ro.agree,
		    rep.runs, rep.nruns);
	else
		print_text(p.task, &rep.r, ro.by, &ro.agree, rep.runs,
		    rep.nruns);
	/*
	 * The page after the usual output, so a failure to write it is the
	 * last line a user sees; it leaves no partial file.
	 */
	fflush(stdout);
	if (html != NULL && agree_html_write(html, p.task, &rep.r, ro.by,
	    &ro.agree, rep.runs, rep.nruns, &cause) != 0)
		ret = cmd_fail_cause(html, cause);
	project_free(&p);
	agree_report_free(&rep);
	return ret;
}
