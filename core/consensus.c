/*
 * consensus.c: majority vote, Dawid-Skene EM and adjudicated consensus
 * (see include/accord/consensus.h and docs/statistics.md, "Consensus").
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/consensus.h"
#include "accord/util.h"
#include "agree_int.h"

static const char *const method_names[] = {
	"majority", "dawid-skene", "adjudicated",
};

const char *
consensus_method_name(enum consensus_method m)
{
	if ((unsigned)m >= sizeof method_names / sizeof method_names[0])
		return "?";
	return method_names[m];
}

int
consensus_method_from_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
		if (strcmp(s, method_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
consensus_source_name(enum consensus_source s)
{
	switch (s) {
	case CONSENSUS_SRC_MAJORITY: return "majority";
	case CONSENSUS_SRC_DAWID_SKENE: return "dawid-skene";
	case CONSENSUS_SRC_ADJUDICATION: return "adjudication";
	case CONSENSUS_SRC_GOLD: return "gold";
	case CONSENSUS_SRC_NONE: break;
	}
	return "none";
}

/*
 * The class of the largest of v[0..k-1], or -1 when the two largest are
 * within eps (a tie).  *top gets the largest value.
 */
static int
argmax_untied(const double *v, int k, double eps, double *top)
{
	int c, best = 0;

	for (c = 1; c < k; c++)
		if (v[c] > v[best])
			best = c;
	*top = v[best];
	for (c = 0; c < k; c++)
		if (c != best && v[c] >= v[best] - eps)
			return -1;
	return best;
}

/* A dense matrix as an agree_input (labels by item made on use). */
static struct agree_input
dense_input(int nitems, int nlabelers, int nclasses, const int *cells)
{
	struct agree_input in;

	memset(&in, 0, sizeof in);
	in.nitems = nitems;
	in.nlabelers = nlabelers;
	in.nclasses = nclasses;
	in.cells = cells;
	in.borderline = -1;
	return in;
}

void
consensus_majority(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_item *out)
{
	struct agree_input in = dense_input(nitems, nlabelers, nclasses,
	    cells);

	consensus_majority_in(&in, out);
}

/* Item i's vote counts into count[0..K-1]; returns the item's labels. */
static int
votes_of(const struct agree_input *in, int i, int *count)
{
	int K = in->nclasses, n = 0, x;

	memset(count, 0, (size_t)K * sizeof *count);
	for (x = in->start[i]; x < in->start[i + 1]; x++) {
		int c = in->cls[x];

		if (c >= 0 && c < K) {
			count[c]++;
			n++;
		}
	}
	return n;
}

/*
 * The one-coin model (consensus.h; docs/statistics.md, "Majority vote").
 * Under it two labels of one item agree with probability
 *   P = a^2 + (1 - a)^2 / (K - 1)
 * (both right, or both wrong the same way), whatever the prevalences, so
 * a = (1 + sqrt(1 - K + K (K - 1) P)) / K, the root at or above chance
 * 1/K; agreement at or below chance gives a = 1/K (votes say nothing).
 */
static void
onecoin_accuracy(struct consensus_onecoin *oc, int K)
{
	double disc;

	oc->agreement = ((double)oc->agree + 1) / ((double)oc->pairs + 2);
	if (K < 2) {
		oc->accuracy = 1;
		return;
	}
	disc = 1 - K + (double)K * (K - 1) * oc->agreement;
	oc->accuracy = disc > 0 ? (1 + sqrt(disc)) / K : 1.0 / K;
}

/* Vote vectors are sorted as records of K + 1 ints, the first K. */
static int
votes_cmp(const void *pa, const void *pb)
{
	const int *a = pa, *b = pb;
	int k;

	for (k = 1; k <= a[0]; k++)
		if (a[k] != b[k])
			return a[k] < b[k] ? -1 : 1;
	return 0;
}

/*
 * The prevalences, by EM with a fixed: the label shares overstate the rare
 * classes (errors spread labels over them), and the maximum likelihood
 * given a takes that out.  E-step: T_ik = P(truth k | votes) as in
 * consensus_onecoin_posterior; M-step: p_k = (1 + sum_i T_ik) / (K + N)
 * (Laplace, so no class's prior is 0).  From the label shares (Laplace
 * too), until no p_k moves by 1e-12 or 1000 rounds.  Items with the same
 * votes have the same T_i, so the rounds run over the distinct vote
 * vectors (a few dozen with overlaps up to 7), weighted by how many items
 * have each.
 */
#define ONECOIN_PRIOR_ROUNDS 1000
#define ONECOIN_PRIOR_TOL 1e-12

static void
onecoin_prior(struct consensus_onecoin *oc, int *rec, int nrec,
    const long long *m, long long labels)
{
	int K = oc->nclasses, d, ndist = 0, k, round;
	double *w, *np, *T, lr;

	oc->prior = xcalloc((size_t)K + 1, sizeof *oc->prior);
	for (k = 0; k < K; k++)
		oc->prior[k] = ((double)m[k] + 1) / ((double)labels + K);
	if (K < 2 || nrec == 0)
		return;
	qsort(rec, (size_t)nrec, (size_t)(K + 1) * sizeof *rec, votes_cmp);
	w = xcalloc((size_t)nrec, sizeof *w);
	for (d = 0; d < nrec; d++) {
		int *r = rec + (size_t)d * (K + 1);

		if (ndist > 0 && votes_cmp(rec + (size_t)(ndist - 1) * (K + 1),
		    r) == 0) {
			w[ndist - 1]++;
			continue;
		}
		memmove(rec + (size_t)ndist * (K + 1), r,
		    (size_t)(K + 1) * sizeof *rec);
		w[ndist++] = 1;
	}
	np = xcalloc((size_t)K, sizeof *np);
	T = xcalloc((size_t)K, sizeof *T);
	lr = log(oc->accuracy * (K - 1) / (1 - oc->accuracy));
	for (round = 0; round < ONECOIN_PRIOR_ROUNDS; round++) {
		double move = 0;

		for (k = 0; k < K; k++)
			np[k] = 1;
		for (d = 0; d < ndist; d++) {
			const int *r = rec + (size_t)d * (K + 1) + 1;
			double mx = -INFINITY, sum = 0;

			for (k = 0; k < K; k++) {
				T[k] = log(oc->prior[k]) + r[k] * lr;
				if (T[k] > mx)
					mx = T[k];
			}
			for (k = 0; k < K; k++)
				sum += T[k] = exp(T[k] - mx);
			for (k = 0; k < K; k++)
				np[k] += w[d] * T[k] / sum;
		}
		for (k = 0; k < K; k++) {
			np[k] /= (double)nrec + K;
			if (fabs(np[k] - oc->prior[k]) > move)
				move = fabs(np[k] - oc->prior[k]);
			oc->prior[k] = np[k];
		}
		if (move < ONECOIN_PRIOR_TOL)
			break;
	}
	free(w);
	free(np);
	free(T);
}

/* The fit on in's labels by item (agree_by_item form). */
static void
onecoin_fit_csr(const struct agree_input *in, struct consensus_onecoin *oc)
{
	int K = in->nclasses, i, k, n, nrec = 0;
	int *count = xcalloc((size_t)K + 1, sizeof *count);
	int *rec = xcalloc((size_t)in->nitems * (K + 1) + 1, sizeof *rec);
	long long *m = xcalloc((size_t)K + 1, sizeof *m), labels = 0;

	memset(oc, 0, sizeof *oc);
	oc->nclasses = K;
	for (i = 0; i < in->nitems; i++) {
		n = votes_of(in, i, count);
		if (n == 0)
			continue;
		labels += n;
		oc->pairs += (long long)n * (n - 1) / 2;
		rec[(size_t)nrec * (K + 1)] = K;
		for (k = 0; k < K; k++) {
			oc->agree += (long long)count[k] * (count[k] - 1) / 2;
			m[k] += count[k];
			rec[(size_t)nrec * (K + 1) + 1 + k] = count[k];
		}
		nrec++;
	}
	onecoin_accuracy(oc, K);
	onecoin_prior(oc, rec, nrec, m, labels);
	free(rec);
	free(count);
	free(m);
}

void
consensus_onecoin_fit(const struct agree_input *dense,
    struct consensus_onecoin *oc)
{
	struct agree_input in;
	struct agree_csr own;

	agree_by_item(dense, &in, &own);
	onecoin_fit_csr(&in, oc);
	agree_csr_free(&own);
}

double
consensus_onecoin_posterior(const struct consensus_onecoin *oc,
    const int *count, int c)
{
	int K = oc->nclasses, k;
	double a = oc->accuracy, lr, mx = -INFINITY, s = 0, v;

	if (K < 2)
		return 1;
	/* log r; a is below 1 (the agreement is smoothed), at least 1/K. */
	lr = log(a * (K - 1) / (1 - a));
	for (k = 0; k < K; k++) {
		v = log(oc->prior[k]) + count[k] * lr;
		if (v > mx)
			mx = v;
	}
	for (k = 0; k < K; k++)
		s += exp(log(oc->prior[k]) + count[k] * lr - mx);
	return exp(log(oc->prior[c]) + count[c] * lr - mx) / s;
}

void
consensus_onecoin_free(struct consensus_onecoin *oc)
{
	free(oc->prior);
	oc->prior = NULL;
}

/* Majority vote of item i of in (by item) into *o, confidence from oc
 * (the caller's when oc is NULL). */
static void
majority_item(const struct agree_input *in, int i,
    const struct consensus_onecoin *oc, int *count, double *dcount,
    struct consensus_item *o)
{
	int K = in->nclasses, n, k;
	double top;

	n = votes_of(in, i, count);
	memset(o, 0, sizeof *o);
	o->nlabels = n;
	o->label = -1;
	if (n == 0)
		return;
	for (k = 0; k < K; k++)
		dcount[k] = count[k];
	/* Counts are whole numbers: an eps of 0.5 compares exactly. */
	o->label = argmax_untied(dcount, K, 0.5, &top);
	if (o->label < 0) {
		o->tie = 1;
		return;
	}
	if (oc != NULL)
		o->confidence = consensus_onecoin_posterior(oc, count,
		    o->label);
	o->source = CONSENSUS_SRC_MAJORITY;
}

void
consensus_majority_fit_in(const struct agree_input *dense,
    struct consensus_onecoin *ocp, struct consensus_item *out)
{
	struct agree_input in;
	struct agree_csr own;
	struct consensus_onecoin oc;
	int K = dense->nclasses, i;
	int *count = xcalloc((size_t)K + 1, sizeof *count);
	double *dcount = xcalloc((size_t)K + 1, sizeof *dcount);

	agree_by_item(dense, &in, &own);
	onecoin_fit_csr(&in, &oc);
	for (i = 0; i < in.nitems; i++)
		majority_item(&in, i, &oc, count, dcount, &out[i]);
	free(count);
	free(dcount);
	agree_csr_free(&own);
	if (ocp != NULL)
		*ocp = oc;
	else
		consensus_onecoin_free(&oc);
}

void
consensus_majority_in(const struct agree_input *in,
    struct consensus_item *out)
{
	consensus_majority_fit_in(in, NULL, out);
}

/*
 * The labels as a list grouped by item (CSR): what the EM walks.  Each
 * label is kept as the offset (labeler * K + class) * K of its row in the
 * "by answer" layout below, so both steps reach K contiguous doubles with
 * one load and no multiplication.
 */
struct entries {
	int *start;	/* nitems + 1 offsets into off */
	int *off;	/* (lab * K + cls) * K per label */
};

static void
entries_build(const struct agree_input *in, struct entries *e)
{
	int K = in->nclasses, n = 0, i, x;

	e->start = xcalloc((size_t)in->nitems + 1, sizeof *e->start);
	e->off = xcalloc((size_t)in->start[in->nitems] + 1, sizeof *e->off);
	for (i = 0; i < in->nitems; i++) {
		e->start[i] = n;
		for (x = in->start[i]; x < in->start[i + 1]; x++) {
			int c = in->cls[x];

			if (c >= 0 && c < K)
				e->off[n++] = (in->lab[x] * K + c) * K;
		}
	}
	e->start[in->nitems] = n;
}

static void
entries_free(struct entries *e)
{
	free(e->start);
	free(e->off);
}

/*
 * Work of the EM.  The confusion matrices are also kept "by answer":
 * [(j * K + l) * K + k] is labeler j's entry for truth k and answer l,
 * the transpose of each labeler's K x K block, so that one label's
 * contributions (to every k) are K adjacent doubles.
 *
 * The items are cut into DS_CHUNKS fixed ranges.  One pass over a chunk
 * runs the E-step of its items and, with each item's new posterior still
 * in registers, adds it to the chunk's own counts for the next M-step, so
 * a round reads the labels once.  Threads take whole chunks, and the
 * M-step adds the chunks' counts in chunk order, so every sum is formed
 * in the same order whatever the number of threads: the fit is the same
 * bit for bit on one CPU or eight (tests/bench/ds_bench: fit_sha256).
 */
#define DS_MAX_THREADS 8
#define DS_CHUNKS 16

struct ds_work {
	const struct entries *e;
	double *T;
	const int *labeled;
	int K, L, nitems, nthreads;
	int estep;		/* 0: only count (before the first M-step) */
	double *byans;		/* L x K x K: counts */
	double *cfans;		/* L x K x K: confusion, by answer */
	double *logcf;		/* L x K x K: its logs */
	const double *prior;	/* K */
	double *logprior;	/* K */
	double *cnt;		/* DS_CHUNKS x stride: chunks' counts */
	size_t stride;		/* L*K*K + K doubles and a cache line */
	double delta[DS_CHUNKS];/* largest change of any T_ik per chunk */
	double ll[DS_CHUNKS];	/* log-likelihood of the chunk's items */
	double penalty;		/* alpha x the logs of every parameter */
	double *lp;		/* nthreads x lpstride: scratch */
	size_t lpstride;	/* K doubles and a cache line */
};

struct ds_thread {
	struct ds_work *w;
	int t;
};

/*
 * E-step (eq. 2.5): T_ik is proportional to p_k prod_j pi_j[k][l_ij].
 * ds_product forms that product directly, K multiplications a label and
 * no exp: whenever the largest of the K running products falls below
 * DS_RESCALE all K are divided by it, so a long run of small factors
 * cannot underflow.  It gives up (returns 0) if a single factor is so
 * small that the largest product still reaches 0 or a denormal, and then
 * ds_logsum sums logs instead, subtracting the largest before exp.  Both
 * leave lp[] proportional to the posterior, its largest entry near 1, and
 * put in *lscale the log of the factor taken out, so that the item's
 * log-likelihood log sum_k p_k prod_j pi_j[k][l_ij] is *lscale + log of
 * the sum of lp[].
 */
#define DS_RESCALE 1e-100

static int
ds_product(const struct ds_work *w, int i, double *lp, double *lscale)
{
	const struct entries *e = w->e;
	int K = w->K, k, x;
	double mx;

	*lscale = 0;
	for (k = 0; k < K; k++)
		lp[k] = w->prior[k];
	for (x = e->start[i]; x < e->start[i + 1]; x++) {
		const double *cf = w->cfans + e->off[x];

		mx = 0;
		for (k = 0; k < K; k++) {
			lp[k] *= cf[k];
			if (lp[k] > mx)
				mx = lp[k];
		}
		if (mx < DS_RESCALE) {
			if (!(mx >= DBL_MIN))
				return 0;
			for (k = 0; k < K; k++)
				lp[k] /= mx;
			*lscale += log(mx);
		}
	}
	return 1;
}

static void
ds_logsum(const struct ds_work *w, int i, double *lp, double *lscale)
{
	const struct entries *e = w->e;
	int K = w->K, k, x;
	double mx = -INFINITY;

	for (k = 0; k < K; k++)
		lp[k] = w->logprior[k];
	for (x = e->start[i]; x < e->start[i + 1]; x++) {
		const double *lc = w->logcf + e->off[x];

		for (k = 0; k < K; k++)
			lp[k] += lc[k];
	}
	for (k = 0; k < K; k++)
		if (lp[k] > mx)
			mx = lp[k];
	for (k = 0; k < K; k++)
		lp[k] = lp[k] == mx ? 1.0 : exp(lp[k] - mx);
	*lscale = mx;
}

/*
 * One chunk: the E-step of its items, each item's posterior then added
 * to the chunk's counts for the M-step.
 */
static void
ds_chunk(struct ds_work *w, int c, double *lp)
{
	const struct entries *e = w->e;
	int K = w->K, i, k, x;
	int from = (int)((long long)w->nitems * c / DS_CHUNKS);
	int to = (int)((long long)w->nitems * (c + 1) / DS_CHUNKS);
	size_t ncf = (size_t)w->L * K * K;
	double *acc = w->cnt + (size_t)c * w->stride, *prior = acc + ncf;
	double delta = 0, ll = 0;

	memset(acc, 0, (ncf + (size_t)K) * sizeof *acc);
	for (i = from; i < to; i++) {
		double *t = w->T + (size_t)i * K;

		if (!w->labeled[i])
			continue;
		if (w->estep) {
			double s = 0, lscale;

			if (!ds_product(w, i, lp, &lscale))
				ds_logsum(w, i, lp, &lscale);
			for (k = 0; k < K; k++)
				s += lp[k];
			ll += lscale + log(s);
			for (k = 0; k < K; k++) {
				double v = lp[k] / s, d = fabs(v - t[k]);

				if (d > delta)
					delta = d;
				t[k] = v;
			}
		}
		for (k = 0; k < K; k++)
			prior[k] += t[k];
		for (x = e->start[i]; x < e->start[i + 1]; x++) {
			double *row = acc + e->off[x];

			for (k = 0; k < K; k++)
				row[k] += t[k];
		}
	}
	w->delta[c] = delta;
	w->ll[c] = ll;
}

static void *
ds_thread_run(void *arg)
{
	struct ds_thread *th = arg;
	struct ds_work *w = th->w;
	int c;

	for (c = th->t; c < DS_CHUNKS; c += w->nthreads)
		ds_chunk(w, c, w->lp + (size_t)th->t * w->lpstride);
	return NULL;
}

/*
 * One pass over every chunk; returns the largest change of any T_ik and
 * puts the log-likelihood in *ll, the chunks' sums added in chunk order
 * (the same bit for bit whatever the threads).
 */
static double
ds_pass(struct ds_work *w, double *ll)
{
	struct ds_thread arg[DS_MAX_THREADS];
	pthread_t th[DS_MAX_THREADS];
	int started[DS_MAX_THREADS], t, c, n = w->nthreads;
	double delta = 0;

	if (n < 1 || n > DS_MAX_THREADS)
		n = w->nthreads = 1;
	for (t = 0; t < n; t++) {
		arg[t] = (struct ds_thread){ .w = w, .t = t };
		started[t] = 0;
	}
	for (t = 1; t < n; t++)
		started[t] = pthread_create(&th[t], NULL, ds_thread_run,
		    &arg[t]) == 0;
	ds_thread_run(&arg[0]);
	for (t = 1; t < n; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			ds_thread_run(&arg[t]);
	}
	*ll = 0;
	for (c = 0; c < DS_CHUNKS; c++) {
		if (w->delta[c] > delta)
			delta = w->delta[c];
		*ll += w->ll[c];
	}
	return delta;
}

/*
 * M-step (Dawid & Skene 1979, eqs. 2.3 and 2.4) from the chunks' counts,
 * with every count smoothed by alpha so that a labeler who never gave
 * some answer, or a class no item is believed to be, has a small
 * probability rather than zero (a zero would make log 0 in the E-step and
 * lock the posterior):
 *
 *   pi_j[k][l] = (alpha + sum_i T_ik [j said l on i])
 *              / (K alpha + sum_i T_ik [j labeled i])
 *   p_k        = (alpha + sum_i T_ik) / (K alpha + N)
 *
 * N counts labeled items only.  Then the logs the next E-step uses, and
 * the smoothing's term of the objective: these are the maximum a
 * posteriori estimates under Dirichlet(alpha + 1) priors on p and on each
 * row of each pi_j, whose log density is alpha (sum_k log p_k +
 * sum_jkl log pi_j[k][l]) plus a constant; EM increases the
 * log-likelihood plus that (Dempster, Laird and Rubin 1977, sec. 3).
 */
/*
 * The parameters' logs the E-step uses, and the penalty alpha x (sum of
 * the logs of every parameter), from ds->prior and ds->confusion.
 */
static void
ds_load(struct ds_work *w, const struct consensus_ds *ds)
{
	int K = w->K, L = w->L, j, k, l;

	w->penalty = 0;
	for (k = 0; k < K; k++) {
		w->logprior[k] = log(ds->prior[k]);
		w->penalty += w->logprior[k];
	}
	for (j = 0; j < L; j++)
		for (k = 0; k < K; k++)
			for (l = 0; l < K; l++) {
				size_t a = ((size_t)j * K + l) * K + k;

				w->cfans[a] = ds->confusion[((size_t)j * K + k) *
				    K + l];
				w->logcf[a] = log(w->cfans[a]);
				w->penalty += w->logcf[a];
			}
	w->penalty *= ds->alpha;
}

/* The M-step: parameters from the last pass's counts, then loaded. */
static void
ds_mstep(struct ds_work *w, int nlabeled, struct consensus_ds *ds)
{
	int K = w->K, L = w->L, c, j, k, l;
	size_t m, ncf = (size_t)L * K * K;
	double *cf = ds->confusion, *acc = w->byans;

	for (m = 0; m < ncf; m++)
		acc[m] = ds->alpha;
	for (k = 0; k < K; k++)
		ds->prior[k] = ds->alpha;
	for (c = 0; c < DS_CHUNKS; c++) {
		const double *part = w->cnt + (size_t)c * w->stride;

		for (m = 0; m < ncf; m++)
			acc[m] += part[m];
		for (k = 0; k < K; k++)
			ds->prior[k] += part[ncf + (size_t)k];
	}
	for (k = 0; k < K; k++)
		ds->prior[k] /= K * ds->alpha + nlabeled;
	for (j = 0; j < L; j++)
		for (k = 0; k < K; k++) {
			double *row = cf + ((size_t)j * K + k) * K, s = 0;

			for (l = 0; l < K; l++)
				s += row[l] = acc[((size_t)j * K + l) * K + k];
			for (l = 0; l < K; l++)
				row[l] /= s;
		}
	ds_load(w, ds);
}

/*
 * Threads: one per CPU (up to DS_MAX_THREADS) when there is enough work
 * per round; below about a million label-class terms a round takes a few
 * milliseconds and starting threads would cost more than it saves.
 */
static int
ds_threads(long long labels, int K, int want)
{
	long ncpu;

	if (want > 0)
		return want > DS_MAX_THREADS ? DS_MAX_THREADS : want;
	if (labels * K < 1000000)
		return 1;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		return 1;
	return ncpu > DS_MAX_THREADS ? DS_MAX_THREADS : (int)ncpu;
}

/*
 * Set up w for the fit of ds on the entries e: T and labeled (nitems
 * each, the caller's), the parameters' tables and every thread's scratch.
 * Free with ds_work_free.
 */
static void
ds_work_init(struct ds_work *w, const struct entries *e, double *T,
    const int *labeled, int nitems, int nlabelers, struct consensus_ds *ds)
{
	int K = ds->nclasses;
	size_t ncf = (size_t)nlabelers * K * K, line = 64 / sizeof(double);

	memset(w, 0, sizeof *w);
	w->e = e;
	w->T = T;
	w->labeled = labeled;
	w->K = K;
	w->L = nlabelers;
	w->nitems = nitems;
	w->nthreads = ds_threads(e->start[nitems], K, ds->threads);
	w->byans = xcalloc(ncf + 1, sizeof *w->byans);
	w->logcf = xcalloc(ncf + 1, sizeof *w->logcf);
	w->cfans = xcalloc(ncf + 1, sizeof *w->cfans);
	w->prior = ds->prior;
	w->logprior = xcalloc((size_t)K + 1, sizeof *w->logprior);
	/*
	 * Each thread's scratch and each chunk's counts are written for
	 * every label, so no two may share a cache line: with the scratch
	 * of two threads adjacent, the second thread made a round no faster.
	 */
	w->stride = ncf + (size_t)K + line;
	w->cnt = xcalloc(DS_CHUNKS * w->stride, sizeof *w->cnt);
	w->lpstride = (size_t)K + line;
	w->lp = xcalloc((size_t)w->nthreads * w->lpstride, sizeof *w->lp);
}

static void
ds_work_free(struct ds_work *w)
{
	free(w->byans);
	free(w->logcf);
	free(w->cfans);
	free(w->logprior);
	free(w->cnt);
	free(w->lp);
}

/*
 * Initialisation: vote shares, the soft majority vote (sec. 3), into T;
 * marks the items with a label in labeled[] and returns how many.
 */
static int
ds_start(const struct entries *e, int nitems, int K, double *T, int *labeled)
{
	int i, nlabeled = 0;

	for (i = 0; i < nitems; i++) {
		int x, n = e->start[i + 1] - e->start[i];

		labeled[i] = n > 0;
		nlabeled += labeled[i];
		for (x = e->start[i]; x < e->start[i + 1]; x++)
			T[(size_t)i * K + e->off[x] / K % K] += 1.0 / n;
	}
	return nlabeled;
}

/*
 * Each item's decision into out[i] (consensus.h): the majority vote under
 * CONSENSUS_DS_MIN_LABELS labels, with the majority's own confidence (the
 * one-coin posterior: with so few labels the fit says little about the
 * item, and on a small project its prior pulls it towards uniform), else
 * the most probable class among those given to the item, its posterior
 * (row i of T) the confidence.  in is by item.
 */
static void
ds_decide(const struct agree_input *in, const double *T,
    struct consensus_ds *ds, struct consensus_item *out)
{
	int K = in->nclasses, i, k;
	int *count = xcalloc((size_t)K + 1, sizeof *count);
	double *v = xcalloc((size_t)K + 1, sizeof *v), *dcount = v;
	struct consensus_onecoin oc;
	int have_oc = 0;

	ds->few_labels = ds->unused_top = 0;
	for (i = 0; i < in->nitems; i++) {
		struct consensus_item *o = &out[i];
		const double *t = T + (size_t)i * K;
		int n = votes_of(in, i, count), best = 0;

		if (n > 0 && n < CONSENSUS_DS_MIN_LABELS) {
			if (!have_oc) {
				onecoin_fit_csr(in, &oc);
				have_oc = 1;
			}
			majority_item(in, i, &oc, count, dcount, o);
			ds->few_labels++;
			continue;
		}
		memset(o, 0, sizeof *o);
		o->nlabels = n;
		o->label = -1;
		if (n == 0)
			continue;
		for (k = 0; k < K; k++) {
			v[k] = count[k] > 0 ? t[k] : -1.0;
			if (t[k] > t[best])
				best = k;
		}
		o->label = argmax_untied(v, K, CONSENSUS_TIE_EPS,
		    &o->confidence);
		if (count[best] == 0 && o->label >= 0 && t[best] > t[o->label])
			ds->unused_top++;
		if (o->label < 0) {
			o->tie = 1;
			o->confidence = 0;
		} else
			o->source = CONSENSUS_SRC_DAWID_SKENE;
	}
	if (have_oc)
		consensus_onecoin_free(&oc);
	free(count);
	free(v);
}

void
consensus_dawid_skene(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_ds *ds, struct consensus_item *out)
{
	struct agree_input in = dense_input(nitems, nlabelers, nclasses,
	    cells);

	consensus_dawid_skene_in(&in, ds, out);
}

/* The parameters of a fit, one vector: the prior, then the confusion. */
static void
ds_get(const struct consensus_ds *ds, double *x, size_t ncf)
{
	memcpy(x, ds->prior, (size_t)ds->nclasses * sizeof *x);
	memcpy(x + ds->nclasses, ds->confusion, ncf * sizeof *x);
}

static void
ds_set(struct consensus_ds *ds, const double *x, size_t ncf)
{
	memcpy(ds->prior, x, (size_t)ds->nclasses * sizeof *x);
	memcpy(ds->confusion, x + ds->nclasses, ncf * sizeof *x);
}

/*
 * One E-step at the loaded parameters: ds's round count, objective and
 * relative change against prev; returns 1 when that change is within the
 * tolerance (converged).
 */
static int
ds_round(struct ds_work *w, struct consensus_ds *ds, double prev, int first)
{
	double ll, obj;

	ds->delta = ds_pass(w, &ll);
	ds->iterations++;
	obj = ll + w->penalty;
	ds->loglik = obj;
	if (first)
		return 0;
	ds->rel_change = obj == prev ? 0 : fabs(obj - prev) / fabs(obj);
	if (fabs(obj - prev) <= ds->tol * fabs(obj)) {
		ds->converged = 1;
		return 1;
	}
	return 0;
}

/* Plain EM: an M-step then an E-step a round. */
static void
ds_plain(struct ds_work *w, int nlabeled, struct consensus_ds *ds)
{
	double prev = 0;

	while (ds->iterations < ds->max_iter) {
		ds_mstep(w, nlabeled, ds);
		if (ds_round(w, ds, prev, ds->iterations == 0))
			break;
		prev = ds->loglik;
	}
}

/*
 * EM accelerated by SQUAREM (Varadhan and Roland 2008, scheme S3): from
 * parameters x0, two EM steps give x1 and x2; with r = x1 - x0 and v = x2
 * - x1 - r, the step length a = -|r| / |v| (at most -1) extrapolates to
 * x0 - 2 a r + a^2 v, halved towards -1 while a parameter would not be
 * positive (rows still sum to 1: the weights sum to 1).  The objective is
 * kept from falling: an extrapolation worse than x1 is replaced by x2,
 * which EM guarantees is no worse.  Every E-step counts as a round; the
 * stop is the plain rule, between consecutive accepted points.
 */
static void
ds_squarem(struct ds_work *w, int nlabeled, struct consensus_ds *ds)
{
	size_t n = (size_t)ds->nlabelers * ds->nclasses * ds->nclasses;
	size_t np = n + (size_t)ds->nclasses, m;
	double *x0 = xcalloc(np * 4 + 1, sizeof *x0), *x1 = x0 + np;
	double *x2 = x1 + np, *xs = x2 + np, rr, vv, a, prev, obj1;
	int ok;

	ds_mstep(w, nlabeled, ds);
	ds_round(w, ds, 0, 1);
	prev = ds->loglik;
	while (ds->iterations < ds->max_iter) {
		ds_get(ds, x0, n);
		ds_mstep(w, nlabeled, ds);
		if (ds_round(w, ds, prev, 0))
			break;
		prev = obj1 = ds->loglik;
		if (ds->iterations >= ds->max_iter)
			break;
		ds_get(ds, x1, n);
		ds_mstep(w, nlabeled, ds);
		ds_get(ds, x2, n);
		rr = vv = 0;
		for (m = 0; m < np; m++) {
			double r = x1[m] - x0[m], v = x2[m] - x1[m] - r;

			rr += r * r;
			vv += v * v;
		}
		a = vv > 0 ? -sqrt(rr) / sqrt(vv) : -1;
		for (ok = 0; a < -1 && !ok; a = (a - 1) / 2) {
			ok = 1;
			for (m = 0; m < np && ok; m++) {
				double r = x1[m] - x0[m], v = x2[m] - x1[m] - r;

				xs[m] = x0[m] - 2 * a * r + a * a * v;
				ok = xs[m] > 0;
			}
			if (ok)
				break;
		}
		if (ok) {
			ds_set(ds, xs, n);
			ds_load(w, ds);
			if (ds_round(w, ds, prev, 0))
				break;
			if (ds->loglik >= obj1) {
				prev = ds->loglik;
				continue;
			}
			if (ds->iterations >= ds->max_iter)
				break;
			ds_set(ds, x2, n);
			ds_load(w, ds);
		}
		/* x2 is loaded: its E-step. */
		if (ds_round(w, ds, prev, 0))
			break;
		prev = ds->loglik;
	}
	free(x0);
}

void
consensus_dawid_skene_in(const struct agree_input *dense,
    struct consensus_ds *ds, struct consensus_item *out)
{
	struct agree_input in;
	struct agree_csr own;
	struct entries e;
	struct ds_work w;
	int nitems = dense->nitems, nlabelers = dense->nlabelers;
	int K = dense->nclasses, i, k, *labeled, nlabeled;
	size_t ncf = (size_t)nlabelers * K * K;
	double *T, ll;

	ds->nitems = nitems;
	ds->nlabelers = nlabelers;
	ds->nclasses = K;
	ds->iterations = 0;
	ds->converged = 0;
	ds->delta = 0;
	ds->loglik = 0;
	ds->rel_change = NAN;
	ds->few_labels = ds->unused_top = 0;
	ds->prior = xcalloc((size_t)K + 1, sizeof *ds->prior);
	ds->confusion = xcalloc(ncf + 1, sizeof *ds->confusion);
	ds->posterior = T = xcalloc((size_t)nitems * K + 1, sizeof *T);
	labeled = xcalloc((size_t)nitems + 1, sizeof *labeled);
	agree_by_item(dense, &in, &own);
	entries_build(&in, &e);
	ds_work_init(&w, &e, T, labeled, nitems, nlabelers, ds);

	nlabeled = ds_start(&e, nitems, K, T, labeled);
	ds_pass(&w, &ll);	/* counts only: the first M-step's */
	w.estep = 1;
	/*
	 * Stop on the objective EM increases, not on the posteriors: on a
	 * flat likelihood the posteriors creep by less than any fixed step a
	 * round for thousands of rounds and still move labels (a cap of 200
	 * rounds and a posterior step of 1e-6 stopped 66 of 200 simulated
	 * fits early; docs/statistics.md).  The rounds are accelerated by
	 * SQUAREM (ds_squarem); a round is one E-step.
	 */
	if (ds->max_iter >= 1 && ds->plain)
		ds_plain(&w, nlabeled, ds);
	else if (ds->max_iter >= 1)
		ds_squarem(&w, nlabeled, ds);
	if (ds->iterations == 0)	/* max_iter < 1: report the start */
		ds_mstep(&w, nlabeled, ds);
	for (i = 0; i < nitems; i++)
		if (!labeled[i])
			for (k = 0; k < K; k++)
				T[(size_t)i * K + k] = ds->prior[k];
	if (out != NULL)
		ds_decide(&in, T, ds, out);
	agree_csr_free(&own);
	entries_free(&e);
	ds_work_free(&w);
	free(labeled);
}

void
consensus_ds_free(struct consensus_ds *ds)
{
	free(ds->prior);
	free(ds->confusion);
	free(ds->posterior);
	ds->prior = ds->confusion = ds->posterior = NULL;

}

void
consensus_compute(int nitems, int nlabelers, int nclasses,
    const int *cells, const int *adjudicated, const int *gold,
    enum consensus_method method, enum consensus_method fallback,
    struct consensus_ds *ds, struct consensus_item *out)
{
	struct agree_input in = dense_input(nitems, nlabelers, nclasses,
	    cells);

	in.reference = adjudicated;
	in.gold = gold;
	consensus_compute_in(&in, method, fallback, ds, NULL, out);
}

void
consensus_compute_in(const struct agree_input *in,
    enum consensus_method method, enum consensus_method fallback,
    struct consensus_ds *ds, struct consensus_onecoin *oc,
    struct consensus_item *out)
{
	enum consensus_method votes = method == CONSENSUS_ADJUDICATED ?
	    fallback : method;
	const int *adjudicated = in->reference, *gold = in->gold;
	int nitems = in->nitems, nclasses = in->nclasses;
	struct consensus_ds own;
	int i;

	if (oc != NULL)
		oc->prior = NULL;
	if (votes == CONSENSUS_DAWID_SKENE) {
		if (ds == NULL) {
			memset(&own, 0, sizeof own);
			ds = &own;
		}
		if (ds->alpha <= 0) {
			ds->alpha = CONSENSUS_DS_ALPHA;
			ds->tol = CONSENSUS_DS_TOL;
			ds->max_iter = CONSENSUS_DS_MAX_ITER;
		}
		consensus_dawid_skene_in(in, ds, out);
		if (ds == &own)
			consensus_ds_free(&own);
	} else
		consensus_majority_fit_in(in, oc, out);
	if (method != CONSENSUS_ADJUDICATED)
		return;
	for (i = 0; i < nitems; i++) {
		int c = -1;
		enum consensus_source src = CONSENSUS_SRC_NONE;

		if (adjudicated != NULL && adjudicated[i] >= 0) {
			c = adjudicated[i];
			src = CONSENSUS_SRC_ADJUDICATION;
		} else if (gold != NULL && gold[i] >= 0) {
			c = gold[i];
			src = CONSENSUS_SRC_GOLD;
		}
		if (c < 0 || c >= nclasses)
			continue;
		out[i].label = c;
		out[i].confidence = 1;
		out[i].tie = 0;
		out[i].source = src;
	}
}
