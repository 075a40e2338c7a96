/*
 * calibration.h: how well a consensus confidence means what it says.  A
 * reliability table (equal-width bins of confidence: count, mean
 * confidence, share correct) and the expected calibration error, from
 * items whose truth is known; and the run of it on a store, the known
 * truth being the gold items (docs/statistics.md, "Calibration").
 *
 * Functions returning int give 0, or -1 with *cause (malloc'd, the
 * caller frees).  Allocation failure aborts (xmalloc).  Nothing prints.
 */
#ifndef ACCORD_CALIBRATION_H
#define ACCORD_CALIBRATION_H

#include "accord/consensus.h"
#include "accord/store.h"

#define CALIBRATION_MAX_BINS 100

struct calibration_bin {
	double lo, hi;		/* [lo, hi); the last bin is [lo, 1] */
	long long n;		/* items whose confidence falls here */
	double confidence;	/* their mean confidence (NAN if n is 0) */
	double accuracy;	/* their share correct (NAN if n is 0) */
};

struct calibration {
	int nbins;
	struct calibration_bin *bins;
	long long n;		/* items scored */
	double confidence;	/* mean confidence (NAN if n is 0) */
	double accuracy;	/* share correct (NAN if n is 0) */
	/* sum_b n_b / n |accuracy_b - confidence_b| (NAN if n is 0) */
	double ece;
	double mce;		/* max_b of the same over non-empty bins */
	double brier;		/* mean (confidence - correct)^2 */
};

/*
 * The table of n items: conf[i] in [0, 1] and correct[i] 0 or 1, in nbins
 * (1..CALIBRATION_MAX_BINS) equal-width bins.  Sums run in item order, so
 * the same input gives the same figures bit for bit.  Returns 0, or -1
 * with *cause for nbins out of range or a confidence outside [0, 1] or
 * NaN.  Free *out with calibration_free.
 */
int calibration_table(const double *conf, const int *correct, long long n,
    int nbins, struct calibration *out, char **cause);
void calibration_free(struct calibration *c);

struct calibration_opts {
	const char *user;		/* the real OS user; sme or admin */
	enum consensus_method method;	/* majority or dawid-skene */
	int bins;			/* 1..CALIBRATION_MAX_BINS */
};

struct calibration_report {
	enum consensus_method method;
	char *task;
	int nclasses;
	char **classes;		/* position order */
	long long items;	/* items in the store */
	long long gold;		/* gold items */
	long long ties;		/* gold items whose consensus is a tie */
	long long unlabeled;	/* gold items without a label in force */
	struct calibration cal;	/* over the other gold items */
	/* Per class of the gold answer: items scored and correct. */
	long long *class_n, *class_correct;
	/* Dawid-Skene's fit when it ran (iterations 0 otherwise). */
	int ds_iterations, ds_converged, ds_few_labels;
	/* The majority's one-coin model accuracy (0 for dawid-skene). */
	double onecoin_accuracy;
};

/*
 * Score the consensus confidence of o->method, computed from all of the
 * labels in force (never from gold or adjudications), against the gold
 * items' classes.  Refuses unless o->user is sme or admin.  A store
 * without gold items is not an error: the table is empty (n 0) and the
 * figures undefined.  Free *out with calibration_report_free.
 */
int calibration_run(struct store *st, const struct calibration_opts *o,
    struct calibration_report *out, char **cause);
void calibration_report_free(struct calibration_report *r);

#endif
