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
 * The one-coin model behind the majority vote's confidence: every labeler
 * answers right with probability a and otherwise picks one of the other
 * K - 1 classes at random; classes occur with prevalences prior[k].  Then
 * for an item whose votes are n_k (docs/statistics.md, "Majority vote"):
 *
 *   P(truth = k | votes) = prior_k r^n_k / sum_q prior_q r^n_q,
 *   r = a (K - 1) / (1 - a)
 *
 * a comes from the pairwise agreement of labels on the same item (two
 * labelers agree with probability a^2 + (1 - a)^2 / (K - 1) under the
 * model, whatever the prevalences), the agreement smoothed as one agreeing
 * and one disagreeing pair more, so no project makes a = 1 and one vote
 * is never certainty.  prior is the labels' class shares (Laplace
 * smoothed) with the labelers' errors taken out.
 */
struct consensus_onecoin {
	int nclasses;
	long long pairs;	/* pairs of labels on the same item */
	long long agree;	/* ... of the same class */
	double agreement;	/* (agree + 1) / (pairs + 2) */
	double accuracy;	/* a, in [1/K, 1) */
	double *prior;		/* nclasses prevalences, each > 0, sum 1 */
};

/* Fit the one-coin model to in's labels into *oc (free with
 * consensus_onecoin_free).  O(labels + items x K). */
void consensus_onecoin_fit(const struct agree_input *in,
    struct consensus_onecoin *oc);
/* P(truth = c | an item's vote counts count[0..K-1]) under oc; computed
 * in logs, so any number of votes is fine.  Every class with prior > 0 is
 * strictly between 0 and 1 unless K is 1. */
double consensus_onecoin_posterior(const struct consensus_onecoin *oc,
    const int *count, int c);
void consensus_onecoin_free(struct consensus_onecoin *oc);

/*
 * Majority vote of each item: the class with the most labels; its
 * confidence is the posterior probability that it is the truth under the
 * one-coin model fitted to all of the labels (consensus_onecoin above), not
 * the vote share: one vote of an item is never certainty, and 4 of 5 votes
 * of labelers who agree often is near it.  A tie for the most votes is
 * undecided: label -1, tie 1 (the export leaves such items out; it never
 * picks one of the tied classes by order, which would bias towards the
 * first classes).  An item without labels has label -1, tie 0.
 * out has nitems entries.
 */
void consensus_majority(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_item *out);
/* The same on in's labels (dense or by item), in->nitems entries.  When oc
 * is not NULL it gets the model fitted (free with consensus_onecoin_free). */
void consensus_majority_in(const struct agree_input *in,
    struct consensus_item *out);
void consensus_majority_fit_in(const struct agree_input *in,
    struct consensus_onecoin *oc, struct consensus_item *out);

/* Dawid-Skene defaults (docs/statistics.md says why these). */
#define CONSENSUS_DS_ALPHA 1.0
/* Relative change of the penalised log-likelihood that ends the EM. */
#define CONSENSUS_DS_TOL 1e-10
#define CONSENSUS_DS_MAX_ITER 10000
/* Items with fewer labels than this take the majority vote. */
#define CONSENSUS_DS_MIN_LABELS 3
/* Posteriors closer than this are a tie. */
#define CONSENSUS_TIE_EPS 1e-9

struct consensus_ds {
	/* In: additive smoothing of every count, tolerance, iteration cap. */
	double alpha;
	double tol;
	int max_iter;
	/*
	 * In: 1 for plain EM rounds; 0 (the default) accelerates them with
	 * SQUAREM (docs/statistics.md), which reaches the same fit in a
	 * fraction of the rounds by another path.
	 */
	int plain;
	/* In: threads of a round; 0: one per CPU (up to 8) on large inputs.
	 * The fit is the same bit for bit whatever the number. */
	int threads;
	/* Out (consensus_dawid_skene allocates; consensus_ds_free frees). */
	int nitems, nlabelers, nclasses;
	int iterations;		/* EM rounds run (M-step + E-step each) */
	/*
	 * 1: the relative change of loglik in the last round was at most
	 * tol; 0: the fit stopped at max_iter rounds (the cap).
	 */
	int converged;
	double loglik;		/* penalised log-likelihood of the fit */
	double rel_change;	/* |change of loglik| / |loglik|, last round
				 * (NAN after a single round) */
	double delta;		/* max posterior change of the last round */
	/*
	 * Decisions (when out is given): items with 1 or 2 labels, which
	 * took the majority vote; and items of 3 or more labels whose
	 * largest posterior was a class no labeler gave them (the consensus
	 * is then the most probable class that was given).
	 */
	int few_labels;
	int unused_top;
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
 * them, as rescaled products; in logs should one underflow), which also
 * gives the log-likelihood of the parameters, plus alpha times the logs
 * of every prior and confusion entry (the smoothing as a Dirichlet prior:
 * the quantity the smoothed EM increases).  Stops after the first round
 * (from the second) whose relative change of it is at most tol, or after
 * max_iter rounds (converged 0).  ds->alpha/tol/max_iter must be set
 * (alpha > 0, tol >= 0, max_iter >= 1); the rest is filled.
 *
 * If out is not NULL it gets one entry per item.  An item with fewer than
 * CONSENSUS_DS_MIN_LABELS labels takes its majority vote (source majority;
 * a 1-1 split is a tie), with the fit's posterior of that class as its
 * confidence: with two labels the model cannot tell which of them erred,
 * and its argmax there follows the labelers' habits, even to a class
 * neither gave.
 * Otherwise the consensus is, among the classes some labeler gave the
 * item, the one of highest posterior, and the confidence that posterior: a
 * class nobody gave the item is given posterior 0 in the decision, so it
 * is never the consensus, while the confidence stays the fit's
 * P(truth = class | labels).  Within CONSENSUS_TIE_EPS it is a tie (label
 * -1, tie 1).
 *
 * Cost: O(rounds x (labels x K + L x K^2 + items x K)) time,
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
 * and in->gold as the gold ones (either may be NULL).  oc may be NULL; when
 * not NULL and the majority vote decided (method or fallback majority), it
 * gets the one-coin model (free with consensus_onecoin_free); else
 * oc->prior is NULL.
 */
void consensus_compute_in(const struct agree_input *in,
    enum consensus_method method, enum consensus_method fallback,
    struct consensus_ds *ds, struct consensus_onecoin *oc,
    struct consensus_item *out);

#endif
