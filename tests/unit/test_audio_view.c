/*
 * test_audio_view.c: peaks and spectrogram of clips made here, so every
 * expected value is known: a ramp's extremes, a sine's level in dB, and one
 * frame checked against a direct O(N^2) DFT (core/audio_view.c).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accord/media.h"
#include "accord/util.h"
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
	return t_done();
}
