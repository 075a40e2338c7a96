/*
 * interval.c: BCa intervals from bootstrap replicates and Wilson intervals
 * for proportions (interval.h; docs/statistics.md, "Intervals").
 */
#include <math.h>
#include <stdlib.h>

#include "interval.h"

double
interval_norm_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

/*
 * Newton's method on Phi(x) - p, kept inside a bracket that shrinks at
 * every step (a step that would leave it bisects instead), from a
 * logistic first guess.  Phi comes from erfc, accurate to the last bits
 * in both tails, so the root is Phi's inverse to about 1e-15.
 */
double
interval_norm_quantile(double p)
{
	double lo = -40, hi = 40, x, f, d, step;
	int i;

	if (!(p > 0))
		return -INFINITY;
	if (!(p < 1))
		return INFINITY;
	x = log(p / (1 - p)) * 0.6266570686577501; /* sqrt(pi / 8) */
	if (x < lo || x > hi)
		x = 0;
	for (i = 0; i < 200; i++) {
		f = interval_norm_cdf(x) - p;
		if (f == 0)
			return x;
		if (f < 0)
			lo = x;
		else
			hi = x;
		d = exp(-0.5 * x * x) * 0.3989422804014327; /* 1/sqrt(2 pi) */
		step = d > 0 ? f / d : INFINITY;
		if (x - step > lo && x - step < hi) {
			x -= step;
			if (fabs(step) < 1e-15 * (1 + fabs(x)))
				break;
		} else
			x = 0.5 * (lo + hi);
		if (hi - lo < 1e-15)
			break;
	}
	return x;
}

double
interval_quantile(const double *x, int n, double p)
{
	double h = (n - 1) * p;
	int i = (int)floor(h);

	if (i >= n - 1)
		return x[n - 1];
	if (i < 0)
		return x[0];
	return x[i] + (h - i) * (x[i + 1] - x[i]);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Efron and Tibshirani (1993), eq. 14.15: a = sum (m - v_i)^3 /
 * (6 (sum (m - v_i)^2)^(3/2)), m the mean of the leave-one-out values,
 * here with each pattern's value counted weight[g] times.
 */
double
interval_acceleration(const struct interval_jack *jk)
{
	double n = 0, mean = 0, s2 = 0, s3 = 0, d;
	int g;

	if (jk == NULL)
		return 0;
	for (g = 0; g < jk->n; g++) {
		n += jk->weight[g];
		mean += jk->weight[g] * jk->value[g];
	}
	if (!(n > 0))
		return 0;
	mean /= n;
	for (g = 0; g < jk->n; g++) {
		d = mean - jk->value[g];
		s2 += jk->weight[g] * d * d;
		s3 += jk->weight[g] * d * d * d;
	}
	if (!(s2 > 0) || !isfinite(s2) || !isfinite(s3))
		return 0;
	return s3 / (6 * pow(s2, 1.5));
}

/* The BCa level of the normal quantile z: Phi(z0 + (z0 + z) / (1 - a (z0 + z))). */
static double
bca_level(double z0, double a, double z)
{
	double t = z0 + z, den = 1 - a * t;

	/* Beyond the pole the adjusted level runs off to the end it faces. */
	if (!(den > 0))
		return z < 0 ? 0 : 1;
	return interval_norm_cdf(z0 + t / den);
}

int
interval_bca(double est, double *rep, int nrep,
    const struct interval_jack *jk, double conf, double *lo, double *hi)
{
	double below = 0, p0, z0, a, za, tie;
	int b;

	if (nrep < 1)
		return -1;
	qsort(rep, (size_t)nrep, sizeof *rep, cmp_double);
	if (rep[0] == rep[nrep - 1])
		return -1;
	/*
	 * Bias correction: the share of replicates below the estimate, ties
	 * counted half (a discrete statistic has many replicates equal to
	 * it; equal within 1e-12, since a replicate's sums are added in
	 * another order than the estimate's), kept within half a replicate
	 * of 0 and 1 so z0 stays finite.
	 */
	tie = 1e-12 * (fabs(est) > 1 ? fabs(est) : 1);
	for (b = 0; b < nrep; b++)
		below += rep[b] < est - tie ? 1 : rep[b] <= est + tie ? 0.5 : 0;
	p0 = below / nrep;
	if (p0 < 0.5 / nrep)
		p0 = 0.5 / nrep;
	if (p0 > 1 - 0.5 / nrep)
		p0 = 1 - 0.5 / nrep;
	z0 = interval_norm_quantile(p0);
	a = interval_acceleration(jk);
	za = interval_norm_quantile((1 + conf) / 2);
	*lo = interval_quantile(rep, nrep, bca_level(z0, a, -za));
	*hi = interval_quantile(rep, nrep, bca_level(z0, a, za));
	return 0;
}

/*
 * Wilson (1927): the p0 whose score test does not reject, centre
 * (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) /
 * (1 + z^2/n).
 */
void
interval_wilson(double p, double n, double conf, double *lo, double *hi)
{
	double z = interval_norm_quantile((1 + conf) / 2), z2 = z * z;
	double den = 1 + z2 / n, mid = (p + z2 / (2 * n)) / den;
	double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;

	*lo = mid - half < 0 ? 0 : mid - half;
	*hi = mid + half > 1 ? 1 : mid + half;
}
