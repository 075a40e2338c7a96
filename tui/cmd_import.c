/* cmd_import.c: accord import: bring media files and metadata in. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/import.h"
#include "accord/media.h"
#include "cmd.h"

static int cmd_import_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "meta", "FILE.csv", 0,
	    "join metadata on its 'file' column (a path relative\n"
	    "to the CSV, or a base name); every other column is\n"
	    "stored as item metadata" },
	{ "batch", "NAME", 0, "import batch name (default: import-<time>)" },
	{ "jobs", "N", 0, "decoding threads (default: number of CPUs)" },
	{ "store-media", NULL, 0,
	    "keep each file's bytes in the store too (once per\n"
	    "content), for labelers on hosts that cannot read the\n"
	    "paths; files imported before without them get them" },
	{ "max-size", "SIZE", 0,
	    "refuse files larger than SIZE bytes (K, M, G suffixes\n"
	    "of 1024; default and most 2G)" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.summary = "import image or audio files and their metadata",
	.usage =
"usage: accord import DB PATH... [--meta FILE.csv] [--batch NAME] [--jobs N]\n"
"                               [--store-media] [--max-size SIZE]\n"
"\n"
"Imports files (directories are walked; hidden entries skipped): PNG and\n"
"JPEG for image projects, WAV, FLAC and Ogg Vorbis for audio projects.\n"
"Each file is read once, hashed (SHA-256), fully decoded and measured;\n"
"the same content imported twice is one item.  Files already imported\n"
"with the same path, size and mtime are skipped, so re-running an\n"
"interrupted import imports the rest.  Items refer to their files by\n"
"path; with --store-media the store keeps the bytes as well, and label,\n"
"review, export and check read them from there.  Admins only.\n",
	.opts = options,
	.usage_end =
"A bad file gets one line naming it and the problem; the rest are\n"
"imported.  Exit status 1 if any file failed.\n",
	.run = cmd_import_run,
};

struct ui {
	int tty;
	int drawn;
};

static void
on_error(void *arg, const char *path, const char *msg)
{
	struct ui *ui = arg;

	if (ui->drawn) {
		fputs("\r\033[K", stderr);
		ui->drawn = 0;
	}
	cmd_fail(path, "%s", msg);
}

static void
fmt_eta(char *out, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
		    t % 60);
	else
		snprintf(out, len, "%ld:%02ld", t / 60, t % 60);
}

static void
on_progress(void *arg, const struct import_stats *s)
{
	struct ui *ui = arg;
	char bar[31], eta[32];
	double rate, frac;
	int i, fill;

	if (!ui->tty || s->total == 0)
		return;
	frac = (double)s->done / s->total;
	fill = (int)(frac * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	rate = s->seconds > 0 ? s->done / s->seconds : 0;
	if (rate > 0)
		fmt_eta(eta, sizeof eta, (s->total - s->done) / rate);
	else
		snprintf(eta, sizeof eta, "?");
	fprintf(stderr, "\r\033[K[%s] %d/%d files  %.1f files/s  %.1f MB/s  "
	    "ETA %s", bar, s->done, s->total, rate,
	    s->seconds > 0 ? s->bytes / 1e6 / s->seconds : 0.0, eta);
	ui->drawn = 1;
}

/* SIZE: bytes, or a number with K, M or G (1024s).  0, or -1. */
static int
parse_size(const char *v, long long *out)
{
	static const char units[] = "KMG";
	char *end;
	const char *u;
	long long n;
	int shift;

	if (v == NULL || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == '\0') {
		*out = n;
		return 0;
	}
	if ((u = strchr(units, *end)) == NULL || end[1] != '\0')
		return -1;
	shift = 10 * (int)(u - units + 1);
	if (n > (LLONG_MAX >> shift))
		return -1;
	*out = n << shift;
	return 0;
}

static int
cmd_import_run(struct cmd_args *a)
{
	struct import_opts o = { 0 };
	struct import_stats s;
	struct ui ui = { 0 };
	struct store *st;
	char *cause = NULL, *batch = NULL;
	long long n = 0;
	int r;

	if (cmd_args_int(a, "jobs", 1, 256, &n) != 0)
		return EXIT_USAGE;
	o.jobs = (int)n;
	o.store_media = cmd_args_has(a, "store-media");
	if (cmd_args_get(a, "max-size") != NULL &&
	    (parse_size(cmd_args_get(a, "max-size"), &o.max_bytes) != 0 ||
	    o.max_bytes < 1 ||
	    (unsigned long long)o.max_bytes > MEDIA_MAX_FILE_BYTES))
		return cmd_usage(a->entry, "--max-size wants a size from 1 to "
		    "2G (bytes, or with K, M or G), not '%s'",
		    cmd_args_get(a, "max-size"));
	o.meta_csv = cmd_args_get(a, "meta");
	o.batch = cmd_args_get(a, "batch");
	if (a->argc < 2)
		return cmd_usage(a->entry, "want DB and at least one PATH");
	if ((o.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(a->argv[0])) == NULL)
		return EXIT_FAIL;
	o.paths = (const char *const *)a->argv + 1;
	o.npaths = a->argc - 1;
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.arg = &ui;
	ui.tty = isatty(STDERR_FILENO);
	r = import_run(st, &o, &s, &batch, &cause);
	if (ui.drawn)
		fputs("\r\033[K", stderr);
	if (r != 0) {
		store_close(st);
		return cmd_fail_cause(a->argv[0], cause);
	}
	printf("imported %d new item%s from %d file%s in %.1f s "
	    "(%.1f files/s, %.1f MB/s): %d duplicate content, %d unchanged, "
	    "%d failed", s.imported, s.imported == 1 ? "" : "s", s.total,
	    s.total == 1 ? "" : "s", s.seconds,
	    s.seconds > 0 ? s.done / s.seconds : 0.0,
	    s.seconds > 0 ? s.bytes / 1e6 / s.seconds : 0.0, s.duplicates,
	    s.unchanged, s.failed);
	if (s.skipped)
		printf(", %d other files skipped", s.skipped);
	if (o.meta_csv != NULL)
		printf("; metadata: %d rows applied, %d unmatched", s.meta_rows,
		    s.meta_unmatched);
	if (o.store_media)
		printf("; media stored: %d new content%s, %.1f MB", s.stored,
		    s.stored == 1 ? "" : "s", s.stored_bytes / 1e6);
	fputs("; batch ", stdout);
	cmd_print_safe(stdout, batch);
	putchar('\n');
	free(batch);
	store_close(st);
	return s.failed ? EXIT_FAIL : 0;
}
