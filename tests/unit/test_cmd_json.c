/*
 * test_cmd_json.c: the --json pieces the commands share (tui/cmd_util.c):
 * a figure or null, a statistic and an interval with their reasons, and
 * the document printed with its newline.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree.h"
#include "accord/json.h"
#include "../../tui/cmd.h"
#include "t.h"

static void
t_num_int_str(void)
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
t_stat_and_ci(void)
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

/* cmd_json_print writes the document and a newline to stdout. */
static void
t_print(void)
{
	struct buf b = { 0 };
	struct json j;
	FILE *tmp = tmpfile();
	char out[64] = { 0 };
	int saved = dup(1);
	size_t n;

	json_start(&j, &b);
	json_object_begin(&j);
	cmd_json_int(&j, "n", 1);
	json_object_end(&j);
	fflush(stdout);
	dup2(fileno(tmp), 1);
	cmd_json_print(&b);	/* ASan reports a leak if b was not freed */
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof out - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	T_EQ_STR(out, "{\"n\":1}\n");
}

int
main(void)
{
	T_RUN(t_num_int_str);
	T_RUN(t_stat_and_ci);
	T_RUN(t_print);
	return t_done();
}
