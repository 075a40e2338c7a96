/*
 * html.h: table cells and rows the HTML pages share (agree_html.c,
 * errors_html.c), built on include/accord/report.h.  Keys and ids should be
 * plain [A-Za-z0-9_-]; text is escaped.
 */
#ifndef ACCORD_TUI_HTML_H
#define ACCORD_TUI_HTML_H

#include "accord/agree.h"
#include "accord/report.h"
#include "accord/util.h"

/* A bar's value from a statistic and, when ci is not NULL, its interval. */
void html_bar_value(struct report_value *v, const struct agree_stat *s,
    const struct agree_ci *ci);
/* td[data-key][data-value] at %.3f, or td.undef "undefined (why)". */
void html_td_stat(struct buf *b, const char *key, const struct agree_stat *s);
/* td[data-key][data-lo][data-hi] "[lo, hi]", or "undefined (why)". */
void html_td_ci(struct buf *b, const char *key, const struct agree_ci *c);
/* td[data-key][data-value] with a whole number. */
void html_td_int(struct buf *b, const char *key, long long v);
/* <tr data-a="X" data-b="Y"><td>X</td><td>Y</td> (the row stays open). */
void html_tr_pair(struct buf *b, const char *x, const char *y);
/* <tr data-ATTR="NAME"><td>NAME</td> (the row stays open); ATTR plain. */
void html_tr_named(struct buf *b, const char *attr, const char *name);
/*
 * The arrays a bar chart of n groups is drawn from: values (n x nseries,
 * by group), group names and notes, all zeroed; each note set is malloc'd
 * and freed by html_bars_free with the arrays.
 */
struct html_bars {
	struct report_value *v;
	const char **names;
	char **notes;
	int n;
};
void html_bars_alloc(struct html_bars *h, int n, int nseries);
void html_bars_free(struct html_bars *h);
/* <table id="PREFIX-NAME"> (or id="NAME" when prefix is NULL) and its
 * header row of heads (NULL-terminated). */
void html_table_begin(struct buf *b, const char *prefix, const char *name,
    const char *const *heads);

#endif
