/*
 * media_pane.h: what the label and review screens share: the media pane
 * (an item's picture, or waveform, spectrogram and time axis; zoom and pan;
 * playback with its playhead), the key table and its help overlay, the
 * guideline overlay, the message line, the "terminal too small" notice,
 * the wait for a key and the quit signals (the stats screen uses the
 * message line, the box and the signals too).  UI thread only.
 *
 * The pane's cells are written straight to the terminal (ui_raw_cells)
 * after refresh(); curses keeps the pane blank in its model.  `dirty` says
 * the cells must be emitted again: set it after anything curses drew over
 * the pane (overlays, resize, clear, a new item).
 */
#ifndef ACCORD_MEDIA_PANE_H
#define ACCORD_MEDIA_PANE_H

#include <stddef.h>

#include "accord/project.h"
#include "accord/util.h"
#include "pane_line.h"
#include "player.h"
#include "prefetch.h"
#include "ui_text.h"

struct media_pane {
	int y, x;		/* top-left cell */
	int cols, rows;		/* size */
	int dirty;		/* cells must be emitted again */
	int playhead;		/* column highlighted, -1 none */
	/*
	 * The image view (media.h) the labeler chose, for images of
	 * view_w x view_h pixels: kept from item to item while they have
	 * that size (the same region of every part), the tones whatever
	 * the size.
	 */
	struct image_view view;
	int view_w, view_h;
	int covered;		/* bottom rows under a long message */
};

enum pane_move {
	PANE_ZOOM_IN,
	PANE_ZOOM_OUT,
	PANE_ZOOM_FIT,
	PANE_LEFT,
	PANE_RIGHT,
	PANE_UP,
	PANE_DOWN,
	PANE_ZOOM_ONE,		/* 1:1, an image pixel a half cell */
	PANE_DARKER,
	PANE_BRIGHTER,
	PANE_LESS_CONTRAST,
	PANE_MORE_CONTRAST,
	PANE_GAMMA_DOWN,
	PANE_GAMMA_UP,
	PANE_LEVELS,		/* auto-levels on / off */
	PANE_TONES_RESET,
};

/*
 * The pane left of a panel panel_w columns wide, from row 2 to the fourth
 * row from the bottom (status rows above, message and key rows below).
 */
void pane_layout(struct media_pane *m, int panel_w);
/*
 * After a resize: the pane laid out again left of a panel panel_w columns
 * wide, new items rendered for the new size (pf), cur (may be NULL)
 * rendered again now, and everything to be redrawn.
 */
void pane_resized(struct media_pane *m, int panel_w, struct prefetch *pf,
    struct prepared *cur);

/*
 * The curses part, inside the draw pass: when there is no picture to show
 * (p NULL: `none`, in the warning colour when warn; p failed: `error`, or
 * p's own error when NULL, and `hint`), the text, wrapped; for audio, the
 * time axis on the pane's last row.  Returns 1 when the pane shows text
 * instead of a picture.
 */
int pane_draw_text(struct media_pane *m, const struct prepared *p,
    const char *none, int warn, const char *error, const char *hint);

/*
 * End of the draw pass, in place of refresh(): when `blank` (text or an
 * overlay covers the pane) wipe the old picture if dirty, then refresh();
 * else refresh(), then emit p's cells when dirty and move the audio
 * playhead to where player pl is.
 */
void pane_refresh(struct media_pane *m, const struct prepared *p,
    struct player *pl, int blank);

/* Row 0, the status bar: fields joined by " | ", fitted (pane_fields). */
void pane_status(const struct pane_field *f, int n);

/*
 * Row y of an item: the fields lead[0..nlead), then the metadata of p's
 * item (p may be NULL) as whole "key=value" fields dropped at rank
 * meta_drop, joined by two spaces and fitted to the width (pane_fields),
 * dim; an image's view (pane_view_status) at the right end, the fields
 * fitted to what it leaves.
 */
void pane_item_row(int y, const struct pane_field *lead, int nlead,
    const struct prepared *p, int meta_drop);

/*
 * Render p, just shown, for the pane when it was rendered for another
 * size, depth or view: an image of the size the pane's view was chosen on
 * gets that view, another size is fitted (the tones kept).
 */
void pane_fit(struct media_pane *m, struct prepared *p);

/* Zoom, pan or adjust the tones of image p within the pane (re-rendered,
 * no I/O); the pane keeps the view for the next items. */
void pane_move(struct media_pane *m, struct prepared *p, enum pane_move a);

/*
 * The view of image p as the status line shows it: "fit 2.4x" or
 * "zoom 3x", then the adjustments (image_view_text); NULL for no image.
 * malloc'd.
 */
char *pane_view_status(const struct prepared *p);

struct pane_msg;
/* Space: play audio p, or stop it when playing (p not audio: nothing).
 * When no player can start, says why in msg, ending "; GOES_ON". */
void pane_play(struct player *pl, const struct prepared *p,
    struct pane_msg *msg, const char *goes_on);

/*
 * When the terminal is smaller than min_cols x min_rows: say so on the
 * cleared screen, refresh, and return 1 (the caller draws nothing else).
 */
int pane_too_small(struct media_pane *m, int min_cols, int min_rows);

/* An overlay box over rows y0..y0+h-1, columns x0..x0+w-1: cleared, with
 * a rule above and below. */
void pane_box(int y0, int x0, int h, int w);

/* A key table entry: data, so the help overlay is generated from it. */
struct pane_key {
	int key;
	int action;		/* the screen's enum action */
	const char *name;	/* NULL: an alias not listed separately */
	const char *help;
	int arg;		/* passed with the action */
};

/*
 * The key table entries of the view keys both screens share, for the
 * screen's action that calls pane_move with the entry's arg.  Class keys
 * are letters and digits (core/project.c), so these are punctuation,
 * which no class can take: brackets, braces and parentheses in pairs for
 * the three adjustments.  `1` is 1:1 as well when no class has that key
 * (a class's key is looked up first, pane_map_key), `!` always.
 */
#define PANE_VIEW_KEYS(act)						\
	{ '!', act, NULL, NULL, PANE_ZOOM_ONE },			\
	{ '1', act, NULL, NULL, PANE_ZOOM_ONE },			\
	{ '[', act, "[ ] { } ( )",					\
	    "brightness, contrast, gamma: down / up", PANE_DARKER },	\
	{ ']', act, NULL, NULL, PANE_BRIGHTER },			\
	{ '{', act, NULL, NULL, PANE_LESS_CONTRAST },			\
	{ '}', act, NULL, NULL, PANE_MORE_CONTRAST },			\
	{ '(', act, NULL, NULL, PANE_GAMMA_DOWN },			\
	{ ')', act, NULL, NULL, PANE_GAMMA_UP },			\
	{ '*', act, "* \\",						\
	    "auto-levels on / off; \\ resets the tones", PANE_LEVELS },	\
	{ '\\', act, NULL, NULL, PANE_TONES_RESET }
/* The name and help of the zoom keys' entry ('+'). */
#define PANE_ZOOM_NAME "+ - !"
#define PANE_ZOOM_HELP "zoom in / out; ! (or 1, if no class has it) 1:1"

/* The action of key: a class's key gives class_action with *arg the
 * class index (position); else the table's entry (*arg its arg); else 0. */
int pane_map_key(const struct project *p, int class_action,
    const struct pane_key *keys, size_t nkeys, int key, int *arg);

/* Where a scrolled overlay is: its first line shown, rows, lines. */
struct pane_scroll {
	int top, rows, lines;
};

/*
 * The help overlay, over the whole width: "TITLE (any key closes)", a line
 * per class ("VERB NAME[ (borderline)] SUFFIX"), a line per named key,
 * then footer (may be NULL); long lines wrap under their text.  When it
 * is longer than the box, it scrolls from sc->top and says where it is.
 */
void pane_help(const struct project *p, const char *title, const char *verb,
    const char *suffix, const struct pane_key *keys, size_t nkeys,
    const char *footer, struct pane_scroll *sc);
/* A key for the help (code: a keypad key): 1 when it scrolled the help
 * (arrows, PgUp, PgDn, Home, End, only when there is more than fits);
 * 0: any other key, which closes it. */
int pane_help_key(struct pane_scroll *sc, int code, int key);
/* The guideline overlay: version's text in the viewer v (ui_text.h),
 * wrapped, scrolled and searched; its keys go to ui_text_key. */
void pane_guide(int version, struct ui_text *v);

/* The message line (second row from the bottom). */
struct pane_msg {
	char *text;		/* NULL: none */
	int warn;
	char *hide, *as;	/* pane_msg_hide; NULL: nothing hidden */
	int hide_base;
};
/* The message, with what pane_msg_hide hides replaced. */
void pane_msg_set(struct pane_msg *m, int warn, const char *fmt, ...)
    ACC_PRINTF(3, 4);
void pane_msg_clear(struct pane_msg *m);
/* The text, and what is hidden, freed. */
void pane_msg_free(struct pane_msg *m);
/*
 * From now on messages show `as` wherever they would show path (NULL:
 * nothing is hidden), and, with base_too, wherever they would show its
 * base name: the label screen's show-paths setting reaches the messages
 * made from a cause about the file (the loader's, the player's).
 */
void pane_msg_hide(struct pane_msg *m, const char *path, int base_too,
    const char *as);
/* text with path (and with base_too its base name) replaced by as;
 * malloc'd.  path NULL or "": a copy. */
char *pane_redact(const char *text, const char *path, int base_too,
    const char *as);

/* The rows a long message may take, upwards from the message line. */
#define PANE_MSG_ROWS 3
/*
 * The message, wrapped over up to PANE_MSG_ROWS rows ending on the second
 * row from the bottom (its last row ends with an ellipsis when it needs
 * more), and on the last row the key hints `keys` in attr, fitted to the
 * width (pane_hints: items separated by two spaces, help and quit last).
 * Rows of the message over the pane (NULL: none) are noted in it, so the
 * picture is sent again when they come and go.
 */
void pane_footer(struct media_pane *pane, const struct pane_msg *m,
    const char *keys, int attr);
/* pane_footer without a pane (the stats screen). */
void pane_bottom(const struct pane_msg *m, const char *keys, int attr);

/* What one wait of a screen's loop brought. */
enum pane_input {
	PANE_IDLE,		/* no key before the timeout */
	PANE_RESIZE,		/* the terminal changed size */
	PANE_CODE,		/* a keypad or mouse key: KEY_* */
	PANE_CHAR,		/* a character, a wide one too */
};

/*
 * One wait of a screen's loop for a key in *key.  When the audio player
 * pl failed (player_failure), first says so in msg, once, with the
 * player's reason: "playback failed: REASON; GOES_ON".  Waits 40 ms while
 * audio plays or while `waiting` (for the loader), else 250 ms, so the
 * playhead moves and a loaded item shows.
 */
enum pane_input pane_wait_key(struct player *pl, struct pane_msg *msg,
    const char *goes_on, int waiting, int *key);

/* SIGINT, SIGTERM and SIGHUP only set a flag, and a terminal that went
 * away counts as one (ui_catch_signals, ui_get_wch); the loop ends on it. */
void pane_catch_signals(void);
int pane_quit_requested(void);

#endif
