/*
 * consensus.c: majority vote, Dawid-Skene EM and adjudicated consensus
 * (see include/accord/consensus.h and docs/statistics.md, "Consensus").
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/consensus.h"
#include "accord/util.h"

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

void
consensus_majority(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_item *out)
{
	double *count = xcalloc((size_t)nclasses + 1, sizeof *count);
	int i, j;

	for (i = 0; i < nitems; i++) {
		struct consensus_item *o = &out[i];
		double top;
		int n = 0;

		memset(count, 0, (size_t)nclasses * sizeof *count);
		for (j = 0; j < nlabelers; j++) {
			int c = cells[(size_t)i * nlabelers + j];

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
entries_build(int nitems, int nlabelers, int nclasses, const int *cells,
    struct entries *e)
{
	size_t n = 0, k, total = (size_t)nitems * nlabelers;
	int i, j;

	for (k = 0; k < total; k++)
		if (cells[k] >= 0 && cells[k] < nclasses)
			n++;
	e->start = xcalloc((size_t)nitems + 1, sizeof *e->start);
	e->off = xcalloc(n + 1, sizeof *e->off);
	n = 0;
	for (i = 0; i < nitems; i++) {
		e->start[i] = (int)n;
		for (j = 0; j < nlabelers; j++) {
			int c = cells[(size_t)i * nlabelers + j];

			if (c >= 0 && c < nclasses)
				e->off[n++] = (j * nclasses + c) * nclasses;
		}
	}
	e->start[nitems] = (int)n;
}

static void
entries_free(struct entries *e)
{
	free(e->start);
	free(e->off);
}

/*
 * Work arrays of the EM.  The confusion matrices are also kept "by
 * answer": byans[(j * K + l) * K + k] is labeler j's entry for truth k and
 * answer l, the transpose of each labeler's K x K block, so that one
 * label's contributions (to every k) are K adjacent doubles.  Every sum
 * is still formed in the same order as in a direct implementation (alpha
 * first, then items in order), so the fit is the same bit for bit; the
 * layout only saves cache traffic (tests/bench/ds_bench: fit_sha256).
 */
#define DS_MAX_THREADS 8

struct ds_work {
	double *byans;	/* L x K x K, by answer: counts, then logs */
	double *logprior;	/* K */
	int nthreads;	/* for the E-step */
	double *lp;	/* nthreads x K: each thread's scratch */
};

/*
 * M-step (Dawid & Skene 1979, eqs. 2.3 and 2.4), with every count
 * smoothed by alpha so that a labeler who never gave some answer, or a
 * class no item is believed to be, has a small probability rather than
 * zero (a zero would make log 0 in the E-step and lock the posterior):
 *
 *   pi_j[k][l] = (alpha + sum_i T_ik [j said l on i])
 *              / (K alpha + sum_i T_ik [j labeled i])
 *   p_k        = (alpha + sum_i T_ik) / (K alpha + N)
 *
 * N counts labeled items only.
 */
static void
ds_mstep(const struct entries *e, const double *T, const int *labeled,
    int nitems, struct consensus_ds *ds, struct ds_work *w)
{
	int K = ds->nclasses, L = ds->nlabelers, i, j, k, l, n = 0;
	size_t m;
	double *cf = ds->confusion, *acc = w->byans;

	for (m = 0; m < (size_t)L * K * K; m++)
		acc[m] = ds->alpha;
	for (k = 0; k < K; k++)
		ds->prior[k] = ds->alpha;
	for (i = 0; i < nitems; i++) {
		const double *t = T + (size_t)i * K;
		int x;

		if (!labeled[i])
			continue;
		n++;
		for (k = 0; k < K; k++)
			ds->prior[k] += t[k];
		for (x = e->start[i]; x < e->start[i + 1]; x++) {
			double *row = acc + e->off[x];

			for (k = 0; k < K; k++)
				row[k] += t[k];
		}
	}
	for (k = 0; k < K; k++)
		ds->prior[k] /= K * ds->alpha + n;
	for (j = 0; j < L; j++)
		for (k = 0; k < K; k++) {
			double *row = cf + ((size_t)j * K + k) * K, s = 0;

			for (l = 0; l < K; l++)
				s += row[l] = acc[((size_t)j * K + l) * K + k];
			for (l = 0; l < K; l++)
				row[l] /= s;
		}
}

/*
 * E-step (eq. 2.5): T_ik proportional to p_k prod_j pi_j[k][l_ij], summed
 * in logs and normalised after subtracting the largest term, so a hundred
 * labels on an item cannot underflow.  The largest term's exp(0) is 1
 * exactly, so it is not computed.  Items are independent here, so the
 * items are cut into ranges, one per thread; each item's arithmetic is the
 * same whatever thread runs it.
 */
struct estep_part {
	const struct entries *e;
	double *T;
	const int *labeled;
	int K, from, to;
	const double *logcf, *logprior;
	double *lp;   /* K scratch doubles of its own */
	double delta; /* out: the largest change of any T_ik of the range */
};

static void *
ds_estep_part(void *arg)
{
	struct estep_part *p = arg;
	const struct entries *e = p->e;
	double *lp = p->lp, delta = 0;
	int K = p->K, i, k;

	for (i = p->from; i < p->to; i++) {
		double *t = p->T + (size_t)i * K, mx = -INFINITY, s = 0;
		int x;

		if (!p->labeled[i])
			continue;
		for (k = 0; k < K; k++)
			lp[k] = p->logprior[k];
		for (x = e->start[i]; x < e->start[i + 1]; x++) {
			const double *lc = p->logcf + e->off[x];

			for (k = 0; k < K; k++)
				lp[k] += lc[k];
		}
		for (k = 0; k < K; k++)
			if (lp[k] > mx)
				mx = lp[k];
		for (k = 0; k < K; k++)
			s += lp[k] = lp[k] == mx ? 1.0 : exp(lp[k] - mx);
		for (k = 0; k < K; k++) {
			double v = lp[k] / s, d = fabs(v - t[k]);

			if (d > delta)
				delta = d;
			t[k] = v;
		}
	}
	p->delta = delta;
	return NULL;
}

/* Returns the largest change of any T_ik. */
static double
ds_estep(const struct entries *e, double *T, const int *labeled, int nitems,
    const struct consensus_ds *ds, struct ds_work *w)
{
	struct estep_part part[DS_MAX_THREADS];
	pthread_t th[DS_MAX_THREADS];
	int started[DS_MAX_THREADS];
	int K = ds->nclasses, L = ds->nlabelers, j, k, l, t, n = w->nthreads;
	double *logcf = w->byans, delta = 0;

	for (j = 0; j < L; j++)
		for (k = 0; k < K; k++)
			for (l = 0; l < K; l++)
				logcf[((size_t)j * K + l) * K + k] =
				    log(ds->confusion[((size_t)j * K + k) *
				    K + l]);
	for (k = 0; k < K; k++)
		w->logprior[k] = log(ds->prior[k]);
	for (t = 0; t < n; t++) {
		part[t] = (struct estep_part){ .e = e, .T = T,
		    .labeled = labeled, .K = K,
		    .from = (int)((long long)nitems * t / n),
		    .to = (int)((long long)nitems * (t + 1) / n),
		    .logcf = logcf, .logprior = w->logprior,
		    .lp = w->lp + (size_t)t * K };
		started[t] = 0;
	}
	for (t = 1; t < n; t++)
		started[t] = pthread_create(&th[t], NULL, ds_estep_part,
		    &part[t]) == 0;
	ds_estep_part(&part[0]);
	for (t = 1; t < n; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			ds_estep_part(&part[t]);
	}
	for (t = 0; t < n; t++)
		if (part[t].delta > delta)
			delta = part[t].delta;
	return delta;
}

/*
 * Threads for the E-step: one per CPU (up to DS_MAX_THREADS) when there
 * is enough work per round; below about a million label-class terms a
 * round takes a few milliseconds and starting threads would cost more
 * than it saves.
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

void
consensus_dawid_skene(int nitems, int nlabelers, int nclasses,
    const int *cells, struct consensus_ds *ds, struct consensus_item *out)
{
	struct entries e;
	struct ds_work w;
	int K = nclasses, i, k, *labeled;
	double *T;

	ds->nitems = nitems;
	ds->nlabelers = nlabelers;
	ds->nclasses = K;
	ds->iterations = 0;
	ds->converged = 0;
	ds->delta = 0;
	ds->prior = xcalloc((size_t)K + 1, sizeof *ds->prior);
	ds->confusion = xcalloc((size_t)nlabelers * K * K + 1,
	    sizeof *ds->confusion);
	ds->posterior = T = xcalloc((size_t)nitems * K + 1, sizeof *T);
	w.byans = xcalloc((size_t)nlabelers * K * K + 1, sizeof *w.byans);
	w.logprior = xcalloc((size_t)K + 1, sizeof *w.logprior);
	labeled = xcalloc((size_t)nitems + 1, sizeof *labeled);
	entries_build(nitems, nlabelers, K, cells, &e);
	w.nthreads = ds_threads(e.start[nitems], K, ds->threads);
	w.lp = xcalloc((size_t)w.nthreads * K + 1, sizeof *w.lp);

	/* Initialisation: vote shares, the soft majority vote (sec. 3). */
	for (i = 0; i < nitems; i++) {
		int x, n = e.start[i + 1] - e.start[i];

		labeled[i] = n > 0;
		for (x = e.start[i]; x < e.start[i + 1]; x++)
			T[(size_t)i * K + e.off[x] / K % K] += 1.0 / n;
	}
	while (ds->iterations < ds->max_iter) {
		ds_mstep(&e, T, labeled, nitems, ds, &w);
		ds->delta = ds_estep(&e, T, labeled, nitems, ds, &w);
		ds->iterations++;
		if (ds->delta < ds->tol) {
			ds->converged = 1;
			break;
		}
	}
	if (ds->iterations == 0)	/* max_iter < 1: report the start */
		ds_mstep(&e, T, labeled, nitems, ds, &w);
	for (i = 0; i < nitems; i++)
		if (!labeled[i])
			for (k = 0; k < K; k++)
				T[(size_t)i * K + k] = ds->prior[k];
	if (out != NULL)
		for (i = 0; i < nitems; i++) {
			struct consensus_item *o = &out[i];

			memset(o, 0, sizeof *o);
			o->nlabels = e.start[i + 1] - e.start[i];
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
	entries_free(&e);
	free(w.byans);
	free(w.logprior);
	free(w.lp);
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
	enum consensus_method votes = method == CONSENSUS_ADJUDICATED ?
	    fallback : method;
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
		consensus_dawid_skene(nitems, nlabelers, nclasses, cells, ds,
		    out);
		if (ds == &own)
			consensus_ds_free(&own);
	} else
		consensus_majority(nitems, nlabelers, nclasses, cells, out);
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
