/*
 * fuzz_manifest.c: libFuzzer harness for the manifest.json reader of
 * export --force (core/export_prev.c), which decides whether a directory
 * may be removed: any bytes parse or are refused with a reason, never
 * crash, and an accepted manifest's paths come back sorted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/export_int.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct exp_prev pv;
	char *why = NULL;
	int rc, i;

	rc = exp_prev_parse((const char *)data, len, &pv, &why);
	fuzz_check_result(rc, why);
	for (i = 1; rc == 0 && i < pv.npaths; i++)
		if (strcmp(pv.paths[i - 1], pv.paths[i]) > 0)
			abort();
	exp_prev_free(&pv);
	return 0;
}
