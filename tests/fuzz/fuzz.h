/*
 * fuzz.h: what the harnesses share.  libFuzzer calls
 * LLVMFuzzerTestOneInput once per input; a harness aborts when core breaks
 * a contract, so libFuzzer keeps the input as a crash.
 */
#ifndef ACCORD_FUZZ_H
#define ACCORD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* The error contract of util.h: -1 always comes with a message, 0 never. */
static inline void
fuzz_check_result(int rc, char *cause)
{
	if ((rc == 0) != (cause == NULL))
		abort();
	free(cause);
}

#endif
