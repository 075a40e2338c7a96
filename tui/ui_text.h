/*
 * ui_text.h: a text viewer for a box of the screen (the label and review
 * screens' guideline overlay): UTF-8 text word-wrapped to the box's width,
 * scrolled with arrows, PgUp/PgDn, Home/End, searched with `/` (n: the next
 * match, from the top again after the last), the match highlighted.  Only
 * the UI thread calls these.
 *
 * The caller owns the box and its border; the viewer draws the rows it is
 * given and keeps its own scroll offset, wrapping again whenever the width
 * changes (a resize keeps the first line shown in view).
 */
#ifndef ACCORD_UI_TEXT_H
#define ACCORD_UI_TEXT_H

#include <stddef.h>

/* One screen line: bytes [off, off + len) of the text. */
struct ui_text_line {
	size_t off, len;
	int heading;		/* its source line starts with '#' */
};

struct ui_text {
	char *text;		/* owned copy */
	struct ui_text_line *lines;
	int nlines, width;	/* wrapped for width columns (0: not yet) */
	int top;		/* first line shown */
	int rows;		/* rows of the last draw (a page) */
	char *query;		/* the last search, NULL none */
	size_t m_off, m_len;	/* the match shown, m_len 0 none */
	char msg[96];		/* a note for the footer, "" none */
};

/* An empty viewer (all zero is one too). */
void ui_text_init(struct ui_text *v);
/* Show a copy of text (NULL: nothing) from its first line; the search is
 * kept, its match dropped. */
void ui_text_set(struct ui_text *v, const char *text);
void ui_text_free(struct ui_text *v);

/*
 * Wrap the text into v->lines for width columns (ui_text_draw does it when
 * the width changed), keeping the line first in view.  No curses: the
 * locale's mbrtowc and wcwidth measure the characters.
 */
void ui_text_wrap(struct ui_text *v, int width);

/*
 * Draw the text in the rows y .. y + rows - 1, columns x .. x + cols - 1,
 * and on row foot a position ("lines 1-16 of 44") and any note (a search
 * not found, wrapped).  Wraps again when cols changed.
 */
void ui_text_draw(struct ui_text *v, int y, int x, int cols, int rows,
    int foot);

/*
 * A key for the viewer (code: a keypad key, KEY_*; else a character).
 * Up/Down (k/j) move a line, PgUp/PgDn (b/space) a page, Home/End to the
 * first/last page, `/` asks for a search on the bottom row with
 * ui_edit_line (redraw(arg) on a resize meanwhile; an empty one repeats the
 * last), n finds the next match.  Returns 1 when the viewer took the key
 * (the caller redraws), 0 when it closes: q, Esc, or any other key (which
 * does nothing else).
 */
int ui_text_key(struct ui_text *v, int code, int key,
    void (*redraw)(void *), void *arg);

#endif
