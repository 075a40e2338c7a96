/*
 * test_term.c: the pure terminal functions: xterm palettes and nearest
 * colours (tui/term.c), the colour-depth decision and its cap, the
 * truecolor hint, and the preparation of
 * cells from images, spectrograms and waveforms (tui/draw_cells.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/media.h"
#include "accord/util.h"
#include "../../tui/draw.h"
#include "../../tui/term.h"
#include "t.h"

/* A deterministic pseudo-random stream (xorshift32). */
static uint32_t rng_state = 2463534242u;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static long
dist2(uint32_t a, uint32_t b)
{
	long dr = (long)((a >> 16) & 0xff) - (long)((b >> 16) & 0xff);
	long dg = (long)((a >> 8) & 0xff) - (long)((b >> 8) & 0xff);
	long db = (long)(a & 0xff) - (long)(b & 0xff);

	return dr * dr + dg * dg + db * db;
}

/*
 * The palette written out independently of term.c (xterm's 256colres.pl:
 * cube levels 0, 95, 135, 175, 215, 255; grey 8 + 10k).
 */
static uint32_t
ref_palette(int i)
{
	static const int lv[6] = { 0, 95, 135, 175, 215, 255 };
	int v;

	if (i >= 232) {
		v = 8 + 10 * (i - 232);
		return (uint32_t)(v * 0x010101);
	}
	i -= 16;
	return (uint32_t)(lv[i / 36] << 16 | lv[(i / 6) % 6] << 8 | lv[i % 6]);
}

/* Brute force: the first index in 16..255 with the least distance. */
static int
ref_nearest_256(uint32_t rgb)
{
	int i, best = 16;
	long bd = dist2(rgb, ref_palette(16)), d;

	for (i = 17; i < 256; i++) {
		d = dist2(rgb, ref_palette(i));
		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	return best;
}

static void
t_palette_values(void)
{
	int i;

	T_EQ_INT(term_palette_256(16), 0x000000);
	T_EQ_INT(term_palette_256(231), 0xffffff);
	T_EQ_INT(term_palette_256(196), 0xff0000);
	T_EQ_INT(term_palette_256(46), 0x00ff00);
	T_EQ_INT(term_palette_256(21), 0x0000ff);
	T_EQ_INT(term_palette_256(17), 0x00005f);
	T_EQ_INT(term_palette_256(59), 0x5f5f5f);
	T_EQ_INT(term_palette_256(232), 0x080808);
	T_EQ_INT(term_palette_256(244), 0x808080);
	T_EQ_INT(term_palette_256(255), 0xeeeeee);
	T_EQ_INT(term_palette_256(1), 0xcd0000);
	T_EQ_INT(term_palette_256(12), 0x5c5cff);
	T_EQ_INT(term_palette_256(15), 0xffffff);
	for (i = 16; i < 256; i++)
		if (term_palette_256(i) != ref_palette(i))
			T_FAIL("palette %d is %06x, expected %06x", i,
			    (unsigned)term_palette_256(i),
			    (unsigned)ref_palette(i));
}

static void
t_nearest_256_matches_brute_force(void)
{
	int i, got, want;
	uint32_t rgb;

	/* Random colours, then every grey and the tie points of the cube. */
	for (i = 0; i < 200000; i++) {
		rgb = rnd() & 0xffffff;
		got = term_nearest_256(rgb);
		want = ref_nearest_256(rgb);
		if (got != want || dist2(rgb, term_palette_256(got)) !=
		    dist2(rgb, ref_palette(want))) {
			T_FAIL("%06x -> %d, brute force %d", (unsigned)rgb,
			    got, want);
			return;
		}
	}
	for (i = 0; i < 256 * 256; i++) {
		static const int tie[8] = { 47, 48, 115, 155, 195, 235, 4, 13 };
		int v = i & 0xff;

		rgb = (uint32_t)(v * 0x010101);
		if (i >= 256)
			rgb = (uint32_t)(tie[i % 8] << 16 | tie[(i / 8) % 8] <<
			    8 | (i >> 8));
		got = term_nearest_256(rgb);
		want = ref_nearest_256(rgb);
		if (got != want) {
			T_FAIL("%06x -> %d, brute force %d", (unsigned)rgb,
			    got, want);
			return;
		}
	}
	/* Exact palette colours map to themselves (none repeats in 16..255). */
	for (i = 16; i < 256; i++)
		T_EQ_INT(term_nearest_256(ref_palette(i)), i);
	T_EQ_INT(term_nearest_256(0xff0000), 196);
	T_EQ_INT(term_nearest_256(0x7f7f7f), 244);	/* grey 128 */
}

static void
t_nearest_16_primaries(void)
{
	T_EQ_INT(term_nearest_16(0x000000), 0);
	T_EQ_INT(term_nearest_16(0xffffff), 15);
	T_EQ_INT(term_nearest_16(0xff0000), 9);
	T_EQ_INT(term_nearest_16(0x00ff00), 10);
	T_EQ_INT(term_nearest_16(0x0000ff), 4);		/* 0000ee beats 5c5cff */
	T_EQ_INT(term_nearest_16(0xc00000), 1);
	T_EQ_INT(term_nearest_16(0x00c000), 2);
	T_EQ_INT(term_nearest_16(0xffff00), 11);
	T_EQ_INT(term_nearest_16(0x00ffff), 14);
	T_EQ_INT(term_nearest_16(0xff00ff), 13);
	T_EQ_INT(term_nearest_16(0x808080), 8);
	T_EQ_INT(term_nearest_16(0xe0e0e0), 7);
}

/* At 8 colours the bright eight do not exist: greys go to 0 or 7. */
static void
t_nearest_8(void)
{
	int i;

	T_EQ_INT(term_nearest_8(0x000000), 0);
	T_EQ_INT(term_nearest_8(0xffffff), 7);
	T_EQ_INT(term_nearest_8(0xa0a0a0), 7);	/* 7f7f7f is colour 8 */
	T_EQ_INT(term_nearest_8(0x404040), 0);
	/* In plain RGB distance a middle grey is nearest yellow cdcd00 (the
	 * dither chooses by another measure, dither.c). */
	T_EQ_INT(term_nearest_8(0x808080), 3);
	T_EQ_INT(term_nearest_8(0xff0000), 1);
	T_EQ_INT(term_nearest_8(0x5c5cff), 4);
	for (i = 0; i < 8; i++)
		T_EQ_INT(term_nearest_8(term_palette_256(i)), i);
	/* Device colours back to RGB, and the nearest per depth. */
	T_EQ_INT(term_device_rgb(TERM_DEPTH_8, 7), 0xe5e5e5);
	T_EQ_INT(term_device_rgb(TERM_DEPTH_8, 8), -1);
	T_EQ_INT(term_device_rgb(TERM_DEPTH_16, 8), 0x7f7f7f);
	T_EQ_INT(term_device_rgb(TERM_DEPTH_256, 244), 0x808080);
	T_EQ_INT(term_device_rgb(TERM_DEPTH_TRUE, 0x123456), 0x123456);
	T_EQ_INT(term_device_rgb(TERM_DEPTH_256, -1), -1);
	T_EQ_INT(term_device_rgb(TERM_DEPTH_NONE, 3), -1);
	T_EQ_INT(term_nearest(TERM_DEPTH_8, 0xa0a0a0), 7);
	T_EQ_INT(term_nearest(TERM_DEPTH_16, 0x808080), 8);
	T_EQ_INT(term_nearest(TERM_DEPTH_256, 0x808080), 244);
	T_EQ_INT(term_nearest(TERM_DEPTH_TRUE, 0x808080), 0x808080);
	T_EQ_INT(term_nearest(TERM_DEPTH_NONE, 0x808080), -1);
}

static void
t_ascii_ramp_monotonic(void)
{
	const char *ramp = " .:-=+*#%@";
	int l, prev = -1, pos;

	T_EQ_INT(term_ascii_ramp(0), ' ');
	T_EQ_INT(term_ascii_ramp(255), '@');
	T_EQ_INT(term_ascii_ramp(-5), ' ');
	T_EQ_INT(term_ascii_ramp(999), '@');
	for (l = 0; l < 256; l++) {
		const char *p = strchr(ramp, term_ascii_ramp(l));

		if (p == NULL || term_ascii_ramp(l) == '\0') {
			T_FAIL("luma %d gives %d, not in the ramp", l,
			    term_ascii_ramp(l));
			return;
		}
		pos = (int)(p - ramp);
		if (pos < prev)
			T_FAIL("ramp goes down at luma %d", l);
		prev = pos;
	}
	T_EQ_INT(prev, 9);	/* every step used up to '@' */
}

static void
t_depth_precedence(void)
{
	static const struct {
		const char *no_color, *accord, *colorterm;
		int colors, rgb;
		enum term_depth want;
	} c[] = {
		/* NO_COLOR (non-empty) beats everything. */
		{ "1", "truecolor", "truecolor", 256, 1, TERM_DEPTH_NONE },
		{ "", NULL, NULL, 256, 0, TERM_DEPTH_256 },
		/* ACCORD_COLOR beats detection, both ways. */
		{ NULL, "256", "truecolor", 256, 1, TERM_DEPTH_256 },
		{ NULL, "16", NULL, 256, 0, TERM_DEPTH_16 },
		{ NULL, "none", NULL, 256, 0, TERM_DEPTH_NONE },
		{ NULL, "truecolor", NULL, 8, 0, TERM_DEPTH_TRUE },
		{ NULL, "24bit", NULL, -1, -1, TERM_DEPTH_TRUE },
		/* ... unknown values are ignored. */
		{ NULL, "lots", NULL, 256, 0, TERM_DEPTH_256 },
		{ NULL, "", "truecolor", 8, 0, TERM_DEPTH_TRUE },
		/* RGB or COLORTERM beat the colour count. */
		{ NULL, NULL, NULL, 256, 1, TERM_DEPTH_TRUE },
		{ NULL, NULL, "truecolor", 8, 0, TERM_DEPTH_TRUE },
		{ NULL, NULL, "24bit", 256, 0, TERM_DEPTH_TRUE },
		{ NULL, NULL, "yes", 256, 0, TERM_DEPTH_256 },
		/* The colour count. */
		{ NULL, NULL, NULL, 88, 0, TERM_DEPTH_16 },
		{ NULL, NULL, NULL, 16, 0, TERM_DEPTH_16 },
		/* xterm, screen, linux: 8, no bright colours. */
		{ NULL, NULL, NULL, 8, 0, TERM_DEPTH_8 },
		{ NULL, NULL, NULL, 15, 0, TERM_DEPTH_8 },
		{ NULL, "8", NULL, 256, 0, TERM_DEPTH_8 },
		{ NULL, NULL, NULL, 2, 0, TERM_DEPTH_NONE },
		{ NULL, NULL, NULL, 0, 0, TERM_DEPTH_NONE },
		/* Before initscr: 16 unless something says otherwise. */
		{ NULL, NULL, NULL, -1, -1, TERM_DEPTH_16 },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		enum term_depth d = term_depth_from(c[i].no_color, c[i].accord,
		    c[i].colorterm, c[i].colors, c[i].rgb);

		if (d != c[i].want)
			T_FAIL("case %zu: %s, expected %s", i,
			    term_depth_name(d), term_depth_name(c[i].want));
	}
	T_EQ_STR(term_depth_name(TERM_DEPTH_TRUE), "truecolor");
	T_EQ_STR(term_depth_name(TERM_DEPTH_256), "256");
	T_EQ_STR(term_depth_name(TERM_DEPTH_16), "16");
	T_EQ_STR(term_depth_name(TERM_DEPTH_8), "8");
	T_EQ_STR(term_depth_name(TERM_DEPTH_NONE), "none");
}

/* What the entry can send caps what was asked for, one step at a time. */
static void
t_depth_cap(void)
{
	static const struct {
		enum term_depth want;
		int colors, rgb;
		enum term_depth got;
	} c[] = {
		{ TERM_DEPTH_TRUE, 0x1000000, 1, TERM_DEPTH_TRUE },
		{ TERM_DEPTH_TRUE, 256, 0, TERM_DEPTH_256 },
		{ TERM_DEPTH_TRUE, 8, 0, TERM_DEPTH_8 },
		{ TERM_DEPTH_256, 256, 0, TERM_DEPTH_256 },
		{ TERM_DEPTH_256, 88, 0, TERM_DEPTH_16 },
		{ TERM_DEPTH_256, 8, 0, TERM_DEPTH_8 },
		{ TERM_DEPTH_16, 16, 0, TERM_DEPTH_16 },
		{ TERM_DEPTH_16, 8, 0, TERM_DEPTH_8 },
		{ TERM_DEPTH_16, 2, 0, TERM_DEPTH_NONE },
		{ TERM_DEPTH_8, 256, 1, TERM_DEPTH_8 },	/* never raised */
		{ TERM_DEPTH_8, 0, 0, TERM_DEPTH_NONE },
		{ TERM_DEPTH_NONE, 256, 1, TERM_DEPTH_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		if (term_depth_cap(c[i].want, c[i].colors, c[i].rgb) !=
		    c[i].got)
			T_FAIL("case %zu: %s, expected %s", i,
			    term_depth_name(term_depth_cap(c[i].want,
			    c[i].colors, c[i].rgb)), term_depth_name(c[i].got));
	T_EQ_STR(term_direct_entry("xterm-256color", 1), "xterm-direct");
	T_EQ_STR(term_direct_entry("xterm", 1), "xterm-direct");
	T_EQ_STR(term_direct_entry("screen", 1), "tmux-direct");
	T_EQ_STR(term_direct_entry("tmux-256color", 1), "tmux-direct");
	T_EQ_STR(term_direct_entry("xterm-256color", 0), "xterm-256color");
	T_EQ_STR(term_direct_entry("linux", 1), "linux");
	T_CHECK(term_direct_entry(NULL, 1) == NULL);
}

/*
 * The truecolor hint: over ssh (no COLORTERM) in an xterm-like terminal,
 * yes; whenever someone chose a depth, COLORTERM already asked for
 * truecolor, or switching cannot work, no.
 */
static void
t_truecolor_hint(void)
{
	static const struct {
		enum term_depth d;
		const char *no_color, *accord, *colorterm, *term, *want;
	} c[] = {
		{ TERM_DEPTH_256, NULL, NULL, NULL, "xterm-256color",
		    "256 colours: set ACCORD_COLOR=truecolor if the terminal "
		    "has 24-bit colour" },
		{ TERM_DEPTH_8, NULL, NULL, NULL, "xterm",
		    "8 colours: set ACCORD_COLOR=truecolor if the terminal "
		    "has 24-bit colour" },
		{ TERM_DEPTH_16, NULL, "", "", "screen.xterm-256color",
		    "16 colours: set ACCORD_COLOR=truecolor if the terminal "
		    "has 24-bit colour" },
		/* An unknown ACCORD_COLOR chose nothing (term_depth_from). */
		{ TERM_DEPTH_256, NULL, "lots", "yes", "tmux-256color",
		    "256 colours: set ACCORD_COLOR=truecolor if the terminal "
		    "has 24-bit colour" },
		{ TERM_DEPTH_256, "", NULL, NULL, "xterm-256color",
		    "256 colours: set ACCORD_COLOR=truecolor if the terminal "
		    "has 24-bit colour" },
		/* Chosen: ACCORD_COLOR, NO_COLOR. */
		{ TERM_DEPTH_256, NULL, "256", NULL, "xterm-256color", NULL },
		{ TERM_DEPTH_8, NULL, "8", NULL, "xterm", NULL },
		{ TERM_DEPTH_256, NULL, "truecolor", NULL, "xterm", NULL },
		{ TERM_DEPTH_NONE, "1", NULL, NULL, "xterm-256color", NULL },
		{ TERM_DEPTH_256, "1", NULL, NULL, "xterm-256color", NULL },
		/* COLORTERM asked already: the entry limits, not the user. */
		{ TERM_DEPTH_256, NULL, NULL, "truecolor", "xterm-256color",
		    NULL },
		{ TERM_DEPTH_256, NULL, NULL, "24BIT", "screen", NULL },
		/* Nothing to switch to, or nothing to say. */
		{ TERM_DEPTH_8, NULL, NULL, NULL, "linux", NULL },
		{ TERM_DEPTH_256, NULL, NULL, NULL, "rxvt-unicode-256color",
		    NULL },
		{ TERM_DEPTH_256, NULL, NULL, NULL, NULL, NULL },
		{ TERM_DEPTH_TRUE, NULL, NULL, NULL, "xterm-256color", NULL },
		{ TERM_DEPTH_NONE, NULL, NULL, NULL, "xterm", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		const char *h = term_truecolor_hint(c[i].d, c[i].no_color,
		    c[i].accord, c[i].colorterm, c[i].term);

		if (c[i].want == NULL ? h != NULL : h == NULL ||
		    strcmp(h, c[i].want) != 0)
			T_FAIL("case %zu: \"%s\", expected \"%s\"", i,
			    h ? h : "(none)", c[i].want ? c[i].want : "(none)");
		/* The message line of an 80x24 screen holds it whole. */
		if (h != NULL && strlen(h) > 80)
			T_FAIL("case %zu: %zu columns", i, strlen(h));
	}

	/* The environment version reads the same four variables. */
	unsetenv("NO_COLOR");
	unsetenv("ACCORD_COLOR");
	unsetenv("COLORTERM");
	setenv("TERM", "xterm-256color", 1);
	T_CHECK(term_truecolor_hint_env(TERM_DEPTH_256) != NULL);
	setenv("COLORTERM", "truecolor", 1);
	T_CHECK(term_truecolor_hint_env(TERM_DEPTH_256) == NULL);
	unsetenv("COLORTERM");
	setenv("ACCORD_COLOR", "256", 1);
	T_CHECK(term_truecolor_hint_env(TERM_DEPTH_256) == NULL);
	unsetenv("ACCORD_COLOR");
	setenv("NO_COLOR", "1", 1);
	T_CHECK(term_truecolor_hint_env(TERM_DEPTH_256) == NULL);
	unsetenv("NO_COLOR");
	setenv("TERM", "linux", 1);
	T_CHECK(term_truecolor_hint_env(TERM_DEPTH_8) == NULL);
}

static void
t_draw_fit(void)
{
	int w, h;

	/* Wide: the width limits (200:100 into 80 x 48 pixels). */
	draw_fit(200, 100, 80, 24, &w, &h);
	T_EQ_INT(w, 80);
	T_EQ_INT(h, 40);
	/* Tall: the height limits. */
	draw_fit(100, 400, 80, 24, &w, &h);
	T_EQ_INT(w, 12);
	T_EQ_INT(h, 48);
	/* Exact fit. */
	draw_fit(160, 96, 80, 24, &w, &h);
	T_EQ_INT(w, 80);
	T_EQ_INT(h, 48);
	/* Rounded to nearest: 1000 x 333 into 100 wide is 33.3 tall. */
	draw_fit(1000, 333, 100, 50, &w, &h);
	T_EQ_INT(w, 100);
	T_EQ_INT(h, 33);
	draw_fit(1000, 336, 100, 50, &w, &h);
	T_EQ_INT(h, 34);
	/* A small image is enlarged to the pane (10:6 is 80:48). */
	draw_fit(10, 6, 80, 24, &w, &h);
	T_EQ_INT(w, 80);
	T_EQ_INT(h, 48);
	draw_fit(32, 32, 160, 38, &w, &h);
	T_EQ_INT(w, 76);
	T_EQ_INT(h, 76);
	/* Tiny results are at least one pixel. */
	draw_fit(1, 5000, 80, 24, &w, &h);
	T_EQ_INT(w, 1);
	T_EQ_INT(h, 48);
	draw_fit(5000, 1, 80, 24, &w, &h);
	T_EQ_INT(w, 80);
	T_EQ_INT(h, 1);
	draw_fit(0, 10, 80, 24, &w, &h);
	T_EQ_INT(w, 1);
	T_EQ_INT(h, 1);
	draw_fit(10, 10, 0, 24, &w, &h);
	T_EQ_INT(w, 1);
	T_EQ_INT(h, 1);
	/* Every result fits and is within a pixel of the aspect ratio. */
	{
		int i;

		for (i = 0; i < 20000; i++) {
			int iw = 1 + (int)(rnd() % 3000),
			    ih = 1 + (int)(rnd() % 3000);
			int cols = 1 + (int)(rnd() % 300),
			    rows = 1 + (int)(rnd() % 100);

			int bw = cols, bh = 2 * rows;
			double e;

			draw_fit(iw, ih, cols, rows, &w, &h);
			if (w < 1 || h < 1 || w > bw || h > bh ||
			    (w != bw && h != bh)) {
				T_FAIL("fit %dx%d in %dx%d: %dx%d", iw, ih,
				    cols, rows, w, h);
				return;
			}
			/* One side is at the box, the other rounded to the
			 * nearest pixel (or 1). */
			e = fabs((double)h * iw - (double)w * ih);
			if (!(h == 1 || w == 1 || (w == bw && e <= 0.5 * iw) ||
			    (h == bh && e <= 0.5 * ih))) {
				T_FAIL("fit %dx%d in %dx%d: %dx%d distorts",
				    iw, ih, cols, rows, w, h);
				return;
			}
		}
	}
}

/* A 2 x 4 image: top half red | green, bottom half blue | white. */
static void
quad_image(struct image *img, int height)
{
	static const unsigned char q[4][3] = {
		{ 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 }
	};
	int x, y;

	img->width = 2;
	img->height = height;
	img->rgb = xcalloc((size_t)2 * (size_t)height, 3);
	for (y = 0; y < height; y++)
		for (x = 0; x < 2; x++)
			memcpy(img->rgb + (y * 2 + x) * 3,
			    q[(y < height / 2 ? 0 : 2) + x], 3);
}

static void
t_cells_from_image_quadrants(void)
{
	struct image img;
	struct cells c;
	char *cause = NULL;
	int i;

	quad_image(&img, 4);

	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_TRUE, &c, &cause), 0);
	T_EQ_INT(c.cols, 2);
	T_EQ_INT(c.rows, 2);
	T_EQ_INT(c.depth, TERM_DEPTH_TRUE);
	for (i = 0; i < 4; i++)
		T_EQ_INT(c.ch[i], CELL_UPPER);
	T_EQ_INT(c.fg[0], 0xff0000);
	T_EQ_INT(c.bg[0], 0xff0000);
	T_EQ_INT(c.fg[1], 0x00ff00);
	T_EQ_INT(c.bg[1], 0x00ff00);
	T_EQ_INT(c.fg[2], 0x0000ff);
	T_EQ_INT(c.bg[2], 0x0000ff);
	T_EQ_INT(c.fg[3], 0xffffff);
	T_EQ_INT(c.bg[3], 0xffffff);
	cells_free(&c);

	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_256, &c, &cause), 0);
	T_EQ_INT(c.fg[0], 196);
	T_EQ_INT(c.bg[0], 196);
	T_EQ_INT(c.fg[1], 46);
	T_EQ_INT(c.fg[2], 21);
	T_EQ_INT(c.fg[3], 231);
	T_EQ_INT(c.bg[3], 231);
	cells_free(&c);

	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_16, &c, &cause), 0);
	T_EQ_INT(c.fg[0], 9);
	T_EQ_INT(c.fg[1], 10);
	T_EQ_INT(c.fg[2], 4);
	T_EQ_INT(c.fg[3], 15);
	T_EQ_INT(c.bg[2], 4);
	cells_free(&c);

	/* Luma: red 76, green 150, blue 29, white 255 -> ramp positions. */
	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_NONE, &c, &cause), 0);
	T_EQ_INT(c.ch[0], term_ascii_ramp(76));
	T_EQ_INT(c.ch[1], term_ascii_ramp(150));
	T_EQ_INT(c.ch[2], term_ascii_ramp(29));
	T_EQ_INT(c.ch[3], '@');
	T_CHECK(c.ch[0] != c.ch[1] && c.ch[1] != c.ch[3]);
	for (i = 0; i < 4; i++) {
		T_EQ_INT(c.fg[i], -1);
		T_EQ_INT(c.bg[i], -1);
	}
	cells_free(&c);
	T_CHECK(c.fg == NULL && c.ch == NULL && c.cols == 0);
	cells_free(&c);		/* twice is harmless */
	image_free(&img);
	T_CHECK(cause == NULL);
}

static void
t_cells_from_image_odd_height(void)
{
	struct image img;
	struct cells c;
	char *cause = NULL;

	/* Rows: red, red, blue: two cells tall, the last half empty. */
	quad_image(&img, 3);
	memcpy(img.rgb + 2 * 3, img.rgb, 3);		/* (0,1) red */
	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_TRUE, &c, &cause), 0);
	T_EQ_INT(c.rows, 2);
	T_EQ_INT(c.fg[0], 0xff0000);
	T_EQ_INT(c.bg[0], 0xff0000);
	T_EQ_INT(c.fg[2], 0x0000ff);
	T_EQ_INT(c.bg[2], -1);
	T_EQ_INT(c.fg[3], 0xffffff);
	T_EQ_INT(c.bg[3], -1);
	T_EQ_INT(c.ch[3], CELL_UPPER);
	cells_free(&c);

	/* At depth none the lone pixel's own luma decides. */
	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_NONE, &c, &cause), 0);
	T_EQ_INT(c.ch[3], '@');
	T_EQ_INT(c.ch[2], term_ascii_ramp(29));
	cells_free(&c);
	image_free(&img);

	/* Refusals leave *out empty and say why. */
	img.width = 0;
	img.height = 2;
	img.rgb = NULL;
	T_EQ_INT(cells_from_image(&img, TERM_DEPTH_TRUE, &c, &cause), -1);
	T_CHECK(cause != NULL && c.fg == NULL);
	free(cause);
}

static void
t_cells_from_spectrogram(void)
{
	struct spectrogram s;
	struct cells c;
	char *cause = NULL;
	float db[2 * 4];
	int i;

	/* 2 columns, 4 bands (2 cell rows). */
	s.cols = 2;
	s.rows = 4;
	s.db = db;
	s.max_db = 0.0f;
	for (i = 0; i < 8; i++)
		db[i] = AUDIO_SPEC_FLOOR_DB;
	db[0 * 4 + 3] = 0.0f;		/* column 0, top band: loudest */
	db[0 * 4 + 0] = -40.0f;		/* column 0, bottom band: middle */
	db[1 * 4 + 1] = -80.0f;		/* column 1: bottom of the range */
	db[1 * 4 + 2] = -100.0f;	/* column 1: below the range */

	T_EQ_INT(cells_from_spectrogram(&s, 2, TERM_DEPTH_TRUE, &c, &cause),
	    0);
	T_EQ_INT(c.cols, 2);
	T_EQ_INT(c.rows, 2);
	/* Row 0 (top): bands 3 over 2; row 1: bands 1 over 0. */
	T_EQ_INT(c.ch[0], CELL_UPPER);
	T_EQ_INT(c.fg[0], 0xffffff);		/* band 3 at max: white */
	T_EQ_INT(c.bg[0], 0x000030);		/* band 2 at floor: dark */
	T_EQ_INT(c.fg[2], 0x000030);		/* band 1 floor */
	/* band 0 at -40 dB is t = 0.5, 2/3 of the way from violet
	 * 3c1e8c to red c83c3c: (153.3, 50, 86.7) rounded. */
	T_EQ_INT(c.bg[2], 0x993257);
	T_EQ_INT(c.fg[1], 0x000030);		/* band 3 col 1 */
	T_EQ_INT(c.bg[1], 0x000030);		/* -100 dB: clamped to 0 */
	T_EQ_INT(c.fg[3], 0x000030);		/* -80 dB: t = 0 */
	cells_free(&c);

	/* Brightness rises along the whole map. */
	{
		int prev = -1, lum;
		float d;

		for (d = -80.0f; d <= 0.0f; d += 0.5f) {
			db[0] = d;
			T_EQ_INT(cells_from_spectrogram(&s, 2, TERM_DEPTH_TRUE,
			    &c, &cause), 0);
			lum = 299 * ((c.bg[2] >> 16) & 0xff) +
			    587 * ((c.bg[2] >> 8) & 0xff) + 114 * (c.bg[2] & 0xff);
			if (lum < prev)
				T_FAIL("map gets darker at %g dB", (double)d);
			prev = lum;
			cells_free(&c);
		}
		db[0] = -40.0f;
	}

	T_EQ_INT(cells_from_spectrogram(&s, 2, TERM_DEPTH_NONE, &c, &cause),
	    0);
	T_EQ_INT(c.ch[0], term_ascii_ramp(128));	/* (1 + 0) / 2 */
	T_EQ_INT(c.ch[1], ' ');
	T_EQ_INT(c.fg[0], -1);
	cells_free(&c);

	T_EQ_INT(cells_from_spectrogram(&s, 2, TERM_DEPTH_256, &c, &cause),
	    0);
	T_EQ_INT(c.fg[0], 231);
	T_EQ_INT(c.bg[2], term_nearest_256(0x993257));
	cells_free(&c);

	/* A silent clip (everything at the floor) stays dark. */
	for (i = 0; i < 8; i++)
		db[i] = AUDIO_SPEC_FLOOR_DB;
	s.max_db = AUDIO_SPEC_FLOOR_DB;
	T_EQ_INT(cells_from_spectrogram(&s, 2, TERM_DEPTH_TRUE, &c, &cause),
	    0);
	for (i = 0; i < 4; i++)
		T_EQ_INT(c.fg[i], 0x000030);
	cells_free(&c);

	/* The band count must match. */
	T_EQ_INT(cells_from_spectrogram(&s, 3, TERM_DEPTH_TRUE, &c, &cause),
	    -1);
	T_CHECK(cause != NULL && c.ch == NULL);
	free(cause);
}

/* The cell column c of prepared peaks as a string, top to bottom. */
static void
column(const struct cells *c, int col, char *out)
{
	int r;

	for (r = 0; r < c->rows; r++)
		out[r] = c->ch[r * c->cols + col];
	out[c->rows] = '\0';
}

static void
t_cells_from_peaks(void)
{
	/* rows 4: 8 half units of 0.25 each, 0 between rows 1 and 2. */
	const float mins[] = { -1, 0, 0.1f, -0.3f, 0.5f, -2, NAN, 0.9f };
	const float maxs[] = { 1, 0, 0.2f, -0.1f, 0.5f, 2, NAN, -0.9f };
	struct cells c;
	char *cause = NULL, col[8];
	int i;

	T_EQ_INT(cells_from_peaks(mins, maxs, 8, 4, 0x00cd00, TERM_DEPTH_TRUE,
	    &c, &cause), 0);
	column(&c, 0, col);
	T_EQ_STR(col, "FFFF");		/* full scale */
	column(&c, 1, col);
	T_EQ_STR(col, " LU ");		/* silence: a line on the centre */
	column(&c, 2, col);
	T_EQ_STR(col, " L  ");		/* 0.1..0.2: the unit just above 0 */
	column(&c, 3, col);
	T_EQ_STR(col, "  F ");		/* -0.3..-0.1: units 2 and 3 */
	column(&c, 4, col);
	T_EQ_STR(col, "LU  ");		/* 0.5 is a boundary: both units */
	column(&c, 5, col);
	T_EQ_STR(col, "FFFF");		/* clamped */
	column(&c, 6, col);
	T_EQ_STR(col, " LU ");		/* NaN as silence */
	column(&c, 7, col);
	T_EQ_STR(col, "FFFF");		/* swapped: -0.9..0.9 */
	for (i = 0; i < 32; i++) {
		T_EQ_INT(c.bg[i], -1);
		T_EQ_INT(c.fg[i], c.ch[i] == ' ' ? -1 : 0x00cd00);
	}
	cells_free(&c);

	T_EQ_INT(cells_from_peaks(mins, maxs, 2, 4, 0x00cd00, TERM_DEPTH_16,
	    &c, &cause), 0);
	T_EQ_INT(c.fg[0], 2);
	cells_free(&c);
	T_EQ_INT(cells_from_peaks(mins, maxs, 2, 4, 0x00cd00, TERM_DEPTH_NONE,
	    &c, &cause), 0);
	T_EQ_INT(c.fg[0], -1);
	T_EQ_INT(c.ch[0], CELL_FULL);
	cells_free(&c);

	T_EQ_INT(cells_from_peaks(mins, maxs, 0, 4, 0, TERM_DEPTH_TRUE, &c,
	    &cause), -1);
	T_CHECK(cause != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(cells_from_peaks(NULL, maxs, 2, 4, 0, TERM_DEPTH_TRUE, &c,
	    &cause), -1);
	free(cause);
}

int
main(void)
{
	T_RUN(t_palette_values);
	T_RUN(t_nearest_256_matches_brute_force);
	T_RUN(t_nearest_16_primaries);
	T_RUN(t_nearest_8);
	T_RUN(t_ascii_ramp_monotonic);
	T_RUN(t_depth_precedence);
	T_RUN(t_depth_cap);
	T_RUN(t_truecolor_hint);
	T_RUN(t_draw_fit);
	T_RUN(t_cells_from_image_quadrants);
	T_RUN(t_cells_from_image_odd_height);
	T_RUN(t_cells_from_spectrogram);
	T_RUN(t_cells_from_peaks);
	return t_done();
}
