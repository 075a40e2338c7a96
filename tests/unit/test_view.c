/*
 * test_view.c: the label screen's image view (core/image.c
 * image_view_scale, core/image_view.c): fit enlarges small images,
 * nearest neighbour past 1:1 is exact, area averaging below it, the zoom
 * steps, the centre's clamp, the tone adjustments and the recorded text.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/media.h"
#include "t.h"

/* A w x h image whose pixel (x, y) is (x, y, x ^ y): every pixel differs
 * in the first two channels, so a wrong source pixel is seen. */
static void
grid(struct image *img, int w, int h)
{
	int x, y;

	img->width = w;
	img->height = h;
	img->rgb = malloc((size_t)w * h * 3);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			unsigned char *p = img->rgb + ((size_t)y * w + x) * 3;

			p[0] = (unsigned char)x;
			p[1] = (unsigned char)y;
			p[2] = (unsigned char)(x ^ y);
		}
}

static struct image_view
view_at(double scale, double cx, double cy)
{
	struct image_view v;

	memset(&v, 0, sizeof v);
	v.scale = scale;
	v.cx = cx;
	v.cy = cy;
	return v;
}

/* 1 when dst pixel (x, y) is src pixel (sx, sy). */
static int
same_px(const struct image *dst, int x, int y, const struct image *src,
    int sx, int sy)
{
	return memcmp(dst->rgb + ((size_t)y * dst->width + x) * 3,
	    src->rgb + ((size_t)sy * src->width + sx) * 3, 3) == 0;
}

/*
 * A 32x32 image in the label pane of 160 x 38 cells (160 x 76 pixels):
 * fit enlarges it to 76 x 76, the pane's whole height, every output
 * pixel a source pixel (nearest neighbour: no blending), every source
 * pixel shown, each as a block of 2 or 3 (76 / 32 = 2.375).
 */
static void
t_fit_enlarges_a_small_image(void)
{
	struct image src, dst;
	struct image_region r;
	struct image_view v = view_at(0, 0.5, 0.5);
	int x, y, bad = 0, seen[32] = { 0 };
	char *cause = NULL;

	grid(&src, 32, 32);
	if (image_view_scale(&src, NULL, &v, 160, 76, &dst, &r, &cause) != 0) {
		T_FAIL("fit: %s", cause);
		free(cause);
		image_free(&src);
		return;
	}
	T_EQ_INT(dst.width, 76);
	T_EQ_INT(dst.height, 76);
	T_CHECK(r.x == 0 && r.y == 0 && r.w == 32 && r.h == 32);
	for (y = 0; y < dst.height; y++)
		for (x = 0; x < dst.width; x++) {
			/* floor((x + 0.5) * 32 / 76), the nearest source. */
			int sx = (int)((x + 0.5) * 32 / 76);
			int sy = (int)((y + 0.5) * 32 / 76);

			if (!same_px(&dst, x, y, &src, sx, sy))
				bad++;
		}
	T_EQ_INT(bad, 0);
	for (x = 0; x < dst.width; x++)
		seen[dst.rgb[x * 3]]++;
	for (x = 0; x < 32; x++)
		if (seen[x] < 2 || seen[x] > 3)
			bad++;
	T_EQ_INT(bad, 0);
	image_free(&dst);

	/* draw_fit's arithmetic: a wide small image fills the width. */
	image_fit(40, 10, 160, 76, &x, &y);
	T_EQ_INT(x, 160);
	T_EQ_INT(y, 40);
	image_free(&src);
}

/*
 * Runs of equal source index along n output pixels (index at p[0] of
 * each, stride apart): each output a source pixel unblended (p[2] is
 * p[0] ^ p[1]), the indices from first on in steps of one, every run s
 * long but the first and last (1..s; the first full unless against the
 * far edge).  0, or why not.
 */
static const char *
runs_ok(const unsigned char *p, int n, size_t stride, int s, int first,
    int last, int first_full)
{
	int i, run = 0, at = p[0];

	if (at != first)
		return "starts elsewhere than the region";
	for (i = 0; i < n; i++, p += stride) {
		if (p[2] != (p[0] ^ p[1]))
			return "a blended pixel";
		if (p[0] == at) {
			run++;
			continue;
		}
		if (p[0] != at + 1)
			return "a source pixel skipped";
		if (run > s || (run < s && (at != first || first_full)))
			return "a block of the wrong size";
		at = p[0];
		run = 1;
	}
	if (at != last || run > s)
		return "ends elsewhere than the region";
	return NULL;
}

/*
 * At an integer scale every source pixel is exactly a scale x scale
 * block, wherever the view is centred: the blocks start at the output's
 * edge (no pixel cut to a sliver, but against the image's far edge) and
 * nothing is blended.  The grid's channels say which source pixel an
 * output is (x, y) — horizontally from channel 0, vertically from 1.
 */
static void
t_nearest_neighbour_is_exact(void)
{
	static const double centres[] = { 0.5, 0.3, 0.0, 1.0, 0.61 };
	struct image src, dst, tr;
	struct image_region r;
	const char *why;
	int s, k, x, y;

	grid(&src, 50, 40);
	for (s = 1; s <= 16; s *= 2)
		for (k = 0; k < 5; k++) {
			struct image_view v = view_at(s, centres[k],
			    centres[4 - k]);
			int far_x = centres[k] == 1.0, far_y = centres[4 - k]
			    == 1.0;

			if (image_view_scale(&src, NULL, &v, 160, 76, &dst, &r,
			    NULL) != 0) {
				T_FAIL("scale %d failed", s);
				continue;
			}
			if (dst.width != (s * 50 < 160 ? s * 50 : 160) ||
			    dst.height != (s * 40 < 76 ? s * 40 : 76))
				T_FAIL("scale %d: %dx%d", s, dst.width,
				    dst.height);
			if (r.x < 0 || r.y < 0 || r.x + r.w > 50 ||
			    r.y + r.h > 40)
				T_FAIL("scale %d: region %d,%d %dx%d", s, r.x,
				    r.y, r.w, r.h);
			for (y = 0; y < dst.height; y++)
				if ((why = runs_ok(dst.rgb + (size_t)y *
				    dst.width * 3, dst.width, 3, s, r.x,
				    r.x + r.w - 1, !far_x)) != NULL) {
					T_FAIL("scale %d, centre %g: row %d: "
					    "%s", s, centres[k], y, why);
					break;
				}
			/* Columns: the same along y, with y's channel
			 * moved to channel 0 of a copy. */
			tr.width = dst.width;
			tr.height = dst.height;
			tr.rgb = malloc((size_t)dst.width * dst.height * 3);
			for (x = 0; x < dst.width * dst.height; x++) {
				tr.rgb[x * 3] = dst.rgb[x * 3 + 1];
				tr.rgb[x * 3 + 1] = dst.rgb[x * 3];
				tr.rgb[x * 3 + 2] = dst.rgb[x * 3 + 2];
			}
			for (x = 0; x < dst.width; x++)
				if ((why = runs_ok(tr.rgb + (size_t)x * 3,
				    dst.height, (size_t)dst.width * 3, s, r.y,
				    r.y + r.h - 1, !far_y)) != NULL) {
					T_FAIL("scale %d, centre %g: column "
					    "%d: %s", s, centres[4 - k], x,
					    why);
					break;
				}
			image_free(&tr);
			image_free(&dst);
		}
	image_free(&src);
}

/* Below 1:1 it is the area average: a 2x2 block mean at scale 1/2. */
static void
t_area_average_below_one(void)
{
	struct image src, dst;
	struct image_region r;
	struct image_view v = view_at(0.5, 0.5, 0.5);
	int x, y, bad = 0;

	grid(&src, 40, 20);
	if (image_view_scale(&src, NULL, &v, 160, 76, &dst, &r, NULL) != 0) {
		T_FAIL("scale 0.5 failed");
		image_free(&src);
		return;
	}
	T_EQ_INT(dst.width, 20);
	T_EQ_INT(dst.height, 10);
	for (y = 0; y < 10; y++)
		for (x = 0; x < 20; x++) {
			const unsigned char *p = dst.rgb + (y * 20 + x) * 3;

			/* mean of 2x, 2x + 1 is 2x + 0.5, rounded up */
			if (p[0] != 2 * x + 1 || p[1] != 2 * y + 1)
				bad++;
		}
	T_EQ_INT(bad, 0);
	image_free(&dst);
	image_free(&src);
}

/*
 * Shrinking from the halvings gives the area average of the source: the
 * same size and region, and on a smooth ramp (even sides, so every
 * halving is an exact 2 x 2 mean) pixels within rounding of the direct
 * average.
 */
static void
t_pyramid_is_the_area_average(void)
{
	static const double scales[] = { 0, 0.3, 0.07, 0.5, 1.0 / 1.5 };
	struct image src, a, b;
	struct image_pyramid pyr;
	struct image_region ra, rb;
	size_t i, n;
	int k, worst = 0;

	src.width = 1024;
	src.height = 768;
	src.rgb = malloc((size_t)1024 * 768 * 3);
	for (i = 0; i < (size_t)1024 * 768 * 3; i++)
		src.rgb[i] = (unsigned char)((i / 3 % 1024) / 8 +
		    (i / 3 / 1024) / 8 + (i % 3) * 9);
	image_pyramid_make(&src, &pyr);
	T_EQ_INT(pyr.n, 4);	/* 512, 256, 128, 64 wide */
	for (k = 0; k < 5; k++) {
		struct image_view v = view_at(scales[k], 0.4, 0.6);

		if (image_view_scale(&src, NULL, &v, 160, 76, &a, &ra,
		    NULL) != 0 || image_view_scale(&src, &pyr, &v, 160, 76,
		    &b, &rb, NULL) != 0) {
			T_FAIL("scale %g failed", scales[k]);
			continue;
		}
		if (a.width != b.width || a.height != b.height ||
		    abs(ra.x - rb.x) > 1 || abs(ra.y - rb.y) > 1 ||
		    abs(ra.w - rb.w) > 2 || abs(ra.h - rb.h) > 2)
			T_FAIL("scale %g: %dx%d at %d,%d %dx%d against %dx%d "
			    "at %d,%d %dx%d", scales[k], b.width, b.height,
			    rb.x, rb.y, rb.w, rb.h, a.width, a.height, ra.x,
			    ra.y, ra.w, ra.h);
		else {
			n = (size_t)a.width * a.height * 3;
			for (i = 0; i < n; i++)
				if (abs(a.rgb[i] - b.rgb[i]) > worst)
					worst = abs(a.rgb[i] - b.rgb[i]);
		}
		image_free(&a);
		image_free(&b);
	}
	/*
	 * Rounding at each halving, and a region starting on a whole pixel
	 * of the halving (up to 4 source pixels off at the third, 1/2 a
	 * level on this ramp of 1/8 a pixel each way).
	 */
	if (worst > 2)
		T_FAIL("pixels differ by up to %d", worst);
	image_pyramid_free(&pyr);
	image_free(&src);

	/* A side of 1 stays 1, an odd side's last pixel is left out: 257x1
	 * halves to 128x1 (pairs' means), then 64x1, then stops. */
	grid(&src, 257, 1);
	image_pyramid_make(&src, &pyr);
	T_EQ_INT(pyr.n, 2);
	T_CHECK(pyr.half[0].width == 128 && pyr.half[0].height == 1);
	T_CHECK(pyr.half[1].width == 64 && pyr.half[1].height == 1);
	/* x = 2k, 2k + 1 (mod 256) average to 2k + 0.5, rounded up */
	T_EQ_INT(pyr.half[0].rgb[10 * 3], 21);
	T_EQ_INT(pyr.half[1].rgb[10 * 3], 42);	/* 41 and 43 */
	image_pyramid_free(&pyr);
	image_free(&src);
}

static void
t_zoom_steps(void)
{
	double fit = image_fit_scale(32, 32, 160, 76), z;
	int n;

	T_NEAR(fit, 76.0 / 32, 1e-12);
	/* In from fit: 3, 4, 6, 8, 12, 16, then it stays. */
	T_NEAR(image_zoom_step(0, fit, 1), 3, 0);
	T_NEAR(image_zoom_step(3, fit, 1), 4, 0);
	T_NEAR(image_zoom_step(12, fit, 1), 16, 0);
	T_NEAR(image_zoom_step(16, fit, 1), 16, 0);
	/* Out: back down, and fit (0) below the first step above fit. */
	T_NEAR(image_zoom_step(16, fit, -1), 12, 0);
	T_NEAR(image_zoom_step(3, fit, -1), 0, 0);
	T_NEAR(image_zoom_step(0, fit, -1), 0, 0);
	/* A large image: geometric steps below 1, up to 1:1 and past. */
	fit = image_fit_scale(4000, 3000, 160, 76);
	for (z = 0, n = 0; n < 40 && (z == 0 || z < 1); n++)
		z = image_zoom_step(z, fit, 1);
	T_NEAR(z, 1, 0);
	T_CHECK(n > 5);
	T_NEAR(image_zoom_step(1, fit, 1), 2, 0);
	T_NEAR(image_zoom_step(1, fit, -1), 1 / 1.5, 1e-12);
	/* A tiny image fitted past the largest step: nothing to zoom in. */
	T_NEAR(image_zoom_step(0, image_fit_scale(4, 4, 160, 76), 1), 0, 0);
}

static void
t_centre_stays_inside(void)
{
	struct image_view v = view_at(4, 0.0, 1.0);
	double fx, fy;

	/* 100x50 at 4x in 160x76: 40 of 100 columns, 19 of 50 rows. */
	image_view_span(&v, 100, 50, 160, 76, &fx, &fy);
	T_NEAR(fx, 0.4, 1e-12);
	T_NEAR(fy, 0.38, 1e-12);
	image_view_clamp(&v, 100, 50, 160, 76);
	T_NEAR(v.cx, 0.2, 1e-12);
	T_NEAR(v.cy, 0.81, 1e-12);
	/* Fitted: all of it, centred. */
	v = view_at(0, 0.1, 0.9);
	image_view_clamp(&v, 100, 50, 160, 76);
	T_NEAR(v.cx, 0.5, 0);
	T_NEAR(v.cy, 0.5, 0);
}

/* One grey pixel value through view v's adjustments. */
static int
adjusted(const struct image_view *v, int grey)
{
	unsigned char px[3] = { (unsigned char)grey, (unsigned char)grey,
	    (unsigned char)grey };
	struct image img = { 1, 1, px };

	image_adjust(&img, v);
	return px[0];
}

static void
t_adjustments(void)
{
	struct image_view v = view_at(0, 0.5, 0.5);
	struct image img;
	int i, lo = 255, hi = 0;

	T_CHECK(image_view_neutral(&v));
	T_EQ_INT(adjusted(&v, 77), 77);
	v.brightness = 2;	/* +0.10 of full scale: +25.5 */
	T_EQ_INT(adjusted(&v, 100), 126);
	T_EQ_INT(adjusted(&v, 250), 255);
	v.brightness = 0;
	v.contrast = 4;		/* x2 about mid-grey (127.5) */
	T_CHECK(abs(adjusted(&v, 128) * 2 - 257) == 1);	/* 128.5 */
	T_CHECK(abs(adjusted(&v, 100) * 2 - 145) == 1);	/* 72.5 */
	T_EQ_INT(adjusted(&v, 60), 0);	/* -7.5, clipped */
	T_EQ_INT(adjusted(&v, 200), 255);
	v.contrast = 0;
	v.gamma = 4;		/* gamma 2: out = in^(1/2) */
	T_EQ_INT(adjusted(&v, 64), (int)(sqrt(64 / 255.0) * 255 + 0.5));
	T_EQ_INT(adjusted(&v, 0), 0);
	T_EQ_INT(adjusted(&v, 255), 255);
	v.gamma = 0;

	/* Auto-levels: a faint 100..120 ramp spread over 0..255. */
	v.levels = 1;
	img.width = 21;
	img.height = 10;
	img.rgb = malloc(21 * 10 * 3);
	for (i = 0; i < 21 * 10 * 3; i++)
		img.rgb[i] = (unsigned char)(100 + (i / 3) % 21);
	image_adjust(&img, &v);
	for (i = 0; i < 21 * 10 * 3; i++) {
		lo = img.rgb[i] < lo ? img.rgb[i] : lo;
		hi = img.rgb[i] > hi ? img.rgb[i] : hi;
	}
	T_EQ_INT(lo, 0);
	T_EQ_INT(hi, 255);
	image_free(&img);
}

static void
t_view_text(void)
{
	struct image_view v = view_at(0, 0.5, 0.5);
	struct image_region r = { 10, 4, 53, 25 };
	char *t;

	/* Fitted and neutral: nothing to record. */
	T_CHECK(image_view_text(&v, &r) == NULL);
	v.contrast = 2;
	t = image_view_text(&v, &r);
	T_EQ_STR(t, "contrast=1.41");
	free(t);
	v.scale = 3;
	v.brightness = -1;
	v.gamma = -4;
	v.levels = 1;
	t = image_view_text(&v, &r);
	T_EQ_STR(t, "zoom=3 region=10,4,53,25 brightness=-0.05 "
	    "contrast=1.41 gamma=0.50 levels=auto");
	free(t);
	v.brightness = v.contrast = v.gamma = v.levels = 0;
	t = image_view_text(&v, NULL);
	T_EQ_STR(t, "zoom=3");
	free(t);
}

int
main(void)
{
	T_RUN(t_fit_enlarges_a_small_image);
	T_RUN(t_nearest_neighbour_is_exact);
	T_RUN(t_area_average_below_one);
	T_RUN(t_pyramid_is_the_area_average);
	T_RUN(t_zoom_steps);
	T_RUN(t_centre_stays_inside);
	T_RUN(t_adjustments);
	T_RUN(t_view_text);
	return t_done();
}
