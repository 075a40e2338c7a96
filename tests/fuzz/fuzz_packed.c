/*
 * fuzz_packed.c: libFuzzer harness for the packed per-item label rows of
 * core/label.c (item_labels.rows, read by `accord agree`): label_unpack
 * on any bytes must stay inside the value, give ids in rising order and
 * stop at the end or at damage; what it reads, written again by
 * label_pack, must read back the same.
 */
#include <string.h>

#include "../../core/label_int.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *v = xmalloc(len + 1);
	struct label_entry e = { 0 }, f = { 0 }, *all = NULL;
	struct buf b = { 0 };
	const char *p = v, *q;
	size_t n = 0, i, vl;
	int k;

	memcpy(v, data, len);
	v[len] = '\0';
	vl = strlen(v);
	while ((k = label_unpack(&p, &e)) > 0) {
		/* The name is followed by its ';' inside the value. */
		if (p <= v || p > v + vl || e.labeler < v ||
		    e.labeler + e.labeler_len >= v + vl ||
		    (n > 0 && e.id <= all[n - 1].id))
			abort();
		all = xreallocarray(all, n + 1, sizeof *all);
		all[n++] = e;
	}
	if (k != 0 && k != -1)
		abort();
	for (i = 0; i < n; i++)
		label_pack(&b, &all[i]);
	q = b.s != NULL ? b.s : "";
	for (i = 0; i < n; i++) {
		if (label_unpack(&q, &f) != 1 || f.id != all[i].id ||
		    f.class_id != all[i].class_id ||
		    f.guideline != all[i].guideline ||
		    f.labeler_len != all[i].labeler_len ||
		    memcmp(f.labeler, all[i].labeler, f.labeler_len) != 0)
			abort();
	}
	if (label_unpack(&q, &f) != 0)
		abort();
	buf_free(&b);
	free(all);
	free(v);
	return 0;
}
