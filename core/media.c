/*
 * media.c: format names, recognising a file by its extension and by its
 * content, and media_probe(), which checks the two agree before handing the
 * bytes to image.c or audio.c.
 */
#include <stdio.h>
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
