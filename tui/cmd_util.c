/*
 * cmd_util.c: what the commands share besides their options: the two
 * one-line error forms, --help, opening the store, the OS user, and
 * printing text from files and users inert.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

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
cmd_fail_cause(const char *where, char *cause)
{
	cmd_fail(where, "%s", cause != NULL ? cause : "unknown error");
	free(cause);
	return EXIT_FAIL;
}

void
cmd_on_error(void *arg, const char *where, const char *msg)
{
	(void)arg;
	cmd_fail(where, "%s", msg);
}

int
cmd_help(const struct cmd_entry *c)
{
	cmd_help_print(c, stdout);
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
		cmd_fail_cause(db, cause);
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
