/*
 * fuzz_audio.c: libFuzzer harness for the WAV, FLAC and Ogg Vorbis
 * decoding of core/audio.c, which hands libsndfile the bytes through its
 * virtual I/O (sf_open_virtual) exactly as import and the label screen do:
 * media_probe() with the format sniffed, audio_probe() with each audio
 * format forced, audio_decode_mono() followed by the two views (min/max
 * peaks and the spectrogram), and the streamed summary the label screen
 * draws them from (audio_summarize), which must decode exactly when the
 * mono decode does, to the same length.
 */
#include <stdint.h>
#include <stdlib.h>

#include "accord/media.h"
#include "fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const enum media_format forced[] = { MEDIA_FMT_WAV,
	    MEDIA_FMT_FLAC, MEDIA_FMT_OGG };
	struct media_info info;
	struct audio a;
	struct audio_summary sum;
	struct spectrogram sp;
	float mins[37], maxs[37];
	char *cause = NULL;
	size_t i;
	int rc;

	rc = media_probe(data, len, MEDIA_FMT_UNKNOWN, &info, &cause);
	fuzz_check_result(rc, cause);
	if (rc == 0 && info.kind != MEDIA_KIND_AUDIO)
		return 0;	/* an image: fuzz_image's business */
	if (rc == 0 && (info.channels < 1 || info.channels >
	    MEDIA_MAX_CHANNELS || info.rate < 1 || info.rate > MEDIA_MAX_RATE ||
	    info.frames < 1 || (uint64_t)info.frames * (uint64_t)info.channels >
	    MEDIA_MAX_SAMPLES))
		abort();

	for (i = 0; i < sizeof forced / sizeof forced[0]; i++) {
		if (media_sniff(data, len) == forced[i])
			continue;
		cause = NULL;
		rc = audio_probe(data, len, forced[i], &info, &cause);
		fuzz_check_result(rc, cause);
	}

	cause = NULL;
	rc = audio_decode_mono(data, len, &a, &cause);
	fuzz_check_result(rc, cause);
	if (rc != 0)
		return 0;
	if (a.frames < 1 || a.mono == NULL)
		abort();
	cause = NULL;
	rc = audio_peaks(&a, 37, mins, maxs, &cause);
	fuzz_check_result(rc, cause);
	cause = NULL;
	rc = audio_spectrogram(&a, 23, 11, &sp, &cause);
	fuzz_check_result(rc, cause);
	if (rc == 0)
		spectrogram_free(&sp);

	cause = NULL;
	rc = audio_summarize(data, len, &sum, &cause);
	fuzz_check_result(rc, cause);
	if (rc != 0 || sum.frames != a.frames)
		abort();
	cause = NULL;
	rc = audio_summary_peaks(&sum, 37, mins, maxs, &cause);
	fuzz_check_result(rc, cause);
	cause = NULL;
	rc = audio_summary_spectrogram(&sum, 23, 11, &sp, &cause);
	fuzz_check_result(rc, cause);
	if (rc == 0)
		spectrogram_free(&sp);
	audio_summary_free(&sum);
	audio_free(&a);
	return 0;
}
