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
#include "audio_int.h"

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

#define SPEC_BINS AUDIO_SPEC_BINS

/*
 * The power of each bin of the AUDIO_SPEC_FRAME samples in w->in (not
 * yet windowed) into power[].
 */
static void
spec_power(struct spec_work *w, float power[SPEC_BINS])
{
	int i;

	for (i = 0; i < AUDIO_SPEC_FRAME; i++)
		w->in[i] *= w->window[i];
	fftwf_execute(w->plan);
	for (i = 0; i < SPEC_BINS; i++)
		power[i] = w->out[i][0] * w->out[i][0] +
		    w->out[i][1] * w->out[i][1];
}

/*
 * Bin powers (one frame's, or a sum over frames) to band powers in band[]
 * (summed over the band's bins, see SPEC_REF_POWER for why a sum).
 */
static void
spec_bands(const struct spec_work *w, const double *power, double *band)
{
	int i;

	for (i = 0; i < w->rows; i++)
		band[i] = 0.0;
	for (i = 0; i < SPEC_BINS; i++)
		if (w->band_of[i] >= 0)
			band[w->band_of[i]] += power[i];
	for (i = 0; i < w->rows; i++)
		if (w->near_bin[i] >= 0)
			band[i] = power[w->near_bin[i]];
}

/* One frame's power per band into w->band. */
static void
spec_frame(struct spec_work *w, int64_t k)
{
	const int64_t n = w->a->frames, half = AUDIO_SPEC_FRAME / 2;
	int64_t first = k * AUDIO_SPEC_HOP - half;
	float power[SPEC_BINS];
	double dpower[SPEC_BINS];
	int i, lo, hi;

	/* Only the part of the frame inside the clip is copied. */
	lo = first < 0 ? (int)-first : 0;
	hi = first + AUDIO_SPEC_FRAME > n ? (int)(n - first) : AUDIO_SPEC_FRAME;
	if (hi < lo)
		hi = lo;
	for (i = 0; i < lo; i++)
		w->in[i] = 0.0f;
	for (i = lo; i < hi; i++)
		w->in[i] = w->a->mono[first + i];
	for (i = hi; i < AUDIO_SPEC_FRAME; i++)
		w->in[i] = 0.0f;
	spec_power(w, power);
	for (i = 0; i < SPEC_BINS; i++)
		dpower[i] = power[i];
	spec_bands(w, dpower, w->band);
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
	int i;

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
	for (i = 0; i < AUDIO_SPEC_FRAME; i++)
		w->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i /
		    AUDIO_SPEC_FRAME));
	return 0;
}

/*
 * Which band each bin adds to.  Band r is [r, r + 1) *
 * (rate / 2) / rows; bin i sits at i * rate / N, i.e. in band floor(i *
 * rows / (N / 2)), with Nyquist in the top band.  With more bands than
 * bins, a band holding no bin takes the bin nearest its centre frequency.
 */
static void
spec_work_bands(struct spec_work *w)
{
	int rows = w->rows, r, i;

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
 * Column c of out from acc[] (rows band powers summed over nframes
 * frames): their mean in dB relative to a full-scale sine, floored.
 */
static void
spec_store(struct spectrogram *out, int c, const double *acc, double nframes)
{
	int rows = out->rows, r;

	for (r = 0; r < rows; r++) {
		double p = acc[r] / nframes / SPEC_REF_POWER;
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

/*
 * Column c of cols spans the samples [c n / cols, (c + 1) n / cols); the
 * units of span samples (STFT frames: span = hop; summary units) that
 * start in it are [*u0, *u1), of the nunits there are; a column holding no
 * unit's start takes the unit nearest its middle.
 */
static void
column_units(int64_t n, int c, int cols, int64_t span, int64_t nunits,
    int64_t *u0, int64_t *u1)
{
	/* n <= 2^31 (MEDIA_MAX_SAMPLES) and cols < 2^31: the products fit. */
	int64_t start = n * c / cols, end = n * (c + 1) / cols;

	*u0 = (start + span - 1) / span;
	*u1 = (end + span - 1) / span;
	if (*u1 > nunits)
		*u1 = nunits;
	if (*u0 >= *u1) {
		*u0 = ((start + end) / 2 + span / 2) / span;
		if (*u0 > nunits - 1)
			*u0 = nunits - 1;
		*u1 = *u0 + 1;
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
	int64_t n = w->a->frames, k0, k1, k;
	int64_t nframes = (n + AUDIO_SPEC_HOP - 1) / AUDIO_SPEC_HOP;
	int rows = w->rows, r;

	column_units(n, c, cols, AUDIO_SPEC_HOP, nframes, &k0, &k1);
	for (r = 0; r < rows; r++)
		acc[r] = 0.0;
	for (k = k0; k < k1; k++) {
		spec_frame(w, k);
		for (r = 0; r < rows; r++)
			acc[r] += w->band[r];
	}
	spec_store(out, c, acc, (double)(k1 - k0));
}

/*
 * The checks and allocation both spectrograms start with.  clip: -1 none,
 * 0 a clip without its samples, 1 one of `frames` samples.  1: go on; 0:
 * done (an empty clip, all floor); -1 with *cause.
 */
static int
spec_out_init(struct spectrogram *out, int cols, int rows, int clip,
    int64_t frames, char **cause)
{
	int i;

	memset(out, 0, sizeof *out);
	if (clip < 0 || cols < 1 || rows < 1 || cols > AUDIO_VIEW_MAX_SIDE ||
	    rows > AUDIO_VIEW_MAX_SIDE ||
	    (int64_t)cols * rows > AUDIO_VIEW_MAX_CELLS)
		return acc_error(cause, "spectrogram of %dx%d is out of range",
		    cols, rows);
	if (clip == 0 || frames < 0)
		return acc_error(cause, "clip has no samples");
	out->cols = cols;
	out->rows = rows;
	out->db = xcalloc((size_t)cols * (size_t)rows, sizeof *out->db);
	out->max_db = AUDIO_SPEC_FLOOR_DB;
	if (frames > 0)
		return 1;
	for (i = 0; i < cols * rows; i++)
		out->db[i] = AUDIO_SPEC_FLOOR_DB;
	return 0;
}

int
audio_spectrogram(const struct audio *a, int cols, int rows,
    struct spectrogram *out, char **cause)
{
	struct spec_work w;
	double *acc;
	int c, i;

	if ((i = spec_out_init(out, cols, rows, a == NULL ? -1 :
	    a->frames == 0 || a->mono != NULL, a == NULL ? 0 : a->frames,
	    cause)) <= 0)
		return i;
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

/* --- the streamed summary (media.h: struct audio_summary) ------------ */

/*
 * The accumulator.  Peaks: the current unit is s.npeak - 1, with
 * peak_left samples still to come in it (0: the next sample starts a
 * unit).  Spectrum: frame k is the next to transform, the kj-th chosen
 * frame of unit ku; buf holds its window, samples [first, first + FRAME)
 * of the clip, of which the first `have` are in (zeros before the clip).
 */
struct audio_sum {
	struct audio_summary s;
	int pcap, scap;		/* units allocated */
	int64_t pos;		/* samples fed */
	int64_t peak_left;
	struct spec_work w;
	int64_t k, ku, first;
	int kj, have;
	float buf[AUDIO_SPEC_FRAME];
	float *mono;		/* a block mixed down, for several channels */
	size_t monocap;
	/*
	 * A part of a clip decoded on its own (audio_sum_new_part): peaks of
	 * samples [peak_from, peak_to) only, spectrum units [unit_from,
	 * unit_to) only (done: past them), kept from index 0.  The whole
	 * clip: 0 and INT64_MAX.
	 */
	int64_t peak_from, peak_to, unit_from, unit_to;
	int done;
};

/* Frames transformed per spectrum unit of span frames, and the j-th. */
static int
sum_chosen(int64_t span)
{
	return span < AUDIO_SUM_FFTS ? (int)span : AUDIO_SUM_FFTS;
}

static int64_t
sum_offset(int64_t span, int j)
{
	if (span <= AUDIO_SUM_FFTS)
		return j;
	return (2 * (int64_t)j + 1) * span / (2 * AUDIO_SUM_FFTS);
}

/* Arrays grow by doubling up to their cap: a short clip allocates little. */
static int
sum_grow(int cap, int need, int max)
{
	while (cap < need)
		cap = cap < 64 ? 64 : cap * 2;
	return cap > max ? max : cap;
}

/* Halve the peak units' count: pairs merge, the span doubles. */
static void
peaks_merge(struct audio_summary *s)
{
	int i, n = s->npeak / 2;

	for (i = 0; i < n; i++) {
		float lo = s->mins[2 * i], hi = s->maxs[2 * i];

		if (s->mins[2 * i + 1] < lo)
			lo = s->mins[2 * i + 1];
		if (s->maxs[2 * i + 1] > hi)
			hi = s->maxs[2 * i + 1];
		s->mins[i] = lo;
		s->maxs[i] = hi;
	}
	s->npeak = n;
	s->peak_span *= 2;
}

/*
 * The smallest and largest of x[0..n) and *lo, *hi.  The 10-hour clip's
 * 576 million samples pass through here, so four lanes at a time with the
 * vector extension gcc and clang share (a compare and a select per lane:
 * the comparisons of audio_peaks, lane by lane, so the result is the same
 * as one running pair for any samples but NaN, which import refuses).
 * Neither compiler vectorises the scalar loop at -O2.
 */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static v4f
v4_pick(v4i take, v4f a, v4f b)
{
	return (v4f)(((v4i)a & take) | ((v4i)b & ~take));
}

static void
run_minmax(const float *x, int64_t n, float *lo, float *hi)
{
	v4f l[4], h[4], v;
	float l0 = *lo, h0 = *hi;
	int64_t i = 0;
	int j, k;

	/* Four independent vectors: one would wait on its own last result
	 * (compare, select) every four samples. */
	for (k = 0; k < 4; k++) {
		l[k] = (v4f){ l0, l0, l0, l0 };
		h[k] = (v4f){ h0, h0, h0, h0 };
	}
	for (; i + 16 <= n; i += 16)
		for (k = 0; k < 4; k++) {
			memcpy(&v, x + i + 4 * k, sizeof v);
			l[k] = v4_pick(v < l[k], v, l[k]);
			h[k] = v4_pick(v > h[k], v, h[k]);
		}
	for (k = 0; k < 4; k++)
		for (j = 0; j < 4; j++) {
			l0 = l[k][j] < l0 ? l[k][j] : l0;
			h0 = h[k][j] > h0 ? h[k][j] : h0;
		}
	for (; i < n; i++) {
		l0 = x[i] < l0 ? x[i] : l0;
		h0 = x[i] > h0 ? x[i] : h0;
	}
	*lo = l0;
	*hi = h0;
}

static void
sum_peaks(struct audio_sum *m, const float *x, int64_t n)
{
	struct audio_summary *s = &m->s;

	while (n > 0) {
		int64_t take;
		float lo, hi;

		if (m->peak_left == 0) {
			if (s->npeak == AUDIO_SUM_PEAK_UNITS)
				peaks_merge(s);
			if (s->npeak == m->pcap) {
				m->pcap = sum_grow(m->pcap, s->npeak + 1,
				    AUDIO_SUM_PEAK_UNITS);
				s->mins = xreallocarray(s->mins, (size_t)m->pcap,
				    sizeof *s->mins);
				s->maxs = xreallocarray(s->maxs, (size_t)m->pcap,
				    sizeof *s->maxs);
			}
			s->mins[s->npeak] = s->maxs[s->npeak] = x[0];
			s->npeak++;
			m->peak_left = s->peak_span;
		}
		take = n < m->peak_left ? n : m->peak_left;
		lo = s->mins[s->npeak - 1];
		hi = s->maxs[s->npeak - 1];
		run_minmax(x, take, &lo, &hi);
		s->mins[s->npeak - 1] = lo;
		s->maxs[s->npeak - 1] = hi;
		x += take;
		n -= take;
		m->peak_left -= take;
	}
}

/* Halve the spectrum units' count: pairs add up, the span doubles. */
static void
spec_merge(struct audio_summary *s)
{
	int i, b, n = s->nspec / 2;

	for (i = 0; i < n; i++) {
		float *d = s->power + (size_t)i * SPEC_BINS;
		const float *a = s->power + (size_t)2 * i * SPEC_BINS;

		for (b = 0; b < SPEC_BINS; b++)
			d[b] = a[b] + a[SPEC_BINS + b];
		s->nfft[i] = s->nfft[2 * i] + s->nfft[2 * i + 1];
	}
	s->nspec = n;
	s->spec_span *= 2;
}

/* Unit ku exists (zeroed when new), merging first when it would not fit. */
static void
spec_unit(struct audio_sum *m)
{
	struct audio_summary *s = &m->s;

	if (m->ku >= AUDIO_SUM_SPEC_UNITS) {
		spec_merge(s);
		m->ku /= 2;
	}
	while (s->nspec <= m->ku - m->unit_from) {
		if (s->nspec == m->scap) {
			m->scap = sum_grow(m->scap, s->nspec + 1,
			    AUDIO_SUM_SPEC_UNITS);
			s->power = xreallocarray(s->power, (size_t)m->scap,
			    SPEC_BINS * sizeof *s->power);
			s->nfft = xreallocarray(s->nfft, (size_t)m->scap,
			    sizeof *s->nfft);
		}
		memset(s->power + (size_t)s->nspec * SPEC_BINS, 0,
		    SPEC_BINS * sizeof *s->power);
		s->nfft[s->nspec++] = 0;
	}
}

/*
 * Transform the window in buf into unit ku, then move to the next chosen
 * frame, keeping the part of the window the two share.
 */
static void
sum_frame(struct audio_sum *m)
{
	float power[SPEC_BINS], *acc;
	int64_t next, d;
	int i;

	spec_unit(m);
	memcpy(m->w.in, m->buf, sizeof m->buf);
	spec_power(&m->w, power);
	acc = m->s.power + (size_t)(m->ku - m->unit_from) * SPEC_BINS;
	for (i = 0; i < SPEC_BINS; i++)
		acc[i] += power[i];
	m->s.nfft[m->ku - m->unit_from]++;

	if (++m->kj == sum_chosen(m->s.spec_span)) {
		m->kj = 0;
		m->ku++;
	}
	next = m->ku * m->s.spec_span + sum_offset(m->s.spec_span, m->kj);
	d = (next - m->k) * AUDIO_SPEC_HOP;
	if (d < AUDIO_SPEC_FRAME) {
		memmove(m->buf, m->buf + d, (size_t)(AUDIO_SPEC_FRAME - d) *
		    sizeof *m->buf);
		m->have = AUDIO_SPEC_FRAME - (int)d;
	} else
		m->have = 0;
	m->k = next;
	m->first = next * AUDIO_SPEC_HOP - AUDIO_SPEC_FRAME / 2;
	m->done = m->ku >= m->unit_to;
}

/* Samples [p0, p0 + n) into the windows of the frames that need them. */
static void
sum_spec(struct audio_sum *m, const float *x, int64_t p0, int64_t n)
{
	int64_t end = p0 + n, from, to;

	while (!m->done) {
		from = m->first + m->have;
		if (from < p0)
			from = p0;	/* cannot happen: windows keep up */
		to = m->first + AUDIO_SPEC_FRAME;
		if (from >= end)
			return;
		if (to > end)
			to = end;
		if (to > from)
			memcpy(m->buf + (from - m->first), x + (from - p0),
			    (size_t)(to - from) * sizeof *x);
		m->have = (int)(to - m->first);
		if (m->have < AUDIO_SPEC_FRAME)
			return;
		sum_frame(m);
	}
}

struct audio_sum *
audio_sum_new(int rate, int channels, int64_t frames, char **cause)
{
	struct audio_sum *m = xcalloc(1, sizeof *m);
	int64_t nframes;

	m->s.rate = rate;
	m->s.channels = channels;
	m->s.peak_span = m->s.spec_span = 1;
	m->peak_to = m->unit_to = INT64_MAX;
	if (frames > 0) {
		nframes = (frames + AUDIO_SPEC_HOP - 1) / AUDIO_SPEC_HOP;
		m->s.spec_span = (nframes + AUDIO_SUM_SPEC_UNITS - 1) /
		    AUDIO_SUM_SPEC_UNITS;
		/*
		 * 64 peak units a spectrum unit (2 samples a frame): at
		 * most 4096 * 64 = 2^18, and a clip cut at spectrum units
		 * (audio_sum_new_part) is cut at peak units too.
		 */
		if (frames > AUDIO_SUM_PEAK_UNITS)
			m->s.peak_span = 2 * m->s.spec_span;
	}
	if (spec_work_init(&m->w, NULL, 1, cause) != 0) {
		free(m);
		return NULL;
	}
	/* Frame 0 is centred on sample 0: its first half is zeros. */
	m->first = -AUDIO_SPEC_FRAME / 2;
	m->have = AUDIO_SPEC_FRAME / 2;
	return m;
}

void
audio_sum_feed(struct audio_sum *m, const float *buf, int64_t frames)
{
	const float *x = buf;
	int64_t f, lo, hi;
	int c, ch = m->s.channels;

	if (frames <= 0)
		return;
	if (ch > 1) {
		if ((size_t)frames > m->monocap) {
			m->monocap = (size_t)frames;
			m->mono = xreallocarray(m->mono, m->monocap,
			    sizeof *m->mono);
		}
		/* The mean of the channels, as audio_decode_mono makes it. */
		for (f = 0; f < frames; f++) {
			double sum = 0;

			for (c = 0; c < ch; c++)
				sum += *buf++;
			m->mono[f] = (float)(sum / ch);
		}
		x = m->mono;
	}
	/* A part's peaks: only its own samples, not the windows' margins. */
	lo = m->peak_from > m->pos ? m->peak_from - m->pos : 0;
	hi = m->peak_to - m->pos < frames ? m->peak_to - m->pos : frames;
	if (hi > lo)
		sum_peaks(m, x + lo, hi - lo);
	sum_spec(m, x, m->pos, frames);
	m->pos += frames;
}

/*
 * The stream ended: the frames centred inside the clip whose windows run
 * past its end, with zeros after the last sample.
 */
static void
sum_flush(struct audio_sum *m)
{
	int i;

	while (!m->done && m->k * AUDIO_SPEC_HOP < m->pos) {
		for (i = m->have; i < AUDIO_SPEC_FRAME; i++)
			m->buf[i] = 0.0f;
		m->have = AUDIO_SPEC_FRAME;
		sum_frame(m);
	}
}

void
audio_sum_finish(struct audio_sum *m, struct audio_summary *out)
{
	sum_flush(m);
	m->s.frames = m->pos;
	*out = m->s;
	memset(&m->s, 0, sizeof m->s);
	audio_sum_free(m);
}

void
audio_sum_free(struct audio_sum *m)
{
	if (m == NULL)
		return;
	spec_work_free(&m->w);
	audio_summary_free(&m->s);
	free(m->mono);
	free(m);
}

struct audio_sum *
audio_sum_new_part(int rate, int channels, int64_t frames, int part,
    int nparts, int64_t *from, int64_t *to, char **cause)
{
	struct audio_sum *m;
	int64_t units, span;

	if ((m = audio_sum_new(rate, channels, frames, cause)) == NULL)
		return NULL;
	span = m->s.spec_span * AUDIO_SPEC_HOP;
	units = (frames + span - 1) / span;
	m->unit_from = units * part / nparts;
	m->unit_to = units * (part + 1) / nparts;
	m->peak_from = m->unit_from * span;
	m->peak_to = m->unit_to * span < frames ? m->unit_to * span : frames;
	/* The frames of the part's units read a half frame either side. */
	*from = m->peak_from > AUDIO_SPEC_FRAME ?
	    m->peak_from - AUDIO_SPEC_FRAME : 0;
	*to = m->peak_to + AUDIO_SPEC_FRAME < frames ?
	    m->peak_to + AUDIO_SPEC_FRAME : frames;
	m->pos = *from;
	if (m->unit_from > 0) {
		m->ku = m->unit_from;
		m->k = m->ku * m->s.spec_span + sum_offset(m->s.spec_span, 0);
		m->first = m->k * AUDIO_SPEC_HOP - AUDIO_SPEC_FRAME / 2;
		m->have = 0;
	}
	m->done = m->unit_from >= m->unit_to;
	return m;
}

void
audio_sum_join(struct audio_sum **parts, int nparts, int64_t frames,
    struct audio_summary *out)
{
	struct audio_summary *s;
	int i, np = 0, ns = 0;

	memset(out, 0, sizeof *out);
	for (i = 0; i < nparts; i++) {
		sum_flush(parts[i]);
		np += parts[i]->s.npeak;
		ns += parts[i]->s.nspec;
	}
	*out = parts[0]->s;
	out->frames = frames;
	out->npeak = np;
	out->nspec = ns;
	out->mins = xcalloc((size_t)np + 1, sizeof *out->mins);
	out->maxs = xcalloc((size_t)np + 1, sizeof *out->maxs);
	out->power = xcalloc((size_t)ns * SPEC_BINS + 1, sizeof *out->power);
	out->nfft = xcalloc((size_t)ns + 1, sizeof *out->nfft);
	np = ns = 0;
	for (i = 0; i < nparts; i++) {
		s = &parts[i]->s;
		if (s->npeak > 0) {
			memcpy(out->mins + np, s->mins, (size_t)s->npeak *
			    sizeof *s->mins);
			memcpy(out->maxs + np, s->maxs, (size_t)s->npeak *
			    sizeof *s->maxs);
		}
		if (s->nspec > 0) {
			memcpy(out->power + (size_t)ns * SPEC_BINS, s->power,
			    (size_t)s->nspec * SPEC_BINS * sizeof *s->power);
			memcpy(out->nfft + ns, s->nfft, (size_t)s->nspec *
			    sizeof *s->nfft);
		}
		np += s->npeak;
		ns += s->nspec;
		audio_sum_free(parts[i]);
	}
}

void
audio_summary_free(struct audio_summary *s)
{
	if (s == NULL)
		return;
	free(s->mins);
	free(s->maxs);
	free(s->power);
	free(s->nfft);
	memset(s, 0, sizeof *s);
}

int
audio_summary_from_mono(const struct audio *a, struct audio_summary *out,
    char **cause)
{
	struct audio_sum *m;
	int64_t at = 0, n;

	memset(out, 0, sizeof *out);
	if (a == NULL || a->frames < 0 || (a->frames > 0 && a->mono == NULL))
		return acc_error(cause, "clip has no samples");
	m = audio_sum_new(a->rate, 1, a->frames, cause);
	if (m == NULL)
		return -1;
	/* In blocks, as a decode hands them over. */
	while (at < a->frames) {
		n = a->frames - at < 4096 ? a->frames - at : 4096;
		audio_sum_feed(m, a->mono + at, n);
		at += n;
	}
	audio_sum_finish(m, out);
	out->channels = a->channels;
	return 0;
}

int
audio_summary_peaks(const struct audio_summary *s, int ncols, float *mins,
    float *maxs, char **cause)
{
	int64_t u0, u1, u, start, end, span = s != NULL ? s->peak_span : 1;
	int c;

	if (s == NULL || mins == NULL || maxs == NULL || ncols < 1)
		return acc_error(cause, "no clip or no columns for peaks");
	if (s->frames < 0 || (s->frames > 0 && (s->npeak < 1 || span < 1)))
		return acc_error(cause, "clip has no samples");
	for (c = 0; c < ncols; c++) {
		float lo = 0.0f, hi = 0.0f;

		start = s->frames * c / ncols;
		end = s->frames * (c + 1) / ncols;
		if (start < end) {
			/* The units starting in the column, else the one
			 * holding its first sample. */
			u0 = (start + span - 1) / span;
			u1 = (end + span - 1) / span;
			if (u1 > s->npeak)
				u1 = s->npeak;
			if (u0 >= u1) {
				u0 = start / span;
				u1 = u0 + 1;
			}
			lo = s->mins[u0];
			hi = s->maxs[u0];
			for (u = u0 + 1; u < u1; u++) {
				lo = s->mins[u] < lo ? s->mins[u] : lo;
				hi = s->maxs[u] > hi ? s->maxs[u] : hi;
			}
		}
		mins[c] = lo;
		maxs[c] = hi;
	}
	return 0;
}

int
audio_summary_spectrogram(const struct audio_summary *s, int cols, int rows,
    struct spectrogram *out, char **cause)
{
	struct spec_work w;
	double power[SPEC_BINS], *band;
	int64_t u0, u1, u, span;
	int c, i, nfft;

	if ((i = spec_out_init(out, cols, rows, s == NULL ? -1 :
	    s->frames == 0 || s->nspec > 0, s == NULL ? 0 : s->frames,
	    cause)) <= 0)
		return i;
	memset(&w, 0, sizeof w);
	w.rows = rows;
	spec_work_bands(&w);
	band = xcalloc((size_t)rows, sizeof *band);
	span = s->spec_span * AUDIO_SPEC_HOP;
	for (c = 0; c < cols; c++) {
		column_units(s->frames, c, cols, span, s->nspec, &u0, &u1);
		for (i = 0; i < SPEC_BINS; i++)
			power[i] = 0.0;
		nfft = 0;
		for (u = u0; u < u1; u++) {
			const float *p = s->power + (size_t)u * SPEC_BINS;

			for (i = 0; i < SPEC_BINS; i++)
				power[i] += p[i];
			nfft += s->nfft[u];
		}
		spec_bands(&w, power, band);
		spec_store(out, c, band, nfft > 0 ? nfft : 1);
	}
	free(band);
	spec_work_free(&w);
	return 0;
}
