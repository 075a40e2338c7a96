/*
 * labels_io.c: label rows in and out: importing labels from CSV/JSONL or
 * another tool's export (read by labels_tools.c and labels_cvat.c, written
 * through label.c's writer), and listing every row.
 */
#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/suggest.h"
#include "accord/csv.h"
#include "accord/labels.h"
#include "accord/project.h"
#include "label_int.h"
#include "labels_int.h"
#include "sqlutil.h"

#define LABELS_MAX_BYTES ((size_t)512 << 20)

int
is_sha256(const char *s)
{
	int i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return s[64] == '\0';
}

int
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcasecmp(s + a - b, suf) == 0;
}

int
labels_is_json(const char *file)
{
	return has_suffix(file, ".jsonl") || has_suffix(file, ".json") ||
	    has_suffix(file, ".ndjson");
}

void
labels_rows_free(struct label_input *rows, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		record_free(&rows[i].r);
		free(rows[i].where);
	}
	free(rows);
}

int
labels_parse(const char *name, const unsigned char *data, size_t len,
    int json, struct label_input **out, int *nout,
    void (*on_error)(void *, const char *, const char *), void *arg,
    int *nbad, char **cause)
{
	struct label_input *rows = NULL;
	int n = 0;

	if (json) {
		char *p, *save = NULL, *line;
		int lineno = 0;

		if (memchr(data, '\0', len) != NULL)
			return acc_error(cause, "NUL byte in file");
		/* A copy to cut into NUL-terminated lines in place. */
		p = xmalloc(len + 1);
		memcpy(p, data, len);
		p[len] = '\0';
		/* strtok_r would merge empty lines and lose numbering. */
		for (line = p; line != NULL; line = save) {
			char *why = NULL;
			struct record r;

			lineno++;
			save = strchr(line, '\n');
			if (save != NULL)
				*save++ = '\0';
			if (strspn(line, " \t\r") == strlen(line))
				continue;
			if (json_parse_flat(line, &r, &why) != 0) {
				char *where = xasprintf("%s:%d", name, lineno);

				on_error(arg, where, why);
				free(where);
				free(why);
				(*nbad)++;
				continue;
			}
			rows = xreallocarray(rows, (size_t)n + 1, sizeof *rows);
			rows[n].line = lineno;
			rows[n].where = NULL;
			rows[n++].r = r;
		}
		free(p);
	} else {
		struct csv c;
		int i, j;

		if (csv_parse((const char *)data, len, &c, cause) != 0)
			return -1;
		for (i = 1; i < c.nrows; i++) {
			struct record r = { 0 };

			r.n = c.rows[i].nfields;
			r.keys = xcalloc((size_t)r.n, sizeof *r.keys);
			r.values = xcalloc((size_t)r.n, sizeof *r.values);
			for (j = 0; j < r.n; j++) {
				r.keys[j] = xstrdup(c.rows[0].fields[j]);
				r.values[j] = c.rows[i].fields[j][0] ?
				    xstrdup(c.rows[i].fields[j]) : NULL;
			}
			rows = xreallocarray(rows, (size_t)n + 1, sizeof *rows);
			rows[n].line = c.rows[i].line;
			rows[n].where = NULL;
			rows[n++].r = r;
		}
		csv_free(&c);
	}
	*out = rows;
	*nout = n;
	return 0;
}

/* Read the file into rows of key/value records (internal.h). */
int
records_read(const char *file, size_t max, struct label_input **out,
    int *nout, void (*on_error)(void *, const char *, const char *),
    void *arg, int *nbad, char **cause)
{
	unsigned char *data;
	size_t len;
	int rc;

	if (acc_read_file(file, max, &data, &len, cause) != 0)
		return -1;
	rc = labels_parse(file, data, len, labels_is_json(file), out, nout,
	    on_error, arg, nbad, cause);
	free(data);
	return rc;
}

struct resolved {
	long long item;
	int class_id;
	int guideline;
	int gold;		/* the tool marked it ground truth */
	double seconds;
	const char *labeler, *note, *time;
};

/*
 * What resolving rows needs besides the row: the project, the item finder,
 * whether rows come from another tool (keys `name` and `gold` allowed),
 * and the current members, read once and sorted by name (a query per row
 * would be a round trip per row on PostgreSQL).
 */
struct resolver {
	const struct project *p;
	struct item_finder *finder;
	int foreign;
	int as_member;
	struct member *member;
	int nmember;
	int members;		/* rows under a member's name */
};

static int
member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->user,
	    ((const struct member *)b)->user);
}

int
item_finder_init(struct store *st, const char *file, struct item_finder *f,
    char **cause)
{
	char *real, *tmp;

	memset(f, 0, sizeof *f);
	f->st = st;
	if ((real = realpath(file, NULL)) == NULL)
		return acc_error(cause, "cannot resolve path");
	tmp = xstrdup(real);
	f->dir = xstrdup(dirname(tmp));
	free(tmp);
	free(real);
	if (sql_prepare(st, "SELECT id FROM items WHERE sha256 = ?", &f->bysha,
	    cause) != 0 ||
	    sql_prepare(st, "SELECT item FROM item_sources WHERE path = ? "
	    "LIMIT 1", &f->bypath, cause) != 0 ||
	    sql_prepare(st, "SELECT item, path FROM item_sources",
	    &f->byname, cause) != 0) {
		item_finder_free(f);
		return -1;
	}
	return 0;
}

static int
finder_sha_cmp(const void *a, const void *b)
{
	return strcmp(((const struct finder_sha *)a)->sha,
	    ((const struct finder_sha *)b)->sha);
}

/* The sha256 a record names, or NULL (as item_finder_find reads it;
 * key NULL: "path" when the record has one, else "file"). */
static const char *
record_sha(const struct record *r, const char *key)
{
	const char *sha, *file;

	if (key == NULL)
		key = record_get(r, "path") != NULL ? "path" : "file";
	sha = record_get(r, "sha256");
	file = record_get(r, key);

	if (sha == NULL && file != NULL && is_sha256(file))
		sha = file;
	return sha != NULL && is_sha256(sha) ? sha : NULL;
}

#define FINDER_PREFETCH 256

void
item_finder_prefetch(struct item_finder *f, const char *key,
    const struct record *const *recs, int n)
{
	const char *batch[FINDER_PREFETCH];
	size_t cap = f->nshas;
	int i = 0;

	while (i < n) {
		struct buf q = { 0 };
		struct sql_stmt *s;
		int k = 0, j, rc;

		for (; i < n && k < FINDER_PREFETCH; i++)
			if ((batch[k] = record_sha(recs[i], key)) != NULL)
				k++;
		if (k == 0)
			break;
		buf_puts(&q, "SELECT sha256, id FROM items WHERE sha256 IN (");
		for (j = 0; j < k; j++)
			buf_puts(&q, j ? ", ?" : "?");
		buf_puts(&q, ")");
		rc = sql_prepare(f->st, q.s, &s, NULL);
		buf_free(&q);
		if (rc != 0)
			return;
		for (j = 0; j < k; j++)
			sql_bind_text(s, j + 1, batch[j]);
		while ((rc = sql_step(s)) == SQL_ROW) {
			const char *sha = sql_text(s, 0);

			if (strlen(sha) != 64)
				continue;
			if (f->nshas == cap) {
				cap = cap ? cap * 2 : 256;
				f->shas = xreallocarray(f->shas, cap,
				    sizeof *f->shas);
			}
			memcpy(f->shas[f->nshas].sha, sha, 65);
			f->shas[f->nshas++].item = sql_col_int64(s, 1);
		}
		sql_finalize(f->st, s);
		if (rc != SQL_DONE)
			break;
	}
	if (f->nshas > 1)
		qsort(f->shas, f->nshas, sizeof *f->shas, finder_sha_cmp);
}

void
item_finder_free(struct item_finder *f)
{
	sql_finalize(f->st, f->bysha);
	sql_finalize(f->st, f->bypath);
	sql_finalize(f->st, f->byname);
	free(f->dir);
	free(f->names);
	free(f->names_buf);
	free(f->shas);
	memset(f, 0, sizeof *f);
}

static int
finder_name_cmp(const void *a, const void *b)
{
	const struct finder_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->item < y->item ? -1 : x->item > y->item;
}

/*
 * A lookup through s stopped with neither a row nor the end: the store's
 * failure, not the row's.  ITEM_FINDER_FAILED with *why (before the
 * caller resets s, which would clear the message).
 */
static int
finder_failed(struct sql_stmt *s, char **why)
{
	acc_error(why, "cannot read items: %s",
	    sql_errmsg(s->st));
	return ITEM_FINDER_FAILED;
}

/*
 * Every source path's base name with its item, sorted by name then item.
 * A query per row that compared the end of every path made a file of
 * 300,000 rows naming items by base name run for more than 11 minutes
 * against 200,000 items; this is one scan and a sort, then a binary
 * search per row.  0, or -1 with *why.
 */
static int
finder_read_names(struct item_finder *f, char **why)
{
	struct buf all = { 0 };
	size_t *off = NULL, cap = 0, i;
	int rc;

	f->names_read = 1;
	while ((rc = sql_step(f->byname)) == SQL_ROW) {
		const char *path = sql_text(f->byname, 1), *slash;

		if (sql_col_type(f->byname, 1) == SQL_COL_NULL)
			continue;
		slash = strrchr(path, '/');
		if (f->nnames == cap) {
			cap = cap ? cap * 2 : 1024;
			f->names = xreallocarray(f->names, cap,
			    sizeof *f->names);
			off = xreallocarray(off, cap, sizeof *off);
		}
		f->names[f->nnames].item = sql_col_int64(f->byname, 0);
		off[f->nnames++] = all.len;
		buf_add(&all, slash ? slash + 1 : path,
		    strlen(slash ? slash + 1 : path) + 1);
	}
	if (rc != SQL_DONE) {
		finder_failed(f->byname, why);
		free(off);
		buf_free(&all);
		f->nnames = 0;
		f->names_read = 0;	/* the next row tries again */
		return -1;
	}
	sql_reset(f->byname);
	f->names_buf = all.s;
	for (i = 0; i < f->nnames; i++)
		f->names[i].name = all.s + off[i];
	free(off);
	if (f->nnames > 1)
		qsort(f->names, f->nnames, sizeof *f->names, finder_name_cmp);
	return 0;
}

/* The first entry named `name` (or nnames), by binary search. */
static size_t
finder_name_first(const struct item_finder *f, const char *name)
{
	size_t lo = 0, hi = f->nnames;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(f->names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Find the item a row names; 0 and *item, or -1 with *why. */
int
item_finder_find(struct item_finder *f, const char *key,
    const struct record *r, long long *item, char **why)
{
	struct sql_stmt *bysha = f->bysha, *bypath = f->bypath;
	const char *sha = record_get(r, "sha256"), *file = record_get(r, key);
	const char *dir = f->dir;
	char *real;
	int rc;

	if (sha == NULL && file != NULL && is_sha256(file))
		sha = file;
	if (sha != NULL) {
		if (!is_sha256(sha))
			return acc_error(why, "sha256 '%s' is not 64 lowercase hex "
			    "digits", sha);
		if (f->nshas > 0) {
			struct finder_sha want, *got;

			memcpy(want.sha, sha, 65);
			got = bsearch(&want, f->shas, f->nshas,
			    sizeof *f->shas, finder_sha_cmp);
			if (got != NULL) {
				*item = got->item;
				return 0;
			}
		}
		sql_bind_text(bysha, 1, sha);
		rc = sql_step(bysha);
		if (rc == SQL_ROW)
			*item = sql_col_int64(bysha, 0);
		else if (rc == SQL_DONE)
			acc_error(why, "no item with sha256 %s", sha);
		else
			finder_failed(bysha, why);
		sql_reset(bysha);
		return rc == SQL_ROW ? 0 : rc == SQL_DONE ?
		    ITEM_FINDER_BAD : ITEM_FINDER_FAILED;
	}
	if (file == NULL)
		return acc_error(why, "no %s or sha256 given", key);
	if ((real = acc_resolve_path(dir, file, NULL)) != NULL) {
		sql_bind_text(bypath, 1, real);
		rc = sql_step(bypath);
		if (rc == SQL_ROW)
			*item = sql_col_int64(bypath, 0);
		else if (rc != SQL_DONE)
			finder_failed(bypath, why);
		sql_reset(bypath);
		free(real);
		if (rc == SQL_ROW)
			return 0;
		if (rc != SQL_DONE)
			return ITEM_FINDER_FAILED;
	}
	if (strchr(file, '/') == NULL) {
		long long found = 0;
		int count = 0;
		size_t k;

		if (!f->names_read && finder_read_names(f, why) != 0)
			return ITEM_FINDER_FAILED;
		for (k = finder_name_first(f, file); k < f->nnames &&
		    strcmp(f->names[k].name, file) == 0; k++) {
			if (count == 0 || f->names[k].item != found)
				count++;
			found = f->names[k].item;
		}
		if (count == 1) {
			*item = found;
			return 0;
		}
		if (count > 1)
			return acc_error(why, "'%s' names %d items; give a path "
			    "or the sha256", file, count);
	}
	return acc_error(why, "no imported item at '%s'", file);
}

/* "unknown class" with the closest class and the classes there are. */
static int
unknown_class(const struct project *p, const char *cls, char **why)
{
	char *tail = suggest_class(p, cls);

	acc_error(why, "unknown class '%s' (%s)", cls, tail);
	free(tail);
	return ITEM_FINDER_BAD;
}

/*
 * Refuses a row under the name of a current member unless --as-member: an
 * admin's import would otherwise supersede the member's own label, and
 * only the provenance column would tell.  0, or ITEM_FINDER_BAD with
 * *why.
 */
static int
check_member(struct resolver *rv, const char *labeler, char **why)
{
	struct member want = { 0 }, *m;

	want.user = (char *)labeler;
	m = rv->nmember > 0 ? bsearch(&want, rv->member, (size_t)rv->nmember,
	    sizeof *rv->member, member_cmp) : NULL;
	if (m == NULL)
		return 0;
	if (!rv->as_member)
		return acc_error(why, "labeler %s is a member of this project "
		    "(%s): an imported label would supersede their own; give "
		    "--as-member to import under their name", labeler,
		    role_name(m->role));
	rv->members++;
	return 0;
}

/* The item a row names: by file or sha256, else (another tool's row) by
 * the media's base name. */
static int
find_item(struct resolver *rv, const struct record *r, long long *item,
    char **why)
{
	int found = item_finder_find(rv->finder, "file", r, item, why);

	if (found == ITEM_FINDER_BAD && rv->foreign &&
	    record_get(r, "name") != NULL && record_get(r, "file") != NULL &&
	    strcmp(record_get(r, "name"), record_get(r, "file")) != 0) {
		char *again = NULL;

		if ((found = item_finder_find(rv->finder, "name", r, item,
		    &again)) != ITEM_FINDER_BAD) {
			free(*why);
			*why = again;
			return found;
		}
		free(again);
	}
	return found;
}

static int
resolve_row(struct resolver *rv, const struct record *r,
    struct resolved *out, char **why)
{
	const struct project *p = rv->p;
	const char *cls = record_get(r, "class"), *g = record_get(r, "guideline");
	const char *secs = record_get(r, "seconds");
	const struct class_def *c;
	long long v;
	int i, found;

	memset(out, 0, sizeof *out);
	out->seconds = -1;
	for (i = 0; i < r->n && !rv->foreign; i++) {
		static const char *const known[] = { "file", "sha256", "labeler",
		    "class", "seconds", "note", "guideline", "time", NULL };
		int k, ok = 0;

		for (k = 0; known[k] != NULL; k++)
			if (strcmp(r->keys[i], known[k]) == 0)
				ok = 1;
		if (!ok)
			return acc_error(why, "unknown column '%s' (known: file, "
			    "sha256, labeler, class, seconds, note, guideline, "
			    "time)", r->keys[i]);
	}
	if ((found = find_item(rv, r, &out->item, why)) != 0)
		return found;
	out->labeler = record_get(r, "labeler");
	if (out->labeler == NULL || *out->labeler == '\0')
		return acc_error(why, "no labeler");
	if (cls == NULL)
		return acc_error(why, "no class");
	if ((c = project_class(p, cls)) == NULL)
		return unknown_class(p, cls, why);
	if ((found = check_member(rv, out->labeler, why)) != 0)
		return found;
	out->gold = record_get(r, "gold") != NULL;
	out->class_id = c->id;
	out->guideline = p->guideline;
	if (g != NULL) {
		if (acc_parse_int(g, 1, p->guideline, &v) != 0)
			return acc_error(why, "guideline '%s' is not a version "
			    "of this project (1..%d)", g, p->guideline);
		out->guideline = (int)v;
	}
	if (secs != NULL && (acc_parse_double(secs, &out->seconds) != 0 ||
	    out->seconds < 0))
		return acc_error(why, "seconds '%s' is not a time in seconds",
		    secs);
	out->note = record_get(r, "note");
	out->time = record_get(r, "time");
	if (out->time != NULL && (strlen(out->time) < 10 ||
	    !isdigit((unsigned char)out->time[0])))
		return acc_error(why, "time '%s' is not an ISO 8601 time",
		    out->time);
	return 0;
}

static int
rescmp(const void *a, const void *b)
{
	const struct resolved *x = a, *y = b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return strcmp(x->labeler, y->labeler);
}

/*
 * Resolves every row to an item, class and labeler; a row that does not
 * resolve is reported through on_error and counted in *nbad.  Returns -1
 * (with *cause) only when the store cannot be searched.
 */
static int
resolve_rows(struct resolver *rv, const char *file,
    const struct label_input *rows, int n, struct resolved *res,
    void (*on_error)(void *, const char *, const char *), void *arg,
    int *nbad, char **cause)
{
	const struct record **recs = xcalloc((size_t)n + 1, sizeof *recs);
	int i;

	for (i = 0; i < n; i++)
		recs[i] = &rows[i].r;
	item_finder_prefetch(rv->finder, "file", recs, n);
	free(recs);
	for (i = 0; i < n; i++) {
		char *why = NULL;
		int k = resolve_row(rv, &rows[i].r, &res[i], &why);

		if (k == ITEM_FINDER_FAILED) {
			*cause = why;
			return -1;
		}
		if (k != 0) {
			char *where = rows[i].where != NULL ?
			    xstrdup(rows[i].where) :
			    xasprintf("%s:%d", file, rows[i].line);

			on_error(arg, where, why);
			free(where);
			free(why);
			(*nbad)++;
		}
	}
	return 0;
}

/*
 * The same labeler twice on one item in one file is ambiguous: reports the
 * first such pair through on_error and returns 1, or returns 0.
 */
static int
report_twice(const char *file, const struct resolved *res, int n,
    void (*on_error)(void *, const char *, const char *), void *arg)
{
	struct resolved *sorted = xcalloc((size_t)n, sizeof *sorted);
	int i, bad = 0;

	memcpy(sorted, res, (size_t)n * sizeof *res);
	qsort(sorted, (size_t)n, sizeof *sorted, rescmp);
	for (i = 1; i < n; i++)
		if (rescmp(&sorted[i - 1], &sorted[i]) == 0) {
			char *msg = xasprintf("labeler %s labels item %lld "
			    "more than once", sorted[i].labeler,
			    sorted[i].item);

			on_error(arg, file, msg);
			free(msg);
			bad = 1;
			break;
		}
	free(sorted);
	return bad;
}

static int
goldcmp(const void *a, const void *b)
{
	const struct resolved *x = *(const struct resolved *const *)a;
	const struct resolved *y = *(const struct resolved *const *)b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return (x->class_id > y->class_id) - (x->class_id < y->class_id);
}

/*
 * The rows marked ground truth, one per item, into *gold (sorted by item);
 * two ground truths of one item that disagree are reported and make it
 * return -1.
 */
static int
gold_rows(const char *file, const struct resolved *res, int n,
    const struct resolved ***gold, int *ngold,
    void (*on_error)(void *, const char *, const char *), void *arg)
{
	const struct resolved **g = xcalloc((size_t)n + 1, sizeof *g);
	int i, k = 0, m = 0;

	for (i = 0; i < n; i++)
		if (res[i].gold)
			g[k++] = &res[i];
	qsort(g, (size_t)k, sizeof *g, goldcmp);
	for (i = 0; i < k; i++) {
		if (m > 0 && g[m - 1]->item == g[i]->item) {
			if (g[m - 1]->class_id != g[i]->class_id) {
				char *msg = xasprintf("item %lld has two "
				    "ground truths that disagree",
				    g[i]->item);

				on_error(arg, file, msg);
				free(msg);
				free(g);
				return -1;
			}
			continue;
		}
		g[m++] = g[i];
	}
	*gold = g;
	*ngold = m;
	return 0;
}

/* Records the import (file, hash, rows) and returns its id, or -1. */
static long long
record_import(struct store *st, const char *real, const char *sha, int n,
    const char *user, const char *now, char **cause)
{
	struct sql_stmt *s;
	long long id = -1;

	if (sql_prepare(st, "INSERT INTO label_imports (file, sha256, rows, "
	    "imported_by, imported_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
	    &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, real);
	sql_bind_text(s, 2, sha);
	sql_bind_int(s, 3, n);
	sql_bind_text(s, 4, user);
	sql_bind_text(s, 5, now);
	if (sql_insert_id(st, s, &id, cause) != 1)
		id = -1;
	sql_finalize(st, s);
	return id;
}

/*
 * Writes the n resolved rows, the import record and the audit line in one
 * transaction.  Returns 0, or -1 with *cause and nothing written.
 */
struct import_write {
	const char *user, *real, *sha;
	enum labels_format format;
	const struct resolved *res;
	int n;
	const struct resolved **gold;	/* made gold: one a item */
	int ngold;
	int members;			/* rows under members' names */
};

/* The gold rows of the ground truths (as `accord gold add` writes them). */
static int
write_gold(struct store *st, const struct import_write *iw, const char *now,
    char **cause)
{
	int i;

	for (i = 0; i < iw->ngold; i++) {
		const struct sql_arg a[] = { SQL_INT(iw->gold[i]->item),
		    SQL_INT(iw->gold[i]->class_id), SQL_TEXT(iw->user),
		    SQL_TEXT(now) };

		if (SQL_WRITE(st, "INSERT INTO gold (item, class, \"user\", "
		    "created_at) VALUES (?, ?, ?, ?)", a, cause) != 0)
			return -1;
	}
	return 0;
}

static int
write_rows(struct store *st, const struct import_write *iw, char **cause)
{
	struct label_writer w = { 0 };
	struct label_new chunk[LABEL_WRITE_MANY];
	const char *user = iw->user, *real = iw->real, *sha = iw->sha;
	const struct resolved *res = iw->res;
	struct buf b = { 0 };
	char now[32];
	long long import_id;
	int i, r, k = 0, n = iw->n;

	acc_now_iso(now);
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if ((import_id = record_import(st, real, sha, n, user, now,
	    cause)) < 0)
		goto rollback;
	if (label_writer_open(st, &w, cause) != 0)
		goto rollback;
	/* A file names each (item, labeler) pair once (report_twice), so
	 * the rows go in LABEL_WRITE_MANY to a statement. */
	for (i = 0; i < n; i++) {
		chunk[k++] = (struct label_new){ res[i].item, res[i].labeler,
		    res[i].class_id, res[i].note, res[i].guideline,
		    res[i].seconds, res[i].time ? res[i].time : now, import_id,
		    user, NULL };
		if (k == LABEL_WRITE_MANY || i == n - 1) {
			if (label_write_many(&w, chunk, k, cause) != 0)
				goto rollback;
			k = 0;
		}
	}
	if (write_gold(st, iw, now, cause) != 0)
		goto rollback;
	/* The audit line says what the provenance column cannot: the
	 * format, gold made, and rows put under members' names. */
	buf_printf(&b, "%d labels from %s (sha256 %s, format %s)", n, real,
	    sha, labels_format_name(iw->format));
	if (iw->ngold > 0)
		buf_printf(&b, "; %d item%s made gold", iw->ngold,
		    iw->ngold == 1 ? "" : "s");
	if (iw->members > 0)
		buf_printf(&b, "; --as-member: %d row%s under members' names",
		    iw->members, iw->members == 1 ? "" : "s");
	r = store_audit(st, user, "labels import", b.s, cause);
	buf_free(&b);
	if (r != 0 || store_commit(st, cause) != 0)
		goto rollback;
	label_writer_close(&w);
	return 0;
rollback:
	label_writer_close(&w);
	store_rollback(st);
	return -1;
}

/* The users map of --map-users: a CSV of user,labeler. */
static int
read_user_map(const char *file, struct record *map, char **cause)
{
	unsigned char *data;
	struct csv c;
	size_t len;
	int i;

	if (acc_read_file(file, LABELS_MAX_BYTES, &data, &len, cause) != 0)
		return -1;
	i = csv_parse((const char *)data, len, &c, cause);
	free(data);
	if (i != 0)
		return -1;
	if (c.nrows < 1 || c.rows[0].nfields != 2 || csv_column(&c, "user") != 0
	    || csv_column(&c, "labeler") != 1) {
		csv_free(&c);
		return acc_error(cause, "--map-users wants a CSV with the header "
		    "user,labeler");
	}
	for (i = 1; i < c.nrows; i++) {
		if (c.rows[i].fields[1][0] == '\0') {
			acc_error(cause, "line %d: no labeler for user '%s'",
			    c.rows[i].line, c.rows[i].fields[0]);
			csv_free(&c);
			return -1;
		}
		interop_put(map, c.rows[i].fields[0], c.rows[i].fields[1]);
	}
	csv_free(&c);
	return 0;
}

int
labels_read_tool(const char *name, const unsigned char *data, size_t len,
    enum labels_format f, const struct project *p,
    const struct labels_import_opts *o, const struct record *users,
    struct label_input **rows, int *n,
    void (*on_error)(void *, const char *, const char *), void *arg,
    int *nbad, int *skipped, char **cause)
{
	struct interop x = { 0 };
	int r;

	*rows = NULL;
	*n = *skipped = 0;
	x.file = name;
	x.p = p;
	x.o = o;
	if (users != NULL)
		x.users = *users;
	x.on_error = on_error;
	x.arg = arg;
	x.nbad = nbad;
	if (memchr(data, '\0', len) != NULL)
		r = acc_error(cause, "NUL byte in file");
	else if (f == LABELS_LABEL_STUDIO)
		r = labels_read_label_studio(&x, data, len, cause);
	else if (f == LABELS_CVAT)
		r = labels_read_cvat(&x, data, len, cause);
	else if (f == LABELS_PRODIGY || f == LABELS_DOCCANO) {
		labels_read_lines(&x, data, len, f);
		r = 0;
	} else
		r = acc_error(cause, "not another tool's format");
	if (r != 0) {
		char *why = *cause;

		*cause = xasprintf("%s export: %s", labels_format_name(f), why);
		free(why);
		labels_rows_free(x.rows, x.n);
		return -1;
	}
	*rows = x.rows;
	*n = x.n;
	*skipped = x.skipped;
	return 0;
}

/*
 * The rows of data in format f: accord's own parse, or another tool's
 * reader.  0, or -1 with *cause (a file that is not of the format).
 */
static int
read_rows(const char *file, const unsigned char *data, size_t len,
    const struct project *p, const struct labels_import_opts *o,
    enum labels_format f, struct label_input **rows, int *n,
    void (*on_error)(void *, const char *, const char *), void *arg,
    int *nbad, int *skipped, char **cause)
{
	struct record users = { 0 };
	int r;

	if (f == LABELS_ACCORD) {
		if (o->map_users != NULL || o->labeler != NULL)
			return acc_error(cause, "--map-users and --labeler are "
			    "for other tools' files; accord's own name the "
			    "labeler in each row");
		return labels_parse(file, data, len, labels_is_json(file),
		    rows, n, on_error, arg, nbad, cause);
	}
	if (o->map_users != NULL && read_user_map(o->map_users, &users,
	    cause) != 0) {
		char *why = *cause;

		*cause = xasprintf("%s: %s", o->map_users, why);
		free(why);
		record_free(&users);
		return -1;
	}
	r = labels_read_tool(file, data, len, f, p, o, &users, rows, n,
	    on_error, arg, nbad, skipped, cause);
	record_free(&users);
	return r;
}

int
labels_import_from(struct store *st, const char *file, const char *user,
    const struct labels_import_opts *o,
    void (*on_error)(void *, const char *, const char *), void *arg,
    int *nbad_out, struct labels_import_result *out, char **cause)
{
	struct project p;
	struct label_input *rows = NULL;
	struct resolved *res = NULL;
	const struct resolved **gold = NULL;
	struct item_finder finder = { 0 };
	struct resolver rv = { 0 };
	struct import_write iw = { 0 };
	char *real = NULL, sha[65];
	unsigned char *data = NULL;
	size_t len;
	int n = 0, nbad = 0, ngold = 0, skipped = 0, rc = -1;

	memset(out, 0, sizeof *out);
	if (nbad_out != NULL)
		*nbad_out = 0;
	if (project_require(st, user, ROLE_ADMIN, "importing labels",
	    cause) != 0)
		return -1;
	if (project_load(st, &p, cause) != 0)
		return -1;
	if (acc_read_file(file, LABELS_MAX_BYTES, &data, &len, cause) != 0)
		goto out;
	acc_sha256_hex(data, len, sha);
	out->format = o->format != LABELS_DETECT ? o->format :
	    labels_sniff(data, len);
	if (read_rows(file, data, len, &p, o, out->format, &rows, &n,
	    on_error, arg, &nbad, &skipped, cause) != 0)
		goto out;
	if ((real = realpath(file, NULL)) == NULL) {
		acc_error(cause, "cannot resolve path");
		goto out;
	}
	if (item_finder_init(st, file, &finder, cause) != 0)
		goto out;
	if (member_list(st, user, &rv.member, &rv.nmember, cause) != 0)
		goto out;
	if (rv.nmember > 1)
		qsort(rv.member, (size_t)rv.nmember, sizeof *rv.member,
		    member_cmp);
	rv.p = &p;
	rv.finder = &finder;
	rv.foreign = out->format != LABELS_ACCORD;
	rv.as_member = o->as_member;
	res = xcalloc((size_t)n + 1, sizeof *res);
	if (resolve_rows(&rv, file, rows, n, res, on_error, arg, &nbad,
	    cause) != 0)
		goto out;
	if (nbad == 0 && n > 0) {
		nbad += report_twice(file, res, n, on_error, arg);
		if (nbad == 0 && gold_rows(file, res, n, &gold, &ngold,
		    on_error, arg) != 0)
			nbad++;
	}
	iw = (struct import_write){ user, real, sha, out->format, res, n,
	    gold, ngold, rv.members };
	if (nbad > 0)
		acc_error(cause, "%d bad row%s; nothing imported", nbad,
		    nbad == 1 ? "" : "s");
	else if (n == 0 && skipped > 0)
		acc_error(cause, "no label rows (%d annotations carry no "
		    "label)", skipped);
	else if (n == 0)
		acc_error(cause, "no label rows");
	else if (write_rows(st, &iw, cause) == 0) {
		rc = 0;
		out->imported = n;
		out->skipped = skipped;
		out->gold = ngold;
		out->members = rv.members;
	}
out:
	if (nbad_out != NULL)
		*nbad_out = nbad;
	item_finder_free(&finder);
	labels_rows_free(rows, n);
	member_list_free(rv.member, rv.nmember);
	free(gold);
	free(res);
	free(real);
	free(data);
	project_free(&p);
	return rc;
}

int
labels_import(struct store *st, const char *file, const char *user,
    void (*on_error)(void *, const char *, const char *), void *arg,
    int *nbad, char **cause)
{
	/* The API before --as-member: members' names allowed (the command
	 * asks for them with labels_import_from). */
	const struct labels_import_opts o = { LABELS_ACCORD, NULL, NULL, 1 };
	struct labels_import_result res;

	if (labels_import_from(st, file, user, &o, on_error, arg, nbad, &res,
	    cause) != 0)
		return -1;
	return res.imported;
}

/*
 * The label rows in force, as a bit per label id: each (item, labeler)
 * pair's newest row, from one pass over the labels_item index in order.
 * `labels dump` asked SQLite for that newest row once per label row (a
 * seek in the same index each time): 1.5 s of its 7.5 s at 1M items x 3.
 * 0 with *bits (its size in *nbits), or -1 with *cause.
 */
static int
newest_bits(struct store *st, unsigned char **bits, long long *nbits,
    char **cause)
{
	struct sql_stmt *s;
	long long max = 0, id;
	int rc;

	*bits = NULL;
	if (sql_int(st, "SELECT coalesce(max(id), 0) FROM labels", NULL, &max,
	    cause) != 1)
		return -1;
	*nbits = max + 1;
	*bits = xcalloc((size_t)(max / 8 + 1), 1);
	if (sql_prepare(st, "SELECT max(id) FROM labels WHERE id <= ?1 "
	    "GROUP BY item, labeler", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, max);
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		id = sql_col_int64(s, 0);
		if (id >= 0 && id <= max)
			(*bits)[id / 8] |= (unsigned char)(1u << (id % 8));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

/*
 * The provenance text of a row.  Rows share a few (one per label import
 * and recorder, in runs), so the last one is kept while its inputs are
 * the same instead of being formatted for every row.
 */
struct provenance {
	int import;
	char *file, *by, *text;
};

static void
provenance_free(struct provenance *p)
{
	free(p->file);
	free(p->by);
	free(p->text);
	memset(p, 0, sizeof *p);
}

static const char *
provenance_of(struct provenance *p, const char *origin, const char *file,
    const char *by)
{
	int import = strcmp(origin, "import") == 0;

	if (p->text != NULL && p->import == import && strcmp(p->by, by) == 0 &&
	    (!import || strcmp(p->file, file) == 0))
		return p->text;
	provenance_free(p);
	p->import = import;
	p->file = xstrdup(file);
	p->by = xstrdup(by);
	p->text = import ? xasprintf("imported from %s by %s", file, by) :
	    xasprintf("label screen, by %s", by);
	return p->text;
}

int
labels_each(struct store *st, const char *user,
    int (*fn)(void *, const struct label_row *), void *arg, char **cause)
{
	struct provenance prov = { 0 };
	unsigned char *newest = NULL;
	long long nbits = 0;
	struct sql_stmt *s = NULL;
	int rc, r = 0;

	if (project_require(st, user, ROLE_SME, "reading every label", cause)
	    != 0)
		return -1;
	/*
	 * One snapshot for the newest rows and the rows: SQLite's read
	 * transaction; on PostgreSQL (READ COMMITTED: a snapshot a
	 * statement) the rows up to the largest id newest_bits saw, which
	 * are the same in every later statement (ids rise in commit order,
	 * core/schema_pg.c), so a label committed during the dump is not
	 * half in it.
	 */
	if (store_begin(st, 0, cause) != 0)
		return -1;
	if (newest_bits(st, &newest, &nbits, cause) != 0 ||
	    sql_prepare(st, "SELECT l.id, l.item, i.path, i.sha256, l.labeler, "
	    "c.name, l.note, l.guideline, l.seconds_spent, l.created_at, "
	    "l.supersedes, l.origin, li.file, l.recorded_by, l.view "
	    "FROM labels l JOIN items i ON i.id = l.item "
	    "LEFT JOIN classes c ON c.id = l.class "
	    "LEFT JOIN label_imports li ON li.id = l.label_import "
	    "WHERE l.id < ?1 ORDER BY l.id", &s, cause) != 0) {
		r = -1;
		goto out;
	}
	sql_bind_int(s, 1, nbits);
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		struct label_row lr;

		lr.id = sql_col_int64(s, 0);
		lr.item = sql_col_int64(s, 1);
		lr.path = sql_text(s, 2);
		lr.sha256 = sql_text(s, 3);
		lr.labeler = sql_text(s, 4);
		lr.class_name = sql_col_type(s, 5) == SQL_COL_NULL ? NULL :
		    sql_text(s, 5);
		lr.note = sql_text(s, 6);
		lr.guideline = sql_col_int(s, 7);
		lr.seconds = sql_col_type(s, 8) == SQL_COL_NULL ? -1 :
		    sql_col_double(s, 8);
		lr.created_at = sql_text(s, 9);
		lr.supersedes = sql_col_int64(s, 10);
		lr.current = lr.id >= 0 && lr.id < nbits &&
		    (newest[lr.id / 8] >> (lr.id % 8) & 1);
		lr.provenance = provenance_of(&prov, sql_text(s, 11),
		    sql_text(s, 12), sql_text(s, 13));
		lr.view = sql_col_type(s, 14) == SQL_COL_NULL ? NULL :
		    sql_text(s, 14);
		if ((r = fn(arg, &lr)) != 0)
			break;
	}
	if (r == 0 && rc != SQL_DONE && rc != SQL_ROW)
		r = sql_fail(st, cause, "cannot read labels");
out:
	sql_finalize(st, s);
	store_rollback(st);
	provenance_free(&prov);
	free(newest);
	return r;
}
