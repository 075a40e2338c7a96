/*
 * agree_ref: print every statistic agree_compute() gives for ratings
 * matrices read from a file (or stdin), for
 * tests/reference/agree_vs_python.sh to compare with independent tools.
 *
 *   agree_ref [-b replicates] [-s seed] [-c confidence] [-t threads] [FILE]
 *
 * Input: whitespace-separated integers, '#' to the end of a line is a
 * comment.  One or more matrices, each:
 *
 *   nitems nlabelers nclasses ordinal borderline has_reference has_gold
 *   then per item: nlabelers cells (class 0..nclasses-1, -1 missing),
 *   then its reference class if has_reference, then its gold if has_gold
 *   (-1: none).
 *
 * Output per matrix: "case N", one line per statistic, "end".  A line is
 * a name, indices where the statistic has them, then either numbers
 * (%.17g) or "undefined" and the reason.  Bootstrap defaults to 0
 * replicates here.  Exit status 1 on malformed input or an error from
 * agree_compute (message on stderr).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/util.h"

struct reader {
	FILE *f;
	int eof;
};

/* Next integer; 0, or -1 at end of input (or on garbage, *bad set). */
static int
next_int(struct reader *rd, long *v, int *bad)
{
	int c;
	char buf[64];
	size_t n = 0;
	char *end;

	for (;;) {
		c = getc(rd->f);
		if (c == EOF)
			return -1;
		if (c == '#') {
			while ((c = getc(rd->f)) != EOF && c != '\n')
				;
			continue;
		}
		if (!isspace(c))
			break;
	}
	while (c != EOF && !isspace(c) && c != '#' && n < sizeof buf - 1) {
		buf[n++] = (char)c;
		c = getc(rd->f);
	}
	if (c == '#')
		ungetc(c, rd->f);
	buf[n] = '\0';
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0) {
		*bad = 1;
		return -1;
	}
	return 0;
}

static void
stat_line(const char *name, const struct agree_stat *s)
{
	if (s->defined)
		printf("%s %.17g\n", name, s->value);
	else
		printf("%s undefined %s\n", name, s->why);
}

static void
stat_line_i(const char *name, int i, const struct agree_stat *s)
{
	if (s->defined)
		printf("%s %d %.17g\n", name, i, s->value);
	else
		printf("%s %d undefined %s\n", name, i, s->why);
}

static void
ci_line(const char *name, int i, const struct agree_ci *ci)
{
	if (i >= 0)
		printf("%s %d ", name, i);
	else
		printf("%s ", name);
	if (ci->defined)
		printf("%.17g %.17g\n", ci->lo, ci->hi);
	else
		printf("undefined %s\n", ci->why);
}

static void
print_result(const struct agree_result *r)
{
	int i, c, d, k = r->nclasses;

	printf("items %d\nlabelers %d\nclasses %d\n", r->nitems, r->nlabelers,
	    r->nclasses);
	printf("nactive %d\nnlabeled %d\nnpairable %d\nnlabels %lld\n",
	    r->nactive, r->nlabeled, r->npairable, r->nlabels);
	stat_line("percent", &r->percent);
	stat_line("unanimous", &r->unanimous);
	stat_line("fleiss", &r->fleiss);
	stat_line("conger", &r->conger);
	stat_line("ac1", &r->ac1);
	stat_line("alpha_nominal", &r->alpha_nominal);
	stat_line("alpha_ordinal", &r->alpha_ordinal);
	stat_line("alpha_interval", &r->alpha_interval);
	stat_line("cohen_mean", &r->cohen_mean);
	ci_line("percent_ci", -1, &r->percent_ci);
	ci_line("fleiss_ci", -1, &r->fleiss_ci);
	ci_line("ac1_ci", -1, &r->ac1_ci);
	ci_line("alpha_nominal_ci", -1, &r->alpha_nominal_ci);
	ci_line("alpha_ordinal_ci", -1, &r->alpha_ordinal_ci);
	ci_line("alpha_interval_ci", -1, &r->alpha_interval_ci);
	for (i = 0; i < r->npairs; i++) {
		const struct agree_pair *p = &r->pairs[i];

		printf("pair_shared %d %d %d\n", p->a, p->b, p->nshared);
		printf("pair_observed %d %d %.17g\n", p->a, p->b, p->observed);
		printf("pair_expected %d %d %.17g\n", p->a, p->b, p->expected);
		if (p->kappa.defined)
			printf("pair_kappa %d %d %.17g\n", p->a, p->b,
			    p->kappa.value);
		else
			printf("pair_kappa %d %d undefined %s\n", p->a, p->b,
			    p->kappa.why);
	}
	for (c = 0; c < k; c++)
		for (d = 0; d < k; d++)
			printf("confusion %d %d %lld\n", c, d,
			    r->confusion[(size_t)c * k + d]);
	for (c = 0; c < k; c++) {
		const struct agree_class *cl = &r->classes[c];

		printf("class_nlabels %d %lld\n", c, cl->nlabels);
		printf("class_borderline %d %d\n", c, cl->borderline);
		stat_line_i("class_specific", c, &cl->specific);
		stat_line_i("class_hlp", c, &cl->hlp);
		printf("class_hlp_weight %d %.17g\n", c, cl->hlp_weight);
	}
	for (i = 0; i < r->ndisagreements; i++)
		printf("disagreement %d %d %d %lld %.17g\n", i,
		    r->disagreements[i].c, r->disagreements[i].k,
		    r->disagreements[i].count, r->disagreements[i].share);
	for (i = 0; i < r->nlabelers; i++) {
		const struct agree_labeler *l = &r->labelers[i];

		printf("labeler_nlabels %d %lld\n", i, l->nlabels);
		printf("labeler_nshared %d %d\n", i, l->nshared);
		stat_line_i("labeler_agree_others", i, &l->agree_others);
		stat_line_i("labeler_kappa_mean", i, &l->kappa_mean);
		printf("labeler_ngold %d %d\n", i, l->ngold);
		stat_line_i("labeler_gold_accuracy", i, &l->gold_accuracy);
		printf("labeler_nscored %d %d\n", i, l->nscored);
		stat_line_i("labeler_hlp", i, &l->hlp);
		ci_line("labeler_hlp_ci", i, &l->hlp_ci);
	}
	stat_line("team_hlp", &r->team_hlp);
	ci_line("team_hlp_ci", -1, &r->team_hlp_ci);
	printf("team_scored %lld\nhlp_items %d\nbootstrap %d\n", r->team_scored,
	    r->hlp_items, r->bootstrap);
}

/* Read one matrix; 1 done, 0 end of input, -1 malformed. */
static int
one(struct reader *rd, const struct agree_opts *o, int ncase)
{
	long h[7], v;
	int bad = 0, i, j, rc = -1;
	int *cells = NULL, *ref = NULL, *gold = NULL;
	struct agree_input in;
	struct agree_result r;
	char *cause = NULL;

	for (i = 0; i < 7; i++)
		if (next_int(rd, &h[i], &bad) != 0)
			return i == 0 && !bad ? 0 : -1;
	if (h[0] < 0 || h[1] < 0 || h[0] > 10000000 || h[1] > 100000 ||
	    h[0] * (h[1] > 0 ? h[1] : 1) > 100000000) {
		fprintf(stderr, "agree_ref: case %d: bad matrix size\n", ncase);
		return -1;
	}
	memset(&in, 0, sizeof in);
	in.nitems = (int)h[0];
	in.nlabelers = (int)h[1];
	in.nclasses = (int)h[2];
	in.ordinal = (int)h[3];
	in.borderline = (int)h[4];
	cells = xcalloc((size_t)(h[0] * h[1] + 1), sizeof *cells);
	if (h[5])
		ref = xcalloc((size_t)h[0] + 1, sizeof *ref);
	if (h[6])
		gold = xcalloc((size_t)h[0] + 1, sizeof *gold);
	for (i = 0; i < in.nitems; i++) {
		for (j = 0; j < in.nlabelers; j++) {
			if (next_int(rd, &v, &bad) != 0)
				goto truncated;
			cells[(size_t)i * in.nlabelers + j] = (int)v;
		}
		if (ref != NULL) {
			if (next_int(rd, &v, &bad) != 0)
				goto truncated;
			ref[i] = (int)v;
		}
		if (gold != NULL) {
			if (next_int(rd, &v, &bad) != 0)
				goto truncated;
			gold[i] = (int)v;
		}
	}
	in.cells = cells;
	in.reference = ref;
	in.gold = gold;
	if (agree_compute(&in, o, &r, &cause) != 0) {
		fprintf(stderr, "agree_ref: case %d: %s\n", ncase, cause);
		free(cause);
		goto out;
	}
	printf("case %d\n", ncase);
	print_result(&r);
	printf("end\n");
	agree_result_free(&r);
	rc = 1;
	goto out;
truncated:
	fprintf(stderr, "agree_ref: case %d: %s\n", ncase,
	    bad ? "not an integer" : "truncated matrix");
out:
	free(cells);
	free(ref);
	free(gold);
	return rc;
}

int
main(int argc, char **argv)
{
	struct agree_opts o;
	struct reader rd;
	long long ll;
	double dv;
	int ch, rc, n = 0;

	agree_opts_init(&o);
	o.bootstrap = 0;
	while ((ch = getopt(argc, argv, "b:s:c:t:")) != -1) {
		switch (ch) {
		case 'b':
			if (acc_parse_int(optarg, 0, 1000000, &ll) != 0)
				goto usage;
			o.bootstrap = (int)ll;
			break;
		case 's':
			if (acc_parse_int(optarg, 0, INT64_MAX, &ll) != 0)
				goto usage;
			o.seed = (uint64_t)ll;
			break;
		case 'c':
			if (acc_parse_double(optarg, &dv) != 0)
				goto usage;
			o.confidence = dv;
			break;
		case 't':
			if (acc_parse_int(optarg, 0, 64, &ll) != 0)
				goto usage;
			o.threads = (int)ll;
			break;
		default: goto usage;
		}
	}
	if (argc - optind > 1)
		goto usage;
	rd.eof = 0;
	if (argc - optind == 1) {
		if ((rd.f = fopen(argv[optind], "r")) == NULL) {
			fprintf(stderr, "agree_ref: %s: %s\n", argv[optind],
			    strerror(errno));
			return 1;
		}
	} else
		rd.f = stdin;
	while ((rc = one(&rd, &o, n)) == 1)
		n++;
	if (rd.f != stdin)
		fclose(rd.f);
	return rc < 0 ? 1 : 0;
usage:
	fprintf(stderr,
	    "usage: agree_ref [-b replicates] [-s seed] "
	    "[-c confidence] [-t threads] [FILE]\n");
	return 2;
}
