/*
 * drift.h: how the inputs and the labels moved between two import batches.
 *
 * For every numeric metadata key (input metrics such as brightness,
 * sharpness, rms_db, duration_s, and CSV columns whose every value in
 * force in the two batches is a number) with values in both batches: the population stability index (PSI) over the deciles of
 * the `from` batch and the two-sample Kolmogorov-Smirnov statistic D with
 * its p-value (exact where the sizes allow, else asymptotic).  For the labels in force: PSI over the classes
 * and Pearson's chi-square test of homogeneity.  Definitions, the epsilon
 * for empty bins and sources: docs/statistics.md, "Drift".
 *
 * The pure functions below are what the report is built from, and what
 * tests check against hand-computed cases and scipy.
 */
#ifndef ACCORD_DRIFT_H
#define ACCORD_DRIFT_H

#include "accord/store.h"

/* A bin share of 0 counts as this much in PSI (no renormalisation). */
#define DRIFT_PSI_EPSILON 1e-4
/* Bins of the `from` batch for PSI: its deciles. */
#define DRIFT_BINS 10

/*
 * PSI = sum_b (q_b - p_b) ln(q_b / p_b) over nbins bins, p_b = from[b] /
 * sum(from) and q_b = to[b] / sum(to), a share of 0 replaced by
 * DRIFT_PSI_EPSILON.  Both sums must be > 0.
 */
double drift_psi_counts(const long long *from, const long long *to,
    int nbins);

/*
 * The decile cut points of the sorted sample a[0..n-1] (n >= 1): the
 * values of rank floor(j n / 10), j = 1..9, duplicates dropped, as
 * `accord agree --by` cuts quartiles.  A value x falls in bin b = the
 * number of cut points <= x.  Fills cut[0..8]; returns how many.
 */
int drift_deciles(const double *sorted, int n, double *cut);

/* PSI of sample b against the deciles of sample a (sorted, n >= 1 each);
 * *nbins gets the number of bins. */
double drift_psi(const double *a, int na, const double *b, int nb,
    int *nbins);

/*
 * Two-sample Kolmogorov-Smirnov on sorted samples (n >= 1 each): D =
 * sup_x |F_a(x) - F_b(x)| over the empirical CDFs, and its two-sided
 * p-value: exact (drift_ks_exact_p; *exact = 1) when it can be, else
 * Kolmogorov's limit drift_kolmogorov_sf(sqrt(na nb / (na + nb)) D).
 */
void drift_ks(const double *a, int na, const double *b, int nb, double *d,
    double *p, int *exact);

/* Above this many na x nb, the path count costs too much: asymptotic. */
#define DRIFT_KS_EXACT_CELLS 100000000LL

/*
 * The exact two-sided P(D >= d) for samples of na and nb values without
 * ties, under the null hypothesis (as scipy.stats.ks_2samp with
 * method='exact'): equal sizes by Gnedenko and Korolyuk's series, others
 * by counting lattice paths when na nb <= DRIFT_KS_EXACT_CELLS.  0, or -1
 * when the sizes are too large.
 */
int drift_ks_exact_p(int na, int nb, double d, double *p);

/*
 * Kolmogorov's limiting distribution: P(K > x) = 2 sum_{k>=1} (-1)^(k-1)
 * exp(-2 k^2 x^2), for small x through 1 - sqrt(2 pi) / x sum_{k>=1}
 * exp(-(2k-1)^2 pi^2 / (8 x^2)) (the same series after Jacobi's theta
 * transformation), as scipy.special.kolmogorov.
 */
double drift_kolmogorov_sf(double x);

/* P(X > x) for X chi-square with df >= 1 degrees of freedom. */
double drift_chi2_sf(double x, int df);

struct drift_shift {
	char *name;         /* the metadata key, or "labels" */
	int labels;         /* 1: the label distribution */
	long long n_from, n_to; /* values (labels for the label row) */
	double mean_from, mean_to; /* metrics only */
	double psi;
	int bins;           /* bins PSI was computed over */
	double ks_d, ks_p;  /* metrics only */
	int ks_exact;       /* 1: ks_p is exact, 0: asymptotic */
	double chi2;        /* labels only */
	int chi2_df;        /* 0: undefined (fewer than two classes used) */
	double chi2_p;
};

struct drift_report {
	char *from, *to;
	int items_from, items_to;
	int nshifts;
	struct drift_shift *shifts; /* largest PSI first */
	int nclasses;
	char **classes;             /* position order */
	long long *labels_from, *labels_to; /* labels in force per class */
};

/*
 * Compare batch `to` with batch `from` (names, as `accord import --batch`
 * gave them).  Needs the sme or admin role (it reads every label).  The
 * label row is there when both batches have labels in force.  After 0
 * free with drift_report_free(); -1 with *cause (an unknown batch,
 * the role, the store).
 */
int drift_report(struct store *st, const char *user, const char *from,
    const char *to, struct drift_report *out, char **cause);
void drift_report_free(struct drift_report *rep);

#endif
