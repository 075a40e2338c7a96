/*
 * draw_cells.c: images, spectrograms and waveforms to struct cells (see
 * draw.h).  No curses: ui_raw_cells() does the drawing.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/media.h"
#include "accord/util.h"
#include "dither.h"
#include "draw.h"

void
draw_fit(int iw, int ih, int cols, int rows, int *w, int *h)
{
	/* Small images are enlarged to the pane too (nearest neighbour). */
	image_fit(iw, ih, cols, rows < CELLS_MAX_SIDE ? 2 * rows :
	    2 * CELLS_MAX_SIDE, w, h);
}

void
cells_free(struct cells *c)
{
	free(c->fg);
	free(c->bg);
	free(c->ch);
	memset(c, 0, sizeof *c);
}

static int
cells_alloc(struct cells *out, int cols, int rows, enum term_depth depth,
    char **cause)
{
	size_t n;

	memset(out, 0, sizeof *out);
	if (cols < 1 || rows < 1 || cols > CELLS_MAX_SIDE ||
	    rows > CELLS_MAX_SIDE)
		return acc_error(cause, "%dx%d cells is out of range", cols,
		    rows);
	if (depth != TERM_DEPTH_NONE && depth != TERM_DEPTH_8 &&
	    depth != TERM_DEPTH_16 && depth != TERM_DEPTH_256 &&
	    depth != TERM_DEPTH_TRUE)
		return acc_error(cause, "unknown colour depth %d", (int)depth);
	n = (size_t)cols * (size_t)rows;
	out->cols = cols;
	out->rows = rows;
	out->depth = depth;
	out->fg = xcalloc(n, sizeof *out->fg);
	out->bg = xcalloc(n, sizeof *out->bg);
	out->ch = xcalloc(n, 1);
	return 0;
}

/* Rec. 601 luma on 0..255 in thousandths: 0.299 R + 0.587 G + 0.114 B. */
static int
cells_luma1000(const unsigned char *p)
{
	return 299 * p[0] + 587 * p[1] + 114 * p[2];
}

/* Depth none: the ramp character of the rounded mean luma of the cell's
 * one or two pixels. */
static char
cells_ramp(const unsigned char *top, const unsigned char *bot)
{
	int l = cells_luma1000(top), n = 1;

	if (bot != NULL) {
		l += cells_luma1000(bot);
		n = 2;
	}
	return term_ascii_ramp((l + 500 * n) / (1000 * n));
}

/*
 * Half-block cells from w x h device colours (dither_pixels): pixel rows
 * 2r and 2r + 1 are cell row r's fg and bg; an odd last row has bg -1.
 */
static void
cells_from_pixels(struct cells *out, const int32_t *px, int h)
{
	int r, c;

	for (r = 0; r < out->rows; r++) {
		for (c = 0; c < out->cols; c++) {
			size_t i = (size_t)r * (size_t)out->cols + (size_t)c;
			size_t top = (size_t)(2 * r) * (size_t)out->cols +
			    (size_t)c;

			out->ch[i] = CELL_UPPER;
			out->fg[i] = px[top];
			out->bg[i] = 2 * r + 1 < h ? px[top + out->cols] : -1;
		}
	}
}

int
cells_from_image(const struct image *img, enum term_depth depth,
    struct cells *out, char **cause)
{
	int r, c, rows;
	int32_t *px;

	memset(out, 0, sizeof *out);
	if (img == NULL || img->rgb == NULL || img->width < 1 ||
	    img->height < 1)
		return acc_error(cause, "no image to draw");
	if (img->height > 2 * CELLS_MAX_SIDE)
		return acc_error(cause, "%dx%d image is too large to draw",
		    img->width, img->height);
	rows = (img->height + 1) / 2;
	if (cells_alloc(out, img->width, rows, depth, cause) != 0)
		return -1;

	if (depth != TERM_DEPTH_NONE) {
		px = xreallocarray(NULL, (size_t)img->width *
		    (size_t)img->height, sizeof *px);
		dither_pixels(img->rgb, img->width, img->height, depth, NULL,
		    px);
		cells_from_pixels(out, px, img->height);
		free(px);
		return 0;
	}
	for (r = 0; r < rows; r++) {
		for (c = 0; c < img->width; c++) {
			size_t i = (size_t)r * (size_t)out->cols + (size_t)c;
			const unsigned char *top = img->rgb +
			    ((size_t)(2 * r) * (size_t)img->width +
			    (size_t)c) * 3;

			out->ch[i] = cells_ramp(top, 2 * r + 1 < img->height ?
			    top + (size_t)img->width * 3 : NULL);
			out->fg[i] = out->bg[i] = -1;
		}
	}
	return 0;
}

/* The spectrogram colour map of draw.h: stops of (t, 0xRRGGBB). */
static const struct {
	float t;
	uint32_t rgb;
} spec_stops[] = {
	{ 0.00f, 0x000030 },
	{ 0.30f, 0x3c1e8c },
	{ 0.60f, 0xc83c3c },
	{ 0.85f, 0xf0dc32 },
	{ 1.00f, 0xffffff },
};

#define SPEC_RANGE_DB 80.0f

/* Level 0..1 of one value on the map's scale (draw.h). */
static float
spec_level(float db, float max_db)
{
	float t;

	if (!(db > AUDIO_SPEC_FLOOR_DB))
		return 0.0f;
	t = (db - (max_db - SPEC_RANGE_DB)) / SPEC_RANGE_DB;
	if (!(t > 0.0f))
		return 0.0f;
	return t < 1.0f ? t : 1.0f;
}

static uint32_t
spec_rgb(float t)
{
	size_t k;
	int sh;
	uint32_t out = 0;

	for (k = 1; k + 1 < sizeof spec_stops / sizeof spec_stops[0]; k++)
		if (t <= spec_stops[k].t)
			break;
	/* Interpolate each channel between stops k - 1 and k. */
	for (sh = 16; sh >= 0; sh -= 8) {
		float a = (float)((spec_stops[k - 1].rgb >> sh) & 0xff);
		float b = (float)((spec_stops[k].rgb >> sh) & 0xff);
		float u = (t - spec_stops[k - 1].t) /
		    (spec_stops[k].t - spec_stops[k - 1].t);
		float v;

		if (u < 0.0f)
			u = 0.0f;
		if (u > 1.0f)
			u = 1.0f;
		v = a + (b - a) * u + 0.5f;
		out |= (uint32_t)(v < 255.0f ? v : 255.0f) << sh;
	}
	return out;
}

int
cells_from_spectrogram(const struct spectrogram *s, int rows,
    enum term_depth depth, struct cells *out, char **cause)
{
	unsigned char *rgb, *flat;
	float *lv;
	int32_t *px;
	size_t i, n;
	int y, c, h = 2 * rows;

	memset(out, 0, sizeof *out);
	if (s == NULL || s->db == NULL)
		return acc_error(cause, "no spectrogram to draw");
	if (rows < 1 || s->rows != 2 * rows)
		return acc_error(cause,
		    "spectrogram has %d bands, %d rows need %d", s->rows,
		    rows, 2 * rows);
	if (cells_alloc(out, s->cols, rows, depth, cause) != 0)
		return -1;

	/*
	 * The levels as a picture, pixel row y showing band h - 1 - y (the
	 * highest at the top), so cell row r from the top holds bands b + 1
	 * (fg) and b (bg), b = 2 (rows - 1 - r).
	 */
	n = (size_t)s->cols * (size_t)h;
	lv = xreallocarray(NULL, n, sizeof *lv);
	for (y = 0; y < h; y++)
		for (c = 0; c < s->cols; c++)
			lv[(size_t)y * (size_t)s->cols + (size_t)c] =
			    spec_level(s->db[(size_t)c * (size_t)h +
			    (size_t)(h - 1 - y)], s->max_db);
	if (depth == TERM_DEPTH_NONE) {
		for (i = 0; i < (size_t)s->cols * (size_t)rows; i++) {
			size_t top = (i / (size_t)s->cols) * 2 *
			    (size_t)s->cols + i % (size_t)s->cols;

			out->ch[i] = term_ascii_ramp((int)((lv[top] +
			    lv[top + (size_t)s->cols]) * 0.5f * 255.0f + 0.5f));
			out->fg[i] = out->bg[i] = -1;
		}
		free(lv);
		return 0;
	}

	/*
	 * Silence (t = 0) is flat: dithered, the map's dark blue would come
	 * out at 8 colours as black with a sprinkle of blue, sound where
	 * there is none.
	 */
	rgb = xreallocarray(NULL, n, 3);
	flat = xreallocarray(NULL, n, 1);
	px = xreallocarray(NULL, n, sizeof *px);
	for (i = 0; i < n; i++) {
		uint32_t v = spec_rgb(lv[i]);

		rgb[3 * i] = (unsigned char)(v >> 16);
		rgb[3 * i + 1] = (unsigned char)(v >> 8);
		rgb[3 * i + 2] = (unsigned char)v;
		flat[i] = lv[i] == 0.0f;
	}
	dither_pixels(rgb, s->cols, h, depth, flat, px);
	cells_from_pixels(out, px, h);
	free(lv);
	free(rgb);
	free(flat);
	free(px);
	return 0;
}

/* v clamped to -1..1, NaN as 0 (silence), so the unit maths stays finite. */
static double
peak_clamp(float v)
{
	if (v != v)
		return 0.0;
	if (v < -1.0f)
		return -1.0;
	if (v > 1.0f)
		return 1.0;
	return v;
}

int
cells_from_peaks(const float *mins, const float *maxs, int cols, int rows,
    uint32_t rgb, enum term_depth depth, struct cells *out, char **cause)
{
	int32_t colour;
	int r, c, units;

	memset(out, 0, sizeof *out);
	if (mins == NULL || maxs == NULL)
		return acc_error(cause, "no waveform to draw");
	if (cells_alloc(out, cols, rows, depth, cause) != 0)
		return -1;
	colour = term_nearest(depth, rgb);
	units = 2 * rows;

	for (c = 0; c < cols; c++) {
		double lo = peak_clamp(mins[c]), hi = peak_clamp(maxs[c]), t;
		int ulo, uhi;

		if (lo > hi) {
			t = lo;
			lo = hi;
			hi = t;
		}
		/*
		 * Unit u covers [u / rows - 1, (u + 1) / rows - 1] (closed, so
		 * a value on a boundary, such as 0, fills the units on both
		 * sides): the lowest unit meeting [lo, hi] is the smallest u
		 * with (u + 1) / rows - 1 >= lo, the highest the largest u
		 * with u / rows - 1 <= hi.
		 */
		ulo = (int)ceil((lo + 1.0) * rows) - 1;
		uhi = (int)floor((hi + 1.0) * rows);
		if (ulo < 0)
			ulo = 0;
		if (uhi > units - 1)
			uhi = units - 1;

		for (r = 0; r < rows; r++) {
			size_t i = (size_t)r * (size_t)cols + (size_t)c;
			int ub = 2 * (rows - 1 - r);	/* bottom unit */
			int bot = ub >= ulo && ub <= uhi;
			int top = ub + 1 >= ulo && ub + 1 <= uhi;

			out->bg[i] = -1;
			if (bot && top)
				out->ch[i] = CELL_FULL;
			else if (top)
				out->ch[i] = CELL_UPPER;
			else if (bot)
				out->ch[i] = CELL_LOWER;
			else {
				out->ch[i] = ' ';
				out->fg[i] = -1;
				continue;
			}
			out->fg[i] = colour;
		}
	}
	return 0;
}
