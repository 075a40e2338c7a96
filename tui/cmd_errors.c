/*
 * cmd_errors.c: accord errors: import model predictions as a run and show
 * where the model errs against consensus, by tag and by slice, next to
 * human-level performance.
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
 *     "scored": int,          predicted items with a consensus class
 *     "left_out": {"ambiguous": int, "ties": int, "unlabeled": int},
 *     "overall": ROW,
 *     "tags": [ROW],          each tag in force, then "(no tag)";
 *                             largest room first
 *     "slices": [ROW],        [] without --by KEY; largest room first
 *     "confusion": [[int]]    rows: consensus class, columns: predicted
 *   }
 *   ROW  = {"name": str, "items": int, "errors": int, "data_share": num,
 *           "error_rate": num, "error_share": num, "hlp": STAT,
 *           "gap": STAT, "room": STAT, "hlp_ci": CI}
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
	    "replicates for the HLP intervals (default 1000;\n0: none)" },
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
"Each model prediction is compared with the item's consensus (the newest\n"
"adjudicated class, else the majority of the labels in force; ambiguous\n"
"items and ties are left out and counted).  Per tag, and per slice with\n"
"--by: share of the data, error rate, share of all errors, team HLP on\n"
"those items, gap (HLP - model accuracy) and room for improvement (gap x\n"
"share of data), largest room first; then the model-vs-consensus\n"
"confusion matrix.  Formulas: docs/statistics.md.  Needs the sme or\n"
"admin role.\n",
	.opts = options,
	.run = cmd_errors_run,
};

/* JSON */

/* Figures as "%.12g": enough digits for a double's 0..1 shares. */
#define NUM "%.12g"

static void
json_stat(struct json *j, const char *name, const struct agree_stat *s)
{
	json_key(j, name);
	json_object_begin(j);
	json_key(j, "value");
	if (s->defined)
		json_double(j, NUM, s->value);
	else
		json_null(j);
	json_key(j, "why");
	json_string(j, s->defined ? NULL : s->why ? s->why : "undefined");
	json_object_end(j);
}

static void
json_row(struct json *j, const struct errors_row *r)
{
	json_object_begin(j);
	json_key(j, "name");
	json_string(j, r->name);
	json_key(j, "items");
	json_int(j, r->items);
	json_key(j, "errors");
	json_int(j, r->errors);
	json_key(j, "data_share");
	json_double(j, NUM, r->data_share);
	json_key(j, "error_rate");
	json_double(j, NUM, r->error_rate);
	json_key(j, "error_share");
	json_double(j, NUM, r->error_share);
	json_stat(j, "hlp", &r->hlp);
	json_stat(j, "gap", &r->gap);
	json_stat(j, "room", &r->room);
	json_key(j, "hlp_ci");
	json_object_begin(j);
	json_key(j, "lo");
	if (r->hlp_ci.defined)
		json_double(j, NUM, r->hlp_ci.lo);
	else
		json_null(j);
	json_key(j, "hi");
	if (r->hlp_ci.defined)
		json_double(j, NUM, r->hlp_ci.hi);
	else
		json_null(j);
	json_key(j, "why");
	json_string(j, r->hlp_ci.defined ? NULL : r->hlp_ci.why ?
	    r->hlp_ci.why : "undefined");
	json_object_end(j);
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
	json_key(&j, "task");
	json_string(&j, task);
	json_key(&j, "run");
	json_object_begin(&j);
	json_key(&j, "name");
	json_string(&j, e->run);
	json_key(&j, "file");
	json_string(&j, e->file);
	json_key(&j, "sha256");
	json_string(&j, e->sha256);
	json_key(&j, "imported_by");
	json_string(&j, e->imported_by);
	json_key(&j, "imported_at");
	json_string(&j, e->imported_at);
	json_object_end(&j);
	json_key(&j, "import");
	if (imp != NULL) {
		json_object_begin(&j);
		json_key(&j, "rows");
		json_int(&j, imp->rows);
		json_key(&j, "bad");
		json_int(&j, imp->bad);
		json_key(&j, "reused");
		json_bool(&j, imp->reused);
		json_object_end(&j);
	} else
		json_null(&j);
	json_key(&j, "by");
	json_string(&j, e->by);
	json_key(&j, "classes");
	json_array_begin(&j);
	for (i = 0; i < k; i++)
		json_string(&j, e->classes[i]);
	json_array_end(&j);
	json_key(&j, "items");
	json_int(&j, e->nitems);
	json_key(&j, "predicted");
	json_int(&j, e->npredicted);
	json_key(&j, "scored");
	json_int(&j, e->nscored);
	json_key(&j, "left_out");
	json_object_begin(&j);
	json_key(&j, "ambiguous");
	json_int(&j, e->nambiguous);
	json_key(&j, "ties");
	json_int(&j, e->nties);
	json_key(&j, "unlabeled");
	json_int(&j, e->nunlabeled);
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
	buf_add(&b, "\n", 1);
	fputs(b.s, stdout);
	buf_free(&b);
}

/* Text */

static const char *
fmt_stat(const struct agree_stat *s, char *out, size_t len)
{
	if (s->defined)
		snprintf(out, len, "%+.3f", s->value);
	else
		snprintf(out, len, "- (%s)", s->why ? s->why : "?");
	return out;
}

static void
text_row(const struct errors_row *r)
{
	char *name = acc_printable(r->name), hlp[64], gap[64], room[64];
	int len = (int)strlen(name);

	if (r->hlp.defined)
		snprintf(hlp, sizeof hlp, "%.3f", r->hlp.value);
	else
		snprintf(hlp, sizeof hlp, "-");
	printf("  %s%*s %6d %6.3f %7.3f %7.3f %7s %7s %7s", name,
	    len < 30 ? 30 - len : 1, "", r->items, r->data_share,
	    r->error_rate, r->error_share, hlp,
	    r->gap.defined ? fmt_stat(&r->gap, gap, sizeof gap) : "-",
	    r->room.defined ? fmt_stat(&r->room, room, sizeof room) : "-");
	if (!r->room.defined)
		printf("  (%s)", r->room.why ? r->room.why : "?");
	putchar('\n');
	free(name);
}

static void
text_table(const char *title, const struct errors_row *rows, int n)
{
	int i;

	printf("\n  %-30s %6s %6s %7s %7s %7s %7s %7s\n", title, "items",
	    "data", "errrate", "of errs", "HLP", "gap", "room");
	for (i = 0; i < n; i++)
		text_row(&rows[i]);
}

static void
print_text(const char *task, const struct errors_report *e,
    const struct errors_import_result *imp)
{
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
	printf("  %d items, %d predicted, %d scored against consensus; left "
	    "out: %d ambiguous, %d ties, %d without labels\n", e->nitems,
	    e->npredicted, e->nscored, e->nambiguous, e->nties,
	    e->nunlabeled);
	printf("  room = (HLP - model accuracy) x share of data; largest "
	    "first\n");
	text_table("overall", &e->overall, 1);
	if (e->ntags > 0)
		text_table("by tag", e->tags, e->ntags);
	else
		printf("\n  no tags in force\n");
	if (e->by != NULL) {
		char *t = xasprintf("by %s", e->by);

		text_table(t, e->slices, e->nslices);
		free(t);
	}
	printf("\n  confusion (rows: consensus, columns: model)\n  %-14s",
	    "");
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
	    cmd_args_get(a, "run"), *html = cmd_args_get(a, "html"), *v,
	    *db = a->argv[0];
	char *cause = NULL;
	int ret = 0;

	eo.bootstrap = 1000;
	eo.seed = 1;
	eo.by = cmd_args_get(a, "by");
	if ((v = cmd_args_get(a, "bootstrap")) != NULL &&
	    cmd_opt_bootstrap(c, v, &eo.bootstrap) != 0)
		return EXIT_USAGE;
	if ((v = cmd_args_get(a, "seed")) != NULL &&
	    cmd_opt_seed(c, v, &eo.seed) != 0)
		return EXIT_USAGE;
	if (a->argc != 1)
		return cmd_usage(c, "want one DB");
	if (file == NULL && run == NULL)
		return cmd_usage(c, "want --predictions FILE or --run NAME");
	if ((eo.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (file != NULL) {
		if (errors_import(st, file, run, eo.user, cmd_on_error, NULL,
		    &imp, &cause) != 0) {
			ret = cmd_fail_cause(file, cause);
			goto out;
		}
		eo.run = imp.run;
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
		print_text(p.task, &rep, file != NULL ? &imp : NULL);
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
