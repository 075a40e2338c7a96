/* cmd_import.c: accord import: bring media files and metadata in. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/import.h"
#include "cmd.h"

static int cmd_import_exec(int, char **);

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.summary = "import image or audio files and their metadata",
	.usage =
"usage: accord import DB PATH... [--meta FILE.csv] [--batch NAME] [--jobs N]\n"
"\n"
"Imports files (directories are walked; hidden entries skipped): PNG and\n"
"JPEG for image projects, WAV, FLAC and Ogg Vorbis for audio projects.\n"
"Each file is read once, hashed (SHA-256), fully decoded and measured;\n"
"the same content imported twice is one item.  Files already imported\n"
"with the same path, size and mtime are skipped, so re-running an\n"
"interrupted import imports the rest.  Admins only.\n"
"\n"
"  --meta FILE.csv  join metadata on its 'file' column (a path relative\n"
"                   to the CSV, or a base name); every other column is\n"
"                   stored as item metadata\n"
"  --batch NAME     import batch name (default: import-<time>)\n"
"  --jobs N         decoding threads (default: number of CPUs)\n"
"\n"
"A bad file gets one line naming it and the problem; the rest are\n"
"imported.  Exit status 1 if any file failed.\n",
	.exec = cmd_import_exec,
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

static int
cmd_import_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "meta", required_argument, NULL, 'm' },
		{ "batch", required_argument, NULL, 'b' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_import_entry;
	struct import_opts o = { 0 };
	struct import_stats s;
	struct ui ui = { 0 };
	struct store *st;
	char *cause = NULL, *batch = NULL;
	long long n;
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': o.meta_csv = optarg; break;
		case 'b': o.batch = optarg; break;
		case 'j':
			if (acc_parse_int(optarg, 1, 256, &n) != 0)
				return cmd_usage(c, "--jobs wants a number from "
				    "1 to 256, not '%s'", optarg);
			o.jobs = (int)n;
			break;
		default:
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return cmd_usage(c, "want DB and at least one PATH");
	if ((o.user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(argv[optind])) == NULL)
		return EXIT_FAIL;
	o.paths = (const char *const *)argv + optind + 1;
	o.npaths = argc - optind - 1;
	o.on_error = on_error;
	o.on_progress = on_progress;
	o.arg = &ui;
	ui.tty = isatty(STDERR_FILENO);
	r = import_run(st, &o, &s, &batch, &cause);
	if (ui.drawn)
		fputs("\r\033[K", stderr);
	if (r != 0) {
		r = cmd_fail(argv[optind], "%s", cause);
		free(cause);
		store_close(st);
		return r;
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
	printf("; batch %s\n", batch);
	free(batch);
	store_close(st);
	return s.failed ? EXIT_FAIL : 0;
}
