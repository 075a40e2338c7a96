/*
 * fuzz_image.c: libFuzzer harness for the PNG and JPEG decoders, through
 * the entry points import and the label screen use: media_probe() with the
 * format sniffed from the content (what import does when the extension and
 * the magic agree), image_probe() with each image format forced whatever
 * the magic says, and image_decode() followed by the box-filter downscale
 * the loader thread applies for the screen.
 *
 * Every call must return 0 or -1 with a cause; the sanitizers and
 * libFuzzer's -malloc_limit_mb catch the rest (an allocation a header
 * claimed but the documented pixel limit forbids).
 */
#include <stdint.h>
#include <stdlib.h>

#include "accord/media.h"
#include "fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum media_format forced[] = { MEDIA_FMT_PNG,
	    MEDIA_FMT_JPEG };
	struct media_info info;
	struct image img, small;
	char *cause = NULL;
	size_t i;
	int rc;

	rc = media_probe(data, len, MEDIA_FMT_UNKNOWN, &info, &cause);
	fuzz_check_result(rc, cause);
	if (rc == 0 && (info.kind != MEDIA_KIND_IMAGE ||
	    (uint64_t)info.width * (uint64_t)info.height > MEDIA_MAX_PIXELS))
		return 0;	/* audio: fuzz_audio's business */

	/* Skip the format the sniffed probe above already decoded. */
	for (i = 0; i < sizeof forced / sizeof forced[0]; i++) {
		if (media_sniff(data, len) == forced[i])
			continue;
		cause = NULL;
		rc = image_probe(data, len, forced[i], &info, &cause);
		fuzz_check_result(rc, cause);
	}

	cause = NULL;
	rc = image_decode(data, len, &img, &cause);
	fuzz_check_result(rc, cause);
	if (rc != 0)
		return 0;
	if (img.width < 1 || img.height < 1 || img.rgb == NULL ||
	    (uint64_t)img.width * (uint64_t)img.height > MEDIA_MAX_PIXELS)
		abort();
	cause = NULL;
	rc = image_scale_box(&img, (img.width + 1) / 2, (img.height + 2) / 3,
	    &small, &cause);
	fuzz_check_result(rc, cause);
	image_free(&small);
	image_free(&img);
	return 0;
}
