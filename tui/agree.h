/*
 * agree.h: what `accord agree` computes for one guideline version (or for
 * every version together), shared by its text/JSON printer (cmd_agree.c)
 * and its HTML page (agree_html.c).
 */
#ifndef ACCORD_TUI_AGREE_H
#define ACCORD_TUI_AGREE_H

#include "accord/agree.h"
#include "accord/ratings.h"

/* The most disagreed items listed per result. */
#define AGREE_TOP 10

struct agree_run {
	int version; /* 0: every version */
	int computed; /* all holds a result to free */
	struct ratings_view view;
	struct agree_result all;
	struct agree_result *slices; /* r->nslices, with --by */
	int *slice_items;
	int ntop;
	struct ratings_disagreed top[AGREE_TOP];
};

/*
 * Write the HTML report of runs[0..nruns-1] to file (atomically: a
 * failure leaves file as it was).  by is the --by key or NULL.  The page's
 * element ids and data- attributes are documented in agree_html.c and
 * docs/guide.md.  Returns 0, or -1 with *cause set (caller frees).
 */
int agree_html_write(const char *file, const char *task,
    const struct ratings *r, const char *by, const struct agree_opts *o,
    const struct agree_run *runs, int nruns, char **cause);

#endif
