/*
 * calibration.c: reliability tables and the expected calibration error of
 * consensus confidences, and their run on a store against gold items
 * (include/accord/calibration.h; docs/statistics.md, "Calibration").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/calibration.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "internal.h"

/*
 * Equal-width bins, [b/B, (b+1)/B), confidence 1 in the last: the usual
 * reliability diagram (Naeini, Cooper and Hauskrecht 2015; Guo et al.
 * 2017, sec. 2), so that tables from two projects line up bin for bin.
 */
int
calibration_table(const double *conf, const int *correct, long long n,
    int nbins, struct calibration *out, char **cause)
{
	double *csum, *ok, tconf = 0, tok = 0, brier = 0;
	long long i;
	int b;

	memset(out, 0, sizeof *out);
	if (nbins < 1 || nbins > CALIBRATION_MAX_BINS)
		return acc_error(cause, "bins must be 1 to %d, not %d",
		    CALIBRATION_MAX_BINS, nbins);
	for (i = 0; i < n; i++)
		if (!(conf[i] >= 0 && conf[i] <= 1))
			return acc_error(cause, "confidence %g of item %lld is "
			    "not in [0, 1]", conf[i], i);
	out->nbins = nbins;
	out->n = n;
	out->bins = xcalloc((size_t)nbins, sizeof *out->bins);
	csum = xcalloc((size_t)nbins, sizeof *csum);
	ok = xcalloc((size_t)nbins, sizeof *ok);
	for (i = 0; i < n; i++) {
		double d = conf[i] - (correct[i] != 0);

		b = (int)(conf[i] * nbins);
		if (b >= nbins)
			b = nbins - 1;
		out->bins[b].n++;
		csum[b] += conf[i];
		ok[b] += correct[i] != 0;
		tconf += conf[i];
		tok += correct[i] != 0;
		brier += d * d;
	}
	out->ece = out->mce = 0;
	for (b = 0; b < nbins; b++) {
		struct calibration_bin *x = &out->bins[b];

		x->lo = (double)b / nbins;
		x->hi = (double)(b + 1) / nbins;
		if (x->n == 0) {
			x->confidence = x->accuracy = NAN;
			continue;
		}
		x->confidence = csum[b] / x->n;
		x->accuracy = ok[b] / x->n;
		out->ece += (double)x->n / n *
		    fabs(x->accuracy - x->confidence);
		if (fabs(x->accuracy - x->confidence) > out->mce)
			out->mce = fabs(x->accuracy - x->confidence);
	}
	if (n > 0) {
		out->confidence = tconf / n;
		out->accuracy = tok / n;
		out->brier = brier / n;
	} else
		out->confidence = out->accuracy = out->ece = out->mce =
		    out->brier = NAN;
	free(csum);
	free(ok);
	return 0;
}

void
calibration_free(struct calibration *c)
{
	free(c->bins);
	memset(c, 0, sizeof *c);
}

/* The confidences of the gold items against their gold class. */
static int
score(const struct ratings *r, const struct consensus_item *cons, int bins,
    struct calibration_report *out, char **cause)
{
	double *conf = xcalloc((size_t)r->nitems + 1, sizeof *conf);
	int *ok = xcalloc((size_t)r->nitems + 1, sizeof *ok);
	long long n = 0;
	int i, ret;

	for (i = 0; i < r->nitems; i++) {
		int g = r->gold[i];

		if (g < 0 || g >= r->nclasses)
			continue;
		out->gold++;
		if (cons[i].label < 0) {
			if (cons[i].tie)
				out->ties++;
			else
				out->unlabeled++;
			continue;
		}
		conf[n] = cons[i].confidence;
		ok[n] = cons[i].label == g;
		out->class_n[g]++;
		out->class_correct[g] += ok[n];
		n++;
	}
	ret = calibration_table(conf, ok, n, bins, &out->cal, cause);
	free(conf);
	free(ok);
	return ret;
}

int
calibration_run(struct store *st, const struct calibration_opts *o,
    struct calibration_report *out, char **cause)
{
	struct ratings_opts ro = { 0 };
	struct ratings r;
	struct project p;
	struct agree_input in;
	struct consensus_ds ds;
	struct consensus_onecoin oc;
	struct consensus_item *cons;
	int c, ret;

	memset(out, 0, sizeof *out);
	memset(&ds, 0, sizeof ds);
	memset(&oc, 0, sizeof oc);
	if (o->method != CONSENSUS_MAJORITY &&
	    o->method != CONSENSUS_DAWID_SKENE)
		return acc_error(cause, "calibration is of majority or "
		    "dawid-skene, not %s", consensus_method_name(o->method));
	if (o->bins < 1 || o->bins > CALIBRATION_MAX_BINS)
		return acc_error(cause, "bins must be 1 to %d, not %d",
		    CALIBRATION_MAX_BINS, o->bins);
	if (project_require(st, o->user, ROLE_SME, "calibration",
	    cause) != 0)
		return -1;
	if (project_load(st, &p, cause) != 0)
		return -1;
	ro.user = o->user;
	if (ratings_build(st, &ro, &r, cause) != 0) {
		project_free(&p);
		return -1;
	}
	out->method = o->method;
	out->task = xstrdup(p.task != NULL ? p.task : "");
	project_free(&p);
	out->items = r.nitems;
	out->nclasses = r.nclasses;
	out->classes = xcalloc((size_t)r.nclasses + 1, sizeof *out->classes);
	for (c = 0; c < r.nclasses; c++)
		out->classes[c] = xstrdup(r.classes[c]);
	out->class_n = xcalloc((size_t)r.nclasses + 1, sizeof *out->class_n);
	out->class_correct = xcalloc((size_t)r.nclasses + 1,
	    sizeof *out->class_correct);
	cons = xcalloc((size_t)r.nitems + 1, sizeof *cons);
	ratings_input(&r, &in);
	consensus_compute_in(&in, o->method, CONSENSUS_MAJORITY, &ds, &oc,
	    cons);
	if (o->method == CONSENSUS_DAWID_SKENE) {
		out->ds_iterations = ds.iterations;
		out->ds_converged = ds.converged;
		out->ds_few_labels = ds.few_labels;
	} else
		out->onecoin_accuracy = oc.accuracy;
	ret = score(&r, cons, o->bins, out, cause);
	free(cons);
	consensus_ds_free(&ds);
	consensus_onecoin_free(&oc);
	ratings_free(&r);
	if (ret != 0)
		calibration_report_free(out);
	return ret;
}

void
calibration_report_free(struct calibration_report *r)
{
	int c;

	for (c = 0; c < r->nclasses && r->classes != NULL; c++)
		free(r->classes[c]);
	free(r->classes);
	free(r->class_n);
	free(r->class_correct);
	free(r->task);
	calibration_free(&r->cal);
	memset(r, 0, sizeof *r);
}
