/*
 * dither.c: error diffusion to the xterm palettes (see dither.h).
 *
 * Why error diffusion (Floyd and Steinberg, "An adaptive algorithm for
 * spatial greyscale", Proc. SID 17(2), 1976) and not an ordered (Bayer)
 * matrix:
 *
 * - The palettes are irregular.  xterm's 16 colours are not a cube (greys
 *   at 0, 0x7f, 0xe5 and 0xff, the normal colours at 0xcd, blue at 0xee),
 *   and the 256 palette is a cube whose levels step by 95 and then by 40
 *   beside a grey ramp that steps by 10.  An ordered matrix adds a fixed
 *   threshold pattern scaled to the distance between palette levels; with
 *   distances from 10 to 95 one scale either leaves greys banded or makes
 *   them coarse noise.  Error diffusion needs only the nearest colour and
 *   keeps the local mean right for any palette.
 * - Faint marks, the cases the project exists for: a scratch 3 levels
 *   above its plate at 256 colours (grey steps of 10) must not vanish.
 *   Diffusion carries every pixel's rounding error to its neighbours, so
 *   the scratch becomes a denser sprinkle of the next grey along its
 *   length, and the plate around it keeps its own mean.  (A 4x4 Bayer
 *   matrix has the same 16 levels per step in principle, but its
 *   pattern, 2 cells tall in half blocks, reads as texture at 80x24.)
 *
 * What it costs: a serial pass, about twice the time of the nearest colour
 * alone (172x112 pixels of random noise, a 200x60 screen's pane: 2.5-7.5
 * ms against 3 ms on a loaded 2-CPU machine, in the loader thread for the
 * items ahead); more bytes on the wire, as neighbouring cells seldom share
 * a colour (test_dither prints the share of cells that change colour);
 * and a pattern that is not stable when the picture moves (every pan or
 * zoom redraws the whole pane anyway).  Truecolor needs none of it.
 *
 * The scan is serpentine (alternate rows right to left), which breaks up
 * the diagonal "worms" a one-way scan leaves in flat areas.  The value a
 * pixel wants (its colour plus the error it received) is clamped to
 * 0..255 before the nearest colour is chosen: a colour outside the
 * palette's range (pure white at 8 colours, whose brightest is 0xe5)
 * would otherwise pile up error and smear it across the picture.
 * Distances are plain RGB, as term_nearest_* use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "dither.h"

/* The value one channel wants, clamped (see above). */
static float
dither_want(unsigned char v, float err)
{
	float f = (float)v + err;

	if (f < 0.0f)
		return 0.0f;
	return f > 255.0f ? 255.0f : f;
}

/*
 * The palette of one dither_pixels call: each entry as RGB floats (for the
 * error) and, at 8 and 16 colours, as luma and chroma (for the choice).
 * Made once per picture, so the per-pixel loop does no palette lookups.
 */
struct dither_pal {
	enum term_depth depth;
	int n;				/* 8 or 16; 0 at 256 */
	float rgb[256][3];
	float yc[16][4];
};

/* Y (Rec. 601 luma), then C = R - Y, G - Y, B - Y. */
static void
dither_yc(const float *rgb, float *yc)
{
	int k;

	yc[0] = 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
	for (k = 0; k < 3; k++)
		yc[k + 1] = rgb[k] - yc[0];
}

static void
dither_pal_init(struct dither_pal *pal, enum term_depth depth)
{
	int i, k, n = depth == TERM_DEPTH_8 ? 8 : depth == TERM_DEPTH_16 ?
	    16 : 256;

	pal->depth = depth;
	pal->n = n < 256 ? n : 0;
	for (i = 0; i < n; i++) {
		uint32_t v = (uint32_t)term_device_rgb(depth, i);

		for (k = 0; k < 3; k++)
			pal->rgb[i][k] = (float)((v >> (16 - 8 * k)) & 0xff);
		if (i < 16)
			dither_yc(pal->rgb[i], pal->yc[i]);
	}
}

/*
 * The device colour for want.  At 8 and 16 colours, the nearest by luma
 * and chroma apart, dY^2 + |dC|^2: plain RGB distance (3 dY^2 + |dC|^2
 * and a cross term) weighs luma three times as much, so a middle grey is
 * nearest yellow (cdcd00) and a grey picture dithers into colour
 * confetti; this way greys dither among the greys.  At 256, the plain
 * RGB nearest of term_nearest_256 (the palette has greys of its own).
 */
static int32_t
dither_nearest(const struct dither_pal *pal, const float *want)
{
	float yc[4], bd = -1, dist, d;
	int32_t best = 0;
	int i, k;

	if (pal->n == 0)
		return term_nearest(pal->depth, (uint32_t)(want[0] + 0.5f) <<
		    16 | (uint32_t)(want[1] + 0.5f) << 8 |
		    (uint32_t)(want[2] + 0.5f));
	dither_yc(want, yc);
	for (i = 0; i < pal->n; i++) {
		dist = 0;
		for (k = 0; k < 4; k++) {
			d = yc[k] - pal->yc[i][k];
			dist += d * d;
		}
		if (bd < 0 || dist < bd) {
			bd = dist;
			best = i;
		}
	}
	return best;
}

/*
 * Whether source pixels a and b lie on two sides of an edge: a channel
 * apart by more than DITHER_EDGE levels.  Error is not diffused across an
 * edge: it belongs to the region it came from, and carried over it makes
 * a halo of wrong colours along the edge (a white field beside blue gets
 * grey specks).  The mean is kept within each region; the scratch of the
 * tests, 24 levels over its plate, is no edge.
 */
#define DITHER_EDGE 64

static int
dither_edge(const unsigned char *a, const unsigned char *b)
{
	int ch, d;

	for (ch = 0; ch < 3; ch++) {
		d = (int)a[ch] - (int)b[ch];
		if (d > DITHER_EDGE || d < -DITHER_EDGE)
			return 1;
	}
	return 0;
}

/*
 * Add share / 16 of error e (3 channels) to the error row err at pixel x
 * (err is indexed x + 1, so -1 and w exist), unless the pixel is outside
 * the row or across an edge from src.
 */
static void
dither_spread(float *err, int x, int w, const unsigned char *src,
    const unsigned char *row, const float *e, int share)
{
	int ch;

	if (row == NULL || x < 0 || x >= w ||
	    dither_edge(src, row + (size_t)x * 3))
		return;
	for (ch = 0; ch < 3; ch++)
		err[(x + 1) * 3 + ch] += e[ch] * (float)share / 16.0f;
}

/*
 * One row of Floyd-Steinberg, w pixels, scanning by dx (1: left to right,
 * -1: right to left); below is the next source row (NULL on the last).
 */
static void
dither_row(const unsigned char *row, const unsigned char *below,
    const unsigned char *flat, int w, int dx, const struct dither_pal *pal,
    float *cur, float *nxt, int32_t *out)
{
	int k, x, ch;

	for (k = 0; k < w; k++) {
		const unsigned char *p;
		float want[3], e[3];
		int32_t c;

		x = dx > 0 ? k : w - 1 - k;
		p = row + (size_t)x * 3;
		if (flat != NULL && flat[x]) {
			for (ch = 0; ch < 3; ch++)
				want[ch] = p[ch];
			out[x] = dither_nearest(pal, want);
			continue;
		}
		for (ch = 0; ch < 3; ch++)
			want[ch] = dither_want(p[ch], cur[(x + 1) * 3 + ch]);
		out[x] = c = dither_nearest(pal, want);
		for (ch = 0; ch < 3; ch++)
			e[ch] = want[ch] - pal->rgb[c][ch];
		/* 7/16 ahead, 3/16 behind below, 5/16 below, 1/16 ahead
		 * below ("ahead" is the scan's direction). */
		dither_spread(cur, x + dx, w, p, row, e, 7);
		dither_spread(nxt, x - dx, w, p, below, e, 3);
		dither_spread(nxt, x, w, p, below, e, 5);
		dither_spread(nxt, x + dx, w, p, below, e, 1);
	}
}

void
dither_pixels(const unsigned char *rgb, int w, int h, enum term_depth depth,
    const unsigned char *flat, int32_t *out)
{
	size_t n = (size_t)w * (size_t)h, i, rowlen = ((size_t)w + 2) * 3;
	struct dither_pal *pal;
	float *cur, *nxt, *t;
	int y;

	if (depth == TERM_DEPTH_TRUE || depth == TERM_DEPTH_NONE) {
		for (i = 0; i < n; i++)
			out[i] = term_nearest(depth, (uint32_t)rgb[3 * i] << 16 |
			    (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2]);
		return;
	}
	pal = xmalloc(sizeof *pal);
	dither_pal_init(pal, depth);
	cur = xcalloc(rowlen, sizeof *cur);
	nxt = xcalloc(rowlen, sizeof *nxt);
	for (y = 0; y < h; y++) {
		dither_row(rgb + (size_t)y * (size_t)w * 3, y + 1 < h ?
		    rgb + (size_t)(y + 1) * (size_t)w * 3 : NULL,
		    flat != NULL ? flat + (size_t)y * (size_t)w : NULL, w,
		    y % 2 == 0 ? 1 : -1, pal, cur, nxt,
		    out + (size_t)y * (size_t)w);
		t = cur;
		cur = nxt;
		nxt = t;
		memset(nxt, 0, rowlen * sizeof *nxt);
	}
	free(pal);
	free(cur);
	free(nxt);
}
