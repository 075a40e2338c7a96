/* cmd_adjudicate.c: accord adjudicate: an SME's decisions from the command
 * line (the review screen makes the same calls). */
#include <stdlib.h>
#include <string.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_adjudicate_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "class", "NAME", 0, "the item's class is NAME" },
	{ "ambiguous", NULL, 0, "no class fits; kept out of training exports" },
	{ "relabel", NULL, 0,
	    "send back: the item comes first in the queue of every\n"
	    "labeler without a label made under the version in force,\n"
	    "until k labelers have one (edit the guideline first)" },
	{ "note", "TEXT", 0, "why (one line)" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_adjudicate_entry = {
	.name = "adjudicate",
	.summary = "decide items: a class, ambiguous, or send back to relabel",
	.usage =
"usage: accord adjudicate DB ITEM... (--class NAME | --ambiguous |\n"
"                         --relabel) [--note TEXT]\n"
"\n"
"Records an SME's decision on each ITEM (sme or admin; a refusal is\n"
"audited), tagged with who, when and the guideline version in force:\n",
	.opts = options,
	.usage_end =
"ITEM is an item id, a path as imported or a sha256 prefix.  Every\n"
"decision is a new row; the newest decision on an item is the one in\n"
"force.  All ITEMs are checked before any is decided.\n",
	.run = cmd_adjudicate_run,
};

static int
cmd_adjudicate_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	const char *cls = cmd_args_get(a, "class"), *note = cmd_args_get(a,
	    "note"), *db = a->argv[0], *user;
	struct store *st;
	struct project p;
	long long *items;
	char *cause = NULL;
	int what, n, i, r = 0, cid = 0;

	what = (cls != NULL) + cmd_args_has(a, "ambiguous") +
	    cmd_args_has(a, "relabel");
	if (what > 1)
		return cmd_usage(c, "give one of --class, --ambiguous, "
		    "--relabel");
	if (what == 0)
		return cmd_usage(c, "give --class NAME, --ambiguous or "
		    "--relabel");
	what = cls != NULL ? 'c' : cmd_args_has(a, "ambiguous") ? 'a' : 'r';
	if (a->argc < 2)
		return cmd_usage(c, "want DB and at least one ITEM");
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (cls != NULL) {
		if (project_load(st, &p, &cause) != 0) {
			store_close(st);
			return cmd_fail_cause(db, cause);
		}
		if ((cid = cmd_class_id(db, &p, cls)) == 0) {
			project_free(&p);
			store_close(st);
			return EXIT_FAIL;
		}
		project_free(&p);
	}
	n = a->argc - 1;
	items = xcalloc((size_t)n, sizeof *items);
	for (i = 0; i < n && r == 0; i++)
		if (item_resolve(st, a->argv[1 + i], &items[i], &cause) != 0) {
			r = cmd_fail_cause(db, cause);
			cause = NULL;
		}
	for (i = 0; i < n && r == 0; i++) {
		int e = what == 'c' ? adjudicate_class(st, user, items[i], cid,
		    note, &cause) : what == 'a' ? adjudicate_ambiguous(st, user,
		    items[i], note, &cause) : adjudicate_relabel(st, user,
		    items[i], note, &cause);

		if (e != 0)
			r = cmd_fail(db, "item %lld: %s", items[i], cause);
		else {
			printf("item %lld: ", items[i]);
			cmd_print_safe(stdout, what == 'c' ? cls : what == 'a' ?
			    "ambiguous" : "sent back for relabeling");
			fputc('\n', stdout);
		}
		/* Out now: a line is a decision on disk, even if the
		 * process is killed before the next one. */
		fflush(stdout);
	}
	free(items);
	free(cause);
	store_close(st);
	return r;
}
