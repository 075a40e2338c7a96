/*
 * errors_import.c: importing a file of model predictions as a named run
 * (errors_import in include/accord/errors.h).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/suggest.h"
#include "accord/errors.h"
#include "accord/project.h"
#include "sqlutil.h"

struct pred {
	int line;
	long long item;
	int class_id;
	int has_score;
	double score;
};

static int
cmp_pred(const void *a, const void *b)
{
	const struct pred *x = a, *y = b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return x->line - y->line;
}

/* Where the bad rows of one file are told and counted. */
struct pred_sink {
	const char *file;
	void (*on_error)(void *, const char *, const char *);
	void *arg;
	int *bad;
};

static void
bad_row(const struct pred_sink *k, int line, const char *msg)
{
	char *where = xasprintf("%s:%d", k->file, line);

	k->on_error(k->arg, where, msg);
	free(where);
	(*k->bad)++;
}

/* The run name from a file name: its base name without the extension. */
static char *
run_name_of(const char *file)
{
	char *tmp = xstrdup(file), *base, *dot, *name;

	base = basename(tmp);
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base)
		*dot = '\0';
	name = xstrdup(base);
	free(tmp);
	return name;
}

static int
check_run_name(const char *name, char **cause)
{
	const unsigned char *s;

	if (*name == '\0' || strlen(name) > ERRORS_MAX_NAME)
		return acc_error(cause, "a run name must be 1-%d bytes",
		    ERRORS_MAX_NAME);
	for (s = (const unsigned char *)name; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return acc_error(cause, "a run name must not hold "
			    "control characters");
	return 0;
}

/*
 * The run of that name: 1 and *id, *sha (caller frees), 0 if none, or -1.
 */
static int
run_find(struct store *st, const char *name, long long *id, char **sha,
    char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT id, sha256 FROM prediction_runs WHERE "
	    "name = ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, name);
	rc = sql_step(s);
	if (rc == SQL_ROW) {
		*id = sql_col_int64(s, 0);
		if (sha != NULL)
			*sha = xstrdup(sql_text(s, 1));
	}
	sql_finalize(st, s);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read prediction runs");
	return rc == SQL_ROW;
}

/*
 * Resolve one row into *pr; 0, or ITEM_FINDER_BAD (the row's problem) or
 * ITEM_FINDER_FAILED (the store's) with *why.
 */
static int
pred_resolve(const struct project *p, struct item_finder *finder,
    const struct record *r, struct pred *pr, char **why)
{
	const char *cls = record_get(r, "class"), *score;
	const char *key = record_get(r, "path") != NULL ? "path" : "file";
	const struct class_def *c;
	int rc;

	if (cls == NULL)
		cls = record_get(r, "prediction");

	if ((rc = item_finder_find(finder, key, r, &pr->item, why)) != 0)
		return rc;
	if (cls == NULL)
		return acc_error(why, "no class (column class or prediction)");
	if ((c = project_class(p, cls)) == NULL) {
		char *tail = suggest_class(p, cls);

		acc_error(why, "unknown class '%s' (%s)", cls, tail);
		free(tail);
		return -1;
	}
	pr->class_id = c->id;
	score = record_get(r, "score");
	pr->has_score = score != NULL;
	if (score != NULL && acc_parse_double(score, &pr->score) != 0)
		return acc_error(why, "score '%s' is not a number", score);
	return 0;
}

static int
count_run_rows(struct store *st, long long run, int *n, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT count(*) FROM predictions WHERE run = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, run);
	rc = sql_step(s);
	if (rc == SQL_ROW)
		*n = sql_col_int(s, 0);
	sql_finalize(st, s);
	return rc == SQL_ROW ? 0 : sql_fail(st, cause,
	    "cannot count predictions");
}

static int
store_run(struct store *st, const char *name, const char *real,
    const char *sha, const char *user, const struct pred *pr, int n,
    char **cause)
{
	struct sql_stmt *run = NULL, *ins = NULL;
	char now[32], *detail;
	long long id;
	int i, rc = -1;

	acc_now_iso(now);
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (sql_prepare(st, "INSERT INTO prediction_runs (name, file, sha256, "
	    "imported_by, imported_at) VALUES (?, ?, ?, ?, ?) RETURNING id", &run,
	    cause) != 0)
		goto out;
	sql_bind_text(run, 1, name);
	sql_bind_text(run, 2, real);
	sql_bind_text(run, 3, sha);
	sql_bind_text(run, 4, user);
	sql_bind_text(run, 5, now);
	if (sql_insert_id(st, run, &id, cause) != 1)
		goto out;
	if (sql_prepare(st, "INSERT INTO predictions (run, item, class, score) "
	    "VALUES (?, ?, ?, ?)", &ins, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sql_bind_int(ins, 1, id);
		sql_bind_int(ins, 2, pr[i].item);
		sql_bind_int(ins, 3, pr[i].class_id);
		if (pr[i].has_score)
			sql_bind_double(ins, 4, pr[i].score);
		else
			sql_bind_null(ins, 4);
		if (sql_step_done(st, ins, cause) != 0)
			goto out;
	}
	detail = xasprintf("run %s: %d predictions from %s (sha256 %s)", name,
	    n, real, sha);
	rc = store_audit(st, user, "predictions import", detail, cause);
	free(detail);
	if (rc == 0)
		rc = store_commit(st, cause);
out:
	sql_finalize(st, run);
	sql_finalize(st, ins);
	if (rc != 0)
		store_rollback(st);
	return rc;
}

/*
 * The run already named out->run: 1 (out->reused, out->rows set) when it
 * was imported from a file with this content, 0 when there is no such
 * run, -1 when it holds other content or the store fails.
 */
static int
run_reuse(struct store *st, const char *sha, struct errors_import_result *out,
    char **cause)
{
	char *old_sha = NULL;
	long long run_id = 0;
	int found;

	if ((found = run_find(st, out->run, &run_id, &old_sha, cause)) <= 0)
		return found;
	if (strcmp(old_sha, sha) != 0) {
		acc_error(cause, "run '%s' exists with other content "
		    "(sha256 %.12s..., this file %.12s...): give "
		    "another --run name", out->run, old_sha, sha);
		free(old_sha);
		return -1;
	}
	free(old_sha);
	out->reused = 1;
	if (count_run_rows(st, run_id, &out->rows, cause) != 0)
		return -1;
	return 1;
}

/*
 * Resolve rows into pr, telling each bad row: the number of good rows, or
 * -1 with *cause when the store fails (then nothing is to be stored).
 */
static int
pred_resolve_all(const struct project *p, struct item_finder *finder,
    const struct label_input *rows, int n, const struct pred_sink *k,
    struct pred *pr, char **cause)
{
	const struct record **recs = xcalloc((size_t)n + 1, sizeof *recs);
	int i, good = 0;

	for (i = 0; i < n; i++)
		recs[i] = &rows[i].r;
	item_finder_prefetch(finder, NULL, recs, n);
	free(recs);
	for (i = 0; i < n; i++) {
		char *why = NULL;
		int bad;

		pr[good].line = rows[i].line;
		bad = pred_resolve(p, finder, &rows[i].r, &pr[good], &why);
		if (bad == ITEM_FINDER_FAILED) {
			/* The store, not the row: stop, store nothing. */
			if (cause != NULL)
				*cause = why;
			else
				free(why);
			return -1;
		}
		if (bad != 0) {
			bad_row(k, rows[i].line, why);
			free(why);
			continue;
		}
		good++;
	}
	return good;
}

/*
 * An item named twice: the first row stands, later ones are bad.  Sorts
 * pr by item; returns how many rows remain.
 */
static int
pred_drop_repeats(struct pred *pr, int n, const struct pred_sink *k)
{
	int i, j;

	qsort(pr, (size_t)n, sizeof *pr, cmp_pred);
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && pr[j - 1].item == pr[i].item) {
			char *msg = xasprintf("item already predicted on line "
			    "%d", pr[j - 1].line);

			bad_row(k, pr[i].line, msg);
			free(msg);
			continue;
		}
		pr[j++] = pr[i];
	}
	return j;
}

int
errors_import(struct store *st, const char *file, const char *name,
    const char *user, void (*on_error)(void *, const char *, const char *),
    void *arg, struct errors_import_result *out, char **cause)
{
	struct pred_sink sink = { file, on_error, arg, &out->bad };
	struct project p;
	struct item_finder finder = { 0 };
	struct label_input *rows = NULL;
	struct pred *pr = NULL;
	unsigned char *data;
	size_t len;
	char sha[65], *real = NULL;
	int n = 0, good, found, rc = -1;

	memset(out, 0, sizeof *out);
	if (project_require(st, user, ROLE_SME, "importing predictions",
	    cause) != 0)
		return -1;
	out->run = name != NULL ? xstrdup(name) : run_name_of(file);
	if (check_run_name(out->run, cause) != 0)
		goto fail;
	if (acc_read_file(file, ERRORS_MAX_BYTES, &data, &len, cause) != 0)
		goto fail;
	acc_sha256_hex(data, len, sha);
	free(data);
	if ((found = run_reuse(st, sha, out, cause)) < 0)
		goto fail;
	if (found)
		return 0;
	if (project_load(st, &p, cause) != 0)
		goto fail;
	if (records_read(file, ERRORS_MAX_BYTES, &rows, &n, on_error, arg,
	    &out->bad, cause) != 0 ||
	    (real = realpath(file, NULL)) == NULL ||
	    item_finder_init(st, file, &finder, cause) != 0) {
		if (real == NULL && (cause == NULL || *cause == NULL))
			acc_error(cause, "cannot resolve path");
		goto done;
	}
	pr = xcalloc((size_t)n + 1, sizeof *pr);
	if ((good = pred_resolve_all(&p, &finder, rows, n, &sink, pr,
	    cause)) < 0)
		goto done;
	good = pred_drop_repeats(pr, good, &sink);
	if (good == 0) {
		acc_error(cause, "no usable prediction rows%s", out->bad ?
		    " (every row was bad)" : "");
		goto done;
	}
	if (store_run(st, out->run, real, sha, user, pr, good, cause) != 0)
		goto done;
	out->rows = good;
	rc = 0;
done:
	item_finder_free(&finder);
	labels_rows_free(rows, n);
	free(pr);
	free(real);
	project_free(&p);
	if (rc == 0)
		return 0;
fail:
	free(out->run);
	out->run = NULL;
	return -1;
}
