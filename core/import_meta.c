/*
 * import_meta.c: import --meta: the metadata CSV, checked, and indexed by
 * path and by base name so each imported file finds its rows.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_int.h"

#define META_MAX_BYTES ((size_t)256 << 20)

static int
meta_key_cmp(const void *a, const void *b)
{
	const struct imp_meta_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->row - y->row;
}

static const char *const metric_keys[] = {
	"brightness", "contrast", "sharpness", "duration_s", "rms_db",
	"peak_db", "clipped", "lead_silence_s", "trail_silence_s", NULL
};

/* The header names each column once, none of them a computed metric. */
static int
meta_check_header(const struct csv_row *h, char **cause)
{
	int c, k;

	for (c = 0; c < h->nfields; c++) {
		const char *name = h->fields[c];

		if (*name == '\0')
			return acc_error(cause, "column %d has no name", c + 1);
		for (k = 0; metric_keys[k] != NULL; k++)
			if (strcmp(name, metric_keys[k]) == 0)
				return acc_error(cause, "column '%s' clashes "
				    "with a computed input metric; rename it",
				    name);
		for (k = 0; k < c; k++)
			if (strcmp(name, h->fields[k]) == 0)
				return acc_error(cause, "column '%s' appears "
				    "twice in the header (columns %d and %d)",
				    name, k + 1, c + 1);
	}
	return 0;
}

int
imp_meta_load(struct imp_meta *m, const char *file, char **cause)
{
	unsigned char *data;
	size_t len;
	char *real, *dir, *tmp;
	int r;

	memset(m, 0, sizeof *m);
	if (acc_read_file(file, META_MAX_BYTES, &data, &len, cause) != 0)
		return -1;
	r = csv_parse((const char *)data, len, &m->csv, cause);
	free(data);
	if (r != 0)
		return -1;
	if ((m->filecol = csv_column(&m->csv, "file")) == -1) {
		csv_free(&m->csv);
		return acc_error(cause, "no 'file' column in the header");
	}
	/* The message quotes the header: free it only after. */
	if (meta_check_header(&m->csv.rows[0], cause) != 0) {
		csv_free(&m->csv);
		return -1;
	}
	if ((real = realpath(file, NULL)) == NULL) {
		csv_free(&m->csv);
		return acc_error(cause, "%s", strerror(errno));
	}
	tmp = xstrdup(real);
	dir = xstrdup(dirname(tmp));
	free(tmp);
	m->file = xstrdup(file);
	m->source = xasprintf("csv:%s", real);
	free(real);
	m->matched = xcalloc((size_t)m->csv.nrows, sizeof *m->matched);
	m->bypath = xcalloc((size_t)m->csv.nrows, sizeof *m->bypath);
	m->byname = xcalloc((size_t)m->csv.nrows, sizeof *m->byname);
	for (r = 1; r < m->csv.nrows; r++) {
		const char *v = m->csv.rows[r].fields[m->filecol];
		char *p;

		if (*v == '\0')
			continue;
		/* A bare name may match by base name; a path only by path. */
		if (strchr(v, '/') == NULL) {
			m->byname[m->nname].key = v;
			m->byname[m->nname++].row = r;
		}
		if ((p = acc_resolve_path(dir, v, NULL)) != NULL) {
			m->bypath[m->npath].key = p;
			m->bypath[m->npath++].row = r;
		}
	}
	free(dir);
	qsort(m->bypath, (size_t)m->npath, sizeof *m->bypath, meta_key_cmp);
	qsort(m->byname, (size_t)m->nname, sizeof *m->byname, meta_key_cmp);
	return 0;
}

void
imp_meta_free(struct imp_meta *m)
{
	int i;

	for (i = 0; i < m->npath; i++)
		free((char *)m->bypath[i].key);
	free(m->bypath);
	free(m->byname);
	free(m->matched);
	free(m->file);
	free(m->source);
	csv_free(&m->csv);
}

/* Range [*lo, *hi) of entries with this key. */
static void
meta_find(const struct imp_meta_key *keys, int n, const char *key,
    int *lo, int *hi)
{
	int a = 0, b = n;

	while (a < b) {
		int mid = a + (b - a) / 2;

		if (strcmp(keys[mid].key, key) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (b < n && strcmp(keys[b].key, key) == 0)
		b++;
	*hi = a > b ? a : b;
}

int
imp_meta_rows(const struct imp_meta *m, const char *path, int *rows, int max)
{
	const char *base;
	int lo, hi, k, n = 0;

	meta_find(m->bypath, m->npath, path, &lo, &hi);
	for (k = lo; k < hi && n < max; k++)
		rows[n++] = m->bypath[k].row;
	if (n == 0) {
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		meta_find(m->byname, m->nname, base, &lo, &hi);
		for (k = lo; k < hi && n < max; k++)
			rows[n++] = m->byname[k].row;
	}
	return n;
}

void
imp_meta_unmatched(const struct imp_meta *m, const struct import_opts *opts,
    struct import_stats *s)
{
	int i;

	for (i = 1; i < m->csv.nrows; i++) {
		char *where, *msg;

		if (m->matched[i]) {
			s->meta_rows++;
			continue;
		}
		where = xasprintf("%s:%d", m->file, m->csv.rows[i].line);
		msg = xasprintf("row names no imported file (%s)",
		    m->csv.rows[i].fields[m->filecol]);
		opts->on_error(opts->arg, where, msg);
		free(where);
		free(msg);
		s->meta_unmatched++;
	}
}
