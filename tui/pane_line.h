/*
 * pane_line.h: rows that fit the terminal's width whatever it is (80
 * columns is a size labelers really have): a status row of fields that
 * drops the least telling ones and shortens long names with an ellipsis,
 * a key hint row whose items are shown whole or not at all, and text
 * wrapped over a few rows.  Nothing here cuts a word at the right edge.
 * UI thread only.
 */
#ifndef ACCORD_PANE_LINE_H
#define ACCORD_PANE_LINE_H

/* How a field of a status row gives way when the row is too narrow. */
enum pane_give {
	PANE_KEEP,		/* shown whole */
	PANE_END,		/* shortened at its end: "surface def…" */
	PANE_MIDDLE,		/* shortened in its middle, for a path:
				   "/data/…/img_029.jpg" keeps the name */
};

struct pane_field {
	const char *text;	/* NULL or "": left out */
	int drop;		/* 0: never dropped; else dropped when the row
				   is too narrow, rank 1 first */
	enum pane_give give;
};

/*
 * Print fields[0..n) joined by sep on row y, columns x .. x + width - 1, in
 * attr.  When they are wider: droppable fields go, lowest rank first (and
 * the last of a rank first), while that is not enough; then the fields that
 * may be shortened are, the widest first.  Returns the columns used.
 */
int pane_fields(int y, int x, int width, const char *sep,
    const struct pane_field *f, int n, int attr);

/*
 * A key hint row: items separated by two spaces ("n note  t tags  ? help
 * q quit"), most used first, ending with the two that lead to the help and
 * out.  Too narrow, the items before those two are dropped from the right,
 * whole; the help lists every key.  Returns how many items were dropped.
 */
int pane_hints(int y, const char *keys, int attr);

/* The rows text takes wrapped at width columns (at least 1). */
int pane_wrap_rows(const char *text, int width);

/*
 * Print text wrapped at width columns on rows y .. y + rows - 1 from column
 * x; when it needs more rows, the last shown ends with an ellipsis.
 * Returns the rows used.
 */
int pane_wrap(int y, int x, int width, int rows, const char *text,
    int attr);

/*
 * text shortened to at most width columns with an ellipsis ("…", or "..."
 * in a locale without UTF-8) at its end, or in its middle; text itself
 * when it fits.  Malloc'd.
 */
char *pane_ellipsize(const char *text, int width, int middle);

/* The columns text takes as ui_print shows it. */
int pane_text_width(const char *text);

#endif
