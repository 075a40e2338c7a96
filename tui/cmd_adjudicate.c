/* cmd_adjudicate.c: accord adjudicate: an SME's decisions from the command
 * line (the review screen makes the same calls). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_adjudicate_exec(int, char **);

const struct cmd_entry cmd_adjudicate_entry = {
	.name = "adjudicate",
	.summary = "decide items: a class, ambiguous, or send back to relabel",
	.usage =
"usage: accord adjudicate DB ITEM... (--class NAME | --ambiguous |\n"
"                         --relabel) [--note TEXT]\n"
"\n"
"Records an SME's decision on each ITEM (sme or admin; a refusal is\n"
"audited), tagged with who, when and the guideline version in force:\n"
"\n"
"  --class NAME   the item's class is NAME\n"
"  --ambiguous    no class fits; kept out of training exports\n"
"  --relabel      send back: the item comes first in the queue of every\n"
"                 labeler without a label made under the version in force,\n"
"                 until k labelers have one (edit the guideline first)\n"
"  --note TEXT    why (one line)\n"
"\n"
"ITEM is an item id, a path as imported or a sha256 prefix.  Every\n"
"decision is a new row; the newest decision on an item is the one in\n"
"force.  All ITEMs are checked before any is decided.\n",
	.exec = cmd_adjudicate_exec,
};

static int
cmd_adjudicate_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "class", required_argument, NULL, 'c' },
		{ "ambiguous", no_argument, NULL, 'a' },
		{ "relabel", no_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_adjudicate_entry;
	const char *cls = NULL, *note = NULL, *db, *user;
	struct store *st;
	struct project p;
	long long *items;
	char *cause = NULL;
	int ch, what = 0, n, i, r = 0, cid = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cls = optarg; /* FALLTHROUGH */
		case 'a': case 'r':
			if (what != 0 && what != ch)
				return cmd_usage(c, "give one of --class, "
				    "--ambiguous, --relabel");
			what = ch;
			break;
		case 'n': note = optarg; break;
		default:
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (what == 0)
		return cmd_usage(c, "give --class NAME, --ambiguous or --relabel");
	if (argc - optind < 2)
		return cmd_usage(c, "want DB and at least one ITEM");
	db = argv[optind];
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (cls != NULL) {
		if (project_load(st, &p, &cause) != 0) {
			r = cmd_fail(db, "%s", cause);
			goto out;
		}
		cid = project_class(&p, cls) ? project_class(&p, cls)->id : 0;
		project_free(&p);
		if (cid == 0) {
			r = cmd_fail(db, "no class '%s' in this project", cls);
			goto out;
		}
	}
	n = argc - optind - 1;
	items = xcalloc((size_t)n, sizeof *items);
	for (i = 0; i < n && r == 0; i++)
		if (item_resolve(st, argv[optind + 1 + i], &items[i],
		    &cause) != 0)
			r = cmd_fail(db, "%s", cause);
	for (i = 0; i < n && r == 0; i++) {
		int e = what == 'c' ? adjudicate_class(st, user, items[i], cid,
		    note, &cause) : what == 'a' ? adjudicate_ambiguous(st, user,
		    items[i], note, &cause) : adjudicate_relabel(st, user,
		    items[i], note, &cause);

		if (e != 0)
			r = cmd_fail(db, "item %lld: %s", items[i], cause);
		else
			printf("item %lld: %s\n", items[i], what == 'c' ? cls :
			    what == 'a' ? "ambiguous" : "sent back for "
			    "relabeling");
		/* Out now: a line is a decision on disk, even if the
		 * process is killed before the next one. */
		fflush(stdout);
	}
	free(items);
out:
	free(cause);
	store_close(st);
	return r;
}
