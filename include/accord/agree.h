/*
 * agree.h: inter-annotator agreement and human-level performance (HLP) on
 * an in-memory ratings matrix.
 *
 * Pure computation: no store, no printing, no global state, so callers may
 * run agree_compute() on several matrices (one per slice, batch, guideline
 * version) one after another or from several threads.  Every formula, its
 * source and what "undefined" means for it are in docs/statistics.md.
 *
 * The matrix is items x labelers.  A cell holds the class index (0 to
 * nclasses - 1) of the label in force for that (item, labeler), or -1 when
 * the labeler has no label on the item.  Superseded and withdrawn labels
 * are the caller's business: pass only the label in force.  It comes
 * dense (every cell) or by item (only the labels, in memory proportional
 * to them: what a store with many labelers, each labeling a few of the
 * items, needs).
 *
 * A statistic that cannot be computed is reported with defined = 0 and a
 * reason (one of the AGREE_WHY_* strings below), never as NaN.
 */
#ifndef ACCORD_AGREE_H
#define ACCORD_AGREE_H

#include <stdint.h>

/* The reasons a statistic can be undefined (static strings). */
#define AGREE_WHY_NO_LABELS "no labels"
#define AGREE_WHY_ONE_LABELER "one labeler"
#define AGREE_WHY_NO_PAIRS "no item with two labels"
#define AGREE_WHY_ONE_CLASS "one class only"
#define AGREE_WHY_NOMINAL "nominal scale"
#define AGREE_WHY_NO_SHARED "no item labeled by both"
#define AGREE_WHY_NO_GOLD "no gold item"
#define AGREE_WHY_NO_REFERENCE "no item with a reference"
#define AGREE_WHY_CLASS_UNUSED "class not used on an item with two labels"
#define AGREE_WHY_NO_BOOTSTRAP "no bootstrap"
#define AGREE_WHY_FEW_ITEMS "too few items for a bootstrap interval"
#define AGREE_WHY_RESAMPLE "undefined in some resamples"
#define AGREE_WHY_NO_SPREAD "every resample gave the same value"
#define AGREE_WHY_MANY_CLASSES "too many classes for a bootstrap interval"

/* A statistic: value is meaningful only when defined is 1. */
struct agree_stat {
	double value;
	int defined;
	const char *why; /* AGREE_WHY_* when !defined, else NULL */
};

/*
 * An interval (lo <= hi) at opts->confidence: the bias-corrected and
 * accelerated (BCa) item bootstrap, or Wilson's score interval for HLP
 * when every resample gave the same value (docs/statistics.md).
 */
struct agree_ci {
	double lo, hi;
	int defined;
	const char *why;
};

struct agree_input {
	int nitems;
	int nlabelers;
	int nclasses; /* k >= 1; for ordinal scales in scale order */
	/*
	 * The labels, in one of two forms.  Dense: nitems * nlabelers cells,
	 * row-major: the cell of item i and labeler j is
	 * cells[(size_t)i * nlabelers + j], a class index or -1.
	 *
	 * By item (cells NULL; compressed sparse rows): item i's labels are
	 * the entries start[i] to start[i + 1] - 1 (start has nitems + 1
	 * entries, start[0] = 0), entry x being labeler lab[x]'s label of
	 * class cls[x] (0..nclasses - 1).  Within an item the labelers
	 * ascend, each at most once.  A dense input is turned into this form
	 * first, so the two give the same result bit for bit.
	 */
	const int *cells;
	const int *start, *lab, *cls;
	int ordinal; /* 1: classes 0..k-1 are an ordered scale */
	/*
	 * The borderline class or -1.  It is a category like the others for
	 * the nominal statistics; on an ordinal scale it must lie strictly
	 * inside the scale (0 < borderline < k - 1), since it is the middle
	 * of the scale.
	 */
	int borderline;
	/*
	 * Optional, nitems entries each, class or -1: the adjudicated label
	 * and the gold label of each item.  HLP uses reference[i], else
	 * gold[i], else the leave-one-out majority; gold also gives each
	 * labeler's accuracy on gold items.
	 */
	const int *reference;
	const int *gold;
};

struct agree_opts {
	int bootstrap;     /* replicates for HLP intervals; 0: none */
	uint64_t seed;     /* the same seed gives the same intervals */
	double confidence; /* interval coverage, 0 < c < 1 */
	int threads;       /* bootstrap threads; 0: one per CPU, up to 8 */
};

/* One unordered labeler pair a < b (Cohen's kappa on shared items). */
struct agree_pair {
	int a, b;
	int nshared;     /* items labeled by both */
	double observed; /* p_o; 0 when nshared is 0 */
	double expected; /* p_e; 0 when nshared is 0 */
	struct agree_stat kappa;
};

struct agree_class {
	long long nlabels; /* labels of this class, all items */
	int borderline;    /* 1 for the input's borderline class */
	/* Specific agreement: agreeing pairs / pairs involving the class. */
	struct agree_stat specific;
	/*
	 * HLP restricted to judgements whose reference is this class (a tie
	 * in the leave-one-out majority spreads one judgement over the tied
	 * classes); weight is the number of such judgements.
	 */
	struct agree_stat hlp;
	double hlp_weight;
};

/* A class pair c < k and how much of the disagreement it accounts for. */
struct agree_disagreement {
	int c, k;
	long long count; /* pairs of labels (c, k) on the same item */
	double share;    /* count / all disagreeing pairs */
};

struct agree_labeler {
	long long nlabels;
	int nshared; /* items labeled by this and another labeler */
	/* Agreeing / all pairs (this labeler, another) on the same item. */
	struct agree_stat agree_others;
	struct agree_stat kappa_mean; /* mean of defined Cohen kappas */
	int ngold;                    /* gold items this labeler labeled */
	struct agree_stat gold_accuracy;
	int nscored; /* items with a reference for HLP */
	struct agree_stat hlp;
	struct agree_ci hlp_ci;
};

struct agree_result {
	int nitems, nlabelers, nclasses;
	int nactive;   /* labelers with at least one label */
	int nlabeled;  /* items with >= 1 label */
	int npairable; /* items with >= 2 labels */
	long long nlabels;

	struct agree_stat percent;   /* mean pairwise agreement per item */
	struct agree_stat unanimous; /* share of pairable items unanimous */
	struct agree_stat fleiss;
	struct agree_stat conger; /* = Davies & Fleiss when complete */
	struct agree_stat ac1;
	struct agree_stat alpha_nominal;
	struct agree_stat alpha_ordinal;
	struct agree_stat alpha_interval;
	struct agree_stat cohen_mean; /* mean of the defined pair kappas */
	/*
	 * Item-bootstrap intervals of percent, fleiss, ac1 and the alphas
	 * (none for Conger and the Cohen pairs, which depend on who labeled
	 * what, not only on the items' class counts).
	 */
	struct agree_ci percent_ci, fleiss_ci, ac1_ci;
	struct agree_ci alpha_nominal_ci, alpha_ordinal_ci, alpha_interval_ci;

	int npairs;               /* nlabelers * (nlabelers - 1) / 2 */
	struct agree_pair *pairs; /* (0,1), (0,2), ..., (1,2), ... */

	/*
	 * The pooled labeler-vs-labeler confusion, nclasses x nclasses,
	 * row-major: confusion[c * k + d] is the number of ordered pairs of
	 * different labelers on the same item saying c and d.  Symmetric; each
	 * agreeing pair counts twice on the diagonal.
	 */
	long long *confusion;
	struct agree_class *classes; /* nclasses */
	/* Class pairs with count > 0, most disagreement first. */
	int ndisagreements;
	struct agree_disagreement *disagreements;

	struct agree_labeler *labelers; /* nlabelers */

	/* HLP pooled over every scored (labeler, item) judgement. */
	struct agree_stat team_hlp;
	struct agree_ci team_hlp_ci;
	long long team_scored; /* judgements scored */
	int hlp_items;         /* items resampled by the bootstrap */
	int bootstrap;         /* replicates run */
};

/* Defaults: 1000 replicates, seed 1, confidence 0.95, threads 0. */
void agree_opts_init(struct agree_opts *opts);

/*
 * Compute every statistic of the input into *out (opts NULL: defaults).
 * The caller frees *out with agree_result_free() after a 0 return; after
 * -1 *out holds nothing to free.  Returns -1 with *cause set (caller
 * frees) when the input is malformed: negative sizes, nclasses < 1, a cell,
 * reference or gold outside -1..nclasses-1, entries by item out of order
 * or out of range, a borderline class outside the
 * scale or at an end of an ordinal scale, or bad options.  Allocation
 * failure aborts (xmalloc).  Statistics that the data cannot define are
 * not errors: they come back with defined = 0.
 *
 * Cost: one pass, O(sum over items of labels^2) plus O(k^2); the bootstrap
 * adds O(B x (items + length of the distinct per-item judgement lists)),
 * on up to opts->threads threads.  Memory: O(k^2 + L^2 k + labels), and
 * O(items x labelers) more only for a dense input.
 */
int agree_compute(const struct agree_input *in, const struct agree_opts *opts,
    struct agree_result *out, char **cause);

/* Free what agree_compute() allocated in r (not r itself); r is zeroed. */
void agree_result_free(struct agree_result *r);

#endif
