/*
 * decode_limit.c: the single-thread decode-bound rate that
 * tests/bench/run.sh holds `accord import` against.
 *
 *   decode_limit PATH...
 *
 * For each file (a directory is walked, hidden entries skipped, files in
 * name order), on one thread: read it into memory (acc_read_file), hash it
 * (acc_sha256_hex) and decode it completely (image_decode for PNG and
 * JPEG, audio_decode_mono for WAV, FLAC and Ogg): the work import cannot
 * avoid for a file.  Import does more (metrics, SQLite), so this rate
 * times the number of cores is the most an import on this machine can
 * reach.  Prints one line:
 *
 *   files=N bytes=B seconds=S files_per_s=F mb_per_s=M
 *
 * MB are 10^6 bytes, as accord's own import summary counts them.  Exit 1
 * if any file fails (named on stderr), so a bad data set cannot pass as a
 * fast one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "accord/media.h"
#include "accord/util.h"

struct list {
	char **v;
	int n, cap;
};

static void
list_add(struct list *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = xreallocarray(l->v, (size_t)l->cap, sizeof *l->v);
	}
	l->v[l->n++] = s;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
walk(struct list *l, const char *path)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (stat(path, &sb) != 0) {
		fprintf(stderr, "decode_limit: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		list_add(l, xstrdup(path));
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "decode_limit: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", path, de->d_name);
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (walk(l, p) != 0)
				rc = -1;
			free(p);
		} else if (media_format_from_ext(p) != MEDIA_FMT_UNKNOWN)
			list_add(l, p);
		else
			free(p);
	}
	closedir(d);
	return rc;
}

/* Read, hash and decode one file; its size in *bytes.  0 or -1. */
static int
decode_one(const char *path, size_t *bytes)
{
	unsigned char *data;
	size_t len;
	char sha[65], *cause = NULL;
	enum media_format fmt;
	int rc;

	if (acc_read_file(path, MEDIA_MAX_FILE_BYTES, &data, &len,
	    &cause) != 0)
		goto fail;
	acc_sha256_hex(data, len, sha);
	fmt = media_sniff(data, len);
	if (media_format_kind(fmt) == MEDIA_KIND_IMAGE) {
		struct image img;

		rc = image_decode(data, len, &img, &cause);
		image_free(&img);
	} else if (media_format_kind(fmt) == MEDIA_KIND_AUDIO) {
		struct audio a;

		rc = audio_decode_mono(data, len, &a, &cause);
		audio_free(&a);
	} else
		rc = acc_error(&cause, "not a PNG, JPEG, WAV, FLAC or Ogg file");
	free(data);
	if (rc != 0)
		goto fail;
	*bytes = len;
	return 0;
fail:
	fprintf(stderr, "decode_limit: %s: %s\n", path, cause);
	free(cause);
	return -1;
}

int
main(int argc, char **argv)
{
	struct list l = { NULL, 0, 0 };
	unsigned long long total = 0;
	double t0, secs;
	size_t bytes;
	int i, ok = 0, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: decode_limit FILE|DIR...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (walk(&l, argv[i]) != 0)
			failed++;
	qsort(l.v, (size_t)l.n, sizeof *l.v, str_cmp);

	t0 = acc_monotonic();
	for (i = 0; i < l.n; i++) {
		if (decode_one(l.v[i], &bytes) != 0)
			failed++;
		else {
			total += bytes;
			ok++;
		}
	}
	secs = acc_monotonic() - t0;

	printf("files=%d bytes=%llu seconds=%.3f files_per_s=%.2f "
	    "mb_per_s=%.2f\n", ok, total, secs, secs > 0 ? ok / secs : 0.0,
	    secs > 0 ? total / 1e6 / secs : 0.0);
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return failed ? 1 : 0;
}
