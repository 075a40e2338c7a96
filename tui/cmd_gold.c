/* cmd_gold.c: accord gold: items with a known answer. */
#include <stdlib.h>
#include <string.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_gold_run(struct cmd_args *);

const struct cmd_entry cmd_gold_entry = {
	.name = "gold",
	.summary = "add, remove or list gold items (known answers)",
	.usage =
"usage: accord gold DB add ITEM CLASS\n"
"       accord gold DB remove ITEM\n"
"       accord gold DB list\n"
"\n"
"Gold items have a known class.  The queue mixes them into each labeler's\n"
"work at the project's gold-rate (accord config; default 5%), looking like\n"
"any other item; each labeler gets each gold item at most once, outside\n"
"the overlap rule.  accord agree reports each labeler's accuracy on them.\n"
"sme or admin only (labelers must not see the answers).\n"
"\n"
"ITEM is an item id, a path as imported, or 6 or more hex digits of its\n"
"sha256 (accord items shows all three).  Every change is a new row: remove\n"
"adds a row without a class, the history stays.\n",
	.run = cmd_gold_run,
};

/* gold list: each gold item, one a line. */
static int
gold_print(struct store *st, const char *db, const char *user)
{
	struct gold_row *g;
	char *cause = NULL;
	int n, i;

	if (gold_list(st, user, &g, &n, &cause) != 0)
		return cmd_fail_cause(db, cause);
	for (i = 0; i < n; i++) {
		printf("%lld\t", g[i].item);
		cmd_print_safe(stdout, g[i].class_name);
		fputc('\t', stdout);
		cmd_print_safe(stdout, g[i].path);
		fputs("\tby ", stdout);
		cmd_print_safe(stdout, g[i].user);
		printf(" at %s\n", g[i].created_at);
	}
	gold_list_free(g, n);
	return 0;
}

/* gold add: item is gold, of the class named cls. */
static int
gold_mark(struct store *st, const char *db, const char *user,
    long long item, const char *cls)
{
	const struct class_def *cd;
	struct project p;
	char *cause = NULL;
	int r = 0;

	if (project_load(st, &p, &cause) != 0)
		return cmd_fail_cause(db, cause);
	if ((cd = project_class(&p, cls)) == NULL)
		r = cmd_no_class(db, NULL, &p, cls);
	else if (gold_add(st, user, item, cd->id, &cause) != 0)
		r = cmd_fail_cause(db, cause);
	else {
		printf("item %lld is gold: ", item);
		cmd_print_safe(stdout, cd->name);
		fputc('\n', stdout);
	}
	project_free(&p);
	return r;
}

static int
cmd_gold_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	const char *db, *verb, *user;
	struct store *st;
	char *cause = NULL;
	long long item = 0;
	int r = 0, nargs = a->argc;

	if (nargs < 2)
		return cmd_usage(c, "want DB and add, remove or list");
	db = a->argv[0];
	verb = a->argv[1];
	if (strcmp(verb, "add") == 0) {
		if (nargs != 4)
			return cmd_usage(c, "add takes ITEM and CLASS");
	} else if (strcmp(verb, "remove") == 0) {
		if (nargs != 3)
			return cmd_usage(c, "remove takes one ITEM");
	} else if (strcmp(verb, "list") == 0) {
		if (nargs != 2)
			return cmd_usage(c, "list takes no arguments");
	} else
		return cmd_usage(c, "unknown action '%s' (add, remove, list)",
		    verb);
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (strcmp(verb, "list") == 0)
		r = gold_print(st, db, user);
	else if (item_resolve(st, a->argv[2], &item, &cause) != 0)
		r = cmd_fail_cause(db, cause);
	else if (strcmp(verb, "remove") == 0) {
		if (gold_remove(st, user, item, &cause) != 0)
			r = cmd_fail_cause(db, cause);
		else
			printf("item %lld is no longer gold\n", item);
	} else
		r = gold_mark(st, db, user, item, a->argv[3]);
	store_close(st);
	return r;
}
