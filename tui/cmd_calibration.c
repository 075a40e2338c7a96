/*
 * cmd_calibration.c: accord calibration: does the consensus confidence
 * mean what it says?  Scores the majority or Dawid-Skene confidence of
 * every gold item against its gold class: a reliability table and the
 * expected calibration error (core/calibration.c).
 *
 * --json prints one object, this schema (stable; fields are only added):
 *
 *   {
 *     "task": str, "method": "majority" | "dawid-skene",
 *     "items": int,            items in the store
 *     "gold": int,             gold items
 *     "scored": int,           gold items with a consensus class
 *     "ties": int, "unlabeled": int,   gold items left out
 *     "ece": num | null, "mce": num | null, "brier": num | null,
 *     "confidence": num | null, "accuracy": num | null,
 *     "model": {"onecoin_accuracy": num | null,      majority
 *               "ds_iterations": int | null, "ds_converged": bool | null,
 *               "ds_few_labels": int | null},        dawid-skene
 *     "bins": [{"lo": num, "hi": num, "count": int,
 *               "confidence": num | null, "accuracy": num | null}],
 *     "classes": [{"name": str, "scored": int, "correct": int}]
 *   }
 *
 * null where a figure is undefined (no item scored, an empty bin).
 * --html FILE writes the reliability diagram (calibration_html.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/calibration.h"
#include "accord/json.h"
#include "calibration_html.h"
#include "cmd.h"

static int cmd_calibration_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "method", "M", 0, "majority (default) or dawid-skene" },
	{ "bins", "N", 0, "bins of confidence, equal width (default 10;\n"
	    "1 to 100)" },
	{ "json", NULL, 0, "one JSON object; schema in docs/guide.md" },
	{ "html", "FILE", CMD_OPT_NONEMPTY,
	    "also write a page with the reliability diagram" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_calibration_entry = {
	.name = "calibration",
	.summary = "does the consensus confidence hold on gold items",
	.usage =
"usage: accord calibration DB [--method majority|dawid-skene] [--bins N]\n"
"                             [--json] [--html FILE]\n"
"\n"
"The consensus confidence accord export writes (majority vote or\n"
"Dawid-Skene, from all of the labels in force) against the gold items'\n"
"known classes: per bin of confidence the items, their mean confidence\n"
"and the share whose consensus is right, then the expected calibration\n"
"error (ECE: the items' mean gap between the two), the largest gap of a\n"
"bin and the Brier score.  A calibrated confidence of 0.9 is right 9\n"
"times in 10.  Gold items whose consensus is a tie or who have no label\n"
"are counted and left out.  Formulas: docs/statistics.md.  Needs the sme\n"
"or admin role.\n",
	.opts = options,
	.run = cmd_calibration_run,
};

static void
json_num(struct json *j, const char *key, double v)
{
	cmd_json_num(j, key, v, isfinite(v));
}

static void
print_json(const struct calibration_report *r)
{
	const struct calibration *c = &r->cal;
	int ds = r->method == CONSENSUS_DAWID_SKENE;
	struct buf b = { 0 };
	struct json j;
	int i;

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_str(&j, "task", r->task);
	cmd_json_str(&j, "method", consensus_method_name(r->method));
	cmd_json_int(&j, "items", r->items);
	cmd_json_int(&j, "gold", r->gold);
	cmd_json_int(&j, "scored", c->n);
	cmd_json_int(&j, "ties", r->ties);
	cmd_json_int(&j, "unlabeled", r->unlabeled);
	json_num(&j, "ece", c->ece);
	json_num(&j, "mce", c->mce);
	json_num(&j, "brier", c->brier);
	json_num(&j, "confidence", c->confidence);
	json_num(&j, "accuracy", c->accuracy);
	json_key(&j, "model");
	json_object_begin(&j);
	cmd_json_num(&j, "onecoin_accuracy", r->onecoin_accuracy, !ds);
	json_key(&j, "ds_iterations");
	if (ds)
		json_int(&j, r->ds_iterations);
	else
		json_null(&j);
	json_key(&j, "ds_converged");
	if (ds)
		json_bool(&j, r->ds_converged);
	else
		json_null(&j);
	json_key(&j, "ds_few_labels");
	if (ds)
		json_int(&j, r->ds_few_labels);
	else
		json_null(&j);
	json_object_end(&j);
	json_key(&j, "bins");
	json_array_begin(&j);
	for (i = 0; i < c->nbins; i++) {
		const struct calibration_bin *x = &c->bins[i];

		json_object_begin(&j);
		json_num(&j, "lo", x->lo);
		json_num(&j, "hi", x->hi);
		cmd_json_int(&j, "count", x->n);
		json_num(&j, "confidence", x->confidence);
		json_num(&j, "accuracy", x->accuracy);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "classes");
	json_array_begin(&j);
	for (i = 0; i < r->nclasses; i++) {
		json_object_begin(&j);
		cmd_json_str(&j, "name", r->classes[i]);
		cmd_json_int(&j, "scored", r->class_n[i]);
		cmd_json_int(&j, "correct", r->class_correct[i]);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	cmd_json_print(&b);
}

static void
print_text(const struct calibration_report *r)
{
	const struct calibration *c = &r->cal;
	int i;

	printf("calibration of the %s confidence on %lld gold items "
	    "(%lld scored; left out: %lld ties, %lld unlabeled)\n",
	    consensus_method_name(r->method), r->gold, c->n, r->ties,
	    r->unlabeled);
	if (c->n == 0) {
		printf("nothing to score: no gold item has a consensus "
		    "(accord gold DB add ITEM CLASS)\n");
		return;
	}
	printf("%-14s %8s %10s %10s\n", "confidence", "items", "mean conf",
	    "correct");
	for (i = 0; i < c->nbins; i++) {
		const struct calibration_bin *x = &c->bins[i];
		char name[32];

		snprintf(name, sizeof name, "[%.2f, %.2f%c", x->lo, x->hi,
		    i == c->nbins - 1 ? ']' : ')');
		if (x->n == 0)
			printf("%-14s %8lld %10s %10s\n", name, x->n, "-", "-");
		else
			printf("%-14s %8lld %10.4f %10.4f\n", name, x->n,
			    x->confidence, x->accuracy);
	}
	printf("ECE %.4f  largest bin gap %.4f  Brier %.4f  mean confidence "
	    "%.4f  correct %.4f\n", c->ece, c->mce, c->brier, c->confidence,
	    c->accuracy);
	if (r->method == CONSENSUS_DAWID_SKENE)
		printf("dawid-skene: %d iterations, %s; %d items with fewer "
		    "than %d labels took the majority vote\n",
		    r->ds_iterations, r->ds_converged ? "converged" :
		    "not converged (cap)", r->ds_few_labels,
		    CONSENSUS_DS_MIN_LABELS);
	else
		printf("majority: one-coin model, labeler accuracy %.4f\n",
		    r->onecoin_accuracy);
}

static int
cmd_calibration_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct calibration_opts o = { .method = CONSENSUS_MAJORITY,
		.bins = 10 };
	struct calibration_report r;
	struct store *st;
	const char *db, *v, *html = cmd_args_get(a, "html");
	char *cause = NULL;
	long long bins = 10;
	int k;

	if ((v = cmd_args_get(a, "method")) != NULL) {
		k = consensus_method_from_name(v);
		if (k != CONSENSUS_MAJORITY && k != CONSENSUS_DAWID_SKENE)
			return cmd_usage(c, "--method is majority or "
			    "dawid-skene, not '%s'", v);
		o.method = (enum consensus_method)k;
	}
	if (cmd_args_int(a, "bins", 1, CALIBRATION_MAX_BINS, &bins) != 0)
		return EXIT_USAGE;
	o.bins = (int)bins;
	if (a->argc != 1)
		return cmd_usage(c, "want one DB");
	db = a->argv[0];
	if ((o.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (calibration_run(st, &o, &r, &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	store_close(st);
	if (html != NULL && calibration_html_write(html, &r, &cause) != 0) {
		calibration_report_free(&r);
		return cmd_fail_cause(html, cause);
	}
	if (cmd_args_has(a, "json"))
		print_json(&r);
	else
		print_text(&r);
	calibration_report_free(&r);
	return 0;
}
