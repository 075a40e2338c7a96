/*
 * test_media.c: the media module (core/media.c, image.c, audio.c) on files
 * this test writes itself with libpng, libjpeg and libsndfile, so every
 * expected pixel and metric is known by construction.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>
#include <sndfile.h>

#include "accord/media.h"
#include "accord/util.h"
#include "t.h"

static char tmpdir[256];

/* Helpers ------------------------------------------------------------ */

struct mbuf {
	unsigned char *p;
	size_t len, cap;
};

static void
mb_add(struct mbuf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* A deterministic pseudo-random byte stream (xorshift32). */
static uint32_t rng_state = 2463534242u;

static unsigned
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CRC-32 as PNG chunks use it (ISO 3309; PNG spec annex D). */
static uint32_t
crc32_png(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static void
put32be(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Offset of the first chunk of this type in a PNG, or 0. */
static size_t
png_chunk(const unsigned char *p, size_t len, const char *type)
{
	size_t pos = 8;

	while (pos + 12 <= len) {
		uint32_t n = (uint32_t)p[pos] << 24 | (uint32_t)p[pos + 1] << 16 |
		    (uint32_t)p[pos + 2] << 8 | p[pos + 3];

		if (memcmp(p + pos + 4, type, 4) == 0)
			return pos;
		pos += 12 + n;
	}
	return 0;
}

static void
png_fix_crc(unsigned char *p, size_t chunk)
{
	uint32_t n = (uint32_t)p[chunk] << 24 | (uint32_t)p[chunk + 1] << 16 |
	    (uint32_t)p[chunk + 2] << 8 | p[chunk + 3];

	put32be(p + chunk + 8 + n, crc32_png(p + chunk + 4, 4 + n));
}

static void
png_write_cb(png_structp png, png_bytep d, size_t n)
{
	mb_add(png_get_io_ptr(png), d, n);
}

static void
png_flush_cb(png_structp png)
{
	(void)png;
}

/*
 * A PNG of raw rows as libpng takes them (packed below 8 bits, big-endian
 * at 16); pal/trans may be NULL.  free() the result.
 */
static unsigned char *
make_png(int w, int h, int ctype, int depth, int interlace,
    const unsigned char *pix, const png_color *pal, int npal,
    const unsigned char *trans, int ntrans, size_t *len)
{
	struct mbuf b = { NULL, 0, 0 };
	png_structp png;
	png_infop info;
	png_bytep *rows;
	size_t stride;
	int y;

	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png_create_info_struct(png);
	png_set_write_fn(png, &b, png_write_cb, png_flush_cb);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, ctype,
	    interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (pal != NULL)
		png_set_PLTE(png, info, pal, npal);
	if (trans != NULL)
		png_set_tRNS(png, info, trans, ntrans, NULL);
	png_write_info(png, info);
	if (interlace != PNG_INTERLACE_NONE)
		(void)png_set_interlace_handling(png);
	stride = png_get_rowbytes(png, info);
	rows = xcalloc((size_t)h, sizeof *rows);
	for (y = 0; y < h; y++)
		rows[y] = (png_bytep)pix + (size_t)y * stride;
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	*len = b.len;
	return b.p;
}

/* An 8-bit RGB PNG of an RGB buffer. */
static unsigned char *
make_png_rgb(int w, int h, const unsigned char *rgb, size_t *len)
{
	return make_png(w, h, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, rgb,
	    NULL, 0, NULL, 0, len);
}

/* A JPEG (baseline or progressive); free() the result. */
static unsigned char *
make_jpeg(int w, int h, int comps, J_COLOR_SPACE cs,
    const unsigned char *pix, int quality, int progressive, size_t *len)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	unsigned char *out = NULL;
	unsigned long outlen = 0;
	JSAMPROW row;

	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &outlen);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = comps;
	c.in_color_space = cs;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	if (progressive)
		jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		row = (JSAMPROW)pix + (size_t)c.next_scanline * w * comps;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	*len = outlen;
	return out;
}

/* A sound file of interleaved shorts or floats (one is NULL); free(). */
static unsigned char *
make_audio(int format, int rate, int channels, const short *s,
    const float *f, sf_count_t frames, size_t *len)
{
	char path[128], *cause = NULL;
	unsigned char *data = NULL;
	SF_INFO si;
	SNDFILE *sf;

	snprintf(path, sizeof path, "%s/a", tmpdir);
	memset(&si, 0, sizeof si);
	si.samplerate = rate;
	si.channels = channels;
	si.format = format;
	sf = sf_open(path, SFM_WRITE, &si);
	if (sf == NULL) {
		fprintf(stderr, "sf_open: %s\n", sf_strerror(NULL));
		abort();
	}
	if (s != NULL)
		sf_writef_short(sf, s, frames);
	else
		sf_writef_float(sf, f, frames);
	sf_close(sf);
	if (acc_read_file(path, MEDIA_MAX_FILE_BYTES, &data, len, &cause)) {
		fprintf(stderr, "read %s: %s\n", path, cause);
		abort();
	}
	unlink(path);
	return data;
}

/* A mono sine of amplitude amp and frequency hz, as floats. */
static float *
sine(int rate, double hz, double amp, sf_count_t frames)
{
	float *x = xcalloc((size_t)frames, sizeof *x);
	sf_count_t i;

	for (i = 0; i < frames; i++)
		x[i] = (float)(amp * sin(2 * M_PI * hz * (double)i / rate));
	return x;
}

static double
metric(const struct media_info *mi, const char *key)
{
	int i;

	for (i = 0; i < mi->nmetrics; i++) {
		if (strcmp(mi->metrics[i].key, key) == 0)
			return mi->metrics[i].value;
	}
	return NAN;
}

/* Probe expecting success; on failure the test fails with the cause. */
static int
probe_ok(const unsigned char *d, size_t len, enum media_format expect,
    struct media_info *mi)
{
	char *cause = NULL;

	if (media_probe(d, len, expect, mi, &cause) != 0) {
		T_FAIL("media_probe failed: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Probe expecting failure with a cause containing want. */
static void
probe_fails(const unsigned char *d, size_t len, enum media_format expect,
    const char *want, int line)
{
	struct media_info mi;
	char *cause = NULL;

	if (media_probe(d, len, expect, &mi, &cause) == 0) {
		T_FAIL("line %d: media_probe accepted it, expected \"%s\"",
		    line, want);
		return;
	}
	/* The log shows each refusal's wording, for a reader to judge. */
	printf("# line %d: %s\n", line, cause ? cause : "(null)");
	if (cause == NULL || strstr(cause, want) == NULL)
		T_FAIL("line %d: cause \"%s\", expected \"%s\"", line,
		    cause ? cause : "(null)", want);
	free(cause);
}
#define PROBE_FAILS(d, len, expect, want) \
	probe_fails(d, len, expect, want, __LINE__)

/* Names, extensions, magic --------------------------------------------- */

static void
t_format_names(void)
{
	static const unsigned char png[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};

	T_EQ_STR(media_format_name(MEDIA_FMT_PNG), "png");
	T_EQ_STR(media_format_name(MEDIA_FMT_JPEG), "jpeg");
	T_EQ_STR(media_format_name(MEDIA_FMT_OGG), "ogg");
	T_EQ_STR(media_format_name(MEDIA_FMT_UNKNOWN), "unknown");
	T_EQ_STR(media_format_name((enum media_format)99), "unknown");
	T_EQ_STR(media_kind_name(MEDIA_KIND_AUDIO), "audio");
	T_EQ_STR(media_kind_name(MEDIA_KIND_NONE), "none");
	T_EQ_INT(media_kind_from_name("image"), MEDIA_KIND_IMAGE);
	T_EQ_INT(media_kind_from_name("audio"), MEDIA_KIND_AUDIO);
	T_EQ_INT(media_kind_from_name("video"), MEDIA_KIND_NONE);
	T_EQ_INT(media_format_kind(MEDIA_FMT_FLAC), MEDIA_KIND_AUDIO);
	T_EQ_INT(media_format_kind(MEDIA_FMT_JPEG), MEDIA_KIND_IMAGE);

	T_EQ_INT(media_format_from_ext("a/b.PNG"), MEDIA_FMT_PNG);
	T_EQ_INT(media_format_from_ext("x.jpg"), MEDIA_FMT_JPEG);
	T_EQ_INT(media_format_from_ext("x.JpEg"), MEDIA_FMT_JPEG);
	T_EQ_INT(media_format_from_ext("x.tar.wav"), MEDIA_FMT_WAV);
	T_EQ_INT(media_format_from_ext("x.flac"), MEDIA_FMT_FLAC);
	T_EQ_INT(media_format_from_ext("x.oga"), MEDIA_FMT_OGG);
	T_EQ_INT(media_format_from_ext("x.ogg"), MEDIA_FMT_OGG);
	T_EQ_INT(media_format_from_ext("dir.png/readme"), MEDIA_FMT_UNKNOWN);
	T_EQ_INT(media_format_from_ext("dir/.png"), MEDIA_FMT_UNKNOWN);
	T_EQ_INT(media_format_from_ext("x.png.txt"), MEDIA_FMT_UNKNOWN);
	T_EQ_INT(media_format_from_ext("x.mp3"), MEDIA_FMT_UNKNOWN);

	T_EQ_INT(media_sniff(png, 8), MEDIA_FMT_PNG);
	T_EQ_INT(media_sniff(png, 7), MEDIA_FMT_UNKNOWN);
	T_EQ_INT(media_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4),
	    MEDIA_FMT_JPEG);
	T_EQ_INT(media_sniff((const unsigned char *)"RIFF\0\0\0\0WAVE", 12),
	    MEDIA_FMT_WAV);
	T_EQ_INT(media_sniff((const unsigned char *)"RIFF\0\0\0\0AVI ", 12),
	    MEDIA_FMT_UNKNOWN);
	T_EQ_INT(media_sniff((const unsigned char *)"fLaC", 4), MEDIA_FMT_FLAC);
	T_EQ_INT(media_sniff((const unsigned char *)"OggS", 4), MEDIA_FMT_OGG);
	T_EQ_INT(media_sniff((const unsigned char *)"ID3\3", 4),
	    MEDIA_FMT_UNKNOWN);
}

/* PNG variants --------------------------------------------------------- */

static void
t_png_rgb8(void)
{
	unsigned char pix[5 * 4 * 3], *d;
	struct image img;
	struct media_info mi;
	size_t len, i;
	char *cause = NULL;

	for (i = 0; i < sizeof pix; i++)
		pix[i] = (unsigned char)rnd();
	d = make_png_rgb(5, 4, pix, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		T_EQ_INT(img.width, 5);
		T_EQ_INT(img.height, 4);
		T_CHECK(memcmp(img.rgb, pix, sizeof pix) == 0);
		image_free(&img);
		T_CHECK(img.rgb == NULL);
	}
	if (probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0) {
		T_EQ_INT(mi.format, MEDIA_FMT_PNG);
		T_EQ_INT(mi.kind, MEDIA_KIND_IMAGE);
		T_EQ_INT(mi.width, 5);
		T_EQ_INT(mi.height, 4);
		T_EQ_INT(mi.depth, 8);
		T_EQ_INT(mi.channels, 3);
		T_EQ_INT(mi.nmetrics, 3);
		T_CHECK(!isnan(metric(&mi, "brightness")));
		T_CHECK(!isnan(metric(&mi, "contrast")));
		T_CHECK(!isnan(metric(&mi, "sharpness")));
	}
	free(d);
}

/* RGBA: alpha is dropped and colours are kept as stored, even at alpha 0. */
static void
t_png_rgba(void)
{
	unsigned char pix[4 * 3 * 4], want[4 * 3 * 3], *d;
	struct image img;
	struct media_info mi;
	size_t len, i;
	char *cause = NULL;

	for (i = 0; i < 12; i++) {
		pix[i * 4] = want[i * 3] = (unsigned char)(i * 20);
		pix[i * 4 + 1] = want[i * 3 + 1] = (unsigned char)(250 - i * 7);
		pix[i * 4 + 2] = want[i * 3 + 2] = (unsigned char)(i * i);
		pix[i * 4 + 3] = (unsigned char)(i % 3 == 0 ? 0 : i * 21);
	}
	d = make_png(4, 3, PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE,
	    pix, NULL, 0, NULL, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		T_CHECK(memcmp(img.rgb, want, sizeof want) == 0);
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0) {
		T_EQ_INT(mi.channels, 4);
		T_EQ_INT(mi.depth, 8);
	}
	free(d);
}

/* Grey at 8 bits, and at 1 bit (expanded 0/1 -> 0/255). */
static void
t_png_grey(void)
{
	unsigned char pix[6 * 2], bits[2 * 1], *d;
	struct image img;
	struct media_info mi;
	size_t len, i;
	char *cause = NULL;

	for (i = 0; i < sizeof pix; i++)
		pix[i] = (unsigned char)(i * 23);
	d = make_png(6, 2, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, pix,
	    NULL, 0, NULL, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		for (i = 0; i < sizeof pix; i++) {
			if (img.rgb[i * 3] != pix[i] ||
			    img.rgb[i * 3 + 1] != pix[i] ||
			    img.rgb[i * 3 + 2] != pix[i])
				T_FAIL("grey pixel %zu", i);
		}
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_UNKNOWN, &mi) == 0) {
		T_EQ_INT(mi.channels, 1);
		T_EQ_INT(mi.depth, 8);
	}
	free(d);

	/* 8x2 at 1 bit: rows 10110001, 01001110 */
	bits[0] = 0xb1;
	bits[1] = 0x4e;
	d = make_png(8, 2, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE, bits,
	    NULL, 0, NULL, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode 1-bit: %s", cause);
	else {
		for (i = 0; i < 16; i++) {
			int bit = bits[i / 8] >> (7 - i % 8) & 1;

			if (img.rgb[i * 3] != (bit ? 255 : 0) ||
			    img.rgb[i * 3 + 2] != img.rgb[i * 3])
				T_FAIL("1-bit pixel %zu is %d", i, img.rgb[i * 3]);
		}
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0) {
		T_EQ_INT(mi.channels, 1);
		T_EQ_INT(mi.depth, 1);
	}
	free(d);
}

static void
t_png_grey_alpha(void)
{
	unsigned char pix[3 * 3 * 2], *d;
	struct image img;
	struct media_info mi;
	size_t len, i;
	char *cause = NULL;

	for (i = 0; i < 9; i++) {
		pix[i * 2] = (unsigned char)(i * 30);
		pix[i * 2 + 1] = (unsigned char)(255 - i * 30);
	}
	d = make_png(3, 3, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE,
	    pix, NULL, 0, NULL, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		for (i = 0; i < 9; i++) {
			if (img.rgb[i * 3] != pix[i * 2] ||
			    img.rgb[i * 3 + 1] != pix[i * 2])
				T_FAIL("grey+alpha pixel %zu", i);
		}
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0)
		T_EQ_INT(mi.channels, 2);
	free(d);
}

/* A 2-bit palette with a transparent entry: colours from the palette. */
static void
t_png_palette(void)
{
	static const png_color pal[4] = {
		{ 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 17, 34, 51 }
	};
	unsigned char trans[1] = { 0 };
	unsigned char idx[2 * 2], *d;	/* 5 pixels a row, 2 bits each */
	static const int want[2][5] = { { 0, 1, 2, 3, 0 }, { 3, 2, 1, 0, 3 } };
	struct image img;
	struct media_info mi;
	size_t len;
	char *cause = NULL;
	int x, y;

	memset(idx, 0, sizeof idx);
	for (y = 0; y < 2; y++)
		for (x = 0; x < 5; x++)
			idx[y * 2 + x / 4] |= (unsigned char)(want[y][x] <<
			    (6 - 2 * (x % 4)));
	d = make_png(5, 2, PNG_COLOR_TYPE_PALETTE, 2, PNG_INTERLACE_NONE, idx,
	    pal, 4, trans, 1, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		for (y = 0; y < 2; y++)
			for (x = 0; x < 5; x++) {
				const unsigned char *p = img.rgb + (y * 5 + x) * 3;
				const png_color *c = &pal[want[y][x]];

				if (p[0] != c->red || p[1] != c->green ||
				    p[2] != c->blue)
					T_FAIL("palette pixel %d,%d", x, y);
			}
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0) {
		T_EQ_INT(mi.channels, 4);	/* tRNS makes it RGBA */
		T_EQ_INT(mi.depth, 8);
	}
	free(d);
}

/* 16-bit: reduced by rounding v * 255 / 65535 (0x12f0 -> 19, not 18). */
static void
t_png_16bit(void)
{
	static const uint16_t v[6] = { 0, 0xffff, 0x12f0, 0x8080, 0x0101, 0x7f7f };
	static const unsigned char want[6] = { 0, 255, 19, 128, 1, 127 };
	unsigned char pix[2 * 1 * 6], *d;
	struct image img;
	struct media_info mi;
	size_t len;
	char *cause = NULL;
	int i;

	for (i = 0; i < 6; i++) {
		pix[i * 2] = (unsigned char)(v[i] >> 8);
		pix[i * 2 + 1] = (unsigned char)v[i];
	}
	d = make_png(2, 1, PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, pix,
	    NULL, 0, NULL, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		for (i = 0; i < 6; i++)
			if (img.rgb[i] != want[i])
				T_FAIL("sample %d: %d, expected %d", i,
				    img.rgb[i], want[i]);
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0) {
		T_EQ_INT(mi.depth, 16);
		T_EQ_INT(mi.channels, 3);
	}
	free(d);
}

/* Adam7 interlacing, with sides that leave some passes partly empty. */
static void
t_png_interlaced(void)
{
	unsigned char pix[13 * 11 * 3], *d;
	struct image img;
	size_t len, i;
	char *cause = NULL;

	for (i = 0; i < sizeof pix; i++)
		pix[i] = (unsigned char)rnd();
	d = make_png(13, 11, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, pix,
	    NULL, 0, NULL, 0, &len);
	T_CHECK(d[8 + 8 + 12] == 1);	/* IHDR's interlace byte */
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		T_CHECK(img.width == 13 && img.height == 11);
		T_CHECK(memcmp(img.rgb, pix, sizeof pix) == 0);
		image_free(&img);
	}
	free(d);
}

/* JPEG ------------------------------------------------------------------ */

static void
gradient(unsigned char *rgb, int w, int h)
{
	int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			unsigned char *p = rgb + (y * w + x) * 3;

			p[0] = (unsigned char)(x * 255 / (w - 1));
			p[1] = (unsigned char)(y * 255 / (h - 1));
			p[2] = (unsigned char)(128 + (x - y) / 2);
		}
}

static void
t_jpeg_colour(void)
{
	unsigned char pix[64 * 48 * 3], *d;
	struct image img;
	struct media_info mi;
	size_t len, i;
	char *cause = NULL;
	int prog, maxerr;

	gradient(pix, 64, 48);
	for (prog = 0; prog <= 1; prog++) {
		d = make_jpeg(64, 48, 3, JCS_RGB, pix, 95, prog, &len);
		if (image_decode(d, len, &img, &cause) != 0) {
			T_FAIL("decode (progressive %d): %s", prog, cause);
			free(cause);
			free(d);
			continue;
		}
		T_CHECK(img.width == 64 && img.height == 48);
		maxerr = 0;
		for (i = 0; i < sizeof pix; i++) {
			int e = abs(img.rgb[i] - pix[i]);

			if (e > maxerr)
				maxerr = e;
		}
		/* Quality 95 on a smooth gradient: a few steps at most. */
		if (maxerr > 8)
			T_FAIL("max error %d (progressive %d)", maxerr, prog);
		image_free(&img);
		if (probe_ok(d, len, MEDIA_FMT_JPEG, &mi) == 0) {
			T_EQ_INT(mi.format, MEDIA_FMT_JPEG);
			T_EQ_INT(mi.channels, 3);
			T_EQ_INT(mi.depth, 8);
			T_EQ_INT(mi.width, 64);
		}
		free(d);
	}
}

static void
t_jpeg_grey(void)
{
	unsigned char pix[40 * 24], *d;
	struct image img;
	struct media_info mi;
	size_t len, i;
	char *cause = NULL;

	for (i = 0; i < sizeof pix; i++)
		pix[i] = (unsigned char)(i % 40 * 6);
	d = make_jpeg(40, 24, 1, JCS_GRAYSCALE, pix, 95, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		for (i = 0; i < sizeof pix; i++) {
			const unsigned char *p = img.rgb + i * 3;

			if (p[0] != p[1] || p[1] != p[2] ||
			    abs(p[0] - pix[i]) > 8)
				T_FAIL("pixel %zu: %d %d %d, source %d", i,
				    p[0], p[1], p[2], pix[i]);
		}
		image_free(&img);
	}
	if (probe_ok(d, len, MEDIA_FMT_JPEG, &mi) == 0)
		T_EQ_INT(mi.channels, 1);
	free(d);
}

/*
 * CMYK with an Adobe marker stores inverted ink: (255, 0, 0, 255) is no
 * cyan, full magenta and yellow, no black, i.e. red; the left half is
 * 50% black (K ink 128 -> stored 127), a dark grey.
 */
static void
t_jpeg_cmyk(void)
{
	unsigned char pix[16 * 8 * 4], *d;
	struct image img;
	size_t len;
	char *cause = NULL;
	int x, y;

	for (y = 0; y < 8; y++)
		for (x = 0; x < 16; x++) {
			unsigned char *p = pix + (y * 16 + x) * 4;

			if (x < 8) {
				p[0] = p[1] = p[2] = 255;
				p[3] = 127;
			} else {
				p[0] = 255;
				p[1] = p[2] = 0;
				p[3] = 255;
			}
		}
	d = make_jpeg(16, 8, 4, JCS_CMYK, pix, 100, 0, &len);
	if (image_decode(d, len, &img, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		const unsigned char *grey = img.rgb + (4 * 16 + 3) * 3;
		const unsigned char *red = img.rgb + (4 * 16 + 12) * 3;

		if (abs(grey[0] - 127) > 3 || abs(grey[1] - 127) > 3 ||
		    abs(grey[2] - 127) > 3)
			T_FAIL("grey half is %d %d %d", grey[0], grey[1],
			    grey[2]);
		if (red[0] < 250 || red[1] > 5 || red[2] > 5)
			T_FAIL("red half is %d %d %d", red[0], red[1], red[2]);
		image_free(&img);
	}
	free(d);
}

/* Image metrics: known answers ----------------------------------------- */

static int
image_metrics_of(int w, int h, const unsigned char *rgb,
    struct media_info *mi)
{
	unsigned char *d;
	size_t len;
	int rc;

	d = make_png_rgb(w, h, rgb, &len);
	rc = probe_ok(d, len, MEDIA_FMT_PNG, mi);
	free(d);
	return rc;
}

/* A constant image: contrast and sharpness exactly 0. */
static void
t_metrics_constant(void)
{
	unsigned char pix[17 * 9 * 3];
	struct media_info mi;
	size_t i;

	for (i = 0; i < 17 * 9; i++) {
		pix[i * 3] = 100;
		pix[i * 3 + 1] = 150;
		pix[i * 3 + 2] = 200;
	}
	if (image_metrics_of(17, 9, pix, &mi) != 0)
		return;
	/* Y = .299 100 + .587 150 + .114 200 = 140.75 */
	T_NEAR(metric(&mi, "brightness"), 140.75 / 255, 1e-12);
	T_CHECK(metric(&mi, "contrast") == 0.0);
	T_CHECK(metric(&mi, "sharpness") == 0.0);
}

/*
 * A one-pixel checkerboard of A = (200, 10, 30) and black.  Y(A) = 59.8 +
 * 5.87 + 3.42 = 69.09.  Every interior pixel's four neighbours are the
 * other colour, so its Laplacian is +-4 * 69.09 = +-276.36; a 10x10 board
 * has 8x8 interior pixels, half of each sign, so the mean is 0 and the
 * variance 276.36^2 = 76374.8496.  Half the pixels are A: mean 69.09 / 2,
 * standard deviation 69.09 / 2.
 */
static void
t_metrics_checkerboard(void)
{
	unsigned char pix[10 * 10 * 3];
	struct media_info mi;
	int x, y;

	memset(pix, 0, sizeof pix);
	for (y = 0; y < 10; y++)
		for (x = 0; x < 10; x++)
			if ((x + y) % 2 == 0) {
				pix[(y * 10 + x) * 3] = 200;
				pix[(y * 10 + x) * 3 + 1] = 10;
				pix[(y * 10 + x) * 3 + 2] = 30;
			}
	if (image_metrics_of(10, 10, pix, &mi) != 0)
		return;
	T_NEAR(metric(&mi, "brightness"), 69.09 / 2 / 255, 1e-12);
	T_NEAR(metric(&mi, "contrast"), 69.09 / 2 / 255, 1e-12);
	T_NEAR(metric(&mi, "sharpness"), 76374.8496, 1e-6);
}

/*
 * A 9x9 white/black board, white at (0,0): 41 of 81 pixels white, so the
 * mean is 41/81 and the standard deviation sqrt(p (1 - p)).  Of the 7x7
 * interior, 25 are white (Laplacian -1020) and 24 black (+1020): mean
 * -1020/49, and the population variance 1020^2 (1 - 1/49^2).  A sample
 * (n - 1) variance, or forgetting the mean, would miss.
 */
static void
t_metrics_checker_odd(void)
{
	unsigned char pix[9 * 9 * 3];
	struct media_info mi;
	double p = 41.0 / 81;
	int i;

	for (i = 0; i < 81; i++)
		memset(pix + i * 3, (i / 9 + i % 9) % 2 == 0 ? 255 : 0, 3);
	if (image_metrics_of(9, 9, pix, &mi) != 0)
		return;
	T_NEAR(metric(&mi, "brightness"), p, 1e-12);
	T_NEAR(metric(&mi, "contrast"), sqrt(p * (1 - p)), 1e-12);
	T_NEAR(metric(&mi, "sharpness"), 1040400.0 * (1 - 1.0 / 2401), 1e-6);
}

/*
 * One white dot on black, 5x5: over the 3x3 interior the Laplacian is
 * -1020 at the dot, +255 at its four neighbours, 0 at the corners: mean
 * 0, variance (1020^2 + 4 255^2) / 9 = 144500.  An 8-neighbour kernel
 * would give (2040^2 + 8 255^2) / 9 = 520200.
 */
static void
t_metrics_dot(void)
{
	unsigned char pix[5 * 5 * 3];
	struct media_info mi;

	memset(pix, 0, sizeof pix);
	memset(pix + (2 * 5 + 2) * 3, 255, 3);
	if (image_metrics_of(5, 5, pix, &mi) != 0)
		return;
	T_NEAR(metric(&mi, "sharpness"), 144500.0, 1e-6);
	T_NEAR(metric(&mi, "brightness"), 1.0 / 25, 1e-12);
}

/*
 * A linear ramp Y = 10 x (grey, 20 columns): the Laplacian of a linear
 * function is 0, so sharpness is exactly 0 while contrast is the standard
 * deviation of 0, 10, ..., 190: 10 sqrt((20^2 - 1) / 12).
 */
static void
t_metrics_ramp(void)
{
	unsigned char pix[20 * 8 * 3];
	struct media_info mi;
	int x, y;

	for (y = 0; y < 8; y++)
		for (x = 0; x < 20; x++)
			memset(pix + (y * 20 + x) * 3, x * 10, 3);
	if (image_metrics_of(20, 8, pix, &mi) != 0)
		return;
	T_CHECK(metric(&mi, "sharpness") == 0.0);
	T_NEAR(metric(&mi, "brightness"), 95.0 / 255, 1e-12);
	T_NEAR(metric(&mi, "contrast"), 10 * sqrt(399.0 / 12) / 255, 1e-12);
}

/* Images too small to have interior pixels still measure. */
static void
t_metrics_tiny(void)
{
	unsigned char pix[2 * 5 * 3] = { 255, 255, 255 };
	struct media_info mi;

	if (image_metrics_of(1, 1, pix, &mi) == 0) {
		T_NEAR(metric(&mi, "brightness"), 1.0, 1e-12);
		T_CHECK(metric(&mi, "contrast") == 0.0);
		T_CHECK(metric(&mi, "sharpness") == 0.0);
	}
	if (image_metrics_of(2, 5, pix, &mi) == 0) {
		T_NEAR(metric(&mi, "brightness"), 0.1, 1e-12);
		T_CHECK(metric(&mi, "sharpness") == 0.0);
	}
}

/* Box scaling ------------------------------------------------------------ */

/* 4x4 to 2x2 is the mean of each 2x2 block, rounded half up. */
static void
t_scale_box_exact(void)
{
	static const unsigned char grey[16] = {
		0, 1, 10, 20,
		2, 3, 30, 41,	/* block means 1.5 -> 2 and 25.25 -> 25 */
		255, 255, 7, 7,
		255, 254, 7, 8,	/* 254.75 -> 255 and 7.25 -> 7 */
	};
	static const unsigned char want[4] = { 2, 25, 255, 7 };
	unsigned char rgb[16 * 3];
	struct image src = { 4, 4, rgb }, dst;
	char *cause = NULL;
	int i;

	for (i = 0; i < 16; i++) {
		rgb[i * 3] = grey[i];
		rgb[i * 3 + 1] = (unsigned char)(255 - grey[i]);
		rgb[i * 3 + 2] = 9;
	}
	if (image_scale_box(&src, 2, 2, &dst, &cause) != 0) {
		T_FAIL("scale: %s", cause);
		return;
	}
	T_CHECK(dst.width == 2 && dst.height == 2);
	for (i = 0; i < 4; i++) {
		T_EQ_INT(dst.rgb[i * 3], want[i]);
		T_EQ_INT(dst.rgb[i * 3 + 2], 9);
	}
	/* 255 - x averages to 255 - mean: 253.5 -> 254, 229.75 -> 230 */
	T_EQ_INT(dst.rgb[1], 254);
	T_EQ_INT(dst.rgb[4], 230);
	image_free(&dst);

	/* Same size is a copy; 1x1 is the overall mean. */
	if (image_scale_box(&src, 4, 4, &dst, NULL) == 0) {
		T_CHECK(memcmp(dst.rgb, rgb, sizeof rgb) == 0);
		image_free(&dst);
	} else
		T_FAIL("same-size scale failed");
	if (image_scale_box(&src, 1, 1, &dst, NULL) == 0) {
		/* sum of grey = 1155 -> 72.1875 -> 72 */
		T_EQ_INT(dst.rgb[0], 72);
		image_free(&dst);
	} else
		T_FAIL("1x1 scale failed");

	T_CHECK(image_scale_box(&src, 5, 2, &dst, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(image_scale_box(&src, 0, 2, &dst, &cause) == -1);
	free(cause);
}

/*
 * A non-integer ratio (7x5 -> 3x2): each output is the exact area average
 * of the fractional source pixels it covers, rounded, so within 0.5 of a
 * brute-force computation of the overlap areas; and the mean of the output
 * stays within 0.5 of the source's.
 */
static double
overlap(double a0, double a1, double b0, double b1)
{
	double lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

static void
t_scale_box_fraction(void)
{
	enum { SW = 7, SH = 5, W = 3, H = 2 };
	unsigned char rgb[SW * SH * 3];
	struct image src = { SW, SH, rgb }, dst;
	double sx = (double)SW / W, sy = (double)SH / H, want, smean = 0,
	    dmean = 0;
	int x, y, i, j, c;

	for (i = 0; i < SW * SH * 3; i++) {
		rgb[i] = (unsigned char)rnd();
		smean += rgb[i];
	}
	if (image_scale_box(&src, W, H, &dst, NULL) != 0) {
		T_FAIL("scale failed");
		return;
	}
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			for (c = 0; c < 3; c++) {
				want = 0;
				for (j = 0; j < SH; j++)
					for (i = 0; i < SW; i++)
						want += rgb[(j * SW + i) * 3 + c] *
						    overlap(x * sx, (x + 1) * sx,
						    i, i + 1) *
						    overlap(y * sy, (y + 1) * sy,
						    j, j + 1);
				want /= sx * sy;
				dmean += dst.rgb[(y * W + x) * 3 + c];
				if (fabs(dst.rgb[(y * W + x) * 3 + c] - want) >
				    0.5 + 1e-9)
					T_FAIL("pixel %d,%d,%d is %d, area "
					    "average %.3f", x, y, c,
					    dst.rgb[(y * W + x) * 3 + c], want);
			}
	T_NEAR(dmean / (W * H * 3), smean / (SW * SH * 3), 0.5);
	image_free(&dst);
}

/* Audio ------------------------------------------------------------------ */

static void
t_audio_wav16(void)
{
	short s[2 * 4410];
	struct media_info mi;
	struct audio au;
	unsigned char *d;
	size_t len;
	char *cause = NULL;
	int i;

	for (i = 0; i < 4410; i++) {
		s[i * 2] = (short)(i % 100 * 100);
		s[i * 2 + 1] = (short)(-i % 50 * 100);
	}
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, s, NULL,
	    4410, &len);
	if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0) {
		T_EQ_INT(mi.format, MEDIA_FMT_WAV);
		T_EQ_INT(mi.kind, MEDIA_KIND_AUDIO);
		T_EQ_INT(mi.rate, 44100);
		T_EQ_INT(mi.channels, 2);
		T_EQ_INT(mi.frames, 4410);
		T_EQ_INT(mi.nmetrics, 6);
		T_NEAR(metric(&mi, "duration_s"), 0.1, 1e-12);
		/* Largest |x| is 9900 / 32768. */
		T_NEAR(metric(&mi, "peak_db"), 20 * log10(9900 / 32768.0),
		    1e-6);
		T_CHECK(metric(&mi, "clipped") == 0.0);
	}
	if (audio_decode_mono(d, len, &au, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		T_EQ_INT(au.frames, 4410);
		T_EQ_INT(au.channels, 2);
		T_EQ_INT(au.rate, 44100);
		T_NEAR(au.mono[7], (700 + -700) / 2 / 32768.0, 1e-9);
		T_NEAR(au.mono[60], (6000 + -1000) / 2 / 32768.0, 1e-9);
		audio_free(&au);
	}
	free(d);
}

/* FLAC (lossless): the metrics of a sine match the float original. */
static void
t_audio_flac(void)
{
	float *x = sine(16000, 440, 0.5, 16000);
	struct media_info mi;
	unsigned char *d;
	size_t len;

	d = make_audio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, NULL, x,
	    16000, &len);
	T_CHECK(memcmp(d, "fLaC", 4) == 0);
	if (probe_ok(d, len, MEDIA_FMT_FLAC, &mi) == 0) {
		T_EQ_INT(mi.format, MEDIA_FMT_FLAC);
		T_EQ_INT(mi.frames, 16000);
		T_EQ_INT(mi.rate, 16000);
		T_NEAR(metric(&mi, "duration_s"), 1.0, 1e-12);
		/* 16-bit quantisation moves it by < 0.001 dB. */
		T_NEAR(metric(&mi, "rms_db"), 20 * log10(0.5 / sqrt(2)), 0.01);
	}
	free(d);
	free(x);
}

/* Ogg Vorbis (lossy): a sine's level within 0.1 dB, frames exact. */
static void
t_audio_ogg(void)
{
	float *x = sine(44100, 1000, 0.25, 44100);
	struct media_info mi;
	struct audio au;
	unsigned char *d;
	size_t len;
	char *cause = NULL;

	d = make_audio(SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 1, NULL, x,
	    44100, &len);
	T_CHECK(memcmp(d, "OggS", 4) == 0);
	if (probe_ok(d, len, MEDIA_FMT_OGG, &mi) == 0) {
		T_EQ_INT(mi.format, MEDIA_FMT_OGG);
		T_EQ_INT(mi.frames, 44100);
		T_NEAR(metric(&mi, "rms_db"), 20 * log10(0.25 / sqrt(2)), 0.1);
		T_NEAR(metric(&mi, "peak_db"), 20 * log10(0.25), 0.5);
	}
	if (audio_decode_mono(d, len, &au, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		T_EQ_INT(au.frames, 44100);
		audio_free(&au);
	}
	free(d);
	free(x);
}

/*
 * A sine of amplitude A at 48 kHz in a float WAV (no quantisation): RMS is
 * A / sqrt 2, i.e. 20 log10(A / sqrt 2) dBFS over whole periods, and at
 * 1 kHz the samples include the crest, so the peak is A.
 */
static void
t_audio_sine_level(void)
{
	static const double amps[3] = { 1.0, 0.5, 0.01 };
	struct media_info mi;
	unsigned char *d;
	size_t len;
	float *x;
	int i;

	for (i = 0; i < 3; i++) {
		x = sine(48000, 1000, amps[i], 48000);
		d = make_audio(SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, NULL,
		    x, 48000, &len);
		if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0) {
			T_NEAR(metric(&mi, "rms_db"),
			    20 * log10(amps[i] / sqrt(2)), 1e-4);
			T_NEAR(metric(&mi, "peak_db"), 20 * log10(amps[i]),
			    1e-4);
			T_CHECK(metric(&mi, "lead_silence_s") == 0.0);
			T_NEAR(metric(&mi, "trail_silence_s"), 0.0, 1e-12);
		}
		free(d);
		free(x);
	}
}

/*
 * A full-scale 16-bit square wave (+32767, -32768): RMS 0 dBFS (to within
 * 0.0003 dB: 32767 / 32768), peak exactly 0 dBFS, every sample clipped.
 * Then the clip boundary: |x| = 32766 / 32768 counts, 32765 does not.
 */
static void
t_audio_clipping(void)
{
	short s[4800];
	struct media_info mi;
	unsigned char *d;
	size_t len;
	double p = 32767.0 / 32768;
	int i;

	for (i = 0; i < 4800; i++)
		s[i] = (short)(i / 24 % 2 ? 32767 : -32768);
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, s, NULL,
	    4800, &len);
	if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0) {
		T_NEAR(metric(&mi, "rms_db"), 10 * log10((p * p + 1) / 2),
		    1e-9);
		T_NEAR(metric(&mi, "rms_db"), 0.0, 0.001);
		T_CHECK(metric(&mi, "peak_db") == 0.0);
		T_CHECK(metric(&mi, "clipped") == 1.0);
	}
	free(d);

	memset(s, 0, sizeof s);
	s[10] = 32766;
	s[20] = -32766;
	s[30] = 32765;
	s[40] = -32765;
	s[50] = -32768;
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, s, NULL,
	    4800, &len);
	if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0)
		T_NEAR(metric(&mi, "clipped"), 3.0 / 4800, 1e-15);
	free(d);
}

/*
 * A tone with 0.5 s of near-silence (-60 dBFS noise) before and 0.5 s of
 * digital silence after: lead and trail silence within one 10 ms window.
 * Also an unaligned 0.2037 s lead, and a file that is silent throughout.
 */
static void
t_audio_silence(void)
{
	enum { RATE = 44100, N = 2 * RATE };
	static const double leads[2] = { 0.5, 0.2037 };
	float *x = xcalloc(N, sizeof *x);
	struct media_info mi;
	unsigned char *d;
	size_t len;
	int i, k, a, b;

	for (k = 0; k < 2; k++) {
		a = (int)(leads[k] * RATE);
		b = a + RATE;
		for (i = 0; i < N; i++) {
			if (i < a)
				x[i] = (float)(0.001 * ((int)(rnd() % 2001) -
				    1000) / 1000);
			else if (i < b)
				x[i] = (float)(0.3 * sin(2 * M_PI * 440 *
				    (i - a) / RATE));
			else
				x[i] = 0;
		}
		d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, RATE, 1, NULL,
		    x, N, &len);
		if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0) {
			T_NEAR(metric(&mi, "lead_silence_s"), leads[k], 0.01);
			T_NEAR(metric(&mi, "trail_silence_s"),
			    2.0 - 1.0 - leads[k], 0.01);
			T_NEAR(metric(&mi, "duration_s"), 2.0, 1e-12);
		}
		free(d);
	}

	memset(x, 0, N * sizeof *x);
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, RATE, 1, NULL, x,
	    RATE / 2, &len);
	if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0) {
		T_CHECK(metric(&mi, "rms_db") == -200.0);
		T_CHECK(metric(&mi, "peak_db") == -200.0);
		T_NEAR(metric(&mi, "lead_silence_s"), 0.5, 1e-12);
		T_NEAR(metric(&mi, "trail_silence_s"), 0.5, 1e-12);
	}
	free(d);
	free(x);
}

/* Mono is the mean of the channels. */
static void
t_audio_mono(void)
{
	float x[3 * 1000];
	struct audio au;
	unsigned char *d;
	size_t len;
	char *cause = NULL;
	int i;

	for (i = 0; i < 1000; i++) {
		x[i * 3] = 0.5f;
		x[i * 3 + 1] = -0.25f;
		x[i * 3 + 2] = (float)i / 1000;
	}
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 3, NULL, x, 1000,
	    &len);
	if (audio_decode_mono(d, len, &au, &cause) != 0)
		T_FAIL("decode: %s", cause);
	else {
		T_EQ_INT(au.channels, 3);
		T_EQ_INT(au.frames, 1000);
		T_NEAR(au.mono[0], 0.25 / 3, 1e-7);
		T_NEAR(au.mono[999], (0.25 + 0.999) / 3, 1e-7);
		audio_free(&au);
	}
	free(d);
}

/* Bad input ---------------------------------------------------------------- */

static void
t_bad_zero_and_garbage(void)
{
	unsigned char g[300];
	struct image img;
	struct audio au;
	char *cause = NULL;
	size_t i;

	PROBE_FAILS((const unsigned char *)"", 0, MEDIA_FMT_PNG,
	    "zero-byte file");
	PROBE_FAILS((const unsigned char *)"", 0, MEDIA_FMT_UNKNOWN,
	    "zero-byte file");
	for (i = 0; i < sizeof g; i++)
		g[i] = (unsigned char)rnd();
	g[0] = 'x';
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_UNKNOWN,
	    "not a PNG, JPEG, WAV, FLAC or Ogg Vorbis file");
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_WAV,
	    "not a PNG, JPEG, WAV, FLAC or Ogg Vorbis file");
	T_CHECK(image_decode(g, sizeof g, &img, &cause) == -1);
	T_CHECK(cause != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(audio_decode_mono(g, sizeof g, &au, &cause) == -1);
	T_CHECK(cause != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(image_decode(g, 0, &img, &cause) == -1);
	free(cause);

	/* Right magic, garbage after it. */
	memcpy(g, "\x89PNG\r\n\x1a\n", 8);
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_PNG, "PNG");
	memcpy(g, "\xff\xd8\xff", 3);
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_JPEG, "JPEG");
	memcpy(g, "RIFF\x10\0\0\0WAVE", 12);
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_WAV, "WAV");
	memcpy(g, "fLaC", 4);
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_FLAC, "FLAC");
	memcpy(g, "OggS", 4);
	PROBE_FAILS(g, sizeof g, MEDIA_FMT_OGG, "Ogg");
}

static void
t_bad_extension(void)
{
	unsigned char pix[3 * 3 * 3] = { 0 }, *png, *jpg, *wav;
	short s[100] = { 0 };
	size_t plen, jlen, wlen;

	png = make_png_rgb(3, 3, pix, &plen);
	jpg = make_jpeg(3, 3, 3, JCS_RGB, pix, 90, 0, &jlen);
	wav = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, s, NULL,
	    100, &wlen);
	PROBE_FAILS(png, plen, MEDIA_FMT_JPEG,
	    "content is PNG but the extension says jpeg");
	PROBE_FAILS(jpg, jlen, MEDIA_FMT_PNG,
	    "content is JPEG but the extension says png");
	PROBE_FAILS(wav, wlen, MEDIA_FMT_FLAC,
	    "content is WAV but the extension says flac");
	PROBE_FAILS(png, plen, MEDIA_FMT_OGG,
	    "content is PNG but the extension says ogg");
	free(png);
	free(jpg);
	free(wav);
}

static unsigned char *
noisy_png(int w, int h, size_t *len)
{
	unsigned char *pix = xmalloc((size_t)w * h * 3), *d;
	size_t i;

	for (i = 0; i < (size_t)w * h * 3; i++)
		pix[i] = (unsigned char)rnd();
	d = make_png_rgb(w, h, pix, len);
	free(pix);
	return d;
}

static unsigned char *
noisy_jpeg(int w, int h, size_t *len)
{
	unsigned char *pix = xmalloc((size_t)w * h * 3), *d;
	size_t i;

	for (i = 0; i < (size_t)w * h * 3; i++)
		pix[i] = (unsigned char)(rnd() % 64 + i % 97);
	d = make_jpeg(w, h, 3, JCS_RGB, pix, 90, 0, len);
	free(pix);
	return d;
}

static void
t_bad_truncated_png(void)
{
	size_t len;
	unsigned char *d = noisy_png(64, 64, &len);

	PROBE_FAILS(d, len / 2, MEDIA_FMT_PNG, "truncated PNG data");
	PROBE_FAILS(d, 40, MEDIA_FMT_PNG, "truncated PNG data");
	/* Every pixel present, IEND missing. */
	PROBE_FAILS(d, len - 12, MEDIA_FMT_PNG, "truncated PNG data");
	free(d);
}

static void
t_bad_truncated_jpeg(void)
{
	size_t len;
	unsigned char *d = noisy_jpeg(64, 64, &len);
	struct image img;
	char *cause = NULL;

	PROBE_FAILS(d, len / 2, MEDIA_FMT_JPEG, "truncated JPEG data");
	PROBE_FAILS(d, 100, MEDIA_FMT_JPEG, "truncated JPEG data");
	/* Only the EOI marker missing. */
	PROBE_FAILS(d, len - 2, MEDIA_FMT_JPEG, "truncated JPEG data");
	T_CHECK(image_decode(d, len / 2, &img, &cause) == -1);
	T_CHECK(img.rgb == NULL);
	free(cause);
	free(d);
}

/*
 * Rewrite a PNG (from noisy_png: IHDR, IDATs, IEND) so that its zlib data
 * sits in two IDAT chunks, the second holding only the final 4 bytes.
 */
static unsigned char *
adler_apart(unsigned char *d, size_t len0, size_t *len)
{
	struct mbuf z = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	size_t pos = 8, n;
	unsigned char hdr[8];
	static const unsigned char iend[12] = {
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82
	};

	mb_add(&out, d, 8 + 25);	/* signature, IHDR */
	while (pos + 12 <= len0) {
		n = (size_t)d[pos] << 24 | (size_t)d[pos + 1] << 16 |
		    (size_t)d[pos + 2] << 8 | d[pos + 3];
		if (memcmp(d + pos + 4, "IDAT", 4) == 0)
			mb_add(&z, d + pos + 8, n);
		pos += 12 + n;
	}
	put32be(hdr, (uint32_t)(z.len - 4));
	memcpy(hdr + 4, "IDAT", 4);
	mb_add(&out, hdr, 8);
	mb_add(&out, z.p, z.len - 4);
	mb_add(&out, "....", 4);
	png_fix_crc(out.p, 8 + 25);
	put32be(hdr, 4);
	mb_add(&out, hdr, 8);
	mb_add(&out, z.p + z.len - 4, 4);
	mb_add(&out, "....", 4);
	png_fix_crc(out.p, out.len - 16);
	mb_add(&out, iend, 12);
	free(z.p);
	free(d);
	*len = out.len;
	return out.p;
}

/*
 * Damage in the middle of the pixel data: with the chunk CRC left stale
 * (libpng's CRC check), and with it recomputed so that only zlib can tell
 * (its stream structure or the Adler-32 at the end).
 */
static void
t_bad_corrupt_png(void)
{
	size_t len, idat, n, i, last;
	unsigned char *d = noisy_png(64, 64, &len);
	struct media_info mi;
	int k;

	idat = png_chunk(d, len, "IDAT");
	T_CHECK(idat != 0);
	n = (size_t)d[idat] << 24 | (size_t)d[idat + 1] << 16 |
	    (size_t)d[idat + 2] << 8 | d[idat + 3];
	for (i = 0; i < 16; i++)
		d[idat + 8 + n / 2 + i] ^= 0x5a;
	PROBE_FAILS(d, len, MEDIA_FMT_PNG, "CRC error");
	png_fix_crc(d, idat);
	PROBE_FAILS(d, len, MEDIA_FMT_PNG, "cannot decode PNG");
	free(d);

	/*
	 * Only the zlib stream's Adler-32 (the last IDAT's last 4 bytes)
	 * damaged.  libpng may meet it after the last row, where it only
	 * warns ("incorrect data check"); it must still be refused.
	 */
	for (k = 0; k < 3; k++) {
		static const int sides[3] = { 64, 20, 3 };

		d = noisy_png(sides[k], sides[k], &len);
		last = png_chunk(d, len, "IEND");
		for (idat = 8, i = 8; i < last; ) {
			n = (size_t)d[i] << 24 | (size_t)d[i + 1] << 16 |
			    (size_t)d[i + 2] << 8 | d[i + 3];
			if (memcmp(d + i + 4, "IDAT", 4) == 0)
				idat = i;
			i += 12 + n;
		}
		n = (size_t)d[idat] << 24 | (size_t)d[idat + 1] << 16 |
		    (size_t)d[idat + 2] << 8 | d[idat + 3];
		d[idat + 8 + n - 1] ^= 0x01;
		png_fix_crc(d, idat);
		PROBE_FAILS(d, len, MEDIA_FMT_PNG, "PNG");
		free(d);
	}

	/*
	 * The same, with the Adler-32 alone in a last IDAT chunk: libpng has
	 * every row before it reads that chunk, so the mismatch arrives as a
	 * mere warning.
	 */
	d = noisy_png(20, 20, &len);
	d = adler_apart(d, len, &len);
	T_CHECK(probe_ok(d, len, MEDIA_FMT_PNG, &mi) == 0);
	last = png_chunk(d, len, "IEND");
	d[last - 5] ^= 0x01;	/* the last data byte of the 4-byte IDAT */
	png_fix_crc(d, last - 16);
	PROBE_FAILS(d, len, MEDIA_FMT_PNG, "incorrect data check");
	free(d);
}

/* Offset of the first byte of entropy-coded data (after SOS), or 0. */
static size_t
jpeg_scan_start(const unsigned char *d, size_t len)
{
	size_t pos = 2;

	while (pos + 4 <= len && d[pos] == 0xff) {
		size_t n = (size_t)d[pos + 2] << 8 | d[pos + 3];

		if (d[pos + 1] == 0xda)
			return pos + 2 + n;
		pos += 2 + n;
	}
	return 0;
}

/*
 * Damage in the scan: a stray marker where entropy-coded data should be,
 * which libjpeg only warns about ("Corrupt JPEG data: premature end of
 * data segment") before filling the rest of the image with grey.
 */
static void
t_bad_corrupt_jpeg(void)
{
	size_t len, scan;
	unsigned char *d = noisy_jpeg(64, 64, &len);

	scan = jpeg_scan_start(d, len);
	T_CHECK(scan > 0 && scan < len / 2);
	d[scan + (len - scan) / 2] = 0xff;
	d[scan + (len - scan) / 2 + 1] = 0xd4;	/* RST4, out of place */
	PROBE_FAILS(d, len, MEDIA_FMT_JPEG, "Corrupt JPEG data");
	free(d);
}

/*
 * A progressive JPEG with one scan per component, AC coefficient and
 * successive-approximation step: 1 + 3 * 63 * steps scans, all valid.
 */
static unsigned char *
many_scans_jpeg(int steps, size_t *len)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	jpeg_scan_info *si = xcalloc(1 + 3 * 63 * 4, sizeof *si);
	unsigned char pix[16 * 16 * 3], *out = NULL;
	unsigned long outlen = 0;
	JSAMPROW row;
	int n = 0, comp, k, st, i;

	for (i = 0; i < (int)sizeof pix; i++)
		pix[i] = (unsigned char)rnd();
	si[n].comps_in_scan = 3;
	for (i = 0; i < 3; i++)
		si[n].component_index[i] = i;
	n++;
	for (st = 0; st < steps; st++)
		for (comp = 0; comp < 3; comp++)
			for (k = 1; k < 64; k++, n++) {
				si[n].comps_in_scan = 1;
				si[n].component_index[0] = comp;
				si[n].Ss = si[n].Se = k;
				si[n].Ah = st == 0 ? 0 : steps - st;
				si[n].Al = steps - 1 - st;
			}
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &out, &outlen);
	c.image_width = c.image_height = 16;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	c.scan_info = si;
	c.num_scans = n;
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		row = pix + (size_t)c.next_scanline * 16 * 3;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	free(si);
	*len = outlen;
	return out;
}

/*
 * Each progressive scan costs a pass over the whole coefficient buffer,
 * so the number of scans is capped (at 500): 190 pass, 757 do not.
 */
static void
t_bad_jpeg_scans(void)
{
	struct media_info mi;
	unsigned char *d;
	size_t len;

	d = many_scans_jpeg(1, &len);
	T_CHECK(probe_ok(d, len, MEDIA_FMT_JPEG, &mi) == 0);
	free(d);
	d = many_scans_jpeg(4, &len);
	PROBE_FAILS(d, len, MEDIA_FMT_JPEG, "more than 500 progressive scans");
	free(d);
}

/* Dimensions over the limits are refused from the header, at once. */
static void
t_bad_huge_dimensions(void)
{
	size_t len, sof;
	unsigned char *d = noisy_png(8, 8, &len), *j;
	struct image img;
	char *cause = NULL;
	double t0 = now();

	put32be(d + 16, 100000);
	put32be(d + 20, 100000);
	png_fix_crc(d, 8);
	PROBE_FAILS(d, len, MEDIA_FMT_PNG,
	    "image is 100000x100000, over the 67108864-pixel limit");
	T_CHECK(image_decode(d, len, &img, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "67108864-pixel") != NULL);
	free(cause);
	put32be(d + 16, 70000);
	put32be(d + 20, 10);
	png_fix_crc(d, 8);
	PROBE_FAILS(d, len, MEDIA_FMT_PNG,
	    "image is 70000x10, over the 65535-pixel side limit");
	free(d);

	j = noisy_jpeg(16, 16, &len);
	for (sof = 2; sof + 9 < len; sof++)
		if (j[sof] == 0xff && j[sof + 1] == 0xc0)
			break;
	T_CHECK(sof + 9 < len);
	j[sof + 5] = 60000 >> 8;	/* height */
	j[sof + 6] = 60000 & 0xff;
	j[sof + 7] = 60000 >> 8;	/* width */
	j[sof + 8] = 60000 & 0xff;
	PROBE_FAILS(j, len, MEDIA_FMT_JPEG,
	    "image is 60000x60000, over the 67108864-pixel limit");
	free(j);
	/*
	 * Allocating 30 GB would abort under ASan (allocation-size-too-big)
	 * and touching it would take minutes; refusing takes microseconds.
	 */
	if (now() - t0 > 0.5)
		T_FAIL("refusing took %.3f s", now() - t0);
}

/* A WAV whose data chunk claims more frames than the file holds. */
static void
t_bad_truncated_wav(void)
{
	short s[1000];
	struct media_info mi;
	struct audio au;
	unsigned char *d;
	size_t len;
	char *cause = NULL;
	int i;

	for (i = 0; i < 1000; i++)
		s[i] = (short)(i * 30);
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, s, NULL,
	    1000, &len);
	T_CHECK(probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0);
	PROBE_FAILS(d, len - 500, MEDIA_FMT_WAV,
	    "truncated audio: header says 1000 frames, only 750 decoded");
	PROBE_FAILS(d, 30, MEDIA_FMT_WAV, "WAV");
	T_CHECK(audio_decode_mono(d, len - 500, &au, &cause) == -1);
	T_CHECK(au.mono == NULL);
	free(cause);

	/*
	 * Placeholders written by encoders that cannot seek back (SoX to a
	 * pipe writes 0x7ffff000, others ~0) are not claims: all 1000 frames.
	 */
	T_CHECK(memcmp(d + 36, "data", 4) == 0);
	put32be(d + 40, 0x00f0ff7f);	/* 0x7ffff000 little-endian */
	if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0)
		T_EQ_INT(mi.frames, 1000);
	put32be(d + 40, 0xffffffff);
	if (probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0)
		T_EQ_INT(mi.frames, 1000);
	free(d);
}

static void
t_bad_truncated_flac_ogg(void)
{
	float *x = sine(22050, 300, 0.5, 22050);
	struct media_info mi;
	unsigned char *d;
	size_t len;

	d = make_audio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 22050, 1, NULL, x,
	    22050, &len);
	PROBE_FAILS(d, len * 2 / 3, MEDIA_FMT_FLAC, "truncated audio");
	PROBE_FAILS(d, len - 1, MEDIA_FMT_FLAC, "truncated audio");
	/*
	 * A streaming encoder's FLAC has 0 total samples (STREAMINFO's last
	 * 36 bits before the MD5): the length comes from decoding it.
	 */
	T_CHECK(memcmp(d, "fLaC", 4) == 0 && d[7] == 34);
	T_CHECK(d[4] == 0 || d[4] == 0x80);	/* STREAMINFO block */
	d[8 + 13] &= 0xf0;
	memset(d + 8 + 14, 0, 4);
	if (probe_ok(d, len, MEDIA_FMT_FLAC, &mi) == 0) {
		T_EQ_INT(mi.frames, 22050);
		T_NEAR(metric(&mi, "duration_s"), 1.0, 1e-12);
	}
	free(d);
	d = make_audio(SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, NULL, x,
	    22050, &len);
	PROBE_FAILS(d, len * 2 / 3, MEDIA_FMT_OGG, "truncated audio");
	PROBE_FAILS(d, len - 1, MEDIA_FMT_OGG, "truncated audio");
	free(d);
	free(x);
}

/* Channel count, rate and length are refused from the header. */
static void
t_bad_audio_limits(void)
{
	float x[65 * 10];
	struct media_info mi;
	unsigned char *d;
	size_t len;

	memset(x, 0, sizeof x);
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_FLOAT, 8000, 65, NULL, x, 10,
	    &len);
	PROBE_FAILS(d, len, MEDIA_FMT_WAV, "audio has 65 channels, outside 1..64");
	free(d);
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_FLOAT, 800000, 1, NULL, x, 10,
	    &len);
	PROBE_FAILS(d, len, MEDIA_FMT_WAV,
	    "audio rate 800000 Hz is outside 1..768000");
	free(d);

	/* An 8-bit mono WAV whose data chunk claims 0xfffffffe bytes. */
	d = make_audio(SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 8000, 1, NULL, x, 10,
	    &len);
	T_CHECK(probe_ok(d, len, MEDIA_FMT_WAV, &mi) == 0);
	T_CHECK(memcmp(d + 36, "data", 4) == 0);
	put32be(d + 40, 0xfeffffff);
	PROBE_FAILS(d, len, MEDIA_FMT_WAV, "audio is 4294967294 frames x 1 "
	    "channels, over the 2147483648-sample limit");
	free(d);

	/* A FLAC whose STREAMINFO claims 2^35 samples. */
	d = make_audio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1, NULL, x, 10,
	    &len);
	d[8 + 13] = (unsigned char)((d[8 + 13] & 0xf0) | 0x08);
	memset(d + 8 + 14, 0, 4);
	PROBE_FAILS(d, len, MEDIA_FMT_FLAC, "audio is 34359738368 frames x 1 "
	    "channels, over the 2147483648-sample limit");
	free(d);
}

/* Threads ------------------------------------------------------------------ */

struct job {
	const unsigned char *d;
	size_t len;
	struct media_info mi;
	int rc;
};

static void *
probe_thread(void *arg)
{
	struct job *j = arg;
	int i;

	for (i = 0; i < 5; i++) {
		j->rc |= media_probe(j->d, j->len, MEDIA_FMT_UNKNOWN, &j->mi,
		    NULL);
	}
	return NULL;
}

/* Many threads probing at once (import does) agree with one thread. */
static void
t_probe_threads(void)
{
	enum { NT = 6 };
	unsigned char *files[3];
	size_t lens[3];
	float *x = sine(8000, 200, 0.5, 8000);
	struct job jobs[NT];
	pthread_t th[NT];
	struct media_info ref[3];
	int i, k;

	files[0] = noisy_png(100, 80, &lens[0]);
	files[1] = noisy_jpeg(100, 80, &lens[1]);
	files[2] = make_audio(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1,
	    NULL, x, 8000, &lens[2]);
	for (k = 0; k < 3; k++)
		if (probe_ok(files[k], lens[k], MEDIA_FMT_UNKNOWN, &ref[k]))
			return;
	for (i = 0; i < NT; i++) {
		memset(&jobs[i], 0, sizeof jobs[i]);
		jobs[i].d = files[i % 3];
		jobs[i].len = lens[i % 3];
		pthread_create(&th[i], NULL, probe_thread, &jobs[i]);
	}
	for (i = 0; i < NT; i++) {
		pthread_join(th[i], NULL);
		T_EQ_INT(jobs[i].rc, 0);
		for (k = 0; k < ref[i % 3].nmetrics; k++)
			T_CHECK(jobs[i].mi.metrics[k].value ==
			    ref[i % 3].metrics[k].value);
	}
	for (k = 0; k < 3; k++)
		free(files[k]);
	free(x);
}

/*
 * The decode budget's cost from the first bytes: PNG and JPEG headers
 * give width x height x 3; a progressive JPEG adds its coefficients (2
 * bytes a sample per component); a JPEG whose frame header is not in the
 * bytes given costs the most an image can; what is not an image, or is
 * over the limits, costs nothing (its decoder refuses it at once).
 */
static void
t_decode_bytes(void)
{
	unsigned char pix[40 * 30 * 3], *png, *jpg, *prog, ihdr[33];
	size_t len, jlen, plen, sof;

	memset(pix, 90, sizeof pix);
	png = make_png_rgb(40, 30, pix, &len);
	T_CHECK(media_decode_bytes(png, len) == 40 * 30 * 3);
	T_CHECK(media_decode_bytes(png, 33) == 40 * 30 * 3);
	T_CHECK(media_decode_bytes(png, 20) == 0);
	/* 100000 x 100000 is over the limits: refused from the header. */
	memcpy(ihdr, png, sizeof ihdr);
	ihdr[16] = 0, ihdr[17] = 1, ihdr[18] = 0x86, ihdr[19] = 0xa0;
	ihdr[20] = 0, ihdr[21] = 1, ihdr[22] = 0x86, ihdr[23] = 0xa0;
	T_CHECK(media_decode_bytes(ihdr, sizeof ihdr) == 0);
	free(png);

	jpg = make_jpeg(40, 30, 3, JCS_RGB, pix, 90, 0, &jlen);
	prog = make_jpeg(40, 30, 3, JCS_RGB, pix, 90, 1, &plen);
	T_CHECK(media_decode_bytes(jpg, jlen) == 40 * 30 * 3);
	T_CHECK(media_decode_bytes(prog, plen) == 40 * 30 * (3 + 2 * 3));
	/* Cut before its frame header: the most an image can cost. */
	for (sof = 2; sof + 1 < jlen; sof++)
		if (jpg[sof] == 0xff && jpg[sof + 1] == 0xc0)
			break;
	T_CHECK(sof + 1 < jlen);
	T_CHECK(media_decode_bytes(jpg, sof) == MEDIA_DECODE_MAX);
	T_CHECK(media_decode_bytes((const unsigned char *)"RIFF....WAVE",
	    12) == 0);
	free(jpg);
	free(prog);
}

/* A second taker while the first holds the budget. */
struct budget_job {
	uint64_t bytes;
	volatile int done;
};

static void *
budget_taker(void *arg)
{
	struct budget_job *j = arg;

	media_budget_take(j->bytes);
	j->done = 1;
	media_budget_give(j->bytes);
	return NULL;
}

/* Whether job j finishes within about 0.5 s. */
static int
budget_finishes(struct budget_job *j)
{
	int i;

	for (i = 0; i < 50 && !j->done; i++)
		usleep(10000);
	return j->done;
}

/*
 * ACCORD_DECODE_BUDGET sizes it (read once: this test sets it before
 * anything in the process asks): with 1 MiB, a second 600 KiB waits for
 * the first to be given back; one larger than the whole budget waits for
 * nothing else to be taken, then runs alone; room says what would fit.
 */
static void
t_decode_budget(void)
{
	struct budget_job j = { 600 << 10, 0 }, big = { 4 << 20, 0 };
	pthread_t th;

	setenv("ACCORD_DECODE_BUDGET", "1", 1);
	T_CHECK(media_budget_total() == 1 << 20);
	T_EQ_INT(media_budget_room(1 << 20), 1);
	media_budget_take(600 << 10);
	T_EQ_INT(media_budget_room(600 << 10), 0);
	T_EQ_INT(media_budget_room(400 << 10), 1);
	T_EQ_INT(pthread_create(&th, NULL, budget_taker, &j), 0);
	T_EQ_INT(budget_finishes(&j), 0);
	media_budget_give(600 << 10);
	T_EQ_INT(budget_finishes(&j), 1);
	pthread_join(th, NULL);

	media_budget_force(100 << 10);
	T_EQ_INT(pthread_create(&th, NULL, budget_taker, &big), 0);
	T_EQ_INT(budget_finishes(&big), 0);
	media_budget_give(100 << 10);
	T_EQ_INT(budget_finishes(&big), 1);
	pthread_join(th, NULL);
	T_EQ_INT(media_budget_room(1 << 20), 1);
}

int
main(void)
{
	if (t_mkdtemp(tmpdir, sizeof tmpdir, "media") == NULL) {
		perror("mkdtemp");
		return 2;
	}
	T_RUN(t_format_names);
	T_RUN(t_png_rgb8);
	T_RUN(t_png_rgba);
	T_RUN(t_png_grey);
	T_RUN(t_png_grey_alpha);
	T_RUN(t_png_palette);
	T_RUN(t_png_16bit);
	T_RUN(t_png_interlaced);
	T_RUN(t_jpeg_colour);
	T_RUN(t_jpeg_grey);
	T_RUN(t_jpeg_cmyk);
	T_RUN(t_metrics_constant);
	T_RUN(t_metrics_checkerboard);
	T_RUN(t_metrics_checker_odd);
	T_RUN(t_metrics_dot);
	T_RUN(t_metrics_ramp);
	T_RUN(t_metrics_tiny);
	T_RUN(t_scale_box_exact);
	T_RUN(t_scale_box_fraction);
	T_RUN(t_audio_wav16);
	T_RUN(t_audio_flac);
	T_RUN(t_audio_ogg);
	T_RUN(t_audio_sine_level);
	T_RUN(t_audio_clipping);
	T_RUN(t_audio_silence);
	T_RUN(t_audio_mono);
	T_RUN(t_bad_zero_and_garbage);
	T_RUN(t_bad_extension);
	T_RUN(t_bad_truncated_png);
	T_RUN(t_bad_truncated_jpeg);
	T_RUN(t_bad_corrupt_png);
	T_RUN(t_bad_corrupt_jpeg);
	T_RUN(t_bad_jpeg_scans);
	T_RUN(t_bad_huge_dimensions);
	T_RUN(t_bad_truncated_wav);
	T_RUN(t_bad_truncated_flac_ogg);
	T_RUN(t_bad_audio_limits);
	T_RUN(t_probe_threads);
	T_RUN(t_decode_bytes);
	T_RUN(t_decode_budget);
	rmdir(tmpdir);
	return t_done();
}
