/*
 * media.h: recognising, decoding and measuring image and audio files.
 *
 * Most of it works on a file already read into memory (import reads each
 * file once, hashes it, then probes the same bytes); the label screen's
 * audio summary reads the file in blocks (audio_summarize_file).  Nothing
 * here prints;
 * failures return -1 with a one-line *cause (malloc'd, caller frees) that
 * does not name the file.
 *
 * Limits (refused before any large allocation, from the header alone):
 *   images: width * height <= MEDIA_MAX_PIXELS and each side <= MEDIA_MAX_SIDE
 *   audio:  frames * channels <= MEDIA_MAX_SAMPLES, channels <= MEDIA_MAX_CHANNELS,
 *           rate in 1..MEDIA_MAX_RATE
 */
#ifndef ACCORD_MEDIA_H
#define ACCORD_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#define MEDIA_MAX_PIXELS ((uint64_t)1 << 26)	/* 67,108,864 (e.g. 8192x8192) */
#define MEDIA_MAX_SIDE 65535
#define MEDIA_MAX_SAMPLES ((uint64_t)1 << 31)	/* ~6.2 h at 48 kHz stereo */
#define MEDIA_MAX_CHANNELS 64
#define MEDIA_MAX_RATE 768000
#define MEDIA_MAX_FILE_BYTES ((size_t)2 << 30)	/* files over 2 GiB are refused */

enum media_kind {
	MEDIA_KIND_NONE = 0,
	MEDIA_KIND_IMAGE,
	MEDIA_KIND_AUDIO,
};

enum media_format {
	MEDIA_FMT_UNKNOWN = 0,
	MEDIA_FMT_PNG,
	MEDIA_FMT_JPEG,
	MEDIA_FMT_WAV,
	MEDIA_FMT_FLAC,
	MEDIA_FMT_OGG,
};

/* "png", "jpeg", "wav", "flac", "ogg"; "unknown" */
const char *media_format_name(enum media_format f);
/* "image", "audio"; "none" */
const char *media_kind_name(enum media_kind k);
enum media_kind media_kind_from_name(const char *s);	/* NONE if unknown */
enum media_kind media_format_kind(enum media_format f);

/* Format by the file name's extension (case-insensitive: .png .jpg .jpeg
 * .wav .flac .ogg .oga); MEDIA_FMT_UNKNOWN if none of these. */
enum media_format media_format_from_ext(const char *path);

/* Format by the content's magic bytes; MEDIA_FMT_UNKNOWN if none match. */
enum media_format media_sniff(const unsigned char *data, size_t len);

/* One computed input metric, e.g. { "brightness", 0.41 }. */
struct media_metric {
	const char *key;	/* static string */
	double value;
};

#define MEDIA_MAX_METRICS 8

/*
 * What import stores about a file.  Images: width, height, channels (of the
 * source: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), bit depth; audio: rate,
 * channels, frames.  Unused fields are 0.
 *
 * Metrics, images (on luma Y = 0.299 R + 0.587 G + 0.114 B of the 8-bit
 * RGB decode, alpha ignored, Y scaled to 0..1):
 *   brightness  mean of Y
 *   contrast    RMS contrast: population standard deviation of Y
 *   sharpness   population variance of the 4-neighbour Laplacian of Y
 *               (kernel 0 1 0 / 1 -4 1 / 0 1 0) over interior pixels, with Y
 *               on the 0..255 scale (the usual "variance of Laplacian"
 *               focus measure)
 * Metrics, audio (over every sample of every channel, as floats in -1..1):
 *   duration_s       frames / rate
 *   rms_db           20 log10(RMS) dBFS (-inf -> -200)
 *   peak_db          20 log10(max |x|) dBFS (-inf -> -200)
 *   clipped          fraction of samples with |x| >= MEDIA_CLIP_LEVEL
 *   lead_silence_s   time before the first 10 ms window whose RMS exceeds
 *                    MEDIA_SILENCE_DB
 *   trail_silence_s  time after the last such window
 */
#define MEDIA_CLIP_LEVEL (32766.0 / 32768.0)
#define MEDIA_SILENCE_DB (-50.0)

struct media_info {
	enum media_format format;
	enum media_kind kind;
	int width, height, depth;
	int channels;
	int rate;
	int64_t frames;
	int nmetrics;
	struct media_metric metrics[MEDIA_MAX_METRICS];
};

/*
 * Probe a file's bytes: check the content matches `expect` (the format its
 * extension names; MEDIA_FMT_UNKNOWN to accept whatever the magic says),
 * check the header against the limits above, decode it completely (so a
 * truncated or corrupt file fails here, not later in the label screen), and
 * compute the metrics.  Memory use is bounded by one decoded image or a
 * fixed-size audio block.  Thread-safe: import calls it from many threads.
 * Returns 0, or -1 with *cause, e.g. "truncated PNG data",
 * "content is JPEG but the extension says png", "zero-byte file",
 * "image is 100000x100000, over the 67108864-pixel limit".
 */
int media_probe(const unsigned char *data, size_t len, enum media_format expect,
    struct media_info *info, char **cause);

/*
 * The two halves of media_probe after its checks of size, magic and
 * extension: `fmt` is what media_sniff() said (PNG or JPEG for images; WAV,
 * FLAC or OGG for audio).  Otherwise the same contract as media_probe;
 * callers normally want media_probe.
 */
int image_probe(const unsigned char *data, size_t len, enum media_format fmt,
    struct media_info *info, char **cause);
int audio_probe(const unsigned char *data, size_t len, enum media_format fmt,
    struct media_info *info, char **cause);

/* An 8-bit RGB image, rows top to bottom, 3 bytes a pixel, no padding. */
struct image {
	int width, height;
	unsigned char *rgb;
};

/* Decode a PNG or JPEG to RGB8: 16-bit reduced to 8, palette and grey
 * expanded, alpha dropped (colour channels kept as stored), CMYK JPEG
 * converted.  0, or -1 with *cause.  image_free() releases rgb. */
int image_decode(const unsigned char *data, size_t len, struct image *out,
    char **cause);
void image_free(struct image *img);

/* Area-averaging (box filter) downscale to exactly w x h (w,h >= 1, not
 * larger than the source); the caller chooses w,h to keep the aspect ratio.
 * 0, or -1 with *cause. */
int image_scale_box(const struct image *src, int w, int h, struct image *dst,
    char **cause);

/*
 * The largest w x h, w <= bw and h <= bh, with the aspect ratio of iw x ih
 * (the other side rounded to the nearest pixel): one side is the box's.
 * Small images are enlarged to the box.  At least 1 x 1, also for
 * nonsensical arguments (any of them < 1).
 */
void image_fit(int iw, int ih, int bw, int bh, int *w, int *h);

/*
 * What the label and review screens show of an image (core/image_view.c):
 * a zoom and a centre, and adjustments of its tones so that faint marks
 * show.  A zeroed struct with cx = cy = 0.5 is the image fitted to the
 * box, unadjusted.
 *
 * scale: box pixels per image pixel, IMAGE_ZOOM_MIN..IMAGE_ZOOM_MAX, or
 * 0 to fit the box (image_fit).  From 1 up the image is enlarged by
 * nearest neighbour (every pixel a sharp block; at an integer scale
 * exactly scale x scale pixels), below 1 it is area-averaged.
 * cx, cy: the centre shown, as fractions of the width and height.
 * Adjustments, in steps so that equal views compare equal: brightness
 * adds brightness * IMAGE_BRIGHTNESS_STEP of full scale; contrast
 * multiplies the distance from mid-grey by 2^(contrast / 4); gamma raises
 * to 1 / 2^(gamma / 4) (positive steps lift the shadows); levels
 * stretches the levels between the 0.5th and 99.5th percentiles of luma
 * of what is shown to the whole range first.
 */
#define IMAGE_ZOOM_MIN (1.0 / 65536)
#define IMAGE_ZOOM_MAX 16.0
#define IMAGE_BRIGHTNESS_STEP 0.05
#define IMAGE_ADJUST_MAX 12	/* each step count within -12..12 */

struct image_view {
	double scale;		/* 0: fit */
	double cx, cy;
	int brightness, contrast, gamma;
	int levels;		/* 1: auto-levels */
};

/* A rectangle of the image, in its pixels. */
struct image_region {
	int x, y, w, h;
};

/*
 * An image's halvings (each pixel the mean of a 2 x 2 block of the one
 * before; an odd side's last pixel left out) down to sides under
 * IMAGE_PYRAMID_SIDE, so a view of a large image shrinks from the nearest
 * one rather than from every source pixel: half[k] is the source halved
 * k + 1 times.  About a third of the source's memory.
 */
#define IMAGE_PYRAMID_MAX 16
#define IMAGE_PYRAMID_SIDE 64

struct image_pyramid {
	int n;
	struct image half[IMAGE_PYRAMID_MAX];
};
void image_pyramid_make(const struct image *src, struct image_pyramid *pyr);
void image_pyramid_free(struct image_pyramid *pyr);

/*
 * What view v shows of src in a box of bw x bh pixels, in *dst (malloc'd:
 * image_free): at most bw x bh, and exactly the box's width or height
 * when fitted; the tones as in src (image_adjust applies v's
 * adjustments).  Shrinking starts from the smallest of pyr's halvings
 * (src's, image_pyramid_make; NULL: none) at least as large as needed.
 * *reg gets the part of src shown.  A centre too near an edge for the
 * box is moved in.  0, or -1 with *cause (no image, empty box, scale out
 * of range).
 */
int image_view_scale(const struct image *src, const struct image_pyramid *pyr,
    const struct image_view *v, int bw, int bh, struct image *dst,
    struct image_region *reg, char **cause);

/* The scale at which image_view_scale fits iw x ih in bw x bh: the
 * smaller of the two sides' ratios (image_fit's rounding aside). */
double image_fit_scale(int iw, int ih, int bw, int bh);

/*
 * The next zoom from scale (0: fit, whose scale is fit) going in (dir > 0)
 * or out (dir < 0): the steps are 1/1.5^k below 1 and 1, 2, 3, 4, 6, 8,
 * 12, 16 above (integer, so enlarged pixels stay equal squares).  Out
 * stops at fit and returns 0 there; in stops at IMAGE_ZOOM_MAX (or at fit
 * when fit is larger still, a tiny image).
 */
double image_zoom_step(double scale, double fit, int dir);

/* The fractions of iw and ih that v shows in a bw x bh box (1: all). */
void image_view_span(const struct image_view *v, int iw, int ih, int bw,
    int bh, double *fx, double *fy);
/* v's centre moved where the region shown stays inside the image. */
void image_view_clamp(struct image_view *v, int iw, int ih, int bw, int bh);

/* 1 when v changes no tone (whatever its zoom). */
int image_view_neutral(const struct image_view *v);
/* v's adjustments applied to img's pixels, in place. */
void image_adjust(struct image *img, const struct image_view *v);

/*
 * v as text, as labels record it: "zoom=S region=X,Y,W,H" when v is not
 * fitted (reg NULL: without the region), then "brightness=+B",
 * "contrast=C", "gamma=G" and "levels=auto" for what is not neutral,
 * separated by spaces.  NULL when v is fitted and neutral (nothing the
 * labeler changed); else malloc'd, the caller frees.
 */
char *image_view_text(const struct image_view *v,
    const struct image_region *reg);

/*
 * The decode budget: what decoding images may hold at once in one
 * process, shared by import's --jobs workers and the label screen's
 * loader, so that neither more workers nor reading further ahead can
 * multiply it.  MEDIA_DECODE_BUDGET bytes (512 MiB: two images at the
 * pixel limit, MEDIA_DECODE_MAX each) unless the environment variable
 * ACCORD_DECODE_BUDGET gives another size in MiB (at least 1) for the
 * process.  A file's cost is media_decode_bytes() of its first bytes
 * (plus, in import, the file's own bytes, which a worker holds while it
 * probes).  Thread-safe.
 */
#define MEDIA_DECODE_BUDGET ((uint64_t)512 << 20)
#define MEDIA_DECODE_MAX (MEDIA_MAX_PIXELS * 3)

/*
 * What decoding the image whose first n bytes are head holds at its
 * largest: the RGB pixels (width * height * 3, from the PNG or JPEG
 * header), plus libjpeg's whole-image coefficients for a progressive
 * JPEG (2 bytes a sample).  MEDIA_DECODE_MAX when head holds no JPEG
 * frame header (it may be further on); 0 for what is not an image, or an
 * image its decoder refuses from the header alone (over the limits).
 */
uint64_t media_decode_bytes(const unsigned char *head, size_t n);

/* The budget in bytes (read from the environment once). */
uint64_t media_budget_total(void);

/*
 * Take bytes of the budget, waiting until they fit; callers are served
 * in the order they came (no starvation).  A cost larger than the whole
 * budget waits until nothing else is taken and then runs alone.
 */
void media_budget_take(uint64_t bytes);

/*
 * 1 when bytes more would fit in the budget now, else 0.  The label
 * screen reads further ahead only while an image at the limit would fit
 * (media_budget_room(MEDIA_DECODE_MAX)), so that what it holds ahead
 * stays within the budget.
 */
int media_budget_room(uint64_t bytes);

/* Take bytes at once, even past the budget: what the screen waits for
 * (the next item when none is ready, an item asked for). */
void media_budget_force(uint64_t bytes);

/* Give back bytes taken. */
void media_budget_give(uint64_t bytes);

/* Audio decoded to mono float (the mean of the channels). */
struct audio {
	int rate;
	int channels;		/* of the source */
	int64_t frames;
	float *mono;		/* frames samples */
};
int audio_decode_mono(const unsigned char *data, size_t len, struct audio *out,
    char **cause);
void audio_free(struct audio *a);

/*
 * Views of a decoded clip for the label screen.
 *
 * audio_peaks: the clip cut into ncols equal spans of time; mins[c] and
 * maxs[c] are the smallest and largest mono sample in span c (both 0 for a
 * span with no sample).  0, or -1 with *cause.
 */
int audio_peaks(const struct audio *a, int ncols, float *mins, float *maxs,
    char **cause);

/*
 * A log-magnitude spectrogram: short-time Fourier transform (FFTW, real
 * input) of AUDIO_SPEC_FRAME-sample frames under a Hann window, hop
 * AUDIO_SPEC_HOP samples (clips shorter than a frame are zero-padded).
 * Power is averaged over the frames whose centres fall in each of `cols`
 * equal time spans (the nearest frame when none does), and summed over the FFT
 * bins falling in each of `rows` equal bands from 0 Hz to rate/2; db[] is
 * 10 log10(power) with power relative to a full-scale sine (so a full-scale
 * sine reads about 0 dB in its band), floored at AUDIO_SPEC_FLOOR_DB.
 * Row 0 is the lowest band.  out->db is cols*rows floats, column-major
 * (db[c * rows + r]); free with spectrogram_free().  Thread-safe (FFTW plan
 * creation is serialised inside).  0, or -1 with *cause.
 */
#define AUDIO_SPEC_FRAME 512
#define AUDIO_SPEC_HOP 128
#define AUDIO_SPEC_FLOOR_DB (-120.0f)

struct spectrogram {
	int cols, rows;
	float *db;
	float max_db;		/* largest value, for scaling the colour map */
};
int audio_spectrogram(const struct audio *a, int cols, int rows,
    struct spectrogram *out, char **cause);
void spectrogram_free(struct spectrogram *s);

/*
 * A clip's summary for the label screen, computed in one streamed pass
 * over the decoded samples, so its size does not grow with the clip's
 * length: what a 10-hour clip needs is what a 10-minute one needs (about
 * 6 MB at most), and the decode holds one block of samples at a time.
 * The pane's waveform and spectrogram are drawn from it at any size
 * (audio_summary_peaks, audio_summary_spectrogram), so a resize decodes
 * nothing.
 *
 * Peaks: the clip in npeak units of peak_span samples each (unit u covers
 * samples [u * peak_span, (u + 1) * peak_span)), the smallest and largest
 * mono sample of each.  peak_span is 1 (every sample) for clips up to
 * AUDIO_SUM_PEAK_UNITS = 2^18 samples (16 s at 16 kHz, 5.9 s at 44.1
 * kHz), else 2 * spec_span: 64 peak units a spectrum unit, at most 2^18
 * in all, and a clip cut at spectrum units is cut at peak units too (a
 * long WAV or FLAC is decoded in parts at once, one thread each, up to
 * 4, and the parts joined are the one pass's summary, bit for bit).
 *
 * Spectrum: the STFT frames of audio_spectrogram (same frame, hop and
 * window) grouped in nspec units of spec_span consecutive frames (the
 * smallest span that keeps nspec <= AUDIO_SUM_SPEC_UNITS, which is
 * CELLS_MAX_SIDE, the widest pane drawn); per unit, the power of each of
 * the AUDIO_SPEC_BINS FFT bins summed over the unit's transformed frames,
 * and how many were transformed.  A unit of at most AUDIO_SUM_FFTS frames
 * transforms all of them; a longer one (a clip over 4096 * 16 * 128
 * samples: 8.7 minutes at 16 kHz) transforms AUDIO_SUM_FFTS frames evenly
 * spaced in it (frame u * span + (2j + 1) * span / (2 * AUDIO_SUM_FFTS),
 * j = 0..15), so a long clip costs at most 4096 * 16 FFTs, about 0.1 s,
 * however long it is: the power of a column is then the mean over a
 * sample of its frames rather than over all of them, which the view's
 * 80 dB colour scale cannot tell apart for stationary sound and which
 * misses at most short events between the sampled frames (the waveform,
 * which sees every sample, still shows them).
 *
 * When the length is not known in advance (a FLAC from a streaming
 * encoder), spans start at 1 and double, merging pairs of units, whenever
 * the units would overflow.
 */
#define AUDIO_SUM_PEAK_UNITS (1 << 18)
#define AUDIO_SUM_SPEC_UNITS 4096
#define AUDIO_SUM_FFTS 16
#define AUDIO_SPEC_BINS (AUDIO_SPEC_FRAME / 2 + 1)

struct audio_summary {
	int rate;
	int channels;		/* of the source */
	int64_t frames;
	int64_t peak_span;	/* samples per peak unit */
	int npeak;
	float *mins, *maxs;	/* npeak each */
	int64_t spec_span;	/* STFT frames per spectrum unit */
	int nspec;
	float *power;		/* nspec * AUDIO_SPEC_BINS, unit-major */
	int *nfft;		/* nspec: frames transformed per unit */
};

/*
 * Decode a WAV, FLAC or Ogg Vorbis file's bytes (as audio_decode_mono
 * does: the same checks and errors) into *out, holding one block of
 * samples at a time.  0, or -1 with *cause; audio_summary_free() releases
 * *out (also after a failure).  Thread-safe.
 */
int audio_summarize(const unsigned char *data, size_t len,
    struct audio_summary *out, char **cause);

/*
 * The same from a regular file at path, read in blocks, never whole: its
 * bytes are hashed as they are read, and the summary is kept only when
 * their SHA-256 is sha256 (64 hex digits; NULL: not checked).  Opens as
 * acc_open_regular does (a FIFO or device is refused without a wait).
 * The checks audio_summarize makes on the whole file first (a WAV or Ogg
 * file cut short) are not made: with sha256 given, the bytes are those
 * import made them on.  0; -1 with *cause in media_load's words ("cannot
 * read the file: ...", "the file changed since it was imported (its
 * SHA-256 differs); ask an admin to re-import it"); -2 with *cause when
 * the right bytes do not decode (audio_summarize's words).
 */
int audio_summarize_file(const char *path, const char *sha256,
    struct audio_summary *out, char **cause);

/* The summary of a clip already decoded (tests compare the two ways). */
int audio_summary_from_mono(const struct audio *a, struct audio_summary *out,
    char **cause);

/*
 * audio_peaks and audio_spectrogram from a summary.  Pane column c spans
 * the samples [c n / cols, (c + 1) n / cols) as there, and takes the
 * units that start in that span (the unit holding its first sample when
 * none does); with spans of 1 (short clips) this is exactly the direct
 * computation, and otherwise a column's edges move by less than one unit.
 * Same output and errors as the direct functions.
 */
int audio_summary_peaks(const struct audio_summary *s, int ncols, float *mins,
    float *maxs, char **cause);
int audio_summary_spectrogram(const struct audio_summary *s, int cols,
    int rows, struct spectrogram *out, char **cause);
void audio_summary_free(struct audio_summary *s);

/*
 * Media kept in the store (core/media_store.c), for hosts that cannot read
 * the files' paths: `accord import --store-media` keeps each file's bytes
 * in the store under its SHA-256, once however many items or paths have
 * them (tables media_blobs and media_chunks, schema 6), in chunks of
 * MEDIA_CHUNK_BYTES, so that nothing holds a whole file to write, check
 * or export it.  An item's media is stored when a blob has the item's
 * sha256; whatever reads an item's bytes then reads the store's, and the
 * path otherwise.  These run no transaction of their own (stored bytes
 * never change once committed) and check no role: the store's rights
 * decide (PostgreSQL: members read, admins write).
 */
#define MEDIA_CHUNK_BYTES ((size_t)1 << 20)

struct store;

/*
 * 1 when the bytes of sha256 are kept in the store (*bytes, when not
 * NULL, their size), 0 when not, -1 with *cause.
 */
int media_stored(struct store *st, const char *sha256, long long *bytes,
    char **cause);

/*
 * Read the stored bytes of sha256 a chunk at a time, in order, handing
 * each to fn (which returns 0 to go on, or -1 with *cause to stop), and
 * hash them: out_sha (64 hex digits and a NUL) gets their SHA-256 and
 * *bytes their size (either may be NULL).  Returns 0 when all were read
 * (out_sha may still differ from sha256: a damaged copy), 1 when nothing
 * is stored for sha256, 2 with *cause when the copy is not whole ("part 3
 * of 5 of the stored copy is missing"), -1 with *cause: a store error, or
 * fn's.  fn may have been handed some chunks when it returns 2 or -1.
 */
int media_stream(struct store *st, const char *sha256,
    int (*fn)(void *arg, const unsigned char *p, size_t n, char **cause),
    void *arg, char out_sha[65], long long *bytes, char **cause);

/*
 * An item's media bytes, as the label and review screens show them: the
 * store's when stored (*stored set to 1), else the file at path (*stored
 * 0); stored may be NULL.  At most max bytes, and their SHA-256 must be
 * sha256: a label belongs to the content that was imported.  0 with *data
 * (malloc'd, one NUL after the bytes; the caller frees) and *len, or -1
 * with *cause: the file's problem ("cannot read the file: cannot open:
 * No such file or directory", "the file changed since it was imported (its SHA-256
 * differs); ask an admin to re-import it"), the stored copy's ("the
 * stored copy is damaged (its SHA-256 differs); ask an admin to run
 * accord check") or the store's.
 */
int media_load(struct store *st, const char *sha256, const char *path,
    size_t max, unsigned char **data, size_t *len, int *stored,
    char **cause);

#endif
