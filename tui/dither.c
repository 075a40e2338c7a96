/*
 * dither.c: pictures to the xterm palettes (see dither.h).
 *
 * Two methods, by depth, because the two palettes and their costs differ.
 *
 * 8 and 16 colours: error diffusion (Floyd and Steinberg, "An adaptive
 * algorithm for spatial greyscale", Proc. SID 17(2), 1976).  xterm's 16
 * colours are not a cube (greys at 0, 0x7f, 0xe5 and 0xff, the normal
 * colours at 0xcd, blue at 0xee), steps are wide, and every picture needs
 * dithering to be recognisable; diffusion needs only the nearest colour
 * and keeps the local mean right for any palette.  The scan is serpentine
 * (alternate rows right to left), which breaks up the diagonal "worms" a
 * one-way scan leaves in flat areas.  The value a pixel wants (its colour
 * plus the error it received) is clamped to 0..255 before the nearest
 * colour is chosen: a colour outside the palette's range (pure white at 8
 * colours, whose brightest is 0xe5) would otherwise pile up error and
 * smear it across the picture.  Its costs: a serial pass, about twice the
 * nearest colour alone; neighbouring cells seldom share a colour (bytes);
 * and a change anywhere moves the pattern everywhere after it.
 *
 * 256 colours: ordered, local and only where needed (dither_tile).  Here
 * the nearest colour alone is already a fair picture (cube steps of 40 to
 * 95, greys 10 apart); what it loses is banding in smooth shading and a
 * faint mark a few levels above its plate (the scratch of test_dither: 3
 * levels over a plate, under half the grey step, vanishes).  Floyd-
 * Steinberg kept those but wrote 2.4 times chafa's bytes for the demo's
 * photographs at 200x60 (107,786 against 44,193 a picture; docs/
 * benchmarks.md), as it dithers texture too and gives every cell its own
 * pair of colours, and a red square drawn into a picture rewrote all the
 * pane after it (tests/e2e/pane_bytes.sh).  So at 256 colours:
 *
 * - A pixel is dithered only where its 3x3 neighbourhood's nearest
 *   colours are all a or b, a being its own nearest and b the entry on
 *   the far side of it (a flat area, or a band edge between a and b, and
 *   never a palette colour itself); it then takes a or b, nothing else.
 *   So a smooth area's cells all mix the same two colours, which ui.c
 *   writes as U+2580, U+2584, a space or a full block with no SGR between
 *   them, and texture (where nearest colours differ already and dithering
 *   would only add a new pair to most cells) keeps its nearest colours.
 * - The choice is Knoll's pattern dithering over a 2 x 2 tile of pixels
 *   (two half-block cells), visited in Bayer order, each pixel the nearer
 *   of a and b to its colour plus the error the tile's earlier pixels
 *   left.  The tile's mean is right to a quarter step (2.5 levels for
 *   greys), enough for the scratch, and a flat area comes out as a
 *   checkerboard or one pixel in four: patterns of period 2, which the
 *   eye (and test_dither's 3x3 blur) merges entirely.  Tried and
 *   measured on the scratch's correlation at 80x24: a 4 x 4 tile, 0.19
 *   (its period-4 patterns show), thresholds by pixel row alone (one pair
 *   a cell row, stripes), 0.18; the 2 x 2 tile, 0.44.
 * - No error leaves its tile and the neighbourhood is one pixel, so a
 *   change to the picture changes only the cells it covers and their
 *   neighbours (pane_bytes.sh: the red square's cells, not the rest).
 *
 * What 256 gives up against diffusion, measured by test_dither: texture
 * is the nearest colour (its natural-texture figure 0.954 at 80x24, the
 * nearest colour's 0.951, diffusion's 0.991), and a hue gradient moving
 * more than half a cube step a pixel is not dithered (0.992 against
 * 0.999).  The scratch keeps more contrast (0.44 against 0.35 at 80x24),
 * and the demo's photographs cost 33,476 bytes at 200x60 (chafa 44,193)
 * and 4,540 at 80x24 (chafa 6,755).  Distances are plain RGB, as
 * term_nearest_256 uses.
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
 * The palette of one error-diffusing dither_pixels call (8 or 16
 * colours): each entry as RGB floats (for the error) and as luma and
 * chroma (for the choice).  Made once per picture, so the per-pixel loop
 * does no palette lookups.
 */
struct dither_pal {
	int n;				/* 8 or 16 */
	float rgb[16][3];
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
	int i, k;

	pal->n = depth == TERM_DEPTH_8 ? 8 : 16;
	for (i = 0; i < pal->n; i++) {
		uint32_t v = (uint32_t)term_device_rgb(depth, i);

		for (k = 0; k < 3; k++)
			pal->rgb[i][k] = (float)((v >> (16 - 8 * k)) & 0xff);
		dither_yc(pal->rgb[i], pal->yc[i]);
	}
}

/*
 * The device colour for want: the nearest by luma and chroma apart,
 * dY^2 + |dC|^2: plain RGB distance (3 dY^2 + |dC|^2 and a cross term)
 * weighs luma three times as much, so a middle grey is nearest yellow
 * (cdcd00) and a grey picture dithers into colour confetti; this way
 * greys dither among the greys.  (At 256 colours the plain RGB nearest
 * of term_nearest_256 serves: the palette has greys of its own.)
 */
static int32_t
dither_nearest(const struct dither_pal *pal, const float *want)
{
	float yc[4], bd = -1, dist, d;
	int32_t best = 0;
	int i, k;

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

/*
 * Whether pixel (x, y), whose nearest entry is a and whose other bracket
 * is b, lies in a smooth area at 256 colours: every neighbour's nearest
 * entry (near) is a or b.  There, without dithering, the area is flat or
 * a band edge between a and b; dithered, its cells mix the same two
 * colours, which ui.c writes with no SGR between them.  Elsewhere, in
 * texture, neighbouring cells differ already, dithering would add a new
 * colour pair (an SGR) to most cells, and the eye gains nothing from it.
 */
static int
dither_smooth(const int32_t *near, int w, int h, int x, int y, int32_t a,
    int32_t b)
{
	int dx, dy;
	int32_t c;

	for (dy = -1; dy <= 1; dy++) {
		if (y + dy < 0 || y + dy >= h)
			continue;
		for (dx = -1; dx <= 1; dx++) {
			if (x + dx < 0 || x + dx >= w)
				continue;
			c = near[(size_t)(y + dy) * (size_t)w +
			    (size_t)(x + dx)];
			if (c != a && c != b)
				return 0;
		}
	}
	return 1;
}

/* Palette entry c of 256 as 3 RGB ints. */
static void
dither_entry(int32_t c, int *v)
{
	uint32_t rgb = (uint32_t)term_device_rgb(TERM_DEPTH_256, c);

	v[0] = (int)(rgb >> 16) & 0xff;
	v[1] = (int)(rgb >> 8) & 0xff;
	v[2] = (int)rgb & 0xff;
}

/* The nearest 256-colour entry to v (3 ints), clamped to 0..255 first. */
static int32_t
dither_nearest_256(const int *v)
{
	uint32_t want = 0;
	int ch;

	for (ch = 0; ch < 3; ch++)
		want = want << 8 | (uint32_t)(v[ch] < 0 ? 0 : v[ch] > 255 ?
		    255 : v[ch]);
	return term_nearest_256(want);
}

/*
 * The entry beyond pixel p from its nearest entry a (RGB va): the nearest
 * to a + k (p - a) for the least k of 2, 4, ... 256 that gives another
 * entry (for a grey, the ramp's next grey up or down, 10 levels away; for
 * a colour, the cube's or the ramp's next).  a when p is a itself:
 * nothing to dither.
 */
static int32_t
dither_beyond(const unsigned char *p, int32_t a, const int *va)
{
	int32_t b;
	int v[3], ch, k;

	for (b = a, k = 2; k <= 256 && b == a; k *= 2) {
		for (ch = 0; ch < 3; ch++)
			v[ch] = va[ch] + k * ((int)p[ch] - va[ch]);
		b = dither_nearest_256(v);
	}
	return b;
}

/*
 * One 2 x 2 tile at (x0, y0) (the halves of two neighbouring cells) at
 * 256 colours.  Its smooth pixels are visited in the order of a 2x2 Bayer
 * matrix (top left, bottom right, top right, bottom left), each drawn as
 * the nearer of a and b to its colour plus the error its predecessors
 * in the tile left (Knoll's pattern dithering, the error kept whole): a
 * flat area between a and b comes out as a checkerboard or one pixel in
 * four, the tile's mean right to a quarter step, every cell of it a mix
 * of the same a and b.  No error leaves the tile.  Other pixels (flat,
 * in texture, or on a palette entry) take their nearest entry.
 */
static void
dither_tile(const unsigned char *rgb, int w, int h, const unsigned char *flat,
    const int32_t *near, int x0, int y0, int32_t *out)
{
	static const int ox[4] = { 0, 1, 1, 0 }, oy[4] = { 0, 1, 0, 1 };
	const unsigned char *p;
	int e[3] = { 0, 0, 0 }, va[3], vb[3], k, ch, x, y, d;
	long da, db;
	int32_t b;
	size_t i;

	for (k = 0; k < 4; k++) {
		x = x0 + ox[k];
		y = y0 + oy[k];
		if (x >= w || y >= h)
			continue;
		i = (size_t)y * (size_t)w + (size_t)x;
		p = rgb + i * 3;
		out[i] = near[i];
		if (flat != NULL && flat[i])
			continue;
		dither_entry(near[i], va);
		b = dither_beyond(p, near[i], va);
		if (b == near[i] || !dither_smooth(near, w, h, x, y, near[i], b))
			continue;
		/* p plus the error so far, to the nearer of a and b only: a
		 * third colour would cost an SGR in a flat area. */
		dither_entry(b, vb);
		for (da = db = 0, ch = 0; ch < 3; ch++) {
			d = (int)p[ch] + e[ch] - va[ch];
			da += (long)d * d;
			d = (int)p[ch] + e[ch] - vb[ch];
			db += (long)d * d;
		}
		if (db < da)
			out[i] = b;
		else
			memcpy(vb, va, sizeof vb);
		for (ch = 0; ch < 3; ch++)
			e[ch] += (int)p[ch] - vb[ch];
	}
}

void
dither_pixels(const unsigned char *rgb, int w, int h, enum term_depth depth,
    const unsigned char *flat, int32_t *out)
{
	size_t n = (size_t)w * (size_t)h, i, rowlen = ((size_t)w + 2) * 3;
	struct dither_pal *pal;
	float *cur, *nxt, *t;
	int32_t *near;
	int x, y;

	if (depth == TERM_DEPTH_TRUE || depth == TERM_DEPTH_NONE) {
		for (i = 0; i < n; i++)
			out[i] = term_nearest(depth, (uint32_t)rgb[3 * i] << 16 |
			    (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2]);
		return;
	}
	if (depth == TERM_DEPTH_256) {
		near = xreallocarray(NULL, n, sizeof *near);
		for (i = 0; i < n; i++)
			near[i] = term_nearest_256((uint32_t)rgb[3 * i] << 16 |
			    (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2]);
		for (y = 0; y < h; y += 2)
			for (x = 0; x < w; x += 2)
				dither_tile(rgb, w, h, flat, near, x, y, out);
		free(near);
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
