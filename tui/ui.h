/*
 * ui.h: the curses layer shared by the screens: start and stop curses,
 * colours by meaning, drawing prepared cells, printing untrusted text
 * safely, and a modal UTF-8 line editor.  Only the UI thread calls these.
 */
#ifndef ACCORD_UI_H
#define ACCORD_UI_H

#include <wchar.h>

#include "draw.h"
#include "term.h"

/* UI elements, drawn by meaning (htop's CRT_colors idea). */
enum ui_elem {
	UI_NORMAL,
	UI_STATUS,		/* the top status bar */
	UI_DIM,			/* secondary text: metadata, hints */
	UI_KEY,			/* a key name in the class panel and help */
	UI_SELECTED,		/* my current class on an item I go back to */
	UI_BORDERLINE,		/* the borderline class */
	UI_WARNING,		/* errors and notices in the message line */
	UI_PLAYHEAD,		/* the audio playhead column */
	UI_WAVE,		/* waveform colour */
	UI_NELEMS
};

/*
 * Start curses (locale, keypad, mouse, short ESC delay, colours) and decide
 * the colour depth.  When truecolor is wanted but $TERM's entry cannot send
 * 24-bit colour, a "-direct" entry for the same terminal family is used if
 * installed (ncurses-term); otherwise 256 colours.  Registers a fatal-error
 * cleanup that restores the terminal.  Returns 0, or -1 with *cause.
 */
int ui_start(char **cause);
void ui_stop(void);

enum term_depth ui_depth(void);
int ui_utf8(void);		/* the locale can show U+2580 */
int ui_attr(enum ui_elem e);	/* attributes incl. colour pair */

/* Forget the image colour pairs (call before drawing a new image). */
void ui_reset_image_pairs(void);

/* Draw prepared cells with their top-left corner at (y, x). */
void ui_draw_cells(int y, int x, const struct cells *c);

/*
 * Print s (untrusted: control characters shown as '?') at (y, x) within
 * width columns, truncating by display width; returns columns used.
 */
int ui_print(int y, int x, int width, const char *s, int attr);
/* Fill the rest of a row from x with spaces in attr. */
void ui_clear_to(int y, int x, int width, int attr);

/*
 * A modal one-line editor on row y: prompt, then the text, starting from
 * initial (UTF-8).  Keys: printable characters insert, Backspace/Delete,
 * Left/Right/Home/End/^A/^E move, ^U clears, Tab completes the word after
 * the last comma from complete[0..ncomplete) when given, Enter accepts,
 * Esc cancels.  Returns a malloc'd UTF-8 string, or NULL when cancelled.
 */
char *ui_edit_line(int y, const char *prompt, const char *initial,
    char *const *complete, int ncomplete);

#endif
