/*
 * media.c: format names, recognising a file by its extension and by its
 * content, media_probe(), which checks the two agree before handing the
 * bytes to image.c or audio.c, and the decode budget import's workers and
 * the label screen's loader share.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accord/media.h"
#include "accord/util.h"

/* Indexed by enum media_format; read-only, so safe from any thread. */
static const struct {
	const char *name;	/* media_format_name(): lower case, as in a path */
	const char *display;	/* in messages about content */
	enum media_kind kind;
} formats[] = {
	[MEDIA_FMT_UNKNOWN] = { "unknown", "unknown", MEDIA_KIND_NONE },
	[MEDIA_FMT_PNG] = { "png", "PNG", MEDIA_KIND_IMAGE },
	[MEDIA_FMT_JPEG] = { "jpeg", "JPEG", MEDIA_KIND_IMAGE },
	[MEDIA_FMT_WAV] = { "wav", "WAV", MEDIA_KIND_AUDIO },
	[MEDIA_FMT_FLAC] = { "flac", "FLAC", MEDIA_KIND_AUDIO },
	[MEDIA_FMT_OGG] = { "ogg", "Ogg", MEDIA_KIND_AUDIO },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static const struct {
	const char *ext;
	enum media_format format;
} extensions[] = {
	{ "png", MEDIA_FMT_PNG },
	{ "jpg", MEDIA_FMT_JPEG },
	{ "jpeg", MEDIA_FMT_JPEG },
	{ "wav", MEDIA_FMT_WAV },
	{ "flac", MEDIA_FMT_FLAC },
	{ "ogg", MEDIA_FMT_OGG },
	{ "oga", MEDIA_FMT_OGG },
};

const char *
media_format_name(enum media_format f)
{
	if ((unsigned)f >= NFORMATS)
		return "unknown";
	return formats[f].name;
}

const char *
media_kind_name(enum media_kind k)
{
	switch (k) {
	case MEDIA_KIND_IMAGE:
		return "image";
	case MEDIA_KIND_AUDIO:
		return "audio";
	case MEDIA_KIND_NONE:
		break;
	}
	return "none";
}

enum media_kind
media_kind_from_name(const char *s)
{
	if (s == NULL)
		return MEDIA_KIND_NONE;
	if (strcmp(s, "image") == 0)
		return MEDIA_KIND_IMAGE;
	if (strcmp(s, "audio") == 0)
		return MEDIA_KIND_AUDIO;
	return MEDIA_KIND_NONE;
}

enum media_kind
media_format_kind(enum media_format f)
{
	if ((unsigned)f >= NFORMATS)
		return MEDIA_KIND_NONE;
	return formats[f].kind;
}

enum media_format
media_format_from_ext(const char *path)
{
	const char *base, *dot;
	size_t i;

	if (path == NULL)
		return MEDIA_FMT_UNKNOWN;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	/* A leading dot starts a hidden file's name, not an extension. */
	if (dot == NULL || dot == base)
		return MEDIA_FMT_UNKNOWN;
	for (i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
		if (strcasecmp(dot + 1, extensions[i].ext) == 0)
			return extensions[i].format;
	}
	return MEDIA_FMT_UNKNOWN;
}

/*
 * The signatures are the formats' own: PNG spec section 5.2, JPEG's SOI
 * marker followed by the next marker's 0xFF (ITU T.81 B.1.1.2), RIFF/WAVE
 * (and its big-endian RIFX and 64-bit RF64 variants, which libsndfile also
 * reads), FLAC's "fLaC" (RFC 9639 section 6) and the Ogg page capture
 * pattern (RFC 3533 section 6).
 */
enum media_format
media_sniff(const unsigned char *data, size_t len)
{
	static const unsigned char png[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
	};

	if (data == NULL)
		return MEDIA_FMT_UNKNOWN;
	if (len >= 8 && memcmp(data, png, 8) == 0)
		return MEDIA_FMT_PNG;
	if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
		return MEDIA_FMT_JPEG;
	if (len >= 12 && (memcmp(data, "RIFF", 4) == 0 ||
	    memcmp(data, "RIFX", 4) == 0 || memcmp(data, "RF64", 4) == 0) &&
	    memcmp(data + 8, "WAVE", 4) == 0)
		return MEDIA_FMT_WAV;
	if (len >= 4 && memcmp(data, "fLaC", 4) == 0)
		return MEDIA_FMT_FLAC;
	if (len >= 4 && memcmp(data, "OggS", 4) == 0)
		return MEDIA_FMT_OGG;
	return MEDIA_FMT_UNKNOWN;
}

int
media_probe(const unsigned char *data, size_t len, enum media_format expect,
    struct media_info *info, char **cause)
{
	enum media_format got;

	memset(info, 0, sizeof *info);
	if (len == 0)
		return acc_error(cause, "zero-byte file");
	if (len > MEDIA_MAX_FILE_BYTES) {
		return acc_error(cause, "file is %zu bytes, over the %zu-byte "
		    "limit", len, MEDIA_MAX_FILE_BYTES);
	}
	got = media_sniff(data, len);
	if (got == MEDIA_FMT_UNKNOWN)
		return acc_error(cause,
		    "not a PNG, JPEG, WAV, FLAC or Ogg Vorbis file");
	/*
	 * A mismatch is refused rather than trusted either way: the extension
	 * decides which project kind and player a file gets, the content how
	 * it decodes, and a file lying about one is usually damaged or
	 * mislabelled by whoever collected it.
	 */
	if (expect != MEDIA_FMT_UNKNOWN && expect != got) {
		return acc_error(cause, "content is %s but the extension says %s",
		    formats[got].display, media_format_name(expect));
	}
	if (formats[got].kind == MEDIA_KIND_IMAGE)
		return image_probe(data, len, got, info, cause);
	return audio_probe(data, len, got, info, cause);
}

/* --- the decode budget (media.h) ------------------------------------- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* w x h pixels at bytes_per_pixel, or 0 past the decoders' limits. */
static uint64_t
pixel_bytes(uint32_t w, uint32_t h, unsigned bytes_per_pixel)
{
	if (w == 0 || h == 0 || w > MEDIA_MAX_SIDE || h > MEDIA_MAX_SIDE ||
	    (uint64_t)w * h > MEDIA_MAX_PIXELS)
		return 0;
	return (uint64_t)w * h * bytes_per_pixel;
}

/*
 * A JPEG's frame header (SOFn: ITU T.81 B.2.2) found by walking the
 * marker segments from the start, each with its 2-byte length (B.1.1.4).
 * SOF2, 6, 10 and 14 are progressive: libjpeg keeps every coefficient of
 * the image (2 bytes each, per component) until the last scan.
 */
static uint64_t
jpeg_decode_bytes(const unsigned char *p, size_t n)
{
	size_t pos = 2;

	while (pos + 4 <= n) {
		unsigned m;

		if (p[pos] != 0xff)
			return MEDIA_DECODE_MAX;	/* not a marker: corrupt */
		m = p[pos + 1];
		if (m == 0xff) {	/* fill byte */
			pos++;
			continue;
		}
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			unsigned comps, w, h, prog;

			if (pos + 10 > n)
				break;
			h = (unsigned)p[pos + 5] << 8 | p[pos + 6];
			w = (unsigned)p[pos + 7] << 8 | p[pos + 8];
			comps = p[pos + 9];
			prog = (m & 3) == 2;
			return pixel_bytes(w, h, 3 + (prog ? 2 * comps : 0));
		}
		if (m == 0xda || m == 0xd9)	/* scan or end: no frame */
			break;
		if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) {
			pos += 2;	/* no length */
			continue;
		}
		pos += 2 + ((size_t)p[pos + 2] << 8 | p[pos + 3]);
	}
	return MEDIA_DECODE_MAX;
}

uint64_t
media_decode_bytes(const unsigned char *head, size_t n)
{
	switch (media_sniff(head, n)) {
	case MEDIA_FMT_PNG:
		/* IHDR is the first chunk (PNG spec 5.6): width, height. */
		if (n < 24 || memcmp(head + 12, "IHDR", 4) != 0)
			return 0;	/* refused by libpng at once */
		return pixel_bytes(be32(head + 16), be32(head + 20), 3);
	case MEDIA_FMT_JPEG:
		return jpeg_decode_bytes(head, n);
	default:
		return 0;
	}
}

/*
 * The budget's state.  Takers queue by ticket: a large cost waiting for
 * room is not overtaken for ever by small ones that fit.
 */
static pthread_mutex_t budget_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t budget_cond = PTHREAD_COND_INITIALIZER;
static uint64_t budget_total, budget_used;
static uint64_t budget_next, budget_serving;

/* With budget_lock held. */
static uint64_t
budget_get_total(void)
{
	const char *e;
	char *end;
	unsigned long long mb;

	if (budget_total != 0)
		return budget_total;
	budget_total = MEDIA_DECODE_BUDGET;
	if ((e = getenv("ACCORD_DECODE_BUDGET")) != NULL && *e != '\0') {
		errno = 0;
		mb = strtoull(e, &end, 10);
		if (errno == 0 && *end == '\0' && mb >= 1 && mb < (1ULL << 40))
			budget_total = (uint64_t)mb << 20;
	}
	return budget_total;
}

uint64_t
media_budget_total(void)
{
	uint64_t t;

	pthread_mutex_lock(&budget_lock);
	t = budget_get_total();
	pthread_mutex_unlock(&budget_lock);
	return t;
}

void
media_budget_take(uint64_t bytes)
{
	uint64_t ticket;

	pthread_mutex_lock(&budget_lock);
	budget_get_total();
	ticket = budget_next++;
	while (ticket != budget_serving || (budget_used > 0 &&
	    budget_used + bytes > budget_total))
		pthread_cond_wait(&budget_cond, &budget_lock);
	budget_used += bytes;
	budget_serving++;
	pthread_cond_broadcast(&budget_cond);
	pthread_mutex_unlock(&budget_lock);
}

int
media_budget_room(uint64_t bytes)
{
	int room;

	pthread_mutex_lock(&budget_lock);
	room = budget_used + bytes <= budget_get_total();
	pthread_mutex_unlock(&budget_lock);
	return room;
}

void
media_budget_force(uint64_t bytes)
{
	pthread_mutex_lock(&budget_lock);
	budget_used += bytes;
	pthread_mutex_unlock(&budget_lock);
}

void
media_budget_give(uint64_t bytes)
{
	pthread_mutex_lock(&budget_lock);
	budget_used = bytes > budget_used ? 0 : budget_used - bytes;
	pthread_cond_broadcast(&budget_cond);
	pthread_mutex_unlock(&budget_lock);
}
