/*
 * test_agree.c: the agreement engine against published worked examples,
 * hand-computed cases, the undefined cases, and HLP on simulated labelers
 * of known accuracy.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/agree_int.h"
#include "accord/agree.h"
#include "accord/util.h"
#include "t.h"

#define NA (-1)

static struct agree_opts
opts_nb(void)
{
	struct agree_opts o;

	agree_opts_init(&o);
	o.bootstrap = 0;
	return o;
}

/*
 * The input of nitems x nlabelers cells over nclasses classes: a nominal
 * scale, no borderline class, no reference or gold.
 */
static struct agree_input
matrix(const int *cells, int nitems, int nlabelers, int nclasses)
{
	struct agree_input in = {0};

	in.nitems = nitems;
	in.nlabelers = nlabelers;
	in.nclasses = nclasses;
	in.cells = cells;
	in.borderline = -1;
	return in;
}

/* Compute or fail the test; returns 0 when the result is usable. */
static int
compute(const struct agree_input *in, const struct agree_opts *o,
    struct agree_result *r)
{
	char *cause = NULL;

	if (agree_compute(in, o, r, &cause) != 0) {
		T_FAIL("agree_compute: %s", cause ? cause : "?");
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
 * example C: 4 observers x 12 units, values 1-5, missing values.  The paper
 * gives alpha = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval).  The
 * same matrix is Gwet's cac.raw4raters (Handbook, 4th ed.); the irrCAC
 * README prints percent agreement 0.8181818, AC1 0.77544, Fleiss
 * (generalised) 0.76117, Conger 0.76282.  Full-precision values: NLTK
 * 3.8's alpha (113/152 nominal) and a transcription of Gwet's formulas.
 */
/* clang-format off */
static const int kripp_c[12][4] = {
	{ 1, 1, NA, 1 }, { 2, 2, 3, 2 }, { 3, 3, 3, 3 }, { 3, 3, 3, 3 },
	{ 2, 2, 2, 2 }, { 1, 2, 3, 4 }, { 4, 4, 4, 4 }, { 1, 1, 2, 1 },
	{ 2, 2, 2, 2 }, { NA, 5, 5, 5 }, { NA, NA, 1, 1 }, { NA, NA, 3, NA },
};
/* clang-format on */

static void
t_krippendorff_2011_example_c(void)
{
	int cells[12 * 4], i;
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	for (i = 0; i < 48; i++)
		cells[i] = kripp_c[i / 4][i % 4] == NA
		    ? NA
		    : kripp_c[i / 4][i % 4] - 1;
	in = matrix(cells, 12, 4, 5);
	in.ordinal = 1;
	in.borderline = 2;
	if (compute(&in, &o, &r) != 0)
		return;
	T_EQ_INT(r.npairable, 11);
	T_NEAR(r.alpha_nominal.value, 0.743, 0.0005);
	T_NEAR(r.alpha_ordinal.value, 0.815, 0.0005);
	T_NEAR(r.alpha_interval.value, 0.849, 0.0005);
	T_NEAR(r.alpha_nominal.value, 113.0 / 152.0, 1e-12);
	T_NEAR(r.alpha_ordinal.value, 0.8153875037548813, 1e-12);
	T_NEAR(r.alpha_interval.value, 0.8491071428571428, 1e-12);
	T_NEAR(r.percent.value, 0.8181818, 5e-8);
	T_NEAR(r.ac1.value, 0.77544, 5e-6);
	T_NEAR(r.fleiss.value, 0.76117, 5e-6);
	T_NEAR(r.conger.value, 0.76282, 5e-6);
	T_CHECK(r.classes[2].borderline && !r.classes[1].borderline);
	agree_result_free(&r);
}

/*
 * Fleiss (1971), Table 1: 30 patients, 6 psychiatrists, 5 diagnoses;
 * kappa = .430 in the paper, 0.4302445 from R's irr::kappam.fleiss on the
 * same data (irr's `diagnoses`, also in statsmodels' tests).
 */
/* clang-format off */
static const int fleiss_diag[30][6] = {
	{ 4, 4, 4, 4, 4, 4 }, { 2, 2, 2, 5, 5, 5 }, { 2, 3, 3, 3, 3, 5 },
	{ 5, 5, 5, 5, 5, 5 }, { 2, 2, 2, 4, 4, 4 }, { 1, 1, 3, 3, 3, 3 },
	{ 3, 3, 3, 3, 5, 5 }, { 1, 1, 3, 3, 3, 4 }, { 1, 1, 4, 4, 4, 4 },
	{ 5, 5, 5, 5, 5, 5 }, { 1, 4, 4, 4, 4, 4 }, { 1, 2, 4, 4, 4, 4 },
	{ 2, 2, 2, 3, 3, 3 }, { 1, 4, 4, 4, 4, 4 }, { 2, 2, 4, 4, 4, 5 },
	{ 3, 3, 3, 3, 3, 5 }, { 1, 1, 1, 4, 5, 5 }, { 1, 1, 1, 1, 1, 2 },
	{ 2, 2, 4, 4, 4, 4 }, { 1, 3, 3, 5, 5, 5 }, { 5, 5, 5, 5, 5, 5 },
	{ 2, 4, 4, 4, 4, 4 }, { 2, 2, 4, 5, 5, 5 }, { 1, 1, 4, 4, 4, 4 },
	{ 1, 4, 4, 4, 4, 5 }, { 2, 2, 2, 2, 2, 4 }, { 1, 1, 1, 1, 5, 5 },
	{ 2, 2, 4, 4, 4, 4 }, { 1, 3, 3, 3, 3, 3 }, { 5, 5, 5, 5, 5, 5 },
};
/* clang-format on */

static void
t_fleiss_1971_table1(void)
{
	int cells[30 * 6], i;
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	for (i = 0; i < 180; i++)
		cells[i] = fleiss_diag[i / 6][i % 6] - 1;
	in = matrix(cells, 30, 6, 5);
	if (compute(&in, &o, &r) != 0)
		return;
	T_NEAR(r.fleiss.value, 0.430, 0.0005);
	T_NEAR(r.fleiss.value, 0.43024452006014074, 1e-12);
	agree_result_free(&r);
}

/*
 * Wikipedia's "Fleiss' kappa" worked example (10 subjects, 14 raters, 5
 * categories; not from Fleiss 1971): P-bar = 0.378, P-bar_e = 0.213,
 * kappa = 0.210; statsmodels' fleiss_kappa gives 0.20993070442195522.
 * Only counts per category are given, so rater j takes the j-th label.
 */
/* clang-format off */
static const int wiki_counts[10][5] = {
	{ 0, 0, 0, 0, 14 }, { 0, 2, 6, 4, 2 }, { 0, 0, 3, 5, 6 },
	{ 0, 3, 9, 2, 0 }, { 2, 2, 8, 1, 1 }, { 7, 7, 0, 0, 0 },
	{ 3, 2, 6, 3, 0 }, { 2, 5, 3, 2, 2 }, { 6, 5, 2, 1, 0 },
	{ 0, 2, 2, 3, 7 },
};
/* clang-format on */

static void
t_fleiss_wikipedia_example(void)
{
	int cells[10 * 14], i, c, n, at;
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	for (i = 0; i < 10; i++) {
		at = 0;
		for (c = 0; c < 5; c++)
			for (n = 0; n < wiki_counts[i][c]; n++)
				cells[i * 14 + at++] = c;
	}
	in = matrix(cells, 10, 14, 5);
	if (compute(&in, &o, &r) != 0)
		return;
	T_NEAR(r.percent.value, 0.378, 0.0005);
	T_NEAR(r.fleiss.value, 0.210, 0.0005);
	T_NEAR(r.fleiss.value, 0.20993070442195522, 1e-12);
	agree_result_free(&r);
}

/*
 * A 2x2 table worked by hand (Cohen 1960's definitions): 50 items, both
 * yes 20, A yes B no 5, A no B yes 10, both no 15.  p_o = 35/50 = 0.7;
 * A says yes 25/50, B 30/50, p_c = .5 x .6 + .5 x .4 = 0.5; kappa = 0.4.
 * Scott/Fleiss: p_yes = 55/100, P_e = .55^2 + .45^2 = .505, kappa =
 * .195/.495 = 13/33.  AC1: P_e = 2 x .55 x .45 / 1 = .495, (.7 - .495) /
 * .505 = 41/101.  Alpha: n = 100, o_yn = 15, 1 - 99 x 15 / (55 x 45) =
 * 0.4.  Specific agreement: yes 40/55, no 30/45.
 */
static void
t_cohen_2x2_by_hand(void)
{
	int cells[50 * 2], i;
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	for (i = 0; i < 50; i++) {
		cells[2 * i] = i < 25 ? 0 : 1;
		cells[2 * i + 1] = i < 20 ? 0 : i < 25 ? 1 : i < 35 ? 0 : 1;
	}
	in = matrix(cells, 50, 2, 2);
	if (compute(&in, &o, &r) != 0)
		return;
	T_EQ_INT(r.npairs, 1);
	T_EQ_INT(r.pairs[0].nshared, 50);
	T_NEAR(r.pairs[0].observed, 0.7, 1e-15);
	T_NEAR(r.pairs[0].expected, 0.5, 1e-15);
	T_NEAR(r.pairs[0].kappa.value, 0.4, 1e-15);
	T_NEAR(r.cohen_mean.value, 0.4, 1e-15);
	T_NEAR(r.conger.value, 0.4, 1e-15);
	T_NEAR(r.fleiss.value, 13.0 / 33.0, 1e-15);
	T_NEAR(r.ac1.value, 41.0 / 101.0, 1e-15);
	T_NEAR(r.alpha_nominal.value, 0.4, 1e-15);
	T_NEAR(r.percent.value, 0.7, 1e-15);
	T_NEAR(r.classes[0].specific.value, 40.0 / 55.0, 1e-15);
	T_NEAR(r.classes[1].specific.value, 30.0 / 45.0, 1e-15);
	/* Pooled confusion: diagonal twice the agreeing pairs. */
	T_EQ_INT(r.confusion[0], 40);
	T_EQ_INT(r.confusion[1], 15);
	T_EQ_INT(r.confusion[2], 15);
	T_EQ_INT(r.confusion[3], 30);
	T_EQ_INT(r.ndisagreements, 1);
	T_EQ_INT(r.disagreements[0].count, 15);
	T_NEAR(r.disagreements[0].share, 1.0, 0);
	T_NEAR(r.labelers[0].agree_others.value, 0.7, 1e-15);
	agree_result_free(&r);
}

static void
t_undefined_one_class_only(void)
{
	int cells[] = {1, 1, 1, 1, 1, NA, NA, 1};
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	in = matrix(cells, 4, 2, 3);
	in.ordinal = 1;
	in.borderline = 1;
	if (compute(&in, &o, &r) != 0)
		return;
	T_CHECK(!r.fleiss.defined);
	T_EQ_STR(r.fleiss.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.conger.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.alpha_nominal.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.alpha_ordinal.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.alpha_interval.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.pairs[0].kappa.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.cohen_mean.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.labelers[0].kappa_mean.why, AGREE_WHY_ONE_CLASS);
	T_EQ_STR(r.classes[0].specific.why, AGREE_WHY_CLASS_UNUSED);
	/* Agreement itself is perfect, and AC1's chance term is 0. */
	T_CHECK(r.percent.defined && r.percent.value == 1);
	T_CHECK(r.ac1.defined && r.ac1.value == 1);
	T_CHECK(
	    r.classes[1].specific.defined && r.classes[1].specific.value == 1);
	T_CHECK(r.team_hlp.defined && r.team_hlp.value == 1);
	agree_result_free(&r);
}

static void
t_undefined_one_labeler(void)
{
	int cells[] = {0, 1, 1, NA};
	int gold[] = {0, 0, -1, -1};
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	in = matrix(cells, 4, 1, 2);
	if (compute(&in, &o, &r) != 0)
		return;
	T_EQ_INT(r.npairs, 0);
	T_EQ_STR(r.percent.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.fleiss.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.ac1.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.alpha_nominal.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.alpha_ordinal.why, AGREE_WHY_NOMINAL);
	T_EQ_STR(r.cohen_mean.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.team_hlp.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.labelers[0].agree_others.why, AGREE_WHY_ONE_LABELER);
	T_EQ_STR(r.labelers[0].gold_accuracy.why, AGREE_WHY_NO_GOLD);
	agree_result_free(&r);

	/* With gold, one labeler still has an accuracy and an HLP. */
	in.gold = gold;
	if (compute(&in, &o, &r) != 0)
		return;
	T_NEAR(r.labelers[0].gold_accuracy.value, 0.5, 0);
	T_EQ_INT(r.labelers[0].ngold, 2);
	T_NEAR(r.labelers[0].hlp.value, 0.5, 0);
	T_EQ_STR(r.percent.why, AGREE_WHY_ONE_LABELER);
	agree_result_free(&r);
}

static void
t_undefined_no_item_with_two_labels(void)
{
	int cells[] = {0, NA, 1, NA, NA, 0, NA, 1, NA, NA};
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	in = matrix(cells, 5, 2, 2);
	if (compute(&in, &o, &r) != 0)
		return;
	T_EQ_INT(r.nactive, 2);
	T_EQ_INT(r.npairable, 0);
	T_EQ_INT(r.nlabeled, 4);
	T_EQ_STR(r.percent.why, AGREE_WHY_NO_PAIRS);
	T_EQ_STR(r.fleiss.why, AGREE_WHY_NO_PAIRS);
	T_EQ_STR(r.alpha_nominal.why, AGREE_WHY_NO_PAIRS);
	T_EQ_STR(r.cohen_mean.why, AGREE_WHY_NO_PAIRS);
	T_EQ_STR(r.pairs[0].kappa.why, AGREE_WHY_NO_SHARED);
	T_EQ_STR(r.classes[0].specific.why, AGREE_WHY_NO_PAIRS);
	T_EQ_STR(r.team_hlp.why, AGREE_WHY_NO_REFERENCE);
	T_EQ_STR(r.team_hlp_ci.why, AGREE_WHY_NO_REFERENCE);
	T_EQ_STR(r.labelers[1].agree_others.why, AGREE_WHY_NO_SHARED);
	T_EQ_INT(r.ndisagreements, 0);
	agree_result_free(&r);
}

static void
t_undefined_empty_matrix(void)
{
	struct agree_input in = {0};
	struct agree_result r;

	in.nclasses = 3;
	in.borderline = -1;
	if (compute(&in, NULL, &r) != 0)
		return;
	T_EQ_STR(r.percent.why, AGREE_WHY_NO_LABELS);
	T_EQ_STR(r.fleiss.why, AGREE_WHY_NO_LABELS);
	T_EQ_STR(r.team_hlp.why, AGREE_WHY_NO_LABELS);
	T_EQ_INT(r.npairs, 0);
	T_EQ_INT(r.bootstrap, 0);
	agree_result_free(&r);

	/* Items but no labelers: no matrix to read. */
	in.nitems = 4;
	if (compute(&in, NULL, &r) != 0)
		return;
	T_EQ_INT(r.nlabeled, 0);
	T_EQ_STR(r.ac1.why, AGREE_WHY_NO_LABELS);
	agree_result_free(&r);
}

static void
t_bad_input_is_an_error(void)
{
	int cells[] = {0, 3};
	int ok[] = {0, 2};
	int ref[] = {5};
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;
	char *cause = NULL;

	in = matrix(cells, 1, 2, 3);
	T_EQ_INT(agree_compute(&in, &o, &r, &cause), -1);
	T_EQ_STR(cause, "item 0, labeler 1: class 3 out of range");
	free(cause);
	cause = NULL;
	in.cells = ok;
	in.reference = ref;
	T_EQ_INT(agree_compute(&in, &o, &r, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "reference") != NULL);
	free(cause);
	cause = NULL;
	in.reference = NULL;
	in.ordinal = 1;
	in.borderline = 2;
	T_EQ_INT(agree_compute(&in, &o, &r, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "borderline") != NULL);
	free(cause);
	cause = NULL;
	in.borderline = 1;
	o.confidence = 1;
	T_EQ_INT(agree_compute(&in, &o, &r, &cause), -1);
	free(cause);
	cause = NULL;
	o.confidence = 0.95;
	T_EQ_INT(agree_compute(&in, &o, &r, &cause), 0);
	agree_result_free(&r);
}

/*
 * HLP by hand.  Item 0 says (0, 0, 1): labelers 0 and 1 each find one of
 * their two others agreeing (1/2), labeler 2 none (0); the item's HLP is
 * 1/3.  Item 1 says (0, 1, 2): 0 for everyone.  Item 2 has reference 2
 * and says (2, 2, 1): 1, 1, 0.  Item 3 has only labeler 0's label:
 * unscored.  Per class, a random label of an item is the reference: item
 * 0 weighs class 0 2/3 (agreed with 1/2: credit 1/3) and class 1 1/3
 * (credit 0); item 1 each class 1/3, credit 0; item 2 class 2 1, credit
 * 2/3.
 */
static void
t_hlp_pairwise_by_hand(void)
{
	int cells[] = {0, 0, 1, 0, 1, 2, 2, 2, 1, 1, NA, NA};
	int ref[] = {-1, -1, 2, -1};
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	in = matrix(cells, 4, 3, 3);
	in.reference = ref;
	if (compute(&in, &o, &r) != 0)
		return;
	T_EQ_INT(r.labelers[0].nscored, 3);
	T_NEAR(r.labelers[0].hlp.value, (0.5 + 0 + 1) / 3, 1e-15);
	T_NEAR(r.labelers[1].hlp.value, (0.5 + 0 + 1) / 3, 1e-15);
	T_NEAR(r.labelers[2].hlp.value, 0.0, 0);
	T_EQ_INT(r.team_scored, 9);
	T_NEAR(r.team_hlp.value, (1.0 / 3 + 0 + 2.0 / 3) / 3, 1e-15);
	T_EQ_INT(r.hlp_items, 3);
	T_NEAR(r.classes[0].hlp_weight, 1, 1e-12);
	T_NEAR(r.classes[1].hlp_weight, 2.0 / 3, 1e-12);
	T_NEAR(r.classes[2].hlp_weight, 4.0 / 3, 1e-12);
	T_NEAR(r.classes[0].hlp.value, 1.0 / 3, 1e-12);
	T_NEAR(r.classes[1].hlp.value, 0, 0);
	T_NEAR(r.classes[2].hlp.value, 0.5, 1e-12);
	agree_result_free(&r);
}

/* A seeded generator for the simulations (splitmix64). */
static uint64_t sim_state;

static double
sim_uniform(void)
{
	uint64_t z = (sim_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/*
 * A project with known truth: 3 classes, 3000 items, labelers of accuracy
 * 0.95, 0.85 and 0.75 and four of 0.97; errors pick another class
 * uniformly; 10% of cells are missing.
 */
#define SIM_ITEMS 3000
#define SIM_LABELERS 7
static const double sim_acc[SIM_LABELERS] = {
    0.95, 0.85, 0.75, 0.97, 0.97, 0.97, 0.97};

static void
simulate(int *cells, int *truth, uint64_t seed)
{
	int i, j, t;

	sim_state = seed;
	for (i = 0; i < SIM_ITEMS; i++) {
		t = truth[i] = (int)(sim_uniform() * 3);
		for (j = 0; j < SIM_LABELERS; j++) {
			int *c = &cells[i * SIM_LABELERS + j];

			if (sim_uniform() < 0.10)
				*c = NA;
			else if (sim_uniform() < sim_acc[j])
				*c = t;
			else
				*c = (t + 1 + (int)(sim_uniform() * 2)) % 3;
		}
	}
}

/* P(two labelers of accuracies a and b agree), 3 classes, uniform errors. */
static double
sim_agree(double a, double b)
{
	return a * b + (1 - a) * (1 - b) / 2;
}

/*
 * HLP is agreement with another person: labeler j's HLP estimates the
 * mean over the others o of P(j and o agree) (cells are missing at
 * random, so every other is equally likely to share an item), and the
 * team's the mean over all pairs.  Each must lie in its interval.
 */
static void
t_hlp_estimates_pairwise_agreement(void)
{
	static int cells[SIM_ITEMS * SIM_LABELERS], truth[SIM_ITEMS];
	struct agree_input in;
	struct agree_opts o;
	struct agree_result r;
	double want, team = 0;
	int j, h;

	simulate(cells, truth, 20240611);
	agree_opts_init(&o);
	o.bootstrap = 1000;
	o.seed = 7;
	in = matrix(cells, SIM_ITEMS, SIM_LABELERS, 3);
	if (compute(&in, &o, &r) != 0)
		return;
	for (j = 0; j < SIM_LABELERS; j++) {
		const struct agree_labeler *l = &r.labelers[j];

		want = 0;
		for (h = 0; h < SIM_LABELERS; h++)
			if (h != j) {
				want += sim_agree(sim_acc[j], sim_acc[h]) /
				    (SIM_LABELERS - 1);
				team += sim_agree(sim_acc[j], sim_acc[h]) /
				    (SIM_LABELERS * (SIM_LABELERS - 1));
			}
		T_CHECK(l->hlp_ci.defined);
		if (!(l->hlp_ci.lo <= want && want <= l->hlp_ci.hi))
			T_FAIL("labeler %d: expected agreement %.4f outside "
			       "HLP interval [%.4f, %.4f] (HLP %.4f)",
			    j, want, l->hlp_ci.lo, l->hlp_ci.hi, l->hlp.value);
		/* An interval over ~2700 items is about +-0.015 wide. */
		T_CHECK(l->hlp_ci.hi - l->hlp_ci.lo < 0.05);
		T_CHECK(l->hlp_ci.lo <= l->hlp.value &&
		    l->hlp.value <= l->hlp_ci.hi);
	}
	T_CHECK(r.team_hlp_ci.defined);
	if (!(r.team_hlp_ci.lo <= team && team <= r.team_hlp_ci.hi))
		T_FAIL("team: expected agreement %.4f outside [%.4f, %.4f]",
		    team, r.team_hlp_ci.lo, r.team_hlp_ci.hi);
	T_EQ_INT(r.bootstrap, 1000);
	agree_result_free(&r);

	/* With gold on every item, HLP is exactly the accuracy on gold. */
	in.gold = truth;
	o.bootstrap = 0;
	if (compute(&in, &o, &r) != 0)
		return;
	for (j = 0; j < SIM_LABELERS; j++) {
		T_CHECK(r.labelers[j].gold_accuracy.defined);
		T_NEAR(r.labelers[j].hlp.value,
		    r.labelers[j].gold_accuracy.value, 0);
		T_NEAR(r.labelers[j].gold_accuracy.value, sim_acc[j], 0.02);
	}
	T_EQ_STR(r.labelers[0].hlp_ci.why, AGREE_WHY_NO_BOOTSTRAP);
	agree_result_free(&r);
}

/*
 * n items, each labeled by m of L exchangeable labelers of accuracy acc
 * (3 classes, equally likely; an error picks another class uniformly),
 * into cells (n x L, caller's).
 */
static void
sim_exchangeable(int *cells, int n, int L, int m, double acc)
{
	int i, j, t, left, placed;

	for (i = 0; i < n; i++) {
		t = (int)(sim_uniform() * 3);
		/* m of the L labelers, by selection sampling */
		placed = 0;
		for (j = 0; j < L; j++) {
			int *c = &cells[i * L + j];

			left = L - j;
			*c = NA;
			if (sim_uniform() * left >= m - placed)
				continue;
			placed++;
			*c = sim_uniform() < acc ? t :
			    (t + 1 + (int)(sim_uniform() * 2)) % 3;
		}
	}
}

/*
 * Coverage of the intervals by simulation, with known truth: R data sets
 * of n items, m labels each from L = 7 exchangeable labelers of accuracy
 * acc; the share of the 95% intervals holding the true value, for team
 * HLP (the probability that two labelers agree, P = a^2 + (1 - a)^2 / 2)
 * and for Fleiss' kappa, AC1 and nominal alpha (with three equally likely
 * classes all three have the population value (P - 1/3) / (1 - 1/3)).
 * An interval that is withheld counts as a miss.  Each coverage must lie
 * within 0.035 of 0.95 (three standard errors of a share over 400 data
 * sets, 0.011 each); and the mean HLP over the data sets must be the true
 * value whatever m, within three of its standard errors.
 * docs/statistics.md reports these figures (COVERAGE_PRINT=1 prints
 * them).
 */
struct cov_case {
	int n, m;
	double acc;
};

static void
coverage_run(const struct cov_case *cc, int R, double *hlp_cov,
    double cov[3], double *hlp_mean, double *hlp_sd)
{
	int L = 7, *cells = xcalloc((size_t)cc->n * L, sizeof *cells);
	double p = cc->acc * cc->acc + (1 - cc->acc) * (1 - cc->acc) / 2;
	double kappa = (p - 1.0 / 3) / (1 - 1.0 / 3), sum = 0, sum2 = 0;
	int rep, hin = 0, kin[3] = { 0, 0, 0 }, x;
	struct agree_opts o;
	struct agree_result r;
	struct agree_input in;
	char *cause = NULL;

	agree_opts_init(&o);
	o.bootstrap = 1000;
	o.threads = 1;
	for (rep = 0; rep < R; rep++) {
		sim_exchangeable(cells, cc->n, L, cc->m, cc->acc);
		o.seed = (uint64_t)rep + 1;
		in = matrix(cells, cc->n, L, 3);
		if (agree_compute(&in, &o, &r, &cause) != 0) {
			T_FAIL("agree_compute: %s", cause);
			free(cause);
			break;
		}
		sum += r.team_hlp.value;
		sum2 += r.team_hlp.value * r.team_hlp.value;
		hin += r.team_hlp_ci.defined && r.team_hlp_ci.lo <= p &&
		    p <= r.team_hlp_ci.hi;
		for (x = 0; x < 3; x++) {
			const struct agree_ci *ci = x == 0 ? &r.fleiss_ci :
			    x == 1 ? &r.ac1_ci : &r.alpha_nominal_ci;

			kin[x] += ci->defined && ci->lo <= kappa &&
			    kappa <= ci->hi;
		}
		agree_result_free(&r);
	}
	*hlp_cov = (double)hin / R;
	for (x = 0; x < 3; x++)
		cov[x] = (double)kin[x] / R;
	*hlp_mean = sum / R;
	*hlp_sd = sqrt(sum2 / R - *hlp_mean * *hlp_mean);
	free(cells);
}

static void
t_intervals_cover_by_simulation(void)
{
	static const struct cov_case cases[] = {
		{ 40, 2, 0.65 }, { 40, 2, 0.99 }, { 1000, 2, 0.65 },
		{ 1000, 2, 0.99 }, { 40, 7, 0.65 }, { 40, 7, 0.99 },
		{ 1000, 7, 0.65 },
	};
	int R = 400;
	size_t c;

	sim_state = 31337;
	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const struct cov_case *cc = &cases[c];
		double p = cc->acc * cc->acc + (1 - cc->acc) * (1 - cc->acc) / 2;
		double hc, kc[3], mean, sd;
		int x;

		coverage_run(cc, R, &hc, kc, &mean, &sd);
		if (getenv("COVERAGE_PRINT"))
			printf("# n %d m %d acc %.2f: HLP %.4f (true %.4f, sd "
			       "%.4f) coverage HLP %.3f fleiss %.3f ac1 %.3f "
			       "alpha %.3f\n",
			    cc->n, cc->m, cc->acc, mean, p, sd, hc, kc[0],
			    kc[1], kc[2]);
		if (fabs(hc - 0.95) > 0.035)
			T_FAIL("n %d, m %d, acc %.2f: HLP interval coverage "
			       "%.3f", cc->n, cc->m, cc->acc, hc);
		for (x = 0; x < 3; x++)
			if (fabs(kc[x] - 0.95) > 0.035)
				T_FAIL("n %d, m %d, acc %.2f: %s interval "
				       "coverage %.3f", cc->n, cc->m, cc->acc,
				    x == 0 ? "fleiss" : x == 1 ? "ac1" :
				    "alpha", kc[x]);
		if (fabs(mean - p) > 3 * sd / sqrt(R))
			T_FAIL("n %d, m %d, acc %.2f: mean HLP %.4f, true "
			       "%.4f", cc->n, cc->m, cc->acc, mean, p);
	}
}

static void
t_bootstrap_deterministic_by_seed(void)
{
	static int cells[SIM_ITEMS * SIM_LABELERS], truth[SIM_ITEMS];
	struct agree_input in;
	struct agree_opts o;
	struct agree_result a, b, c;
	int j;

	simulate(cells, truth, 99);
	agree_opts_init(&o);
	o.bootstrap = 300;
	o.seed = 12345;
	o.threads = 1;
	in = matrix(cells, SIM_ITEMS, SIM_LABELERS, 3);
	if (compute(&in, &o, &a) != 0)
		return;
	/* Same seed on more threads: the same intervals, bit for bit. */
	o.threads = 3;
	if (compute(&in, &o, &b) != 0) {
		agree_result_free(&a);
		return;
	}
	o.seed = 12346;
	if (compute(&in, &o, &c) != 0) {
		agree_result_free(&a);
		agree_result_free(&b);
		return;
	}
	T_CHECK(a.team_hlp_ci.lo == b.team_hlp_ci.lo);
	T_CHECK(a.team_hlp_ci.hi == b.team_hlp_ci.hi);
	for (j = 0; j < SIM_LABELERS; j++) {
		T_CHECK(a.labelers[j].hlp_ci.lo == b.labelers[j].hlp_ci.lo);
		T_CHECK(a.labelers[j].hlp_ci.hi == b.labelers[j].hlp_ci.hi);
	}
	T_CHECK(a.team_hlp_ci.lo != c.team_hlp_ci.lo ||
	    a.team_hlp_ci.hi != c.team_hlp_ci.hi);
	agree_result_free(&a);
	agree_result_free(&b);
	agree_result_free(&c);
}

/*
 * A seeded matrix of n items: each labeled by m of L labelers (m = L:
 * all), chosen at random; labeler j right with probability 0.6 + 0.3 j /
 * L about a latent class of 3, else one of the other two.  Caller frees.
 */
static int *
team_cells(int n, int L, int m, uint64_t seed)
{
	int *cells = xcalloc((size_t)n * L + 1, sizeof *cells);
	uint64_t x = seed;
	int i, j, k, c;

	for (i = 0; i < n * L; i++)
		cells[i] = NA;
	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		c = (int)(x >> 33) % 3;
		for (k = 0; k < m; k++) {
			do {
				x = x * 6364136223846793005ULL +
				    1442695040888963407ULL;
				j = m == L ? k : (int)((x >> 33) % (uint64_t)L);
			} while (cells[(size_t)i * L + j] != NA);
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			cells[(size_t)i * L + j] = (x >> 33) % 1000 <
			    (uint64_t)(600 + 300 * j / L) ? c :
			    (c + 1 + (int)((x >> 40) & 1)) % 3;
		}
	}
	return cells;
}

/*
 * The intervals of a given seed are part of the output: these are the
 * BCa intervals of the bootstrap drawing each replicate's counts per
 * pattern as binomials (tests/reference/agree_vs_python.sh replays both
 * in Python), pinned when HLP became pairwise (December 2026),
 * on a matrix of few judgement patterns, most drawn as binomials, and
 * one of more than 4,096, most of them small and drawn item by item
 * (each item's labelers drawn from 60).  They changed from the draws of
 * single items with it: same distribution, another stream.
 */
static void
t_bootstrap_intervals_pinned(void)
{
	static const struct {
		int n, L, m;
		double lo, hi, lab_lo, lab_hi;
	} want[] = {
		{ 3000, 4, 4, 0.54030003842137464, 0.56033333333333335,
		    0.53179712293761228, 0.5558771577821614 },
		{ 9000, 60, 3, 0.58654990088937309, 0.59990728151398176,
		    0.4744898662616584, 0.54993525237820229 },
	};
	struct agree_opts o;
	struct agree_result r;
	size_t t;

	agree_opts_init(&o);
	o.bootstrap = 200;
	o.seed = 7;
	for (t = 0; t < sizeof want / sizeof want[0]; t++) {
		int *cells = team_cells(want[t].n, want[t].L, want[t].m, 42);
		struct agree_input in = matrix(cells, want[t].n, want[t].L, 3);

		if (compute(&in, &o, &r) == 0) {
			T_CHECK(r.team_hlp_ci.lo == want[t].lo);
			T_CHECK(r.team_hlp_ci.hi == want[t].hi);
			T_CHECK(r.labelers[1].hlp_ci.lo == want[t].lab_lo);
			T_CHECK(r.labelers[1].hlp_ci.hi == want[t].lab_hi);
			agree_result_free(&r);
		}
		free(cells);
	}
}

/*
 * The upper 1e-4 point of chi-square with df degrees of freedom, by
 * Wilson and Hilferty's cube-root normal approximation (1931), within a
 * percent of the exact point from df = 3 on.
 */
static double
chi2_crit(int df)
{
	double v = 2.0 / (9.0 * df), z = 3.719;

	return df * pow(1 - v + z * sqrt(v), 3);
}

/* log P(X = k) for X ~ Bin(n, p), 0 < p < 1. */
static double
binomial_logpmf(uint32_t n, double p, uint32_t k)
{
	return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) +
	    k * log(p) + (n - k) * log1p(-p);
}

/*
 * agree_binomial against the exact binomial law: a chi-square test of
 * 100,000 variates per (n, p), cells merged until each expects 5 or
 * more, and their mean and variance.  The cases cover inversion (n p <
 * 10) with n small and n = 10^6, BTRD from its threshold n p = 10 up to
 * n p = 370,000, and p above 1/2, where both draw n - Bin(n, 1 - p).
 * Seeded, so the verdict is the same on every run; a sampler off by one
 * of BTRD's constants fails it (checked by hand).
 */
static void
t_binomial_exact_law(void)
{
	static const struct {
		uint32_t n;
		double p;
	} cs[] = {
		{ 1, 0.3 }, { 7, 0.2 }, { 40, 0.2 }, { 25, 0.4 },
		{ 100, 0.35 }, { 1000000, 0.000003 }, { 1000000, 0.37 },
		{ 2000, 0.93 }, { 60, 0.97 }, { 3000, 0.5 },
	};
	enum { S = 100000 };
	size_t c;

	for (c = 0; c < sizeof cs / sizeof cs[0]; c++) {
		uint32_t n = cs[c].n, lo, hi, k, i;
		double p = cs[c].p, mu = n * p, sd = sqrt(mu * (1 - p));
		double o, e, chi2 = 0, sum = 0, sum2 = 0, var, *bo, *be;
		uint32_t *obs;
		struct agree_rng r;
		int bins = 0;

		/* Beyond 12 sd the law holds less than 1e-30: one cell each. */
		lo = mu - 12 * sd - 12 > 0 ? (uint32_t)(mu - 12 * sd - 12) : 0;
		hi = mu + 12 * sd + 12 < n ? (uint32_t)(mu + 12 * sd + 12) : n;
		obs = xcalloc(hi - lo + 1, sizeof *obs);
		agree_rng_seed(&r, 2024 + c, 0);
		for (i = 0; i < S; i++) {
			k = agree_binomial(&r, n, p);
			if (k > n) {
				T_FAIL("Bin(%u, %g) gave %u", n, p, k);
				break;
			}
			sum += k;
			sum2 += (double)k * k;
			obs[(k < lo ? lo : k > hi ? hi : k) - lo]++;
		}
		/* Cells in place of obs: bo[], be[]; a small last one joins. */
		bo = xcalloc(hi - lo + 1, sizeof *bo);
		be = xcalloc(hi - lo + 1, sizeof *be);
		for (k = lo, o = e = 0; k <= hi; k++) {
			o += obs[k - lo];
			e += S * exp(binomial_logpmf(n, p, k));
			if (e >= 5 || k == hi) {
				if (e < 5 && bins > 0)
					bins--;
				else
					bo[bins] = be[bins] = 0;
				bo[bins] += o;
				be[bins] += e;
				bins++;
				o = e = 0;
			}
		}
		for (i = 0; i < (uint32_t)bins; i++)
			chi2 += (bo[i] - be[i]) * (bo[i] - be[i]) / be[i];
		free(obs);
		free(bo);
		free(be);
		var = (sum2 - sum * sum / S) / (S - 1);
		if (bins >= 2 && chi2 > chi2_crit(bins - 1))
			T_FAIL("Bin(%u, %g): chi-square %.1f on %d df, above "
			       "%.1f", n, p, chi2, bins - 1, chi2_crit(bins - 1));
		if (fabs(sum / S - mu) > 5 * sd / sqrt(S))
			T_FAIL("Bin(%u, %g): mean %.4f, not %.4f", n, p, sum / S,
			    mu);
		/* Var(s^2) ~ (mu4 - sd^4) / S, mu4 = npq (1 + 3 (n - 2) pq). */
		if (fabs(var - sd * sd) > 5 * sqrt((sd * sd * (1 + 3 * (n - 2.0) *
		    p * (1 - p)) - pow(sd, 4)) / S))
			T_FAIL("Bin(%u, %g): variance %.4f, not %.4f", n, p,
			    var, sd * sd);
	}
}

/*
 * A replicate's counts per pattern (agree_resample_draw) are multinomial
 * (N; count / N): over 20,000 replicates each count's mean is N p and
 * its variance N p (1 - p), and two counts covary by -N p q, on patterns
 * drawn as binomials (48 items or more) and one item at a time (fewer),
 * with and without a guide table.  Every replicate draws N in all.
 */
static void
t_resample_is_multinomial(void)
{
	static const uint32_t few[] = { 5000, 3000, 1200, 400, 60, 48, 47,
		16, 15, 9, 3, 1, 1, 2, 7, 1 };
	enum { R = 20000, MANY = 5000 };
	uint32_t *many = xcalloc(MANY, sizeof *many), i;
	int t;

	/* The second set: 4,998 small patterns (no guide table), 2 large. */
	for (i = 0; i < MANY; i++)
		many[i] = 1 + i % 3;
	many[7] = 900;
	many[4000] = 60;
	for (t = 0; t < 2; t++) {
		const uint32_t *count = t == 0 ? few : many;
		uint32_t np = t == 0 ? sizeof few / sizeof few[0] : MANY;
		struct agree_resample rs;
		struct agree_rng r;
		uint32_t *hist, a, b, rep, p;
		double *s1 = xcalloc(np, sizeof *s1);
		double *s2 = xcalloc(np, sizeof *s2), sab = 0, n, pa, pb, cov;
		uint64_t tot;

		agree_resample_init(&rs, count, np);
		T_CHECK(rs.nbig == (t == 0 ? 6 : 2));
		T_CHECK((rs.guide != NULL) == (t == 0));
		n = rs.nitems;
		/* The largest pattern and a small one. */
		a = t == 0 ? 0 : 7;
		b = t == 0 ? 7 : 1;
		hist = xcalloc(rs.nhist, sizeof *hist);
		for (rep = 0; rep < R; rep++) {
			agree_rng_seed(&r, 99, rep);
			agree_resample_draw(&rs, &r, hist);
			for (p = 0, tot = 0; p < np; p++) {
				tot += hist[p];
				s1[p] += hist[p];
				s2[p] += (double)hist[p] * hist[p];
			}
			sab += (double)hist[a] * hist[b];
			if (tot != rs.nitems) {
				T_FAIL("replicate %u drew %llu items of %u", rep,
				    (unsigned long long)tot, rs.nitems);
				break;
			}
		}
		for (p = 0; p < np; p++) {
			double pr = count[p] / n, mu = n * pr, v = mu * (1 - pr);
			double m = s1[p] / R, var = (s2[p] - s1[p] * m) / (R - 1);
			double mu4 = v * (1 + 3 * (n - 2) * pr * (1 - pr));

			if (fabs(m - mu) > 5 * sqrt(v / R))
				T_FAIL("set %d, pattern %u: mean %.4f, not %.4f",
				    t, p, m, mu);
			if (fabs(var - v) > 5 * sqrt((mu4 - v * v) / R))
				T_FAIL("set %d, pattern %u: variance %.4f, not "
				       "%.4f", t, p, var, v);
		}
		pa = count[a] / n;
		pb = count[b] / n;
		cov = (sab - s1[a] * s1[b] / R) / (R - 1);
		if (fabs(cov + n * pa * pb) > 5 * sqrt((n * pa * (1 - pa) * n *
		    pb * (1 - pb) + n * pa * pb * n * pa * pb) / R))
			T_FAIL("set %d: covariance %.4f, not %.4f", t, cov,
			    -n * pa * pb);
		free(hist);
		free(s1);
		free(s2);
		agree_resample_free(&rs);
	}
	free(many);
}

/*
 * The labels by item give exactly what the dense matrix gives; labels
 * by item out of order or out of range are an error.
 */
static void
t_by_item_equals_dense(void)
{
	int n = 2000, L = 30, *cells = team_cells(n, L, 3, 5);
	int *start = xcalloc((size_t)n + 1, sizeof *start);
	int *lab = xcalloc((size_t)n * 3 + 1, sizeof *lab);
	int *cls = xcalloc((size_t)n * 3 + 1, sizeof *cls);
	struct agree_input d = matrix(cells, n, L, 3), s = d;
	struct agree_opts o;
	struct agree_result a, b;
	char *cause = NULL;
	int i, j, x = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < L; j++)
			if (cells[i * L + j] != NA) {
				lab[x] = j;
				cls[x++] = cells[i * L + j];
			}
		start[i + 1] = x;
	}
	s.cells = NULL;
	s.start = start;
	s.lab = lab;
	s.cls = cls;
	agree_opts_init(&o);
	o.bootstrap = 50;
	if (compute(&d, &o, &a) == 0 && compute(&s, &o, &b) == 0) {
		T_CHECK(a.fleiss.value == b.fleiss.value);
		T_CHECK(a.alpha_ordinal.value == b.alpha_ordinal.value);
		T_CHECK(a.ac1.value == b.ac1.value);
		T_EQ_INT(a.npairs, b.npairs);
		T_CHECK(memcmp(a.pairs, b.pairs, (size_t)a.npairs *
		    sizeof *a.pairs) == 0);
		T_CHECK(a.team_hlp_ci.lo == b.team_hlp_ci.lo);
		T_CHECK(a.team_hlp_ci.hi == b.team_hlp_ci.hi);
		agree_result_free(&a);
		agree_result_free(&b);
	}
	/* Item 0's labelers swapped: out of order. */
	j = lab[0];
	lab[0] = lab[1];
	lab[1] = j;
	T_EQ_INT(agree_compute(&s, &o, &a, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "out of order") != NULL);
	free(cause);
	cause = NULL;
	lab[1] = lab[0];
	lab[0] = j;
	cls[2] = 3;
	T_EQ_INT(agree_compute(&s, &o, &a, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "out of range") != NULL);
	free(cause);
	free(cells);
	free(start);
	free(lab);
	free(cls);
}

/* A labeler with two scored items cannot get an interval. */
static void
t_bootstrap_withholds_interval_on_few_items(void)
{
	enum { N = 200 };
	static int cells[N * 3];
	struct agree_input in;
	struct agree_opts o;
	struct agree_result r;
	int i;

	for (i = 0; i < N; i++) {
		cells[i * 3] = i % 2;
		cells[i * 3 + 1] = i % 3 == 0 ? 0 : i % 2;
		cells[i * 3 + 2] = i < 2 ? i % 2 : NA;
	}
	agree_opts_init(&o);
	o.bootstrap = 200;
	in = matrix(cells, N, 3, 2);
	if (compute(&in, &o, &r) != 0)
		return;
	T_CHECK(r.labelers[0].hlp_ci.defined);
	T_CHECK(r.labelers[2].hlp.defined);
	T_EQ_STR(r.labelers[2].hlp_ci.why, AGREE_WHY_FEW_ITEMS);
	agree_result_free(&r);
}

/* The disagreement pairs come most frequent first, with shares. */
static void
t_disagreement_pairs_sorted(void)
{
	/* Pairs per item: (0,1), (1,2), (1,2), (0,2), (1,2). */
	int cells[] = {0, 1, 1, 2, 1, 2, 0, 2, 2, 1};
	struct agree_input in;
	struct agree_opts o = opts_nb();
	struct agree_result r;

	in = matrix(cells, 5, 2, 3);
	in.borderline = 1;
	in.ordinal = 1;
	if (compute(&in, &o, &r) != 0)
		return;
	T_EQ_INT(r.ndisagreements, 3);
	T_EQ_INT(r.disagreements[0].c, 1);
	T_EQ_INT(r.disagreements[0].k, 2);
	T_EQ_INT(r.disagreements[0].count, 3);
	T_NEAR(r.disagreements[0].share, 0.6, 1e-15);
	T_EQ_INT(r.disagreements[1].c, 0);
	T_EQ_INT(r.disagreements[1].k, 1);
	T_EQ_INT(r.disagreements[2].c, 0);
	T_EQ_INT(r.disagreements[2].k, 2);
	T_NEAR(r.percent.value, 0, 0);
	agree_result_free(&r);
}

int
main(void)
{
	T_RUN(t_krippendorff_2011_example_c);
	T_RUN(t_fleiss_1971_table1);
	T_RUN(t_fleiss_wikipedia_example);
	T_RUN(t_cohen_2x2_by_hand);
	T_RUN(t_undefined_one_class_only);
	T_RUN(t_undefined_one_labeler);
	T_RUN(t_undefined_no_item_with_two_labels);
	T_RUN(t_undefined_empty_matrix);
	T_RUN(t_bad_input_is_an_error);
	T_RUN(t_hlp_pairwise_by_hand);
	T_RUN(t_hlp_estimates_pairwise_agreement);
	T_RUN(t_intervals_cover_by_simulation);
	T_RUN(t_bootstrap_deterministic_by_seed);
	T_RUN(t_bootstrap_intervals_pinned);
	T_RUN(t_binomial_exact_law);
	T_RUN(t_resample_is_multinomial);
	T_RUN(t_by_item_equals_dense);
	T_RUN(t_bootstrap_withholds_interval_on_few_items);
	T_RUN(t_disagreement_pairs_sorted);
	return t_done();
}
