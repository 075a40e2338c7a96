/*
 * test_cmd.c: the command-line parser every command goes through (options
 * declared in a table, one wording for usage errors, --help made from the
 * same table) and the shared one-line error helpers.
 */
#include <stdio.h>
#include <unistd.h>

#include "../../tui/cmd.h"
#include "t.h"

static const struct cmd_opt opts[] = {
	{ "json", NULL, 0, "one JSON object" },
	{ "where", "KEY=VALUE", CMD_OPT_REPEAT,
	    "keep items whose KEY equals VALUE;\nseveral must all hold" },
	{ "html", "FILE", CMD_OPT_NONEMPTY, "also write a page" },
	{ "seed", "S", 0, "seed" },
	{ "split", "A/B/C", 0, "shares" },
	{ "include-borderline", NULL, 0, "keep the borderline class" },
	{ NULL, NULL, 0, NULL },
};

static const struct cmd_entry entry = {
	.name = "demo",
	.summary = "a command for the tests",
	.usage = "usage: accord demo DB [--json]\n\nDoes nothing.\n",
	.opts = opts,
	.usage_end = "Exit status: 0.\n",
};

/* Run f with stderr captured into out (len bytes); returns f's result. */
static int
capture_stderr(int (*f)(void *), void *arg, char *out, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), r;
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	r = f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return r;
}

struct parse_call {
	int argc;
	char **argv;
	struct cmd_args a;
};

static int
do_parse(void *arg)
{
	struct parse_call *p = arg;

	return cmd_args_parse(&entry, p->argc, p->argv, &p->a);
}

/* Parse argv (NULL-terminated); *err gets what went to stderr. */
static int
parse(char **argv, struct cmd_args *a, char *err, size_t len)
{
	struct parse_call p = { 0, argv, { 0 } };
	int r;

	while (argv[p.argc] != NULL)
		p.argc++;
	r = capture_stderr(do_parse, &p, err, len);
	*a = p.a;
	return r;
}

static void
t_options_and_operands_in_any_order(void)
{
	char *argv[] = { "demo", "--json", "db", "--html", "x.html", "more",
	    "--seed=7", NULL };
	struct cmd_args a;
	char err[256];

	T_EQ_INT(parse(argv, &a, err, sizeof err), 0);
	T_EQ_STR(err, "");
	T_EQ_INT(a.argc, 2);
	T_EQ_STR(a.argv[0], "db");
	T_EQ_STR(a.argv[1], "more");
	T_CHECK(a.argv[2] == NULL);
	T_EQ_INT(cmd_args_has(&a, "json"), 1);
	T_EQ_STR(cmd_args_get(&a, "html"), "x.html");
	T_EQ_STR(cmd_args_get(&a, "seed"), "7");
	T_CHECK(cmd_args_get(&a, "split") == NULL);
	T_EQ_INT(cmd_args_has(&a, "where"), 0);
	cmd_args_free(&a);
}

static void
t_unknown_option(void)
{
	char *argv[] = { "demo", "db", "--bogus", NULL };
	char *argv2[] = { "demo", "-x", NULL };
	char *argv3[] = { "demo", "db", "--sead=4", NULL };
	struct cmd_args a;
	char err[512];

	/* The options, and the closest one when it looks like a typo. */
	T_EQ_INT(parse(argv, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: unknown option '--bogus'; options: "
	    "--json, --where, --html, --seed, --split, --include-borderline "
	    "(see accord demo --help)\n");
	T_EQ_INT(parse(argv2, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: unknown option '-x'; options: --json, "
	    "--where, --html, --seed, --split, --include-borderline (see "
	    "accord demo --help)\n");
	T_EQ_INT(parse(argv3, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: unknown option '--sead=4'; did you mean "
	    "'--seed'? options: --json, --where, --html, --seed, --split, "
	    "--include-borderline (see accord demo --help)\n");
}

static void
t_missing_or_unwanted_value(void)
{
	char *argv[] = { "demo", "db", "--seed", NULL };
	char *argv2[] = { "demo", "db", "--html=", NULL };
	char *argv3[] = { "demo", "db", "--json=1", NULL };
	char *argv4[] = { "demo", "--seed=", "db", NULL };
	struct cmd_args a;
	char err[256];

	T_EQ_INT(parse(argv, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: --seed wants a value (see accord demo "
	    "--help)\n");
	T_EQ_INT(parse(argv2, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: --html wants a value (see accord demo "
	    "--help)\n");
	T_EQ_INT(parse(argv3, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: --json takes no value (see accord demo "
	    "--help)\n");
	/* Without CMD_OPT_NONEMPTY an empty value is a value. */
	T_EQ_INT(parse(argv4, &a, err, sizeof err), 0);
	T_EQ_STR(cmd_args_get(&a, "seed"), "");
	cmd_args_free(&a);
}

static void
t_repeated_option(void)
{
	char *argv[] = { "demo", "--where", "a=1", "db", "--where=b=2", NULL };
	char *argv2[] = { "demo", "--seed", "1", "db", "--seed", "2", NULL };
	char *argv3[] = { "demo", "--json", "--json", "db", NULL };
	struct cmd_args a;
	char err[256], **v;
	int n;

	T_EQ_INT(parse(argv, &a, err, sizeof err), 0);
	v = cmd_args_values(&a, "where", &n);
	T_EQ_INT(n, 2);
	T_EQ_STR(v[0], "a=1");
	T_EQ_STR(v[1], "b=2");
	T_EQ_STR(cmd_args_get(&a, "where"), "b=2");
	cmd_args_free(&a);
	/* One that does not repeat: the last value wins, as with getopt. */
	T_EQ_INT(parse(argv2, &a, err, sizeof err), 0);
	T_EQ_STR(cmd_args_get(&a, "seed"), "2");
	v = cmd_args_values(&a, "seed", &n);
	T_EQ_INT(n, 1);
	T_EQ_STR(v[0], "2");
	cmd_args_free(&a);
	T_EQ_INT(parse(argv3, &a, err, sizeof err), 0);
	T_EQ_INT(cmd_args_has(&a, "json"), 1);
	cmd_args_free(&a);
}

static void
t_double_dash_ends_options(void)
{
	char *argv[] = { "demo", "--json", "--", "--seed", "-", "-x", NULL };
	struct cmd_args a;
	char err[256];

	T_EQ_INT(parse(argv, &a, err, sizeof err), 0);
	T_EQ_INT(a.argc, 3);
	T_EQ_STR(a.argv[0], "--seed");
	T_EQ_STR(a.argv[1], "-");
	T_EQ_STR(a.argv[2], "-x");
	T_EQ_INT(cmd_args_has(&a, "seed"), 0);
	cmd_args_free(&a);
}

static void
t_value_may_look_like_an_option(void)
{
	/* As getopt_long: a value is the next word, whatever it is. */
	char *argv[] = { "demo", "--html", "--json", "db", NULL };
	struct cmd_args a;
	char err[256];

	T_EQ_INT(parse(argv, &a, err, sizeof err), 0);
	T_EQ_STR(cmd_args_get(&a, "html"), "--json");
	T_EQ_INT(cmd_args_has(&a, "json"), 0);
	cmd_args_free(&a);
}

static void
t_unique_prefix(void)
{
	char *argv[] = { "demo", "--js", "--incl", "db", NULL };
	char *argv2[] = { "demo", "--s=1", "db", NULL };
	struct cmd_args a;
	char err[256];

	T_EQ_INT(parse(argv, &a, err, sizeof err), 0);
	T_EQ_INT(cmd_args_has(&a, "json"), 1);
	T_EQ_INT(cmd_args_has(&a, "include-borderline"), 1);
	cmd_args_free(&a);
	T_EQ_INT(parse(argv2, &a, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: ambiguous option '--s=1' (see accord "
	    "demo --help)\n");
}

struct int_call {
	struct cmd_args *a;
	long long v;
};

static int
do_int(void *arg)
{
	struct int_call *c = arg;

	return cmd_args_int(c->a, "seed", 1, 100, &c->v);
}

static void
t_integer_values(void)
{
	char *ok[] = { "demo", "--seed", "42", NULL };
	char *bad[] = { "demo", "--seed", "101", NULL };
	char *none[] = { "demo", NULL };
	struct cmd_args a;
	struct int_call c = { &a, -1 };
	char err[256];

	T_EQ_INT(parse(ok, &a, err, sizeof err), 0);
	T_EQ_INT(capture_stderr(do_int, &c, err, sizeof err), 0);
	T_EQ_INT(c.v, 42);
	cmd_args_free(&a);
	T_EQ_INT(parse(bad, &a, err, sizeof err), 0);
	T_EQ_INT(capture_stderr(do_int, &c, err, sizeof err), EXIT_USAGE);
	T_EQ_STR(err, "accord demo: --seed wants a number from 1 to 100, "
	    "not '101' (see accord demo --help)\n");
	cmd_args_free(&a);
	c.v = -1;
	T_EQ_INT(parse(none, &a, err, sizeof err), 0);
	T_EQ_INT(capture_stderr(do_int, &c, err, sizeof err), 0);
	T_EQ_INT(c.v, -1);
	cmd_args_free(&a);
}

static void
t_help_from_the_table(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cmd_help_print(&entry, f);
	fclose(f);
	T_EQ_STR(text,
	    "usage: accord demo DB [--json]\n"
	    "\n"
	    "Does nothing.\n"
	    "\n"
	    "  --json             one JSON object\n"
	    "  --where KEY=VALUE  keep items whose KEY equals VALUE;\n"
	    "                     several must all hold\n"
	    "  --html FILE        also write a page\n"
	    "  --seed S           seed\n"
	    "  --split A/B/C      shares\n"
	    "  --include-borderline  keep the borderline class\n"
	    "\n"
	    "Exit status: 0.\n");
	free(text);
}

struct fail_call {
	const char *where;
	char *cause;
};

static int
do_fail(void *arg)
{
	struct fail_call *c = arg;

	return cmd_fail_cause(c->where, c->cause);
}

static void
t_fail_cause_prints_frees_and_defuses(void)
{
	struct fail_call c = { "db", NULL };
	char err[256];

	c.cause = xstrdup("no such table\x1b[2J");
	T_EQ_INT(capture_stderr(do_fail, &c, err, sizeof err), EXIT_FAIL);
	/* ASan reports a leak if the cause was not freed. */
	T_EQ_STR(err, "accord: db: no such table?[2J\n");
	c.where = NULL;
	c.cause = xstrdup("plain");
	T_EQ_INT(capture_stderr(do_fail, &c, err, sizeof err), EXIT_FAIL);
	T_EQ_STR(err, "accord: plain\n");
}

int
main(void)
{
	T_RUN(t_options_and_operands_in_any_order);
	T_RUN(t_unknown_option);
	T_RUN(t_missing_or_unwanted_value);
	T_RUN(t_repeated_option);
	T_RUN(t_double_dash_ends_options);
	T_RUN(t_value_may_look_like_an_option);
	T_RUN(t_unique_prefix);
	T_RUN(t_integer_values);
	T_RUN(t_help_from_the_table);
	T_RUN(t_fail_cause_prints_frees_and_defuses);
	return t_done();
}
