/* spark.c: sparklines (see spark.h). */
#include <stdlib.h>

#include "accord/util.h"
#include "spark.h"

int
spark_level(double v)
{
	if (!(v > 0))	/* also NaN, which agree never gives */
		return 0;
	if (v >= 1)
		return 7;
	/* Rounded, so 0 and 1 are the bottom and top and 0.5 is mid-way. */
	return (int)(v * 7 + 0.5);
}

char *
spark_line(const double *v, const int *defined, int n, int utf8)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "");
	for (i = 0; i < n; i++) {
		int h = spark_level(v[i]);

		if (!defined[i])
			buf_puts(&b, " ");
		else if (utf8) {
			/* U+2581 + h in UTF-8: E2 96 81..88. */
			char ch[4] = { '\xe2', '\x96', (char)(0x81 + h), '\0' };

			buf_puts(&b, ch);
		} else
			buf_add(&b, &SPARK_ASCII[h], 1);
	}
	return b.s;
}
