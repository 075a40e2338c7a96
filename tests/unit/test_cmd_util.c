/*
 * test_cmd_util.c: helpers the commands share (tui/cmd_util.c) besides
 * the parser and the error lines test_cmd.c covers: the --bootstrap and
 * --seed values agree, errors, stats and export read, and the pieces of
 * their --json documents.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/json.h"
#include "../../tui/cmd.h"
#include "t.h"

/* Run f(arg) with file descriptor fd (1 or 2) captured into out. */
static void
capture(int fd, void (*f)(void *), void *arg, char *out, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);
	size_t n;

	fflush(fd == 1 ? stdout : stderr);
	dup2(fileno(tmp), fd);
	f(arg);
	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

/* Options */

static const struct cmd_opt opts[] = {
	{ "bootstrap", "N", 0, "replicates" },
	{ "seed", "S", 0, "seed" },
	{ NULL, NULL, 0, NULL },
};

static const struct cmd_entry entry = {
	.name = "demo",
	.summary = "a command for the tests",
	.usage = "usage: accord demo DB\n",
	.opts = opts,
};

struct parse_call {
	char **argv;
	int argc;
	int boot;
	uint64_t seed;
	int r;
};

/* Parse argv, then read both options into boot and seed. */
static void
do_parse(void *arg)
{
	struct parse_call *p = arg;
	struct cmd_args a;

	if ((p->r = cmd_args_parse(&entry, p->argc, p->argv, &a)) != 0)
		return;
	p->r = cmd_opt_bootstrap(&a, &p->boot) != 0 ||
	    cmd_opt_seed(&a, &p->seed) != 0 ? EXIT_USAGE : 0;
	cmd_args_free(&a);
}

static void
t_options_given_or_left_alone(void)
{
	char *both[] = { "demo", "db", "--bootstrap", "0", "--seed=42", NULL };
	char *none[] = { "demo", "db", NULL };
	struct parse_call p = { none, 2, 7, 9, -1 };
	char err[64];

	capture(2, do_parse, &p, err, sizeof err);
	T_EQ_INT(p.r, 0);
	T_EQ_INT(p.boot, 7);
	T_EQ_INT((int)p.seed, 9);
	p.argv = both;
	p.argc = 5;
	capture(2, do_parse, &p, err, sizeof err);
	T_EQ_INT(p.r, 0);
	T_EQ_INT(p.boot, 0);
	T_EQ_INT((int)p.seed, 42);
	T_EQ_STR(err, "");
}

static void
t_options_out_of_range(void)
{
	char *big[] = { "demo", "db", "--bootstrap", "1000001", NULL };
	char *neg[] = { "demo", "db", "--seed", "-1", NULL };
	struct parse_call p = { big, 4, 7, 9, -1 };
	char err[256];

	capture(2, do_parse, &p, err, sizeof err);
	T_EQ_INT(p.r, EXIT_USAGE);
	T_EQ_STR(err, "accord demo: --bootstrap wants 0 to 1000000 replicates, "
	    "not '1000001' (see accord demo --help)\n");
	p.argv = neg;
	capture(2, do_parse, &p, err, sizeof err);
	T_EQ_INT(p.r, EXIT_USAGE);
	T_EQ_STR(err, "accord demo: --seed wants a number >= 0, not '-1' (see "
	    "accord demo --help)\n");
	T_EQ_INT(p.boot, 7);
	T_EQ_INT((int)p.seed, 9);
}

/* JSON */

static void
t_json_num_int_str(void)
{
	struct buf b = { 0 };
	struct json j;

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_num(&j, "a", 0.1 + 0.2, 1);
	cmd_json_num(&j, "b", 3, 0);
	cmd_json_int(&j, "c", -7);
	cmd_json_str(&j, "d", "x\"y");
	cmd_json_str(&j, "e", NULL);
	json_object_end(&j);
	T_EQ_STR(b.s, "{\"a\":0.3,\"b\":null,\"c\":-7,\"d\":\"x\\\"y\","
	    "\"e\":null}");
	buf_free(&b);
}

static void
t_json_stat_and_ci(void)
{
	struct agree_stat s1 = { .value = 0.8125, .defined = 1 };
	struct agree_stat s2 = { .value = 0.5, .why = "one labeler" };
	struct agree_stat s3 = { 0 };
	struct agree_ci c1 = { .lo = 0.25, .hi = 0.75, .defined = 1 };
	struct agree_ci c2 = { .lo = 1, .hi = 2, .why = "no replicates" };
	struct buf b = { 0 };
	struct json j;

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_stat(&j, "s1", &s1);
	cmd_json_stat(&j, "s2", &s2);
	cmd_json_stat(&j, "s3", &s3);
	cmd_json_ci(&j, "c1", &c1);
	cmd_json_ci(&j, "c2", &c2);
	json_object_end(&j);
	T_EQ_STR(b.s, "{\"s1\":{\"value\":0.8125,\"why\":null},"
	    "\"s2\":{\"value\":null,\"why\":\"one labeler\"},"
	    "\"s3\":{\"value\":null,\"why\":\"undefined\"},"
	    "\"c1\":{\"lo\":0.25,\"hi\":0.75,\"why\":null},"
	    "\"c2\":{\"lo\":null,\"hi\":null,\"why\":\"no replicates\"}}");
	buf_free(&b);
}

static void
do_print(void *arg)
{
	cmd_json_print(arg);	/* ASan reports a leak if it was not freed */
}

/* cmd_json_print writes the document and a newline to stdout. */
static void
t_json_print(void)
{
	struct buf b = { 0 };
	struct json j;
	char out[64];

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_int(&j, "n", 1);
	json_object_end(&j);
	capture(1, do_print, &b, out, sizeof out);
	T_EQ_STR(out, "{\"n\":1}\n");
}

int
main(void)
{
	T_RUN(t_options_given_or_left_alone);
	T_RUN(t_options_out_of_range);
	T_RUN(t_json_num_int_str);
	T_RUN(t_json_stat_and_ci);
	T_RUN(t_json_print);
	return t_done();
}
