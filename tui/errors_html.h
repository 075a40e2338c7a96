/*
 * errors_html.h: the HTML pages of `accord errors --html` and `accord
 * drift --html` (errors_html.c lists their ids and data- attributes).
 */
#ifndef ACCORD_TUI_ERRORS_HTML_H
#define ACCORD_TUI_ERRORS_HTML_H

#include "accord/drift.h"
#include "accord/errors.h"

/*
 * Write the page of report e (analysed with options o) to file,
 * atomically (report_write_file).  0, or -1 with *cause (caller frees).
 */
int errors_html_write(const char *file, const char *task,
    const struct errors_report *e, const struct errors_opts *o,
    char **cause);

/* The same for a drift report. */
int drift_html_write(const char *file, const struct drift_report *d,
    char **cause);

#endif
