/*
 * ds_ref: run consensus_dawid_skene() on ratings matrices from stdin and
 * print the fit, for tests/reference/ds_vs_numpy.sh to compare with an
 * independent NumPy implementation.
 *
 * Input: whitespace-separated numbers.  One or more matrices, each:
 *
 *   nitems nlabelers nclasses alpha max_iter
 *   then nitems x nlabelers cells (class 0..nclasses-1, -1 missing)
 *
 * Output per matrix, every number at %.17g:
 *
 *   case N
 *   iterations I converged C objective O few F unused U
 *   prior p_0 ... p_K-1
 *   confusion j k  pi_j[k][0] ... pi_j[k][K-1]     (per labeler, class)
 *   posterior i  T_i0 ... T_iK-1                   (per item)
 *   label i  class confidence tie
 *   end
 *
 * Exit status 1 on malformed input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "accord/consensus.h"
#include "accord/util.h"

static int
one(int n)
{
	struct consensus_ds ds = { .tol = CONSENSUS_DS_TOL }, fast;
	struct consensus_item *out;
	int N, L, K, i, j, k, l, *cells;

	if (scanf("%d %d %d %lf %d", &N, &L, &K, &ds.alpha, &ds.max_iter) != 5)
		return feof(stdin) ? 0 : -1;
	if (N < 0 || L < 1 || K < 1 || N > 1000000 || L > 1000 || K > 100)
		return -1;
	cells = xcalloc((size_t)N * L + 1, sizeof *cells);
	for (i = 0; i < N * L; i++)
		if (scanf("%d", &cells[i]) != 1 || cells[i] < -1 ||
		    cells[i] >= K) {
			free(cells);
			return -1;
		}
	out = xcalloc((size_t)N + 1, sizeof *out);
	/* SQUAREM's path: its rounds and objective only. */
	fast = ds;
	consensus_dawid_skene(N, L, K, cells, &fast, out);
	ds.plain = 1;
	consensus_dawid_skene(N, L, K, cells, &ds, out);
	printf("case %d\niterations %d converged %d objective %.17g few %d "
	    "unused %d\nprior", n, ds.iterations, ds.converged, ds.loglik,
	    ds.few_labels, ds.unused_top);
	for (k = 0; k < K; k++)
		printf(" %.17g", ds.prior[k]);
	printf("\n");
	for (j = 0; j < L; j++)
		for (k = 0; k < K; k++) {
			printf("confusion %d %d", j, k);
			for (l = 0; l < K; l++)
				printf(" %.17g", ds.confusion[((size_t)j * K +
				    k) * K + l]);
			printf("\n");
		}
	for (i = 0; i < N; i++) {
		printf("posterior %d", i);
		for (k = 0; k < K; k++)
			printf(" %.17g", ds.posterior[(size_t)i * K + k]);
		printf("\nlabel %d %d %.17g %d\n", i, out[i].label,
		    out[i].confidence, out[i].tie);
	}
	printf("accelerated iterations %d converged %d objective %.17g\n",
	    fast.iterations, fast.converged, fast.loglik);
	printf("end\n");
	consensus_ds_free(&fast);
	consensus_ds_free(&ds);
	free(out);
	free(cells);
	return 1;
}

int
main(void)
{
	int n = 0, rc;

	while ((rc = one(n)) == 1)
		n++;
	if (rc < 0) {
		fprintf(stderr, "ds_ref: malformed input in case %d\n", n);
		return 1;
	}
	return 0;
}
