/*
 * cmd_agree.c: accord agree: inter-annotator agreement and HLP of the
 * project, per slice and per guideline version.
 *
 * --json prints one object whose schema is documented, and kept stable
 * (fields are only added), in docs/guide.md ("accord agree", JSON); the
 * writers below follow it field by field.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/agree_report.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "agree.h"
#include "cmd.h"
#include "term.h"

static int cmd_agree_exec(int, char **);

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
"labeler's labels).\n"
"\n"
"  --by KEY|batch   also one row per import batch, or per value of a\n"
"                   metadata key (numeric keys in quartile bins)\n"
"  --guideline V    each labeler's newest label made under version V\n"
"                   (kept when a later version's label superseded it); `all`:\n"
"                   one result per version, then all together\n"
"                   (default: every version together)\n"
"  --bootstrap N    bootstrap replicates for HLP intervals (default 1000;\n"
"                   0: no intervals)\n"
"  --seed S         bootstrap seed (default 1)\n"
"  --json           one JSON object; schema in docs/guide.md\n"
"  --html FILE      also write a self-contained HTML page with charts\n"
"                   (confusion heatmap, per labeler, HLP by slice, by\n"
"                   guideline version) to FILE; text or JSON still goes\n"
"                   to standard output\n"
"\n"
"On a terminal the 0..1 figures get bars, coloured green from 0.8,\n"
"yellow from 0.6, red below; NO_COLOR or ACCORD_COLOR=none keeps them\n"
"uncoloured.  A pipe gets plain text.\n",
	.exec = cmd_agree_exec,
};

/* JSON */

static void
json_num(struct buf *b, double v)
{
	buf_printf(b, "%.12g", v);
}

static void
json_stat(struct buf *b, const char *name, const struct agree_stat *s)
{
	buf_printf(b, ",\"%s\":{\"value\":", name);
	if (s->defined) {
		json_num(b, s->value);
		buf_puts(b, ",\"why\":null}");
	} else {
		buf_puts(b, "null,\"why\":");
		buf_json_str(b, s->why ? s->why : "undefined");
		buf_puts(b, "}");
	}
}

static void
json_ci(struct buf *b, const char *name, const struct agree_ci *c)
{
	buf_printf(b, ",\"%s\":{", name);
	if (c->defined) {
		buf_puts(b, "\"lo\":");
		json_num(b, c->lo);
		buf_puts(b, ",\"hi\":");
		json_num(b, c->hi);
		buf_puts(b, ",\"why\":null}");
	} else {
		buf_puts(b, "\"lo\":null,\"hi\":null,\"why\":");
		buf_json_str(b, c->why ? c->why : "undefined");
		buf_puts(b, "}");
	}
}

static void
json_class(struct buf *b, const struct ratings *r, int c)
{
	if (c < 0)
		buf_puts(b, "null");
	else
		buf_json_str(b, r->classes[c]);
}

static void
json_agreement(struct buf *b, const struct ratings *r,
    const struct agree_result *a)
{
	int i, j;

	buf_printf(b, "{\"items\":%d,\"labeled\":%d,\"pairable\":%d,"
	    "\"labels\":%lld,\"labelers_active\":%d", a->nitems, a->nlabeled,
	    a->npairable, a->nlabels, a->nactive);
	json_stat(b, "percent", &a->percent);
	json_stat(b, "unanimous", &a->unanimous);
	json_stat(b, "fleiss", &a->fleiss);
	json_stat(b, "conger", &a->conger);
	json_stat(b, "ac1", &a->ac1);
	json_stat(b, "alpha_nominal", &a->alpha_nominal);
	json_stat(b, "alpha_ordinal", &a->alpha_ordinal);
	json_stat(b, "alpha_interval", &a->alpha_interval);
	json_stat(b, "cohen_mean", &a->cohen_mean);
	json_stat(b, "hlp", &a->team_hlp);
	json_ci(b, "hlp_ci", &a->team_hlp_ci);
	buf_printf(b, ",\"hlp_scored\":%lld,\"hlp_items\":%d,\"bootstrap\":%d"
	    ",\"classes\":[", a->team_scored, a->hlp_items, a->bootstrap);
	for (i = 0; i < a->nclasses; i++) {
		const struct agree_class *c = &a->classes[i];

		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(b, r->classes[i]);
		buf_printf(b, ",\"borderline\":%s,\"labels\":%lld",
		    c->borderline ? "true" : "false", c->nlabels);
		json_stat(b, "specific", &c->specific);
		json_stat(b, "hlp", &c->hlp);
		buf_puts(b, ",\"hlp_weight\":");
		json_num(b, c->hlp_weight);
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"labelers\":[");
	for (i = 0; i < a->nlabelers; i++) {
		const struct agree_labeler *l = &a->labelers[i];

		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(b, r->labelers[i]);
		buf_printf(b, ",\"labels\":%lld,\"shared\":%d", l->nlabels,
		    l->nshared);
		json_stat(b, "agree_others", &l->agree_others);
		json_stat(b, "kappa_mean", &l->kappa_mean);
		buf_printf(b, ",\"gold_items\":%d", l->ngold);
		json_stat(b, "gold_accuracy", &l->gold_accuracy);
		buf_printf(b, ",\"scored\":%d", l->nscored);
		json_stat(b, "hlp", &l->hlp);
		json_ci(b, "hlp_ci", &l->hlp_ci);
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"pairs\":[");
	for (i = 0; i < a->npairs; i++) {
		const struct agree_pair *p = &a->pairs[i];

		buf_puts(b, i ? ",{\"a\":" : "{\"a\":");
		buf_json_str(b, r->labelers[p->a]);
		buf_puts(b, ",\"b\":");
		buf_json_str(b, r->labelers[p->b]);
		buf_printf(b, ",\"shared\":%d,\"observed\":", p->nshared);
		json_num(b, p->observed);
		buf_puts(b, ",\"expected\":");
		json_num(b, p->expected);
		json_stat(b, "kappa", &p->kappa);
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"disagreements\":[");
	for (i = 0; i < a->ndisagreements; i++) {
		const struct agree_disagreement *d = &a->disagreements[i];

		buf_puts(b, i ? ",{\"a\":" : "{\"a\":");
		json_class(b, r, d->c);
		buf_puts(b, ",\"b\":");
		json_class(b, r, d->k);
		buf_printf(b, ",\"count\":%lld,\"share\":", d->count);
		json_num(b, d->share);
		buf_puts(b, "}");
	}
	buf_puts(b, "],\"confusion\":[");
	for (i = 0; i < a->nclasses; i++) {
		buf_puts(b, i ? ",[" : "[");
		for (j = 0; j < a->nclasses; j++)
			buf_printf(b, "%s%lld", j ? "," : "",
			    a->confusion[(size_t)i * a->nclasses + j]);
		buf_puts(b, "]");
	}
	buf_puts(b, "]}");
}

static void
json_top(struct buf *b, const struct ratings *r,
    const struct agree_report_run *u)
{
	int t, j;

	buf_puts(b, ",\"most_disagreed\":[");
	for (t = 0; t < u->ntop; t++) {
		int i = u->top[t].item, first = 1;

		buf_printf(b, "%s{\"id\":%lld,\"path\":", t ? "," : "",
		    r->item_ids[i]);
		buf_json_str(b, r->paths[i]);
		buf_puts(b, ",\"entropy\":");
		json_num(b, u->top[t].entropy);
		buf_puts(b, ",\"labels\":{");
		for (j = 0; j < r->nlabelers; j++) {
			size_t k = (size_t)i * r->nlabelers + j;

			if (r->cells[k] < 0 || (u->version != 0 &&
			    r->guideline[k] != u->version))
				continue;
			if (!first)
				buf_puts(b, ",");
			first = 0;
			buf_json_str(b, r->labelers[j]);
			buf_puts(b, ":");
			json_class(b, r, r->cells[k]);
		}
		buf_puts(b, "},\"reference\":");
		json_class(b, r, r->reference[i]);
		buf_puts(b, ",\"gold\":");
		json_class(b, r, r->gold[i]);
		buf_puts(b, "}");
	}
	buf_puts(b, "]");
}

static void
print_json(const char *task, const struct ratings *r, const char *by,
    const char *guideline, const struct agree_opts *o,
    const struct agree_report_run *runs, int nruns)
{
	struct buf b = { 0 };
	int i, s;

	buf_puts(&b, "{\"task\":");
	buf_json_str(&b, task);
	buf_printf(&b, ",\"ordinal\":%s,\"classes\":[", r->ordinal ? "true" :
	    "false");
	for (i = 0; i < r->nclasses; i++) {
		buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(&b, r->classes[i]);
		buf_printf(&b, ",\"borderline\":%s}", i == r->borderline ?
		    "true" : "false");
	}
	buf_puts(&b, "],\"labelers\":[");
	for (i = 0; i < r->nlabelers; i++) {
		if (i)
			buf_puts(&b, ",");
		buf_json_str(&b, r->labelers[i]);
	}
	buf_puts(&b, "],\"by\":");
	if (by)
		buf_json_str(&b, by);
	else
		buf_puts(&b, "null");
	if (guideline == NULL)
		buf_puts(&b, ",\"guideline\":null");
	else if (strcmp(guideline, "all") == 0)
		buf_puts(&b, ",\"guideline\":\"all\"");
	else
		buf_printf(&b, ",\"guideline\":%d", runs[0].version);
	buf_printf(&b, ",\"bootstrap\":%d,\"seed\":%llu,\"confidence\":",
	    o->bootstrap, (unsigned long long)o->seed);
	json_num(&b, o->confidence);
	buf_puts(&b, ",\"results\":[");
	for (i = 0; i < nruns; i++) {
		const struct agree_report_run *u = &runs[i];

		if (u->version)
			buf_printf(&b, "%s{\"guideline\":%d", i ? "," : "",
			    u->version);
		else
			buf_printf(&b, "%s{\"guideline\":null", i ? "," : "");
		buf_puts(&b, ",\"overall\":");
		json_agreement(&b, r, &u->all);
		buf_puts(&b, ",\"slices\":[");
		for (s = 0; by != NULL && s < r->nslices; s++) {
			buf_puts(&b, s ? ",{\"name\":" : "{\"name\":");
			buf_json_str(&b, r->slices[s]);
			buf_printf(&b, ",\"items\":%d,\"agreement\":",
			    u->slice_items[s]);
			json_agreement(&b, r, &u->slices[s]);
			buf_puts(&b, "}");
		}
		buf_puts(&b, "]");
		json_top(&b, r, u);
		buf_puts(&b, "}");
	}
	buf_puts(&b, "]}\n");
	fputs(b.s, stdout);
	buf_free(&b);
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
team_row(const char *name, const struct agree_stat *s)
{
	printf("  %-28s %s", name, fmt_stat(s));
	if (s->defined)
		bar(s->value);
	putchar('\n');
}

static void
print_agreement(const struct ratings *r, const struct agree_result *a,
    double confidence)
{
	int i;

	printf("  %d items, %d labeled, %d with two labels or more, %lld "
	    "labels, %d labeler%s\n\n", a->nitems, a->nlabeled, a->npairable,
	    a->nlabels, a->nactive, a->nactive == 1 ? "" : "s");
	team_row("percent agreement", &a->percent);
	team_row("unanimous items", &a->unanimous);
	team_row("Fleiss' kappa", &a->fleiss);
	team_row("Krippendorff alpha, nominal", &a->alpha_nominal);
	if (r->ordinal) {
		team_row("Krippendorff alpha, ordinal", &a->alpha_ordinal);
		team_row("Krippendorff alpha, interval", &a->alpha_interval);
	}
	team_row("Gwet's AC1", &a->ac1);
	team_row("mean Cohen's kappa", &a->cohen_mean);
	printf("  %-28s %s", "team HLP", fmt_stat(&a->team_hlp));
	if (a->team_hlp.defined) {
		printf(" %s", fmt_ci(&a->team_hlp_ci));
		if (a->team_hlp_ci.defined)
			printf(" %.0f%%, %d bootstrap", confidence * 100,
			    a->bootstrap);
		bar(a->team_hlp.value);
	}
	putchar('\n');

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
		printf("%s", fmt_stat(&l->hlp));
		if (l->hlp.defined) {
			printf(" %s", fmt_ci(&l->hlp_ci));
			bar(l->hlp.value);
		}
		putchar('\n');
	}

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

static void
print_text(const char *task, const struct ratings *r, const char *by,
    const struct agree_opts *o, const struct agree_report_run *runs, int nruns)
{
	int i, s, t, j;

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
		print_agreement(r, &u->all, o->confidence);
		if (by != NULL) {
			printf("\n  %-34s %6s %9s  %-10s %-10s %s\n", "slice",
			    "items", "percent", "fleiss", "alpha", "HLP");
			for (s = 0; s < r->nslices; s++) {
				const struct agree_result *a = &u->slices[s];

				fputs("  ", stdout);
				name_col(r->slices[s], 34);
				printf(" %6d %9s  ", u->slice_items[s],
				    fmt_stat(&a->percent));
				printf("%-10s ", fmt_stat(&a->fleiss));
				printf("%-10s ", fmt_stat(&a->alpha_nominal));
				printf("%s", fmt_stat(&a->team_hlp));
				if (a->team_hlp.defined) {
					printf(" %s", fmt_ci(&a->team_hlp_ci));
					bar(a->team_hlp.value);
				}
				putchar('\n');
			}
		}
		if (u->ntop > 0)
			printf("\n  most disagreed items (vote entropy, bits)\n");
		for (t = 0; t < u->ntop; t++) {
			int it = u->top[t].item;

			printf("    %.2f  ", u->top[t].entropy);
			cmd_print_safe(stdout, r->paths[it]);
			fputs("  ", stdout);
			for (j = 0; j < r->nlabelers; j++) {
				size_t k = (size_t)it * r->nlabelers + j;

				if (r->cells[k] < 0 || (u->version != 0 &&
				    r->guideline[k] != u->version))
					continue;
				putchar(' ');
				cmd_print_safe(stdout, r->labelers[j]);
				putchar('=');
				cmd_print_safe(stdout, r->classes[r->cells[k]]);
			}
			if (r->reference[it] >= 0) {
				fputs("  (adjudicated ", stdout);
				cmd_print_safe(stdout,
				    r->classes[r->reference[it]]);
				putchar(')');
			}
			putchar('\n');
		}
	}
}

static int
cmd_agree_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "guideline", required_argument, NULL, 'g' },
		{ "bootstrap", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_agree_entry;
	struct agree_report_opts ro;
	struct agree_report rep;
	struct project p;
	struct store *st;
	const char *guideline = NULL, *html = NULL, *db, *term;
	char *cause = NULL;
	long long n;
	int ch, json = 0, ret = 0;

	agree_report_opts_init(&ro);
	ro.top = AGREE_TOP;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			if (*optarg == '\0')
				return cmd_usage(c, "--by wants a key");
			ro.by = optarg;
			break;
		case 'g':
			guideline = optarg;
			if (strcmp(optarg, "all") == 0) {
				ro.each_version = 1;
				break;
			}
			if (acc_parse_int(optarg, 1, INT32_MAX, &n) != 0)
				return cmd_usage(c, "--guideline wants a version "
				    "number or 'all', not '%s'", optarg);
			ro.version = (int)n;
			break;
		case 'n':
			if (cmd_opt_bootstrap(c, optarg,
			    &ro.agree.bootstrap) != 0)
				return EXIT_USAGE;
			break;
		case 's':
			if (cmd_opt_seed(c, optarg, &ro.agree.seed) != 0)
				return EXIT_USAGE;
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
	db = argv[optind];
	if ((ro.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (agree_report_build(st, &ro, &rep, &cause) != 0) {
		ret = cmd_fail(db, "%s", cause);
		free(cause);
		store_close(st);
		return ret;
	}
	if (project_load(st, &p, &cause) != 0) {
		ret = cmd_fail(db, "%s", cause);
		free(cause);
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
	    &ro.agree, rep.runs, rep.nruns, &cause) != 0) {
		ret = cmd_fail(html, "%s", cause);
		free(cause);
	}
	project_free(&p);
	agree_report_free(&rep);
	return ret;
}
