/*
 * test_audio_view.c: peaks and spectrogram of clips made here, so every
 * expected value is known: a ramp's extremes, a sine's level in dB, and one
 * frame checked against a direct O(N^2) DFT (core/audio_view.c).  Then the
 * streamed summary the label screen draws from (audio_summarize and
 * friends) against that direct computation: equal for short clips, within
 * stated tolerances for long ones (units of several samples or frames,
 * strided FFT frames, spans doubled for a stream of unknown length).
 */
#include <sys/stat.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sndfile.h>

#include "accord/media.h"
#include "accord/util.h"
#include "../../core/audio_int.h"
#include "t.h"

static uint32_t rng_state = 2463534242u;

/* Uniform in -1..1 (xorshift32). */
static float
noise(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (float)(rng_state / 2147483648.0 - 1.0);
}

static void
clip_new(struct audio *a, int rate, int64_t frames)
{
	a->rate = rate;
	a->channels = 1;
	a->frames = frames;
	a->mono = xcalloc(frames > 0 ? (size_t)frames : 1, sizeof *a->mono);
}

/* Add amp * sin(2 pi f t) to the clip. */
static void
clip_sine(struct audio *a, double f, double amp)
{
	int64_t i;

	for (i = 0; i < a->frames; i++)
		a->mono[i] += (float)(amp * sin(2.0 * M_PI * f * (double)i /
		    a->rate));
}

static float
db_at(const struct spectrogram *s, int c, int r)
{
	return s->db[(size_t)c * (size_t)s->rows + (size_t)r];
}

static void
t_peaks_ramp(void)
{
	struct audio a;
	float mins[7], maxs[7];
	char *cause = NULL;
	int64_t i, n = 1003, start, end;
	int c;

	/* A rising ramp: each span's min is its first sample, max its last. */
	clip_new(&a, 8000, n);
	for (i = 0; i < n; i++)
		a.mono[i] = (float)(2.0 * (double)i / (double)(n - 1) - 1.0);
	T_EQ_INT(audio_peaks(&a, 7, mins, maxs, &cause), 0);
	for (c = 0; c < 7; c++) {
		start = n * c / 7;
		end = n * (c + 1) / 7;
		T_NEAR(mins[c], a.mono[start], 0);
		T_NEAR(maxs[c], a.mono[end - 1], 0);
	}
	T_NEAR(mins[0], -1.0, 0);
	T_NEAR(maxs[6], 1.0, 1e-7);
	audio_free(&a);
}

static void
t_peaks_sine(void)
{
	struct audio a;
	float mins[8], maxs[8];
	char *cause = NULL;
	int c;

	/* 4 cycles in 8 columns: each column holds one half cycle. */
	clip_new(&a, 8000, 8000);
	clip_sine(&a, 4.0, 0.8);
	T_EQ_INT(audio_peaks(&a, 8, mins, maxs, &cause), 0);
	for (c = 0; c < 8; c++) {
		if (c % 2 == 0) {
			T_NEAR(mins[c], 0.0, 1e-3);
			T_NEAR(maxs[c], 0.8, 1e-4);
		} else {
			T_NEAR(mins[c], -0.8, 1e-4);
			T_NEAR(maxs[c], 0.0, 1e-3);
		}
	}
	audio_free(&a);
}

static void
t_peaks_short_and_empty(void)
{
	struct audio a;
	float mins[6], maxs[6];
	char *cause = NULL;

	/* 3 samples in 6 columns: spans 0, 2, 4 are empty and read 0. */
	clip_new(&a, 8000, 3);
	a.mono[0] = 0.5f;
	a.mono[1] = -0.25f;
	a.mono[2] = 0.75f;
	T_EQ_INT(audio_peaks(&a, 6, mins, maxs, &cause), 0);
	T_NEAR(mins[0], 0, 0);
	T_NEAR(maxs[0], 0, 0);
	T_NEAR(mins[1], 0.5, 0);
	T_NEAR(maxs[1], 0.5, 0);
	T_NEAR(mins[3], -0.25, 0);
	T_NEAR(maxs[5], 0.75, 0);
	T_NEAR(mins[4], 0, 0);
	audio_free(&a);

	clip_new(&a, 8000, 0);
	mins[0] = maxs[0] = 9;
	T_EQ_INT(audio_peaks(&a, 1, mins, maxs, &cause), 0);
	T_NEAR(mins[0], 0, 0);
	T_NEAR(maxs[0], 0, 0);
	T_EQ_INT(audio_peaks(&a, 0, mins, maxs, &cause), -1);
	T_CHECK(cause != NULL);
	free(cause);
	audio_free(&a);
}

/*
 * 16 kHz, 32 bands of 250 Hz.  2125 Hz is bin 68 exactly (31.25 Hz bins)
 * in the middle of band 8; 2140 Hz is between bins, so its main lobe
 * spreads over four bins and its sidelobes leak everywhere.
 */
static void
sine_level(double f)
{
	struct audio a;
	struct spectrogram s;
	char *cause = NULL;
	int c, r;

	clip_new(&a, 16000, 32000);
	clip_sine(&a, f, 1.0);
	T_EQ_INT(audio_spectrogram(&a, 20, 32, &s, &cause), 0);
	T_EQ_INT(s.cols, 20);
	T_EQ_INT(s.rows, 32);
	T_NEAR(s.max_db, 0.0, 1.0);
	/* The first and last columns hold half-empty edge frames. */
	for (c = 1; c < 19; c++) {
		T_NEAR(db_at(&s, c, 8), 0.0, 1.0);
		for (r = 0; r < 32; r++) {
			if (r != 8 && db_at(&s, c, r) >= db_at(&s, c, 8))
				T_FAIL("column %d: row %d >= row 8", c, r);
			if ((r < 5 || r > 11) && db_at(&s, c, r) > -40.0f)
				T_FAIL("column %d row %d: %g dB", c, r,
				    (double)db_at(&s, c, r));
		}
	}
	spectrogram_free(&s);
	T_CHECK(s.db == NULL);
	audio_free(&a);
}

static void
t_spectrogram_sine_on_bin(void)
{
	sine_level(2125.0);
}

static void
t_spectrogram_sine_between_bins(void)
{
	sine_level(2140.0);
}

static void
t_spectrogram_silence(void)
{
	struct audio a;
	struct spectrogram s;
	char *cause = NULL;
	int i;

	clip_new(&a, 16000, 16000);
	T_EQ_INT(audio_spectrogram(&a, 16, 8, &s, &cause), 0);
	T_NEAR(s.max_db, AUDIO_SPEC_FLOOR_DB, 0);
	for (i = 0; i < 16 * 8; i++)
		T_NEAR(s.db[i], AUDIO_SPEC_FLOOR_DB, 0);
	spectrogram_free(&s);
	/* A sample at 1e-9 is far under the floor: still the floor. */
	a.mono[8000] = 1e-9f;
	T_EQ_INT(audio_spectrogram(&a, 16, 8, &s, &cause), 0);
	T_NEAR(s.max_db, AUDIO_SPEC_FLOOR_DB, 0);
	spectrogram_free(&s);
	audio_free(&a);

	/* No samples at all. */
	clip_new(&a, 16000, 0);
	T_EQ_INT(audio_spectrogram(&a, 4, 4, &s, &cause), 0);
	T_NEAR(s.db[15], AUDIO_SPEC_FLOOR_DB, 0);
	spectrogram_free(&s);
	audio_free(&a);
}

static void
t_spectrogram_short_clip(void)
{
	struct audio a;
	struct spectrogram s;
	char *cause = NULL;
	int c, r;

	/* 300 samples, under one frame; 1250 Hz is in band 2 of 16. */
	clip_new(&a, 16000, 300);
	clip_sine(&a, 1250.0, 1.0);
	T_EQ_INT(audio_spectrogram(&a, 10, 16, &s, &cause), 0);
	for (c = 0; c < 10; c++) {
		for (r = 0; r < 16; r++)
			if (r != 2 && db_at(&s, c, r) >= db_at(&s, c, 2))
				T_FAIL("column %d: row %d >= row 2", c, r);
		/* Zero-padded, so quieter than 0 dB, but clearly there. */
		T_CHECK(db_at(&s, c, 2) > -15.0f && db_at(&s, c, 2) < 0.5f);
	}
	spectrogram_free(&s);
	audio_free(&a);

	clip_new(&a, 16000, 1);
	a.mono[0] = 1.0f;
	T_EQ_INT(audio_spectrogram(&a, 3, 5, &s, &cause), 0);
	T_CHECK(s.max_db > AUDIO_SPEC_FLOOR_DB);
	spectrogram_free(&s);
	audio_free(&a);
}

static void
t_spectrogram_two_tones(void)
{
	struct audio a;
	struct spectrogram s;
	char *cause = NULL;
	int c, r;

	/* 400 Hz bands: 1 kHz in band 2, 3 kHz in band 7; -6 dB each. */
	clip_new(&a, 16000, 24000);
	clip_sine(&a, 1000.0, 0.5);
	clip_sine(&a, 3000.0, 0.5);
	T_EQ_INT(audio_spectrogram(&a, 12, 20, &s, &cause), 0);
	for (c = 1; c < 11; c++) {
		T_NEAR(db_at(&s, c, 2), -6.02, 1.0);
		T_NEAR(db_at(&s, c, 7), -6.02, 1.0);
		for (r = 0; r < 20; r++) {
			if (r == 2 || r == 7)
				continue;
			if (db_at(&s, c, r) > -40.0f)
				T_FAIL("column %d row %d: %g dB", c, r,
				    (double)db_at(&s, c, r));
		}
	}
	spectrogram_free(&s);
	audio_free(&a);
}

/*
 * One frame against the definition: with cols = frames / hop every column
 * holds exactly one frame (centred on c * hop), and with rows = N / 2 band
 * r is bin r (the top band also takes the Nyquist bin).
 */
static void
t_spectrogram_matches_direct_dft(void)
{
	enum { N = AUDIO_SPEC_FRAME, HOP = AUDIO_SPEC_HOP, COLS = 40 };
	struct audio a;
	struct spectrogram s;
	char *cause = NULL;
	double x[N], power[N / 2 + 1], ref, want, got, worst = 0;
	int c = 20, k, i, r;

	clip_new(&a, 8000, (int64_t)COLS * HOP);
	for (i = 0; i < COLS * HOP; i++)
		a.mono[i] = 0.5f * noise();
	T_EQ_INT(audio_spectrogram(&a, COLS, N / 2, &s, &cause), 0);

	for (i = 0; i < N; i++)
		x[i] = a.mono[c * HOP - N / 2 + i] *
		    (0.5 - 0.5 * cos(2.0 * M_PI * i / N));
	for (k = 0; k <= N / 2; k++) {
		double re = 0, im = 0;

		for (i = 0; i < N; i++) {
			re += x[i] * cos(2.0 * M_PI * k * i / N);
			im -= x[i] * sin(2.0 * M_PI * k * i / N);
		}
		power[k] = re * re + im * im;
	}
	power[N / 2 - 1] += power[N / 2];
	/* A full-scale sine's one-sided power: 3 N^2 / 32 (audio_view.c). */
	ref = 3.0 * N * N / 32.0;
	for (r = 0; r < N / 2; r++) {
		/* Compare magnitudes: sqrt of the power, relative. */
		want = sqrt(power[r]);
		got = sqrt(ref * pow(10.0, db_at(&s, c, r) / 10.0));
		if (fabs(got - want) / want > worst)
			worst = fabs(got - want) / want;
	}
	if (!(worst <= 1e-3))
		T_FAIL("worst relative magnitude error %g", worst);
	spectrogram_free(&s);
	audio_free(&a);
}

struct job {
	const struct audio *a;
	struct spectrogram s;
	int rc;
};

static void *
job_run(void *arg)
{
	struct job *j = arg;

	j->rc = audio_spectrogram(j->a, 64, 24, &j->s, NULL);
	return NULL;
}

/* Plans are made under a lock: threads at once give the same answers. */
static void
t_spectrogram_threads(void)
{
	struct audio a;
	struct spectrogram one;
	struct job jobs[4];
	pthread_t th[4];
	int i, round;

	clip_new(&a, 16000, 40000);
	for (i = 0; i < 40000; i++)
		a.mono[i] = 0.3f * noise();
	T_EQ_INT(audio_spectrogram(&a, 64, 24, &one, NULL), 0);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 4; i++) {
			jobs[i].a = &a;
			pthread_create(&th[i], NULL, job_run, &jobs[i]);
		}
		for (i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			T_EQ_INT(jobs[i].rc, 0);
			if (jobs[i].rc == 0 && memcmp(jobs[i].s.db, one.db,
			    sizeof *one.db * 64 * 24) != 0)
				T_FAIL("thread %d differs", i);
			spectrogram_free(&jobs[i].s);
		}
	}
	spectrogram_free(&one);
	audio_free(&a);
}

static void
t_spectrogram_bad_arguments(void)
{
	struct audio a;
	struct spectrogram s;
	char *cause = NULL;

	clip_new(&a, 16000, 100);
	T_EQ_INT(audio_spectrogram(&a, 0, 10, &s, &cause), -1);
	T_CHECK(cause != NULL && s.db == NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(audio_spectrogram(&a, 10, -1, &s, &cause), -1);
	free(cause);
	audio_free(&a);
}

/* --- the streamed summary -------------------------------------------- */

/*
 * The pane of cols x rows (spectrogram rows: bands) drawn from the
 * summary against the direct computation on the mono clip: peaks within
 * ptol, every spectrogram cell within dbtol dB (cells under the direct
 * map's max - 80 dB, the colour map's black, within 3 dB when dbtol is
 * looser than the float rounding's 0.01), max_db within dbtol.  With
 * units of several frames, a click's share of its column's power depends
 * on which frames the column takes (or samples): the columns next to
 * sample `click` (-1: none) are left out of the spectrogram's comparison,
 * and so are the first and last columns when units are several frames
 * long: they hold the zero-padded edge frames, whose leakage (a cut, not
 * sound) a unit dilutes or its sampled frames miss.  The peaks are
 * compared everywhere.
 */
static void
summary_vs_direct_click(const struct audio *a, const struct audio_summary *s,
    int cols, int rows, float ptol, float dbtol, int64_t click)
{
	float *dmin, *dmax, *smin, *smax;
	struct spectrogram d, v;
	int c, bad = 0;
	size_t i;

	dmin = xcalloc((size_t)cols, sizeof *dmin);
	dmax = xcalloc((size_t)cols, sizeof *dmax);
	smin = xcalloc((size_t)cols, sizeof *smin);
	smax = xcalloc((size_t)cols, sizeof *smax);
	T_EQ_INT(audio_peaks(a, cols, dmin, dmax, NULL), 0);
	T_EQ_INT(audio_summary_peaks(s, cols, smin, smax, NULL), 0);
	for (c = 0; c < cols && bad < 5; c++)
		if (fabsf(dmin[c] - smin[c]) > ptol ||
		    fabsf(dmax[c] - smax[c]) > ptol) {
			T_FAIL("%d cols, column %d: direct %g..%g, summary "
			    "%g..%g", cols, c, (double)dmin[c], (double)dmax[c],
			    (double)smin[c], (double)smax[c]);
			bad++;
		}
	T_EQ_INT(audio_spectrogram(a, cols, rows, &d, NULL), 0);
	T_EQ_INT(audio_summary_spectrogram(s, cols, rows, &v, NULL), 0);
	T_EQ_INT(v.cols, cols);
	T_EQ_INT(v.rows, rows);
	T_NEAR(v.max_db, d.max_db, dbtol);
	for (i = 0; i < (size_t)cols * rows && bad < 5; i++) {
		float tol = dbtol;
		int64_t cc = (int64_t)(i / (size_t)rows);

		if (click >= 0 && llabs(cc - click * cols / a->frames) <= 1)
			continue;
		if (s->spec_span > 1 && (cc == 0 || cc == cols - 1))
			continue;

		if (d.db[i] < d.max_db - 80.0f && dbtol > 0.01f)
			tol = 3.0f + dbtol;
		if (fabsf(d.db[i] - v.db[i]) > tol) {
			T_FAIL("%dx%d: column %zu band %zu: direct %g dB, "
			    "summary %g dB", cols, rows, i / (size_t)rows,
			    i % (size_t)rows, (double)d.db[i], (double)v.db[i]);
			bad++;
		}
	}
	spectrogram_free(&d);
	spectrogram_free(&v);
	free(dmin);
	free(dmax);
	free(smin);
	free(smax);
}

static void
summary_vs_direct(const struct audio *a, const struct audio_summary *s,
    int cols, int rows, float ptol, float dbtol)
{
	summary_vs_direct_click(a, s, cols, rows, ptol, dbtol, -1);
}

/* Noise, a tone, a silent stretch and one spike: something everywhere. */
static void
clip_mixed(struct audio *a, int rate, int64_t frames)
{
	int64_t i;

	clip_new(a, rate, frames);
	clip_sine(a, 1000.0, 0.3);
	for (i = 0; i < frames; i++)
		a->mono[i] += 0.05f * noise();
	for (i = frames / 3; i < frames / 2; i++)
		a->mono[i] = 0.0f;
	a->mono[frames * 7 / 10] = 0.95f;
}

static void
t_summary_short_equals_direct(void)
{
	static const int64_t lens[] = { 1, 100, 700, 48000, 200003 };
	static const int cols[] = { 1, 3, 80, 199, 4096 };
	static const int rows[] = { 1, 7, 40, 300 };
	struct audio a;
	struct audio_summary s;
	size_t l, c;

	for (l = 0; l < sizeof lens / sizeof lens[0]; l++) {
		clip_mixed(&a, 16000, lens[l]);
		T_EQ_INT(audio_summary_from_mono(&a, &s, NULL), 0);
		/* Short: every sample and every frame is its own unit. */
		T_EQ_INT(s.peak_span, 1);
		T_EQ_INT(s.spec_span, 1);
		T_CHECK(s.frames == lens[l]);
		for (c = 0; c < sizeof cols / sizeof cols[0]; c++)
			summary_vs_direct(&a, &s, cols[c], rows[c % 4], 0.0f,
			    0.01f);
		summary_vs_direct(&a, &s, 120, 300, 0.0f, 0.01f);
		audio_summary_free(&s);
		audio_free(&a);
	}
}

/* A 16-bit PCM WAV of frames x channels in memory: channel c of frame f
 * is sample(f, c) in -1..1. */
static unsigned char *
wav_make(int rate, int channels, int64_t frames, size_t *len,
    float (*sample)(int64_t, int))
{
	size_t data = (size_t)frames * (size_t)channels * 2;
	unsigned char *w = xcalloc(44 + data, 1), *p = w;
	int64_t f;
	int c;

#define PUT32(v) do { uint32_t x_ = (v); *p++ = x_ & 255; *p++ = x_ >> 8 & 255; \
	*p++ = x_ >> 16 & 255; *p++ = x_ >> 24; } while (0)
#define PUT16(v) do { unsigned x_ = (v); *p++ = x_ & 255; *p++ = x_ >> 8 & 255; } while (0)
	memcpy(p, "RIFF", 4), p += 4;
	PUT32((uint32_t)(36 + data));
	memcpy(p, "WAVEfmt ", 8), p += 8;
	PUT32(16);
	PUT16(1);
	PUT16((unsigned)channels);
	PUT32((uint32_t)rate);
	PUT32((uint32_t)(rate * channels * 2));
	PUT16((unsigned)channels * 2);
	PUT16(16);
	memcpy(p, "data", 4), p += 4;
	PUT32((uint32_t)data);
	for (f = 0; f < frames; f++)
		for (c = 0; c < channels; c++)
			PUT16((unsigned)(uint16_t)(int16_t)lrintf(32767.0f *
			    sample(f, c)));
#undef PUT32
#undef PUT16
	*len = 44 + data;
	return w;
}

static float
stereo_sample(int64_t f, int c)
{
	return c == 0 ? 0.6f * sinf((float)f * 0.07f) :
	    (f % 5000 < 2500 ? 0.2f : -0.45f);
}

static int
write_file(const char *path, const unsigned char *p, size_t n)
{
	FILE *fp = fopen(path, "wb");
	int ok = fp != NULL && fwrite(p, 1, n, fp) == n;

	if (fp != NULL && fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static void
t_summary_bytes_and_file(void)
{
	struct audio a;
	struct audio_summary m, f;
	unsigned char *wav;
	char dir[512], path[600], fifo[600], sha[65], *cause = NULL;
	size_t len;

	wav = wav_make(44100, 2, 66150, &len, stereo_sample);
	T_EQ_INT(audio_decode_mono(wav, len, &a, &cause), 0);
	T_EQ_INT(audio_summarize(wav, len, &m, &cause), 0);
	T_EQ_INT(m.channels, 2);
	T_EQ_INT(m.rate, 44100);
	T_CHECK(m.frames == 66150);
	summary_vs_direct(&a, &m, 100, 40, 0.0f, 0.01f);
	summary_vs_direct(&a, &m, 1000, 7, 0.0f, 0.01f);

	if (t_mkdtemp(dir, sizeof dir, "audio-view") == NULL) {
		T_FAIL("mkdtemp: %s", strerror(errno));
		goto out;
	}
	snprintf(path, sizeof path, "%s/clip.wav", dir);
	T_EQ_INT(write_file(path, wav, len), 0);
	acc_sha256_hex(wav, len, sha);
	/* From the file, hashed as read: the same summary, to the bit. */
	T_EQ_INT(audio_summarize_file(path, sha, &f, &cause), 0);
	T_CHECK(f.frames == m.frames && f.npeak == m.npeak &&
	    f.nspec == m.nspec);
	T_CHECK(f.npeak == m.npeak && memcmp(f.mins, m.mins,
	    (size_t)m.npeak * sizeof *m.mins) == 0 && memcmp(f.maxs, m.maxs,
	    (size_t)m.npeak * sizeof *m.maxs) == 0);
	T_CHECK(f.nspec == m.nspec && memcmp(f.power, m.power,
	    (size_t)m.nspec * AUDIO_SPEC_BINS * sizeof *m.power) == 0);
	audio_summary_free(&f);

	/* Other bytes than imported: media_load's words, nothing kept. */
	sha[0] = sha[0] == 'a' ? 'b' : 'a';
	T_EQ_INT(audio_summarize_file(path, sha, &f, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "changed since it was "
	    "imported") != NULL);
	T_CHECK(f.mins == NULL && f.power == NULL);
	free(cause);
	cause = NULL;

	/* The right bytes that do not decode: -2, the decoder's words. */
	wav[20] = 9;	/* format tag 9: not one libsndfile reads */
	T_EQ_INT(write_file(path, wav, len), 0);
	acc_sha256_hex(wav, len, sha);
	T_EQ_INT(audio_summarize_file(path, sha, &f, &cause), -2);
	T_CHECK(cause != NULL && strstr(cause, "cannot decode") != NULL);
	free(cause);
	cause = NULL;

	/* A FIFO is refused at once, not waited on. */
	snprintf(fifo, sizeof fifo, "%s/fifo.wav", dir);
	if (mkfifo(fifo, 0600) == 0) {
		T_EQ_INT(audio_summarize_file(fifo, sha, &f, &cause), -1);
		T_CHECK(cause != NULL && strstr(cause, "cannot read the file: "
		    "is a FIFO") != NULL);
		free(cause);
		cause = NULL;
	} else
		T_FAIL("mkfifo: %s", strerror(errno));
	t_rmtree(dir);
out:
	audio_summary_free(&m);
	audio_free(&a);
	free(wav);
}

/*
 * Long clips: peaks per unit of several samples, spectrum units of
 * several frames (all transformed below 16, strided above), so column
 * edges move by under a unit: a stationary tone reads the same within
 * tenths of a dB, extremes within the tone's step over a unit, and the
 * spike is still at its column.
 */
static void
long_clip(int64_t frames, int64_t want_peak_span, int64_t want_spec_span)
{
	struct audio a;
	struct audio_summary s;
	int u;

	clip_new(&a, 16000, frames);
	clip_sine(&a, 1000.0, 0.25);
	a.mono[frames * 7 / 10] = 0.9f;
	T_EQ_INT(audio_summary_from_mono(&a, &s, NULL), 0);
	T_CHECK(s.peak_span == want_peak_span);
	T_CHECK(s.spec_span == want_spec_span);
	T_CHECK(s.npeak <= AUDIO_SUM_PEAK_UNITS);
	T_CHECK(s.nspec <= AUDIO_SUM_SPEC_UNITS);
	for (u = 0; u < s.nspec; u++)
		if (s.nfft[u] < 1 || s.nfft[u] > AUDIO_SUM_FFTS ||
		    s.nfft[u] > s.spec_span) {
			T_FAIL("unit %d transformed %d frames", u, s.nfft[u]);
			break;
		}
	summary_vs_direct_click(&a, &s, 300, 40, 0.01f, 0.3f, frames * 7 / 10);
	summary_vs_direct_click(&a, &s, 80, 20, 0.01f, 0.3f, frames * 7 / 10);
	audio_summary_free(&s);
	audio_free(&a);
}

static void
t_summary_long_clip(void)
{
	/* 3 M samples: peak units of 12, spectrum units of 6 frames. */
	long_clip(3000000, 12, 6);
	/* 9 M samples (9.4 minutes at 16 kHz): units of 18 frames, 16 of
	 * them transformed. */
	long_clip(9000000, 36, 18);
}

/*
 * A stream whose length is not known in advance (a FLAC from a streaming
 * encoder): spans start at 1 and double as units merge; the result draws
 * like the summary sized from the length.
 */
static void
t_summary_unknown_length(void)
{
	struct audio a;
	struct audio_summary s;
	struct audio_sum *m;
	int64_t at, n, frames = 3000000;

	clip_new(&a, 16000, frames);
	clip_sine(&a, 1000.0, 0.25);
	a.mono[frames * 7 / 10] = 0.9f;
	m = audio_sum_new(16000, 1, -1, NULL);
	T_CHECK(m != NULL);
	if (m == NULL)
		return;
	for (at = 0; at < frames; at += n) {
		n = frames - at < 5000 ? frames - at : 5000;
		audio_sum_feed(m, a.mono + at, n);
	}
	audio_sum_finish(m, &s);
	T_CHECK(s.frames == frames);
	/* 3e6 / 2^18 = 11.4 -> 16; 23438 frames / 4096 = 5.7 -> 8. */
	T_CHECK(s.peak_span == 16);
	T_CHECK(s.spec_span == 8);
	T_CHECK(s.npeak <= AUDIO_SUM_PEAK_UNITS && s.nspec <=
	    AUDIO_SUM_SPEC_UNITS);
	summary_vs_direct_click(&a, &s, 300, 40, 0.01f, 0.3f, frames * 7 / 10);
	audio_summary_free(&s);
	audio_free(&a);
}

/* a and b are the same summary, to the bit. */
static int
summary_same(const struct audio_summary *a, const struct audio_summary *b)
{
	return a->frames == b->frames && a->rate == b->rate &&
	    a->channels == b->channels && a->peak_span == b->peak_span &&
	    a->spec_span == b->spec_span && a->npeak == b->npeak &&
	    a->nspec == b->nspec &&
	    memcmp(a->mins, b->mins, (size_t)a->npeak * sizeof *a->mins) == 0 &&
	    memcmp(a->maxs, b->maxs, (size_t)a->npeak * sizeof *a->maxs) == 0 &&
	    memcmp(a->power, b->power, (size_t)a->nspec * AUDIO_SPEC_BINS *
	    sizeof *a->power) == 0 &&
	    memcmp(a->nfft, b->nfft, (size_t)a->nspec * sizeof *a->nfft) == 0;
}

/* The samples of stereo_sample() as a FLAC file at path. */
static int
flac_write(const char *path, int rate, int64_t frames)
{
	SF_INFO si = { 0 };
	SNDFILE *sf;
	float buf[2 * 4096];
	int64_t f = 0;
	int i, n, ok = 1;

	si.samplerate = rate;
	si.channels = 2;
	si.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	if ((sf = sf_open(path, SFM_WRITE, &si)) == NULL)
		return -1;
	while (f < frames && ok) {
		n = frames - f < 4096 ? (int)(frames - f) : 4096;
		for (i = 0; i < n; i++) {
			buf[2 * i] = stereo_sample(f + i, 0);
			buf[2 * i + 1] = stereo_sample(f + i, 1);
		}
		ok = sf_writef_float(sf, buf, n) == n;
		f += n;
	}
	return sf_close(sf) == 0 && ok ? 0 : -1;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *d = NULL;

	if (acc_read_file(path, (size_t)1 << 30, &d, len, NULL) != 0)
		return NULL;
	return d;
}

/*
 * A long WAV or FLAC is decoded in parts at once (one thread each, cut at
 * spectrum units): the summary must be the one pass's, bit for bit, from
 * memory and from a file, and a clip cut short must fail either way.
 */
static void
t_summary_parts(void)
{
	struct audio_summary one, par;
	unsigned char *wav, *flac;
	char dir[512], wpath[600], fpath[600], sha[65], *cause = NULL;
	size_t wlen, flen;
	int parts;

	wav = wav_make(44100, 2, 1000003, &wlen, stereo_sample);
	T_EQ_INT(audio_summarize_parts(wav, wlen, 1, &one, &cause), 0);
	T_CHECK(one.peak_span == 4 && one.spec_span == 2);
	for (parts = 2; parts <= 4; parts++) {
		T_EQ_INT(audio_summarize_parts(wav, wlen, parts, &par, &cause),
		    0);
		if (!summary_same(&one, &par))
			T_FAIL("WAV in %d parts differs from one pass", parts);
		audio_summary_free(&par);
	}
	audio_summary_free(&one);

	if (t_mkdtemp(dir, sizeof dir, "audio-parts") == NULL) {
		T_FAIL("mkdtemp: %s", strerror(errno));
		free(wav);
		return;
	}
	snprintf(wpath, sizeof wpath, "%s/long.wav", dir);
	snprintf(fpath, sizeof fpath, "%s/long.flac", dir);
	T_EQ_INT(write_file(wpath, wav, wlen), 0);
	acc_sha256_hex(wav, wlen, sha);
	T_EQ_INT(audio_summarize_parts(wav, wlen, 1, &one, &cause), 0);
	T_EQ_INT(audio_summarize_file_parts(wpath, sha, 3, &par, &cause), 0);
	T_CHECK(summary_same(&one, &par));
	audio_summary_free(&par);
	/* The parts' hash is the caller's: other bytes are still caught. */
	sha[5] = sha[5] == '0' ? '1' : '0';
	T_EQ_INT(audio_summarize_file_parts(wpath, sha, 3, &par, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "changed since") != NULL);
	free(cause);
	cause = NULL;
	audio_summary_free(&one);

	T_EQ_INT(flac_write(fpath, 44100, 1000003), 0);
	flac = slurp(fpath, &flen);
	T_CHECK(flac != NULL);
	if (flac != NULL) {
		acc_sha256_hex(flac, flen, sha);
		T_EQ_INT(audio_summarize_file_parts(fpath, sha, 1, &one,
		    &cause), 0);
		T_EQ_INT(audio_summarize_file_parts(fpath, sha, 4, &par,
		    &cause), 0);
		T_CHECK(summary_same(&one, &par));
		audio_summary_free(&one);
		audio_summary_free(&par);
		/* Cut short: the last part finds fewer frames. */
		T_EQ_INT(audio_summarize_parts(flac, flen - flen / 5, 3, &par,
		    &cause), -1);
		T_CHECK(cause != NULL && strstr(cause, "truncated") != NULL);
		free(cause);
		cause = NULL;
		free(flac);
	}
	t_rmtree(dir);
	free(wav);
}

int
main(void)
{
	T_RUN(t_peaks_ramp);
	T_RUN(t_peaks_sine);
	T_RUN(t_peaks_short_and_empty);
	T_RUN(t_spectrogram_sine_on_bin);
	T_RUN(t_spectrogram_sine_between_bins);
	T_RUN(t_spectrogram_silence);
	T_RUN(t_spectrogram_short_clip);
	T_RUN(t_spectrogram_two_tones);
	T_RUN(t_spectrogram_matches_direct_dft);
	T_RUN(t_spectrogram_threads);
	T_RUN(t_spectrogram_bad_arguments);
	T_RUN(t_summary_short_equals_direct);
	T_RUN(t_summary_bytes_and_file);
	T_RUN(t_summary_long_clip);
	T_RUN(t_summary_unknown_length);
	T_RUN(t_summary_parts);
	return t_done();
}
