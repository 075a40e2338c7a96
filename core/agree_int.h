/*
 * agree_int.h: what the agreement files share: the sums of the one pass
 * over the items (agree_scan.c), the HLP judgement lists the bootstrap
 * resamples (agree_boot.c), and the statistics computed from them
 * (agree_coef.c, agree_detail.c).  Nothing outside core/ sees it.
 */
#ifndef ACCORD_AGREE_INT_H
#define ACCORD_AGREE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "accord/agree.h"

/*
 * Limits that keep memory bounded: the k x k matrices and the per-pair
 * marginals (2k counts for each of L(L-1)/2 pairs).
 */
#define AGREE_MAX_CLASSES 4096
#define AGREE_MAX_LABELERS 65535
#define AGREE_MAX_PAIR_CELLS ((size_t)1 << 27)
#define AGREE_MAX_THREADS 8

/*
 * HLP judgements.  A judgement is one labeler's label on one item scored
 * against a reference: credit num / den, 1 or 0 against the item's
 * reference (den 1), else the share of the item's other labels that
 * agree with it (den = the item's labels - 1).  pad is 0, so that
 * lists compare as bytes.
 */
struct agree_judgement {
	uint16_t labeler; /* AGREE_MAX_LABELERS keeps both in 16 bits */
	uint16_t num, den;
	uint16_t pad;
};

static inline double
judgement_credit(const struct agree_judgement *j)
{
	return (double)j->num / j->den;
}

/* Distinct per-item judgement lists, with an open-addressing index. */
struct agree_patterns {
	uint32_t n, cap;
	uint32_t *off, *len;
	uint64_t *hash;
	double *credit; /* the item's HLP value: the mean of its credits */
	struct agree_judgement *pool;
	double *jcredit; /* each pool entry's credit */
	size_t npool, cappool;
	uint32_t *table; /* pattern id + 1, 0 empty */
	uint32_t tsize;  /* power of two */
};

/*
 * What percent agreement, Fleiss' kappa, AC1 and the alphas are made of:
 * sums over items of functions of the item's class counts, so that a
 * bootstrap replicate (agree_cboot.c) is the same sums weighted by how
 * often each count vector was drawn.  k classes; pi[c] = sum over
 * labeled items of n_uc / m_u; npair[c] and coinc[c][d] over pairable
 * items (pairable values of class c, Krippendorff's coincidences); pa =
 * sum over pairable items of the share of agreeing pairs.
 */
struct agree_csums {
	int k;
	double n1, n2, pa;
	double *pi, *npair, *coinc;
};

/* The coefficients agree_coefs computes, in this order. */
enum {
	AGREE_C_PERCENT,
	AGREE_C_FLEISS,
	AGREE_C_AC1,
	AGREE_C_ALPHA_NOMINAL,
	AGREE_C_ALPHA_ORDINAL,
	AGREE_C_ALPHA_INTERVAL,
	AGREE_NCOEF
};

/* Everything the single pass accumulates. */
struct agree_sums {
	int k, L;
	long long *conf;    /* k x k pooled confusion */
	double *coinc;      /* k x k coincidence matrix */
	long long *npair_c; /* values per class on pairable items */
	long long *used_c;  /* labels per class, all items */
	double *pi_sum;     /* sum over labeled items of n_uc / m_u */
	double pa_sum;      /* sum over pairable items of P_u */
	int unanimous;

	/* Per pair: shared items, agreements, and both marginals. */
	int *pn, *pagree, *pma, *pmb;

	long long *lab_n;   /* labels per labeler */
	long long *lab_cls; /* L x k: labels per labeler and class */
	int *lab_shared, *lab_gold, *lab_gold_ok;
	double *lab_credit;
	int *lab_scored;
	double *cls_credit, *cls_weight;
	double team_credit;     /* sum of the scored items' HLP values */
	long long team_scored;  /* judgements */
	long long team_items;   /* items with a judgement */
	int any_ref; /* some item has a reference or gold */
};

/* Index of the pair a < b among L labelers, in the order (0,1), (0,2)... */
static inline size_t
pair_index(int a, int b, int L)
{
	return (size_t)a * (size_t)(2 * L - a - 1) / 2 + (size_t)(b - a - 1);
}

static inline void
set_value(struct agree_stat *s, double v)
{
	s->value = v;
	s->defined = 1;
	s->why = NULL;
}

static inline void
set_undefined(struct agree_stat *s, const char *why)
{
	s->value = 0;
	s->defined = 0;
	s->why = why;
}

static inline void
ci_undefined(struct agree_ci *ci, const char *why)
{
	ci->lo = ci->hi = 0;
	ci->defined = 0;
	ci->why = why;
}

/* agree.c */

/* The labels by item that a dense input was turned into (agree_by_item). */
struct agree_csr {
	int *start, *lab, *cls;
};

/*
 * *by = *in with its labels by item (agree.h): in's own when it has them
 * (own stays zeroed), else made from its cells into *own, which the
 * caller frees with agree_csr_free.  Cells outside 0..nclasses-1 are no
 * label; an input with neither form has no labels.
 */
void agree_by_item(const struct agree_input *in, struct agree_input *by,
    struct agree_csr *own);
void agree_csr_free(struct agree_csr *own);

/* agree_scan.c */

/* Zeroed sums for k classes and L labelers; free with agree_sums_free. */
void agree_sums_init(struct agree_sums *s, int k, int L);
void agree_sums_free(struct agree_sums *s);
/* Free what the scan put in pt; pt is zeroed. */
void agree_patterns_free(struct agree_patterns *pt);
/*
 * Item patterns, with the number of items of each: the judgement lists
 * (pt, for HLP) and the class count vectors (cv, for the coefficients:
 * entries labeler = class, num = its labels, den 1, in class order).
 */
struct agree_scan_patterns {
	struct agree_patterns pt, cv;
	uint32_t *count, *cvcount;
	uint32_t npat;  /* items holding a judgement */
	uint32_t ncv;   /* labeled items */
};
void agree_scan_patterns_free(struct agree_scan_patterns *sp);

/*
 * The pass over the items (in checked by agree_compute, by item).  Fills
 * s, r's item counts and *sp (zeroed by the caller).
 */
void agree_scan(const struct agree_input *in, struct agree_sums *s,
    struct agree_result *r, struct agree_scan_patterns *sp);

/* agree_coef.c */

/* Why the multi-labeler statistics are undefined, or NULL. */
const char *agree_why_base(const struct agree_result *r);
/*
 * The coefficients of c (ordinal: the scale is ordered) into v; why[x]
 * is NULL when v[x] is defined, else the reason.  Needs c->n2 > 0.
 */
void agree_coefs(const struct agree_csums *c, int ordinal,
    double v[AGREE_NCOEF], const char *why[AGREE_NCOEF]);
/*
 * Krippendorff's sums for metric (0 nominal, 1 ordinal, 2 interval):
 * *num = sum_{c<k} o_ck d2(c, k), *den = sum_{c<k} n_c n_k d2(c, k), *dmax
 * the largest d2 between classes with pairable values.  Returns n, the
 * pairable values; alpha = 1 - (n - 1) num / den.
 */
double agree_alpha_sums(const struct agree_csums *s, int metric, double *num,
    double *den, double *dmax);
/* The statistic of r that coefficient x (AGREE_C_*) is. */
struct agree_stat *agree_coef_stat(struct agree_result *r, int x);
/* Percent agreement, Fleiss, Conger, AC1 and alpha into r. */
void agree_stats_global(const struct agree_input *in,
    const struct agree_sums *s, struct agree_result *r);

/* agree_detail.c: each allocates its arrays in r (agree_result_free). */

/* r->pairs and r->cohen_mean. */
void agree_stats_pairs(const struct agree_input *in, const struct agree_sums *s,
    struct agree_result *r);
/* r->confusion, r->classes and r->disagreements. */
void agree_stats_classes(const struct agree_input *in,
    const struct agree_sums *s, struct agree_result *r);
/* r->labelers and the team HLP; needs r->pairs. */
void agree_stats_labelers(const struct agree_input *in,
    const struct agree_sums *s, struct agree_result *r);

/* agree_cboot.c */

/*
 * The intervals of percent agreement, Fleiss' kappa, AC1 and the alphas:
 * o->bootstrap replicates resampling the labeled items by count vector
 * (sp->cv), BCa with the jackknife over the same vectors.  Needs
 * agree_stats_global's values in r.  Does nothing without replicates.
 */
void agree_coef_bootstrap(const struct agree_input *in,
    const struct agree_opts *o, const struct agree_scan_patterns *sp,
    struct agree_result *r);

/* agree_boot.c */

/*
 * Replicates on threads: worker t of n runs replicates t, t + n, t + 2n,
 * ... of the shared state, so each writes only its own.
 */
struct agree_worker {
	void *shared;
	int first, step;
};
/* Threads for `work` steps: want if > 0 (at most AGREE_MAX_THREADS), else
 * one below a few million steps, else one per CPU up to the maximum. */
int agree_threads(int want, uint64_t work);
/* fn(struct agree_worker *) on up to nthreads threads over nrep replicates
 * (a thread that cannot be created runs its share on the caller's). */
void agree_run_workers(void *(*fn)(void *), void *shared, int nrep,
    int nthreads);

/* xoshiro256** (agree_boot.c); seeded per replicate by agree_rng_seed. */
struct agree_rng {
	uint64_t s[4];
};

/* Replicate `replicate`'s generator under seed. */
void agree_rng_seed(struct agree_rng *r, uint64_t seed, uint64_t replicate);
/* An exact Binomial(n, p) variate (p outside (0, 1): 0 or n). */
uint32_t agree_binomial(struct agree_rng *r, uint32_t n, double p);

/*
 * A replicate's resampling of the items: how many of its nitems uniform
 * draws of an item land in each pattern, a multinomial draw made as a
 * binomial per pattern of AGREE_BINOMIAL_MIN items or more, largest
 * first, and single draws of the items of the others (agree_boot.c).
 */
#define AGREE_BINOMIAL_MIN 48

struct agree_resample {
	uint32_t npat, nitems;	/* patterns; items, the count's sum */
	const uint32_t *count;	/* npat items per pattern (not owned) */
	uint32_t *order;	/* pattern ids, largest first */
	uint32_t nbig;		/* order[0..nbig): drawn as binomials */
	uint32_t ntail, tail;	/* the other patterns and their items */
	uint32_t *cum;		/* ntail + 1: their cumulative counts */
	uint16_t *guide;	/* a guide table over cum, or NULL */
	uint32_t *bypos;	/* without one: each position's pattern */
	size_t nhist;		/* the entries agree_resample_draw fills */
};

/* The plan for npat patterns of count[p] >= 1 items; count must outlive it. */
void agree_resample_init(
    struct agree_resample *rs, const uint32_t *count, uint32_t npat);
void agree_resample_free(struct agree_resample *rs);
/*
 * One replicate's counts by pattern into hist[0..npat), from r; hist has
 * rs->nhist entries (the rest is scratch).
 */
void agree_resample_draw(
    const struct agree_resample *rs, struct agree_rng *r, uint32_t *hist);

/*
 * The HLP intervals: o->bootstrap replicates resampling the npat items
 * that hold a judgement (count[p] of them of pattern p in pt) into r's
 * team and labeler intervals.  Needs agree_stats_labelers' HLP values.
 * Does nothing without replicates or items.
 */
void agree_bootstrap(const struct agree_input *in, const struct agree_opts *o,
    const struct agree_sums *s, const struct agree_patterns *pt,
    const uint32_t *count, uint32_t npat, struct agree_result *r);

#endif
