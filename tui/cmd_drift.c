/*
 * cmd_drift.c: accord drift: how the input metrics and the labels moved
 * between two import batches.
 *
 * --json prints one object, this schema (stable; fields are only added):
 *
 *   {
 *     "from": {"batch": str, "items": int},
 *     "to": {"batch": str, "items": int},
 *     "epsilon": num,          share used for an empty PSI bin
 *     "shifts": [SHIFT],       largest PSI first
 *     "labels": {"classes": [str], "from": [int], "to": [int]}
 *   }
 *   SHIFT = {"name": str, "kind": "metric" | "labels",
 *            "n_from": int, "n_to": int, "psi": num, "bins": int,
 *            "mean_from": num | null, "mean_to": num | null,
 *            "ks_d": num | null, "ks_p": num | null,         metrics
 *            "ks_method": "exact" | "asymptotic" | null,     metrics
 *            "chi2": num | null, "chi2_df": int | null,
 *            "chi2_p": num | null}                            labels
 *
 * --html FILE writes the same figures as a page (errors_html.c).
 */
#include <stdlib.h>
#include <string.h>

#include "accord/drift.h"
#include "accord/json.h"
#include "cmd.h"
#include "errors_html.h"

static int cmd_drift_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "from", "BATCH", 0,
	    "the reference batch (accord import --batch names it)" },
	{ "to", "BATCH", 0, "the batch compared with it" },
	{ "json", NULL, 0, "one JSON object; schema in docs/guide.md" },
	{ "html", "FILE", CMD_OPT_NONEMPTY,
	    "also write a self-contained HTML page with charts" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_drift_entry = {
	.name = "drift",
	.summary = "how inputs and labels moved between two import batches",
	.usage =
"usage: accord drift DB --from BATCH --to BATCH [--json] [--html FILE]\n"
"\n"
"For every numeric metadata key with values in both batches (the input\n"
"metrics brightness, contrast, sharpness, duration_s, rms_db, peak_db, ...\n"
"and numeric metadata columns): the population stability index (PSI) over\n"
"the deciles of the --from batch, and the two-sample Kolmogorov-Smirnov\n"
"statistic D with its p-value (exact up to 10^8 pairs of values, else\n"
"asymptotic).  For the labels in force: PSI over the classes and Pearson's\n"
"chi-square.  Largest PSI first.  Formulas: docs/statistics.md.  Needs the\n"
"sme or admin role.\n",
	.opts = options,
	.run = cmd_drift_run,
};

/* Figures as "%.12g"; an undefined one (defined 0) as null. */
static void
json_num(struct json *j, const char *name, double v, int defined)
{
	json_key(j, name);
	if (defined)
		json_double(j, "%.12g", v);
	else
		json_null(j);
}

static void
json_counts(struct json *j, const char *name, const long long *v, int n)
{
	int i;

	json_key(j, name);
	json_array_begin(j);
	for (i = 0; i < n; i++)
		json_int(j, v[i]);
	json_array_end(j);
}

static void
json_batch(struct json *j, const char *name, const char *batch, int items)
{
	json_key(j, name);
	json_object_begin(j);
	json_key(j, "batch");
	json_string(j, batch);
	json_key(j, "items");
	json_int(j, items);
	json_object_end(j);
}

static void
json_shift(struct json *j, const struct drift_shift *s)
{
	int m = !s->labels, chi = !m && s->chi2_df > 0;

	json_object_begin(j);
	json_key(j, "name");
	json_string(j, s->name);
	json_key(j, "kind");
	json_string(j, m ? "metric" : "labels");
	json_key(j, "n_from");
	json_int(j, s->n_from);
	json_key(j, "n_to");
	json_int(j, s->n_to);
	json_num(j, "psi", s->psi, 1);
	json_key(j, "bins");
	json_int(j, s->bins);
	json_num(j, "mean_from", s->mean_from, m);
	json_num(j, "mean_to", s->mean_to, m);
	json_num(j, "ks_d", s->ks_d, m);
	json_num(j, "ks_p", s->ks_p, m);
	json_key(j, "ks_method");
	json_string(j, !m ? NULL : s->ks_exact ? "exact" : "asymptotic");
	json_num(j, "chi2", s->chi2, chi);
	json_key(j, "chi2_df");
	if (chi)
		json_int(j, s->chi2_df);
	else
		json_null(j);
	json_num(j, "chi2_p", s->chi2_p, chi);
	json_object_end(j);
}

static void
print_json(const struct drift_report *d)
{
	struct buf b = { 0 };
	struct json j;
	int i;

	json_start(&j, &b);
	json_object_begin(&j);
	json_batch(&j, "from", d->from, d->items_from);
	json_batch(&j, "to", d->to, d->items_to);
	json_num(&j, "epsilon", DRIFT_PSI_EPSILON, 1);
	json_key(&j, "shifts");
	json_array_begin(&j);
	for (i = 0; i < d->nshifts; i++)
		json_shift(&j, &d->shifts[i]);
	json_array_end(&j);
	json_key(&j, "labels");
	json_object_begin(&j);
	json_key(&j, "classes");
	json_array_begin(&j);
	for (i = 0; i < d->nclasses; i++)
		json_string(&j, d->classes[i]);
	json_array_end(&j);
	json_counts(&j, "from", d->labels_from, d->nclasses);
	json_counts(&j, "to", d->labels_to, d->nclasses);
	json_object_end(&j);
	json_object_end(&j);
	buf_add(&b, "\n", 1);
	fputs(b.s, stdout);
	buf_free(&b);
}

static void
print_text(const struct drift_report *d)
{
	int i;

	fputs("drift  from batch ", stdout);
	cmd_print_safe(stdout, d->from);
	printf(" (%d items) to batch ", d->items_from);
	cmd_print_safe(stdout, d->to);
	printf(" (%d items), largest PSI first\n", d->items_to);
	if (d->nshifts == 0) {
		printf("  no numeric metadata key and no labels in both "
		    "batches\n");
		return;
	}
	printf("\n  %-18s %7s %7s %11s %11s %7s %7s %10s\n", "", "n from",
	    "n to", "mean from", "mean to", "PSI", "KS D", "KS p");
	for (i = 0; i < d->nshifts; i++) {
		const struct drift_shift *s = &d->shifts[i];
		char *name = acc_printable(s->name);

		printf("  %-18s %7lld %7lld ", name, s->n_from, s->n_to);
		free(name);
		if (s->labels) {
			printf("%11s %11s %7.3f", "", "", s->psi);
			if (s->chi2_df > 0)
				printf("  chi-square %.3f, df %d, p %.4g\n",
				    s->chi2, s->chi2_df, s->chi2_p);
			else
				printf("  chi-square undefined (one class "
				    "used)\n");
			continue;
		}
		printf("%11.4g %11.4g %7.3f %7.3f %10.4g\n", s->mean_from,
		    s->mean_to, s->psi, s->ks_d, s->ks_p);
	}
	printf("\n  labels in force    %7s %7s\n", "from", "to");
	for (i = 0; i < d->nclasses; i++) {
		char *name = acc_printable(d->classes[i]);

		printf("    %-16s %7lld %7lld\n", name, d->labels_from[i],
		    d->labels_to[i]);
		free(name);
	}
	printf("\n  PSI: < 0.1 little change, 0.1-0.25 some, > 0.25 a large "
	    "shift (rule of thumb)\n");
}

static int
cmd_drift_run(struct cmd_args *a)
{
	struct drift_report d;
	struct store *st;
	const char *from = cmd_args_get(a, "from"), *to = cmd_args_get(a,
	    "to"), *html = cmd_args_get(a, "html"), *db = a->argv[0], *user;
	char *cause = NULL;
	int ret = 0;

	if (a->argc != 1)
		return cmd_usage(a->entry, "want one DB");
	if (from == NULL || to == NULL)
		return cmd_usage(a->entry, "want --from BATCH and --to BATCH");
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (drift_report(st, user, from, to, &d, &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	if (cmd_args_has(a, "json"))
		print_json(&d);
	else
		print_text(&d);
	if (html != NULL && drift_html_write(html, &d, &cause) != 0)
		ret = cmd_fail_cause(html, cause);
	drift_report_free(&d);
	store_close(st);
	return ret;
}
