/* cmd_review.c: accord review: the SME review screen. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/review.h"
#include "cmd.h"
#include "screen.h"

static int cmd_review_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "item", "ID", 0,
	    "open at this item (first, if the filter leaves it out)" },
	{ "pair", "A/B", CMD_OPT_REPEAT, "only items labeled both A and B" },
	{ "batch", "NAME", CMD_OPT_REPEAT, "only items of this import batch" },
	{ "guideline", "V", CMD_OPT_REPEAT,
	    "only labels made under guideline version V" },
	{ "hide-decided", NULL, 0,
	    "leave out items decided after their last label" },
	{ NULL, NULL, 0, NULL },
};

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
"plays audio; + - z ! zoom in, out, fit, 1:1; arrows or hjkl pan; [ ] { }\n"
"( ) brightness, contrast, gamma, * auto-levels, \\ resets them; g\n"
"guideline; ? help; q quit.\n"
"\n"
"Filter syntax (/ prompt), words separated by spaces: A/B (both classes\n"
"among the labels), batch=NAME, v=N (labels under guideline N only),\n"
"decided=hide|show, KEY=VALUE (metadata; numbers also as shown, %.4g).\n",
	.opts = options,
	.run = cmd_review_run,
};

/*
 * The filter options as words of the / prompt's syntax ("A/B batch=NAME
 * v=N"), so the screen and the command line share one filter parser.
 * Returns 0, or a usage error printed and EXIT_USAGE.
 */
static int
filter_words(struct cmd_args *a, struct buf *words)
{
	const struct cmd_entry *c = a->entry;
	char **v;
	long long g;
	int n, i;

	v = cmd_args_values(a, "pair", &n);
	for (i = 0; i < n; i++) {
		if (strchr(v[i], '/') == NULL || strchr(v[i], ' ') != NULL ||
		    strchr(v[i], '=') != NULL)
			return cmd_usage(c, "--pair wants A/B, not '%s'", v[i]);
		buf_printf(words, " %s", v[i]);
	}
	v = cmd_args_values(a, "batch", &n);
	for (i = 0; i < n; i++) {
		if (strchr(v[i], ' ') != NULL)
			return cmd_usage(c, "--batch: a batch name has no "
			    "spaces");
		buf_printf(words, " batch=%s", v[i]);
	}
	v = cmd_args_values(a, "guideline", &n);
	for (i = 0; i < n; i++) {
		if (acc_parse_int(v[i], 1, 1000000000, &g) != 0)
			return cmd_usage(c, "--guideline wants a version "
			    "number, not '%s'", v[i]);
		buf_printf(words, " v=%lld", g);
	}
	return 0;
}

static int
cmd_review_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct review_filter f;
	struct buf words = { 0 };
	struct store *st;
	const char *user, *db = a->argv[0], *v;
	char *cause = NULL;
	long long item = 0;
	int r;

	if ((v = cmd_args_get(a, "item")) != NULL &&
	    acc_parse_int(v, 1, 1LL << 62, &item) != 0)
		return cmd_usage(c, "--item wants an item id, not '%s'", v);
	buf_puts(&words, "");
	if (filter_words(a, &words) != 0) {
		buf_free(&words);
		return EXIT_USAGE;
	}
	if (a->argc != 1) {
		buf_free(&words);
		return cmd_usage(c, "want one DB");
	}
	r = review_filter_parse(words.s, &f, &cause);
	buf_free(&words);
	if (r != 0) {
		r = cmd_usage(c, "%s", cause);
		free(cause);
		return r;
	}
	f.hide_decided = cmd_args_has(a, "hide-decided");
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL) {
		review_filter_free(&f);
		return EXIT_FAIL;
	}
	/* Refuse labelers (core audits it) and bad names before the screen
	 * takes over the terminal. */
	r = review_check(st, user, &f, &cause);
	store_close(st);
	if (r != 0) {
		review_filter_free(&f);
		return cmd_fail_cause(db, cause);
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		review_filter_free(&f);
		return cmd_fail(NULL, "accord review needs a terminal");
	}
	r = screen_review_run(db, user, &f, item);
	review_filter_free(&f);
	return r;
}
