/*
 * render.c: the label screen's image path, timed phase by phase, for
 * tests/bench/label_bench.sh to hold against chafa.
 *
 *   render FILE COLS ROWS N
 *
 * N times, what the loader does for an image at zoom 1 (tui/prefetch.c,
 * prepare and render_image) and what a terminal would then receive:
 *
 *   read     acc_read_file
 *   decode   image_decode
 *   scale    draw_fit + image_scale_box to fit COLS x ROWS cells
 *   cells    cells_from_image at truecolor
 *   output   the cells as truecolor SGR + U+2580 into a buffer, written
 *            to /dev/null: what `chafa --symbols vhalf -c full` prints, so
 *            the comparison with chafa covers the same work
 *
 * The SHA-256 check the loader also does is timed but left out of the
 * total: chafa does nothing like it.  Prints the median and the minimum of
 * each phase and of the total, then one key=value line for the script:
 *
 *   render total_ms=T read_ms=.. decode_ms=.. scale_ms=.. cells_ms=..
 *       output_ms=.. sha_ms=.. out_bytes=B cells=CxR
 *
 * Bench programs link core/libaccord.a only, so the three curses-free tui
 * files are compiled in here (a unity build: nothing in tui/ changes).
 * Exit 1 if any run fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/media.h"
#include "accord/util.h"

#include "../../tui/dither.c"
#include "../../tui/draw_cells.c"
#include "../../tui/term.c"

enum { PH_READ, PH_SHA, PH_DECODE, PH_SCALE, PH_CELLS, PH_OUTPUT, PH_TOTAL,
    PH_N };

static const char *const ph_name[PH_N] = { "read", "sha256", "decode",
    "scale", "cells", "output", "total" };

/* "0;" .. "255;" with their lengths: SGR parameters without snprintf,
 * as terminal emitters (chafa's among them) do. */
static char dec[256][5];
static unsigned char declen[256];

static void
dec_init(void)
{
	int i;

	for (i = 0; i < 256; i++)
		declen[i] = (unsigned char)snprintf(dec[i], sizeof dec[i], "%d",
		    i);
}

static char *
put_rgb(char *p, int32_t rgb)
{
	int k;

	for (k = 16; k >= 0; k -= 8) {
		int v = (rgb >> k) & 0xff;

		memcpy(p, dec[v], declen[v]);
		p += declen[v];
		*p++ = k ? ';' : 'm';
	}
	return p;
}

/*
 * The cells as a terminal receives them, row by row: an SGR only where the
 * colours change (38;2 for the top pixel, 48;2 for the bottom; a missing
 * bottom row resets the background), U+2580, and a reset and newline at
 * the end of each row.  Returns the length written into out, which holds
 * at least cols * rows * 44 + rows * 5 bytes.
 */
static size_t
emit_cells(const struct cells *c, char *out)
{
	char *p = out;
	int r, k;

	for (r = 0; r < c->rows; r++) {
		int32_t fg = -2, bg = -2;

		for (k = 0; k < c->cols; k++) {
			size_t i = (size_t)r * (size_t)c->cols + (size_t)k;

			if (c->fg[i] != fg) {
				fg = c->fg[i];
				memcpy(p, "\033[38;2;", 7);
				p = put_rgb(p + 7, fg);
			}
			if (c->bg[i] != bg) {
				bg = c->bg[i];
				if (bg < 0) {
					memcpy(p, "\033[49m", 5);
					p += 5;
				} else {
					memcpy(p, "\033[48;2;", 7);
					p = put_rgb(p + 7, bg);
				}
			}
			memcpy(p, "\342\226\200", 3);	/* U+2580 */
			p += 3;
		}
		memcpy(p, "\033[0m\n", 5);
		p += 5;
	}
	return (size_t)(p - out);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of n values (sorts v). */
static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	long long cols, rows, n;
	double *t[PH_N], med[PH_N], mins[PH_N];
	size_t out_bytes = 0;
	int run, ph, fd, cw = 0, chh = 0, iw = 0, ih = 0;

	if (argc != 5 || acc_parse_int(argv[2], 1, CELLS_MAX_SIDE, &cols) ||
	    acc_parse_int(argv[3], 1, CELLS_MAX_SIDE, &rows) ||
	    acc_parse_int(argv[4], 1, 100000, &n)) {
		fprintf(stderr, "usage: render FILE COLS ROWS N\n");
		return 2;
	}
	if ((fd = open("/dev/null", O_WRONLY)) < 0) {
		perror("/dev/null");
		return 1;
	}
	dec_init();
	for (ph = 0; ph < PH_N; ph++)
		t[ph] = xcalloc((size_t)n, sizeof *t[ph]);

	for (run = 0; run < n; run++) {
		struct image img = { 0 }, scaled = { 0 };
		struct cells cells = { 0 };
		unsigned char *data = NULL;
		char sha[65], *cause = NULL, *out;
		size_t len, m;
		double t0, t1, sha_t;
		int w, h;

		t0 = acc_monotonic();
		if (acc_read_file(argv[1], MEDIA_MAX_FILE_BYTES, &data, &len,
		    &cause) != 0) {
			fprintf(stderr, "render: %s: %s\n", argv[1], cause);
			return 1;
		}
		t1 = acc_monotonic();
		t[PH_READ][run] = t1 - t0;

		/* Timed apart and taken out of the total (see above). */
		acc_sha256_hex(data, len, sha);
		sha_t = acc_monotonic() - t1;
		t[PH_SHA][run] = sha_t;
		t1 += sha_t;
		t0 += sha_t;

		if (image_decode(data, len, &img, &cause) != 0) {
			fprintf(stderr, "render: %s: %s\n", argv[1], cause);
			return 1;
		}
		free(data);
		t[PH_DECODE][run] = acc_monotonic() - t1;
		t1 = acc_monotonic();

		/* The fit a large image gets (a photo larger than the pane: the
		 * area-averaging path; smaller images are enlarged by the screen,
		 * which this benchmark does not measure). */
		draw_fit(img.width, img.height, (int)cols, (int)rows, &w, &h);
		if (w > img.width)
			w = img.width;
		if (h > img.height)
			h = img.height;
		if (image_scale_box(&img, w, h, &scaled, &cause) != 0) {
			fprintf(stderr, "render: %s: %s\n", argv[1], cause);
			return 1;
		}
		t[PH_SCALE][run] = acc_monotonic() - t1;
		t1 = acc_monotonic();

		if (cells_from_image(&scaled, TERM_DEPTH_TRUE, &cells,
		    &cause) != 0) {
			fprintf(stderr, "render: %s: %s\n", argv[1], cause);
			return 1;
		}
		t[PH_CELLS][run] = acc_monotonic() - t1;
		t1 = acc_monotonic();

		out = xmalloc((size_t)cells.cols * (size_t)cells.rows * 44 +
		    (size_t)cells.rows * 5);
		m = emit_cells(&cells, out);
		if (write(fd, out, m) != (ssize_t)m) {
			perror("render: /dev/null");
			return 1;
		}
		free(out);
		t[PH_OUTPUT][run] = acc_monotonic() - t1;

		iw = img.width;
		ih = img.height;
		cw = cells.cols;
		chh = cells.rows;
		out_bytes = m;
		image_free(&img);
		image_free(&scaled);
		cells_free(&cells);
		t[PH_TOTAL][run] = acc_monotonic() - t0;
	}

	printf("render %s: %dx%d px -> %dx%d cells (pane %lldx%lld), "
	    "%zu bytes of output, %lld runs\n", argv[1], iw, ih, cw, chh, cols,
	    rows, out_bytes, n);
	printf("  %-8s %10s %10s\n", "phase", "median ms", "min ms");
	for (ph = 0; ph < PH_N; ph++) {
		med[ph] = median(t[ph], (int)n) * 1000;
		mins[ph] = t[ph][0] * 1000;	/* sorted by median() */
		printf("  %-8s %10.2f %10.2f%s\n", ph_name[ph], med[ph],
		    mins[ph], ph == PH_SHA ? "   (not in total)" : "");
	}
	printf("render total_ms=%.3f read_ms=%.3f decode_ms=%.3f scale_ms=%.3f "
	    "cells_ms=%.3f output_ms=%.3f sha_ms=%.3f out_bytes=%zu "
	    "cells=%dx%d\n", med[PH_TOTAL], med[PH_READ], med[PH_DECODE],
	    med[PH_SCALE], med[PH_CELLS], med[PH_OUTPUT], med[PH_SHA],
	    out_bytes, cw, chh);
	for (ph = 0; ph < PH_N; ph++)
		free(t[ph]);
	close(fd);
	return 0;
}
