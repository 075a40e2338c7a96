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

void
consensus_majority_in(const struct agree_input *dense,
    struct consensus_item *out)
{
	struct agree_input in;
	struct agree_csr own;
	int nclasses = dense->nclasses, i, x;
	double *count = xcalloc((size_t)nclasses + 1, sizeof *count);

	agree_by_item(dense, &in, &own);
	for (i = 0; i < in.nitems; i++) {
		struct consensus_item *o = &out[i];
		double top;
		int n = 0;

		memset(count, 0, (size_t)nclasses * sizeof *count);
		for (x = in.start[i]; x < in.start[i + 1]; x++) {
			int c = in.cls[x];

			if (c >= 0 && c < nclasses) {
				count[c]++;
				n++;
			}
		}
		memset(o, 0, sizeof *o);
		o->nlabels = n;
		o->label = -1;
		if (n == 0)
			continue;
		/* Counts are whole numbers: an eps of 0.5 compares exactly. */
		o->label = argmax_untied(count, nclasses, 0.5, &top);
		if (o->label < 0) {
			o->tie = 1;
			continue;
		}
		o->confidence = top / n;
		o->source = CONSENSUS_SRC_MAJORITY;
	}
	free(count);
	agree_csr_free(&own);
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
 * leave lp[] proportional to the posterior, its largest entry near 1.
 */
#define DS_RESCALE 1e-100

static int
ds_product(const struct ds_work *w, int i, double *lp)
{
	const struct entries *e = w->e;
	int K = w->K, k, x;
	double mx;

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
		}
	}
	return 1;
}

static void
ds_logsum(const struct ds_work *w, int i, double *lp)
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
	double delta = 0;

	memset(acc, 0, (ncf + (size_t)K) * sizeof *acc);
	for (i = from; i < to; i++) {
		double *t = w->T + (size_t)i * K;

		if (!w->labeled[i])
			continue;
		if (w->estep) {
			double s = 0;

			if (!ds_product(w, i, lp))
				ds_logsum(w, i, lp);
			for (k = 0; k < K; k++)
				s += lp[k];
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

/* One pass over every chunk; returns the largest change of any T_ik. */
static double
ds_pass(struct ds_work *w)
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
	for (c = 0; c < DS_CHUNKS; c++)
		if (w->delta[c] > delta)
			delta = w->delta[c];
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
 * N counts labeled items only.  Then the logs the next E-step uses.
 */
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
	for (k = 0; k < K; k++) {
		ds->prior[k] /= K * ds->alpha + nlabeled;
		w->logprior[k] = log(ds->prior[k]);
	}
	for (j = 0; j < L; j++)
		for (k = 0; k < K; k++) {
			double *row = cf + ((size_t)j * K + k) * K, s = 0;

			for (l = 0; l < K; l++)
				s += row[l] = acc[((size_t)j * K + l) * K + k];
			for (l = 0; l < K; l++) {
				size_t a = ((size_t)j * K + l) * K + k;

				row[l] /= s;
				w->cfans[a] = row[l];
				w->logcf[a] = log(row[l]);
			}
		}
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

/* Each item's decision from its posterior (row i of T) into out[i]. */
static void
ds_decide(const struct entries *e, int nitems, int K, const double *T,
    const int *labeled, struct consensus_item *out)
{
	int i;

	for (i = 0; i < nitems; i++) {
		struct consensus_item *o = &out[i];

		memset(o, 0, sizeof *o);
		o->nlabels = e->start[i + 1] - e->start[i];
		o->label = -1;
		if (!labeled[i])
			continue;
		o->label = argmax_untied(T + (size_t)i * K, K,
		    CONSENSUS_TIE_EPS, &o->confidence);
		if (o->label < 0) {
			o->tie = 1;
			o->confidence = 0;
		} else
			o->source = CONSENSUS_SRC_DAWID_SKENE;
	}
}

void
consensus_dawid_skene(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_ds *ds, struct consensus_item *out)
{
	struct agree_input in = dense_input(nitems, nlabelers, nclasses,
	    cells);

	consensus_dawid_skene_in(&in, ds, out);
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
	double *T;

	ds->nitems = nitems;
	ds->nlabelers = nlabelers;
	ds->nclasses = K;
	ds->iterations = 0;
	ds->converged = 0;
	ds->delta = 0;
	ds->prior = xcalloc((size_t)K + 1, sizeof *ds->prior);
	ds->confusion = xcalloc(ncf + 1, sizeof *ds->confusion);
	ds->posterior = T = xcalloc((size_t)nitems * K + 1, sizeof *T);
	labeled = xcalloc((size_t)nitems + 1, sizeof *labeled);
	agree_by_item(dense, &in, &own);
	entries_build(&in, &e);
	agree_csr_free(&own);
	ds_work_init(&w, &e, T, labeled, nitems, nlabelers, ds);

	nlabeled = ds_start(&e, nitems, K, T, labeled);
	ds_pass(&w);	/* counts only: the first M-step's */
	w.estep = 1;
	while (ds->iterations < ds->max_iter) {
		ds_mstep(&w, nlabeled, ds);
		ds->delta = ds_pass(&w);
		ds->iterations++;
		if (ds->delta < ds->tol) {
			ds->converged = 1;
			break;
		}
	}
	if (ds->iterations == 0)	/* max_iter < 1: report the start */
		ds_mstep(&w, nlabeled, ds);
	for (i = 0; i < nitems; i++)
		if (!labeled[i])
			for (k = 0; k < K; k++)
				T[(size_t)i * K + k] = ds->prior[k];
	if (out != NULL)
		ds_decide(&e, nitems, K, T, labeled, out);
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
	consensus_compute_in(&in, method, fallback, ds, out);
}

void
consensus_compute_in(const struct agree_input *in,
    enum consensus_method method, enum consensus_method fallback,
    struct consensus_ds *ds, struct consensus_item *out)
{
	enum consensus_method votes = method == CONSENSUS_ADJUDICATED ?
	    fallback : method;
	const int *adjudicated = in->reference, *gold = in->gold;
	int nitems = in->nitems, nclasses = in->nclasses;
	struct consensus_ds own;
	int i;

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
		consensus_majority_in(in, out);
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
