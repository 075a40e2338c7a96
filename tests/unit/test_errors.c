/*
 * test_errors.c: the arithmetic of error analysis (room for improvement
 * against HLP) and of drift (PSI, Kolmogorov-Smirnov, chi-square) on cases
 * worked by hand.  The store side (import, consensus, tags, slices) is
 * tested through the binary in tests/cmd/errors.sh, and the drift
 * statistics against SciPy in tests/reference/drift_vs_scipy.sh.
 */
#include "t.h"

#include "accord/drift.h"
#include "accord/errors.h"
#include "accord/util.h"

/*
 * Ten items, three labelers, two classes.  Items 0-3 (group A): labelers
 * agree on class 0, except item 3 (0, 0, 1).  Items 4-7 (group B): all
 * say 1.  Item 8 (B) has no prediction and item 9 (A) no consensus: both
 * are left out.
 *
 * HLP, leave-one-out majority: in A, items 0-2 give 9 matches of 9; on
 * item 3 the two labelers saying 0 see a tie (0, 1) and score 1/2 each,
 * the one saying 1 sees (0, 0) and scores 0: 10/12.  B: 12/12.
 * The model: A predicted 0, 1, 1, 0 (2 errors of 4), B 1, 1, 1, 0 (1 of
 * 4); 8 scored items, 3 errors.
 *   A: data 0.5, error rate 0.5, of errors 2/3, gap 10/12 - 0.5 = 1/3,
 *      room 1/6.
 *   B: data 0.5, error rate 0.25, of errors 1/3, gap 1 - 0.75 = 0.25,
 *      room 0.125.
 * So A sorts first.
 */
static const int cells[10 * 3] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 0, 1, -1,
};
static const int consensus[10] = { 0, 0, 0, 0, 1, 1, 1, 1, 1, -1 };
static const int predicted[10] = { 0, 1, 1, 0, 1, 1, 1, 0, -1, 0 };

/*
 * The matrix above as struct ratings holds it, by item; the arrays
 * (start: 11 entries, the others 30) are the caller's.
 */
static void
hand_ratings(struct ratings *r, int *start, int *lab, int *cls, int *guide,
    int *none)
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
		none[i] = -1;
	r->reference = none;
	r->gold = none;
	r->borderline = -1;
}

static void
t_room_for_improvement(void)
{
	struct ratings r;
	struct errors_row *rows = NULL;
	int start[11], lab[30], cls[30], guide[30], none[10];
	char *names[] = { "A", "B" };
	int item[10], group[10], i;
	char *cause = NULL;

	hand_ratings(&r, start, lab, cls, guide, none);
	for (i = 0; i < 10; i++) {
		item[i] = i;
		group[i] = i < 4 || i == 9 ? 0 : 1;
	}
	if (errors_rows(&r, consensus, predicted, 2, names, item, group, 10,
	    NULL, &rows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	T_EQ_INT(rows[0].items, 4);
	T_EQ_INT(rows[0].errors, 2);
	T_NEAR(rows[0].data_share, 0.5, 1e-15);
	T_NEAR(rows[0].error_rate, 0.5, 1e-15);
	T_NEAR(rows[0].error_share, 2.0 / 3, 1e-15);
	T_CHECK(rows[0].hlp.defined);
	T_NEAR(rows[0].hlp.value, 10.0 / 12, 1e-15);
	T_NEAR(rows[0].gap.value, 1.0 / 3, 1e-15);
	T_NEAR(rows[0].room.value, 1.0 / 6, 1e-15);
	T_EQ_INT(rows[1].items, 4);
	T_EQ_INT(rows[1].errors, 1);
	T_NEAR(rows[1].error_share, 1.0 / 3, 1e-15);
	T_NEAR(rows[1].hlp.value, 1, 1e-15);
	T_NEAR(rows[1].gap.value, 0.25, 1e-15);
	T_NEAR(rows[1].room.value, 0.125, 1e-15);
	/* B holds more room once its gap grows: swap the order to check. */
	rows[1].room.value = 0.2;
	errors_rows_sort(rows, 2);
	T_EQ_STR(rows[0].name, "B");
	rows[0].room.value = 0.125;
	errors_rows_sort(rows, 2);
	T_EQ_STR(rows[0].name, "A");
	errors_rows_free(rows, 2);
}

/* All items in one group: overall figures; and an empty group. */
static void
t_room_overall_and_empty(void)
{
	struct ratings r;
	struct errors_row *rows = NULL;
	int start[11], lab[30], cls[30], guide[30], none[10];
	char *names[] = { "all", "empty" };
	int item[10], group[10], i;
	char *cause = NULL;

	hand_ratings(&r, start, lab, cls, guide, none);
	for (i = 0; i < 10; i++) {
		item[i] = i;
		group[i] = 0;
	}
	if (errors_rows(&r, consensus, predicted, 2, names, item, group, 10,
	    NULL, &rows, &cause) != 0) {
		T_FAIL("errors_rows: %s", cause);
		free(cause);
		return;
	}
	/* HLP over A and B's 8 scored items: (10 + 12) / 24. */
	T_EQ_INT(rows[0].items, 8);
	T_NEAR(rows[0].data_share, 1, 1e-15);
	T_NEAR(rows[0].error_rate, 3.0 / 8, 1e-15);
	T_NEAR(rows[0].hlp.value, 22.0 / 24, 1e-15);
	T_NEAR(rows[0].gap.value, 22.0 / 24 - 5.0 / 8, 1e-15);
	T_NEAR(rows[0].room.value, 22.0 / 24 - 5.0 / 8, 1e-15);
	T_EQ_INT(rows[1].items, 0);
	T_CHECK(!rows[1].gap.defined && !rows[1].room.defined);
	errors_rows_sort(rows, 2);
	T_EQ_STR(rows[1].name, "empty");
	errors_rows_free(rows, 2);
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
	T_RUN(t_room_overall_and_empty);
	T_RUN(t_psi_counts);
	T_RUN(t_psi_deciles);
	T_RUN(t_ks);
	T_RUN(t_ks_exact_by_enumeration);
	T_RUN(t_kolmogorov);
	T_RUN(t_chi2);
	return t_done();
}
