/*
 * spark.h: sparklines, one character per value, for the stats dashboard.
 * Pure (no curses), so the mapping is unit-tested.
 */
#ifndef ACCORD_SPARK_H
#define ACCORD_SPARK_H

/*
 * A sparkline of v[0..n-1] on the fixed scale 0..1: eight heights,
 * U+2581..U+2588 when utf8, else the ASCII ramp SPARK_ASCII; values below
 * 0 take the lowest height, above 1 the highest (kappa can be negative).
 * A value with defined[i] == 0 is a space.  Returns a malloc'd UTF-8
 * string the caller frees.
 */
#define SPARK_ASCII "_.-:=+*#"

char *spark_line(const double *v, const int *defined, int n, int utf8);

/* The height 0..7 spark_line gives value v. */
int spark_level(double v);

#endif
