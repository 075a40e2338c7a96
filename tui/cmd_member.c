/* cmd_member.c: accord member: add, remove and list project members. */
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/suggest.h"
#include "cmd.h"

static int cmd_member_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "role", "ROLE", 0, "add: labeler (the default), sme or admin" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_member_entry = {
	.name = "member",
	.summary = "add, remove or list members and their roles",
	.usage =
"usage: accord member DB add USER [--role labeler|sme|admin]\n"
"       accord member DB remove USER\n"
"       accord member DB list\n"
"\n"
"Roles: labeler (labels items), sme (also reviews, adjudicates, edits\n"
"guidelines, keeps gold items, reads every label and exports), admin\n"
"(also manages members and settings and imports items and labels); see\n"
"the table in docs/guide.md, \"Roles\".  Only an admin may change\n"
"members; USER must be an OS user on this host.  You are\n"
"always the OS user running accord.  Adding an existing member changes\n"
"their role (default role: labeler).  Every change is kept in the audit\n"
"table.\n",
	.opts = options,
	.run = cmd_member_run,
};

static int
cmd_member_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	const char *rolename = cmd_args_get(a, "role"), *db = a->argv[0],
	    *verb = a->argv[1], *who, *user;
	struct store *st;
	char *cause = NULL;
	int r = 0;

	if (a->argc < 2)
		return cmd_usage(c, "want DB and add, remove or list");
	if (strcmp(verb, "list") == 0) {
		if (a->argc != 2 || rolename != NULL)
			return cmd_usage(c, "list takes no USER or --role");
	} else if (strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0) {
		if (a->argc != 3)
			return cmd_usage(c, "%s takes one USER", verb);
		if (strcmp(verb, "remove") == 0 && rolename != NULL)
			return cmd_usage(c, "remove takes no --role");
		if (rolename != NULL && role_from_name(rolename) == ROLE_NONE)
			return cmd_usage(c, "--role must be labeler, sme or "
			    "admin, not '%s'", rolename);
	} else
		return cmd_usage(c, "unknown action '%s' (add, remove, list)",
		    verb);
	who = a->argv[2];
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (strcmp(verb, "list") == 0) {
		struct member *m;
		int n, i;

		if (member_list(st, user, &m, &n, &cause) != 0)
			r = cmd_fail_cause(db, cause);
		else {
			for (i = 0; i < n; i++) {
				/* PostgreSQL role names may hold anything. */
				char *u = acc_printable(m[i].user);
				char *by = acc_printable(m[i].changed_by);

				printf("%-16s %-8s added by %s at %s\n", u,
				    role_name(m[i].role), by, m[i].changed_at);
				free(u);
				free(by);
			}
			member_list_free(m, n);
		}
	} else if (strcmp(verb, "add") == 0) {
		enum role role = rolename ? role_from_name(rolename) :
		    ROLE_LABELER;

		if (member_set(st, user, who, role, &cause) != 0)
			r = cmd_fail_cause(db, cause);
		else
			printf("%s is now %s\n", who, role_name(role));
	} else if (!cmd_known(st, db, SUGGEST_MEMBERS, who, "members",
	    "no member named '%s'", who))
		r = EXIT_FAIL;
	else if (member_remove(st, user, who, &cause) != 0)
		r = cmd_fail_cause(db, cause);
	else
		printf("%s removed\n", who);
	store_close(st);
	return r;
}
