/*
 * drift_ref: the drift statistics for tests/reference/drift_vs_scipy.sh.
 * Reads cases from stdin, one a line, and prints one result line each:
 *
 *   ks NA NB A1 .. ANA B1 .. BNB  ->  D p psi bins exact (samples any order)
 *   chi2 X DF                     ->  P(chi-square_DF > X)
 *   kolmogorov X                  ->  P(K > X)
 *
 * every number at %.17g.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/drift.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
read_sample(int n, double **out)
{
	double *v = malloc(((size_t)n + 1) * sizeof *v);
	int i;

	if (v == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (scanf("%lf", &v[i]) != 1) {
			free(v);
			return -1;
		}
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	*out = v;
	return 0;
}

int
main(void)
{
	char what[16];

	while (scanf("%15s", what) == 1) {
		if (strcmp(what, "ks") == 0) {
			double *a, *b, d, p, psi;
			int na, nb, bins, exact;

			if (scanf("%d %d", &na, &nb) != 2 || na < 1 || nb < 1 ||
			    read_sample(na, &a) != 0)
				return 2;
			if (read_sample(nb, &b) != 0)
				return 2;
			drift_ks(a, na, b, nb, &d, &p, &exact);
			psi = drift_psi(a, na, b, nb, &bins);
			printf("%.17g %.17g %.17g %d %d\n", d, p, psi, bins,
			    exact);
			free(a);
			free(b);
		} else if (strcmp(what, "chi2") == 0) {
			double x;
			int df;

			if (scanf("%lf %d", &x, &df) != 2 || df < 1)
				return 2;
			printf("%.17g\n", drift_chi2_sf(x, df));
		} else if (strcmp(what, "kolmogorov") == 0) {
			double x;

			if (scanf("%lf", &x) != 1)
				return 2;
			printf("%.17g\n", drift_kolmogorov_sf(x));
		} else
			return 2;
		fflush(stdout);
	}
	return 0;
}
