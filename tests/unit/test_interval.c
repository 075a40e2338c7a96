/*
 * test_interval.c: the interval helpers of core/interval.c against SciPy's
 * normal distribution, statsmodels' Wilson interval (values printed by
 * scipy 1.10 and statsmodels 0.13 on Debian 12) and the closed forms of
 * BCa's bias correction and acceleration.
 */
#include "t.h"

#include "../../core/interval.h"

static void
t_normal_quantile_matches_scipy(void)
{
	/* scipy.stats.norm.ppf / cdf */
	T_NEAR(interval_norm_quantile(0.975), 1.959963984540054, 1e-13);
	T_NEAR(interval_norm_quantile(1e-10), -6.361340902404056, 1e-12);
	T_NEAR(interval_norm_quantile(0.3), -0.5244005127080409, 1e-13);
	T_NEAR(interval_norm_quantile(0.5), 0, 1e-15);
	T_NEAR(interval_norm_cdf(-3.2), 0.0006871379379158471, 1e-17);
	T_CHECK(isinf(interval_norm_quantile(0)));
	T_CHECK(isinf(interval_norm_quantile(1)));
}

static void
t_wilson_matches_statsmodels(void)
{
	double lo, hi;

	/* proportion_confint(39, 40, alpha=0.05, method='wilson') */
	interval_wilson(39.0 / 40, 40, 0.95, &lo, &hi);
	T_NEAR(lo, 0.8711863103652591, 1e-12);
	T_NEAR(hi, 0.9955731684973186, 1e-12);
	/* 40 of 40: statsmodels gives 1.0000000000000002; accord clamps */
	interval_wilson(1, 40, 0.95, &lo, &hi);
	T_NEAR(lo, 0.9123783988027134, 1e-12);
	T_NEAR(hi, 1, 0);
	interval_wilson(0.3, 10, 0.90, &lo, &hi);
	T_NEAR(lo, 0.12687658390319784, 1e-12);
	T_NEAR(hi, 0.558300204130165, 1e-12);
}

/*
 * For the mean of n Bernoulli values with k ones the jackknife
 * acceleration is exactly (1 - 2p) / (6 sqrt(n p (1 - p))), p = k / n.
 */
static void
t_acceleration_of_a_proportion(void)
{
	double value[2], weight[2], n = 50, k = 41, p = k / n;
	struct interval_jack jk = { value, weight, 2 };

	value[0] = (k - 1) / (n - 1); /* an item with a one left out */
	weight[0] = k;
	value[1] = k / (n - 1);
	weight[1] = n - k;
	T_NEAR(interval_acceleration(&jk),
	    (1 - 2 * p) / (6 * sqrt(n * p * (1 - p))), 1e-14);
	/* no spread: no acceleration */
	value[1] = value[0];
	T_NEAR(interval_acceleration(&jk), 0, 0);
}

/*
 * 1000 replicates 0..999 and an estimate with 300 below it: z0 =
 * Phi^-1(0.3), and with a = 0 the levels are Phi(2 z0 -+ z_0.975).
 */
static void
t_bca_bias_correction(void)
{
	double rep[1000], lo, hi, z0 = interval_norm_quantile(0.3);
	double zc = interval_norm_quantile(0.975), l1, l2;
	int b;

	for (b = 0; b < 1000; b++)
		rep[999 - b] = b; /* unsorted on purpose */
	T_EQ_INT(interval_bca(299.5, rep, 1000, NULL, 0.95, &lo, &hi), 0);
	l1 = interval_norm_cdf(2 * z0 - zc);
	l2 = interval_norm_cdf(2 * z0 + zc);
	T_NEAR(lo, 999 * l1, 1e-9);
	T_NEAR(hi, 999 * l2, 1e-9);
	/* unbiased, symmetric, a = 0: the percentile interval */
	T_EQ_INT(interval_bca(499.5, rep, 1000, NULL, 0.95, &lo, &hi), 0);
	T_NEAR(lo, interval_quantile(rep, 1000, 0.025), 1e-9);
	T_NEAR(hi, interval_quantile(rep, 1000, 0.975), 1e-9);
	/* no spread: no interval */
	for (b = 0; b < 1000; b++)
		rep[b] = 1;
	T_EQ_INT(interval_bca(1, rep, 1000, NULL, 0.95, &lo, &hi), -1);
}

/* A positive acceleration moves both ends up (Efron 1987, eq. 2.3). */
static void
t_bca_acceleration_moves_the_ends(void)
{
	double rep[1000], lo, hi, lo0, hi0, a, t, z0 = 0;
	double zc = interval_norm_quantile(0.975);
	double value[2] = { 0.0, 1.0 }, weight[2] = { 90, 10 };
	struct interval_jack jk = { value, weight, 2 };
	int b;

	for (b = 0; b < 1000; b++)
		rep[b] = b;
	T_EQ_INT(interval_bca(499.5, rep, 1000, NULL, 0.95, &lo0, &hi0), 0);
	T_EQ_INT(interval_bca(499.5, rep, 1000, &jk, 0.95, &lo, &hi), 0);
	a = interval_acceleration(&jk);
	T_CHECK(a != 0);
	t = z0 - zc;
	T_NEAR(lo, 999 * interval_norm_cdf(z0 + t / (1 - a * t)), 1e-9);
	t = z0 + zc;
	T_NEAR(hi, 999 * interval_norm_cdf(z0 + t / (1 - a * t)), 1e-9);
	T_CHECK((lo - lo0) * a < 0 || (lo - lo0) * a > 0);
}

int
main(void)
{
	T_RUN(t_normal_quantile_matches_scipy);
	T_RUN(t_wilson_matches_statsmodels);
	T_RUN(t_acceleration_of_a_proportion);
	T_RUN(t_bca_bias_correction);
	T_RUN(t_bca_acceleration_moves_the_ends);
	return t_done();
}
