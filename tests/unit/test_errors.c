/*
 * test_errors.c: the arithmetic of error analysis (room for improvement
 * against HLP, people and model scored alike), its intervals, simulations
 * with known truth, and drift (PSI, Kolmogorov-Smirnov, chi-square) on cases
 * worked by hand.  The store side (import, consensus, tags, slices) is
 * tested through the binary in tests/cmd/errors.sh, and the drift
 * statistics against SciPy in tests/reference/drift_vs_scipy.sh.
 */
#include "t.h"

#include "accord/drift.h"
#include "accord/errors.h"
#include "accord/util.h"
#include "../../core/interval.h"

/*
 * Ten items, three labelers, two classes.  Items 0-3 and 9 (group A),
 * items 4-8 (group B).  Item 3 is (0, 0, 1), item 9 has two labels
 * (1, 0); the others are unanimous.  Item 8 has no prediction.
 *
 * Each item's HLP h = sum_c n_c (n_c - 1) / (m (m - 1)) (no reference):
 * 1 on unanimous items, 2/6 on item 3, 0 on item 9.  The model's credit
 * c = n_y / m: A predicted 0, 1, 1, 0 (items 0-3) and 0 (item 9): 1, 0,
 * 0, 2/3, 1/2; B 1, 1, 1, 0 (items 4-7): 1, 1, 1, 0.  Item 9's labels
 * tie, but it is scored like any other (it has no consensus class, so it
 * is in no error count).  Nine scored items.
 *   A: HLP (10/3) / 5 = 2/3, accuracy (13/6) / 5 = 13/30, gap 7/30,
 *      room (7/6) / 9 = 7/54, data 5/9, errors 2 (items 1, 2), share
 *      of the model's misses (1 + 1 + 1/3 + 1/2) / (23/6) = 17/23.
 *   B: HLP 1, accuracy 3/4, gap 1/4, room 1/9, data 4/9, errors 1,
 *      share of misses 6/23.
 * So A sorts first.  Overall: HLP 22/27, accuracy 31/54, gap 13/54.
 */
static const int cells[10 * 3] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 0, -1,
};
static const int predicted[10] = { 0, 1, 1, 0, 1, 1, 1, 0, -1, 0 };

/*
 * The matrix above as struct ratings holds it, by item; the arrays
 * (start: 11 entries, the others 30, ref and gold 10) are the caller's.
 */
static void
hand_ratings(struct ratings *r, int *start, int *lab, int *cls, int *guide,
    int *ref, int *gold)
{
	int i, j, n = 0;

	memset(r, 0, sizeof *r);
	r->nitems = 10;
	r->nlabelers = 3;
	r->nclasses = 2;
	start[0] = 0;
	for (i = 0; i < 10; i++) {
		for (j = 0; j < 3; j++)
			if (cells[i * 3 + j] >= 0) {
				lab[n] = j;
				cls[n] = cells[i * 3 + j];
				guide[n++] = 1;
			}
		start[i + 1] = n;
	}
	r->nlabels = n;
	r->start = start;
	r->lab = lab;
	r->cls = cls;
	r->guideline = guide;
	for (i = 0; i < 10; i++)
		ref[i] = gold[i] = -1;
	r->reference = ref;
	r->gold = gold;
	r->borderline = -1;
}

static void
t_room_for_improvement(void)
{
	struct ratings r;
	struct errors_row *rows = NULL, all;
	int start[11], lab[30], cls[30], guide[30], ref[10], gold[10];
	char *names[] = { "A", "B" };
	int item[10], group[10], i;
	char *cause = NULL;

	hand_ratings(&r, start, lab, cls, guide, ref, gold);
	for (i = 0; i < 10; i++) {
		item[i] = i;
		group[i] = i < 4 || i == 9 ? 0 : 1;
	}
	if (errors_rows(&r, NULL, predicted, 2, names, item, group, 10,
	    NULL, &all, &rows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	T_EQ_INT(rows[0].items, 5);
	T_EQ_INT(rows[0].errors, 2);
	T_NEAR(rows[0].data_share, 5.0 / 9, 1e-15);
	T_NEAR(rows[0].hlp.value, 2.0 / 3, 1e-15);
	T_NEAR(rows[0].accuracy.value, 13.0 / 30, 1e-15);
	T_NEAR(rows[0].error_rate, 17.0 / 30, 1e-15);
	T_NEAR(rows[0].error_share, 17.0 / 23, 1e-15);
	T_NEAR(rows[0].gap.value, 7.0 / 30, 1e-15);
	T_NEAR(rows[0].room.value, 7.0 / 54, 1e-15);
	T_EQ_INT(rows[1].items, 4);
	T_EQ_INT(rows[1].errors, 1);
	T_NEAR(rows[1].error_share, 6.0 / 23, 1e-15);
	T_NEAR(rows[1].hlp.value, 1, 1e-15);
	T_NEAR(rows[1].accuracy.value, 0.75, 1e-15);
	T_NEAR(rows[1].gap.value, 0.25, 1e-15);
	T_NEAR(rows[1].room.value, 1.0 / 9, 1e-15);
	T_EQ_INT(all.items, 9);
	T_EQ_INT(all.errors, 3);
	T_NEAR(all.hlp.value, 22.0 / 27, 1e-15);
	T_NEAR(all.accuracy.value, 31.0 / 54, 1e-15);
	T_NEAR(all.gap.value, 13.0 / 54, 1e-15);
	T_NEAR(all.room.value, 13.0 / 54, 1e-15);
	/* Without a bootstrap every interval says so. */
	T_CHECK(!all.gap_ci.defined && !rows[0].room_ci.defined);
	T_EQ_STR(rows[1].hlp_ci.why, AGREE_WHY_NO_BOOTSTRAP);
	/* B holds more room once its gap grows: swap the order to check. */
	rows[1].room.value = 0.2;
	errors_rows_sort(rows, 2);
	T_EQ_STR(rows[0].name, "B");
	rows[0].room.value = 1.0 / 9;
	errors_rows_sort(rows, 2);
	T_EQ_STR(rows[0].name, "A");
	errors_rows_free(rows, 2);
	free(all.name);
}

/*
 * A reference scores people and model alike: gold class 1 on item 1
 * (labels 0, 0, 0; the model says 1) gives the people 0 and the model 1;
 * an adjudicated class 1 on item 3 (labels 0, 0, 1; the model says 0)
 * gives the people 1/3 and the model 0, and wins over a gold class 0
 * there.  An ambiguous item is left out; an item with one label and no
 * reference has no one to compare with.
 */
static void
t_reference_for_both(void)
{
	struct ratings r;
	struct errors_row *rows = NULL, all;
	int start[11], lab[30], cls[30], guide[30], ref[10], gold[10];
	unsigned char ambiguous[10] = { 0 };
	char *names[] = { "all" };
	int item[10], group[10], i;
	double h, c;
	char *cause = NULL;

	hand_ratings(&r, start, lab, cls, guide, ref, gold);
	gold[1] = 1;
	ref[3] = 1;
	gold[3] = 0;
	T_CHECK(errors_item_credit(&r, 1, 1, &h, &c));
	T_NEAR(h, 0, 0);
	T_NEAR(c, 1, 0);
	T_CHECK(errors_item_credit(&r, 3, 0, &h, &c));
	T_NEAR(h, 1.0 / 3, 1e-15);
	T_NEAR(c, 0, 0);
	/* Item 9's two labels with no reference: h 0, c 1/2. */
	T_CHECK(errors_item_credit(&r, 9, 0, &h, &c));
	T_NEAR(h, 0, 0);
	T_NEAR(c, 0.5, 0);
	/* One label: undefined without a reference, defined with one. */
	start[10] = start[9] + 1;
	T_CHECK(!errors_item_credit(&r, 9, 0, &h, &c));
	gold[9] = 0;
	T_CHECK(errors_item_credit(&r, 9, 0, &h, &c));
	T_NEAR(h, 0, 0);
	T_NEAR(c, 1, 0);
	gold[9] = -1;
	ambiguous[0] = 1;
	for (i = 0; i < 10; i++) {
		item[i] = i;
		group[i] = 0;
	}
	if (errors_rows(&r, ambiguous, predicted, 1, names, item, group, 10,
	    NULL, &all, &rows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	/* Items 1-7: h 0, 1, 1/3, 1, 1, 1, 1; c 1, 0, 0, 1, 1, 1, 0. */
	T_EQ_INT(all.items, 7);
	T_EQ_INT(rows[0].items, 7);
	T_NEAR(all.hlp.value, (5 + 1.0 / 3) / 7, 1e-15);
	T_NEAR(all.accuracy.value, 4.0 / 7, 1e-15);
	/* Against consensus (gold 1, labels 0, adjudicated 1, 1, 1, 1, 1):
	 * items 2, 3 and 7 are wrong. */
	T_EQ_INT(all.errors, 3);
	errors_rows_free(rows, 1);
	free(all.name);
}

/* All items in one group: overall figures; and an empty group. */
static void
t_room_overall_and_empty(void)
{
	struct ratings r;
	struct errors_row *rows = NULL, all;
	int start[11], lab[30], cls[30], guide[30], ref[10], gold[10];
	char *names[] = { "all", "empty" };
	int item[10], group[10], i;
	char *cause = NULL;

	hand_ratings(&r, start, lab, cls, guide, ref, gold);
	for (i = 0; i < 10; i++) {
		item[i] = i;
		group[i] = 0;
	}
	if (errors_rows(&r, NULL, predicted, 2, names, item, group, 10,
	    NULL, &all, &rows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	T_EQ_INT(rows[0].items, 9);
	T_NEAR(rows[0].data_share, 1, 1e-15);
	T_NEAR(rows[0].hlp.value, all.hlp.value, 0);
	T_NEAR(rows[0].room.value, all.gap.value, 1e-15);
	T_EQ_INT(rows[1].items, 0);
	T_CHECK(!rows[1].gap.defined && !rows[1].room.defined &&
	    !rows[1].hlp.defined && !rows[1].accuracy.defined);
	T_EQ_STR(rows[1].room.why, ERRORS_WHY_NO_ITEMS);
	errors_rows_sort(rows, 2);
	T_EQ_STR(rows[1].name, "empty");
	errors_rows_free(rows, 2);
	free(all.name);
}

/*
 * The intervals: the same for a seed whatever the thread count; a group
 * that some replicates miss (among 9 items, 2000 replicates) has no HLP,
 * accuracy or gap interval but a room interval; where every item agrees
 * (no spread in the bootstrap) HLP gets Wilson's interval, never [1, 1],
 * and the gap Newcombe's, around 0.
 */
static void
t_intervals(void)
{
	struct ratings r;
	struct errors_row *rows[2], all[2], *urows, uall;
	int start[11], lab[30], cls[30], guide[30], ref[10], gold[10];
	char *names[] = { "A", "B", "one" };
	int item[20], group[20], i, n = 0, t, only[10];
	struct errors_boot bo = { .bootstrap = 2000, .seed = 5,
		.confidence = 0.95 };
	double lo, hi, g;
	char *cause = NULL;

	hand_ratings(&r, start, lab, cls, guide, ref, gold);
	for (i = 0; i < 10; i++) {
		item[n] = i;
		group[n++] = i < 4 || i == 9 ? 0 : 1;
	}
	item[n] = 3;
	group[n++] = 2;
	for (t = 0; t < 2; t++) {
		bo.threads = t == 0 ? 1 : 4;
		if (errors_rows(&r, NULL, predicted, 3, names, item, group,
		    n, &bo, &all[t], &rows[t], &cause) != 0) {
			T_FAIL("errors_rows: %s", cause);
			free(cause);
			return;
		}
	}
	for (i = 0; i < 3; i++) {
		T_CHECK(memcmp(&rows[0][i].hlp_ci, &rows[1][i].hlp_ci,
		    sizeof rows[0][i].hlp_ci) == 0);
		T_CHECK(memcmp(&rows[0][i].room_ci, &rows[1][i].room_ci,
		    sizeof rows[0][i].room_ci) == 0);
	}
	T_CHECK(memcmp(&all[0].gap_ci, &all[1].gap_ci, sizeof all[0].gap_ci)
	    == 0);
	T_CHECK(all[0].gap_ci.defined && all[0].gap_ci.lo <
	    all[0].gap.value && all[0].gap.value < all[0].gap_ci.hi);
	T_CHECK(all[0].hlp_ci.defined && all[0].accuracy_ci.defined &&
	    all[0].room_ci.defined);
	for (i = 0; i < 3; i++) {
		T_CHECK(!rows[0][i].hlp_ci.defined &&
		    !rows[0][i].accuracy_ci.defined &&
		    !rows[0][i].gap_ci.defined);
		T_EQ_STR(rows[0][i].gap_ci.why, AGREE_WHY_FEW_ITEMS);
		T_CHECK(rows[0][i].room_ci.defined);
	}
	/* Item 3 alone: h - c = 1/3 - 2/3 over 9 items, or nothing drawn. */
	T_CHECK(rows[0][2].room_ci.lo <= -1.0 / 27 &&
	    rows[0][2].room_ci.hi >= 0);
	for (t = 0; t < 2; t++) {
		errors_rows_free(rows[t], 3);
		free(all[t].name);
	}

	/* Only items 4-6 predicted: h 1 and c 1 on each. */
	for (i = 0; i < 10; i++)
		only[i] = i >= 4 && i <= 6 ? 1 : -1;
	bo.threads = 1;
	if (errors_rows(&r, NULL, only, 0, NULL, NULL, NULL, 0, &bo, &uall,
	    &urows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	interval_wilson(1, 3, 0.95, &lo, &hi);
	T_NEAR(uall.hlp_ci.lo, lo, 1e-15);
	T_NEAR(uall.hlp_ci.hi, 1, 0);
	T_CHECK(uall.hlp_ci.lo < 0.5);
	T_NEAR(uall.accuracy_ci.lo, lo, 1e-15);
	/* Newcombe: 0 -+ sqrt((1 - lo)^2 + 0). */
	g = 1 - lo;
	T_NEAR(uall.gap_ci.lo, -g, 1e-15);
	T_NEAR(uall.gap_ci.hi, g, 1e-15);
	T_NEAR(uall.room_ci.hi, g, 1e-15);
	errors_rows_free(urows, 0);
	free(uall.name);
}

/*
 * A figure with few values: 60 unanimous items predicted right, but on
 * items 0 and 3 (group A of every third item) the third labeler
 * dissents, so h - c = 1/3 - 2/3 there.  A's room is -(K/3)/60 for the
 * K ~ Bin(60, 1/30) draws of those two items: 0 in 13% of replicates, so
 * the upper end of its 95% interval is 0 (numpy and scipy on K's of
 * that law: BCa [-0.0389, 0]).  Replicates with K = 2 equal the estimate
 * and must count as ties in BCa's bias correction; summed in another
 * order they came out a few ulps off, counted as above it, and the
 * upper end fell to -1/180.
 */
static void
t_interval_ties(void)
{
	struct ratings r;
	int start[61], cls[180], lab[180], gd[180], ref[60], gold[60];
	int pred[60], item[60], group[60], n = 0, i, j;
	char *names[] = { "A", "B", "C" }, *cause = NULL;
	struct errors_row all, *rows;
	struct errors_boot bo = { .bootstrap = 1000, .seed = 1,
		.confidence = 0.95 };

	memset(&r, 0, sizeof r);
	start[0] = 0;
	for (i = 0; i < 60; i++) {
		for (j = 0; j < 3; j++) {
			lab[n] = j;
			cls[n] = j == 2 && (i == 0 || i == 3);
			gd[n++] = 1;
		}
		start[i + 1] = n;
		ref[i] = gold[i] = -1;
		pred[i] = 0;
		item[i] = i;
		group[i] = i % 3;
	}
	r.nitems = 60;
	r.nclasses = 2;
	r.nlabelers = 3;
	r.nlabels = n;
	r.start = start;
	r.cls = cls;
	r.lab = lab;
	r.guideline = gd;
	r.reference = ref;
	r.gold = gold;
	r.borderline = -1;
	if (errors_rows(&r, NULL, pred, 3, names, item, group, 60, &bo, &all,
	    &rows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	T_NEAR(rows[0].room.value, -1.0 / 90, 1e-15);
	T_CHECK(rows[0].room_ci.defined);
	T_NEAR(rows[0].room_ci.hi, 0, 0);
	T_CHECK(rows[0].room_ci.lo < -1.0 / 60);
	T_NEAR(all.gap_ci.hi, 0, 0);
	errors_rows_free(rows, 3);
	free(all.name);
}

/*
 * Simulation with known truth.  Items get a true class from imbalanced
 * priors; each is labeled by `overlap` labelers drawn from a pool with
 * set accuracies (a wrong label is uniform over the other classes); a
 * share of items is gold.  A model "as good as the people" labels an
 * item as a pool labeler who is not on it would: it is exchangeable
 * with a person, so its expected gap is 0 at any overlap.  A better and
 * a worse model have set accuracies.
 */
struct sim {
	uint64_t s;
};

static uint64_t
sim_next(struct sim *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
sim_uniform(struct sim *g)
{
	return (double)(sim_next(g) >> 11) * 0x1p-53;
}

/* A label of accuracy acc for the true class t among k. */
static int
sim_label(struct sim *g, int t, int k, double acc)
{
	int w;

	if (sim_uniform(g) < acc)
		return t;
	w = (int)(sim_uniform(g) * (k - 1));
	return w >= t ? w + 1 : w;
}

struct sim_setup {
	int nitems, overlap, k, npool;
	const double *prior, *pool;
	double gold_share;
	double model; /* accuracy; < 0: as good as the people */
};

/*
 * Build the ratings of one simulated project in r (arrays malloc'd,
 * freed by sim_free) and the model's predictions in *pred.
 */
static void
sim_build(const struct sim_setup *o, uint64_t seed, struct ratings *r,
    int **pred)
{
	struct sim g = { seed };
	int i, j, x, n = 0, t, on[64];
	double u;

	memset(r, 0, sizeof *r);
	r->nitems = o->nitems;
	r->nlabelers = o->npool;
	r->nclasses = o->k;
	r->borderline = -1;
	r->start = xcalloc((size_t)o->nitems + 1, sizeof *r->start);
	r->lab = xcalloc((size_t)o->nitems * o->overlap, sizeof *r->lab);
	r->cls = xcalloc((size_t)o->nitems * o->overlap, sizeof *r->cls);
	r->guideline = xcalloc((size_t)o->nitems * o->overlap,
	    sizeof *r->guideline);
	r->reference = xcalloc((size_t)o->nitems, sizeof *r->reference);
	r->gold = xcalloc((size_t)o->nitems, sizeof *r->gold);
	*pred = xcalloc((size_t)o->nitems, sizeof **pred);
	for (i = 0; i < o->nitems; i++) {
		u = sim_uniform(&g);
		for (t = 0; t < o->k - 1 && u >= o->prior[t]; t++)
			u -= o->prior[t];
		/* overlap distinct labelers, ascending (a partial shuffle). */
		memset(on, 0, sizeof on);
		for (j = 0; j < o->overlap; j++) {
			do
				x = (int)(sim_uniform(&g) * o->npool);
			while (on[x]);
			on[x] = 1;
		}
		for (x = 0; x < o->npool; x++)
			if (on[x]) {
				r->lab[n] = x;
				r->cls[n] = sim_label(&g, t, o->k, o->pool[x]);
				r->guideline[n++] = 1;
			}
		r->start[i + 1] = n;
		r->reference[i] = -1;
		r->gold[i] = sim_uniform(&g) < o->gold_share ? t : -1;
		if (o->model >= 0)
			(*pred)[i] = sim_label(&g, t, o->k, o->model);
		else {
			do
				x = (int)(sim_uniform(&g) * o->npool);
			while (on[x]);
			(*pred)[i] = sim_label(&g, t, o->k, o->pool[x]);
		}
	}
	r->nlabels = n;
}

static void
sim_free(struct ratings *r, int *pred)
{
	free(r->start);
	free(r->lab);
	free(r->cls);
	free(r->guideline);
	free(r->reference);
	free(r->gold);
	free(pred);
}

/*
 * The gap of one simulated project: overall, and for the even and odd
 * items as two groups.  *all gets the overall row, rows[0..1] the groups.
 */
static int
sim_gap(const struct sim_setup *o, uint64_t seed, int nboot, double conf,
    struct errors_row *all, struct errors_row **rows)
{
	struct ratings r;
	struct errors_boot bo = { .bootstrap = nboot, .seed = seed,
		.confidence = conf };
	char *names[] = { "even", "odd" };
	int *pred, *item = xcalloc((size_t)o->nitems, sizeof *item);
	int *group = xcalloc((size_t)o->nitems, sizeof *group), i, ret;
	char *cause = NULL;

	sim_build(o, seed, &r, &pred);
	for (i = 0; i < o->nitems; i++) {
		item[i] = i;
		group[i] = i % 2;
	}
	ret = errors_rows(&r, NULL, pred, 2, names, item, group, o->nitems,
	    &bo, all, rows, &cause);
	if (ret != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
	}
	sim_free(&r, pred);
	free(item);
	free(group);
	return ret;
}

static const double prior3[] = { 0.7, 0.2, 0.1 };
static const double pool8[] = { 0.65, 0.7, 0.75, 0.8, 0.82, 0.85, 0.88,
	0.9 };
static const double flat8[] = { 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8 };
static const double even3[] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };

/*
 * As good as the people: the gap is 0 within its interval at overlaps
 * 2, 3, 5 and 7, with and without gold, balanced classes and not, and in
 * each of two groups.  The check uses 99.9% intervals, so that for a
 * correct implementation the 48 checks (16 cases, overall and each half)
 * all pass on a random choice of seeds with probability above 95%, while
 * the old scoring's gaps (+0.22 at overlap 2, -0.07 at 3 with the 0.8
 * labelers) lie far outside them; the 95% intervals are printed.
 */
static void
t_sim_as_good(void)
{
	static const int overlaps[] = { 2, 3, 5, 7 };
	struct sim_setup o = { .nitems = 4000, .k = 3, .npool = 8,
		.model = -1 };
	struct errors_row all, *rows;
	int v, z, g;

	for (v = 0; v < 4; v++) {
		o.prior = v & 1 ? prior3 : even3;
		o.pool = v & 1 ? pool8 : flat8;
		o.gold_share = v & 2 ? 0.2 : 0;
		for (z = 0; z < 4; z++) {
			o.overlap = overlaps[z];
			if (sim_gap(&o, 100 + 10 * v + z, 1000, 0.999, &all,
			    &rows) != 0)
				return;
			if (!(all.gap_ci.defined && all.gap_ci.lo <= 0 &&
			    0 <= all.gap_ci.hi))
				T_FAIL("%s labelers, %s classes, gold %.1f, "
				    "overlap %d: gap %+.4f, 99.9%% [%+.4f, "
				    "%+.4f] misses 0", v & 1 ? "mixed" :
				    "0.8", v & 1 ? "imbalanced" : "even",
				    o.gold_share, o.overlap, all.gap.value,
				    all.gap_ci.lo, all.gap_ci.hi);
			for (g = 0; g < 2; g++)
				if (!(rows[g].gap_ci.defined &&
				    rows[g].gap_ci.lo <= 0 &&
				    0 <= rows[g].gap_ci.hi))
					T_FAIL("group %d, overlap %d: gap "
					    "%+.4f [%+.4f, %+.4f]", g,
					    o.overlap, rows[g].gap.value,
					    rows[g].gap_ci.lo,
					    rows[g].gap_ci.hi);
			errors_rows_free(rows, 2);
			free(all.name);
			if (sim_gap(&o, 100 + 10 * v + z, 1000, 0.95, &all,
			    &rows) != 0)
				return;
			printf("# as good, %s labelers, %s classes, gold %.1f, "
			    "overlap %d: HLP %.3f, model %.3f, gap %+.4f, 95%% "
			    "[%+.4f, %+.4f]\n", v & 1 ? "mixed" : "0.8",
			    v & 1 ? "imbalanced" : "even", o.gold_share,
			    o.overlap, all.hlp.value, all.accuracy.value,
			    all.gap.value, all.gap_ci.lo, all.gap_ci.hi);
			errors_rows_free(rows, 2);
			free(all.name);
		}
	}
}

/* A better model has a negative gap, a worse one a positive gap. */
static void
t_sim_better_worse(void)
{
	static const int overlaps[] = { 2, 3, 5, 7 };
	struct sim_setup o = { .nitems = 4000, .k = 3, .npool = 8,
		.prior = prior3, .pool = pool8, .gold_share = 0.1 };
	struct errors_row all, *rows;
	int z, w;

	for (w = 0; w < 2; w++) {
		o.model = w == 0 ? 0.95 : 0.6;
		for (z = 0; z < 4; z++) {
			o.overlap = overlaps[z];
			if (sim_gap(&o, 300 + 10 * w + z, 1000, 0.95, &all,
			    &rows) != 0)
				return;
			printf("# model %.2f, overlap %d: HLP %.3f, model %.3f, "
			    "gap %+.4f, 95%% [%+.4f, %+.4f]\n", o.model,
			    o.overlap, all.hlp.value, all.accuracy.value,
			    all.gap.value, all.gap_ci.lo, all.gap_ci.hi);
			if (w == 0)
				T_CHECK(all.gap_ci.defined && all.gap_ci.hi < 0);
			else
				T_CHECK(all.gap_ci.defined && all.gap_ci.lo > 0);
			errors_rows_free(rows, 2);
			free(all.name);
		}
	}
}

/*
 * Coverage, measured (300 projects per overlap; ERRORS_COVERAGE=N in the
 * environment for N, the tolerance then three standard errors of N): how
 * often the 95%
 * interval of the as-good model's gap holds 0, at 500 items (small
 * enough for the bootstrap's own error to show).
 */
static void
t_sim_coverage(void)
{
	static const int overlaps[] = { 2, 3, 5, 7 };
	struct sim_setup o = { .nitems = 500, .k = 3, .npool = 8,
		.prior = prior3, .pool = pool8, .gold_share = 0.1,
		.model = -1 };
	const char *env = getenv("ERRORS_COVERAGE");
	int z, s, nsim = env != NULL ? atoi(env) : 300, hit, ghit;
	struct errors_row all, *rows;
	/* three standard errors of a share near 0.95 over nsim projects */
	double tol;

	if (nsim <= 0)
		nsim = 300;
	tol = 3 * sqrt(0.95 * 0.05 / nsim);
	for (z = 0; z < 4; z++) {
		o.overlap = overlaps[z];
		for (s = hit = ghit = 0; s < nsim; s++) {
			if (sim_gap(&o, 1000 + (uint64_t)s, 1000, 0.95, &all,
			    &rows) != 0)
				return;
			hit += all.gap_ci.lo <= 0 && 0 <= all.gap_ci.hi;
			ghit += rows[0].gap_ci.defined &&
			    rows[0].gap_ci.lo <= 0 && 0 <= rows[0].gap_ci.hi;
			errors_rows_free(rows, 2);
			free(all.name);
		}
		printf("# coverage, overlap %d: overall %d/%d = %.3f, half "
		    "the items %d/%d = %.3f\n", o.overlap, hit, nsim,
		    (double)hit / nsim, ghit, nsim, (double)ghit / nsim);
		if (fabs((double)hit / nsim - 0.95) > tol)
			T_FAIL("overlap %d: gap interval coverage %.3f, not "
			    "0.95 +- %.3f", o.overlap, (double)hit / nsim, tol);
	}
	/*
	 * Near 1: 200 items, two labels each from labelers of accuracy
	 * 0.99, two classes, a model as good: the true HLP and accuracy
	 * are 0.99^2 + 0.01^2 = 0.9802, and in about 2% of projects every
	 * item is unanimous (Wilson's interval then).
	 */
	{
		static const double p99[] = { 0.99, 0.99, 0.99, 0.99, 0.99,
			0.99, 0.99, 0.99 };
		static const double half[] = { 0.5, 0.5 };
		struct sim_setup q = { .nitems = 200, .k = 2, .npool = 8,
			.prior = half, .pool = p99, .overlap = 2,
			.model = -1 };
		double truth = 0.99 * 0.99 + 0.01 * 0.01;
		int hh = 0, ah = 0;

		for (s = 0; s < nsim; s++) {
			if (sim_gap(&q, 5000 + (uint64_t)s, 1000, 0.95, &all,
			    &rows) != 0)
				return;
			hh += all.hlp_ci.lo <= truth && truth <= all.hlp_ci.hi;
			ah += all.accuracy_ci.lo <= truth &&
			    truth <= all.accuracy_ci.hi;
			errors_rows_free(rows, 2);
			free(all.name);
		}
		printf("# coverage near 1 (true 0.9802, 200 items): HLP "
		    "%d/%d = %.3f, accuracy %d/%d = %.3f\n", hh, nsim,
		    (double)hh / nsim, ah, nsim, (double)ah / nsim);
		if (fabs((double)hh / nsim - 0.95) > tol ||
		    fabs((double)ah / nsim - 0.95) > tol)
			T_FAIL("near 1: HLP coverage %.3f, accuracy %.3f, not "
			    "0.95 +- %.3f", (double)hh / nsim,
			    (double)ah / nsim, tol);
	}
}

static void
t_psi_counts(void)
{
	long long f[] = { 50, 30, 20 }, t[] = { 40, 30, 30 };
	long long f2[] = { 10, 0 }, t2[] = { 5, 5 };

	/* (0.4 - 0.5) ln 0.8 + 0 + (0.3 - 0.2) ln 1.5 */
	T_NEAR(drift_psi_counts(f, t, 3), 0.0628608659422374, 1e-14);
	/* The empty bin counts as 1e-4: (0.5 - 1) ln 0.5 + (0.5 - 1e-4)
	 * ln(0.5 / 1e-4). */
	T_NEAR(drift_psi_counts(f2, t2, 2), 4.60431846666895, 1e-12);
	T_NEAR(drift_psi_counts(f, f, 3), 0, 0);
}

static void
t_psi_deciles(void)
{
	double a[20], b[20], cut[9], ties[] = { 1, 1, 1, 1, 1, 2, 2, 2, 3, 4 };
	int i, n, bins;

	for (i = 0; i < 20; i++) {
		a[i] = i + 1;
		b[i] = i + 21;
	}
	/* Ranks floor(20 j / 10) = 2j: values 3, 5, ..., 19. */
	n = drift_deciles(a, 20, cut);
	T_EQ_INT(n, 9);
	T_NEAR(cut[0], 3, 0);
	T_NEAR(cut[8], 19, 0);
	T_NEAR(drift_psi(a, 20, a, 20, &bins), 0, 0);
	T_EQ_INT(bins, 10);
	/* b lies above every cut: all of it in the top bin (share 0.1 in a),
	 * nine empty bins: 9 (1e-4 - 0.1) ln(1e-3) + (1 - 0.1) ln 10. */
	T_NEAR(drift_psi(a, 20, b, 20, &bins),
	    9 * (1e-4 - 0.1) * log(1e-3) + 0.9 * log(10), 1e-12);
	/* Ties: ranks 1..9 of ten give 1, 1, 1, 1, 2, 2, 2, 3, 4. */
	n = drift_deciles(ties, 10, cut);
	T_EQ_INT(n, 4);
	T_NEAR(cut[0], 1, 0);
	T_NEAR(cut[3], 4, 0);
}

static void
t_ks(void)
{
	double a[] = { 1, 2, 3, 4 }, b[] = { 3, 4, 5, 6, 7, 8 }, d, p;
	double c[] = { 1, 1, 2 }, e[] = { 1, 2, 2 };

	int exact;

	/* F_a - F_b at 1..4: 1/4, 2/4, 3/4 - 1/6, 1 - 2/6: D = 2/3. */
	drift_ks(a, 4, b, 6, &d, &p, &exact);
	T_NEAR(d, 2.0 / 3, 1e-15);
	/*
	 * Exact: of the C(10, 4) = 210 orders of 4 + 6 values, 38 reach
	 * |i/4 - j/6| >= 2/3 (enumerated in Python with itertools; scipy's
	 * ks_2samp(method='exact') gives 0.18095238095238098): p = 38/210.
	 */
	T_EQ_INT(exact, 1);
	T_NEAR(p, 38.0 / 210, 1e-15);
	/* The limit, for comparison: sqrt(4 * 6 / 10) * 2/3 = 1.0328. */
	T_NEAR(drift_kolmogorov_sf(sqrt(2.4) * 2 / 3), 0.236490071437076,
	    1e-12);
	/* Ties: at 1, 2/3 against 1/3; at 2 both 1. */
	drift_ks(c, 3, e, 3, &d, &p, &exact);
	T_NEAR(d, 1.0 / 3, 1e-15);
	drift_ks(a, 4, a, 4, &d, &p, &exact);
	T_NEAR(d, 0, 0);
	T_NEAR(p, 1, 0);
}

/*
 * The exact p-value against brute force: every order of m + n distinct
 * values (a bit mask with m ones: a step of the first sample) is equally
 * likely under the null hypothesis; count those whose largest |i n - j m|
 * reaches each possible value.  Sizes up to 14 + 8: C(22, 8) = 319,770
 * orders, equal and unequal, coprime and not.
 */
static void
t_ks_exact_by_enumeration(void)
{
	static const int sizes[][2] = { { 1, 1 }, { 1, 4 }, { 2, 2 },
		{ 3, 5 }, { 4, 6 }, { 5, 5 }, { 6, 4 }, { 7, 3 }, { 8, 8 },
		{ 9, 6 }, { 12, 8 }, { 14, 8 }, { 10, 11 } };
	size_t z;
	int worst_ok = 1;

	for (z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		int m = sizes[z][0], n = sizes[z][1], t, max = m * n;
		long long *count = xcalloc((size_t)max + 1, sizeof *count);
		long long total = 0, mask, at_least = 0;

		for (mask = 0; mask < (1LL << (m + n)); mask++) {
			int i = 0, j = 0, b, top = 0;

			if (__builtin_popcountll((unsigned long long)mask) != m)
				continue;
			for (b = 0; b < m + n; b++) {
				int v;

				if (mask >> b & 1)
					i++;
				else
					j++;
				v = abs(i * n - j * m);
				if (v > top)
					top = v;
			}
			count[top]++;
			total++;
		}
		for (t = max; t >= 1; t--) {
			double p;

			at_least += count[t];
			if (count[t] == 0)
				continue;
			if (drift_ks_exact_p(m, n, (double)t / max, &p) != 0) {
				T_FAIL("%d x %d: no exact p", m, n);
				worst_ok = 0;
				continue;
			}
			if (fabs(p - (double)at_least / total) > 1e-12) {
				T_FAIL("%d x %d, D = %d/%d: p %.17g, brute "
				    "force %lld/%lld", m, n, t, max, p,
				    at_least, total);
				worst_ok = 0;
			}
		}
		free(count);
	}
	T_CHECK(worst_ok);
}

static void
t_kolmogorov(void)
{
	/* Below x = 1 the theta form: 1 - sqrt(2 pi)/x sum e^-((2k-1)^2
	 * pi^2 / 8x^2). */
	T_NEAR(drift_kolmogorov_sf(0.5), 0.963945243664875, 1e-12);
	/* The 5% critical value of Kolmogorov's distribution is 1.3581. */
	T_NEAR(drift_kolmogorov_sf(1.3581), 0.05, 1e-4);
	/* The two series meet at x = 1. */
	T_NEAR(drift_kolmogorov_sf(1 - 1e-12), drift_kolmogorov_sf(1), 1e-10);
	T_NEAR(drift_kolmogorov_sf(0), 1, 0);
	T_NEAR(drift_kolmogorov_sf(10), 0, 1e-80);
}

static void
t_chi2(void)
{
	/* Table values: the 5% points of df 1 and 3; df 2 is exp(-x/2). */
	T_NEAR(drift_chi2_sf(3.841458820694124, 1), 0.05, 1e-12);
	T_NEAR(drift_chi2_sf(7.814727903251178, 3), 0.05, 1e-12);
	T_NEAR(drift_chi2_sf(4, 2), exp(-2), 1e-14);
	T_NEAR(drift_chi2_sf(0, 4), 1, 0);
}

int
main(void)
{
	T_RUN(t_room_for_improvement);
	T_RUN(t_reference_for_both);
	T_RUN(t_room_overall_and_empty);
	T_RUN(t_intervals);
	T_RUN(t_interval_ties);
	T_RUN(t_sim_as_good);
	T_RUN(t_sim_better_worse);
	T_RUN(t_sim_coverage);
	T_RUN(t_psi_counts);
	T_RUN(t_psi_deciles);
	T_RUN(t_ks);
	T_RUN(t_ks_exact_by_enumeration);
	T_RUN(t_kolmogorov);
	T_RUN(t_chi2);
	return t_done();
}
