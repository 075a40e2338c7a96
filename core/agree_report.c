/*
 * agree_report.c: build the whole agreement report of a store once (see
 * include/accord/agree_report.h) for `accord agree` and the stats screen.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accord/agree_report.h"
#include "accord/util.h"

void
agree_report_opts_init(struct agree_report_opts *o)
{
	memset(o, 0, sizeof *o);
	agree_opts_init(&o->agree);
}

struct top_job {
	const struct ratings *r;
	const struct ratings_view *v;
	int max;
	struct agree_report_run *u;
};

static void *
top_run(void *arg)
{
	struct top_job *j = arg;

	j->u->ntop = ratings_most_disagreed(j->r, j->v, j->max, j->u->top);
	return NULL;
}

/* One run's statistics of every item and the hot list; 0 or -1. */
static int
run_all(const struct ratings *r, const struct agree_report_opts *o,
    struct agree_report_run *u, char **cause)
{
	struct ratings_view v;
	struct top_job job = { r, &v, o->top, u };
	pthread_t th;
	int started = 0, rc;

	ratings_view(r, -1, u->version, &v);
	u->top = xcalloc((size_t)o->top + 1, sizeof *u->top);
	/*
	 * The most disagreed items need only the view (read, like
	 * agree_compute): a second thread finds them meanwhile, a tenth of
	 * `accord agree`'s time on 200,000 items.
	 */
	if (o->top > 0) {
		started = pthread_create(&th, NULL, top_run, &job) == 0;
		if (!started)
			top_run(&job);
	}
	rc = agree_compute(&v.in, &o->agree, &u->all, cause);
	if (started)
		pthread_join(th, NULL);
	ratings_view_free(&v);
	return rc;
}

/* Each slice's statistics; 0, or -1 with nothing of them left. */
static int
run_slices(const struct ratings *r, const struct agree_report_opts *o,
    struct agree_report_run *u, char **cause)
{
	int s;

	u->slices = xcalloc((size_t)r->nslices + 1, sizeof *u->slices);
	u->slice_items = xcalloc((size_t)r->nslices + 1,
	    sizeof *u->slice_items);
	for (s = 0; s < r->nslices; s++) {
		struct ratings_view v;
		int rc;

		ratings_view(r, s, u->version, &v);
		u->slice_items[s] = v.in.nitems;
		rc = agree_compute(&v.in, &o->agree, &u->slices[s], cause);
		ratings_view_free(&v);
		if (rc != 0) {
			/* Nothing to free in a failed result: stop here. */
			while (s-- > 0)
				agree_result_free(&u->slices[s]);
			free(u->slices);
			free(u->slice_items);
			u->slices = NULL;
			u->slice_items = NULL;
			return -1;
		}
	}
	return 0;
}

/* What run_compute filled, for agree_report_free. */
static void
run_free(const struct ratings *r, struct agree_report_run *u)
{
	int s;

	if (u->shared) {
		memset(u, 0, sizeof *u);
		return;
	}
	agree_result_free(&u->all);
	if (u->slices != NULL)
		for (s = 0; s < r->nslices; s++)
			agree_result_free(&u->slices[s]);
	free(u->slices);
	free(u->slice_items);
	free(u->top);
	ratings_trend_free(&u->trend);
	memset(u, 0, sizeof *u);
}

/* Every figure of one run; 0, or -1 with nothing of it left. */
static int
run_compute(const struct ratings *r, const struct agree_report_opts *o,
    struct agree_report_run *u, char **cause)
{
	if (run_all(r, o, u, cause) != 0) {
		free(u->top);
		u->top = NULL;
		return -1;
	}
	if ((o->by != NULL && run_slices(r, o, u, cause) != 0) ||
	    (o->trend && ratings_trend(r, u->version, &u->trend,
	    cause) != 0)) {
		run_free(r, u);
		return -1;
	}
	return 0;
}

int
agree_report_build(struct store *st, const struct agree_report_opts *o,
    struct agree_report *out, char **cause)
{
	struct ratings_opts ro = { 0 };
	struct ratings *r = &out->r;
	int i, n;

	memset(out, 0, sizeof *out);
	ro.user = o->user;
	ro.by = o->by;
	ro.days = o->trend;
	if (ratings_build(st, &ro, r, cause) != 0)
		return -1;
	n = o->each_version ? r->nversions + 1 : 1;
	out->runs = xcalloc((size_t)n, sizeof *out->runs);
	for (i = 0; i < n; i++) {
		struct agree_report_run *u = &out->runs[i];

		u->version = !o->each_version ? o->version :
		    i < r->nversions ? r->versions[i] : 0;
		/*
		 * One version and nothing kept for an older one: every
		 * version together is that version's labels again (the stats
		 * screen's usual case; the bootstrap would run twice).
		 */
		if (i == 1 && r->nversions == 1 && r->nhist == 0) {
			*u = out->runs[0];
			u->version = 0;
			u->shared = 1;
		} else if (run_compute(r, o, u, cause) != 0)
			goto fail;
		out->nruns++;
	}
	/* Only the most disagreed items are shown with their paths. */
	for (i = 0; i < out->nruns; i++) {
		const struct agree_report_run *u = &out->runs[i];
		int t, *idx, rc;

		if (u->shared)
			continue;
		idx = xcalloc((size_t)u->ntop + 1, sizeof *idx);

		for (t = 0; t < u->ntop; t++)
			idx[t] = u->top[t].item;
		rc = ratings_load_paths(st, r, idx, u->ntop, cause);
		free(idx);
		if (rc != 0)
			goto fail;
	}
	return 0;
fail:
	agree_report_free(out);
	return -1;
}

void
agree_report_free(struct agree_report *rep)
{
	int i;

	for (i = 0; i < rep->nruns; i++)
		run_free(&rep->r, &rep->runs[i]);
	free(rep->runs);
	ratings_free(&rep->r);
	memset(rep, 0, sizeof *rep);
}
