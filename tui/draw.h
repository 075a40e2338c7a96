/*
 * draw.h: turning images, spectrograms and waveforms into terminal cells.
 *
 * Pure C, no curses: the functions here decide what each cell shows (a
 * character and two device colours); ui_raw_cells() puts them on screen.
 * Images use upper half blocks (U+2580), so a cell is one pixel wide and
 * two tall: the top pixel is the foreground, the bottom the background.
 *
 * Failures return -1 with a one-line *cause (malloc'd, caller frees; cause
 * may be NULL) and leave *out zeroed; allocation failure aborts (xmalloc).
 */
#ifndef ACCORD_DRAW_H
#define ACCORD_DRAW_H

#include <stdint.h>

#include "accord/media.h"
#include "term.h"

/*
 * The largest w x h pixels, w <= cols and h <= 2 * rows, with the aspect
 * ratio of iw x ih (to the nearest pixel): image_fit() for the pane's
 * pixels, so a small image is enlarged to fill it.  At least 1 x 1, also
 * for nonsensical arguments (any of them < 1).  Draw the result in
 * w x (h + 1) / 2 cells.
 */
void draw_fit(int iw, int ih, int cols, int rows, int *w, int *h);

/* What ch[] holds: one of these codes, or else a literal ASCII character
 * drawn as itself in the default colours (the ramp, or ' ' for empty). */
#define CELL_UPPER 'U'	/* U+2580 upper half block: fg top, bg bottom */
#define CELL_LOWER 'L'	/* U+2584 lower half block: fg bottom, bg top */
#define CELL_FULL 'F'	/* U+2588 full block in fg */

/*
 * cols x rows cells, row-major (cell (r, c) at [r * cols + c], row 0 at the
 * top).  fg and bg are device colours for depth: 0xRRGGBB for truecolor, a
 * palette index 16..255 for 256, 0..15 for 16, 0..7 for 8; -1 is the
 * terminal's default colour (and the only value at depth none); the
 * xterm palette behind the indices is term_device_rgb()'s.  ch is not
 * NUL-terminated.
 * Filled by the cells_from_* functions; release with cells_free().
 */
struct cells {
	int cols, rows;
	enum term_depth depth;
	int32_t *fg, *bg;
	char *ch;
};

/* The largest cols and rows cells_from_* accept (no terminal is wider). */
#define CELLS_MAX_SIDE 4096

/*
 * From an image already scaled for its cells (draw_fit, image_scale_box):
 * cols = img->width, rows = (img->height + 1) / 2.  Colour depths: every
 * cell is CELL_UPPER with the top pixel as fg and the bottom as bg (an odd
 * last pixel row has bg -1, the terminal's background).  Truecolor sends
 * each pixel as it is; at 256, 16 and 8 colours the pixels are dithered
 * (dither_pixels: error diffusion, dither.c says why) so a gradient or a
 * faint mark keeps its local mean instead of snapping to one palette
 * entry.  Depth none: ch is
 * term_ascii_ramp() of the mean luma (0.299 R + 0.587 G + 0.114 B) of the
 * cell's pixels, fg = bg = -1.
 * 0, or -1 with *cause (empty or oversized image, bad depth).
 */
int cells_from_image(const struct image *img, enum term_depth depth,
    struct cells *out, char **cause);

/*
 * A spectrogram of 2 * rows bands (audio_spectrogram(a, cols, 2 * rows))
 * to s->cols x rows cells, higher frequencies at the top: cell row r from
 * the bottom shows band 2r + 1 as fg and band 2r as bg (CELL_UPPER).
 *
 * Colour map: level t = (db - (max_db - 80)) / 80 clamped to 0..1, so the
 * view spans the 80 dB under the loudest value (a Hann window's sidelobes
 * and a 16-bit noise floor sit below that), and anything at
 * AUDIO_SPEC_FLOOR_DB is t = 0 (silence stays dark even when the whole
 * clip is silent).  t runs linearly through dark blue 0x000030 (0), violet
 * 0x3c1e8c (0.3), red 0xc83c3c (0.6), yellow 0xf0dc32 (0.85) and white
 * (1), a monotone rise in brightness like the usual "inferno" maps.  Below
 * truecolor the colours are dithered as images are, except silence
 * (t = 0), which stays one flat colour.  Depth none: ch is
 * term_ascii_ramp(255 t) of the mean t of the two bands.
 * 0, or -1 with *cause (s->rows != 2 * rows, sizes out of range).
 */
int cells_from_spectrogram(const struct spectrogram *s, int rows,
    enum term_depth depth, struct cells *out, char **cause);

/*
 * A min/max waveform (audio_peaks) in cols x rows cells.  The height is
 * 2 * rows half-cell units, amplitude -1 at the bottom edge, +1 at the top,
 * 0 on the line between the middle rows; unit u (0 at the bottom) covers
 * amplitudes [u / rows - 1, (u + 1) / rows - 1], and column c fills every
 * unit meeting [mins[c], maxs[c]] (values clamped to -1..1, NaN read as 0,
 * min > max swapped), so silence is a line one cell tall on the centre.
 * A cell with both units filled is CELL_FULL, the top one CELL_UPPER, the
 * bottom one CELL_LOWER, neither ' '; filled cells have fg = rgb as a
 * device colour for depth (term_nearest: one flat colour, not dithered;
 * -1 at none), bg is always -1.
 * 0, or -1 with *cause (sizes out of range, NULL arrays).
 */
int cells_from_peaks(const float *mins, const float *maxs, int cols, int rows,
    uint32_t rgb, enum term_depth depth, struct cells *out, char **cause);

/* Free the arrays and zero *c.  Safe on a zeroed or already freed struct. */
void cells_free(struct cells *c);

#endif
