/* cmd_member.c: accord member: add, remove and list project members. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "cmd.h"

static int cmd_member_exec(int, char **);

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
	.exec = cmd_member_exec,
};

static int
cmd_member_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_member_entry;
	const char *rolename = NULL, *db, *verb, *user;
	struct store *st;
	char *cause = NULL;
	int ch, r = 0, nargs;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'r')
			rolename = optarg;
		else
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
	}
	nargs = argc - optind;
	if (nargs < 2)
		return cmd_usage(c, "want DB and add, remove or list");
	db = argv[optind];
	verb = argv[optind + 1];
	if (strcmp(verb, "list") == 0) {
		if (nargs != 2 || rolename != NULL)
			return cmd_usage(c, "list takes no USER or --role");
	} else if (strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0) {
		if (nargs != 3)
			return cmd_usage(c, "%s takes one USER", verb);
		if (strcmp(verb, "remove") == 0 && rolename != NULL)
			return cmd_usage(c, "remove takes no --role");
		if (rolename != NULL && role_from_name(rolename) == ROLE_NONE)
			return cmd_usage(c, "--role must be labeler, sme or "
			    "admin, not '%s'", rolename);
	} else
		return cmd_usage(c, "unknown action '%s' (add, remove, list)",
		    verb);
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (strcmp(verb, "list") == 0) {
		struct member *m;
		int n, i;

		if (member_list(st, user, &m, &n, &cause) != 0)
			r = cmd_fail(db, "%s", cause);
		else {
			for (i = 0; i < n; i++) {
				printf("%-16s %-8s added by %s at %s\n", m[i].user,
				    role_name(m[i].role), m[i].changed_by,
				    m[i].changed_at);
			}
			member_list_free(m, n);
		}
	} else if (strcmp(verb, "add") == 0) {
		enum role role = rolename ? role_from_name(rolename) :
		    ROLE_LABELER;

		if (member_set(st, user, argv[optind + 2], role, &cause) != 0)
			r = cmd_fail(db, "%s", cause);
		else
			printf("%s is now %s\n", argv[optind + 2],
			    role_name(role));
	} else {
		if (member_remove(st, user, argv[optind + 2], &cause) != 0)
			r = cmd_fail(db, "%s", cause);
		else
			printf("%s removed\n", argv[optind + 2]);
	}
	free(cause);
	store_close(st);
	return r;
}
