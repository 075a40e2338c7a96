/*
 * term.c: the pure half of term.h: the xterm palettes, nearest-colour
 * mapping, the ASCII ramp, the colour-depth decision and the hint about
 * truecolor.  No curses here, so all of it is unit-tested without a
 * terminal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "term.h"

/*
 * xterm's default 16 colours (xterm's XTerm-col.ad / charproc.c defaults:
 * the normal eight at 0xcd, blue at 0xee, bright blue 0x5c5cff, greys e5
 * and 7f).  Other terminals differ a little; this is the usual reference.
 */
static const uint32_t term_ansi16[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00,
	0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
	0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

/* The six levels of each axis of xterm's 6x6x6 cube (256colres.pl). */
static const int term_cube[6] = { 0, 95, 135, 175, 215, 255 };

/* Grey ramp: index 232 + k is 8 + 10k on every channel, k = 0..23. */
#define TERM_GREY_BASE 8
#define TERM_GREY_STEP 10
#define TERM_GREY_COUNT 24

static int
term_dist2(int r, int g, int b, uint32_t rgb)
{
	int dr = r - (int)((rgb >> 16) & 0xff);
	int dg = g - (int)((rgb >> 8) & 0xff);
	int db = b - (int)(rgb & 0xff);

	return dr * dr + dg * dg + db * db;
}

/*
 * The cube level nearest v.  Squared distance is a sum over the channels
 * and the cube is a product of the same six levels per channel, so the
 * nearest cube entry is the nearest level on each channel independently.
 * A tie (v = 115, 155, 195, 235) goes to the lower level, which is also the
 * lower palette index, as a first-minimum search over 16..231 would.
 */
static int
term_cube_level(int v)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (2 * v <= term_cube[i] + term_cube[i + 1])
			return i;
	}
	return 5;
}

uint32_t
term_palette_256(int index)
{
	int v;

	if (index < 0 || index > 255)
		return 0;
	if (index < 16)
		return term_ansi16[index];
	if (index < 232) {
		index -= 16;
		return (uint32_t)term_cube[index / 36] << 16 |
		    (uint32_t)term_cube[index / 6 % 6] << 8 |
		    (uint32_t)term_cube[index % 6];
	}
	v = TERM_GREY_BASE + TERM_GREY_STEP * (index - 232);
	return (uint32_t)v << 16 | (uint32_t)v << 8 | (uint32_t)v;
}

/*
 * Only 16..255 are candidates: 0..15 are redefined by most users' themes,
 * so an image drawn with them would change colour with the theme.  Ties go
 * to the lower index (cube before grey), the same as scanning 16..255 and
 * keeping the first minimum.
 */
int
term_nearest_256(uint32_t rgb)
{
	int r = (int)((rgb >> 16) & 0xff), g = (int)((rgb >> 8) & 0xff);
	int b = (int)(rgb & 0xff);
	int cube, cube_d, grey, grey_d, k, k0, d;

	cube = 16 + 36 * term_cube_level(r) + 6 * term_cube_level(g) +
	    term_cube_level(b);
	cube_d = term_dist2(r, g, b, term_palette_256(cube));

	/*
	 * The distance to grey (v, v, v) is a parabola in v with its minimum
	 * at the mean of r, g, b, so the best grey level is one of the two
	 * either side of the mean: try the level below it and the next.
	 */
	k0 = ((r + g + b) / 3 - TERM_GREY_BASE) / TERM_GREY_STEP;
	if (k0 < 0)
		k0 = 0;
	if (k0 > TERM_GREY_COUNT - 1)
		k0 = TERM_GREY_COUNT - 1;
	grey = 232 + k0;
	grey_d = term_dist2(r, g, b, term_palette_256(grey));
	for (k = k0 - 1; k <= k0 + 1; k += 2) {
		if (k < 0 || k >= TERM_GREY_COUNT)
			continue;
		d = term_dist2(r, g, b, term_palette_256(232 + k));
		if (d < grey_d || (d == grey_d && 232 + k < grey)) {
			grey = 232 + k;
			grey_d = d;
		}
	}
	return grey_d < cube_d ? grey : cube;
}

/* The nearest of the first n ANSI colours (first minimum on a tie). */
static int
term_nearest_ansi(uint32_t rgb, int n)
{
	int r = (int)((rgb >> 16) & 0xff), g = (int)((rgb >> 8) & 0xff);
	int b = (int)(rgb & 0xff);
	int i, best = 0, best_d = -1, d;

	for (i = 0; i < n; i++) {
		d = term_dist2(r, g, b, term_ansi16[i]);
		if (best_d < 0 || d < best_d) {
			best = i;
			best_d = d;
		}
	}
	return best;
}

int
term_nearest_16(uint32_t rgb)
{
	return term_nearest_ansi(rgb, 16);
}

/*
 * xterm, screen and the Linux console have only colours 0..7 in terminfo:
 * SGR 90..97 (the bright eight) are an aixterm extension that some of them
 * ignore and others show as the normal eight, which is how a grey image
 * (mostly colour 8, bright black) came out black on black.  So at depth 8
 * only the eight exist.
 */
int
term_nearest_8(uint32_t rgb)
{
	return term_nearest_ansi(rgb, 8);
}

int32_t
term_device_rgb(enum term_depth depth, int32_t c)
{
	if (c < 0)
		return -1;
	switch (depth) {
	case TERM_DEPTH_TRUE: return c & 0xffffff;
	case TERM_DEPTH_256: return c < 256 ? (int32_t)term_palette_256(c) : -1;
	case TERM_DEPTH_16: return c < 16 ? (int32_t)term_ansi16[c] : -1;
	case TERM_DEPTH_8: return c < 8 ? (int32_t)term_ansi16[c] : -1;
	case TERM_DEPTH_NONE: return -1;
	}
	return -1;
}

int32_t
term_nearest(enum term_depth depth, uint32_t rgb)
{
	switch (depth) {
	case TERM_DEPTH_TRUE: return (int32_t)(rgb & 0xffffff);
	case TERM_DEPTH_256: return term_nearest_256(rgb);
	case TERM_DEPTH_16: return term_nearest_16(rgb);
	case TERM_DEPTH_8: return term_nearest_8(rgb);
	case TERM_DEPTH_NONE: return -1;
	}
	return -1;
}

char
term_ascii_ramp(int luma)
{
	static const char ramp[] = " .:-=+*#%@";
	const int n = (int)sizeof ramp - 1;

	if (luma < 0)
		luma = 0;
	if (luma > 255)
		luma = 255;
	return ramp[luma * n / 256];
}

/* The depth an ACCORD_COLOR value names, or -1 for anything else. */
static int
term_depth_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "truecolor") == 0 || strcasecmp(s, "24bit") == 0)
		return TERM_DEPTH_TRUE;
	if (strcmp(s, "256") == 0)
		return TERM_DEPTH_256;
	if (strcmp(s, "16") == 0)
		return TERM_DEPTH_16;
	if (strcmp(s, "8") == 0)
		return TERM_DEPTH_8;
	if (strcasecmp(s, "none") == 0)
		return TERM_DEPTH_NONE;
	return -1;
}

/*
 * The order is term.h's.  ACCORD_COLOR beats detection because COLORTERM
 * rarely survives ssh or sudo; an unrecognised value is ignored rather
 * than refused, as a typo in the environment should not stop the tool.
 *
 * colors < 0 means curses is not up yet.  With nothing else to go on the
 * answer is 16: every terminal in use today has the eight ANSI colours and
 * nearly all the bright eight, while claiming 256 would print colours that
 * a plain vt100-like entry shows as garbage.  The caller asks again after
 * initscr with the real count, and a count of 8 (xterm, screen, linux)
 * means 8: their entries do not promise the bright eight.
 */
enum term_depth
term_depth_from(const char *no_color, const char *accord_color,
    const char *colorterm, int colors, int rgb_flag)
{
	int d;

	/* https://no-color.org: set and not empty disables colour. */
	if (no_color != NULL && no_color[0] != '\0')
		return TERM_DEPTH_NONE;
	if ((d = term_depth_parse(accord_color)) >= 0)
		return (enum term_depth)d;
	if (rgb_flag > 0)
		return TERM_DEPTH_TRUE;
	if (colorterm != NULL && (strcasecmp(colorterm, "truecolor") == 0 ||
	    strcasecmp(colorterm, "24bit") == 0))
		return TERM_DEPTH_TRUE;
	if (colors >= 256)
		return TERM_DEPTH_256;
	if (colors >= 16)
		return TERM_DEPTH_16;
	if (colors >= 8)
		return TERM_DEPTH_8;
	if (colors < 0)
		return TERM_DEPTH_16;
	return TERM_DEPTH_NONE;
}

const char *
term_depth_name(enum term_depth d)
{
	switch (d) {
	case TERM_DEPTH_TRUE: return "truecolor";
	case TERM_DEPTH_256: return "256";
	case TERM_DEPTH_16: return "16";
	case TERM_DEPTH_8: return "8";
	case TERM_DEPTH_NONE: return "none";
	}
	return "none";
}

/*
 * Going down from d, the first depth the entry can send.  (The media cells
 * are written as raw SGR, not through terminfo, but a terminal whose entry
 * says 8 colours is what the user has told every program it is.)
 */
enum term_depth
term_depth_cap(enum term_depth d, int colors, int rgb_flag)
{
	if (d == TERM_DEPTH_TRUE && rgb_flag <= 0)
		d = TERM_DEPTH_256;
	if (d == TERM_DEPTH_256 && colors < 256)
		d = TERM_DEPTH_16;
	if (d == TERM_DEPTH_16 && colors < 16)
		d = TERM_DEPTH_8;
	if (d == TERM_DEPTH_8 && colors < 8)
		d = TERM_DEPTH_NONE;
	return d;
}

const char *
term_direct_entry(const char *term, int want_true)
{
	if (!want_true || term == NULL)
		return term;
	if (strncmp(term, "xterm", 5) == 0)
		return "xterm-direct";
	if (strncmp(term, "tmux", 4) == 0 || strncmp(term, "screen", 6) == 0)
		return "tmux-direct";
	return term;
}

/*
 * COLORTERM is what tells a program a terminal does 24-bit colour, and
 * ssh, sudo and su drop it, so the labeler who would gain most (a faint
 * mark is far clearer in truecolor) is the one who never learns why the
 * picture is coarse.  The hint is only given where following it works:
 * nobody chose the depth (ACCORD_COLOR, NO_COLOR), COLORTERM did not ask
 * for truecolor already (then the entry is what limits it), and $TERM has
 * a -direct entry to switch to.  Depth none means a terminal without
 * colour: truecolor is not on offer there.
 */
const char *
term_truecolor_hint(enum term_depth d, const char *no_color,
    const char *accord_color, const char *colorterm, const char *term)
{
	if (d != TERM_DEPTH_8 && d != TERM_DEPTH_16 && d != TERM_DEPTH_256)
		return NULL;
	if (no_color != NULL && no_color[0] != '\0')
		return NULL;
	if (term_depth_parse(accord_color) >= 0)
		return NULL;
	if (colorterm != NULL && (strcasecmp(colorterm, "truecolor") == 0 ||
	    strcasecmp(colorterm, "24bit") == 0))
		return NULL;
	if (term == NULL || term_direct_entry(term, 1) == term)
		return NULL;
	/* At most 80 columns: the message line of an 80x24 screen. */
	switch (d) {
	case TERM_DEPTH_8:
		return "8 colours: set ACCORD_COLOR=truecolor if the "
		    "terminal has 24-bit colour";
	case TERM_DEPTH_16:
		return "16 colours: set ACCORD_COLOR=truecolor if the "
		    "terminal has 24-bit colour";
	default:
		return "256 colours: set ACCORD_COLOR=truecolor if the "
		    "terminal has 24-bit colour";
	}
}

const char *
term_truecolor_hint_env(enum term_depth d)
{
	return term_truecolor_hint(d, getenv("NO_COLOR"),
	    getenv("ACCORD_COLOR"), getenv("COLORTERM"), getenv("TERM"));
}
