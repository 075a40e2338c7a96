/*
 * main.c: the accord binary: a table of subcommands, git/tmux style.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/priv.h"
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
	&cmd_guideline_entry,
	&cmd_gold_entry,
	&cmd_config_entry,
	&cmd_adjudicate_entry,
	&cmd_errors_entry,
	&cmd_drift_entry,
	&cmd_review_entry,
	&cmd_check_entry,
	&cmd_backup_entry,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

int
cmd_usage(const struct cmd_entry *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "accord %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see accord %s --help)\n", c->name);
	return EXIT_USAGE;
}

int
cmd_opt_bootstrap(const struct cmd_entry *c, const char *arg, int *out)
{
	long long n;

	if (acc_parse_int(arg, 0, 1000000, &n) != 0)
		return cmd_usage(c, "--bootstrap wants 0 to 1000000 replicates, "
		    "not '%s'", arg);
	*out = (int)n;
	return 0;
}

int
cmd_opt_seed(const struct cmd_entry *c, const char *arg, uint64_t *out)
{
	long long n;

	if (acc_parse_int(arg, 0, INT64_MAX, &n) != 0)
		return cmd_usage(c, "--seed wants a number >= 0, not '%s'", arg);
	*out = (uint64_t)n;
	return 0;
}

int
cmd_fail(const char *where, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fputs("accord: ", stderr);
	if (where != NULL) {
		cmd_print_safe(stderr, where);
		fputs(": ", stderr);
	}
	cmd_print_safe(stderr, msg);
	fputc('\n', stderr);
	free(msg);
	return EXIT_FAIL;
}

int
cmd_help(const struct cmd_entry *c)
{
	fputs(c->usage, stdout);
	return 0;
}

int
cmd_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

struct store *
cmd_open(const char *db)
{
	struct store *st;
	char *cause = NULL;

	if (store_open(db, &st, &cause) != 0) {
		cmd_fail(db, "%s", cause);
		free(cause);
		return NULL;
	}
	return st;
}

const char *
cmd_user(void)
{
	const char *u = acc_os_user();

	if (u == NULL)
		cmd_fail(NULL, "cannot tell which OS user is running accord "
		    "(no passwd entry for uid)");
	return u;
}

void
cmd_print_safe(FILE *f, const char *s)
{
	char *p = acc_printable(s);

	fputs(p, f);
	free(p);
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: accord COMMAND [ARGS]   (accord COMMAND --help for "
	    "each)\n\naccord %s: a data-labeling and label-consistency "
	    "workbench.\n\ncommands:\n", ACCORD_VERSION);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
}

int
main(int argc, char **argv)
{
	size_t i;
	char *cause = NULL;

	/* First: with a setgid binary, run as the user's own group. */
	if (priv_init(&cause) != 0)
		return cmd_fail(NULL, "%s", cause);
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
		if (strcmp(argv[1], commands[i]->name) == 0) {
			if (cmd_wants_help(argc - 1, argv + 1))
				return cmd_help(commands[i]);
			return commands[i]->exec(argc - 1, argv + 1);
		}
	fprintf(stderr, "accord: unknown command '%s' (see accord --help)\n",
	    argv[1]);
	return EXIT_USAGE;
}
