/*
 * fuzz_labels.c: libFuzzer harness for the labels file reader of
 * core/labels_io.c (`accord labels import`): the same bytes parsed as CSV and
 * as JSON Lines by labels_parse(), the part of the import that needs no
 * store, then every value through the checks and the display path a row
 * takes (strict number parsing, acc_printable for the terminal).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/labels.h"
#include "accord/util.h"

#include "fuzz.h"

static void
on_error(void *arg, const char *where, const char *msg)
{
	/* Each bad JSON line is reported with a place and a reason. */
	if (where == NULL || msg == NULL || *msg == '\0')
		abort();
	(*(int *)arg)++;
}

static void
rows_check(struct label_input *rows, int n)
{
	static const char *const keys[] = { "file", "sha256", "labeler",
	    "class", "seconds", "note", "guideline", "time" };
	long long v;
	double d;
	size_t k;
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < rows[i].r.n; j++) {
			char *p = acc_printable(rows[i].r.keys[j]);

			free(p);
			if (rows[i].r.values[j] != NULL) {
				p = acc_printable(rows[i].r.values[j]);
				free(p);
			}
		}
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			const char *s = record_get(&rows[i].r, keys[k]);

			if (s == NULL)
				continue;
			(void)acc_parse_int(s, 1, 1000000, &v);
			(void)acc_parse_double(s, &d);
		}
	}
	labels_rows_free(rows, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct label_input *rows;
	char *cause;
	int json, n, nbad, reported;

	for (json = 0; json <= 1; json++) {
		cause = NULL;
		n = nbad = reported = 0;
		if (labels_parse("fuzz", data, len, json, &rows, &n, on_error,
		    &reported, &nbad, &cause) != 0) {
			if (cause == NULL || n != 0)
				abort();
			free(cause);
			continue;
		}
		if (cause != NULL || nbad != reported || n < 0)
			abort();
		rows_check(rows, n);
	}
	return 0;
}
