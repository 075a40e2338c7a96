/* cmd_backup.c: accord backup: a consistent copy of a live store. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "accord/backup.h"
#include "accord/project.h"
#include "cmd.h"

static int cmd_backup_exec(int, char **);

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.summary = "copy the store safely while labelers keep working",
	.usage =
"usage: accord backup DB FILE [--step-pages N] [--pause-ms N]\n"
"\n"
"Copies the store to FILE with SQLite's online backup API while other\n"
"accord processes keep reading and writing it.  The copy is the store as\n"
"it was when the backup began.  It is written to FILE.tmp, N pages per\n"
"step (default 256) with a pause of N ms between steps (default 10), then\n"
"checked with PRAGMA integrity_check, synced to disk and renamed to FILE.\n"
"Never overwrites: refuses if FILE or FILE.tmp exists.  Needs the sme or\n"
"admin role; the backup is recorded in the audit table.  Open the copy\n"
"with any accord command, as a store.\n",
	.exec = cmd_backup_exec,
};

static int
cmd_backup_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "step-pages", required_argument, NULL, 's' },
		{ "pause-ms", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *c = &cmd_backup_entry;
	struct backup_opts bo = { 0, -1 };
	struct backup_result res;
	struct store *st;
	const char *user;
	char *cause = NULL;
	long long v;
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (acc_parse_int(optarg, 1, 1 << 20, &v) != 0)
				return cmd_usage(c, "--step-pages wants 1..%d",
				    1 << 20);
			bo.step_pages = (int)v;
			break;
		case 'p':
			if (acc_parse_int(optarg, 0, 10000, &v) != 0)
				return cmd_usage(c, "--pause-ms wants 0..10000");
			bo.pause_ms = (int)v;
			break;
		default:
			return cmd_usage(c, "unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cmd_usage(c, "want DB and FILE");
	if ((user = cmd_user()) == NULL)
		return EXIT_FAIL;
	if ((st = cmd_open(argv[optind])) == NULL)
		return EXIT_FAIL;
	/*
	 * store_backup enforces the role itself; asking first only lets a
	 * refusal name DB while every other failure names FILE.
	 */
	if (project_require(st, user, ROLE_SME, "backing up the project",
	    &cause) != 0) {
		r = cmd_fail(argv[optind], "%s", cause);
		free(cause);
		store_close(st);
		return r;
	}
	r = store_backup(st, user, argv[optind + 1], &bo, &res, &cause);
	store_close(st);
	if (r != 0) {
		r = cmd_fail(argv[optind + 1], "%s", cause);
		free(cause);
		return r;
	}
	fputs("backed up ", stdout);
	cmd_print_safe(stdout, argv[optind]);
	fputs(" to ", stdout);
	cmd_print_safe(stdout, argv[optind + 1]);
	printf(": %lld pages, %lld bytes, %d steps, %.2f s; integrity ok\n",
	    res.pages, res.bytes, res.steps, res.seconds);
	return 0;
}
