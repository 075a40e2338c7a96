/*
 * agree_report.h: the whole agreement report of a store, computed once in
 * core: per guideline version (or every version together), the statistics
 * of every item (agree_result: team figures, classes, labelers, labeler
 * pairs, class pairs, confusion), of each slice, the most disagreed items
 * and, when asked, the trend.  `accord agree` prints it as text, JSON or
 * HTML and the stats screen draws it; neither computes a figure.
 *
 * Nothing here prints.  Functions returning int give 0 on success or -1
 * with *cause (malloc'd, caller frees); allocation failure aborts.
 */
#ifndef ACCORD_AGREE_REPORT_H
#define ACCORD_AGREE_REPORT_H

#include "accord/agree.h"
#include "accord/ratings.h"
#include "accord/store.h"

struct agree_report_opts {
	const char *user; /* the real OS user; must be sme or admin */
	const char *by;   /* slices as ratings_opts.by; NULL: none */
	/*
	 * 1: one run per guideline version with labels, ascending, then one
	 * of every version together.  0: the one run of `version` (0: every
	 * version together; a version without labels gives empty figures).
	 */
	int each_version;
	int version;
	int top;   /* most disagreed items kept per run (0: none) */
	int trend; /* 1: each run's trend too (reads every label's day) */
	struct agree_opts agree; /* for every agree_compute of the report */
};

/* Set the defaults: every version together, no slices, no hot list. */
void agree_report_opts_init(struct agree_report_opts *o);

/* What one guideline version (or every version together) gives. */
struct agree_report_run {
	int version;              /* 0: every version together */
	struct agree_result all;  /* every item */
	/* With a --by key: r.nslices of each (slice s's items); else NULL. */
	struct agree_result *slices;
	int *slice_items;
	/*
	 * The up to opts.top most disagreed items (ratings_most_disagreed),
	 * top[0..ntop-1]; their r.paths are loaded.
	 */
	int ntop;
	struct ratings_disagreed *top;
	struct ratings_trend trend; /* zeroed unless opts.trend */
	/*
	 * 1: the figures are the run before's, shared (one guideline version
	 * and no label kept for an older one: that version's run and the run
	 * of every version are the same labels); agree_report_free frees
	 * them once.
	 */
	int shared;
};

struct agree_report {
	struct ratings r; /* the matrix the figures come from */
	int nruns;
	struct agree_report_run *runs;
};

/*
 * Read the matrix (ratings_build, under one read transaction) and compute
 * every run.  Refuses as ratings_build does (the user's role, an unknown
 * --by key).  The hot list of a run is found on a second thread while
 * agree_compute works on the same view.  After 0, free *out with
 * agree_report_free(); after -1 *out holds nothing.
 */
int agree_report_build(struct store *st, const struct agree_report_opts *o,
    struct agree_report *out, char **cause);

/* Free what agree_report_build() allocated (not rep itself); zeroes it. */
void agree_report_free(struct agree_report *rep);

#endif
