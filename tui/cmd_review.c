/* cmd_review.c: accord review: the SME review screen. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/review.h"
#include "cmd.h"
#include "screen.h"

static int cmd_review_exec(int, char **);

const struct cmd_entry cmd_review_entry = {
	.name = "review",
	.summary = "review disagreements and decide them (sme, admin)",
	.usage =
"usage: accord review DB [--item ID] [--pair A/B] [--batch NAME]\n"
"                        [--guideline V] [--hide-decided]\n"
"\n"
"The SME review screen (roles sme and admin): items whose labels in force\n"
"disagree, most disagreed first (vote entropy in bits, then more labels).\n"
"Each shows its media, every label with its labeler, class, note, tags,\n"
"time spent and guideline version, earlier labels (history), decisions\n"
"and comments.  Every action appends a row with you, the time and the\n"
"guideline version; nothing is changed in place.  Items already decided\n"
"come last (D or --hide-decided leaves them out).\n"
"\n"
"Keys: a class's key decides that class and moves on; a ambiguous (kept\n"
"out of training); r send back for relabeling; c comment; G then a class\n"
"key makes the item gold; e edits the guideline (accord guideline DB\n"
"edit); / filter; D hide/show decided items; n p next/previous; space\n"
"plays audio; + - z zoom; arrows or hjkl pan; g guideline; ? help; q quit.\n"
"\n"
"Filter syntax (/ prompt), words separated by spaces: A/B (both classes\n"
"among the labels), batch=NAME, v=N (labels under guideline N only),\n"
"decided=hide|show, KEY=VALUE (metadata; numbers also as shown, %.4g).\n"
"\n"
"  --item ID        open at this item (first, if the filter leaves it out)\n"
"  --pair A/B       only items labeled both A and B\n"
"  --batch NAME     only items of this import batch\n"
"  --guideline V    only labels made under guideline version V\n"
"  --hide-decided   leave out items decided after their last label\n",
	.exec = cmd_review_exec,
};

static int
cmd_review_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "item", required_argument, NULL, 'i' },
		{ "pair", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "guideline", required_argument, NULL, 'g' },
		{ "hide-decided", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_review_entry;
	struct review_filter f;
	struct review_entry *q = NULL;
	struct buf words = { 0 };
	struct store *st;
	const char *user;
	char *cause = NULL;
	long long item = 0, v;
	int ch, r, n = 0, hide = 0;

	opterr = 0;
	buf_puts(&words, "");
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			if (acc_parse_int(optarg, 1, 1LL << 62, &item) != 0) {
				buf_free(&words);
				return cmd_usage(c, "--item wants an item id, not "
				    "'%s'", optarg);
			}
			break;
		case 'p':
			if (strchr(optarg, '/') == NULL ||
			    strchr(optarg, ' ') != NULL ||
			    strchr(optarg, '=') != NULL) {
				buf_free(&words);
				return cmd_usage(c, "--pair wants A/B, not '%s'",
				    optarg);
			}
			buf_printf(&words, " %s", optarg);
			break;
		case 'b':
			if (strchr(optarg, ' ') != NULL) {
				buf_free(&words);
				return cmd_usage(c, "--batch: a batch name has no "
				    "spaces");
			}
			buf_printf(&words, " batch=%s", optarg);
			break;
		case 'g':
			if (acc_parse_int(optarg, 1, 1000000000, &v) != 0) {
				buf_free(&words);
				return cmd_usage(c, "--guideline wants a version "
				    "number, not '%s'", optarg);
			}
			buf_printf(&words, " v=%lld", v);
			break;
		case 'd':
			hide = 1;
			break;
		default:
			buf_free(&words);
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1) {
		buf_free(&words);
		return cmd_usage(c, "want one DB");
	}
	if (review_filter_parse(words.s, &f, &cause) != 0) {
		buf_free(&words);
		r = cmd_usage(c, "%s", cause);
		free(cause);
		return r;
	}
	buf_free(&words);
	f.hide_decided = hide;
	if ((user = cmd_user()) == NULL || (st = cmd_open(argv[optind])) == NULL) {
		review_filter_free(&f);
		return EXIT_FAIL;
	}
	/* Refuse labelers (core audits it) and bad names before the screen
	 * takes over the terminal. */
	r = review_queue(st, user, &f, &q, &n, &cause);
	free(q);
	store_close(st);
	if (r != 0) {
		r = cmd_fail(argv[optind], "%s", cause);
		free(cause);
		review_filter_free(&f);
		return r;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		review_filter_free(&f);
		return cmd_fail(NULL, "accord review needs a terminal");
	}
	r = screen_review_run(argv[optind], user, &f, item);
	review_filter_free(&f);
	return r;
}
