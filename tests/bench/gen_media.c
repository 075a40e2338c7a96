/*
 * gen_media.c: deterministic benchmark media for tests/bench/run.sh.
 *
 *   gen_media DIR NPNG NWAV SEED
 *
 * writes DIR/png/img-NNNNN.png (1024x768 RGB, 8-bit) and
 * DIR/wav/snd-NNNNN.wav (10 s, 16 kHz, mono, 16-bit PCM).  The images
 * look enough like photographs to compress like them: smooth gradients,
 * low-frequency shading and soft-edged shapes under moderate sensor-like
 * noise, written by libpng with its default filters and zlib level, so a
 * file is about 1 MB (a noiseless synthetic image would shrink to a few
 * KB and make the decode-bound limit meaningless).  The sounds are tones
 * with envelopes and harmonics over a noise floor, separated and framed
 * by silence, so every audio metric has something to measure.
 *
 * Every file's content depends only on SEED and its index, and no two are
 * equal (import would count equal contents as duplicates).  DIR/.stamp
 * records the parameters and is written last: when it already matches,
 * nothing is generated, so repeated `make bench` runs reuse the data.
 * Files are written under a temporary name and renamed, so an interrupted
 * run never leaves a short file behind a valid stamp.  The work is spread
 * over one thread per CPU.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <png.h>
#include <sndfile.h>

#include "accord/util.h"
#include "bench_rng.h"

#define IMG_W 1024
#define IMG_H 768
#define WAV_RATE 16000
#define WAV_SECONDS 10
#define WAV_FRAMES (WAV_RATE * WAV_SECONDS)

/* Bump when the generator's output changes, so old data is replaced. */
#define GEN_VERSION 1

/* --- a small deterministic generator (splitmix64) ---------------------- */

static double
rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

static void
rng_seed(struct rng *r, unsigned long long seed, int kind, int index)
{
	r->s = seed * 0x100000001b3ULL ^ (uint64_t)kind << 40 ^
	    (uint64_t)(unsigned)index;
	(void)rng_next(r);
	(void)rng_next(r);
}

/*
 * Roughly Gaussian noise of unit standard deviation, cheaply: the sum of
 * four uniform bytes has mean 510 and standard deviation
 * sqrt(4 * (256^2 - 1) / 12) = 147.8 (Irwin-Hall), close enough to a bell
 * for texture.  One 64-bit draw gives two values.
 */
struct noise {
	struct rng *r;
	uint64_t bits;
	int left;
};

static float
noise_next(struct noise *n)
{
	uint64_t b;

	if (n->left == 0) {
		n->bits = rng_next(n->r);
		n->left = 2;
	}
	b = n->bits;
	n->bits >>= 32;
	n->left--;
	return ((float)((b & 255) + (b >> 8 & 255) + (b >> 16 & 255) +
	    (b >> 24 & 255)) - 510.0f) * (1.0f / 147.8f);
}

/* --- images ------------------------------------------------------------ */

struct shape {
	int ellipse;		/* else a rotated rectangle */
	double cx, cy, rx, ry, cosa, sina;
	double col[3], grad[3];	/* colour at the centre, change across it */
	double soft;		/* edge width in pixels */
	double opacity;
};

/*
 * Coverage of a shape at (x, y) in 0..1 with a soft edge, and the position
 * along its own x axis (-1..1) for its internal gradient.
 */
static double
shape_cover(const struct shape *s, double x, double y, double *u)
{
	double dx = x - s->cx, dy = y - s->cy;
	double px = dx * s->cosa + dy * s->sina;
	double py = -dx * s->sina + dy * s->cosa;
	double d, a;

	*u = px / s->rx;
	if (s->ellipse) {
		/* Distance to the edge, approximately, in pixels. */
		d = (sqrt((px * px) / (s->rx * s->rx) + (py * py) /
		    (s->ry * s->ry)) - 1.0) * (s->rx < s->ry ? s->rx : s->ry);
	} else {
		double ex = fabs(px) - s->rx, ey = fabs(py) - s->ry;

		d = ex > ey ? ex : ey;
	}
	a = 0.5 - d / s->soft;
	return a < 0 ? 0 : a > 1 ? 1 : a;
}

static int
write_png(const char *path, const unsigned char *rgb, char **cause)
{
	png_structp png;
	png_infop info;
	FILE *f;
	int y;

	if ((f = fopen(path, "wb")) == NULL)
		return acc_error(cause, "cannot create: %s", strerror(errno));
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL)
		acc_fatal("libpng: cannot create a write struct");
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		return acc_error(cause, "libpng failed writing");
	}
	png_init_io(png, f);
	/* Default filters and zlib level: what most encoders write. */
	png_set_IHDR(png, info, IMG_W, IMG_H, 8, PNG_COLOR_TYPE_RGB,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < IMG_H; y++)
		png_write_row(png, rgb + (size_t)y * IMG_W * 3);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	if (fclose(f) != 0)
		return acc_error(cause, "write failed: %s", strerror(errno));
	return 0;
}

static int
gen_png(const char *path, unsigned long long seed, int index,
    float *img, unsigned char *rgb, char **cause)
{
	struct rng r;
	struct noise nz;
	double corner[4][3], wave[4][5], sigma;
	static _Thread_local double xs[4][IMG_W], xc[4][IMG_W];
	struct shape sh[16];
	int nshape, nwave = 4, i, c, x, y, x0, x1, y0, y1;

	rng_seed(&r, seed, 1, index);
	for (i = 0; i < 4; i++)
		for (c = 0; c < 3; c++)
			corner[i][c] = rng_range(&r, 20, 235);
	/* Low-frequency shading: amplitude, fx, fy, phase, channel tint. */
	for (i = 0; i < nwave; i++) {
		double ang = rng_range(&r, 0, 2 * M_PI);
		double f = rng_range(&r, 0.5, 4.0) * 2 * M_PI / IMG_W;

		wave[i][0] = rng_range(&r, 5, 25);
		wave[i][1] = f * cos(ang);
		wave[i][2] = f * sin(ang);
		wave[i][3] = rng_range(&r, 0, 2 * M_PI);
		wave[i][4] = rng_range(&r, -0.3, 0.3);
	}
	/*
	 * sin(ax + by + p) = sin(ax) cos(by + p) + cos(ax) sin(by + p): a
	 * table per axis instead of a sine per pixel, which was a tenth of
	 * the generator's time.
	 */
	for (i = 0; i < nwave; i++)
		for (x = 0; x < IMG_W; x++) {
			xs[i][x] = wave[i][0] * sin(wave[i][1] * x);
			xc[i][x] = wave[i][0] * cos(wave[i][1] * x);
		}
	for (y = 0; y < IMG_H; y++) {
		double fy = (double)y / (IMG_H - 1), ys[4], yc[4];

		for (i = 0; i < nwave; i++) {
			ys[i] = sin(wave[i][2] * y + wave[i][3]);
			yc[i] = cos(wave[i][2] * y + wave[i][3]);
		}
		for (x = 0; x < IMG_W; x++) {
			double fx = (double)x / (IMG_W - 1), shade = 0;
			float *p = img + ((size_t)y * IMG_W + x) * 3;

			for (i = 0; i < nwave; i++)
				shade += xs[i][x] * yc[i] + xc[i][x] * ys[i];
			for (c = 0; c < 3; c++) {
				double top = corner[0][c] + (corner[1][c] -
				    corner[0][c]) * fx;
				double bot = corner[2][c] + (corner[3][c] -
				    corner[2][c]) * fx;

				p[c] = (float)(top + (bot - top) * fy +
				    shade * (1 + wave[c][4]));
			}
		}
	}

	nshape = 6 + (int)(rng_next(&r) % 10);
	for (i = 0; i < nshape; i++) {
		struct shape *s = &sh[i];
		double a = rng_range(&r, 0, M_PI);

		s->ellipse = rng_next(&r) % 3 != 0;
		s->cx = rng_range(&r, -50, IMG_W + 50);
		s->cy = rng_range(&r, -50, IMG_H + 50);
		s->rx = rng_range(&r, 20, 260);
		s->ry = rng_range(&r, 20, 260);
		s->cosa = cos(a);
		s->sina = sin(a);
		for (c = 0; c < 3; c++) {
			s->col[c] = rng_range(&r, 10, 245);
			s->grad[c] = rng_range(&r, -40, 40);
		}
		s->soft = rng_range(&r, 1.0, 12.0);
		s->opacity = rng_range(&r, 0.5, 1.0);

		/* The bounding box of the rotated shape plus its soft edge. */
		{
			double ex = fabs(s->rx * s->cosa) + fabs(s->ry * s->sina);
			double ey = fabs(s->rx * s->sina) + fabs(s->ry * s->cosa);

			x0 = (int)floor(s->cx - ex - s->soft);
			x1 = (int)ceil(s->cx + ex + s->soft);
			y0 = (int)floor(s->cy - ey - s->soft);
			y1 = (int)ceil(s->cy + ey + s->soft);
		}
		if (x0 < 0)
			x0 = 0;
		if (y0 < 0)
			y0 = 0;
		if (x1 > IMG_W - 1)
			x1 = IMG_W - 1;
		if (y1 > IMG_H - 1)
			y1 = IMG_H - 1;
		for (y = y0; y <= y1; y++)
			for (x = x0; x <= x1; x++) {
				double u, cov = shape_cover(s, x, y, &u);
				float *p = img + ((size_t)y * IMG_W + x) * 3;

				if (cov <= 0)
					continue;
				cov *= s->opacity;
				for (c = 0; c < 3; c++)
					p[c] = (float)(p[c] * (1 - cov) +
					    (s->col[c] + s->grad[c] * u) * cov);
			}
	}

	/*
	 * Sensor-like noise: a luma part shared by the channels and a chroma
	 * part per channel.  Its size sets the file size; 1.5..3 levels gives
	 * 0.8..1.3 MB with libpng's defaults, like a photo of this size.
	 */
	sigma = rng_range(&r, 1.5, 3.0);
	nz.r = &r;
	nz.left = 0;
	for (i = 0; i < IMG_W * IMG_H; i++) {
		float l = noise_next(&nz) * (float)sigma * 0.8f;

		for (c = 0; c < 3; c++) {
			float v = img[(size_t)i * 3 + c] + l +
			    noise_next(&nz) * (float)sigma * 0.6f;

			rgb[(size_t)i * 3 + c] = (unsigned char)(v < 0 ? 0 :
			    v > 255 ? 255 : lrintf(v));
		}
	}
	return write_png(path, rgb, cause);
}

/* --- sounds ------------------------------------------------------------ */

static int
gen_wav(const char *path, unsigned long long seed, int index, float *buf,
    short *pcm, char **cause)
{
	struct rng r;
	struct noise nz;
	SF_INFO si;
	SNDFILE *sf;
	double floor_amp, t;
	int i, n, pos, len, h, lead, trail;

	rng_seed(&r, seed, 2, index);
	nz.r = &r;
	nz.left = 0;
	memset(buf, 0, WAV_FRAMES * sizeof *buf);

	/* Silence at both ends: some files start and end at digital zero. */
	lead = (int)rng_range(&r, 0, 1.5 * WAV_RATE);
	trail = (int)rng_range(&r, 0, 1.5 * WAV_RATE);
	floor_amp = pow(10.0, rng_range(&r, -45, -30) / 20.0);
	for (i = lead; i < WAV_FRAMES - trail; i++)
		buf[i] = noise_next(&nz) * (float)floor_amp;

	/* Tones with harmonics, a short attack and a decay, and gaps. */
	pos = lead;
	while (pos < WAV_FRAMES - trail) {
		double f0 = rng_range(&r, 80, 1200), amp = rng_range(&r, 0.05,
		    0.6), vib = rng_range(&r, 0, 6), decay;
		double harm[4];

		len = (int)rng_range(&r, 0.2 * WAV_RATE, 2.0 * WAV_RATE);
		if (len > WAV_FRAMES - trail - pos)
			len = WAV_FRAMES - trail - pos;
		for (h = 0; h < 4; h++)
			harm[h] = rng_range(&r, 0, 1.0 / (h + 1));
		decay = rng_range(&r, 0.5, 4.0);
		for (n = 0; n < len; n++) {
			double env, s = 0, ph;

			t = (double)n / WAV_RATE;
			env = (n < 160 ? n / 160.0 : 1.0) * exp(-decay * t);
			ph = 2 * M_PI * f0 * t + vib * sin(2 * M_PI * 5 * t) /
			    5;
			s = sin(ph);
			for (h = 0; h < 4; h++)
				s += harm[h] * sin((h + 2) * ph);
			buf[pos + n] += (float)(amp * env * s / 2.0);
		}
		pos += len;
		/* A pause before the next tone, sometimes none. */
		pos += (int)rng_range(&r, 0, 0.8 * WAV_RATE);
	}
	for (i = 0; i < WAV_FRAMES; i++) {
		long v = lrintf(buf[i] * 32767.0f);

		pcm[i] = (short)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}

	memset(&si, 0, sizeof si);
	si.samplerate = WAV_RATE;
	si.channels = 1;
	si.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	if ((sf = sf_open(path, SFM_WRITE, &si)) == NULL)
		return acc_error(cause, "cannot create: %s", sf_strerror(NULL));
	if (sf_write_short(sf, pcm, WAV_FRAMES) != WAV_FRAMES) {
		acc_error(cause, "write failed: %s", sf_strerror(sf));
		sf_close(sf);
		return -1;
	}
	if (sf_close(sf) != 0)
		return acc_error(cause, "close failed");
	return 0;
}

/* --- driving ----------------------------------------------------------- */

struct job {
	const char *dir;
	int npng, nwav;
	unsigned long long seed;
	int next, failed;
	pthread_mutex_t lock;
};

static int
gen_one(struct job *j, int k, float *fbuf, unsigned char *rgb, short *pcm)
{
	char *path, *tmp, *cause = NULL;
	int rc;

	if (k < j->npng)
		path = xasprintf("%s/png/img-%05d.png", j->dir, k);
	else
		path = xasprintf("%s/wav/snd-%05d.wav", j->dir, k - j->npng);
	tmp = xasprintf("%s.tmp", path);
	if (k < j->npng)
		rc = gen_png(tmp, j->seed, k, fbuf, rgb, &cause);
	else
		rc = gen_wav(tmp, j->seed, k - j->npng, fbuf, pcm, &cause);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = acc_error(&cause, "cannot rename: %s", strerror(errno));
	if (rc != 0) {
		fprintf(stderr, "gen_media: %s: %s\n", tmp, cause);
		free(cause);
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return rc;
}

static void *
gen_worker(void *arg)
{
	struct job *j = arg;
	float *fbuf = xcalloc((size_t)IMG_W * IMG_H * 3, sizeof *fbuf);
	unsigned char *rgb = xmalloc((size_t)IMG_W * IMG_H * 3);
	short *pcm = xcalloc(WAV_FRAMES, sizeof *pcm);

	for (;;) {
		int k, rc;

		pthread_mutex_lock(&j->lock);
		k = j->failed ? -1 : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (k < 0 || k >= j->npng + j->nwav)
			break;
		rc = gen_one(j, k, fbuf, rgb, pcm);
		if (rc != 0) {
			pthread_mutex_lock(&j->lock);
			j->failed = 1;
			pthread_mutex_unlock(&j->lock);
		}
	}
	free(fbuf);
	free(rgb);
	free(pcm);
	return NULL;
}

/* Remove what an earlier run with other parameters left in sub/. */
static int
clean_dir(const char *dir, const char *prefix)
{
	DIR *d;
	struct dirent *de;
	size_t pl = strlen(prefix);

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_media: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "gen_media: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, pl) == 0) {
			char *p = xasprintf("%s/%s", dir, de->d_name);

			unlink(p);
			free(p);
		}
	}
	closedir(d);
	return 0;
}

int
main(int argc, char **argv)
{
	struct job j;
	long long npng, nwav, seed, ncpu;
	char *stamp, *want, *sub, *have = NULL;
	unsigned char *data;
	size_t len;
	pthread_t *th;
	int i, nth;
	FILE *f;

	if (argc != 5 || acc_parse_int(argv[2], 0, 99999, &npng) != 0 ||
	    acc_parse_int(argv[3], 0, 99999, &nwav) != 0 ||
	    acc_parse_int(argv[4], 0, INT64_MAX, &seed) != 0) {
		fprintf(stderr, "usage: gen_media DIR NPNG NWAV SEED\n");
		return 2;
	}
	memset(&j, 0, sizeof j);
	j.dir = argv[1];
	j.npng = (int)npng;
	j.nwav = (int)nwav;
	j.seed = (unsigned long long)seed;

	stamp = xasprintf("%s/.stamp", j.dir);
	want = xasprintf("gen_media v%d png=%lld %dx%d wav=%lld %ds@%dHz "
	    "seed=%lld\n", GEN_VERSION, npng, IMG_W, IMG_H, nwav, WAV_SECONDS,
	    WAV_RATE, seed);
	if (acc_read_file(stamp, 4096, &data, &len, NULL) == 0) {
		have = (char *)data;
		if (strcmp(have, want) == 0) {
			printf("gen_media: %s is up to date: %s", j.dir, want);
			free(have);
			free(stamp);
			free(want);
			return 0;
		}
		free(have);
	}

	if (mkdir(j.dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen_media: %s: %s\n", j.dir, strerror(errno));
		return 1;
	}
	unlink(stamp);
	sub = xasprintf("%s/png", j.dir);
	if (clean_dir(sub, "img-") != 0)
		return 1;
	free(sub);
	sub = xasprintf("%s/wav", j.dir);
	if (clean_dir(sub, "snd-") != 0)
		return 1;
	free(sub);

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	nth = ncpu > 0 ? (int)ncpu : 1;
	pthread_mutex_init(&j.lock, NULL);
	th = xcalloc((size_t)nth, sizeof *th);
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, gen_worker, &j) != 0)
			acc_fatal("cannot start a thread");
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&j.lock);
	if (j.failed)
		return 1;

	if ((f = fopen(stamp, "w")) == NULL || fputs(want, f) == EOF ||
	    fclose(f) != 0) {
		fprintf(stderr, "gen_media: %s: cannot write\n", stamp);
		return 1;
	}
	printf("gen_media: wrote %lld PNG and %lld WAV files to %s\n", npng,
	    nwav, j.dir);
	free(stamp);
	free(want);
	return 0;
}
