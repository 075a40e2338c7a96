/*
 * cmd_util.c: what the commands share besides their options: the two
 * one-line error forms, --help, opening the store, the OS user, printing
 * text from files and users inert, and the pieces of their --json.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "accord/agree.h"
#include "accord/json.h"
#include "accord/project.h"
#include "accord/suggest.h"
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
cmd_opt_bootstrap(const struct cmd_args *a, int *out)
{
	const char *arg = cmd_args_get(a, "bootstrap");
	long long n;

	if (arg == NULL)
		return 0;
	if (acc_parse_int(arg, 0, 1000000, &n) != 0)
		return cmd_usage(a->entry, "--bootstrap wants 0 to 1000000 "
		    "replicates, not '%s'", arg);
	*out = (int)n;
	return 0;
}

int
cmd_opt_seed(const struct cmd_args *a, uint64_t *out)
{
	const char *arg = cmd_args_get(a, "seed");
	long long n;

	if (arg == NULL)
		return 0;
	if (acc_parse_int(arg, 0, INT64_MAX, &n) != 0)
		return cmd_usage(a->entry, "--seed wants a number >= 0, not "
		    "'%s'", arg);
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
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
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

int
cmd_no_class(const char *where, const int *line, const struct project *p,
    const char *name)
{
	char *tail = suggest_class(p, name);

	if (line != NULL)
		cmd_fail(where, "line %d: no class '%s' in this project (%s)",
		    *line, name, tail);
	else
		cmd_fail(where, "no class '%s' in this project (%s)", name,
		    tail);
	free(tail);
	return EXIT_FAIL;
}

int
cmd_class_id(const char *where, const struct project *p, const char *name)
{
	const struct class_def *c = project_class(p, name);

	if (c == NULL) {
		cmd_no_class(where, NULL, p, name);
		return 0;
	}
	return c->id;
}

int
cmd_known(struct store *st, const char *db, const char *sql, const char *word,
    const char *what, const char *fmt, ...)
{
	char *tail = NULL, *cause = NULL, *msg;
	int r = suggest_known(st, sql, word, what, &tail, &cause);
	va_list ap;

	if (r < 0) {
		cmd_fail_cause(db, cause);
		return 0;
	}
	if (r == 0) {
		va_start(ap, fmt);
		msg = xvasprintf(fmt, ap);
		va_end(ap);
		cmd_fail(db, "%s (%s)", msg, tail);
		free(msg);
		free(tail);
	}
	return r;
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

void
cmd_json_num(struct json *j, const char *key, double v, int defined)
{
	json_key(j, key);
	if (defined)
		json_double(j, "%.12g", v);
	else
		json_null(j);
}

void
cmd_json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void
cmd_json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

/* "why": null for a defined figure, else its reason. */
static void
json_why(struct json *j, int defined, const char *why)
{
	json_key(j, "why");
	json_string(j, defined ? NULL : why ? why : "undefined");
}

void
cmd_json_stat(struct json *j, const char *key, const struct agree_stat *s)
{
	json_key(j, key);
	json_object_begin(j);
	cmd_json_num(j, "value", s->value, s->defined);
	json_why(j, s->defined, s->why);
	json_object_end(j);
}

void
cmd_json_ci(struct json *j, const char *key, const struct agree_ci *c)
{
	json_key(j, key);
	json_object_begin(j);
	cmd_json_num(j, "lo", c->lo, c->defined);
	cmd_json_num(j, "hi", c->hi, c->defined);
	json_why(j, c->defined, c->why);
	json_object_end(j);
}

void
cmd_json_print(struct buf *b)
{
	buf_add(b, "\n", 1);
	fputs(b->s, stdout);
	buf_free(b);
}
