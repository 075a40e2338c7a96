/*
 * audio_view.c: what the label screen draws of a decoded clip: min/max
 * peaks per column and a log-magnitude spectrogram (media.h).
 *
 * Spectrogram framing: frame k is centred on sample k * AUDIO_SPEC_HOP,
 * k = 0 .. ceil(frames / hop) - 1, and covers the AUDIO_SPEC_FRAME samples
 * from centre - FRAME/2, zeros outside the clip (so the first and last
 * frames, and every frame of a clip shorter than FRAME, are zero-padded).
 * Centring the frames gives the clip's start and end the same coverage as
 * its middle and makes "the frames whose centres fall in a column" exact.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "accord/media.h"
#include "accord/util.h"

/* Columns and rows beyond any screen; cols * rows stays far inside int. */
#define AUDIO_VIEW_MAX_SIDE 16384
#define AUDIO_VIEW_MAX_CELLS (1 << 24)

int
audio_peaks(const struct audio *a, int ncols, float *mins, float *maxs,
    char **cause)
{
	int64_t start, end, i;
	int c;

	if (a == NULL || mins == NULL || maxs == NULL || ncols < 1)
		return acc_error(cause, "no clip or no columns for peaks");
	if (a->frames < 0 || (a->frames > 0 && a->mono == NULL))
		return acc_error(cause, "clip has no samples");
	for (c = 0; c < ncols; c++) {
		float lo = 0.0f, hi = 0.0f;

		/* frames <= 2^31 and ncols < 2^31: the product fits. */
		start = a->frames * c / ncols;
		end = a->frames * (c + 1) / ncols;
		if (start < end)
			lo = hi = a->mono[start];
		for (i = start + 1; i < end; i++) {
			float v = a->mono[i];

			if (v < lo)
				lo = v;
			if (v > hi)
				hi = v;
		}
		mins[c] = lo;
		maxs[c] = hi;
	}
	return 0;
}

/*
 * FFTW's planner keeps global state and is not thread-safe; only
 * fftwf_execute is (FFTW manual, "Thread safety").  The label screen's
 * loader thread builds spectrograms while other threads may too (tests,
 * benchmarks, a future second loader), so planning, destroying
 * plans and fftwf_malloc/fftwf_free (also "other routines") go through this
 * lock.  It is the module's only static state.
 */
static pthread_mutex_t audio_fftw_lock = PTHREAD_MUTEX_INITIALIZER;

/* Everything one spectrogram needs: buffers, plan and bin-to-band map. */
struct spec_work {
	const struct audio *a;
	int rows;
	float *in;		/* FRAME windowed samples */
	fftwf_complex *out;	/* FRAME / 2 + 1 bins */
	fftwf_plan plan;
	float window[AUDIO_SPEC_FRAME];
	int band_of[AUDIO_SPEC_FRAME / 2 + 1];
	int *near_bin;		/* rows: a bin for bands that hold none */
	double *band;		/* rows: one frame's band powers */
};

#define SPEC_BINS (AUDIO_SPEC_FRAME / 2 + 1)

/*
 * One frame's power per band into w->band (summed over the band's bins,
 * see SPEC_REF_POWER for why a sum).
 */
static void
spec_frame(struct spec_work *w, int64_t k)
{
	const int64_t n = w->a->frames, half = AUDIO_SPEC_FRAME / 2;
	int64_t first = k * AUDIO_SPEC_HOP - half;
	float power[SPEC_BINS];
	int i, lo, hi;

	/* Only the part of the frame inside the clip is copied. */
	lo = first < 0 ? (int)-first : 0;
	hi = first + AUDIO_SPEC_FRAME > n ? (int)(n - first) : AUDIO_SPEC_FRAME;
	if (hi < lo)
		hi = lo;
	for (i = 0; i < lo; i++)
		w->in[i] = 0.0f;
	for (i = lo; i < hi; i++)
		w->in[i] = w->a->mono[first + i] * w->window[i];
	for (i = hi; i < AUDIO_SPEC_FRAME; i++)
		w->in[i] = 0.0f;

	fftwf_execute(w->plan);

	for (i = 0; i < SPEC_BINS; i++)
		power[i] = w->out[i][0] * w->out[i][0] +
		    w->out[i][1] * w->out[i][1];
	for (i = 0; i < w->rows; i++)
		w->band[i] = 0.0;
	for (i = 0; i < SPEC_BINS; i++)
		if (w->band_of[i] >= 0)
			w->band[w->band_of[i]] += power[i];
	for (i = 0; i < w->rows; i++)
		if (w->near_bin[i] >= 0)
			w->band[i] = power[w->near_bin[i]];
}

static void
spec_work_free(struct spec_work *w)
{
	pthread_mutex_lock(&audio_fftw_lock);
	if (w->plan != NULL)
		fftwf_destroy_plan(w->plan);
	fftwf_free(w->in);
	fftwf_free(w->out);
	pthread_mutex_unlock(&audio_fftw_lock);
	free(w->near_bin);
	free(w->band);
}

/*
 * Normalisation.  With the periodic Hann window w[n] = 0.5 - 0.5 cos(2 pi
 * n / N), sum w = N / 2 (the coherent gain) and sum w^2 = 3N / 8.  A sine
 * A cos(2 pi f n / N + phi) gives X[k] = (A / 2) W(k - f) on the positive
 * frequencies (W the window's transform), so by Parseval its one-sided
 * power, summed over its bins, is sum_k |X[k]|^2 = (N / 2) sum (w x)^2 =
 * (N / 2) (A^2 / 2) (3N / 8) = 3 N^2 A^2 / 32, whatever f is (away from
 * 0 and Nyquist).  For a sine on a bin centre this is the peak bin N^2/16
 * plus the two neighbours N^2/64 each.  A band's power is therefore the
 * SUM of its bins' powers divided by 3 N^2 / 32: a full-scale sine (A = 1)
 * reads 0 dB in the band holding its main lobe, whatever the band width.
 * (A mean over the band's bins would read 10 log10(1.5 / bins) instead,
 * e.g. -8.5 dB with 48 bands of 512-sample frames.)
 */
#define SPEC_REF_POWER \
	(3.0 * AUDIO_SPEC_FRAME * (double)AUDIO_SPEC_FRAME / 32.0)

/*
 * The FFT buffers and plan for a's frames into rows bands.  Returns 0, or
 * -1 with *cause when FFTW cannot plan (w is then freed).
 */
static int
spec_work_init(struct spec_work *w, const struct audio *a, int rows,
    char **cause)
{
	memset(w, 0, sizeof *w);
	w->a = a;
	w->rows = rows;
	pthread_mutex_lock(&audio_fftw_lock);
	w->in = fftwf_malloc(sizeof *w->in * AUDIO_SPEC_FRAME);
	w->out = fftwf_malloc(sizeof *w->out * SPEC_BINS);
	if (w->in != NULL && w->out != NULL)
		w->plan = fftwf_plan_dft_r2c_1d(AUDIO_SPEC_FRAME, w->in, w->out,
		    FFTW_ESTIMATE);
	pthread_mutex_unlock(&audio_fftw_lock);
	if (w->in == NULL || w->out == NULL)
		acc_fatal("out of memory for FFT buffers");
	if (w->plan == NULL) {
		spec_work_free(w);
		return acc_error(cause, "cannot plan the FFT");
	}
	return 0;
}

/*
 * The window and which band each bin adds to.  Band r is [r, r + 1) *
 * (rate / 2) / rows; bin i sits at i * rate / N, i.e. in band floor(i *
 * rows / (N / 2)), with Nyquist in the top band.  With more bands than
 * bins, a band holding no bin takes the bin nearest its centre frequency.
 */
static void
spec_work_bands(struct spec_work *w)
{
	int rows = w->rows, r, i;

	for (i = 0; i < AUDIO_SPEC_FRAME; i++)
		w->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i /
		    AUDIO_SPEC_FRAME));
	w->near_bin = xcalloc((size_t)rows, sizeof *w->near_bin);
	w->band = xcalloc((size_t)rows, sizeof *w->band);
	for (r = 0; r < rows; r++)
		w->near_bin[r] = -1;
	for (i = 0; i < SPEC_BINS; i++) {
		int64_t b = (int64_t)i * rows / (AUDIO_SPEC_FRAME / 2);

		w->band_of[i] = b < rows ? (int)b : rows - 1;
		w->near_bin[w->band_of[i]] = -2;	/* has a bin */
	}
	for (r = 0; r < rows; r++) {
		if (w->near_bin[r] == -2) {
			w->near_bin[r] = -1;
			continue;
		}
		/* Centre (r + 0.5) / rows * N / 2 bins, rounded. */
		w->near_bin[r] = (int)(((2 * (int64_t)r + 1) *
		    (AUDIO_SPEC_FRAME / 2) + rows) / (2 * (int64_t)rows));
	}
}

/*
 * Column c of cols into out (acc: rows doubles of scratch).  Column c
 * spans samples [c n / cols, (c + 1) n / cols); the frames centred there
 * are k0 = ceil(start / hop) .. k1 - 1 with k1 = ceil(end / hop).  The
 * ranges do not overlap, so each frame is transformed once; an empty
 * column (more columns than frames) transforms the frame nearest its
 * middle.
 */
static void
spec_column(struct spec_work *w, int c, int cols, double *acc,
    struct spectrogram *out)
{
	int64_t n = w->a->frames, start, end, k0, k1, k;
	int64_t nframes = (n + AUDIO_SPEC_HOP - 1) / AUDIO_SPEC_HOP;
	int rows = w->rows, r;

	start = n * c / cols;
	end = n * (c + 1) / cols;
	k0 = (start + AUDIO_SPEC_HOP - 1) / AUDIO_SPEC_HOP;
	k1 = (end + AUDIO_SPEC_HOP - 1) / AUDIO_SPEC_HOP;
	if (k0 >= k1) {
		k0 = ((start + end) / 2 + AUDIO_SPEC_HOP / 2) / AUDIO_SPEC_HOP;
		if (k0 > nframes - 1)
			k0 = nframes - 1;
		k1 = k0 + 1;
	}
	for (r = 0; r < rows; r++)
		acc[r] = 0.0;
	for (k = k0; k < k1; k++) {
		spec_frame(w, k);
		for (r = 0; r < rows; r++)
			acc[r] += w->band[r];
	}
	for (r = 0; r < rows; r++) {
		double p = acc[r] / (double)(k1 - k0) / SPEC_REF_POWER;
		float db = AUDIO_SPEC_FLOOR_DB;

		if (p > 0.0)
			db = (float)(10.0 * log10(p));
		if (!(db > AUDIO_SPEC_FLOOR_DB))
			db = AUDIO_SPEC_FLOOR_DB;
		out->db[(size_t)c * (size_t)rows + (size_t)r] = db;
		if (db > out->max_db)
			out->max_db = db;
	}
}

int
audio_spectrogram(const struct audio *a, int cols, int rows,
    struct spectrogram *out, char **cause)
{
	struct spec_work w;
	double *acc;
	int c, i;

	memset(out, 0, sizeof *out);
	if (a == NULL || cols < 1 || rows < 1 || cols > AUDIO_VIEW_MAX_SIDE ||
	    rows > AUDIO_VIEW_MAX_SIDE ||
	    (int64_t)cols * rows > AUDIO_VIEW_MAX_CELLS)
		return acc_error(cause, "spectrogram of %dx%d is out of range",
		    cols, rows);
	if (a->frames < 0 || (a->frames > 0 && a->mono == NULL))
		return acc_error(cause, "clip has no samples");

	out->cols = cols;
	out->rows = rows;
	out->db = xcalloc((size_t)cols * (size_t)rows, sizeof *out->db);
	out->max_db = AUDIO_SPEC_FLOOR_DB;
	if (a->frames == 0) {
		for (i = 0; i < cols * rows; i++)
			out->db[i] = AUDIO_SPEC_FLOOR_DB;
		return 0;
	}
	if (spec_work_init(&w, a, rows, cause) != 0) {
		spectrogram_free(out);
		return -1;
	}
	spec_work_bands(&w);
	acc = xcalloc((size_t)rows, sizeof *acc);
	for (c = 0; c < cols; c++)
		spec_column(&w, c, cols, acc, out);
	free(acc);
	spec_work_free(&w);
	return 0;
}

void
spectrogram_free(struct spectrogram *s)
{
	if (s == NULL)
		return;
	free(s->db);
	memset(s, 0, sizeof *s);
}
