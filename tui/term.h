/*
 * term.h: what the terminal can show, and colours by meaning.
 *
 * Colour depth is detected once at start-up (term_detect, before or after
 * initscr as noted) from, in order: NO_COLOR (non-empty: none), ACCORD_COLOR
 * (truecolor|24bit|256|16|none), the terminfo RGB capability or
 * COLORTERM=truecolor|24bit (truecolor), the terminfo colour count (256,
 * 16/8), else none.  UI elements are drawn by meaning (term_attr(UI_...)),
 * never by raw colour, and also carry bold/reverse so nothing depends on
 * colour alone.
 */
#ifndef ACCORD_TERM_H
#define ACCORD_TERM_H

#include <stdint.h>

enum term_depth {
	TERM_DEPTH_NONE = 0,	/* ASCII density ramp, no colour */
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
/* "truecolor", "256", "16", "none" */
const char *term_depth_name(enum term_depth d);

#endif
