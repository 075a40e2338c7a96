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
 * against a reference; code 0 means it missed, code t >= 1 means credit
 * 1/t (1: matched; t >= 2: the label is one of t classes tied for the
 * leave-one-out majority, so it matches a uniformly broken tie with
 * probability 1/t).
 */
struct agree_judgement {
	uint16_t labeler; /* AGREE_MAX_LABELERS keeps both in 16 bits */
	uint16_t code;
};

static inline double
judgement_credit(uint32_t code)
{
	return code == 0 ? 0.0 : 1.0 / code;
}

/* Distinct per-item judgement lists, with an open-addressing index. */
struct agree_patterns {
	uint32_t n, cap;
	uint32_t *off, *len;
	uint64_t *hash;
	double *credit; /* sum of the list's credits */
	struct agree_judgement *pool;
	size_t npool, cappool;
	uint32_t *table; /* pattern id + 1, 0 empty */
	uint32_t tsize;  /* power of two */
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
	double team_credit;
	long long team_scored;
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
 * The pass over the items (in checked by agree_compute, by item).  Fills s, r's
 * item counts and the pattern table pt (zeroed by the caller); *count
 * (NULL on entry, grown here, caller frees) receives the number of items
 * of each pattern and *npat the number of items holding a judgement.
 */
void agree_scan(const struct agree_input *in, struct agree_sums *s,
    struct agree_result *r, struct agree_patterns *pt, uint32_t **count,
    uint32_t *npat);

/* agree_coef.c */

/* Why the multi-labeler statistics are undefined, or NULL. */
const char *agree_why_base(const struct agree_result *r);
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

/* agree_boot.c */

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
    const struct agree_patterns *pt, const uint32_t *count, uint32_t npat,
    struct agree_result *r);

#endif
