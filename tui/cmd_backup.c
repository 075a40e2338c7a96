/* cmd_backup.c: accord backup: a consistent copy of a live store. */
#include <stdlib.h>
#include <string.h>

#include "accord/backup.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_backup_run(struct cmd_args *);

static const struct cmd_opt options[] = {
	{ "step-pages", "N", 0, "pages copied per step (default 4096)" },
	{ "pause-ms", "N", 0, "pause after a step in which another process "
	    "wrote, in ms (default 10)" },
	{ NULL, NULL, 0, NULL },
};

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.summary = "copy the store safely while labelers keep working",
	.usage =
"usage: accord backup DB FILE [--step-pages N] [--pause-ms N]\n"
"\n"
"Copies the store to FILE with SQLite's online backup API while other\n"
"accord processes keep reading and writing it.  The copy is the store as\n"
"it was when the backup began.  It is written to FILE.tmp a step of pages\n"
"at a time, pausing only while another process writes, then checked with\n"
"PRAGMA quick_check and against the store's page count, schema version\n"
"and newest item and label, synced to disk and renamed to FILE.  (accord\n"
"check on the store or the copy runs the full integrity check.)\n"
"Never overwrites: refuses if FILE or FILE.tmp exists.  Needs the sme or\n"
"admin role; the backup is recorded in the audit table.  Open the copy\n"
"with any accord command, as a store.\n",
	.opts = options,
	.run = cmd_backup_run,
};

static int
cmd_backup_run(struct cmd_args *a)
{
	struct backup_opts bo = { 0, -1 };
	struct backup_result res;
	struct store *st;
	const char *user, *db = a->argv[0], *file = a->argv[1];
	char *cause = NULL;
	long long steps = bo.step_pages, pause = bo.pause_ms;

	if (cmd_args_int(a, "step-pages", 1, 1 << 20, &steps) != 0 ||
	    cmd_args_int(a, "pause-ms", 0, 10000, &pause) != 0)
		return EXIT_USAGE;
	bo.step_pages = (int)steps;
	bo.pause_ms = (int)pause;
	if (a->argc != 2)
		return cmd_usage(a->entry, "want DB and FILE");
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(db)) == NULL)
		return EXIT_FAIL;
	/*
	 * store_backup enforces the role itself; asking first only lets a
	 * refusal name DB while every other failure names FILE.
	 */
	if (project_require(st, user, ROLE_SME, "backing up the project",
	    &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(db, cause);
	}
	if (store_backup(st, user, file, &bo, &res, &cause) != 0) {
		store_close(st);
		return cmd_fail_cause(file, cause);
	}
	store_close(st);
	fputs("backed up ", stdout);
	cmd_print_safe(stdout, db);
	fputs(" to ", stdout);
	cmd_print_safe(stdout, file);
	printf(": %lld pages, %lld bytes, %d steps, %d pauses, %.2f s; "
	    "integrity ok\n", res.pages, res.bytes, res.steps, res.pauses,
	    res.seconds);
	return 0;
}
