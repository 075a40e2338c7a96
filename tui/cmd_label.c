/* cmd_label.c: accord label: the labeling screen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/project.h"
#include "accord/label.h"
#include "accord/media.h"
#include "accord/queue.h"
#include "cmd.h"
#include "screen.h"

static int cmd_label_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "batch", "NAME", 0, "only items of this import batch" },
	{ "script", "FILE", 0,
	    "test aid, no screen: each line \"class[,note]\" labels the\n"
	    "next item the queue gives you (same queue, same label\n"
	    "writes); prints \"ID<tab>PATH<tab>CLASS\" per label, flushed\n"
	    "once the label is on disk.  Blank and # lines are\n"
	    "skipped; - reads standard input.  With ACCORD_TRACE=FILE\n"
	    "it appends \"item=ID take=MS commit=MS\" per label." },
	{ "media", NULL, 0,
	    "with --script: read each item's media as the screen\n"
	    "does (from the store when import kept it there, else\n"
	    "its path), check its SHA-256 and decode it before\n"
	    "labeling; a fourth column gives WxH or the seconds;\n"
	    "an item that cannot be shown stops the script" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_label_entry = {
	.name = "label",
	.summary = "label items: the labeling screen",
	.usage =
"usage: accord label DB [--batch NAME] [--script FILE [--media]]\n"
"\n"
"Shows, one at a time, the items you still have to label: items you have\n"
"not labeled that have fewer than the project's overlap of labels (items\n"
"other labelers hold count as taken).  You never see other labelers'\n"
"labels.  Each label is saved to disk before the next item shows.\n"
"\n"
"Keys: a class's key labels and moves on; b the borderline class; n note;\n"
"t tags; u undo my last label; s skip; p or Backspace back to my previous\n"
"items; space plays audio; + - z ! zoom in, out, fit, 1:1 (1 too when no\n"
"class has it); arrows or hjkl pan; [ ] { } ( ) brightness, contrast,\n"
"gamma down and up, * auto-levels, \\ resets them (the view is stored with\n"
"the label); g guideline; ? help; q quit.  A mouse click on a class labels\n"
"with it.\n"
"\n"
"Environment: ACCORD_COLOR=truecolor|256|16|8|none overrides\n"
"colour detection, NO_COLOR turns colour off; ACCORD_PLAY is the audio\n"
"player command (%f is the file); ACCORD_TRACE=FILE logs each key's time\n"
"to the next item drawn (with --script: each label's take and commit\n"
"times).\n",
	.opts = options,
	.run = cmd_label_run,
};

/* The script being read and the trace being written (or NULL). */
struct script_io {
	FILE *f, *trace;
	int media;		/* --media: load each item's media first */
};

/* Open the script (- is standard input) and ACCORD_TRACE's file: 0, or
 * the error printed and EXIT_FAIL with nothing left open. */
static int
script_open(struct script_io *io, const char *file)
{
	const char *tf = getenv("ACCORD_TRACE");
	int r;

	io->trace = NULL;
	io->f = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
	if (io->f == NULL)
		return cmd_fail(file, "cannot open: %s", strerror(errno));
	if (tf != NULL && *tf != '\0' && (io->trace = fopen(tf, "ae")) == NULL) {
		r = cmd_fail(tf, "cannot open trace file: %s", strerror(errno));
		if (io->f != stdin)
			fclose(io->f);
		return r;
	}
	return 0;
}

static void
script_close(struct script_io *io)
{
	if (io->f != stdin)
		fclose(io->f);
	if (io->trace != NULL)
		fclose(io->trace);
}

/*
 * A script line of len bytes cut in place into its class name (line) and
 * *note (NULL without a comma).  Returns 0, or -1 for a blank or # line.
 */
static int
script_line(char *line, ssize_t len, char **note)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return -1;
	if ((*note = strchr(line, ',')) != NULL)
		*(*note)++ = '\0';
	return 0;
}

/*
 * --media: the item's bytes as the screen reads them (media_load), decoded;
 * its size as the fourth column into col.  0, or -1 with *cause.
 */
static int
script_media(struct store *st, const struct queue_item *it, char *col,
    size_t n, char **cause)
{
	unsigned char *data;
	size_t len;
	int r, stored = 0;

	if (media_load(st, it->sha256, it->path, MEDIA_MAX_FILE_BYTES, &data,
	    &len, &stored, cause) != 0)
		return -1;
	if (strcmp(it->kind, "audio") == 0) {
		struct audio_summary a;

		/* The screen's bounded summary, not a whole decode. */
		r = audio_summarize(data, len, &a, cause);
		if (r == 0)
			snprintf(col, n, "%.3fs", a.rate > 0 ?
			    (double)a.frames / a.rate : 0.0);
		audio_summary_free(&a);
	} else {
		struct image img = { 0 };

		r = image_decode(data, len, &img, cause);
		if (r == 0)
			snprintf(col, n, "%dx%d", img.width, img.height);
		image_free(&img);
	}
	free(data);
	return r;
}

/*
 * Label the next item the queue gives user with class c: its line printed
 * and flushed once the label is on disk, then its trace line.  Returns 0;
 * 1 when the queue is empty (said on stdout); -1 with the error printed.
 */
static int
script_label(struct store *st, const char *db, const char *user,
    const char *batch, const struct class_def *c, const char *note,
    const struct script_io *io)
{
	struct queue_item it;
	char *cause = NULL, col[64] = "";
	double t0, t1, t2;
	int got;

	t0 = acc_monotonic();
	if ((got = queue_take(st, user, batch, NULL, 0, &it, &cause)) < 0) {
		cmd_fail_cause(db, cause);
		return -1;
	}
	if (got == 0) {
		printf("nothing left to label\n");
		return 1;
	}
	t1 = acc_monotonic();
	if (io->media && script_media(st, &it, col, sizeof col,
	    &cause) != 0) {
		cmd_fail(db, "item %lld: %s", it.id, cause);
		free(cause);
		queue_item_free(&it);
		return -1;
	}
	if (label_put(st, user, it.id, c->id, note, -1, NULL, &cause) != 0) {
		cmd_fail(db, "item %lld: %s", it.id, cause);
		free(cause);
		queue_item_free(&it);
		return -1;
	}
	t2 = acc_monotonic();
	printf("%lld\t", it.id);
	cmd_print_safe(stdout, it.path);
	printf("\t%s%s%s\n", c->name, io->media ? "\t" : "", col);
	fflush(stdout);
	if (io->trace != NULL) {
		fprintf(io->trace, "item=%lld take=%.3f commit=%.3f\n", it.id,
		    (t1 - t0) * 1e3, (t2 - t1) * 1e3);
		fflush(io->trace);
	}
	queue_item_free(&it);
	return 0;
}

/*
 * The scripted test aid: the queue and label writes of the screen without
 * the screen, so command tests can play labelers.  Stops at the end of
 * the script, or when the queue is empty.
 *
 * Each label's line is printed and flushed only after label_put returned,
 * that is after the commit is on disk: a line a killed run left behind is
 * a label the store must hold (tests/cmd/kill_loop.sh relies on it).  The
 * trace times queue_take (which holds the write lock for its scan) and
 * label_put (BEGIN IMMEDIATE to a synced COMMIT) apart, for
 * tests/stress/labelers.sh.
 */
static int
label_script(const char *db, const char *user, const char *batch,
    const char *file, int media)
{
	struct script_io io;
	struct store *st;
	struct project p;
	const struct class_def *c;
	char *line = NULL, *note, *cause = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, r, got;

	if ((r = script_open(&io, file)) != 0)
		return r;
	io.media = media;
	if ((st = cmd_open(db)) == NULL) {
		script_close(&io);
		return EXIT_FAIL;
	}
	if (project_load(st, &p, &cause) != 0) {
		r = cmd_fail_cause(db, cause);
		goto out;
	}
	while ((len = getline(&line, &cap, io.f)) != -1) {
		lineno++;
		if (script_line(line, len, &note) != 0)
			continue;
		if ((c = project_class(&p, line)) == NULL) {
			r = cmd_no_class(file, &lineno, &p, line);
			break;
		}
		if ((got = script_label(st, db, user, batch, c, note,
		    &io)) != 0) {
			r = got < 0 ? EXIT_FAIL : 0;
			break;
		}
	}
	project_free(&p);
out:
	free(line);
	script_close(&io);
	store_close(st);
	return r;
}

static int
cmd_label_run(struct cmd_args *a)
{
	const char *batch = cmd_args_get(a, "batch"), *script =
	    cmd_args_get(a, "script"), *db = a->argv[0], *user;
	struct store *st;
	long long done, rem;
	char *cause = NULL;
	int r;

	if (a->argc != 1)
		return cmd_usage(a->entry, "want one DB");
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	/* Refuse non-members before the screen takes over the terminal. */
	r = queue_progress(st, user, batch, &done, &rem, &cause);
	store_close(st);
	if (r != 0)
		return cmd_fail_cause(db, cause);
	if (cmd_args_has(a, "media") && script == NULL)
		return cmd_usage(a->entry, "--media goes with --script");
	if (script != NULL)
		return label_script(db, user, batch, script,
		    cmd_args_has(a, "media"));
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cmd_fail(NULL, "accord label needs a terminal");
	return screen_label_run(db, user, batch);
}
