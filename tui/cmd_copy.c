/* cmd_copy.c: accord copy: a whole project into a new store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/copy.h"
#include "cmd.h"

static int cmd_copy_run(struct cmd_args *);

const struct cmd_entry cmd_copy_entry = {
	.name = "copy",
	.summary = "copy a project, history included, into a new store",
	.usage =
"usage: accord copy SRC DST\n"
"\n"
"Copies the whole project in SRC, history included (every label, the\n"
"superseded ones too, adjudications, guideline versions, comments, gold,\n"
"tags, members, settings, the audit, prediction runs), into the new store\n"
"DST, each row with its id: accord check DST passes and agree, export and\n"
"labels dump give the same on both.  SRC and DST are each a file (SQLite)\n"
"or a postgresql:// URI, in any combination.  DST must be new: a file that\n"
"does not exist (built as DST.tmp, renamed when complete), or an existing\n"
"empty database, as for accord init (on PostgreSQL the copy runs as a\n"
"superuser and prints the SQL that lets the members log in).  Either all\n"
"of it is copied or DST is left as it was.  SRC is read in one snapshot\n"
"while others may go on working in it.  Needs the sme or admin role in\n"
"SRC (or a PostgreSQL superuser); the copy is recorded in DST's audit.\n",
	.run = cmd_copy_run,
};

static int
cmd_copy_run(struct cmd_args *a)
{
	struct copy_result res;
	struct store *st;
	const char *user, *src, *dst;
	char *cause = NULL, *line, *nl;
	int r;

	if (a->argc != 2)
		return cmd_usage(a->entry, "want SRC and DST");
	src = a->argv[0];
	dst = a->argv[1];
	if ((st = cmd_open(src)) == NULL)
		return EXIT_FAIL;
	/* After the open: on PostgreSQL the identity is the server's. */
	if ((user = cmd_user()) == NULL) {
		store_close(st);
		return EXIT_FAIL;
	}
	if ((r = copy_project(st, user, dst, &res, &cause)) != 0) {
		store_close(st);
		return cmd_fail_cause(r == COPY_SRC_FAILED ? src : dst, cause);
	}
	store_close(st);
	fputs("copied ", stdout);
	cmd_print_safe(stdout, src);
	fputs(" to ", stdout);
	cmd_print_safe(stdout, dst);
	printf(": %lld items, %lld labels, %lld rows in %.2f s\n", res.items,
	    res.labels, res.rows, res.seconds);
	if (res.dba_sql != NULL) {
		fputs("the members cannot log in to DST yet; a superuser "
		    "runs:\n", stdout);
		for (line = res.dba_sql; *line != '\0'; line = nl) {
			nl = line + strcspn(line, "\n");
			if (*nl != '\0')
				*nl++ = '\0';
			fputs("  ", stdout);
			cmd_print_safe(stdout, line);
			putchar('\n');
		}
	}
	copy_result_free(&res);
	return 0;
}
