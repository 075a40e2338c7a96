/*
 * test_dither.c: does every colour depth show the picture?  (issue 17)
 *
 * Four synthetic pictures (a grey and a hue gradient, a faint scratch on a
 * grey plate, natural-like fractal noise, colour bars) are area-averaged
 * to the media pane of an 80x24 and of a 200x60 label screen, turned into
 * cells at each depth (cells_from_image), and the picture is rebuilt from
 * the cells: each half block's device colour back to RGB through the same
 * xterm palette term.c maps to (term_device_rgb).
 *
 * The measure: the Pearson correlation, over every pixel and channel,
 * between the rebuilt picture and the area-averaged source after both are
 * blurred by the 3x3 binomial kernel [1 2 1]^T [1 2 1] / 16.  The blur
 * stands for the viewer: a half block is about one character wide, and
 * at a working distance neighbouring half blocks merge, which is what
 * dithering relies on; compared pixel by pixel, the plain nearest colour
 * would always win, although it erases a mark a few levels above its
 * plate.  Correlation ignores a uniform shift of level or gain, and is 0
 * for a single colour over the pane (no variance), the failure the issue
 * reports.  A second figure for the scratch: the contrast kept, the mean
 * luma on the scratch minus that on the plate, rebuilt over source.
 *
 * Thresholds are per depth and picture, under the measured figures with a
 * margin, and the test also shows they mean something: the nearest colour
 * without dithering, and the old 8-colour output (16 colours sent to a
 * terminal that shows bright colours as the normal eight), fail them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/media.h"
#include "accord/util.h"
#include "../../tui/dither.h"
#include "../../tui/draw.h"
#include "../../tui/term.h"
#include "t.h"

/* The sources, 4:3, large enough that the pane is a real downscale. */
#define SRC_W 640
#define SRC_H 480

enum pic { PIC_GRADIENT, PIC_SCRATCH, PIC_NOISE, PIC_BARS, NPIC };
static const char *pic_name[NPIC] = { "gradient", "scratch", "noise", "bars" };

#define NDEPTH 4
static const enum term_depth depths[NDEPTH] = {
	TERM_DEPTH_8, TERM_DEPTH_16, TERM_DEPTH_256, TERM_DEPTH_TRUE
};

/*
 * Pixel boxes of the label screen's media pane (the screen less the
 * 28-column panel, the status and path rows and the two bottom lines,
 * two pixels a cell), 4:3 pictures fitted: 80x24 gives 52 columns by 20
 * rows, so 52x39 pixels (rounded up to even, 40: every cell has both
 * halves); 200x60, 172 columns by 56 rows: 149x112.
 */
static const struct {
	const char *name;
	int w, h;
} panes[2] = { { "80x24", 52, 40 }, { "200x60", 149, 112 } };

/*
 * Thresholds on the correlation, per depth (8, 16, 256, truecolor) and
 * picture, some 0.02 to 0.1 under the figures measured at both panes,
 * and above what the nearest colour without dither scores on each
 * picture the dither improves (the test checks that at least one fails at
 * every depth).  8 and 16 colours: recognisable; the scratch, a few levels
 * above a plate halfway between greys 0x7f apart, is beneath what they
 * can show, and is held there only to the level bound (LEVEL_MAX), which
 * is what the black-on-black pane failed.  256 colours: the scratch too.
 * At 256 colours texture is drawn with the nearest colour by design (only
 * smooth areas are dithered, dither.c: in texture dithering bought little
 * and cost 2.4 times chafa's bytes), so the noise threshold there is held
 * near the nearest colour's figure (0.951 and 0.940 against 0.954 and
 * 0.960 dithered; Floyd-Steinberg had 0.991 and 0.994, and 0.985 here),
 * and the gradient's at 0.99 (0.992 and 0.997; was 0.995): its hues move
 * more than half a cube step a pixel at 80x24 and stay undithered.  Both
 * still above the nearest colour's 0.988 and 0.987 on the gradient.
 * Truecolor is exact.
 */
static const double thresh[NDEPTH][NPIC] = {
	/* gradient scratch noise bars */
	{ 0.95, -1.0, 0.82, 0.95 },	/* 8 */
	{ 0.96, -1.0, 0.87, 0.97 },	/* 16 */
	{ 0.99, 0.25, 0.95, 0.99 },	/* 256 */
	{ 0.999, 0.999, 0.999, 0.999 },	/* truecolor */
};
/* The most the mean luma of the pane may be off, in levels (0..255). */
#define LEVEL_MAX 8.0

static unsigned char
clamp8(double v)
{
	return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

static void
put(struct image *img, int x, int y, double r, double g, double b)
{
	unsigned char *p = img->rgb + ((size_t)y * img->width + x) * 3;

	p[0] = clamp8(r);
	p[1] = clamp8(g);
	p[2] = clamp8(b);
}

/* Hue h (0..1) at saturation s and value v, as 0..255 RGB. */
static void
hsv(double h, double s, double v, double *rgb)
{
	double f = h * 6 - floor(h * 6), p = v * (1 - s), q = v * (1 - s * f),
	    t = v * (1 - s * (1 - f));
	int i = (int)floor(h * 6) % 6;
	double c[6][3] = { { v, t, p }, { q, v, p }, { p, v, t },
	    { p, q, v }, { t, p, v }, { v, p, q } };

	rgb[0] = 255 * c[i][0];
	rgb[1] = 255 * c[i][1];
	rgb[2] = 255 * c[i][2];
}

/*
 * The scratch: a line from (0.15, 0.8) to (0.85, 0.2) of the picture,
 * 2.5 source pixels wide (antialiased), 14 levels above a plate.
 * Downscaled 12:1 to the 80x24 pane it is about 3 levels above the
 * plate, under half of the 256 palette's grey step (10), so the nearest
 * colour mostly draws the plate alone.  How a dither treats it depends on
 * where the plate sits between two greys, so the figure is the worst over
 * plates PLATE0, PLATE0 + 2, ... across one grey step (113 is 5 above
 * grey 108, 115 is 7, ... 121 is 3 above 118).
 */
#define PLATE0 113
#define NPLATE 5
#define SCRATCH 24.0
static int plate = PLATE0;

static double
scratch_cover(int x, int y)
{
	double x0 = 0.15 * SRC_W, y0 = 0.8 * SRC_H, x1 = 0.85 * SRC_W,
	    y1 = 0.2 * SRC_H, dx = x1 - x0, dy = y1 - y0;
	double len = sqrt(dx * dx + dy * dy), px = x + 0.5, py = y + 0.5;
	double t = ((px - x0) * dx + (py - y0) * dy) / (len * len);
	double d = fabs((px - x0) * dy - (py - y0) * dx) / len;

	if (t < 0 || t > 1)
		return 0;
	d = 1.75 - d;		/* 1 inside the 2.5 px core, ramps over 1 px */
	return d <= 0 ? 0 : d >= 1 ? 1 : d;
}

/*
 * The lattice value of octave o, channel ch at (ix, iy): 0..1 from an
 * integer hash (Chris Wellons' "lowbias32"), so the noise is the same on
 * every run and machine.
 */
static double
lattice_at(int o, int ch, int ix, int iy)
{
	uint32_t x = (uint32_t)((o * 3 + ch) * 1000003 + iy * 4099 + ix);

	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return (double)x / 4294967295.0;
}

/* Smooth value noise: lattice values every `cell` pixels, bilinear with a
 * smoothstep, so octaves of it make a 1/f-like "natural" texture. */
static double
value_noise(int o, int ch, double x, double y)
{
	int ix = (int)x, iy = (int)y;
	double fx = x - ix, fy = y - iy, a, b;

	fx = fx * fx * (3 - 2 * fx);
	fy = fy * fy * (3 - 2 * fy);
	a = lattice_at(o, ch, ix, iy) * (1 - fx) +
	    lattice_at(o, ch, ix + 1, iy) * fx;
	b = lattice_at(o, ch, ix, iy + 1) * (1 - fx) +
	    lattice_at(o, ch, ix + 1, iy + 1) * fx;
	return a * (1 - fy) + b * fy;
}

static void
make_noise(struct image *img)
{
	enum { OCT = 5 };
	int o, ch, x, y;

	for (y = 0; y < SRC_H; y++)
		for (x = 0; x < SRC_W; x++) {
			double v[3] = { 0, 0, 0 };

			for (o = 0; o < OCT; o++) {
				double cell = 160 >> o, amp = 1.0 / (1 << o);

				for (ch = 0; ch < 3; ch++)
					v[ch] += amp * (value_noise(o, ch,
					    x / cell, y / cell) - 0.5);
			}
			/* Mostly a shared luma with some colour, as in a
			 * photograph. */
			put(img, x, y, 128 + 150 * (0.7 * v[0] + 0.3 * v[1]),
			    128 + 150 * (0.7 * v[0] + 0.3 * v[2]),
			    118 + 150 * (0.7 * v[0] - 0.3 * v[1]));
		}
}

static void
make_pic(enum pic p, struct image *img)
{
	/* SMPTE EG 1 bars at 75%: grey, yellow, cyan, green, magenta, red,
	 * blue, and below them blue, black, magenta, black, cyan, black,
	 * grey. */
	static const int bars[2][7] = {
		{ 0xbfbfbf, 0xbfbf00, 0x00bfbf, 0x00bf00, 0xbf00bf, 0xbf0000,
		    0x0000bf },
		{ 0x0000bf, 0x131313, 0xbf00bf, 0x131313, 0x00bfbf, 0x131313,
		    0xbfbfbf },
	};
	double c[3];
	int x, y, v;

	img->width = SRC_W;
	img->height = SRC_H;
	img->rgb = xcalloc((size_t)SRC_W * SRC_H, 3);
	if (p == PIC_NOISE) {
		make_noise(img);
		return;
	}
	for (y = 0; y < SRC_H; y++)
		for (x = 0; x < SRC_W; x++) {
			switch (p) {
			case PIC_GRADIENT:
				/* Top: black to white; bottom: the hues. */
				if (y < SRC_H / 2) {
					v = 255 * x / (SRC_W - 1);
					put(img, x, y, v, v, v);
				} else {
					hsv((double)x / SRC_W, 0.7, 0.85, c);
					put(img, x, y, c[0], c[1], c[2]);
				}
				break;
			case PIC_SCRATCH:
				v = (int)(plate + SCRATCH * scratch_cover(x, y));
				put(img, x, y, v, v, v);
				break;
			case PIC_BARS:
				v = bars[y >= SRC_H * 2 / 3][x * 7 / SRC_W];
				put(img, x, y, v >> 16, (v >> 8) & 255, v & 255);
				break;
			default:
				break;
			}
		}
}

/* 3x3 binomial blur of a w x h x 3 float picture, edges repeated. */
static void
blur(const float *in, int w, int h, float *out)
{
	static const int k[3] = { 1, 2, 1 };
	int x, y, dx, dy, ch;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			for (ch = 0; ch < 3; ch++) {
				double s = 0;

				for (dy = -1; dy <= 1; dy++)
					for (dx = -1; dx <= 1; dx++) {
						int xx = x + dx, yy = y + dy;

						xx = xx < 0 ? 0 : xx >= w ?
						    w - 1 : xx;
						yy = yy < 0 ? 0 : yy >= h ?
						    h - 1 : yy;
						s += k[dx + 1] * k[dy + 1] *
						    in[((size_t)yy * w + xx) *
						    3 + ch];
					}
				out[((size_t)y * w + x) * 3 + ch] =
				    (float)(s / 16);
			}
}

/* Pearson correlation of a and b (n values); 0 when either is flat. */
static double
correlation(const float *a, const float *b, size_t n)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ma += a[i];
		mb += b[i];
	}
	ma /= (double)n;
	mb /= (double)n;
	for (i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	if (saa < 1e-9 || sbb < 1e-9)
		return 0;
	return sab / sqrt(saa * sbb);
}

/* The blurred correlation of a rebuilt picture with the source. */
static double
score(const struct image *src, const float *rebuilt)
{
	size_t n = (size_t)src->width * src->height * 3, i;
	float *a = xcalloc(n, sizeof *a), *ba = xcalloc(n, sizeof *ba);
	float *bb = xcalloc(n, sizeof *bb);
	double r;

	for (i = 0; i < n; i++)
		a[i] = src->rgb[i];
	blur(a, src->width, src->height, ba);
	blur(rebuilt, src->width, src->height, bb);
	r = correlation(ba, bb, n);
	free(a);
	free(ba);
	free(bb);
	return r;
}

static void
put_rgb(float *px, int32_t rgb)
{
	px[0] = (float)((rgb >> 16) & 255);
	px[1] = (float)((rgb >> 8) & 255);
	px[2] = (float)(rgb & 255);
}

/*
 * The picture the terminal shows for cells c: each cell's fg is the top
 * pixel, bg the bottom one, through the palette of the cells' depth.
 */
static float *
rebuild(const struct cells *c)
{
	float *px = xcalloc((size_t)c->cols * c->rows * 2 * 3, sizeof *px);
	int r, k;

	for (r = 0; r < c->rows; r++)
		for (k = 0; k < c->cols; k++) {
			size_t i = (size_t)r * c->cols + k;

			if (c->ch[i] != CELL_UPPER)
				T_FAIL("cell %d,%d is %c, not a half block",
				    r, k, c->ch[i]);
			put_rgb(px + ((size_t)(2 * r) * c->cols + k) * 3,
			    term_device_rgb(c->depth, c->fg[i]));
			put_rgb(px + ((size_t)(2 * r + 1) * c->cols + k) * 3,
			    term_device_rgb(c->depth, c->bg[i]));
		}
	return px;
}

/* What a terminal showed without dithering: each pixel's nearest colour
 * (old: 16 colours sent to an 8-colour terminal, bright as normal). */
static float *
rebuild_nearest(const struct image *img, enum term_depth depth, int old8)
{
	size_t n = (size_t)img->width * img->height, i;
	float *px = xcalloc(n * 3, sizeof *px);

	for (i = 0; i < n; i++) {
		const unsigned char *p = img->rgb + 3 * i;
		uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

		if (old8)
			put_rgb(px + 3 * i, term_device_rgb(TERM_DEPTH_8,
			    term_nearest_16(rgb) % 8));
		else
			put_rgb(px + 3 * i, term_device_rgb(depth,
			    term_nearest(depth, rgb)));
	}
	return px;
}

/* The share of cells whose colours differ from the cell to their left:
 * each costs an SGR sequence (ui_raw_cells sends only changes). */
static double
changes(const struct cells *c)
{
	int r, k, n = 0;

	for (r = 0; r < c->rows; r++)
		for (k = 1; k < c->cols; k++) {
			size_t i = (size_t)r * c->cols + k;

			n += c->fg[i] != c->fg[i - 1] || c->bg[i] != c->bg[i - 1];
		}
	return (double)n / ((double)c->rows * c->cols);
}

/* c's colours replaced by each pixel's nearest colour, no dither. */
static void
nearest_cells(const struct image *img, struct cells *c)
{
	int r, k, h;

	for (r = 0; r < c->rows; r++)
		for (k = 0; k < c->cols; k++)
			for (h = 0; h < 2; h++) {
				const unsigned char *p = img->rgb +
				    ((size_t)(2 * r + h) * img->width + k) * 3;
				int32_t v = term_nearest(c->depth,
				    (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 |
				    p[2]);

				if (h == 0)
					c->fg[(size_t)r * c->cols + k] = v;
				else
					c->bg[(size_t)r * c->cols + k] = v;
			}
}

/* Rec. 601 luma of pixel i. */
static double
luma(const float *px, size_t i)
{
	return 0.299 * px[3 * i] + 0.587 * px[3 * i + 1] + 0.114 * px[3 * i + 2];
}

/* |mean luma rebuilt - mean luma source|, in levels: a black-on-black
 * pane (or any wrong overall level) shows here. */
static double
level_error(const struct image *src, const float *rebuilt)
{
	size_t n = (size_t)src->width * src->height, i;
	double a = 0, b = 0;

	for (i = 0; i < n; i++) {
		const unsigned char *p = src->rgb + 3 * i;

		a += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
		b += luma(rebuilt, i);
	}
	return fabs(a - b) / (double)n;
}

/*
 * The figures of one pane, per depth and picture: the correlation of the
 * dithered cells and of the nearest colour without dither (the scratch:
 * the worst over the plates), the level error of the dithered cells and
 * of the old 8-colour output, and what dithering costs in bytes: the
 * share of cells whose colours change from their left neighbour, each an
 * SGR sequence, dithered and not (the last plate's, for the scratch).
 */
struct figures {
	double dith[NDEPTH][NPIC], near[NDEPTH][NPIC], level[NDEPTH][NPIC];
	double chg[NDEPTH][NPIC], chg_near[NDEPTH][NPIC];
	double old8[NPIC];
};

/* One picture at one pane size into f (minimum over calls for the
 * correlations, maximum for the level errors). */
static int
measure_one(const struct image *src, int p, int w, int h, struct figures *f)
{
	struct image small;
	char *cause = NULL;
	float *ro;
	int d;

	if (image_scale_box(src, w, h, &small, &cause) != 0) {
		T_FAIL("%s: %s", pic_name[p], cause);
		free(cause);
		return -1;
	}
	for (d = 0; d < NDEPTH; d++) {
		struct cells c;
		float *rb, *rn;

		if (cells_from_image(&small, depths[d], &c, &cause) != 0) {
			T_FAIL("%s: %s", pic_name[p], cause);
			free(cause);
			image_free(&small);
			return -1;
		}
		rb = rebuild(&c);
		rn = rebuild_nearest(&small, depths[d], 0);
		f->dith[d][p] = fmin(f->dith[d][p], score(&small, rb));
		f->near[d][p] = fmin(f->near[d][p], score(&small, rn));
		f->level[d][p] = fmax(f->level[d][p], level_error(&small, rb));
		f->chg[d][p] = changes(&c);
		nearest_cells(&small, &c);
		f->chg_near[d][p] = changes(&c);
		free(rb);
		free(rn);
		cells_free(&c);
	}
	ro = rebuild_nearest(&small, TERM_DEPTH_8, 1);
	f->old8[p] = fmax(f->old8[p], level_error(&small, ro));
	free(ro);
	image_free(&small);
	return 0;
}

static int
measure(int w, int h, struct figures *f)
{
	struct image src;
	int p, d, k, r = 0;

	for (p = 0; p < NPIC; p++) {
		for (d = 0; d < NDEPTH; d++) {
			f->dith[d][p] = f->near[d][p] = 1;
			f->level[d][p] = 0;
		}
		f->old8[p] = 0;
		for (k = 0; k < (p == PIC_SCRATCH ? NPLATE : 1) && r == 0;
		    k++) {
			plate = PLATE0 + 2 * k;
			make_pic((enum pic)p, &src);
			r = measure_one(&src, p, w, h, f);
			image_free(&src);
		}
	}
	return r;
}

static void
report(const char *pane, int w, int h, const struct figures *f)
{
	int p, d;

	printf("# pane %s (%dx%d pixels): correlation dithered / nearest "
	    "colour, level error, colour changes per cell dithered/nearest\n"
	    "#   %-9s", pane, w, h, "depth");
	for (p = 0; p < NPIC; p++)
		printf("  %-29s", pic_name[p]);
	printf("\n");
	for (d = 0; d < NDEPTH; d++) {
		printf("#   %-9s", term_depth_name(depths[d]));
		for (p = 0; p < NPIC; p++)
			printf("  %.3f / %.3f %4.1f %.2f/%.2f", f->dith[d][p],
			    f->near[d][p], f->level[d][p], f->chg[d][p],
			    f->chg_near[d][p]);
		printf("\n");
	}
	printf("#   old 8    ");
	for (p = 0; p < NPIC; p++)
		printf("                %4.1f          ", f->old8[p]);
	printf("\n");
}

static void
t_every_depth_shows_the_picture(void)
{
	struct figures f;
	int p, d, s, failed_plain[NDEPTH] = { 0 }, old_fails = 0;

	for (s = 0; s < 2; s++) {
		if (measure(panes[s].w, panes[s].h, &f) != 0)
			return;
		report(panes[s].name, panes[s].w, panes[s].h, &f);
		for (d = 0; d < NDEPTH; d++)
			for (p = 0; p < NPIC; p++) {
				if (f.dith[d][p] < thresh[d][p])
					T_FAIL("%s at %s, pane %s: %.3f < %.3f",
					    pic_name[p],
					    term_depth_name(depths[d]),
					    panes[s].name, f.dith[d][p],
					    thresh[d][p]);
				if (f.level[d][p] > LEVEL_MAX)
					T_FAIL("%s at %s, pane %s: level off "
					    "by %.1f", pic_name[p],
					    term_depth_name(depths[d]),
					    panes[s].name, f.level[d][p]);
				if (f.near[d][p] < thresh[d][p])
					failed_plain[d] = 1;
				/* Truecolor is the best of the depths. */
				if (f.dith[d][p] > f.dith[NDEPTH - 1][p])
					T_FAIL("%s: %s beats truecolor",
					    pic_name[p],
					    term_depth_name(depths[d]));
			}
		for (p = 0; p < NPIC; p++)
			old_fails += f.old8[p] > LEVEL_MAX;
	}
	/* The thresholds mean something: undithered output fails them, and
	 * the black-on-black of issue 17 fails the level bound. */
	for (d = 0; d < NDEPTH - 1; d++)
		if (!failed_plain[d])
			T_FAIL("at %s the nearest colour without dither "
			    "passes every threshold", term_depth_name(depths[d]));
	if (old_fails == 0)
		T_FAIL("the old 8-colour output keeps every level");
}

/* A w x h picture of one colour. */
static unsigned char *
flat_picture(int w, int h, uint32_t rgb)
{
	unsigned char *p = xcalloc((size_t)w * h, 3);
	int i;

	for (i = 0; i < w * h; i++) {
		p[3 * i] = (unsigned char)(rgb >> 16);
		p[3 * i + 1] = (unsigned char)(rgb >> 8);
		p[3 * i + 2] = (unsigned char)rgb;
	}
	return p;
}

/* The mean of channel ch of the device colours px, through the palette. */
static double
mean_channel(const int32_t *px, int n, enum term_depth d, int ch)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		m += (term_device_rgb(d, px[i]) >> (16 - 8 * ch)) & 0xff;
	return m / n;
}

static void
t_dither_pixels(void)
{
	enum { W = 40, H = 30, N = W * H };
	unsigned char *p, flat[N];
	int32_t out[N];
	int i, d, ch, greys_only = 1;

	/* A palette colour stays itself at every depth: nothing to spread. */
	for (d = 0; d < NDEPTH; d++) {
		static const int32_t entry[NDEPTH] = { 1, 9, 196, 0x123456 };
		int32_t want = entry[d];

		p = flat_picture(W, H,
		    (uint32_t)term_device_rgb(depths[d], want));
		dither_pixels(p, W, H, depths[d], NULL, out);
		for (i = 0; i < N; i++)
			if (out[i] != want) {
				T_FAIL("%s: pixel %d is %d, not %d",
				    term_depth_name(depths[d]), i, out[i], want);
				break;
			}
		free(p);
	}

	/*
	 * A grey between palette entries keeps its mean (to 1.5 levels: the
	 * error that leaves the right and bottom edges is lost), and at
	 * 8 and 16 colours mixes greys only (in RGB distance 0x808080 is
	 * nearest yellow at 8 colours).
	 */
	p = flat_picture(W, H, 0x777777);
	for (d = 0; d < NDEPTH; d++) {
		dither_pixels(p, W, H, depths[d], NULL, out);
		for (ch = 0; ch < 3; ch++)
			if (fabs(mean_channel(out, N, depths[d], ch) - 0x77) >
			    1.5)
				T_FAIL("%s: mean %.2f, not 119",
				    term_depth_name(depths[d]),
				    mean_channel(out, N, depths[d], ch));
		for (i = 0; i < N && depths[d] != TERM_DEPTH_TRUE; i++) {
			uint32_t c = (uint32_t)term_device_rgb(depths[d],
			    out[i]);

			if ((c >> 16) != (c & 0xff) ||
			    ((c >> 8) & 0xff) != (c & 0xff))
				greys_only = 0;
		}
	}
	T_CHECK(greys_only);
	dither_pixels(p, W, H, TERM_DEPTH_NONE, NULL, out);
	for (i = 0; i < N; i++)
		T_EQ_INT(out[i], -1);
	dither_pixels(p, W, H, TERM_DEPTH_TRUE, NULL, out);
	T_EQ_INT(out[N - 1], 0x777777);

	/*
	 * No error crosses an edge: blue beside white with a blended column
	 * between them (a downscale's), and the white field stays white;
	 * carried over, the blend's error made grey specks in it.
	 */
	free(p);
	p = flat_picture(W, H, 0xffffff);
	for (i = 0; i < N; i++) {
		if (i % W < W / 2 - 1)
			memcpy(p + 3 * i, "\0\0\377", 3);
		else if (i % W == W / 2 - 1)
			memcpy(p + 3 * i, "\200\200\377", 3);
	}
	for (d = 0; d < NDEPTH; d++) {
		int32_t want = term_nearest(depths[d], 0xffffff);

		dither_pixels(p, W, H, depths[d], NULL, out);
		for (i = 0; i < N; i++)
			if (i % W >= W / 2 && out[i] != want) {
				T_FAIL("%s: white pixel %d is %d, not %d",
				    term_depth_name(depths[d]), i, out[i], want);
				break;
			}
	}

	/* Flat pixels take their nearest colour and pass no error on: a
	 * flat left half at 0x000030, a bright right half. */
	free(p);
	p = flat_picture(W, H, 0x000030);
	for (i = 0; i < N; i++) {
		flat[i] = i % W < W / 2;
		if (!flat[i])
			memset(p + 3 * i, 0xb0, 3);
	}
	for (d = 0; d < NDEPTH - 1; d++) {
		int32_t want = term_nearest(depths[d], 0x000030);

		dither_pixels(p, W, H, depths[d], flat, out);
		for (i = 0; i < N; i++)
			if (flat[i] && out[i] != want) {
				T_FAIL("%s: flat pixel %d is %d, not %d",
				    term_depth_name(depths[d]), i, out[i], want);
				break;
			}
	}
	free(p);
}

/* A silent spectrogram stays one colour at 8 colours (no sprinkle of
 * blue), a loud band next to silence does not bleed into it. */
static void
t_spectrogram_silence_flat(void)
{
	enum { COLS = 30, BANDS = 20 };
	struct spectrogram s;
	struct cells c;
	float db[COLS * BANDS];
	char *cause = NULL;
	int i, d;

	s.cols = COLS;
	s.rows = BANDS;
	s.db = db;
	s.max_db = 0;
	for (i = 0; i < COLS * BANDS; i++)
		db[i] = i % BANDS == 5 ? -10.0f : AUDIO_SPEC_FLOOR_DB;
	for (d = 0; d < NDEPTH; d++) {
		int32_t want = term_nearest(depths[d], 0x000030);
		int r, k, loud = 0;

		T_EQ_INT(cells_from_spectrogram(&s, BANDS / 2, depths[d], &c,
		    &cause), 0);
		/* Band 5 is the top half (fg) of cell row 7: row r holds
		 * bands 2 (rows - 1 - r) + 1 over 2 (rows - 1 - r). */
		for (r = 0; r < c.rows; r++)
			for (k = 0; k < c.cols; k++) {
				size_t j = (size_t)r * c.cols + k;

				if (r == 7) {
					loud += c.fg[j] != want;
					if (c.bg[j] != want)
						T_FAIL("%s: silent band 4 at "
						    "column %d",
						    term_depth_name(depths[d]),
						    k);
					continue;
				}
				if (c.fg[j] != want || c.bg[j] != want) {
					T_FAIL("%s: silent cell %d,%d not flat",
					    term_depth_name(depths[d]), r, k);
					r = c.rows;
					break;
				}
			}
		T_CHECK(loud > 0);
		cells_free(&c);
	}
}

int
main(void)
{
	T_RUN(t_dither_pixels);
	T_RUN(t_spectrogram_silence_flat);
	T_RUN(t_every_depth_shows_the_picture);
	return t_done();
}
