/*
 * agree_scan.c: the one pass over the items that every agreement
 * statistic and HLP is computed from.
 *
 * The pass builds per-item class counts (a scratch vector touched only at
 * the classes present, so a pass costs O(labels on the item squared),
 * never O(classes)), the pooled labeler-vs-labeler confusion,
 * Krippendorff's coincidence matrix, the per-pair tables for Cohen's
 * kappa, Gwet's item-averaged proportions and each (labeler, item) HLP
 * judgement, with each item's list of judgements mapped to a pattern id
 * for the bootstrap (agree_boot.c).
 */
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "agree_int.h"

static uint64_t
patterns_hash(const struct agree_judgement *j, uint32_t n)
{
	uint64_t h = 0x84222325cbf29ce4ULL ^ n;
	uint32_t i;

	for (i = 0; i < n; i++) {
		h ^= ((uint64_t)j[i].labeler << 32) | (uint64_t)j[i].num << 16 |
		    j[i].den;
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

static void
patterns_rehash(struct agree_patterns *pt, uint32_t tsize)
{
	uint32_t i, slot;

	free(pt->table);
	pt->table = xcalloc(tsize, sizeof *pt->table);
	pt->tsize = tsize;
	for (i = 0; i < pt->n; i++) {
		slot = (uint32_t)pt->hash[i] & (tsize - 1);
		while (pt->table[slot] != 0)
			slot = (slot + 1) & (tsize - 1);
		pt->table[slot] = i + 1;
	}
}

/* The id of the list j[0..n-1], added if new. */
static uint32_t
patterns_id(
    struct agree_patterns *pt, const struct agree_judgement *j, uint32_t n)
{
	uint64_t h = patterns_hash(j, n);
	uint32_t slot, id, i;
	double credit = 0;

	if (pt->tsize == 0 || (uint64_t)(pt->n + 1) * 2 > pt->tsize)
		patterns_rehash(pt, pt->tsize == 0 ? 1024 : pt->tsize * 2);
	slot = (uint32_t)h & (pt->tsize - 1);
	while ((id = pt->table[slot]) != 0) {
		id--;
		if (pt->hash[id] == h && pt->len[id] == n &&
		    memcmp(pt->pool + pt->off[id], j, n * sizeof *j) == 0)
			return id;
		slot = (slot + 1) & (pt->tsize - 1);
	}
	if (pt->n == pt->cap) {
		pt->cap = pt->cap == 0 ? 256 : pt->cap * 2;
		pt->off = xreallocarray(pt->off, pt->cap, sizeof *pt->off);
		pt->len = xreallocarray(pt->len, pt->cap, sizeof *pt->len);
		pt->hash = xreallocarray(pt->hash, pt->cap, sizeof *pt->hash);
		pt->credit =
		    xreallocarray(pt->credit, pt->cap, sizeof *pt->credit);
	}
	if (pt->npool + n > pt->cappool) {
		while (pt->npool + n > pt->cappool)
			pt->cappool = pt->cappool == 0 ? 1024 : pt->cappool * 2;
		pt->pool =
		    xreallocarray(pt->pool, pt->cappool, sizeof *pt->pool);
		pt->jcredit = xreallocarray(
		    pt->jcredit, pt->cappool, sizeof *pt->jcredit);
	}
	id = pt->n++;
	memcpy(pt->pool + pt->npool, j, n * sizeof *j);
	pt->off[id] = (uint32_t)pt->npool;
	pt->len[id] = n;
	pt->hash[id] = h;
	for (i = 0; i < n; i++) {
		pt->jcredit[pt->npool + i] = judgement_credit(&j[i]);
		credit += pt->jcredit[pt->npool + i];
	}
	pt->credit[id] = n > 0 ? credit / n : 0;
	pt->npool += n;
	pt->table[slot] = id + 1;
	return id;
}

void
agree_patterns_free(struct agree_patterns *pt)
{
	free(pt->off);
	free(pt->len);
	free(pt->hash);
	free(pt->credit);
	free(pt->pool);
	free(pt->jcredit);
	free(pt->table);
	memset(pt, 0, sizeof *pt);
}

/*
 * Score the label x on one item whose class counts are cnt (m labels in
 * all) into *j (labeler set by the caller), and add the item's share of
 * the per-class HLP once, from its first label (first).  ref is the
 * item's reference (adjudicated, else gold) or -1.  Returns 0 when there
 * is nothing to score against (no reference and no other label).
 *
 * HLP is the expected agreement of one person's label with another
 * person's on the same item (or with the reference where there is one):
 * against a reference the credit is 1 or 0; else it is the share of the
 * m - 1 other labels that agree, (n_x - 1) / (m - 1), so that every
 * (labeler, other labeler) pair on the item counts once and the figure
 * does not depend on how many labeled the item.
 */
static int
hlp_judge(struct agree_sums *s, int x, int ref, const int *cnt,
    const int *pres, int nd, int m, int first, struct agree_judgement *j)
{
	int d, c;

	j->pad = 0;
	if (ref >= 0) {
		if (first) {
			/* Recall of the reference class: its labels' share. */
			s->cls_weight[ref] += 1;
			s->cls_credit[ref] += (double)cnt[ref] / m;
		}
		j->num = x == ref;
		j->den = 1;
		return 1;
	}
	if (m < 2)
		return 0;
	if (first)
		/*
		 * A random label of the item is of class c with probability
		 * n_c / m, and another then agrees with it with probability
		 * (n_c - 1) / (m - 1).
		 */
		for (d = 0; d < nd; d++) {
			c = pres[d];
			s->cls_weight[c] += (double)cnt[c] / m;
			s->cls_credit[c] += (double)cnt[c] * (cnt[c] - 1) /
			    ((double)m * (m - 1));
		}
	j->num = (uint16_t)(cnt[x] - 1);
	j->den = (uint16_t)(m - 1);
	return 1;
}

void
agree_sums_init(struct agree_sums *s, int k, int L)
{
	size_t np = (size_t)L * (size_t)(L > 0 ? L - 1 : 0) / 2;

	memset(s, 0, sizeof *s);
	s->k = k;
	s->L = L;
	s->conf = xcalloc((size_t)k * k, sizeof *s->conf);
	s->coinc = xcalloc((size_t)k * k, sizeof *s->coinc);
	s->npair_c = xcalloc((size_t)k, sizeof *s->npair_c);
	s->used_c = xcalloc((size_t)k, sizeof *s->used_c);
	s->pi_sum = xcalloc((size_t)k, sizeof *s->pi_sum);
	s->pn = xcalloc(np, sizeof *s->pn);
	s->pagree = xcalloc(np, sizeof *s->pagree);
	s->pma = xcalloc(np * k, sizeof *s->pma);
	s->pmb = xcalloc(np * k, sizeof *s->pmb);
	s->lab_n = xcalloc((size_t)L, sizeof *s->lab_n);
	s->lab_cls = xcalloc((size_t)L * k, sizeof *s->lab_cls);
	s->lab_shared = xcalloc((size_t)L, sizeof *s->lab_shared);
	s->lab_gold = xcalloc((size_t)L, sizeof *s->lab_gold);
	s->lab_gold_ok = xcalloc((size_t)L, sizeof *s->lab_gold_ok);
	s->lab_credit = xcalloc((size_t)L, sizeof *s->lab_credit);
	s->lab_scored = xcalloc((size_t)L, sizeof *s->lab_scored);
	s->cls_credit = xcalloc((size_t)k, sizeof *s->cls_credit);
	s->cls_weight = xcalloc((size_t)k, sizeof *s->cls_weight);
}

void
agree_sums_free(struct agree_sums *s)
{
	free(s->conf);
	free(s->coinc);
	free(s->npair_c);
	free(s->used_c);
	free(s->pi_sum);
	free(s->pn);
	free(s->pagree);
	free(s->pma);
	free(s->pmb);
	free(s->lab_n);
	free(s->lab_cls);
	free(s->lab_shared);
	free(s->lab_gold);
	free(s->lab_gold_ok);
	free(s->lab_credit);
	free(s->lab_scored);
	free(s->cls_credit);
	free(s->cls_weight);
}

/*
 * One item's labels, the scan's scratch: cnt (k entries, zero between
 * items) holds the item's labels per class, touched only at the nd
 * classes listed in pres; lab and cls the labeler and class of each of
 * its m labels; jl its judgements.
 */
struct item {
	int *cnt, *pres, *lab, *cls;
	struct agree_judgement *jl;
	int m, nd;
};

static void
item_init(struct item *it, int k, int L)
{
	size_t n = (size_t)(L > 0 ? L : 1);

	it->cnt = xcalloc((size_t)k, sizeof *it->cnt);
	it->pres = xcalloc(n, sizeof *it->pres);
	it->lab = xcalloc(n, sizeof *it->lab);
	it->cls = xcalloc(n, sizeof *it->cls);
	it->jl = xcalloc(n, sizeof *it->jl);
	it->m = it->nd = 0;
}

static void
item_free(struct item *it)
{
	free(it->cnt);
	free(it->pres);
	free(it->lab);
	free(it->cls);
	free(it->jl);
}

/*
 * Read item u's labels (by item, labelers ascending) into it, counting
 * each label in s.  The loop keeps its counts in locals: stores through
 * the arrays could alias it->m and it->nd, and reloading them per label
 * cost a tenth of the scan.
 */
static void
item_read(struct agree_sums *s, const struct agree_input *in, int u,
    struct item *it)
{
	int *cnt = it->cnt, *pres = it->pres, *lab = it->lab, *cls = it->cls;
	int e, j, x, k = s->k, m = 0, nd = 0;

	for (e = in->start[u]; e < in->start[u + 1]; e++) {
		j = in->lab[e];
		x = in->cls[e];
		lab[m] = j;
		cls[m] = x;
		m++;
		if (cnt[x]++ == 0)
			pres[nd++] = x;
		s->lab_n[j]++;
		s->lab_cls[(size_t)j * k + x]++;
		s->used_c[x]++;
	}
	it->m = m;
	it->nd = nd;
}

/* Zero the item's class counts for the next item. */
static void
item_clear(struct item *it)
{
	int d;

	for (d = 0; d < it->nd; d++)
		it->cnt[it->pres[d]] = 0;
}

/*
 * The class pairs of an item with m >= 2 labels: pooled confusion,
 * coincidences, and the item's share of agreeing pairs.
 */
static void
item_add_class_pairs(struct agree_sums *s, const struct item *it)
{
	const int *cnt = it->cnt, *pres = it->pres;
	int k = s->k, m = it->m, nd = it->nd, p, q, c, d;
	long long same = 0;

	if (nd == 1)
		s->unanimous++;
	/*
	 * Pooled confusion: ordered pairs of different labelers, n_c (n_d -
	 * [c = d]).  Krippendorff (2011) sec. C: the coincidence matrix
	 * counts the same pairs weighted 1 / (m_u - 1), so each unit
	 * contributes its m_u pairable values once.
	 */
	for (p = 0; p < nd; p++) {
		c = pres[p];
		s->npair_c[c] += cnt[c];
		for (q = 0; q < nd; q++) {
			long long v;

			d = pres[q];
			v = c == d ? (long long)cnt[c] * (cnt[c] - 1)
				   : (long long)cnt[c] * cnt[d];
			s->conf[(size_t)c * k + d] += v;
			s->coinc[(size_t)c * k + d] += (double)v / (m - 1);
		}
		same += (long long)cnt[c] * (cnt[c] - 1);
	}
	/*
	 * Fleiss (1971): P_i = sum_j n_ij (n_ij - 1) / (n (n - 1)), with the
	 * item's own n (Gwet 2014).
	 */
	s->pa_sum += (double)same / ((double)m * (m - 1));
}

/* Cohen (1960) tables, one per labeler pair, on the item they share. */
static void
item_add_labeler_pairs(struct agree_sums *s, const struct item *it)
{
	const int *lab = it->lab, *cls = it->cls;
	int k = s->k, L = s->L, m = it->m, p, q;

	for (p = 0; p < m; p++) {
		s->lab_shared[lab[p]]++;
		for (q = p + 1; q < m; q++) {
			size_t pi = pair_index(lab[p], lab[q], L);

			s->pn[pi]++;
			s->pagree[pi] += cls[p] == cls[q];
			s->pma[pi * k + cls[p]]++;
			s->pmb[pi * k + cls[q]]++;
		}
	}
}

/*
 * Score each of the item's labels against gold g and the HLP reference
 * ref (either -1 when the item has none); the scored judgements go to
 * it->jl, and the item's HLP value (the mean of their credits) to the
 * team's sum.  Returns how many.
 */
static int
item_judge(struct agree_sums *s, struct item *it, int g, int ref)
{
	const int *lab = it->lab, *cls = it->cls;
	int p, nj = 0;
	double item = 0;

	for (p = 0; p < it->m; p++) {
		struct agree_judgement *j = &it->jl[nj];

		if (g >= 0) {
			s->lab_gold[lab[p]]++;
			s->lab_gold_ok[lab[p]] += cls[p] == g;
		}
		if (!hlp_judge(s, cls[p], ref, it->cnt, it->pres, it->nd, it->m,
			nj == 0, j))
			continue;
		j->labeler = (uint16_t)lab[p];
		s->lab_scored[lab[p]]++;
		s->lab_credit[lab[p]] += judgement_credit(j);
		item += judgement_credit(j);
		s->team_scored++;
		nj++;
	}
	if (nj > 0) {
		s->team_credit += item / nj;
		s->team_items++;
	}
	return nj;
}

/*
 * Count one more item of the list jl[0..nj-1] in *count, grown with the
 * pattern table (*ncount entries so far).
 */
static void
count_pattern(struct agree_patterns *pt, const struct agree_judgement *jl,
    int nj, uint32_t **count, uint32_t *ncount)
{
	uint32_t id = patterns_id(pt, jl, (uint32_t)nj);

	if (id >= *ncount) {
		*count = xreallocarray(*count, pt->cap, sizeof **count);
		memset(
		    *count + *ncount, 0, (pt->cap - *ncount) * sizeof **count);
		*ncount = pt->cap;
	}
	(*count)[id]++;
}

/* The item's class count vector, classes ascending, into jl; its length. */
static int
item_counts(const struct item *it, struct agree_judgement *jl)
{
	int d, e, c;

	for (d = 0; d < it->nd; d++) {
		c = it->pres[d];
		for (e = d; e > 0 && jl[e - 1].labeler > c; e--)
			jl[e] = jl[e - 1];
		jl[e].labeler = (uint16_t)c;
		jl[e].num = (uint16_t)it->cnt[c];
		jl[e].den = 1;
		jl[e].pad = 0;
	}
	return it->nd;
}

void
agree_scan_patterns_free(struct agree_scan_patterns *sp)
{
	agree_patterns_free(&sp->pt);
	agree_patterns_free(&sp->cv);
	free(sp->count);
	free(sp->cvcount);
	memset(sp, 0, sizeof *sp);
}

void
agree_scan(const struct agree_input *in, struct agree_sums *s,
    struct agree_result *r, struct agree_scan_patterns *sp)
{
	int L = in->nlabelers, u, d, ref, g, nj;
	uint32_t ncount = 0, ncv = 0;
	struct item it;

	item_init(&it, in->nclasses, L);
	for (u = 0; L > 0 && u < in->nitems; u++) {
		item_read(s, in, u, &it);
		if (it.m == 0)
			continue;
		r->nlabeled++;
		r->nlabels += it.m;
		/*
		 * Gwet (2008), multiple raters: pi_q = (1/n) sum_i r_iq / r_i
		 * over the items with at least one rating (Gwet 2014 for
		 * missing ratings).
		 */
		for (d = 0; d < it.nd; d++)
			s->pi_sum[it.pres[d]] +=
			    (double)it.cnt[it.pres[d]] / it.m;
		if (it.m >= 2) {
			r->npairable++;
			item_add_class_pairs(s, &it);
			item_add_labeler_pairs(s, &it);
		}
		g = in->gold != NULL ? in->gold[u] : -1;
		ref = in->reference != NULL ? in->reference[u] : -1;
		if (ref < 0)
			ref = g;
		if (ref >= 0)
			s->any_ref = 1;
		if ((nj = item_judge(s, &it, g, ref)) > 0) {
			count_pattern(&sp->pt, it.jl, nj, &sp->count, &ncount);
			sp->npat++;
		}
		nj = item_counts(&it, it.jl);
		count_pattern(&sp->cv, it.jl, nj, &sp->cvcount, &ncv);
		sp->ncv++;
		item_clear(&it);
	}
	item_free(&it);
}
