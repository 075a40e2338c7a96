/*
 * cmd_errors.c: accord errors: import model predictions as a run and show
 * where the model falls short of people, by tag and by slice: the model
 * and the people scored alike (core/errors.c), with bootstrap intervals.
 *
 * --json prints one object, this schema (stable; fields are only added):
 *
 *   {
 *     "task": str,
 *     "run": {"name": str, "file": str, "sha256": str,
 *             "imported_by": str, "imported_at": str},
 *     "import": null | {"rows": int, "bad": int, "reused": bool},
 *                             null: --run without --predictions
 *     "by": str | null,       the --by key (null: none, or tag)
 *     "classes": [str],       position order
 *     "items": int,           items in the store
 *     "predicted": int,       items the run predicts
 *     "scored": int,          predicted, not ambiguous, HLP defined
 *     "left_out": {"ambiguous": int, "ties": int, "unlabeled": int,
 *                  "one_label": int},
 *                             ties: scored items without a consensus
 *                             class, left out of "confusion" and the
 *                             rows' "errors" only
 *     "overall": ROW,
 *     "tags": [ROW],          each tag in force, then "(no tag)";
 *                             largest room first
 *     "slices": [ROW],        [] without --by KEY; largest room first
 *     "confusion": [[int]]    rows: consensus class, columns: predicted
 *   }
 *   ROW  = {"name": str, "items": int, "errors": int, "data_share": num,
 *           "error_rate": num, "error_share": num, "hlp": STAT,
 *           "accuracy": STAT, "gap": STAT, "room": STAT, "hlp_ci": CI,
 *           "accuracy_ci": CI, "gap_ci": CI, "room_ci": CI}
 *   STAT = {"value": num | null, "why": null | str}
 *   CI   = {"lo": num | null, "hi": num | null, "why": null | str}
 *
 * --html FILE writes the same figures as a page (errors_html.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/errors.h"
#include "accord/json.h"
#include "accord/project.h"
#include "accord/suggest.h"
#include "cmd.h"
#include "errors_html.h"

static int cmd_errors_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "predictions", "FILE", 0,
	    "import this file as a run, then analyse it" },
	{ "run", "NAME", CMD_OPT_NONEMPTY,
	    "the run's name (default: FILE's base name without\n"
	    "its extension); alone, analyse a stored run" },
	{ "by", "KEY|tag", CMD_OPT_NONEMPTY,
	    "also one row per value of a metadata key (numeric\n"
	    "keys in quartile bins, as agree --by) or per import\n"
	    "batch (batch); tag: tags only (the default)" },
	{ "bootstrap", "N", 0,
	    "replicates for the intervals (default 1000; 0: none)" },
	{ "seed", "S", 0, "bootstrap seed (default 1)" },
	{ "json", NULL, 0, "one JSON object; schema in docs/guide.md" },
	{ "html", "FILE", CMD_OPT_NONEMPTY,
	    "also write a self-contained HTML page with charts" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_errors_entry = {
	.name = "errors",
	.summary = "error analysis of model predictions against HLP",
	.usage =
"usage: accord errors DB --predictions FILE [--run NAME] [--by KEY|tag]\n"
"                        [--bootstrap N] [--seed S] [--json] [--html FILE]\n"
"       accord errors DB --run NAME [--by KEY|tag] [--bootstrap N]\n"
"                        [--seed S] [--json] [--html FILE]\n"
"\n"
"Where a model falls short of people.  --predictions imports a CSV (with a\n"
"header) or JSON Lines (.jsonl, .ndjson, .json) file as a named run:\n"
"columns path (or file) or sha256, class (or prediction), optional score.\n"
"Rows naming no item or an unknown class are reported one line each\n"
"(FILE:LINE: ...) and skipped; the rest is stored.  Importing a run name\n"
"again is an error unless the file is the same, which reuses the run.\n"
"\n"
"The model is scored exactly as a person is: against the item's newest\n"
"adjudicated class, else its gold class, else the people's labels (the\n"
"share of them it agrees with; a person is scored against the others).\n"
"HLP is the people's mean score, on the same items.  Ambiguous items and\n"
"items with no one to compare with are left out and counted.  Overall,\n"
"per tag, and per slice with --by: items, errors against consensus,\n"
"share of the data, model accuracy, HLP, gap (HLP - accuracy) and room\n"
"for improvement (gap x share of data), largest room first, with 95%\n"
"bootstrap (BCa) intervals over the items; then the model-vs-consensus\n"
"confusion matrix.  Formulas: docs/statistics.md.  Needs the sme or\n"
"admin role.\n",
	.opts = options,
	.run = cmd_errors_run,
};

/* JSON */

static void
json_row(struct json *j, const struct errors_row *r)
{
	json_object_begin(j);
	cmd_json_str(j, "name", r->name);
	cmd_json_int(j, "items", r->items);
	cmd_json_int(j, "errors", r->errors);
	cmd_json_num(j, "data_share", r->data_share, 1);
	cmd_json_num(j, "error_rate", r->error_rate, 1);
	cmd_json_num(j, "error_share", r->error_share, 1);
	cmd_json_stat(j, "hlp", &r->hlp);
	cmd_json_stat(j, "accuracy", &r->accuracy);
	cmd_json_stat(j, "gap", &r->gap);
	cmd_json_stat(j, "room", &r->room);
	cmd_json_ci(j, "hlp_ci", &r->hlp_ci);
	cmd_json_ci(j, "accuracy_ci", &r->accuracy_ci);
	cmd_json_ci(j, "gap_ci", &r->gap_ci);
	cmd_json_ci(j, "room_ci", &r->room_ci);
	json_object_end(j);
}

static void
json_rows(struct json *j, const char *name, const struct errors_row *rows,
    int n)
{
	int i;

	json_key(j, name);
	json_array_begin(j);
	for (i = 0; i < n; i++)
		json_row(j, &rows[i]);
	json_array_end(j);
}

static void
print_json(const char *task, const struct errors_report *e,
    const struct errors_import_result *imp)
{
	struct buf b = { 0 };
	struct json j;
	int i, l, k = e->nclasses;

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_str(&j, "task", task);
	json_key(&j, "run");
	json_object_begin(&j);
	cmd_json_str(&j, "name", e->run);
	cmd_json_str(&j, "file", e->file);
	cmd_json_str(&j, "sha256", e->sha256);
	cmd_json_str(&j, "imported_by", e->imported_by);
	cmd_json_str(&j, "imported_at", e->imported_at);
	json_object_end(&j);
	json_key(&j, "import");
	if (imp != NULL) {
		json_object_begin(&j);
		cmd_json_int(&j, "rows", imp->rows);
		cmd_json_int(&j, "bad", imp->bad);
		json_key(&j, "reused");
		json_bool(&j, imp->reused);
		json_object_end(&j);
	} else
		json_null(&j);
	cmd_json_str(&j, "by", e->by);
	json_key(&j, "classes");
	json_array_begin(&j);
	for (i = 0; i < k; i++)
		json_string(&j, e->classes[i]);
	json_array_end(&j);
	cmd_json_int(&j, "items", e->nitems);
	cmd_json_int(&j, "predicted", e->npredicted);
	cmd_json_int(&j, "scored", e->nscored);
	json_key(&j, "left_out");
	json_object_begin(&j);
	cmd_json_int(&j, "ambiguous", e->nambiguous);
	cmd_json_int(&j, "ties", e->nties);
	cmd_json_int(&j, "unlabeled", e->nunlabeled);
	cmd_json_int(&j, "one_label", e->nsingle);
	json_object_end(&j);
	json_key(&j, "overall");
	json_row(&j, &e->overall);
	json_rows(&j, "tags", e->tags, e->ntags);
	json_rows(&j, "slices", e->slices, e->nslices);
	json_key(&j, "confusion");
	json_array_begin(&j);
	for (i = 0; i < k; i++) {
		json_array_begin(&j);
		for (l = 0; l < k; l++)
			json_int(&j, e->confusion[(size_t)i * k + l]);
		json_array_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	cmd_json_print(&b);
}

/* Text */

/* "+0.123" (sign) or "0.123", or "-". */
static const char *
fmt_stat(const struct agree_stat *s, int sign, char *out, size_t len)
{
	if (s->defined)
		snprintf(out, len, sign ? "%+.3f" : "%.3f", s->value);
	else
		snprintf(out, len, "-");
	return out;
}

/* "[+0.100, +0.200]" or "[-]". */
static const char *
fmt_ci(const struct agree_ci *c, int sign, char *out, size_t len)
{
	if (c->defined)
		snprintf(out, len, sign ? "[%+.3f, %+.3f]" : "[%.3f, %.3f]",
		    c->lo, c->hi);
	else
		snprintf(out, len, "[-]");
	return out;
}

/*
 * After the row, why its undefined figures are undefined: the room's own
 * reason, else its interval's, else the gap interval's.
 */
static void
text_why(const struct errors_row *r)
{
	if (!r->room.defined)
		printf("  (no gap: %s)", r->room.why ? r->room.why : "?");
	else if (!r->room_ci.defined)
		printf("  (no interval: %s)", r->room_ci.why ?
		    r->room_ci.why : "?");
	else if (!r->gap_ci.defined)
		printf("  (no gap interval: %s)", r->gap_ci.why ?
		    r->gap_ci.why : "?");
}

static void
text_row(const struct errors_row *r)
{
	char *name = acc_printable(r->name), acc[32], hlp[32], gap[32],
	    room[32], gci[64], rci[64];
	int len = (int)strlen(name);

	printf("  %s%*s %6d %5d %6.3f %6s %6s %7s %-18s %7s %s", name,
	    len < 24 ? 24 - len : 1, "", r->items, r->errors, r->data_share,
	    fmt_stat(&r->accuracy, 0, acc, sizeof acc),
	    fmt_stat(&r->hlp, 0, hlp, sizeof hlp),
	    fmt_stat(&r->gap, 1, gap, sizeof gap),
	    fmt_ci(&r->gap_ci, 1, gci, sizeof gci),
	    fmt_stat(&r->room, 1, room, sizeof room),
	    fmt_ci(&r->room_ci, 1, rci, sizeof rci));
	text_why(r);
	putchar('\n');
	free(name);
}

static void
text_table(const char *title, const struct errors_row *rows, int n)
{
	int i;

	printf("\n  %-24s %6s %5s %6s %6s %6s %7s %-18s %7s %s\n", title,
	    "items", "errs", "data", "model", "HLP", "gap", "(interval)",
	    "room", "(interval)");
	for (i = 0; i < n; i++)
		text_row(&rows[i]);
}

/* "name value [lo, hi]" of the overall row, or why not. */
static void
text_overall_figure(const char *name, const struct agree_stat *s,
    const struct agree_ci *c, int sign)
{
	char v[32], ci[64];

	printf("  %-15s %7s", name, fmt_stat(s, sign, v, sizeof v));
	if (!s->defined)
		printf("  (%s)\n", s->why ? s->why : "?");
	else if (!c->defined)
		printf("  (no interval: %s)\n", c->why ? c->why : "?");
	else
		printf("  %s\n", fmt_ci(c, sign, ci, sizeof ci));
}

static void
print_text(const char *task, const struct errors_report *e,
    const struct errors_import_result *imp, const struct errors_opts *o)
{
	const struct errors_row *all = &e->overall;
	int i, j, k = e->nclasses;

	fputs("error analysis  ", stdout);
	cmd_print_safe(stdout, task);
	fputs(", run ", stdout);
	cmd_print_safe(stdout, e->run);
	fputs(" (", stdout);
	cmd_print_safe(stdout, e->file);
	printf(", sha256 %.12s)\n", e->sha256);
	if (imp != NULL && imp->reused)
		printf("  same file as the stored run: reused (%d "
		    "predictions)\n", imp->rows);
	else if (imp != NULL)
		printf("  imported %d predictions, %d bad row%s skipped\n",
		    imp->rows, imp->bad, imp->bad == 1 ? "" : "s");
	printf("  %d items, %d predicted, %d scored; left out: %d "
	    "ambiguous, %d without labels, %d with one label and no "
	    "reference\n", e->nitems, e->npredicted, e->nscored,
	    e->nambiguous, e->nunlabeled, e->nsingle);
	printf("  model and people scored alike: against the adjudicated "
	    "or gold class where\n  there is one, else against the "
	    "people's labels (docs/statistics.md)\n");
	if (o->bootstrap > 0)
		printf("  intervals: 95%% BCa, %d bootstrap replicates of the "
		    "items, seed %llu\n", o->bootstrap,
		    (unsigned long long)o->seed);
	else
		printf("  no intervals (--bootstrap 0)\n");
	putchar('\n');
	text_overall_figure("model accuracy", &all->accuracy,
	    &all->accuracy_ci, 0);
	text_overall_figure("HLP", &all->hlp, &all->hlp_ci, 0);
	text_overall_figure("gap", &all->gap, &all->gap_ci, 1);
	printf("\n  room = (HLP - model accuracy) x share of data; largest "
	    "first\n");
	if (e->ntags > 0)
		text_table("by tag", e->tags, e->ntags);
	else
		printf("\n  no tags in force\n");
	if (e->by != NULL) {
		char *t = xasprintf("by %s", e->by);

		text_table(t, e->slices, e->nslices);
		free(t);
	}
	printf("\n  confusion (rows: consensus, columns: model)");
	if (e->nties > 0)
		printf("; %d scored item%s without a consensus (tied labels, "
		    "no reference) not in it", e->nties, e->nties == 1 ? "" :
		    "s");
	printf("\n  %-14s", "");
	for (j = 0; j < k; j++) {
		char *c = acc_printable(e->classes[j]);

		printf(" %9.9s", c);
		free(c);
	}
	putchar('\n');
	for (i = 0; i < k; i++) {
		char *c = acc_printable(e->classes[i]);

		printf("  %-14.14s", c);
		free(c);
		for (j = 0; j < k; j++)
			printf(" %9lld", e->confusion[(size_t)i * k + j]);
		putchar('\n');
	}
}

static int
cmd_errors_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct errors_opts eo = { 0 };
	struct errors_import_result imp = { 0 };
	struct errors_report rep;
	struct project p;
	struct store *st;
	const char *file = cmd_args_get(a, "predictions"), *run =
	    cmd_args_get(a, "run"), *html = cmd_args_get(a, "html"),
	    *db = a->argv[0];
	char *cause = NULL;
	int ret = 0;

	eo.bootstrap = 1000;
	eo.seed = 1;
	eo.by = cmd_args_get(a, "by");
	if (cmd_opt_bootstrap(a, &eo.bootstrap) != 0 ||
	    cmd_opt_seed(a, &eo.seed) != 0)
		return EXIT_USAGE;
	if (a->argc != 1)
		return cmd_usage(c, "want one DB");
	if (file == NULL && run == NULL)
		return cmd_usage(c, "want --predictions FILE or --run NAME");
	if ((eo.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (eo.by != NULL && !cmd_known(st, db, SUGGEST_KEYS_AFTER("'tag' AS "
	    "k UNION ALL SELECT 'batch'"), eo.by, "keys",
	    "no item has metadata key '%s'", eo.by)) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (file != NULL) {
		if (errors_import(st, file, run, eo.user, cmd_on_error, NULL,
		    &imp, &cause) != 0) {
			ret = cmd_fail_cause(file, cause);
			goto out;
		}
		eo.run = imp.run;
	} else if (!cmd_known(st, db, SUGGEST_RUNS, run, "prediction runs",
	    "no prediction run named '%s'", run)) {
		ret = EXIT_FAIL;
		goto out;
	} else
		eo.run = run;
	if (errors_report(st, &eo, &rep, &cause) != 0) {
		ret = cmd_fail_cause(db, cause);
		goto out;
	}
	if (project_load(st, &p, &cause) != 0) {
		ret = cmd_fail_cause(db, cause);
		errors_report_free(&rep);
		goto out;
	}
	if (cmd_args_has(a, "json"))
		print_json(p.task, &rep, file != NULL ? &imp : NULL);
	else
		print_text(p.task, &rep, file != NULL ? &imp : NULL, &eo);
	if (html != NULL && errors_html_write(html, p.task, &rep, &eo,
	    &cause) != 0)
		ret = cmd_fail_cause(html, cause);
	project_free(&p);
	errors_report_free(&rep);
out:
	free(imp.run);
	store_close(st);
	return ret;
}
