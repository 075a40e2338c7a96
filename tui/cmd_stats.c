/* cmd_stats.c: accord stats: the agreement dashboard. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/project.h"
#include "cmd.h"
#include "screen.h"

/* Fewer replicates than accord agree's 1000: the screen opens at once. */
#define STATS_BOOTSTRAP 200

static int cmd_stats_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "bootstrap", "N", 0,
	    "bootstrap replicates for HLP intervals (default 200;\n"
	    "0: no intervals)" },
	{ "seed", "S", 0, "bootstrap seed (default 1)" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_stats_entry = {
	.name = "stats",
	.summary = "agreement dashboard: versions, classes, labelers, trend, "
	    "hot items",
	.usage =
"usage: accord stats DB [--bootstrap N] [--seed S]\n"
"\n"
"A full-screen dashboard of the figures of accord agree, one panel at a\n"
"time: (1) per guideline version: items, labels, percent agreement,\n"
"Fleiss' kappa, Krippendorff's alpha, team HLP with its bootstrap\n"
"interval, and sparklines of kappa and HLP across versions; (2) per\n"
"class: specific agreement and HLP; (3) per labeler: labels, agreement\n"
"with the others, gold accuracy, HLP with its interval; (4) agreement by\n"
"day or week of each item's newest label; (5) the hot list: the most\n"
"disagreed items (vote entropy) with their labels.  Needs the sme or\n"
"admin role.\n"
"\n"
"Keys: Tab or Left/Right (or 1-5) change panel; Up/Down select in the\n"
"hot list; Enter opens the item in accord review; v cycles the guideline\n"
"version shown (all, then each); r recomputes; ? help; q quits.\n",
	.opts = options,
	.usage_end =
"Environment: ACCORD_COLOR=truecolor|256|16|8|none overrides colour\n"
"detection, NO_COLOR turns colour off.\n",
	.run = cmd_stats_run,
};

static int
cmd_stats_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	struct agree_opts ao;
	struct store *st;
	const char *user, *db;
	char *cause = NULL;
	int r;

	agree_opts_init(&ao);
	ao.bootstrap = STATS_BOOTSTRAP;
	if (cmd_opt_bootstrap(a, &ao.bootstrap) != 0 ||
	    cmd_opt_seed(a, &ao.seed) != 0)
		return EXIT_USAGE;
	if (a->argc != 1)
		return cmd_usage(c, "want one DB");
	db = a->argv[0];
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	/* Refuse before the screen takes over the terminal (and audit it). */
	r = project_require(st, user, ROLE_SME, "the stats dashboard", &cause);
	store_close(st);
	if (r != 0)
		return cmd_fail_cause(db, cause);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cmd_fail(NULL, "accord stats needs a terminal (accord "
		    "agree prints the same figures)");
	return screen_stats_run(db, user, &ao);
}
