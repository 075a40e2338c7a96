/*
 * image.c: PNG (libpng) and JPEG (libjpeg-turbo) decoding to 8-bit RGB from
 * memory, resampling (area-averaging down, nearest neighbour up, and the
 * views of the label screen), and the image metrics of media.h.
 *
 * Both libraries report errors by longjmp.  Each decode keeps everything it
 * must free in a struct owned by the caller of the function that calls
 * setjmp, and that function only returns -1 after a longjmp, so no local
 * variable's value is needed once the jump has happened (C11 7.13.2.1p3).
 */
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <jpeglib.h>
#include <jerror.h>

#include "accord/media.h"
#include "accord/util.h"

/*
 * A progressive JPEG may hold any number of scans, and each scan makes the
 * decoder walk the whole coefficient buffer, so a small file can cost
 * minutes.  Real encoders write about ten; libjpeg-turbo's djpeg -maxscans
 * and TurboJPEG's TJPARAM_SCANLIMIT exist for this reason.
 */
#define JPEG_MAX_SCANS 500

/* What a header says about the source, for media_info. */
struct image_hdr {
	int depth;
	int channels;
};

/* Refuse an image from its header, before the pixel buffer is allocated. */
static int
image_check_size(unsigned long w, unsigned long h, char **cause)
{
	if (w == 0 || h == 0)
		return acc_error(cause, "image is %lux%lu, which has no pixels",
		    w, h);
	if ((uint64_t)w * h > MEDIA_MAX_PIXELS) {
		return acc_error(cause, "image is %lux%lu, over the %llu-pixel "
		    "limit", w, h, (unsigned long long)MEDIA_MAX_PIXELS);
	}
	if (w > MEDIA_MAX_SIDE || h > MEDIA_MAX_SIDE) {
		return acc_error(cause, "image is %lux%lu, over the %d-pixel "
		    "side limit", w, h, MEDIA_MAX_SIDE);
	}
	return 0;
}

/* PNG ---------------------------------------------------------------- */

struct png_dec {
	const unsigned char *data;
	size_t len, pos;
	int truncated;
	char msg[256];		/* libpng's error message */
	char *cause;		/* our own message, when not libpng's */
	png_structp png;
	png_infop info;
	png_bytep *rows;
	struct image *out;
	struct image_hdr *hdr;
};

static void
png_read_mem(png_structp png, png_bytep out, size_t n)
{
	struct png_dec *d = png_get_io_ptr(png);

	if (n > d->len - d->pos) {
		d->truncated = 1;
		png_error(png, "truncated PNG data");
	}
	memcpy(out, d->data + d->pos, n);
	d->pos += n;
}

static void
png_on_error(png_structp png, png_const_charp msg)
{
	struct png_dec *d = png_get_error_ptr(png);

	snprintf(d->msg, sizeof d->msg, "%s", msg);
	png_longjmp(png, 1);
}

/*
 * Most warnings are about ancillary chunks (a bad CRC on a text chunk, an
 * incorrect sRGB profile) that libpng then ignores; the pixels are intact.
 * But once every row is decoded, libpng downgrades zlib's complaints about
 * the rest of the image data to warnings ("benign errors", pngrutil.c
 * png_read_IDAT_data), among them "incorrect data check": the Adler-32 of
 * the pixel data does not match, so some of it is damaged.  Those fail the
 * decode; data merely left over after the image does not.  The default
 * handler would print on stderr.
 */
static void
png_on_warning(png_structp png, png_const_charp msg)
{
	if (strncmp(msg, "IDAT: ", 6) == 0 &&
	    strstr(msg, "Extra compressed data") == NULL &&
	    strstr(msg, "Too much image data") == NULL)
		png_on_error(png, msg);
}

/*
 * A decoder's result for its caller: 0 when rc is.  On failure frees out
 * and returns -1 with *cause: the decoder's own message (own, taken) if it
 * made one, else "truncated FMT data" or the library's message (lib).
 */
static int
decode_result(int rc, struct image *out, char *own, int truncated,
    const char *fmt, const char *lib, char **cause)
{
	if (rc == 0)
		return 0;
	image_free(out);
	if (own != NULL) {
		if (cause != NULL)
			*cause = own;
		else
			free(own);
		return -1;
	}
	if (truncated)
		return acc_error(cause, "truncated %s data", fmt);
	return acc_error(cause, "cannot decode %s: %s", fmt, lib);
}

/* What the file stores, before conversion: channels and bit depth. */
static void
png_header_info(struct png_dec *d, int ctype, int depth)
{
	switch (ctype) {
	case PNG_COLOR_TYPE_GRAY:
		d->hdr->channels = 1;
		break;
	case PNG_COLOR_TYPE_GRAY_ALPHA:
		d->hdr->channels = 2;
		break;
	case PNG_COLOR_TYPE_RGB_ALPHA:
		d->hdr->channels = 4;
		break;
	default:	/* RGB, palette */
		d->hdr->channels = 3;
		break;
	}
	/* tRNS gives an image without an alpha channel transparency. */
	if (png_get_valid(d->png, d->info, PNG_INFO_tRNS))
		d->hdr->channels++;
	/* A palette's entries are 8-bit whatever the index width. */
	d->hdr->depth = ctype == PNG_COLOR_TYPE_PALETTE ? 8 : depth;
}

/*
 * To RGB8, keeping stored values: no gamma or background handling
 * (media.h: "colour channels kept as stored").  scale_16 rounds
 * (v * 255 / 65535), as ImageMagick's ScaleQuantumToChar does, where
 * strip_16 would truncate and darken by half a step on average.
 */
static void
png_to_rgb8(struct png_dec *d, int ctype, int depth)
{
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(d->png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(d->png);
	if (depth == 16)
		png_set_scale_16(d->png);
	if (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(d->png);
	/* Also drops the alpha palette_to_rgb makes of a palette's tRNS. */
	png_set_strip_alpha(d->png);
	(void)png_set_interlace_handling(d->png);
	png_read_update_info(d->png, d->info);
}

/* Every row into d->out, then the rest of the file through IEND. */
static void
png_read_pixels(struct png_dec *d, png_uint_32 w, png_uint_32 h)
{
	size_t stride = (size_t)w * 3;
	png_uint_32 y;

	d->out->rgb = xmalloc(stride * h);
	d->out->width = (int)w;
	d->out->height = (int)h;
	d->rows = xcalloc(h, sizeof *d->rows);
	for (y = 0; y < h; y++)
		d->rows[y] = d->out->rgb + (size_t)y * stride;
	png_read_image(d->png, d->rows);
	/*
	 * Read through IEND so that a file cut after its last IDAT, or with a
	 * damaged chunk after it, fails now rather than passing as complete.
	 */
	png_read_end(d->png, NULL);
}

/*
 * libpng's errors longjmp to the setjmp here, out of any step below; the
 * steps keep what they allocate in d, which png_decode frees.
 */
static int
png_decode_inner(struct png_dec *d)
{
	png_uint_32 w, h;
	int depth, ctype, interlace;

	if (setjmp(png_jmpbuf(d->png)))
		return -1;
	png_set_read_fn(d->png, d, png_read_mem);
	/*
	 * libpng's own side limit (1,000,000) would refuse some images with
	 * its own wording; lift it so image_check_size() says why, in the
	 * words media.h promises.
	 */
	png_set_user_limits(d->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
	png_read_info(d->png, d->info);
	png_get_IHDR(d->png, d->info, &w, &h, &depth, &ctype, &interlace,
	    NULL, NULL);
	if (image_check_size(w, h, &d->cause) != 0)
		return -1;
	/*
	 * Deflate cannot compress better than 1032:1 (a 258-byte match in
	 * at most two bits, RFC 1951 section 3.2.5), so a file too short to
	 * hold the pixels its header claims is truncated whatever follows:
	 * refuse it before allocating for them.  Found by fuzzing: a 100-byte
	 * file claiming 8192x8192 made every probe allocate 192 MB.
	 */
	if ((uint64_t)w * h * (uint64_t)depth *
	    png_get_channels(d->png, d->info) / 8 / 1032 > d->len) {
		d->truncated = 1;
		return -1;
	}
	if (d->hdr != NULL)
		png_header_info(d, ctype, depth);
	png_to_rgb8(d, ctype, depth);
	if (png_get_channels(d->png, d->info) != 3 ||
	    png_get_bit_depth(d->png, d->info) != 8 ||
	    png_get_rowbytes(d->png, d->info) != (size_t)w * 3) {
		d->cause = xasprintf("unsupported PNG layout (colour type %d, "
		    "depth %d)", ctype, depth);
		return -1;
	}
	png_read_pixels(d, w, h);
	return 0;
}

static int
png_decode(const unsigned char *data, size_t len, struct image *out,
    struct image_hdr *hdr, char **cause)
{
	struct png_dec d = { .data = data, .len = len, .out = out,
	    .hdr = hdr };
	int rc;

	d.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d, png_on_error,
	    png_on_warning);
	if (d.png == NULL)
		acc_fatal("libpng: cannot create a read struct");
	d.info = png_create_info_struct(d.png);
	if (d.info == NULL)
		acc_fatal("libpng: cannot create an info struct");

	rc = png_decode_inner(&d);

	png_destroy_read_struct(&d.png, &d.info, NULL);
	free(d.rows);
	return decode_result(rc, out, d.cause, d.truncated, "PNG", d.msg,
	    cause);
}

/* JPEG --------------------------------------------------------------- */

struct jpeg_err {
	struct jpeg_error_mgr pub;	/* first: libjpeg casts to this */
	jmp_buf jump;
	int code;			/* libjpeg's message code */
	char msg[JMSG_LENGTH_MAX];
};

struct jpeg_dec {
	struct jpeg_decompress_struct ci;
	struct jpeg_err err;
	struct jpeg_progress_mgr progress;
	const unsigned char *data;
	size_t len;
	char *cause;		/* our own message, when not libjpeg's */
	unsigned char *cmyk;	/* one row, for CMYK and YCCK sources */
	struct image *out;
	struct image_hdr *hdr;
};

static void
jpeg_on_error(j_common_ptr c)
{
	struct jpeg_err *e = (struct jpeg_err *)c->err;

	e->code = c->err->msg_code;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jump, 1);
}

/*
 * libjpeg reports damaged data as warnings and goes on, filling the rest
 * with grey: "Premature end of JPEG file" for a truncated one, "Corrupt
 * JPEG data: ..." for bad entropy-coded data.  An import must refuse those
 * files, so every warning is an error except three that concern metadata
 * only, after which the pixels are what the encoder wrote.  Trace messages
 * (level >= 0) are ignored.
 */
static void
jpeg_on_message(j_common_ptr c, int level)
{
	int code = c->err->msg_code;

	if (level >= 0)
		return;
	if (code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM ||
	    code == JWRN_BOGUS_ICC) {
		c->err->num_warnings++;
		return;
	}
	jpeg_on_error(c);
}

/* The default prints on stderr; core never does. */
static void
jpeg_on_output(j_common_ptr c)
{
	(void)c;
}

static void
jpeg_on_progress(j_common_ptr c)
{
	j_decompress_ptr ci = (j_decompress_ptr)c;
	struct jpeg_err *e = (struct jpeg_err *)c->err;

	if (c->is_decompressor && ci->input_scan_number > JPEG_MAX_SCANS) {
		e->code = -1;
		snprintf(e->msg, sizeof e->msg, "more than %d progressive "
		    "scans", JPEG_MAX_SCANS);
		longjmp(e->jump, 1);
	}
}

/*
 * CMYK to RGB, R = 255 (1 - C)(1 - K) and likewise for G, B: the naive
 * conversion without a colour profile that libjpeg-turbo's TurboJPEG and
 * ImageMagick without a profile also use.  Adobe's encoders (the files
 * with an Adobe APP14 marker, which is nearly all CMYK JPEGs) store the
 * channels inverted, 255 meaning no ink (libjpeg's libjpeg.txt, "Special
 * color spaces").
 */
static void
jpeg_cmyk_row(const unsigned char *in, unsigned char *out, size_t w,
    int inverted)
{
	size_t x;
	unsigned c, m, yy, k;

	for (x = 0; x < w; x++, in += 4, out += 3) {
		c = in[0];
		m = in[1];
		yy = in[2];
		k = in[3];
		if (!inverted) {
			c = 255 - c;
			m = 255 - m;
			yy = 255 - yy;
			k = 255 - k;
		}
		out[0] = (unsigned char)((c * k + 127) / 255);
		out[1] = (unsigned char)((m * k + 127) / 255);
		out[2] = (unsigned char)((yy * k + 127) / 255);
	}
}

static int
jpeg_decode_inner(struct jpeg_dec *d)
{
	struct jpeg_decompress_struct *ci = &d->ci;
	size_t stride;
	JDIMENSION cap;
	int cmyk;
	JSAMPROW row;

	if (setjmp(d->err.jump))
		return -1;
	jpeg_create_decompress(ci);
	d->progress.progress_monitor = jpeg_on_progress;
	ci->progress = &d->progress;
	jpeg_mem_src(ci, d->data, (unsigned long)d->len);
	(void)jpeg_read_header(ci, TRUE);
	if (image_check_size(ci->image_width, ci->image_height,
	    &d->cause) != 0)
		return -1;
	if (d->hdr != NULL) {
		d->hdr->depth = ci->data_precision;
		/* CMYK and YCCK are colour without alpha: 3, as media.h counts. */
		d->hdr->channels = ci->num_components == 1 ? 1 : 3;
	}
	cmyk = ci->jpeg_color_space == JCS_CMYK ||
	    ci->jpeg_color_space == JCS_YCCK;
	/* libjpeg-turbo converts grey to RGB itself (jdcolor.c). */
	ci->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
	(void)jpeg_start_decompress(ci);
	if (ci->output_width != ci->image_width ||
	    ci->output_height != ci->image_height ||
	    ci->output_components != (cmyk ? 4 : 3)) {
		d->cause = xasprintf("unsupported JPEG layout (%d components)",
		    ci->num_components);
		return -1;
	}
	stride = (size_t)ci->output_width * 3;
	/*
	 * Rows are allocated as they are decoded, doubling: a small file whose
	 * header claims a large image (found by fuzzing: 185 bytes claiming
	 * 8192x8192) then fails at the end of its data after a few rows, not
	 * after allocating the 192 MB it claimed.  (Arithmetic coding can
	 * compress almost without bound, so no size check can refuse such a
	 * file up front as PNG's does.)  glibc grows large blocks with mremap,
	 * so the doubling copies nothing.
	 */
	cap = ci->output_height < 64 ? ci->output_height : 64;
	d->out->rgb = xreallocarray(NULL, cap, stride);
	d->out->width = (int)ci->output_width;
	d->out->height = (int)ci->output_height;
	if (cmyk)
		d->cmyk = xmalloc((size_t)ci->output_width * 4);
	while (ci->output_scanline < ci->output_height) {
		unsigned char *dst;

		if (ci->output_scanline == cap) {
			cap = cap > ci->output_height / 2 ? ci->output_height :
			    cap * 2;
			d->out->rgb = xreallocarray(d->out->rgb, cap, stride);
		}
		dst = d->out->rgb + (size_t)ci->output_scanline * stride;

		row = cmyk ? d->cmyk : dst;
		if (jpeg_read_scanlines(ci, &row, 1) != 1)
			break;	/* not with a memory source; be safe */
		if (cmyk)
			jpeg_cmyk_row(d->cmyk, dst, ci->output_width,
			    ci->saw_Adobe_marker);
	}
	if (ci->output_scanline < ci->output_height) {
		d->cause = xstrdup("truncated JPEG data");
		return -1;
	}
	/* Reads to EOI, so a file cut after its last scan still fails. */
	(void)jpeg_finish_decompress(ci);
	return 0;
}

static int
jpeg_decode(const unsigned char *data, size_t len, struct image *out,
    struct image_hdr *hdr, char **cause)
{
	struct jpeg_dec d = { .data = data, .len = len, .out = out,
	    .hdr = hdr };
	int rc;

	d.ci.err = jpeg_std_error(&d.err.pub);
	d.err.pub.error_exit = jpeg_on_error;
	d.err.pub.emit_message = jpeg_on_message;
	d.err.pub.output_message = jpeg_on_output;

	rc = jpeg_decode_inner(&d);

	/* Safe on a struct jpeg_create_decompress never finished: mem NULL. */
	jpeg_destroy_decompress(&d.ci);
	free(d.cmyk);
	return decode_result(rc, out, d.cause, d.err.code == JWRN_JPEG_EOF,
	    "JPEG", d.err.msg, cause);
}

/* Public -------------------------------------------------------------- */

static int
image_decode_hdr(const unsigned char *data, size_t len, enum media_format fmt,
    struct image *out, struct image_hdr *hdr, char **cause)
{
	memset(out, 0, sizeof *out);
	if (len == 0)
		return acc_error(cause, "zero-byte file");
	if (fmt == MEDIA_FMT_PNG)
		return png_decode(data, len, out, hdr, cause);
	if (fmt == MEDIA_FMT_JPEG)
		return jpeg_decode(data, len, out, hdr, cause);
	return acc_error(cause, "not a PNG or JPEG image");
}

int
image_decode(const unsigned char *data, size_t len, struct image *out,
    char **cause)
{
	return image_decode_hdr(data, len, media_sniff(data, len), out, NULL,
	    cause);
}

void
image_free(struct image *img)
{
	if (img == NULL)
		return;
	free(img->rgb);
	img->rgb = NULL;
	img->width = img->height = 0;
}

/*
 * Resampling, one axis at a time, as sums of weighted source pixels.
 *
 * Area averaging (box filter): destination pixel dx covers source columns
 * [dx sw / w, (dx + 1) sw / w) of a run of sw source columns.  Measured in
 * units of 1/w source pixel that interval is [dx sw, (dx + 1) sw) and
 * source column sx is [sx w, (sx + 1) w), so every overlap is an integer
 * and each destination pixel's weights sum to sw (and sh vertically).
 * Sums stay in integers and are rounded once, so the result is the exact
 * area average rounded to nearest, whatever the ratio, and an integer
 * ratio gives the plain block mean.
 *
 * Nearest neighbour (enlarging): each destination pixel takes one source
 * pixel with weight 1, so pixels stay sharp squares.  Both are the same
 * separable sum below, divided by the product of the axes' totals.
 */
struct box_axis {
	int *first;		/* [dst]: first source index it covers */
	int *count;		/* [dst]: how many source indices */
	size_t *offset;		/* [dst]: where its weights start in weight */
	uint32_t *weight;	/* all the overlaps, dst by dst */
	uint32_t total;		/* each destination's weights' sum */
};

static void
axis_alloc(struct box_axis *a, int dst, size_t nweights)
{
	a->first = xcalloc((size_t)dst, sizeof *a->first);
	a->count = xcalloc((size_t)dst, sizeof *a->count);
	a->offset = xcalloc((size_t)dst, sizeof *a->offset);
	a->weight = xcalloc(nweights, sizeof *a->weight);
}

/* Area averaging of source indices [at, at + src) onto dst. */
static void
box_axis_make(struct box_axis *a, int at, int src, int dst)
{
	int d, s, s0, s1;
	size_t n = 0;
	uint64_t lo, hi, slo, shi;

	/* Overlaps number at most src + dst - 1: each boundary adds one. */
	axis_alloc(a, dst, (size_t)src + 2 * (size_t)dst);
	a->total = (uint32_t)src;
	for (d = 0; d < dst; d++) {
		lo = (uint64_t)d * (uint64_t)src;
		hi = lo + (uint64_t)src;
		s0 = (int)(lo / (uint64_t)dst);
		s1 = (int)((hi - 1) / (uint64_t)dst);
		a->first[d] = at + s0;
		a->count[d] = s1 - s0 + 1;
		a->offset[d] = n;
		for (s = s0; s <= s1; s++) {
			slo = (uint64_t)s * (uint64_t)dst;
			shi = slo + (uint64_t)dst;
			a->weight[n++] = (uint32_t)((shi < hi ? shi : hi) -
			    (slo > lo ? slo : lo));
		}
	}
}

/*
 * Nearest neighbour: destination d shows source floor((off + d + 0.5) /
 * scale), where off is where the destination starts in the whole source
 * enlarged by scale; clamped to [0, n).
 */
static void
nn_axis_make(struct box_axis *a, int n, double scale, long off, int dst)
{
	int d;
	long sx;

	axis_alloc(a, dst, (size_t)dst);
	a->total = 1;
	for (d = 0; d < dst; d++) {
		sx = (long)floor(((double)off + d + 0.5) / scale);
		a->first[d] = sx < 0 ? 0 : sx >= n ? n - 1 : (int)sx;
		a->count[d] = 1;
		a->offset[d] = (size_t)d;
		a->weight[d] = 1;
	}
}

static void
box_axis_free(struct box_axis *a)
{
	free(a->first);
	free(a->count);
	free(a->weight);
	free(a->offset);
}

/* One source row filtered horizontally: 3 sums per destination column. */
static void
box_row(const struct image *src, int sy, const struct box_axis *ax, int w,
    uint32_t *out)
{
	const unsigned char *row = src->rgb + (size_t)sy * src->width * 3;
	const unsigned char *p;
	const uint32_t *wt;
	uint32_t r, g, b;
	int dx, i;

	for (dx = 0; dx < w; dx++) {
		p = row + (size_t)ax->first[dx] * 3;
		wt = ax->weight + ax->offset[dx];
		r = g = b = 0;
		for (i = 0; i < ax->count[dx]; i++, p += 3) {
			r += p[0] * wt[i];
			g += p[1] * wt[i];
			b += p[2] * wt[i];
		}
		out[dx * 3] = r;
		out[dx * 3 + 1] = g;
		out[dx * 3 + 2] = b;
	}
}

/* src resampled by the two axes into w x h (dst allocated here). */
static void
scale_axes(const struct image *src, const struct box_axis *ax,
    const struct box_axis *ay, int w, int h, struct image *dst)
{
	uint32_t *hrow;
	uint64_t *acc, area;
	int dy, i, sy, cached = -1;
	size_t n, k;

	n = (size_t)w * 3;
	hrow = xcalloc(n, sizeof *hrow);
	acc = xcalloc(n, sizeof *acc);
	dst->rgb = xmalloc(n * (size_t)h);
	dst->width = w;
	dst->height = h;
	area = (uint64_t)ax->total * (uint64_t)ay->total;

	for (dy = 0; dy < h; dy++) {
		memset(acc, 0, n * sizeof *acc);
		for (i = 0; i < ay->count[dy]; i++) {
			uint64_t wy = ay->weight[ay->offset[dy] + (size_t)i];

			sy = ay->first[dy] + i;
			/* A row straddling two outputs is filtered once. */
			if (sy != cached) {
				box_row(src, sy, ax, w, hrow);
				cached = sy;
			}
			for (k = 0; k < n; k++)
				acc[k] += hrow[k] * wy;
		}
		for (k = 0; k < n; k++)
			dst->rgb[(size_t)dy * n + k] =
			    (unsigned char)((acc[k] + area / 2) / area);
	}
	free(hrow);
	free(acc);
}

/*
 * A horizontal sum is at most 255 * width, well inside 32 bits for any
 * side up to 2^24; the 2-D sum needs 64.
 */
#define SCALE_MAX_SIDE (1 << 24)

int
image_scale_box(const struct image *src, int w, int h, struct image *dst,
    char **cause)
{
	struct box_axis ax, ay;

	memset(dst, 0, sizeof *dst);
	if (src == NULL || src->rgb == NULL || src->width < 1 ||
	    src->height < 1)
		return acc_error(cause, "no image to scale");
	if (w < 1 || h < 1 || w > src->width || h > src->height) {
		return acc_error(cause, "cannot box-scale %dx%d to %dx%d",
		    src->width, src->height, w, h);
	}
	if (src->width > SCALE_MAX_SIDE || src->height > SCALE_MAX_SIDE)
		return acc_error(cause, "image too large to scale");
	box_axis_make(&ax, 0, src->width, w);
	box_axis_make(&ay, 0, src->height, h);
	scale_axes(src, &ax, &ay, w, h, dst);
	box_axis_free(&ax);
	box_axis_free(&ay);
	return 0;
}

/*
 * One axis of a view: n source pixels shown as o destination pixels at
 * scale s (destination pixels per source pixel) around centre c (a
 * fraction of n).  Sets the axis map and the source run it shows.
 */
static void
view_axis(int n, int o, double s, double c, struct box_axis *a, int *first,
    int *len)
{
	double span, x0;
	long off, end;

	span = o / s;		/* source pixels shown */
	if (span > n)
		span = n;
	x0 = c * n - span / 2;
	if (x0 > n - span)
		x0 = n - span;
	if (x0 < 0)
		x0 = 0;
	if (s >= 1) {
		/*
		 * Enlarging: start on a whole source pixel, so at an integer
		 * scale every source pixel is exactly s destination pixels
		 * wherever the view is (only against the far edge may the
		 * first be cut).
		 */
		end = (long)floor(n * s + 1e-9) - o;
		off = (long)floor(floor(x0 + 0.5) * s + 1e-9);
		if (off > end)
			off = end;
		if (off < 0)
			off = 0;
		nn_axis_make(a, n, s, off, o);
		*first = a->first[0];
		*len = a->first[o - 1] - a->first[0] + 1;
		return;
	}
	*first = (int)floor(x0 + 0.5);
	*len = (int)floor(span + 0.5);
	if (*len < o)
		*len = o;	/* never enlarge by area: at least o pixels */
	if (*len > n)
		*len = n;
	if (*first > n - *len)
		*first = n - *len;
	box_axis_make(a, *first, *len, o);
}

/*
 * src halved: each pixel the rounded mean of a 2 x 2 block (a side of 1
 * stays 1, its pixel counted twice; an odd side's last pixel is left
 * out, within a pixel of the area average).  Four times faster than the
 * general box filter, which weighs every pair.
 */
static void
halve(const struct image *src, struct image *dst)
{
	int w = src->width > 1 ? src->width / 2 : 1;
	int h = src->height > 1 ? src->height / 2 : 1;
	/* Offsets of the block's right and lower pixels (0 for a side
	 * of 1: the same pixel again). */
	size_t dx = src->width > 1 ? 3 : 0;
	size_t dy = src->height > 1 ? (size_t)src->width * 3 : 0;
	int x, y;

	dst->width = w;
	dst->height = h;
	dst->rgb = xreallocarray(NULL, (size_t)w * (size_t)h, 3);
	for (y = 0; y < h; y++) {
		const unsigned char *p = src->rgb + (size_t)2 * y *
		    src->width * 3;
		unsigned char *o = dst->rgb + (size_t)y * w * 3;

		for (x = 0; x < w; x++, p += 2 * dx, o += 3) {
			o[0] = (unsigned char)((p[0] + p[dx] + p[dy] +
			    p[dy + dx] + 2) >> 2);
			o[1] = (unsigned char)((p[1] + p[dx + 1] + p[dy + 1] +
			    p[dy + dx + 1] + 2) >> 2);
			o[2] = (unsigned char)((p[2] + p[dx + 2] + p[dy + 2] +
			    p[dy + dx + 2] + 2) >> 2);
		}
	}
}

void
image_pyramid_make(const struct image *src, struct image_pyramid *pyr)
{
	const struct image *prev = src;
	int k;

	memset(pyr, 0, sizeof *pyr);
	/* Halvings while a side is at least IMAGE_PYRAMID_SIDE. */
	for (k = 0; k < IMAGE_PYRAMID_MAX; k++) {
		if (prev->width / 2 < IMAGE_PYRAMID_SIDE &&
		    prev->height / 2 < IMAGE_PYRAMID_SIDE)
			break;
		halve(prev, &pyr->half[k]);
		prev = &pyr->half[k];
		pyr->n = k + 1;
	}
}

void
image_pyramid_free(struct image_pyramid *pyr)
{
	int k;

	for (k = 0; k < pyr->n; k++)
		image_free(&pyr->half[k]);
	memset(pyr, 0, sizeof *pyr);
}

/* From the run [first, first + len) of ln pixels back to n: the source
 * pixels it covers. */
static void
region_back(int n, int ln, int first, int len, int *x, int *w)
{
	int64_t a = (int64_t)first * n / ln;
	int64_t b = ((int64_t)(first + len) * n + ln - 1) / ln;

	*x = (int)a;
	*w = (int)(b > n ? n - a : b - a);
}

int
image_view_scale(const struct image *src, const struct image_pyramid *pyr,
    const struct image_view *v, int bw, int bh, struct image *dst,
    struct image_region *reg, char **cause)
{
	const struct image *from = src;
	struct box_axis ax, ay;
	double s = v->scale, sx, sy, cx = v->cx, cy = v->cy;
	int w, h, k;

	memset(dst, 0, sizeof *dst);
	memset(reg, 0, sizeof *reg);
	if (src == NULL || src->rgb == NULL || src->width < 1 ||
	    src->height < 1)
		return acc_error(cause, "no image to scale");
	if (bw < 1 || bh < 1)
		return acc_error(cause, "no room to draw in (%dx%d)", bw, bh);
	if (src->width > SCALE_MAX_SIDE || src->height > SCALE_MAX_SIDE)
		return acc_error(cause, "image too large to scale");
	if (!(s <= 0 || (s >= IMAGE_ZOOM_MIN && s <= IMAGE_ZOOM_MAX)))
		return acc_error(cause, "zoom %g is out of range", s);
	if (s <= 0) {
		image_fit(src->width, src->height, bw, bh, &w, &h);
		s = image_fit_scale(src->width, src->height, bw, bh);
	} else {
		double ww = floor(src->width * s + 0.5);
		double hh = floor(src->height * s + 0.5);

		w = ww < 1 ? 1 : ww > bw ? bw : (int)ww;
		h = hh < 1 ? 1 : hh > bh ? bh : (int)hh;
	}
	/*
	 * Shrinking, the smallest halving still at least s times the
	 * source: each output pixel then averages fewer than 2 x 2 of its
	 * pixels, and a large image costs about what the pane holds.
	 */
	for (k = 0; pyr != NULL && k < pyr->n; k++)
		if (pyr->half[k].width >= s * src->width &&
		    pyr->half[k].height >= s * src->height)
			from = &pyr->half[k];
	/*
	 * Per axis, the scale from `from` that gives w (h) pixels for what
	 * the view shows of the source: fitted, all of it; else w / s
	 * source pixels.
	 */
	if (v->scale <= 0) {
		cx = cy = 0.5;
		sx = (double)w / from->width;
		sy = (double)h / from->height;
	} else {
		sx = s * src->width / from->width;
		sy = s * src->height / from->height;
	}
	view_axis(from->width, w, sx, cx, &ax, &reg->x, &reg->w);
	view_axis(from->height, h, sy, cy, &ay, &reg->y, &reg->h);
	scale_axes(from, &ax, &ay, w, h, dst);
	box_axis_free(&ax);
	box_axis_free(&ay);
	if (from != src) {
		region_back(src->width, from->width, reg->x, reg->w, &reg->x,
		    &reg->w);
		region_back(src->height, from->height, reg->y, reg->h,
		    &reg->y, &reg->h);
	}
	return 0;
}

void
image_fit(int iw, int ih, int bw, int bh, int *w, int *h)
{
	int64_t fw, fh;

	if (iw < 1 || ih < 1 || bw < 1 || bh < 1) {
		*w = *h = 1;
		return;
	}
	/*
	 * Width-limited when iw / ih >= bw / bh.  The other side is rounded
	 * to nearest; it cannot round past the box, because the exact value
	 * is at most the (integer) box side.
	 */
	if ((int64_t)iw * bh >= (int64_t)ih * bw) {
		fw = bw;
		fh = ((int64_t)ih * bw * 2 + iw) / (2 * (int64_t)iw);
	} else {
		fh = bh;
		fw = ((int64_t)iw * bh * 2 + ih) / (2 * (int64_t)ih);
	}
	*w = fw < 1 ? 1 : (int)fw;
	*h = fh < 1 ? 1 : (int)fh;
}

/*
 * The metrics of media.h in one pass over the image.
 *
 * Luma is kept as the exact integer L = 299 R + 587 G + 114 B (ITU-R
 * BT.601 weights; Y = L / 1000 on the 0..255 scale), so sums are exact:
 * a constant image gives contrast and sharpness of exactly 0 rather than
 * rounding noise.  For the variance of L the values are shifted by the
 * first pixel's (the "shifted data" algorithm, Chan, Golub and LeVeque,
 * "Algorithms for computing the sample variance", 1983), and
 * sum (L - K)^2 <= 2^26 * 255000^2 < 2^63 fits in 64 bits.
 *
 * Sharpness is the variance of the Laplacian (Pech-Pacheco et al.,
 * "Diatom autofocusing in brightfield microscopy", ICPR 2000) with the
 * 4-neighbour kernel over the interior pixels; images under 3x3 have none
 * and get 0.  A Laplacian of L is at most 4 * 255000, its square 2^40, and
 * a row's sum of squares fits 64 bits; rows are added up in a double.
 * Three rows of L are kept, so memory stays small.
 */
static void
image_metrics(const struct image *img, struct media_info *info)
{
	size_t w = (size_t)img->width, h = (size_t)img->height, x, y;
	int32_t *ring, *cur, *up, *mid, *dn;
	const unsigned char *p;
	int64_t K, d, s1 = 0, lap_s1 = 0, row1;
	uint64_t s2 = 0;
	int64_t row2;
	double lap_s2 = 0, n = (double)w * (double)h, m, mean, var, lmean;
	int32_t lap;

	ring = xcalloc(3 * w, sizeof *ring);
	p = img->rgb;
	K = 299 * p[0] + 587 * p[1] + 114 * p[2];
	for (y = 0; y < h; y++) {
		cur = ring + (y % 3) * w;
		p = img->rgb + y * w * 3;
		for (x = 0; x < w; x++, p += 3) {
			cur[x] = 299 * p[0] + 587 * p[1] + 114 * p[2];
			d = cur[x] - K;
			s1 += d;
			s2 += (uint64_t)(d * d);
		}
		if (y < 2 || w < 3)
			continue;
		up = ring + ((y - 2) % 3) * w;
		mid = ring + ((y - 1) % 3) * w;
		dn = cur;
		row1 = row2 = 0;
		for (x = 1; x + 1 < w; x++) {
			lap = up[x] + dn[x] + mid[x - 1] + mid[x + 1] -
			    4 * mid[x];
			row1 += lap;
			row2 += (int64_t)lap * lap;
		}
		lap_s1 += row1;
		lap_s2 += (double)row2;
	}
	free(ring);

	mean = (double)s1 / n;
	var = (double)s2 / n - mean * mean;
	info->metrics[info->nmetrics++] = (struct media_metric){
		"brightness", ((double)K + mean) / 255000.0 };
	info->metrics[info->nmetrics++] = (struct media_metric){
		"contrast", var > 0 ? sqrt(var) / 255000.0 : 0.0 };
	var = 0;
	if (w >= 3 && h >= 3) {
		m = (double)(w - 2) * (double)(h - 2);
		lmean = (double)lap_s1 / m;
		var = lap_s2 / m - lmean * lmean;
		/* L is 1000 Y, so the variance of Y's Laplacian is 1e-6 of it. */
		var = var > 0 ? var / 1e6 : 0.0;
	}
	info->metrics[info->nmetrics++] = (struct media_metric){
		"sharpness", var };
}

int
image_probe(const unsigned char *data, size_t len, enum media_format fmt,
    struct media_info *info, char **cause)
{
	struct image img;
	struct image_hdr hdr = { 0, 0 };

	memset(info, 0, sizeof *info);
	if (image_decode_hdr(data, len, fmt, &img, &hdr, cause) != 0)
		return -1;
	info->format = fmt;
	info->kind = MEDIA_KIND_IMAGE;
	info->width = img.width;
	info->height = img.height;
	info->depth = hdr.depth;
	info->channels = hdr.channels;
	image_metrics(&img, info);
	image_free(&img);
	return 0;
}
