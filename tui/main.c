/*
 * main.c: the accord binary: a table of subcommands, git/tmux style.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const struct cmd_entry *const commands[] = {
	&cmd_init_entry,
	&cmd_member_entry,
	&cmd_import_entry,
	&cmd_status_entry,
	&cmd_items_entry,
	&cmd_labels_entry,
	&cmd_label_entry,
	&cmd_agree_entry,
	&cmd_stats_entry,
	&cmd_export_entry,
	&cmd_calibration_entry,
	&cmd_guideline_entry,
	&cmd_gold_entry,
	&cmd_config_entry,
	&cmd_adjudicate_entry,
	&cmd_errors_entry,
	&cmd_drift_entry,
	&cmd_review_entry,
	&cmd_check_entry,
	&cmd_backup_entry,
	&cmd_copy_entry,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: accord COMMAND [ARGS]   (accord COMMAND --help for "
	    "each)\n\naccord %s: a data-labeling and label-consistency "
	    "workbench.\n\ncommands:\n", ACCORD_VERSION);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name,
		    commands[i]->summary);
}

/* Parse the command's options against its table, then run it. */
static int
run_command(const struct cmd_entry *c, int argc, char **argv)
{
	struct cmd_args a;
	int r;

	if (cmd_wants_help(argc, argv))
		return cmd_help(c);
	if (c->run == NULL)
		return c->exec(argc, argv);
	if ((r = cmd_args_parse(c, argc, argv, &a)) != 0)
		return r;
	r = c->run(&a);
	cmd_args_free(&a);
	return r;
}

/*
 * Whatever went to standard output must have reached it: a full disk or a
 * closed file would otherwise truncate a dump and still exit 0.  As git
 * does, check the stream once at the end for every command.  A reader that
 * went away (EPIPE, SIGPIPE ignored) ends us as SIGPIPE would have.
 */
static int
check_stdout(int r)
{
	int failed = ferror(stdout), err = 0;

	if (fflush(stdout) != 0) {
		failed = 1;
		err = errno;
	}
	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		err = errno;
	}
	if (!failed)
		return r;
	if (err == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	if (err != 0)
		fprintf(stderr, "accord: write failure on standard output: "
		    "%s\n", strerror(err));
	else
		fprintf(stderr, "accord: write failure on standard output\n");
	return r != 0 ? r : EXIT_FAIL;
}

static int
dispatch(int argc, char **argv)
{
	size_t i;

	/*
	 * Identity is the real uid, and every file a user names is opened
	 * with the user's own rights: an accord installed setuid or setgid
	 * would open them (and read the user's TERMINFO) with rights the
	 * user does not have.  Nothing here needs them (docs/deploy.md).
	 */
	if (geteuid() != getuid() || getegid() != getgid()) {
		fprintf(stderr, "accord: must not be installed setuid or "
		    "setgid (see docs/deploy.md)\n");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("accord %s\n", ACCORD_VERSION);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return run_command(commands[i], argc - 1, argv + 1);
	fprintf(stderr, "accord: unknown command '%s' (see accord --help)\n",
	    argv[1]);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	return check_stdout(dispatch(argc, argv));
}
