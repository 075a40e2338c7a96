/*
 * audio.c: WAV, FLAC and Ogg Vorbis through libsndfile, read from memory
 * or a file with sf_open_virtual, streamed in fixed-size blocks: the
 * metrics of media.h, the decode to mono, and the summary the label screen
 * draws (audio_view.c accumulates it).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sndfile.h>

#include "accord/media.h"
#include "accord/util.h"
#include "audio_int.h"

/* Floats per sf_readf_float call: 64 KiB whatever the channel count. */
#define AUDIO_BLOCK_SAMPLES 16384

/*
 * Where a stream for libsndfile's virtual I/O is: the first member of
 * both streams below, so the same length, seek and tell serve both.
 */
struct audio_pos {
	sf_count_t len, pos;
};

/* A file in memory for libsndfile's virtual I/O. */
struct audio_mem {
	struct audio_pos at;		/* first */
	const unsigned char *data;
};

static sf_count_t
pos_get_filelen(void *user)
{
	return ((struct audio_pos *)user)->len;
}

/*
 * libsndfile's seek: the new position, or -1.  Past the end is allowed,
 * as with a file; reads there return 0.
 */
static sf_count_t
pos_seek(sf_count_t offset, int whence, void *user)
{
	struct audio_pos *at = user;
	sf_count_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = at->pos;
		break;
	case SEEK_END:
		base = at->len;
		break;
	default:
		return -1;
	}
	if (offset < -base || (offset > 0 && base > INT64_MAX - offset))
		return -1;
	at->pos = base + offset;
	return at->pos;
}

static sf_count_t
pos_tell(void *user)
{
	return ((struct audio_pos *)user)->pos;
}

static sf_count_t
mem_read(void *ptr, sf_count_t count, void *user)
{
	struct audio_mem *m = user;

	if (count <= 0 || m->at.pos >= m->at.len)
		return 0;
	if (count > m->at.len - m->at.pos)
		count = m->at.len - m->at.pos;
	memcpy(ptr, m->data + m->at.pos, (size_t)count);
	m->at.pos += count;
	return count;
}

static sf_count_t
mem_write(const void *ptr, sf_count_t count, void *user)
{
	(void)ptr;
	(void)count;
	(void)user;
	return 0;
}

static uint32_t
rd32(const unsigned char *p, int big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static uint64_t
rd64le(const unsigned char *p)
{
	return (uint64_t)rd32(p + 4, 0) << 32 | rd32(p, 0);
}

/*
 * What a WAV header claims, read by walking its RIFF chunks.  libsndfile
 * quietly shortens a data chunk that runs past the end of the file (it
 * logs "should be" and reads what is there), which would let a truncated
 * recording import as a shorter one.  Frames are claimed only for the
 * sample formats where frames = bytes / block align (PCM, float, A-law,
 * mu-law and their WAVE_FORMAT_EXTENSIBLE forms); for the others the
 * claim is in bytes.
 */
struct wav_claim {
	uint64_t data_bytes;	/* 0: unknown (a streamed header) */
	uint64_t data_avail;	/* bytes of it present in the file */
	int64_t frames;		/* -1: not derivable from the size */
};

static void
wav_claim(const unsigned char *d, size_t len, struct wav_claim *c)
{
	int big, rf64;
	uint64_t ds64_data = 0, size;
	unsigned tag = 0, align = 0;
	size_t pos = 12;

	c->data_bytes = c->data_avail = 0;
	c->frames = -1;
	/*
	 * audio_probe() may be called with the format forced on bytes that
	 * are too short for a RIFF header (found by tests/fuzz/fuzz_audio):
	 * nothing to claim, and libsndfile refuses the file.
	 */
	if (len < 12)
		return;
	big = memcmp(d, "RIFX", 4) == 0;
	rf64 = memcmp(d, "RF64", 4) == 0;
	while (pos <= len && len - pos >= 8) {
		size = rd32(d + pos + 4, big);
		if (memcmp(d + pos, "ds64", 4) == 0 && len - pos >= 8 + 16)
			ds64_data = rd64le(d + pos + 8 + 8);
		if (memcmp(d + pos, "fmt ", 4) == 0 && len - pos >= 8 + 16) {
			tag = (unsigned)d[pos + 8] | (unsigned)d[pos + 9] << 8;
			align = (unsigned)d[pos + 20] | (unsigned)d[pos + 21] << 8;
			if (big) {
				tag = (unsigned)d[pos + 8] << 8 | d[pos + 9];
				align = (unsigned)d[pos + 20] << 8 | d[pos + 21];
			}
		}
		if (memcmp(d + pos, "data", 4) == 0) {
			if (rf64 && size == 0xffffffffu)
				size = ds64_data;
			/*
			 * Writers that cannot seek back leave a placeholder:
			 * 0 or ~0 (ffmpeg and others), 0x7fffffff, or
			 * 0x7ffff000 (SoX).  The length is then unknown, not
			 * a claim to check.
			 */
			if (size == 0 || size == 0xffffffffu ||
			    size == 0x7fffffffu || size == 0x7ffff000u)
				return;
			c->data_bytes = size;
			c->data_avail = len - pos - 8;
			if (c->data_avail > size)
				c->data_avail = size;
			if (align > 0 && (tag == 1 || tag == 3 || tag == 6 ||
			    tag == 7 || tag == 0xfffe))
				c->frames = (int64_t)(size / align);
			return;
		}
		/* Chunks are padded to an even length (RIFF, 1991, p. 2-1). */
		if (size > len - pos - 8)
			return;
		pos += 8 + (size_t)size + (size & 1);
	}
}

/*
 * An Ogg file is a sequence of pages (RFC 3533 section 6); walking their
 * headers finds a file cut inside a page, or missing its last page: the
 * one flagged end-of-stream.  libsndfile takes the length from the last
 * granule position it finds, so a cut file would otherwise pass as a
 * complete shorter one.  Bytes after a final end-of-stream page are
 * tolerated, as players do.
 */
static int
ogg_check(const unsigned char *d, size_t len, char **cause)
{
	size_t pos = 0, need, i;
	int flags = 0;

	while (pos < len) {
		i = len - pos < 4 ? len - pos : 4;
		if (memcmp(d + pos, "OggS", i) != 0) {
			if (flags & 4)
				return 0;
			return acc_error(cause, "corrupt Ogg data: no page "
			    "at byte %zu", pos);
		}
		if (len - pos < 27)
			break;
		need = 27 + (size_t)d[pos + 26];
		if (len - pos < need)
			break;
		for (i = 0; i < d[pos + 26]; i++)
			need += d[pos + 27 + i];
		if (len - pos < need)
			break;
		flags = d[pos + 5];
		pos += need;
	}
	if (pos < len) {
		return acc_error(cause, "truncated audio: the Ogg page at byte "
		    "%zu runs past the end of the file", pos);
	}
	if (!(flags & 4))
		return acc_error(cause, "truncated audio: the Ogg stream has "
		    "no end-of-stream page");
	return 0;
}

/* An open stream and what its header claims. */
struct audio_src {
	struct audio_mem mem;
	SF_VIRTUAL_IO vio;
	SNDFILE *sf;
	SF_INFO si;
	enum media_format fmt;
	struct wav_claim wav;
	int unknown_len;	/* libsndfile could not tell the length */
};

static const char *
audio_fmt_name(enum media_format f)
{
	switch (f) {
	case MEDIA_FMT_WAV:
		return "WAV";
	case MEDIA_FMT_FLAC:
		return "FLAC";
	default:
		return "Ogg";
	}
}

/*
 * What can be checked before libsndfile sees the bytes: size, format and a
 * WAV or Ogg file cut short.  Returns 0, or -1 with *cause.
 */
static int
audio_precheck(struct audio_src *a, const unsigned char *data, size_t len,
    enum media_format fmt, char **cause)
{
	if (len == 0)
		return acc_error(cause, "zero-byte file");
	if (len > MEDIA_MAX_FILE_BYTES) {
		return acc_error(cause, "file is %zu bytes, over the %zu-byte "
		    "limit", len, MEDIA_MAX_FILE_BYTES);
	}
	if (fmt != MEDIA_FMT_WAV && fmt != MEDIA_FMT_FLAC &&
	    fmt != MEDIA_FMT_OGG)
		return acc_error(cause, "not a WAV, FLAC or Ogg Vorbis file");
	a->fmt = fmt;
	a->wav.frames = -1;
	if (fmt == MEDIA_FMT_WAV)
		wav_claim(data, len, &a->wav);
	if (fmt == MEDIA_FMT_OGG && ogg_check(data, len, cause) != 0)
		return -1;
	if (a->wav.data_avail < a->wav.data_bytes && a->wav.frames < 0) {
		return acc_error(cause, "truncated audio: header says %llu "
		    "bytes of data, only %llu present",
		    (unsigned long long)a->wav.data_bytes,
		    (unsigned long long)a->wav.data_avail);
	}
	return 0;
}

/*
 * The stream's channels, rate and length against the limits (media.h).
 * Returns 0, or -1 with *cause.
 */
static int
audio_check_info(struct audio_src *a, char **cause)
{
	if (a->si.channels < 1 || a->si.channels > MEDIA_MAX_CHANNELS)
		return acc_error(cause, "audio has %d channels, outside 1..%d",
		    a->si.channels, MEDIA_MAX_CHANNELS);
	if (a->si.samplerate < 1 || a->si.samplerate > MEDIA_MAX_RATE)
		return acc_error(cause, "audio rate %d Hz is outside 1..%d",
		    a->si.samplerate, MEDIA_MAX_RATE);
	/*
	 * A FLAC from a streaming encoder has 0 for its total samples, and
	 * libsndfile then reports SF_COUNT_MAX frames: the length is known
	 * only by decoding, so audio_stream() enforces the limit as it goes.
	 */
	a->unknown_len = a->si.frames == SF_COUNT_MAX;
	if (a->si.frames < 0 || (!a->unknown_len && (uint64_t)a->si.frames >
	    MEDIA_MAX_SAMPLES / (uint64_t)a->si.channels) ||
	    (a->wav.frames >= 0 && (uint64_t)a->wav.frames >
	    MEDIA_MAX_SAMPLES / (uint64_t)a->si.channels))
		return acc_error(cause, "audio is %lld frames x %d channels, "
		    "over the %llu-sample limit", (long long)(a->wav.frames >
		    a->si.frames ? a->wav.frames : a->si.frames),
		    a->si.channels, (unsigned long long)MEDIA_MAX_SAMPLES);
	if (a->si.frames == 0 && a->wav.frames <= 0)
		return acc_error(cause, "audio has no frames");
	return 0;
}

/* Open a->vio (reading user) as fmt, and check what its header says. */
static int
audio_open_vio(struct audio_src *a, void *user, enum media_format fmt,
    char **cause)
{
	a->fmt = fmt;
	a->sf = sf_open_virtual(&a->vio, SFM_READ, &a->si, user);
	if (a->sf == NULL) {
		/*
		 * A failed open leaves its reason only in libsndfile's global
		 * last error number, so when two threads fail at the same
		 * moment one may report the other's reason.  The file is
		 * refused either way; only the wording can be wrong.  The
		 * number's text is a constant string; sf_strerror(NULL) could
		 * return a global buffer another thread is writing.
		 */
		return acc_error(cause, "cannot decode %s: %s",
		    audio_fmt_name(fmt), sf_error_number(sf_error(NULL)));
	}
	if (audio_check_info(a, cause) != 0) {
		sf_close(a->sf);
		a->sf = NULL;
		return -1;
	}
	return 0;
}

static int
audio_open(struct audio_src *a, const unsigned char *data, size_t len,
    enum media_format fmt, char **cause)
{
	memset(a, 0, sizeof *a);
	if (audio_precheck(a, data, len, fmt, cause) != 0)
		return -1;
	a->mem.data = data;
	a->mem.at.len = (sf_count_t)len;
	a->vio.get_filelen = pos_get_filelen;
	a->vio.seek = pos_seek;
	a->vio.read = mem_read;
	a->vio.write = mem_write;
	a->vio.tell = pos_tell;
	return audio_open_vio(a, &a->mem, fmt, cause);
}

/*
 * Read every frame, handing blocks to fn.  Fails on a decoder error, and
 * when fewer frames arrive than the header claimed (a truncated FLAC, a
 * WAV whose data chunk runs past the end).  Closes the stream.
 */
static int
audio_stream(struct audio_src *a, void (*fn)(void *, const float *,
    sf_count_t), void *arg, int64_t *frames, char **cause)
{
	sf_count_t block, got, total = 0;
	int64_t claimed;
	float *buf;
	int rc = 0;

	block = AUDIO_BLOCK_SAMPLES / a->si.channels;
	buf = xcalloc((size_t)block * (size_t)a->si.channels, sizeof *buf);
	while ((got = sf_readf_float(a->sf, buf, block)) > 0) {
		total += got;
		if ((uint64_t)total > MEDIA_MAX_SAMPLES /
		    (uint64_t)a->si.channels)
			break;
		fn(arg, buf, got);
	}
	claimed = a->unknown_len ? 0 : a->si.frames;
	if (a->wav.frames > claimed)
		claimed = a->wav.frames;
	if ((uint64_t)total > MEDIA_MAX_SAMPLES / (uint64_t)a->si.channels) {
		rc = acc_error(cause, "audio has over %llu frames x %d channels,"
		    " over the %llu-sample limit", (unsigned long long)
		    (MEDIA_MAX_SAMPLES / (uint64_t)a->si.channels),
		    a->si.channels, (unsigned long long)MEDIA_MAX_SAMPLES);
	} else if (total < claimed) {
		rc = acc_error(cause, "truncated audio: header says %lld frames,"
		    " only %lld decoded", (long long)claimed, (long long)total);
	} else if (sf_error(a->sf) != SF_ERR_NO_ERROR) {
		rc = acc_error(cause, "cannot decode %s: %s",
		    audio_fmt_name(a->fmt), sf_strerror(a->sf));
	} else if (total == 0)
		rc = acc_error(cause, "audio has no frames");
	free(buf);
	sf_close(a->sf);
	a->sf = NULL;
	*frames = total;
	return rc;
}

/*
 * The metrics of media.h, accumulated block by block.  Window RMS is over
 * all channels' samples in the window; a window "exceeds" -50 dBFS when its
 * mean square exceeds 10^(-50/10), which avoids a log per window.  The last
 * window may be shorter than 10 ms.
 */
struct audio_acc {
	int channels;
	int64_t win;		/* frames in a 10 ms window */
	double thr;		/* mean square at MEDIA_SILENCE_DB */
	double sumsq;
	float peak;
	uint64_t clipped;
	double win_sum;
	int64_t win_n, win_start, pos;
	int64_t first_loud, last_loud_end;	/* frames; -1: none yet */
};

static void
acc_window(struct audio_acc *s)
{
	if (s->win_n == 0)
		return;
	if (s->win_sum / ((double)s->win_n * s->channels) > s->thr) {
		if (s->first_loud < 0)
			s->first_loud = s->win_start;
		s->last_loud_end = s->win_start + s->win_n;
	}
	s->win_start += s->win_n;
	s->win_n = 0;
	s->win_sum = 0;
}

static void
acc_block(void *arg, const float *buf, sf_count_t frames)
{
	struct audio_acc *s = arg;
	sf_count_t f;
	int c;
	float x, peak = s->peak;
	double fs, sumsq = 0;
	uint64_t clipped = 0;

	for (f = 0; f < frames; f++) {
		fs = 0;
		for (c = 0; c < s->channels; c++) {
			x = fabsf(*buf++);
			fs += (double)x * x;
			if (x > peak)
				peak = x;
			if (x >= MEDIA_CLIP_LEVEL)
				clipped++;
		}
		sumsq += fs;
		s->win_sum += fs;
		if (++s->win_n == s->win)
			acc_window(s);
	}
	s->sumsq += sumsq;
	s->peak = peak;
	s->clipped += clipped;
}

static double
audio_db(double power)
{
	/* -200 dB stands for silence (log of 0), as media.h says. */
	return power > 0 ? 10.0 * log10(power) : -200.0;
}

int
audio_probe(const unsigned char *data, size_t len, enum media_format fmt,
    struct media_info *info, char **cause)
{
	struct audio_src a;
	struct audio_acc s;
	int64_t frames;
	double rate, n, lead, trail;
	int i = 0;

	memset(info, 0, sizeof *info);
	if (audio_open(&a, data, len, fmt, cause) != 0)
		return -1;
	memset(&s, 0, sizeof s);
	s.channels = a.si.channels;
	/* 10 ms, rounded; at least one frame for absurdly low rates. */
	s.win = ((int64_t)a.si.samplerate + 50) / 100;
	if (s.win < 1)
		s.win = 1;
	s.thr = pow(10.0, MEDIA_SILENCE_DB / 10.0);
	s.first_loud = s.last_loud_end = -1;
	if (audio_stream(&a, acc_block, &s, &frames, cause) != 0)
		return -1;
	acc_window(&s);
	/* Only a float file can hold these; its metrics would be NaN. */
	if (!isfinite(s.sumsq))
		return acc_error(cause, "audio has NaN or infinite samples");

	rate = a.si.samplerate;
	n = (double)frames * s.channels;
	if (s.first_loud < 0)
		lead = trail = (double)frames / rate;
	else {
		lead = (double)s.first_loud / rate;
		trail = (double)(frames - s.last_loud_end) / rate;
	}
	info->format = fmt;
	info->kind = MEDIA_KIND_AUDIO;
	info->rate = a.si.samplerate;
	info->channels = a.si.channels;
	info->frames = frames;
	info->metrics[i++] = (struct media_metric){ "duration_s",
	    (double)frames / rate };
	info->metrics[i++] = (struct media_metric){ "rms_db",
	    audio_db(s.sumsq / n) };
	info->metrics[i++] = (struct media_metric){ "peak_db",
	    audio_db((double)s.peak * s.peak) };
	info->metrics[i++] = (struct media_metric){ "clipped",
	    (double)s.clipped / n };
	info->metrics[i++] = (struct media_metric){ "lead_silence_s", lead };
	info->metrics[i++] = (struct media_metric){ "trail_silence_s", trail };
	info->nmetrics = i;
	return 0;
}

/* Mono decode: grows with what is decoded, never trusting the header. */
struct mono_acc {
	int channels;
	int64_t n, cap, max;
	float *mono;
};

static void
mono_block(void *arg, const float *buf, sf_count_t frames)
{
	struct mono_acc *m = arg;
	sf_count_t f;
	int c;
	double sum;

	if (m->n + frames > m->cap) {
		while (m->n + frames > m->cap)
			m->cap = m->cap * 2;
		if (m->cap > m->max && m->max >= m->n + frames)
			m->cap = m->max;
		m->mono = xreallocarray(m->mono, (size_t)m->cap,
		    sizeof *m->mono);
	}
	for (f = 0; f < frames; f++) {
		sum = 0;
		for (c = 0; c < m->channels; c++)
			sum += *buf++;
		m->mono[m->n++] = (float)(sum / m->channels);
	}
}

int
audio_decode_mono(const unsigned char *data, size_t len, struct audio *out,
    char **cause)
{
	struct audio_src a;
	struct mono_acc m;
	int64_t frames;

	memset(out, 0, sizeof *out);
	if (audio_open(&a, data, len, media_sniff(data, len), cause) != 0)
		return -1;
	memset(&m, 0, sizeof m);
	m.channels = a.si.channels;
	/*
	 * libsndfile never returns more frames than si.frames (SF_COUNT_MAX
	 * when unknown); growing by doubling up to it trusts no header.
	 */
	m.max = a.si.frames;
	m.cap = m.max < 65536 ? m.max : 65536;
	if (m.cap < 1)
		m.cap = 1;
	m.mono = xcalloc((size_t)m.cap, sizeof *m.mono);
	if (audio_stream(&a, mono_block, &m, &frames, cause) != 0) {
		free(m.mono);
		return -1;
	}
	out->rate = a.si.samplerate;
	out->channels = a.si.channels;
	out->frames = frames;
	out->mono = m.mono;
	return 0;
}

void
audio_free(struct audio *a)
{
	if (a == NULL)
		return;
	free(a->mono);
	a->mono = NULL;
	a->frames = 0;
}

/* --- the summary: from memory, or from a file hashed as it is read ---- */

static void
sum_block(void *arg, const float *buf, sf_count_t frames)
{
	audio_sum_feed(arg, buf, (int64_t)frames);
}

/*
 * A long WAV or FLAC whose length the header gives is decoded in parts
 * at once, one thread each: libsndfile's decode (its conversion to float
 * above all) is most of the time, and a labeler's machine has cores to
 * spare.  The parts are cut at spectrum units (audio_sum_new_part), so
 * the summary is the one a single pass makes, bit for bit.  Ogg Vorbis
 * is decoded in one pass: its seeking is by granule and not exact.
 */
#define AUDIO_PAR_MIN ((int64_t)1 << 24)	/* frames: 17 min at 16 kHz */
#define AUDIO_PAR_MAX 4

/* How to open the same bytes again, for each part's own stream. */
struct audio_reopen {
	int (*open)(void *ctx, struct audio_src *a, char **cause);
	void (*meanwhile)(void *ctx);	/* on the caller's thread; or NULL */
	void *ctx;
	int parts;			/* 0: as audio_parts() says */
};

struct audio_part {
	struct audio_src a;
	struct audio_sum *m;
	int64_t from, to;
	int rc, started;
	char *cause;
	pthread_t th;
};

static int
audio_parts(const struct audio_src *a, const struct audio_reopen *ro)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (ro == NULL || a->unknown_len || a->wav.frames > a->si.frames ||
	    (a->fmt != MEDIA_FMT_WAV && a->fmt != MEDIA_FMT_FLAC))
		return 1;
	if (ro->parts > 0)
		return ro->parts < AUDIO_PAR_MAX ? ro->parts : AUDIO_PAR_MAX;
	if (a->si.frames < AUDIO_PAR_MIN || ncpu < 2)
		return 1;
	return ncpu < AUDIO_PAR_MAX ? (int)ncpu : AUDIO_PAR_MAX;
}

/* One part: seek, read [from, to), feed.  Closes its stream. */
static void *
part_run(void *arg)
{
	struct audio_part *j = arg;
	sf_count_t block = AUDIO_BLOCK_SAMPLES / j->a.si.channels, got;
	int64_t pos = j->from;
	float *buf = xcalloc((size_t)block * (size_t)j->a.si.channels,
	    sizeof *buf);

	if (sf_seek(j->a.sf, j->from, SEEK_SET) != j->from)
		j->rc = acc_error(&j->cause, "cannot decode %s: cannot seek "
		    "to frame %lld", audio_fmt_name(j->a.fmt),
		    (long long)j->from);
	while (j->rc == 0 && pos < j->to) {
		if (block > j->to - pos)
			block = j->to - pos;
		if ((got = sf_readf_float(j->a.sf, buf, block)) <= 0)
			break;
		audio_sum_feed(j->m, buf, got);
		pos += got;
	}
	if (j->rc == 0 && sf_error(j->a.sf) != SF_ERR_NO_ERROR)
		j->rc = acc_error(&j->cause, "cannot decode %s: %s",
		    audio_fmt_name(j->a.fmt), sf_strerror(j->a.sf));
	else if (j->rc == 0 && pos < j->to)
		j->rc = acc_error(&j->cause, "truncated audio: header says "
		    "%lld frames, decoding stopped at %lld",
		    (long long)j->a.si.frames, (long long)pos);
	free(buf);
	sf_close(j->a.sf);
	j->a.sf = NULL;
	return NULL;
}

/* The parts of a (closed here), each on its own stream and thread. */
static int
summarize_parts(struct audio_src *a, int n, const struct audio_reopen *ro,
    struct audio_summary *out, char **cause)
{
	struct audio_part *j = xcalloc((size_t)n, sizeof *j);
	struct audio_sum **ms = xcalloc((size_t)n, sizeof *ms);
	int64_t frames = a->si.frames;
	int i, rc = 0;

	sf_close(a->sf);
	a->sf = NULL;
	for (i = 0; i < n && rc == 0; i++) {
		if ((rc = ro->open(ro->ctx, &j[i].a, cause)) != 0)
			break;
		if ((ms[i] = j[i].m = audio_sum_new_part(a->si.samplerate,
		    a->si.channels, frames, i, n, &j[i].from, &j[i].to,
		    cause)) == NULL) {
			sf_close(j[i].a.sf);
			rc = -1;
		}
	}
	for (i = 0; i < n && ms[i] != NULL; i++)
		j[i].started = pthread_create(&j[i].th, NULL, part_run,
		    &j[i]) == 0;
	if (ro->meanwhile != NULL)
		ro->meanwhile(ro->ctx);
	for (i = 0; i < n && ms[i] != NULL; i++) {
		if (j[i].started)
			pthread_join(j[i].th, NULL);
		else
			part_run(&j[i]);	/* no thread: here */
	}
	for (i = 0; i < n && ms[i] != NULL; i++) {
		if (j[i].rc != 0 && rc == 0) {
			rc = -1;
			if (cause != NULL) {
				*cause = j[i].cause;
				j[i].cause = NULL;
			}
		}
		free(j[i].cause);
	}
	if (rc == 0)
		audio_sum_join(ms, n, frames, out);
	else
		for (i = 0; i < n; i++)
			audio_sum_free(ms[i]);
	free(ms);
	free(j);
	return rc;
}

/*
 * Stream an opened source into *out: in parts at once when ro allows and
 * the clip is long enough (audio_parts), else in one pass.  Closes the
 * stream.
 */
static int
summarize(struct audio_src *a, const struct audio_reopen *ro,
    struct audio_summary *out, char **cause)
{
	struct audio_sum *m;
	int64_t frames;
	int n = audio_parts(a, ro);

	if (n > 1)
		return summarize_parts(a, n, ro, out, cause);
	m = audio_sum_new(a->si.samplerate, a->si.channels,
	    a->unknown_len ? -1 : (int64_t)a->si.frames, cause);
	if (m == NULL) {
		sf_close(a->sf);
		return -1;
	}
	if (audio_stream(a, sum_block, m, &frames, cause) != 0) {
		audio_sum_free(m);
		return -1;
	}
	if (ro != NULL && ro->meanwhile != NULL)
		ro->meanwhile(ro->ctx);
	audio_sum_finish(m, out);
	return 0;
}

/* The bytes in memory, again. */
struct mem_again {
	const unsigned char *data;
	size_t len;
	enum media_format fmt;
};

static int
mem_reopen(void *ctx, struct audio_src *a, char **cause)
{
	struct mem_again *g = ctx;

	return audio_open(a, g->data, g->len, g->fmt, cause);
}

int
audio_summarize(const unsigned char *data, size_t len,
    struct audio_summary *out, char **cause)
{
	return audio_summarize_parts(data, len, 0, out, cause);
}

int
audio_summarize_parts(const unsigned char *data, size_t len, int parts,
    struct audio_summary *out, char **cause)
{
	struct audio_src a;
	struct mem_again g = { data, len, media_sniff(data, len) };
	struct audio_reopen ro = { mem_reopen, NULL, &g, parts };

	memset(out, 0, sizeof *out);
	if (audio_open(&a, data, len, g.fmt, cause) != 0)
		return -1;
	return summarize(&a, &ro, out, cause);
}

/*
 * A file for libsndfile's virtual I/O that hashes its bytes in order as
 * they are read.  libsndfile reads mostly forward but seeks in headers:
 * bytes it skips are read and hashed when it reads past them, bytes it
 * reads twice are hashed once, and what it never reads (chunks after the
 * audio) is hashed at the end.
 */
#define FILE_BLOCK ((size_t)64 << 10)

struct audio_file {
	struct audio_pos at;		/* first */
	int fd;
	sf_count_t hashed;	/* bytes [0, hashed) are in md */
	EVP_MD_CTX *md;
	unsigned char *scratch;	/* FILE_BLOCK bytes, for skipped parts */
	int err;		/* errno of a failed read, 0 */
};

/* Up to n bytes at off; fewer only at the end of the file or on error. */
static sf_count_t
file_pread(struct audio_file *f, void *p, size_t n, sf_count_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(f->fd, (char *)p + got, n - got,
		    (off_t)off + (off_t)got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			f->err = errno;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (sf_count_t)got;
}

static void
file_hash(struct audio_file *f, const unsigned char *p, sf_count_t off,
    sf_count_t n)
{
	if (off > f->hashed || off + n <= f->hashed)
		return;
	p += f->hashed - off;
	n -= f->hashed - off;
	if (!EVP_DigestUpdate(f->md, p, (size_t)n))
		acc_fatal("EVP sha256 update failed");
	f->hashed += n;
}

/* Hash the bytes from f->hashed up to `to` (-1: the end of the file). */
static void
file_hash_upto(struct audio_file *f, sf_count_t to)
{
	while (to < 0 || f->hashed < to) {
		size_t want = FILE_BLOCK;
		sf_count_t got;

		if (to >= 0 && (sf_count_t)want > to - f->hashed)
			want = (size_t)(to - f->hashed);
		got = file_pread(f, f->scratch, want, f->hashed);
		if (got == 0)
			break;
		file_hash(f, f->scratch, f->hashed, got);
	}
}

static sf_count_t
file_read(void *ptr, sf_count_t count, void *user)
{
	struct audio_file *f = user;
	sf_count_t got;

	if (count <= 0)
		return 0;
	/* A part's own stream (md NULL) hashes nothing: the caller's does. */
	if (f->md != NULL)
		file_hash_upto(f, f->at.pos);
	got = file_pread(f, ptr, (size_t)count, f->at.pos);
	if (f->md != NULL)
		file_hash(f, ptr, f->at.pos, got);
	f->at.pos += got;
	return got;
}

/*
 * Open the file f as fmt.  The checks audio_precheck makes on a file in
 * memory (a WAV or Ogg file cut short) need all of it; they are not made
 * here: the caller compares the bytes' SHA-256 with the one import
 * recorded after making them on the same bytes.
 */
static int
file_open(struct audio_src *a, struct audio_file *f, enum media_format fmt,
    char **cause)
{
	memset(a, 0, sizeof *a);
	a->wav.frames = -1;
	a->vio.get_filelen = pos_get_filelen;
	a->vio.seek = pos_seek;
	a->vio.read = file_read;
	a->vio.write = mem_write;
	a->vio.tell = pos_tell;
	return audio_open_vio(a, f, fmt, cause);
}

/* The file again, for a part: its own position, no hashing. */
struct file_again {
	struct audio_file *f;		/* the caller's, which hashes */
	struct audio_file part[AUDIO_PAR_MAX];
	int n;
	enum media_format fmt;
};

static int
file_reopen(void *ctx, struct audio_src *a, char **cause)
{
	struct file_again *g = ctx;
	struct audio_file *p = &g->part[g->n++];

	memset(p, 0, sizeof *p);
	p->fd = g->f->fd;
	p->at.len = g->f->at.len;
	return file_open(a, p, g->fmt, cause);
}

/* While the parts decode, the caller's thread hashes the whole file. */
static void
file_meanwhile(void *ctx)
{
	file_hash_upto(((struct file_again *)ctx)->f, -1);
}

/*
 * The summary of f's bytes, and their SHA-256 into sha (the whole file's,
 * also when the decode fails).  0, or -1 with *cause.
 */
static int
summarize_file(struct audio_file *f, int parts, char sha[65],
    struct audio_summary *out, char **cause)
{
	struct audio_src a;
	struct file_again g;
	struct audio_reopen ro = { file_reopen, file_meanwhile, &g, parts };
	unsigned char head[16];
	sf_count_t n;
	int rc, i;

	memset(&g, 0, sizeof g);
	g.f = f;
	n = file_pread(f, head, sizeof head, 0);
	g.fmt = media_sniff(head, (size_t)n);
	if (f->at.len == 0)
		rc = acc_error(cause, "zero-byte file");
	else if ((rc = file_open(&a, f, g.fmt, cause)) == 0)
		rc = summarize(&a, &ro, out, cause);
	for (i = 0; i < g.n; i++)
		if (g.part[i].err != 0 && f->err == 0)
			f->err = g.part[i].err;
	file_hash_upto(f, -1);
	media_sha_final(f->md, sha);
	return rc;
}

int
audio_summarize_file(const char *path, const char *sha256,
    struct audio_summary *out, char **cause)
{
	return audio_summarize_file_parts(path, sha256, 0, out, cause);
}

int
audio_summarize_file_parts(const char *path, const char *sha256, int parts,
    struct audio_summary *out, char **cause)
{
	struct audio_file f;
	long long size;
	char *why = NULL, sha[65];
	int rc;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	if ((f.fd = acc_open_regular(path, &size, &why)) == -1) {
		acc_error(cause, "cannot read the file: %s", why);
		free(why);
		return -1;
	}
	if ((unsigned long long)size > MEDIA_MAX_FILE_BYTES) {
		close(f.fd);
		return acc_error(cause, "cannot read the file: file is %lld "
		    "bytes, over the %zu-byte limit", size,
		    MEDIA_MAX_FILE_BYTES);
	}
	f.at.len = (sf_count_t)size;
	if ((f.md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(f.md, EVP_sha256(), NULL))
		acc_fatal("EVP sha256 init failed");
	f.scratch = xmalloc(FILE_BLOCK);
	rc = summarize_file(&f, parts, sha, out, &why);
	EVP_MD_CTX_free(f.md);
	free(f.scratch);
	close(f.fd);
	/* A read error or other bytes explain a failed decode: they come
	 * first. */
	if (f.err != 0) {
		rc = acc_error(cause, "cannot read the file: read failed: %s",
		    strerror(f.err));
	} else if (sha256 != NULL && strcmp(sha, sha256) != 0) {
		rc = acc_error(cause, "the file changed since it was imported "
		    "(its SHA-256 differs); ask an admin to re-import it");
	} else if (rc != 0) {
		if (cause != NULL) {
			*cause = why;
			why = NULL;
		}
		rc = -2;
	}
	free(why);
	if (rc != 0)
		audio_summary_free(out);
	return rc;
}
