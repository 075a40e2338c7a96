/*
 * test_spark.c: the dashboard's sparklines: heights on the 0..1 scale,
 * block elements U+2581..U+2588 in UTF-8, the ASCII ramp otherwise, gaps
 * for undefined values.
 */
#include "../../tui/spark.h"
#include "t.h"

static void
t_levels_on_a_fixed_scale(void)
{
	T_EQ_INT(spark_level(-0.4), 0);
	T_EQ_INT(spark_level(0), 0);
	T_EQ_INT(spark_level(0.07), 0);
	T_EQ_INT(spark_level(0.08), 1);
	T_EQ_INT(spark_level(0.5), 4);
	T_EQ_INT(spark_level(0.92), 6);
	T_EQ_INT(spark_level(0.93), 7);
	T_EQ_INT(spark_level(1), 7);
	T_EQ_INT(spark_level(1.5), 7);
}

static void
t_utf8_blocks_and_gaps(void)
{
	double v[] = { 0, 0.5, 1, 0.3, -1 };
	int d[] = { 1, 1, 1, 0, 1 };
	char *s = spark_line(v, d, 5, 1);

	T_EQ_STR(s, "\xe2\x96\x81\xe2\x96\x85\xe2\x96\x88 \xe2\x96\x81");
	free(s);
	s = spark_line(v, d, 0, 1);
	T_EQ_STR(s, "");
	free(s);
}

static void
t_ascii_ramp(void)
{
	double v[] = { 0, 1.0 / 7, 2.0 / 7, 3.0 / 7, 4.0 / 7, 5.0 / 7,
		6.0 / 7, 1, 0.5 };
	int d[] = { 1, 1, 1, 1, 1, 1, 1, 1, 0 };
	char *s = spark_line(v, d, 9, 0);

	T_EQ_STR(s, SPARK_ASCII " ");
	free(s);
}

int
main(void)
{
	T_RUN(t_levels_on_a_fixed_scale);
	T_RUN(t_utf8_blocks_and_gaps);
	T_RUN(t_ascii_ramp);
	return t_done();
}
