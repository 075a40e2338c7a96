/*
 * interval.h: confidence intervals from bootstrap replicates (BCa) and for
 * proportions (Wilson), shared by agree (kappa, alpha, AC1, HLP) and
 * errors (model accuracy, gap, room).  Pure functions; nothing outside
 * core/ sees them.  docs/statistics.md ("Intervals") gives the formulas
 * and the coverage measured by simulation.
 */
#ifndef ACCORD_INTERVAL_H
#define ACCORD_INTERVAL_H

/* The standard normal distribution function and its inverse (0 < p < 1). */
double interval_norm_cdf(double x);
double interval_norm_quantile(double p);

/*
 * Quantile p of sorted x[0..n-1] (n >= 1), interpolated between order
 * statistics (Hyndman and Fan 1996, definition 7; R's and numpy's
 * default).
 */
double interval_quantile(const double *x, int n, double p);

/*
 * Jackknife values of a statistic over items grouped into patterns: value
 * [g] is the statistic without one item of pattern g, weight[g] the number
 * of items of that pattern (the leave-one-out value of each of them).
 */
struct interval_jack {
	const double *value;
	const double *weight;
	int n;
};

/* The jackknife acceleration a of BCa (0 when there is no spread). */
double interval_acceleration(const struct interval_jack *jk);

/*
 * The bias-corrected and accelerated interval (Efron 1987; Efron and
 * Tibshirani 1993, ch. 14.3) at coverage conf from the nrep replicates
 * rep (sorted in place) of a statistic whose estimate is est; jk NULL:
 * no acceleration (a = 0).  Returns 0 with [*lo, *hi], or -1 when every
 * replicate equals every other (no spread: the bootstrap says nothing;
 * the caller decides, e.g. interval_wilson for a proportion).
 */
int interval_bca(double est, double *rep, int nrep,
    const struct interval_jack *jk, double conf, double *lo, double *hi);

/*
 * Wilson's (1927) score interval for a proportion p observed on n trials
 * (n > 0), at coverage conf.  Never [1, 1] or [0, 0]: what the bootstrap
 * cannot give when every item agreed.
 */
void interval_wilson(double p, double n, double conf, double *lo, double *hi);

#endif
