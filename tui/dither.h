/*
 * dither.h: pictures to a terminal's palette.
 *
 * Pure C, no curses (unit-tested in tests/unit/test_dither.c).  The
 * cells_from_image and cells_from_spectrogram functions (draw.h) pass each
 * half-block pixel through here, so at 8, 16 and 256 colours a gradient,
 * a faint mark or a colour between palette entries shows as a mix of the
 * nearest entries with the right local mean, not as one flat colour (at
 * 256, in smooth areas; texture keeps its nearest colours).
 */
#ifndef ACCORD_DITHER_H
#define ACCORD_DITHER_H

#include <stdint.h>

#include "term.h"

/*
 * The device colour (draw.h, term.h) for depth of every pixel of a w x h
 * RGB8 picture (rows top first, 3 bytes a pixel) into out[y * w + x].
 * Truecolor copies the colours, depth none gives -1; 8 and 16 colours
 * diffuse the error, 256 dithers smooth areas in 2 x 2 tiles and leaves
 * texture at the nearest colour (dither.c says why).  flat, if not NULL,
 * marks pixels (flat[y * w + x] != 0) to draw with their nearest colour
 * and no dither: they take no error and pass none on, so a flat
 * background (a spectrogram's silence) stays one colour beside a busy
 * neighbour.  w, h >= 1; nothing is allocated but scratch rows (8, 16)
 * or the nearest colours of the picture (256).
 */
void dither_pixels(const unsigned char *rgb, int w, int h,
    enum term_depth depth, const unsigned char *flat, int32_t *out);

#endif
