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
/*
 * Start curses, run body(arg), stop curses.  Returns body's result, or 1
 * when curses cannot start (the reason printed on stderr: "accord: WHY").
 */
int ui_run(int (*body)(void *), void *arg);

/*
 * Run accord itself (/proc/self/exe) with argv (argv[0] "accord", NULL
 * last) on the terminal: curses steps aside and comes back after, and
 * meanwhile ^C and ^\ belong to the child, which gets them back at their
 * defaults.  When exec fails the child says "accord: cannot run WHAT: WHY"
 * and exits 127.  The caller redraws everything.  Returns 0 with the
 * child's wait status in *status, or -1 with errno when it cannot start.
 */
int ui_run_accord(const char *const argv[], const char *what,
    int *status);

/*
 * Read one key as get_wch does, waiting up to ms milliseconds (ERR when
 * none came).  Every screen and the line editor read through here, because
 * an ERR may also mean the terminal is gone: a hung-up tty (its tmux
 * session or window killed, a `su` shell's terminal closed) gives EOF or
 * EIO at once, with no SIGHUP when accord is not the session leader, and
 * a loop that only sees ERR would spin for ever.  After such an ERR
 * ui_quit_requested() is 1.
 */
int ui_get_wch(int ms, wint_t *wk);
/*
 * SIGINT, SIGTERM and SIGHUP only set a flag (async-signal-safe); the
 * screen's loop sees it through ui_quit_requested() within one wait and
 * leaves by its normal exit path, releasing what it holds.
 */
void ui_catch_signals(void);
/* 1 once a quit signal came or the terminal went away, else 0. */
int ui_quit_requested(void);
/* 1 once the terminal went away (nothing can be shown or read). */
int ui_term_lost(void);

enum term_depth ui_depth(void);
int ui_utf8(void);		/* the locale can show U+2580 */
int ui_attr(enum ui_elem e);	/* attributes incl. colour pair */

/*
 * Write media cells straight to the terminal, after refresh(): the pane of
 * cols x rows cells at (y, x) is filled, with c centred in it.  Curses
 * must keep that area blank in its model (it draws nothing there).  Only
 * cells that differ from what was last written there are written:
 * emitting the same cells again writes nothing.  c NULL wipes the pane
 * before curses draws over it (text, an overlay), leaving alone the
 * cells whose look is not known (after a resize, endwin).
 */
void ui_raw_cells(int y, int x, int cols, int rows, const struct cells *c);
/* Bring column col of cells drawn at (y, x) to its look again, or
 * highlighted as the audio playhead when highlight. */
void ui_raw_column(int y, int x, const struct cells *c, int col,
    int highlight);
/*
 * refresh(), noting what it does to the media pane: after clear() (a
 * full repaint) the pane is blank, after endwin() (a program ran on the
 * terminal) it is unknown.  Screens with a media pane refresh with this.
 */
void ui_refresh(void);
/*
 * 1 when what ui_raw_cells wrote may be gone from the screen (a clearing
 * ui_refresh, a new terminal size, a resume after a suspend) and nothing
 * was emitted since: the caller must emit its cells again.
 */
int ui_raw_stale(void);
/*
 * Rows y .. y + rows - 1 hold what curses drew over the pane (a message
 * wrapped over its bottom rows): their look is not known, so the next
 * ui_raw_cells writes them again and a wipe leaves them alone.
 */
void ui_raw_forget(int y, int rows);

/*
 * Print s (untrusted: control characters shown as '?') at (y, x) within
 * width columns, truncating by display width; returns columns used.
 */
int ui_print(int y, int x, int width, const char *s, int attr);
/*
 * s (NULL: "") as ui_print shows it: control and invisible format
 * characters and bytes the locale cannot decode as '?', every character
 * of a width >= 0; wide, malloc'd, with its length in *n.
 */
wchar_t *ui_widen(const char *s, size_t *n);
/* Fill the rest of a row from x with spaces in attr. */
void ui_clear_to(int y, int x, int width, int attr);

/*
 * A modal one-line editor on the bottom row: prompt, then the text,
 * starting from initial (UTF-8).  Keys: printable characters insert,
 * Backspace/Delete, Left/Right/Home/End/^A/^E move, ^U clears, Tab
 * completes the word after the last comma from complete[0..ncomplete) when
 * given, Enter accepts, Esc cancels.  On a terminal resize it calls
 * redraw(arg) (the screen under it) and goes on at the new bottom row.
 * Returns a malloc'd UTF-8 string, or NULL when cancelled.
 */
char *ui_edit_line(const char *prompt, const char *initial,
    char *const *complete, int ncomplete, void (*redraw)(void *), void *arg);

#endif
