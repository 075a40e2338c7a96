/*
 * fuzz_csv.c: libFuzzer harness for the RFC 4180 reader of core/csv.c that
 * reads the metadata CSV given to `accord import --meta` (and label files).
 * A parse that succeeds must give a rectangular table: every row as many
 * fields as the header, each field a NUL-terminated string, lines
 * increasing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/csv.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct csv c;
	char *cause = NULL;
	size_t total = 0;
	int i, j;

	if (csv_parse((const char *)data, len, &c, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL || c.nrows < 1)
		abort();
	for (i = 0; i < c.nrows; i++) {
		if (c.rows[i].nfields != c.rows[0].nfields)
			abort();
		if (i > 0 && c.rows[i].line <= c.rows[i - 1].line)
			abort();
		for (j = 0; j < c.rows[i].nfields; j++)
			total += strlen(c.rows[i].fields[j]);
	}
	/* Fields are made of the input's bytes, never more of them. */
	if (total > len)
		abort();
	(void)csv_column(&c, "file");
	(void)csv_column(&c, c.rows[0].fields[c.rows[0].nfields - 1]);
	csv_free(&c);
	return 0;
}
