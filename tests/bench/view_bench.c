/*
 * view_bench.c: what a view key costs the label screen's UI thread
 * before the cells go out: prepared_render (tui/prefetch.c) for a tone
 * key, a zoom step and a pan, on a large and a small image.
 *
 *   view_bench [COLS ROWS [N]]
 *
 * The terminal is COLS x ROWS (default 200x60, the size); the
 * pane is what tui/media_pane.c lays out there (COLS - 29 by ROWS - 4).
 * Images are synthetic (a smooth field with noise, fixed seed): 4000x3000
 * and 32x32.  Each case runs N times (default 200), each run one key:
 *
 *   tones      a tone key ({ } [ ] ( ) * \ in turn) at fit: adjustment
 *              and cells only, the scaled picture is kept
 *   zoom       + and - in turn from fit (4000x3000: area average of a
 *              shrinking region; 32x32: nearest neighbour)
 *   pan        an arrow at 1:1 (a new region, nearest neighbour)
 *
 * Prints per case "view CASE IMAGE p50_ms=.. p99_ms=.. max_ms=..", and
 * first what the loader's first render of each image took ("view first
 * IMAGE ms=..": the halvings, then the fit).
 * Exit 1 if a render fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/media.h"
#include "accord/util.h"

#include "../../tui/draw_cells.c"
#include "../../tui/term.c"
#include "../../tui/prefetch.c"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A smooth field plus noise (xorshift), so scaling has work to do. */
static void
synth(struct image *img, int w, int h, uint32_t seed)
{
	size_t i, n = (size_t)w * h * 3;

	img->width = w;
	img->height = h;
	img->rgb = xmalloc(n);
	for (i = 0; i < n; i++) {
		size_t px = i / 3;
		int x = (int)(px % (size_t)w), y = (int)(px / (size_t)w);

		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		img->rgb[i] = (unsigned char)((x * 97 / w + y * 89 / h +
		    (int)(i % 3) * 20 + (int)(seed & 31)) & 0xff);
	}
}

static void
report(const char *what, const char *img, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	printf("view %s %s p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", what, img,
	    ms[n / 2], ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
	    ms[n - 1]);
}

/* One case: N keys, each a change of view from v by step(). */
static int
run_case(struct prepared *p, int cols, int rows, int n, const char *what,
    const char *name, void (*step)(struct image_view *, int, double))
{
	struct image_view v = prepared_fit;
	double *ms = xcalloc((size_t)n, sizeof *ms), t0,
	    fit = image_fit_scale(p->img.width, p->img.height, cols, 2 * rows);
	int i;

	if (prepared_render(p, cols, rows, TERM_DEPTH_TRUE, &v) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		step(&v, i, fit);
		image_view_clamp(&v, p->img.width, p->img.height, cols,
		    2 * rows);
		t0 = acc_monotonic();
		if (prepared_render(p, cols, rows, TERM_DEPTH_TRUE, &v) != 0) {
			fprintf(stderr, "view_bench: %s\n", p->error);
			free(ms);
			return -1;
		}
		ms[i] = (acc_monotonic() - t0) * 1000;
	}
	report(what, name, ms, n);
	free(ms);
	return 0;
}

static void
step_tones(struct image_view *v, int i, double fit)
{
	(void)fit;
	switch (i % 8) {
	case 0: v->contrast++; break;
	case 1: v->contrast--; break;
	case 2: v->brightness++; break;
	case 3: v->brightness--; break;
	case 4: v->gamma++; break;
	case 5: v->gamma--; break;
	case 6: v->levels = !v->levels; break;
	case 7: v->brightness = v->contrast = v->gamma = v->levels = 0;
		break;
	}
}

static void
step_zoom(struct image_view *v, int i, double fit)
{
	v->scale = image_zoom_step(v->scale, fit, i % 2 == 0 ? 1 : -1);
}

static void
step_pan(struct image_view *v, int i, double fit)
{
	(void)fit;
	v->scale = 1;
	v->cx += i % 2 == 0 ? 0.01 : -0.005;
	v->cy += i % 3 == 0 ? 0.01 : -0.004;
}

int
main(int argc, char **argv)
{
	static const struct {
		int w, h;
		const char *name;
	} imgs[] = { { 4000, 3000, "4000x3000" }, { 32, 32, "32x32" } };
	int cols = argc > 2 ? atoi(argv[1]) - 29 : 200 - 29;
	int rows = argc > 2 ? atoi(argv[2]) - 4 : 60 - 4;
	int n = argc > 3 ? atoi(argv[3]) : 200;
	double t0;
	size_t k;

	if (cols < 4 || rows < 4 || n < 1) {
		fprintf(stderr, "usage: view_bench [COLS ROWS [N]]\n");
		return 2;
	}
	printf("view pane %dx%d cells, %d keys a case\n", cols, rows, n);
	for (k = 0; k < sizeof imgs / sizeof imgs[0]; k++) {
		struct prepared p;

		memset(&p, 0, sizeof p);
		p.kind = MEDIA_KIND_IMAGE;
		synth(&p.img, imgs[k].w, imgs[k].h, 2463534242u);
		t0 = acc_monotonic();
		if (prepared_render(&p, cols, rows, TERM_DEPTH_TRUE, NULL) != 0)
			return 1;
		printf("view first %s ms=%.3f (the loader's: halvings and "
		    "the fit)\n", imgs[k].name, (acc_monotonic() - t0) * 1000);
		if (run_case(&p, cols, rows, n, "tones", imgs[k].name,
		    step_tones) != 0 ||
		    run_case(&p, cols, rows, n, "zoom", imgs[k].name,
		    step_zoom) != 0 ||
		    run_case(&p, cols, rows, n, "pan", imgs[k].name,
		    step_pan) != 0)
			return 1;
		image_free(&p.img);
		image_free(&p.base);
		image_pyramid_free(&p.pyr);
		cells_free(&p.cells);
	}
	return 0;
}
