/*
 * main.c: the accord binary: a table of subcommands, git/tmux style.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/suggest.h"
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

/* b's text on stderr, shown inert (acc_printable), as one line; frees b. */
static void
print_line(struct buf *b)
{
	char *p = acc_printable(b->s);

	fprintf(stderr, "%s\n", p);
	free(p);
	buf_free(b);
}

/* 1 if path is a file that starts as every SQLite database does. */
static int
is_sqlite_file(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return 0;
	r = read(fd, head, sizeof head) == (ssize_t)sizeof head &&
	    memcmp(head, magic, sizeof magic) == 0;
	close(fd);
	return r;
}

/*
 * "accord agree batch1 p.accord": the store is not where the command
 * takes it (first; after the action for labels: labels dump DB), and the
 * operand there names no file at all.  Opening batch1 would only say "no
 * such project store"; say which operand is the store and show the order
 * that works.  Returns EXIT_USAGE after the message, or 0 when the order
 * looks right (or cannot be told: a PostgreSQL URI, an operand there that
 * exists).  init names a store still to be made, so it is not asked.
 */
static int
check_order(const struct cmd_args *a)
{
	const char *name = a->entry->name;
	int want = a->entry == &cmd_labels_entry, k, i, r;
	struct buf b = { 0 };
	struct stat sb;

	if (a->argc < 2 || a->entry == &cmd_init_entry ||
	    strchr(a->argv[want], ':') != NULL ||
	    stat(a->argv[want], &sb) == 0 || errno != ENOENT)
		return 0;
	for (k = 0; k < a->argc; k++)
		if (k != want && is_sqlite_file(a->argv[k]))
			break;
	if (k == a->argc)
		return 0;
	buf_printf(&b, "accord %s: '%s' is no file and '%s' is a store: the "
	    "store comes %s: accord %s", name, a->argv[want], a->argv[k],
	    want ? "after the action" : "first", name);
	/* The other operands in their order, the store at position want. */
	for (i = 0, r = 0; i < a->argc; i++) {
		if (i == k)
			continue;
		if (r++ == want)
			buf_printf(&b, " %s", a->argv[k]);
		buf_printf(&b, " %s", a->argv[i]);
	}
	if (r <= want)
		buf_printf(&b, " %s", a->argv[k]);
	buf_printf(&b, " (see accord %s --help)", name);
	print_line(&b);
	return EXIT_USAGE;
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
	if ((r = check_order(&a)) == 0)
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

static const struct cmd_entry *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i];
	return NULL;
}

/*
 * argv[1] is no command.  "accord demo.accord agree" has the store and the
 * command swapped: show the order that works.  Otherwise the closest
 * command, or all of them.
 */
static void
unknown_command(int argc, char **argv)
{
	const char *names[NCOMMANDS];
	struct buf b = { 0 };
	char *tail;
	size_t i;
	int k;

	for (k = 2; k < argc; k++)
		if (find_command(argv[k]) != NULL)
			break;
	if (k < argc) {
		buf_printf(&b, "accord: '%s' is not a command; the command "
		    "comes first: accord %s", argv[1], argv[k]);
		for (i = 1; i < (size_t)argc; i++)
			if (i != (size_t)k)
				buf_printf(&b, " %s", argv[i]);
		print_line(&b);
		return;
	}
	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i]->name;
	tail = suggest_choices(argv[1], "commands", names, NCOMMANDS);
	buf_printf(&b, "accord: unknown command '%s' (%s)", argv[1], tail);
	print_line(&b);
	free(tail);
}

static int
dispatch(int argc, char **argv)
{
	const struct cmd_entry *c;

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
	if ((c = find_command(argv[1])) != NULL)
		return run_command(c, argc - 1, argv + 1);
	unknown_command(argc, argv);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	return check_stdout(dispatch(argc, argv));
}
