/*
 * fuzz_labels_tools.c: libFuzzer harness for the readers of other tools'
 * label files (core/labels_tools.c, core/labels_cvat.c: `accord labels
 * import` of Label Studio, CVAT, Prodigy and doccano exports).  The same
 * bytes go through the content sniffer and each of the four readers, with
 * a project of three classes and a users map, the part of the import that
 * needs no store; each row's values then take the display path a row
 * takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accord/labels.h"
#include "accord/project.h"
#include "accord/util.h"

#include "fuzz.h"

static void
on_error(void *arg, const char *where, const char *msg)
{
	/* Each bad record is reported with a place and a reason. */
	if (where == NULL || msg == NULL || *msg == '\0' || *where == '\0')
		abort();
	(*(int *)arg)++;
}

static void
rows_check(struct label_input *rows, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		/* A row without a place could not be reported. */
		if (rows[i].where == NULL)
			abort();
		for (j = 0; j < rows[i].r.n; j++) {
			char *p = acc_printable(rows[i].r.values[j]);

			free(p);
		}
	}
	labels_rows_free(rows, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char ok[] = "ok", scratch[] = "scratch", unsure[] = "unsure";
	static struct class_def classes[] = {
		{ 1, ok, '1', 0, 0, NULL },
		{ 2, scratch, '2', 1, 0, NULL },
		{ 3, unsure, 'b', 2, 1, NULL },
	};
	static const enum labels_format formats[] = { LABELS_LABEL_STUDIO,
	    LABELS_CVAT, LABELS_PRODIGY, LABELS_DOCCANO };
	static char k1[] = "2", v1[] = "bob";
	static char *keys[] = { k1 }, *values[] = { v1 };
	const struct record users = { 1, keys, values };
	struct project p = { 0 };
	struct labels_import_opts o = { 0 };
	struct label_input *rows;
	enum labels_format sniffed;
	char *cause;
	size_t f;
	int n, nbad, reported, skipped;

	p.nclasses = 3;
	p.classes = classes;
	sniffed = labels_sniff(data, len);
	if (sniffed == LABELS_DETECT)
		abort();
	for (f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		cause = NULL;
		n = nbad = reported = skipped = 0;
		if (labels_read_tool("fuzz", data, len, formats[f], &p, &o,
		    &users, &rows, &n, on_error, &reported, &nbad, &skipped,
		    &cause) != 0) {
			if (cause == NULL || n != 0 || rows != NULL)
				abort();
			free(cause);
			continue;
		}
		if (cause != NULL || nbad != reported || n < 0 || skipped < 0)
			abort();
		rows_check(rows, n);
	}
	return 0;
}
