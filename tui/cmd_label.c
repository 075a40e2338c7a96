/* cmd_label.c: accord label: the labeling screen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/project.h"
#include "accord/label.h"
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
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_label_entry = {
	.name = "label",
	.summary = "label items: the labeling screen",
	.usage =
"usage: accord label DB [--batch NAME] [--script FILE]\n"
"\n"
"Shows, one at a time, the items you still have to label: items you have\n"
"not labeled that have fewer than the project's overlap of labels (items\n"
"other labelers hold count as taken).  You never see other labelers'\n"
"labels.  Each label is saved to disk before the next item shows.\n"
"\n"
"Keys: a class's key labels and moves on; b the borderline class; n note;\n"
"t tags; u undo my last label; s skip; p or Backspace back to my previous\n"
"items; space plays audio; + - z zoom; arrows or hjkl pan; g guideline;\n"
"? help; q quit.  A mouse click on a class labels with it.\n"
"\n"
"Environment: ACCORD_COLOR=truecolor|256|16|none overrides colour\n"
"detection, NO_COLOR turns colour off; ACCORD_PLAY is the audio player\n"
"command (%f is the file); ACCORD_TRACE=FILE logs each key's time to the\n"
"next item drawn (with --script: each label's take and commit times).\n",
	.opts = options,
	.run = cmd_label_run,
};

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
    const char *file)
{
	struct store *st;
	struct project p;
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	FILE *trace = NULL;
	const char *tf = getenv("ACCORD_TRACE");
	char *line = NULL, *cause = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, r = 0;

	if (f == NULL)
		return cmd_fail(file, "cannot open: %s", strerror(errno));
	if (tf != NULL && *tf != '\0' && (trace = fopen(tf, "a")) == NULL) {
		r = cmd_fail(tf, "cannot open trace file: %s", strerror(errno));
		if (f != stdin)
			fclose(f);
		return r;
	}
	if ((st = cmd_open(db)) == NULL) {
		if (f != stdin)
			fclose(f);
		if (trace != NULL)
			fclose(trace);
		return EXIT_FAIL;
	}
	if (project_load(st, &p, &cause) != 0) {
		r = cmd_fail(db, "%s", cause);
		goto out;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		const struct class_def *c;
		struct queue_item it;
		char *note;
		double t0, t1, t2;
		int got;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((note = strchr(line, ',')) != NULL)
			*note++ = '\0';
		if ((c = project_class(&p, line)) == NULL) {
			r = cmd_fail(file, "line %d: no class '%s' in this project",
			    lineno, line);
			break;
		}
		t0 = acc_monotonic();
		if ((got = queue_take(st, user, batch, NULL, 0, &it,
		    &cause)) < 0) {
			r = cmd_fail(db, "%s", cause);
			break;
		}
		if (got == 0) {
			printf("nothing left to label\n");
			break;
		}
		t1 = acc_monotonic();
		if (label_put(st, user, it.id, c->id, note, -1, NULL,
		    &cause) != 0) {
			r = cmd_fail(db, "item %lld: %s", it.id, cause);
			queue_item_free(&it);
			break;
		}
		t2 = acc_monotonic();
		printf("%lld\t", it.id);
		cmd_print_safe(stdout, it.path);
		printf("\t%s\n", c->name);
		fflush(stdout);
		if (trace != NULL) {
			fprintf(trace, "item=%lld take=%.3f commit=%.3f\n",
			    it.id, (t1 - t0) * 1e3, (t2 - t1) * 1e3);
			fflush(trace);
		}
		queue_item_free(&it);
	}
	project_free(&p);
out:
	free(line);
	free(cause);
	if (f != stdin)
		fclose(f);
	if (trace != NULL)
		fclose(trace);
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
	if (script != NULL)
		return label_script(db, user, batch, script);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cmd_fail(NULL, "accord label needs a terminal");
	return screen_label_run(db, user, batch);
}
