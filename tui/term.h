/*
 * term.h: what the terminal can show, and colours by meaning.
 *
 * Colour depth is detected once at start-up (term_detect, before or after
 * initscr as noted) from, in order: NO_COLOR (non-empty: none), ACCORD_COLOR
 * (truecolor|24bit|256|16|8|none), the terminfo RGB capability or
 * COLORTERM=truecolor|24bit (truecolor), the terminfo colour count (256,
 * 16, 8), else none.  UI elements are drawn by meaning (term_attr(UI_...)),
 * never by raw colour, and also carry bold/reverse so nothing depends on
 * colour alone.
 */
#ifndef ACCORD_TERM_H
#define ACCORD_TERM_H

#include <stdint.h>

enum term_depth {
	TERM_DEPTH_NONE = 0,	/* ASCII density ramp, no colour */
	TERM_DEPTH_8,		/* the eight ANSI colours 0..7 (xterm, screen,
				 * linux): no bright colours */
	TERM_DEPTH_16,
	TERM_DEPTH_256,
	TERM_DEPTH_TRUE,
};

/* Pure mapping functions (no curses; unit-tested). */

/* Nearest xterm-256 index (16..255: the 6x6x6 cube or the grey ramp,
 * whichever is nearer in RGB distance) to 0xRRGGBB. */
int term_nearest_256(uint32_t rgb);
/* Nearest of the 16 standard ANSI colours (xterm's default palette) to
 * 0xRRGGBB: 0..15. */
int term_nearest_16(uint32_t rgb);
/* Nearest of the eight normal ANSI colours to 0xRRGGBB: 0..7. */
int term_nearest_8(uint32_t rgb);
/*
 * The device colour c of depth (draw.h: 0xRRGGBB at truecolor, a palette
 * index at 256, 16 and 8) as 0xRRGGBB through the same xterm palette the
 * nearest-colour functions use; -1 (the terminal's default) and depth none
 * give -1.
 */
int32_t term_device_rgb(enum term_depth depth, int32_t c);
/* The device colour of depth nearest 0xRRGGBB (-1 at depth none). */
int32_t term_nearest(enum term_depth depth, uint32_t rgb);
/* The xterm-256 palette entry as 0xRRGGBB (0..255). */
uint32_t term_palette_256(int index);
/* A character from the ASCII density ramp " .:-=+*#%@" for luma 0..255. */
char term_ascii_ramp(int luma);

/*
 * Decide the depth from the environment and, once curses is up, the
 * terminfo entry (has_colors, COLORS, tigetflag("RGB")).  env is getenv;
 * colors/rgb are what curses reports (pass -1/-1 before initscr).
 */
enum term_depth term_depth_from(const char *no_color, const char *accord_color,
    const char *colorterm, int colors, int rgb_flag);
/*
 * Never promise more than the terminfo entry in use can send: truecolor
 * needs rgb_flag, 256 needs colors >= 256, 16 needs 16, 8 needs 8; a depth
 * the entry cannot do falls to the best one it can.
 */
enum term_depth term_depth_cap(enum term_depth d, int colors, int rgb_flag);
/* "truecolor", "256", "16", "8", "none" */
const char *term_depth_name(enum term_depth d);

/*
 * The terminfo entry to start curses with: a terminal that wants truecolor
 * (want_true) but whose $TERM entry has no RGB capability (the usual
 * xterm-256color or tmux-256color) gets 24-bit colour from curses only
 * through a "-direct" entry of the same family: "xterm-direct" for
 * xterm*, "tmux-direct" for tmux* and screen*.  Otherwise term itself.
 */
const char *term_direct_entry(const char *term, int want_true);

/*
 * The one-line hint the first screen shows on a terminal below truecolor
 * that nobody chose: depth 8, 16 or 256 detected with no ACCORD_COLOR
 * (unset or not a depth), no NO_COLOR and no COLORTERM=truecolor|24bit,
 * and a $TERM whose family has a -direct entry (term_direct_entry), so
 * that ACCORD_COLOR=truecolor would take effect.  A static string, or NULL
 * when there is nothing to say.  Pure: the arguments are the environment.
 */
const char *term_truecolor_hint(enum term_depth d, const char *no_color,
    const char *accord_color, const char *colorterm, const char *term);
/* term_truecolor_hint() of ui_depth-like d and this process's
 * environment. */
const char *term_truecolor_hint_env(enum term_depth d);

#endif
