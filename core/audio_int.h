/*
 * audio_int.h: what audio.c (decoding) and audio_view.c (the summary)
 * share: the summary's accumulator, fed block by block as audio.c decodes.
 */
#ifndef ACCORD_AUDIO_INT_H
#define ACCORD_AUDIO_INT_H

#include <stdint.h>

#include "accord/media.h"

struct audio_sum;

/*
 * An accumulator for a clip of rate and channels; frames is what the
 * header claims (-1 when unknown), which sizes the units; the stream may
 * turn out longer or shorter.  NULL with *cause when FFTW cannot plan.
 */
struct audio_sum *audio_sum_new(int rate, int channels, int64_t frames,
    char **cause);
/* Frames of interleaved samples, channels each. */
void audio_sum_feed(struct audio_sum *m, const float *buf, int64_t frames);
/* The stream ended: the summary into *out (which it then owns). */
void audio_sum_finish(struct audio_sum *m, struct audio_summary *out);
/*
 * Part `part` of nparts of a clip of `frames` samples (its length known
 * from the header), to decode on its own thread: the clip is cut at
 * spectrum units (and so at peak units), so the parts joined give exactly
 * the summary one pass would.  Feed it the samples [*from, *to): its own
 * and a frame either side, for the STFT windows.  audio_sum_join() then
 * puts the parts, in order, into *out and frees them.  NULL with *cause
 * when FFTW cannot plan.
 */
struct audio_sum *audio_sum_new_part(int rate, int channels, int64_t frames,
    int part, int nparts, int64_t *from, int64_t *to, char **cause);
void audio_sum_join(struct audio_sum **parts, int nparts, int64_t frames,
    struct audio_summary *out);

/*
 * audio_summarize, with the clip decoded in `parts` parts at once (0: as
 * many as it would choose: one per CPU, up to 4, for a WAV or FLAC of
 * known length over 2^24 frames; at most 4).  Tests compare the two.
 */
int audio_summarize_parts(const unsigned char *data, size_t len, int parts,
    struct audio_summary *out, char **cause);
int audio_summarize_file_parts(const char *path, const char *sha256,
    int parts, struct audio_summary *out, char **cause);

/* Discard an accumulator not finished (a decode error). */
void audio_sum_free(struct audio_sum *m);

/*
 * The SHA-256 of what an EVP_MD_CTX (passed as void *, so that this header
 * needs no OpenSSL) has digested, as 64 hex digits and a NUL
 * (core/media_store.c).
 */
void media_sha_final(void *md, char out[65]);

#endif
