/* cmd_config.c: accord config: list, read and change project settings. */
#include <stdlib.h>
#include <string.h>

#include "accord/config.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_config_run(struct cmd_args *);

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.summary = "list, read or change project settings",
	.usage =
"usage: accord config DB [KEY [VALUE]]\n"
"\n"
"Without KEY, lists every setting in force with who set it and when; with\n"
"KEY prints its value; with VALUE sets it (admin only; kept in the audit\n"
"table; the old value stays in the settings history).\n"
"\n"
"  task       the task's name\n"
"  overlap    labels wanted per item, from different labelers (1..100)\n"
"  gold-rate  share of each labeler's items that are gold items, 0..1 or\n"
"             a percentage (default 0.05; 0: no gold items are served)\n"
"  gold-seed  integer seeding, with each user's name, which of their items\n"
"             are gold (default 1)\n"
"  show-paths what the label screen shows of an item's file: full (the\n"
"             path), basename (the file's name) or none (the item number\n"
"             only); new projects start at none, older stores read full;\n"
"             the review screen always shows the full path\n"
"  media, ordinal   fixed when the project is created\n",
	.run = cmd_config_run,
};

static int
cmd_config_run(struct cmd_args *a)
{
	const struct cmd_entry *c = a->entry;
	const char *db, *user;
	struct store *st;
	char *cause = NULL, *v;
	int r = 0, i;

	if (a->argc < 1 || a->argc > 3)
		return cmd_usage(c, "want DB [KEY [VALUE]]");
	/*
	 * git config's habit ("config get KEY") would read as a setting
	 * named get: show the form this command takes.
	 */
	if (a->argc >= 2 && (strcmp(a->argv[1], "get") == 0 ||
	    strcmp(a->argv[1], "set") == 0 || strcmp(a->argv[1], "list") == 0))
		return cmd_usage(c, "no verb '%s': accord config DB lists, "
		    "accord config DB KEY reads, accord config DB KEY VALUE "
		    "sets", a->argv[1]);
	db = a->argv[0];
	if ((user = cmd_user()) == NULL || (st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	if (a->argc == 1) {
		struct setting *s;
		int n;

		if (config_list(st, user, &s, &n, &cause) != 0)
			r = cmd_fail_cause(db, cause);
		else {
			for (i = 0; i < n; i++) {
				printf("%-10s ", s[i].key);
				cmd_print_safe(stdout, s[i].value);
				if (s[i].is_default)
					printf("\t(default)\n");
				else {
					fputs("\tset by ", stdout);
					cmd_print_safe(stdout, s[i].set_by);
					printf(" at %s\n", s[i].set_at);
				}
			}
			config_list_free(s, n);
		}
	} else if (a->argc == 2) {
		if (project_require(st, user, ROLE_LABELER, "reading settings",
		    &cause) != 0 || config_get(st, a->argv[1], &v, &cause) != 0)
			r = cmd_fail_cause(db, cause);
		else {
			cmd_print_safe(stdout, v);
			fputc('\n', stdout);
			free(v);
		}
	} else if (config_set(st, user, a->argv[1], a->argv[2], &cause) != 0)
		r = cmd_fail_cause(db, cause);
	else if (config_get(st, a->argv[1], &v, &cause) != 0)
		r = cmd_fail_cause(db, cause);
	else {
		printf("%s = ", a->argv[1]);
		cmd_print_safe(stdout, v);
		fputc('\n', stdout);
		free(v);
	}
	store_close(st);
	return r;
}
