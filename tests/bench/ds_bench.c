/*
 * ds_bench.c: times consensus_dawid_skene alone on a synthetic ratings
 * matrix (tests/bench/export_bench.sh).
 *
 *   ds_bench NITEMS K SEED [NLABELERS [RUNS [THREADS]]]
 *
 * Builds the items x labelers matrix of synth.h's labelers (K labels per
 * item from NLABELERS, default 20; four classes, the last borderline, as
 * the export benchmark's store), then runs Dawid-Skene with the defaults
 * `accord export` uses RUNS times (default 3) and prints the best wall
 * time of one fit.  THREADS (default 0: as export, one per CPU on large
 * inputs) sets the E-step's threads.  Also prints how often majority vote and Dawid-Skene
 * recover the true class, a check that the fit timed is a real one: with
 * labelers of varied skill Dawid-Skene should be the more accurate.
 *
 * Prints one line:
 *   items=N labels=N labelers=N iterations=N converged=0|1 seconds=S
 *   build_seconds=S rss_kb=K majority_acc=A ds_acc=A
 *   fit_sha256=H
 * rss_kb is this process's peak (the matrix, the fit and its posteriors);
 * fit_sha256 is the SHA-256 of the last fit's posteriors, priors and
 * confusion matrices as bytes, so a change meant to make the EM faster can
 * show it computes bit for bit what it did before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "accord/consensus.h"
#include "accord/util.h"
#include "synth.h"

#define NCLASSES 4
#define BORDERLINE 3

int
main(int argc, char **argv)
{
	int who[SYNTH_MAX_K], said[SYNTH_MAX_K], *cells, *truth, nitems, k;
	int nlab = 20, runs = 3, threads = 0, run, n, iterations = 0, converged = 0;
	long long i, right_maj = 0, right_ds = 0, decided = 0;
	struct consensus_item *maj, *ds_out;
	double t0, best = -1, build;
	struct buf fit = { 0 };
	char sha[65];
	struct rusage ru;
	struct synth sy;

	if (argc < 4 || argc > 7) {
		fprintf(stderr, "usage: ds_bench NITEMS K SEED [NLABELERS "
		    "[RUNS [THREADS]]]\n");
		return 2;
	}
	nitems = (int)synth_arg("ds_bench", argv[1], 1, "NITEMS");
	k = (int)synth_arg("ds_bench", argv[2], 1, "K");
	if (argc >= 5)
		nlab = (int)synth_arg("ds_bench", argv[4], 1, "NLABELERS");
	if (argc >= 6)
		runs = (int)synth_arg("ds_bench", argv[5], 1, "RUNS");
	if (argc >= 7)
		threads = (int)synth_arg("ds_bench", argv[6], 0, "THREADS");
	if (k > SYNTH_MAX_K || k > nlab) {
		fprintf(stderr, "ds_bench: K must be at most %d and at most "
		    "NLABELERS\n", SYNTH_MAX_K);
		return 2;
	}
	synth_init(&sy, nlab, k, NCLASSES, BORDERLINE,
	    (uint64_t)synth_arg("ds_bench", argv[3], 0, "SEED"));

	t0 = acc_monotonic();
	cells = xmalloc((size_t)nitems * (size_t)nlab * sizeof *cells);
	truth = xmalloc((size_t)nitems * sizeof *truth);
	for (i = 0; i < (long long)nitems * nlab; i++)
		cells[i] = -1;
	for (i = 0; i < nitems; i++) {
		truth[i] = synth_item(&sy, i + 1, who, said);
		for (n = 0; n < k; n++)
			cells[i * nlab + who[n]] = said[n];
	}
	build = acc_monotonic() - t0;

	maj = xcalloc((size_t)nitems, sizeof *maj);
	ds_out = xcalloc((size_t)nitems, sizeof *ds_out);
	consensus_majority(nitems, nlab, NCLASSES, cells, maj);
	for (run = 0; run < runs; run++) {
		struct consensus_ds ds = {
			.alpha = CONSENSUS_DS_ALPHA,
			.tol = CONSENSUS_DS_TOL,
			.max_iter = CONSENSUS_DS_MAX_ITER,
			.threads = threads,
		};
		double t;

		t0 = acc_monotonic();
		consensus_dawid_skene(nitems, nlab, NCLASSES, cells, &ds,
		    ds_out);
		t = acc_monotonic() - t0;
		if (best < 0 || t < best)
			best = t;
		iterations = ds.iterations;
		converged = ds.converged;
		if (run == runs - 1) {
			buf_add(&fit, (const char *)ds.posterior,
			    (size_t)nitems * NCLASSES * sizeof(double));
			buf_add(&fit, (const char *)ds.prior,
			    NCLASSES * sizeof(double));
			buf_add(&fit, (const char *)ds.confusion,
			    (size_t)nlab * NCLASSES * NCLASSES *
			    sizeof(double));
			acc_sha256_hex(fit.s, fit.len, sha);
			buf_free(&fit);
		}
		consensus_ds_free(&ds);
	}
	for (i = 0; i < nitems; i++) {
		right_maj += maj[i].label == truth[i];
		right_ds += ds_out[i].label == truth[i];
		decided += ds_out[i].label >= 0;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("items=%d labels=%lld labelers=%d iterations=%d converged=%d "
	    "seconds=%.3f build_seconds=%.3f rss_kb=%ld majority_acc=%.4f "
	    "ds_acc=%.4f ds_decided=%lld fit_sha256=%s\n", nitems, (long long)nitems * k,
	    nlab, iterations, converged, best, build, ru.ru_maxrss,
	    (double)right_maj / nitems, (double)right_ds / nitems, decided, sha);
	free(cells);
	free(truth);
	free(maj);
	free(ds_out);
	synth_free(&sy);
	return 0;
}
