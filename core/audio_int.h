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
/* Discard an accumulator not finished (a decode error). */
void audio_sum_free(struct audio_sum *m);

/*
 * The SHA-256 of what an EVP_MD_CTX (passed as void *, so that this header
 * needs no OpenSSL) has digested, as 64 hex digits and a NUL
 * (core/media_store.c).
 */
void media_sha_final(void *md, char out[65]);

#endif
