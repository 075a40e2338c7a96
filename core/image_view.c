/*
 * image_view.c: the view of an image on the label and review screens
 * (media.h, struct image_view): the zoom steps, where the centre may go,
 * the tone adjustments and the text labels record.  The resampling
 * itself is core/image.c's (image_view_scale).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/media.h"
#include "accord/util.h"

double
image_fit_scale(int iw, int ih, int bw, int bh)
{
	double sx, sy;

	if (iw < 1 || ih < 1 || bw < 1 || bh < 1)
		return 1;
	sx = (double)bw / iw;
	sy = (double)bh / ih;
	return sx < sy ? sx : sy;
}

/*
 * The steps above 1 are integers: at 1.5 every other pixel would be two
 * cells and the rest one, and a one-pixel scratch would look thick or
 * thin by where it lies.  Below 1 nothing is sharp anyway (area
 * average), so the steps are geometric.
 */
static const double zoom_up[] = { 1, 2, 3, 4, 6, 8, 12, 16 };
#define NUP (sizeof zoom_up / sizeof zoom_up[0])

/* Step k: 1/1.5^-k for k < 0, zoom_up[k] from 0 on. */
static double
zoom_at(int k)
{
	return k >= 0 ? zoom_up[k] : pow(1.5, k);
}

/* Scales within 1% are the same step (fit may sit just off one). */
#define ZOOM_SAME 1.01

double
image_zoom_step(double scale, double fit, int dir)
{
	double cur = scale > 0 ? scale : fit, z;
	int k;

	if (dir > 0) {
		/* The first step clearly above cur. */
		for (k = -40; k < (int)NUP; k++)
			if ((z = zoom_at(k)) > cur * ZOOM_SAME)
				return z > fit * ZOOM_SAME ? z : 0;
		return scale;
	}
	/* The last step clearly below cur; fit is the floor. */
	for (k = (int)NUP - 1; k >= -40; k--)
		if ((z = zoom_at(k)) * ZOOM_SAME < cur)
			return z > fit * ZOOM_SAME ? z : 0;
	return 0;
}

/* The fraction of n pixels shown in a box of b at scale s (0: fit). */
static double
span_of(int n, int b, double s, double fit)
{
	double f;

	if (s <= 0 || s <= fit || n < 1)
		return 1;
	f = b / s / n;
	return f < 1 ? f : 1;
}

void
image_view_span(const struct image_view *v, int iw, int ih, int bw, int bh,
    double *fx, double *fy)
{
	double fit = image_fit_scale(iw, ih, bw, bh);

	*fx = span_of(iw, bw, v->scale, fit);
	*fy = span_of(ih, bh, v->scale, fit);
}

static double
clamp_centre(double c, double span)
{
	if (span >= 1 || !(c == c))
		return 0.5;
	if (c < span / 2)
		return span / 2;
	if (c > 1 - span / 2)
		return 1 - span / 2;
	return c;
}

void
image_view_clamp(struct image_view *v, int iw, int ih, int bw, int bh)
{
	double fx, fy;

	image_view_span(v, iw, ih, bw, bh, &fx, &fy);
	v->cx = clamp_centre(v->cx, fx);
	v->cy = clamp_centre(v->cy, fy);
}

int
image_view_neutral(const struct image_view *v)
{
	return v->brightness == 0 && v->contrast == 0 && v->gamma == 0 &&
	    !v->levels;
}

/*
 * The levels between the 0.5th and 99.5th percentiles of luma (BT.601,
 * rounded to 0..255) of img, in *lo < *hi; 0 when img has no spread.
 * Percentiles rather than the extremes, so a few hot or dead pixels do
 * not hold the stretch back.
 */
static int
levels_of(const struct image *img, int *lo, int *hi)
{
	uint64_t hist[256] = { 0 }, n, cut, run;
	size_t i, npx = (size_t)img->width * (size_t)img->height;
	const unsigned char *p = img->rgb;
	int v;

	for (i = 0; i < npx; i++, p += 3)
		hist[(299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000]++;
	n = npx;
	cut = n / 200;
	for (v = 0, run = 0; v < 255 && run + hist[v] <= cut; v++)
		run += hist[v];
	*lo = v;
	for (v = 255, run = 0; v > 0 && run + hist[v] <= cut; v--)
		run += hist[v];
	*hi = v;
	return *hi > *lo;
}

void
image_adjust(struct image *img, const struct image_view *v)
{
	unsigned char lut[256];
	double gain = pow(2, v->contrast / 4.0);
	double inv_gamma = 1 / pow(2, v->gamma / 4.0);
	double bright = v->brightness * IMAGE_BRIGHTNESS_STEP, t;
	size_t i, n;
	int lo = 0, hi = 255;

	if (image_view_neutral(v) || img->rgb == NULL)
		return;
	if (v->levels && !levels_of(img, &lo, &hi)) {
		lo = 0;
		hi = 255;
	}
	/* Levels, then contrast about mid-grey, brightness, gamma. */
	for (i = 0; i < 256; i++) {
		t = ((double)i - lo) / (hi - lo);
		t = (t - 0.5) * gain + 0.5 + bright;
		t = t < 0 ? 0 : t > 1 ? 1 : t;
		lut[i] = (unsigned char)(pow(t, inv_gamma) * 255 + 0.5);
	}
	n = (size_t)img->width * (size_t)img->height * 3;
	for (i = 0; i < n; i++)
		img->rgb[i] = lut[img->rgb[i]];
}

char *
image_view_text(const struct image_view *v, const struct image_region *reg)
{
	struct buf b = { 0 };

	if (v->scale > 0) {
		buf_printf(&b, "zoom=%.4g", v->scale);
		if (reg != NULL)
			buf_printf(&b, " region=%d,%d,%d,%d", reg->x, reg->y,
			    reg->w, reg->h);
	}
	if (v->brightness != 0)
		buf_printf(&b, "%sbrightness=%+.2f", b.len ? " " : "",
		    v->brightness * IMAGE_BRIGHTNESS_STEP);
	if (v->contrast != 0)
		buf_printf(&b, "%scontrast=%.2f", b.len ? " " : "",
		    pow(2, v->contrast / 4.0));
	if (v->gamma != 0)
		buf_printf(&b, "%sgamma=%.2f", b.len ? " " : "",
		    pow(2, v->gamma / 4.0));
	if (v->levels)
		buf_printf(&b, "%slevels=auto", b.len ? " " : "");
	return b.s;
}
