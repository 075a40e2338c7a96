/* cmd_label.c: accord label: the labeling screen. */
#include <getopt.h>
#include <stdlib.h>
#include <unistd.h>

#include "accord/queue.h"
#include "cmd.h"
#include "screen.h"

static int cmd_label_exec(int, char **);

const struct cmd_entry cmd_label_entry = {
	.name = "label",
	.summary = "label items: the labeling screen",
	.usage =
"usage: accord label DB [--batch NAME]\n"
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
"next item drawn.\n"
"\n"
"  --batch NAME   only items of this import batch\n",
	.exec = cmd_label_exec,
};

static int
cmd_label_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_label_entry;
	const char *batch = NULL, *user;
	struct store *st;
	long long done, rem;
	char *cause = NULL;
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'b')
			batch = optarg;
		else
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cmd_usage(c, "want one DB");
	if ((user = cmd_user()) == NULL || (st = cmd_open(argv[optind])) == NULL)
		return EXIT_FAIL;
	/* Refuse non-members before the screen takes over the terminal. */
	r = queue_progress(st, user, batch, &done, &rem, &cause);
	store_close(st);
	if (r != 0) {
		r = cmd_fail(argv[optind], "%s", cause);
		free(cause);
		return r;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cmd_fail(NULL, "accord label needs a terminal");
	return screen_label_run(argv[optind], user, batch);
}
