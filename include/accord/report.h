/*
 * report.h: a small toolkit for self-contained HTML reports with inline SVG
 * charts: escaped text, a page frame with its own stylesheet, a bar chart
 * with intervals, a heatmap of counts, and writing the page atomically.
 *
 * The pages it makes load nothing: no scripts, fonts, stylesheets or
 * images from anywhere, so a report can be mailed or opened offline and
 * never calls home.  Every figure a chart shows is also in the document as
 * text (an SVG <text> or <title>) and as a data- attribute with full
 * precision, so a reader can copy it and a test can find it.
 *
 * Every string given to these functions is text, not markup: it is
 * HTML-escaped (& < > " ') after control characters are made '?' and
 * invalid UTF-8 becomes U+FFFD (acc_printable), so names read from a store
 * cannot inject markup.  Ids and data- keys passed as `id` or `key` are
 * escaped too, but should be plain [A-Za-z0-9_-] so a test can select them.
 *
 * Nothing here prints or touches a store.  Output is appended to a
 * struct buf (accord/util.h); allocation failure aborts (xmalloc).
 */
#ifndef ACCORD_REPORT_H
#define ACCORD_REPORT_H

#include <stddef.h>

#include "accord/util.h"

/* Append s as HTML text or attribute value (escaped as above). */
void report_text(struct buf *b, const char *s);

/*
 * Append a number as it is shown (fmt is a printf format for one double,
 * e.g. "%.3f") or, for the data- attributes, at %.12g, the precision of
 * accord's JSON output, so the two compare equal.
 */
void report_num(struct buf *b, const char *fmt, double v);

/*
 * Start a page: doctype, <meta charset="utf-8">, a <title>, the inline
 * stylesheet the charts and tables use, <body> and an <h1> with title.
 * report_page_end() closes it.
 */
void report_page_begin(struct buf *b, const char *title);
void report_page_end(struct buf *b);

/*
 * One figure of a bar chart.  A value that is not defined is drawn as the
 * text "undefined (why)" instead of a bar.  When has_ci is set, lo..hi is
 * drawn as an error bar and written as "[lo, hi]"; ci_why, when has_ci is 0
 * and ci_why is not NULL, is shown as "CI undefined (ci_why)".
 */
struct report_value {
	double value;
	int defined;
	const char *why;
	int has_ci;
	double lo, hi;
	const char *ci_why;
};

/* A series of a grouped bar chart: what one bar of every group shows. */
struct report_series {
	const char *key;  /* data-series="key" on its bars */
	const char *name; /* legend text */
};

/*
 * A horizontal grouped bar chart: for each group (a labeler, a slice, a
 * guideline version) one bar per series, on a common axis.  The axis runs
 * from min(0, every value and lo) to max(1, every value and hi), so
 * statistics in 0..1 share a scale and a negative kappa still shows.
 *
 * The SVG gets id="id" and class="chart"; each group a
 * <g class="group" data-group="NAME">; each bar a
 * <rect class="bar" data-series="KEY" data-value="V"> (V at %.12g) with a
 * <title> and a <text class="value"> showing V at %.3f; an interval a
 * <line class="ci" data-lo="LO" data-hi="HI"> and "[lo, hi]" in the text.
 * notes (may be NULL, or NULL entries) adds a second line under a group's
 * name (e.g. "n = 15") and a data-note attribute.
 */
struct report_bars {
	const char *id;
	const char *title;
	int ngroups, nseries;
	const char *const *groups;
	const char *const *notes;
	const struct report_series *series;
	const struct report_value *values; /* ngroups * nseries, by group */
};

void report_svg_bars(struct buf *b, const struct report_bars *c);

/*
 * Table cells.  A number: <td class="num" data-key="KEY" data-value="V">
 * (V at %.12g) showing V by fmt.  A value: the same at "%.3f", or
 * <td class="undef" data-key="KEY" data-why="WHY">undefined (WHY)</td>.
 * An interval: <td class="num" data-key="KEY" data-lo="LO" data-hi="HI">
 * "[lo, hi]" (at %.3f), or undefined with ci_why.  Text: <td>escaped</td>.
 */
void report_td_num(struct buf *b, const char *key, double v, const char *fmt);
void report_td_value(struct buf *b, const char *key,
    const struct report_value *v);
void report_td_interval(struct buf *b, const char *key,
    const struct report_value *v);
void report_td_text(struct buf *b, const char *s);

/*
 * A heatmap of counts, nrows x ncols, row-major: cell (r, c) is
 * counts[r * ncols + c], shaded from white (0) to dark blue (the largest
 * count) with the count written in it.  The SVG gets id="id" and
 * class="heatmap"; each cell a <rect class="cell" data-row="ROW NAME"
 * data-col="COL NAME" data-count="N"> with a <title> "ROW / COL: N" and a
 * <text class="count">N</text>.  row_axis and col_axis name the axes.
 */
struct report_heatmap {
	const char *id;
	const char *title;
	const char *row_axis, *col_axis;
	int nrows, ncols;
	const char *const *rows;
	const char *const *cols;
	const long long *counts;
};

void report_svg_heatmap(struct buf *b, const struct report_heatmap *h);

/*
 * Write len bytes to path atomically: into a temporary file beside it
 * (path.tmp.XXXXXX), flushed to disk, then renamed over path, so a reader
 * or a failure never sees half a page.  The file gets mode 0644 less the
 * umask.  On failure the temporary file is removed, path is untouched, and
 * -1 comes back with *cause set (caller frees); 0 on success.
 */
int report_write_file(const char *path, const char *data, size_t len,
    char **cause);

#endif
