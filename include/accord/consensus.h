/*
 * consensus.h: one label per item from several labelers' labels: majority
 * vote, Dawid & Skene (1979) EM, and SME decisions (adjudications, gold)
 * over either.
 *
 * Pure computation on the items x labelers matrix of agree.h (a cell is a
 * class index or -1), dense (the functions taking cells) or as an
 * agree_input, whose labels by item keep memory proportional to the
 * labels (the *_in functions): no store, no printing.  Formulas and sources are in
 * docs/statistics.md ("Consensus").  Allocation failure aborts (xmalloc).
 */
#ifndef ACCORD_CONSENSUS_H
#define ACCORD_CONSENSUS_H

#include "accord/agree.h"

enum consensus_method {
	CONSENSUS_MAJORITY = 0,
	CONSENSUS_DAWID_SKENE = 1,
	/* The SME's decision where there is one, else the fallback. */
	CONSENSUS_ADJUDICATED = 2,
};

/* "majority", "dawid-skene", "adjudicated"; and back (-1 if unknown). */
const char *consensus_method_name(enum consensus_method m);
int consensus_method_from_name(const char *s);

/* Where an item's consensus came from. */
enum consensus_source {
	CONSENSUS_SRC_NONE = 0,	/* no label: unlabeled or a tie */
	CONSENSUS_SRC_MAJORITY,
	CONSENSUS_SRC_DAWID_SKENE,
	CONSENSUS_SRC_ADJUDICATION,
	CONSENSUS_SRC_GOLD,
};
const char *consensus_source_name(enum consensus_source s);

struct consensus_item {
	int label;		/* class index, or -1 (see tie) */
	double confidence;	/* 0..1; 0 when label is -1 */
	int nlabels;		/* labels in force on the item */
	int tie;		/* 1: the top classes tied, label is -1 */
	enum consensus_source source;
};

/*
 * Majority vote of each item: the class with the most labels; confidence
 * is its vote share (votes / labels).  A tie for the most votes is
 * undecided: label -1, tie 1 (the export leaves such items out; it never
 * picks one of the tied classes by order, which would bias towards the
 * first classes).  An item without labels has label -1, tie 0.
 * out has nitems entries.
 */
void consensus_majority(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_item *out);
/* The same on in's labels (dense or by item), in->nitems entries. */
void consensus_majority_in(const struct agree_input *in,
    struct consensus_item *out);

/* Dawid-Skene defaults (docs/statistics.md says why these). */
#define CONSENSUS_DS_ALPHA 0.01
#define CONSENSUS_DS_TOL 1e-6
#define CONSENSUS_DS_MAX_ITER 200
/* Posteriors closer than this are a tie. */
#define CONSENSUS_TIE_EPS 1e-9

struct consensus_ds {
	/* In: additive smoothing of every count, tolerance, iteration cap. */
	double alpha;
	double tol;
	int max_iter;
	/* In: threads of a round; 0: one per CPU (up to 8) on large inputs.
	 * The fit is the same bit for bit whatever the number. */
	int threads;
	/* Out (consensus_dawid_skene allocates; consensus_ds_free frees). */
	int nitems, nlabelers, nclasses;
	int iterations;		/* EM rounds run (M-step + E-step each) */
	int converged;		/* 1: max posterior change < tol */
	double delta;		/* max posterior change of the last round */
	double *prior;		/* nclasses: class prevalence p_k */
	/*
	 * nlabelers x nclasses x nclasses: confusion[(j * K + k) * K + l] is
	 * labeler j's probability of answering l when the truth is k.
	 */
	double *confusion;
	/*
	 * nitems x nclasses: P(truth = k | labels) per item.  Items without
	 * labels take no part in the EM; their row is the prior.
	 */
	double *posterior;
};

/*
 * Dawid & Skene (1979) EM over per-labeler confusion matrices.
 *
 * Initialisation: each labeled item's posterior is its vote shares (soft
 * majority vote).  Each round: M-step (priors and confusion matrices from
 * the posteriors, every count plus alpha), then E-step (posteriors from
 * them, as rescaled products; in logs should one underflow).  Stops when
 * the largest change of any posterior is below tol, or after max_iter
 * rounds.  ds->alpha/tol/max_iter must be
 * set (alpha > 0, tol > 0, max_iter >= 1); the rest is filled.
 *
 * If out is not NULL it gets one entry per item: the class of highest
 * posterior and that posterior as confidence; a tie within
 * CONSENSUS_TIE_EPS is undecided (label -1, tie 1).
 *
 * Cost: O(max_iter x (labels x K + L x K^2 + items x K)) time,
 * O(items x K + labels) memory.
 */
void consensus_dawid_skene(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_ds *ds, struct consensus_item *out);
/* The same on in's labels: the same fit bit for bit, dense or by item. */
void consensus_dawid_skene_in(const struct agree_input *in,
    struct consensus_ds *ds, struct consensus_item *out);
void consensus_ds_free(struct consensus_ds *ds);

/*
 * The consensus of every item under a method.  adjudicated[i] is the class
 * of the item's newest adjudication when its status is 'class' (else -1)
 * and gold[i] its gold class (else -1); both may be NULL.  With
 * CONSENSUS_ADJUDICATED an adjudication wins, then gold, each with
 * confidence 1; other items take the fallback (majority or dawid-skene).
 * With majority or dawid-skene, adjudications and gold are not used.
 * ds may be NULL; when not NULL and Dawid-Skene ran, it holds the fit (the
 * caller sets alpha/tol/max_iter, or leaves alpha 0 for the defaults).
 */
void consensus_compute(int nitems, int nlabelers, int nclasses,
    const int *cells, const int *adjudicated, const int *gold,
    enum consensus_method method, enum consensus_method fallback,
    struct consensus_ds *ds, struct consensus_item *out);
/*
 * The same on in's labels, with in->reference as the adjudicated classes
 * and in->gold as the gold ones (either may be NULL).
 */
void consensus_compute_in(const struct agree_input *in,
    enum consensus_method method, enum consensus_method fallback,
    struct consensus_ds *ds, struct consensus_item *out);

#endif
