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
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "accord/drift.h"
#include "cmd.h"
#include "errors_html.h"

static int cmd_drift_exec(int, char **);

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
"sme or admin role.\n"
"\n"
"  --from BATCH   the reference batch (accord import --batch names it)\n"
"  --to BATCH     the batch compared with it\n"
"  --json         one JSON object; schema in docs/guide.md\n"
"  --html FILE    also write a self-contained HTML page with charts\n",
	.exec = cmd_drift_exec,
};

static void
json_num(struct buf *b, const char *name, double v, int defined)
{
	if (defined)
		buf_printf(b, ",\"%s\":%.12g", name, v);
	else
		buf_printf(b, ",\"%s\":null", name);
}

static void
json_counts(struct buf *b, const long long *v, int n)
{
	int i;

	buf_puts(b, "[");
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i ? "," : "", v[i]);
	buf_puts(b, "]");
}

static void
print_json(const struct drift_report *d)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "{\"from\":{\"batch\":");
	buf_json_str(&b, d->from);
	buf_printf(&b, ",\"items\":%d},\"to\":{\"batch\":", d->items_from);
	buf_json_str(&b, d->to);
	buf_printf(&b, ",\"items\":%d},\"epsilon\":%.12g,\"shifts\":[",
	    d->items_to, DRIFT_PSI_EPSILON);
	for (i = 0; i < d->nshifts; i++) {
		const struct drift_shift *s = &d->shifts[i];
		int m = !s->labels;

		buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(&b, s->name);
		buf_printf(&b, ",\"kind\":\"%s\",\"n_from\":%lld,\"n_to\":%lld",
		    m ? "metric" : "labels", s->n_from, s->n_to);
		json_num(&b, "psi", s->psi, 1);
		buf_printf(&b, ",\"bins\":%d", s->bins);
		json_num(&b, "mean_from", s->mean_from, m);
		json_num(&b, "mean_to", s->mean_to, m);
		json_num(&b, "ks_d", s->ks_d, m);
		json_num(&b, "ks_p", s->ks_p, m);
		if (m)
			buf_printf(&b, ",\"ks_method\":\"%s\"", s->ks_exact ?
			    "exact" : "asymptotic");
		else
			buf_puts(&b, ",\"ks_method\":null");
		json_num(&b, "chi2", s->chi2, !m && s->chi2_df > 0);
		if (!m && s->chi2_df > 0)
			buf_printf(&b, ",\"chi2_df\":%d", s->chi2_df);
		else
			buf_puts(&b, ",\"chi2_df\":null");
		json_num(&b, "chi2_p", s->chi2_p, !m && s->chi2_df > 0);
		buf_puts(&b, "}");
	}
	buf_puts(&b, "],\"labels\":{\"classes\":[");
	for (i = 0; i < d->nclasses; i++) {
		if (i)
			buf_puts(&b, ",");
		buf_json_str(&b, d->classes[i]);
	}
	buf_puts(&b, "],\"from\":");
	json_counts(&b, d->labels_from, d->nclasses);
	buf_puts(&b, ",\"to\":");
	json_counts(&b, d->labels_to, d->nclasses);
	buf_puts(&b, "}}\n");
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
cmd_drift_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_drift_entry;
	struct drift_report d;
	struct store *st;
	const char *from = NULL, *to = NULL, *html = NULL, *db, *user;
	char *cause = NULL;
	int ch, json = 0, ret = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'H':
			if (*optarg == '\0')
				return cmd_usage(c, "--html wants a file name");
			html = optarg;
			break;
		case ':':
			return cmd_usage(c, "%s wants a value",
			    argv[optind - 1]);
		default:
			return cmd_usage(c, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(c, "want one DB");
	if (from == NULL || to == NULL)
		return cmd_usage(c, "want --from BATCH and --to BATCH");
	db = argv[optind];
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (drift_report(st, user, from, to, &d, &cause) != 0) {
		ret = cmd_fail(db, "%s", cause);
		free(cause);
	} else {
		if (json)
			print_json(&d);
		else
			print_text(&d);
		if (html != NULL && drift_html_write(html, &d, &cause) != 0) {
			ret = cmd_fail(html, "%s", cause);
			free(cause);
		}
		drift_report_free(&d);
	}
	store_close(st);
	return ret;
}
