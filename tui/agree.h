/*
 * agree.h: what `accord agree`'s text/JSON printer (cmd_agree.c) and its
 * HTML page (agree_html.c) share; the figures come from agree_report_build
 * (include/accord/agree_report.h).
 */
#ifndef ACCORD_TUI_AGREE_H
#define ACCORD_TUI_AGREE_H

#include "accord/agree.h"
#include "accord/agree_report.h"
#include "accord/ratings.h"

/* The most disagreed items listed per result. */
#define AGREE_TOP 10

/*
 * Write the HTML report of runs[0..nruns-1] to file (atomically: a
 * failure leaves file as it was).  by is the --by key or NULL.  The page's
 * element ids and data- attributes are documented in agree_html.c and
 * docs/guide.md.  Returns 0, or -1 with *cause set (caller frees).
 */
int agree_html_write(const char *file, const char *task,
    const struct ratings *r, const char *by, const struct agree_opts *o,
    const struct agree_report_run *runs, int nruns, char **cause);

#endif
