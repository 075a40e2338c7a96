/*
 * media_metrics: print what media_probe() says about each file, for
 * tests/reference/media_vs_tools.sh to compare with independent tools.
 *
 *   media_metrics FILE...
 *
 * One line a file: "FILE format=png width=... brightness=..." with every
 * number as %.9g; the expected format comes from the extension, as import
 * passes it.  A file that fails prints "FILE: cause" on stderr, and the
 * exit status is then 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "accord/media.h"
#include "accord/util.h"

static int
one(const char *path)
{
	struct media_info mi;
	unsigned char *data;
	size_t len;
	char *cause = NULL;
	int i, rc;

	if (acc_read_file(path, MEDIA_MAX_FILE_BYTES, &data, &len, &cause)) {
		fprintf(stderr, "%s: %s\n", path, cause);
		free(cause);
		return -1;
	}
	rc = media_probe(data, len, media_format_from_ext(path), &mi, &cause);
	free(data);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", path, cause);
		free(cause);
		return -1;
	}
	printf("%s format=%s", path, media_format_name(mi.format));
	if (mi.kind == MEDIA_KIND_IMAGE)
		printf(" width=%d height=%d channels=%d depth=%d", mi.width,
		    mi.height, mi.channels, mi.depth);
	else
		printf(" rate=%d channels=%d frames=%lld", mi.rate, mi.channels,
		    (long long)mi.frames);
	for (i = 0; i < mi.nmetrics; i++)
		printf(" %s=%.9g", mi.metrics[i].key, mi.metrics[i].value);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: media_metrics FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (one(argv[i]) != 0)
			rc = 1;
	return rc;
}
