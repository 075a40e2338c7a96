/*
 * export.c: accord export: read one consistent state of the store, compute
 * the consensus, leave out what must not train a model, split, and write the
 * files and the manifest atomically (see include/accord/export.h).
 *
 * The writing half (temporary directory, hashing writer, media links and
 * copies, the rename) is in export_write.c; this file decides what to write.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/csv.h"
#include "accord/export.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "export_int.h"
#include "internal.h"

static const char *const format_names[] = {
	"csv", "jsonl", "imagefolder", "audiofolder", "label-studio", "hf",
};

const char *
export_format_name(enum export_format f)
{
	if ((unsigned)f >= sizeof format_names / sizeof format_names[0])
		return "?";
	return format_names[f];
}

int
export_format_from_name(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcmp(s, format_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
export_reason_name(enum export_reason r)
{
	static const char *const names[] = { "kept", "ambiguous", "unlabeled",
		"tie", "borderline", "low_confidence" };

	if ((unsigned)r >= EXPORT_NREASONS)
		return "?";
	return names[r];
}

/*
 * SHA-256 of a query's rows: each row's columns as text (NULL as the empty
 * string, integers in decimal), separated by a tab, ended by a newline.
 */
static int
hash_rows(struct store *st, const char *sql, char out[65], long long *nrows,
    char **cause)
{
	struct exp_hash h;
	struct sql_stmt *s;
	int rc, i, n;

	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	sql_stream(s);
	exp_hash_init(&h);
	n = sql_col_count(s);
	*nrows = 0;
	while ((rc = sql_step(s)) == SQL_ROW) {
		for (i = 0; i < n; i++) {
			const char *v = sql_text(s, i);

			exp_hash_add(&h, v, strlen(v));
			exp_hash_add(&h, i + 1 < n ? "\t" : "\n", 1);
		}
		(*nrows)++;
	}
	sql_finalize(st, s);
	exp_hash_end(&h, out);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read the store");
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every path and metadata text goes into one buffer, x->text, NUL after
 * each: at 1,000,000 items a malloc per string (three per item) cost
 * about 100 bytes each in headers and rounding.  The buffer moves as it
 * grows, so strings are named by their offset in it.
 */
size_t
exp_text_add(struct exp_snap *x, const char *s, size_t n)
{
	size_t at = x->text.len;

	buf_add(&x->text, s, n);
	buf_add(&x->text, "", 1);
	return at;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* s (n bytes) into out: 0, or -1 when it is not 64 lowercase hex digits
 * (which would not come back the same from the bytes). */
static int
sha_pack(const char *s, size_t n, unsigned char out[32])
{
	int k, hi, lo;

	if (n != 64)
		return -1;
	for (k = 0; k < 32; k++) {
		hi = hex_digit(s[2 * k]);
		lo = hex_digit(s[2 * k + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* An item's hash kept as text; items come in ascending order. */
static void
add_odd_sha(struct exp_snap *x, int i, const char *s, size_t n)
{
	/* Doubles at each power of two: amortised, without a capacity. */
	if ((x->nodd & (x->nodd - 1)) == 0)
		x->odd = xreallocarray(x->odd, x->nodd ? (size_t)x->nodd * 2 :
		    1, sizeof *x->odd);
	x->odd[x->nodd].item = i;
	x->odd[x->nodd].off = exp_text_add(x, s, n);
	x->nodd++;
}

const char *
exp_path(const struct exp_snap *x, int i)
{
	return x->path[i] == EXP_NO_TEXT ? "" : x->text.s + x->path[i];
}

static int
cmp_odd(const void *a, const void *b)
{
	int x = ((const struct exp_odd_sha *)a)->item;
	int y = ((const struct exp_odd_sha *)b)->item;

	return (x > y) - (x < y);
}

const char *
exp_sha(const struct exp_snap *x, int i, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct exp_odd_sha key = { .item = i };
	const struct exp_odd_sha *odd;
	int k;

	if (x->path[i] == EXP_NO_TEXT)	/* an item the read missed */
		return "";
	if (x->nodd > 0 && (odd = bsearch(&key, x->odd, (size_t)x->nodd,
	    sizeof *x->odd, cmp_odd)) != NULL)
		return x->text.s + odd->off;
	for (k = 0; k < 32; k++) {
		out[2 * k] = hex[x->sha[i][k] >> 4];
		out[2 * k + 1] = hex[x->sha[i][k] & 15];
	}
	out[64] = '\0';
	return out;
}

struct exp_mval
exp_meta(const struct exp_snap *x, int i, int k)
{
	size_t off = x->meta[(size_t)i * x->nkeys + k];
	struct exp_mval v = { NULL, SQL_COL_NULL };

	if (off != EXP_NO_TEXT) {
		v.type = (unsigned char)x->text.s[off];
		v.text = x->text.s + off + 1;
	}
	return v;
}

/* Each item's path and content hash. */
static int
read_item_rows(struct store *st, struct exp_snap *x, char **cause)
{
	struct ratings *r = &x->r;
	struct sql_stmt *s;
	int rc, i;

	x->sha = xcalloc((size_t)r->nitems + 1, sizeof *x->sha);
	x->path = xcalloc((size_t)r->nitems + 1, sizeof *x->path);
	for (i = 0; i < r->nitems; i++)
		x->path[i] = EXP_NO_TEXT;
	if (sql_prepare(st, "SELECT id, sha256, path FROM items ORDER BY id",
	    &s, cause) != 0)
		return -1;
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *sha = sql_text(s, 1);
		size_t n = (size_t)sql_col_bytes(s, 1);

		i = ratings_item_index(r, sql_col_int64(s, 0));
		if (i < 0 || x->path[i] != EXP_NO_TEXT)
			continue;
		x->path[i] = exp_text_add(x, sql_text(s, 2),
		    (size_t)sql_col_bytes(s, 2));
		if (sha_pack(sha, n, x->sha[i]) != 0)
			add_odd_sha(x, i, sha, n);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read items");
	return 0;
}

/* The newest adjudication of each item decides (as ratings.c). */
static int
read_adjudications(struct store *st, struct exp_snap *x, char **cause)
{
	struct ratings *r = &x->r;
	struct sql_stmt *s;
	int rc, i;

	x->ambiguous = xcalloc((size_t)r->nitems + 1, sizeof *x->ambiguous);
	x->adj_guideline = xcalloc((size_t)r->nitems + 1,
	    sizeof *x->adj_guideline);
	if (sql_prepare(st, "SELECT item, status, guideline FROM "
	    "adjudications ORDER BY item, id", &s, cause) != 0)
		return -1;
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		i = ratings_item_index(r, sql_col_int64(s, 0));
		if (i < 0)
			continue;
		x->ambiguous[i] = strcmp(sql_text(s, 1), "ambiguous") == 0;
		x->adj_guideline[i] = sql_col_int(s, 2);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read adjudications");
	return 0;
}

/* x->keys: every metadata key, sorted. */
static int
read_meta_keys(struct store *st, struct exp_snap *x, char **cause)
{
	struct sql_stmt *s;
	int rc;

	/*
	 * The keys one by one down the (key, value) index, each the least
	 * above the last: a DISTINCT read every row (0.14 s at 100k items
	 * on PostgreSQL, 0.05 s on SQLite; this, a few milliseconds).
	 */
	if (sql_prepare(st, "WITH RECURSIVE k(key) AS (SELECT min(key) FROM "
	    "item_meta UNION ALL SELECT (SELECT min(key) FROM item_meta WHERE "
	    "key > k.key) FROM k WHERE k.key IS NOT NULL) SELECT key FROM k "
	    "WHERE key IS NOT NULL", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		x->keys = xreallocarray(x->keys, (size_t)x->nkeys + 1,
		    sizeof *x->keys);
		x->keys[x->nkeys++] = xstrdup(sql_text(s, 0));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read metadata");
	return 0;
}

/*
 * Column col of s as the files write it: its SQLite type as one byte,
 * then its text, into x->text at *off (EXP_NO_TEXT for SQL NULL).  A newer
 * value replaces an older one, whose text stays unused in the buffer.
 */
static void
meta_set(struct exp_snap *x, size_t *off, struct sql_stmt *s, int col)
{
	int type = meta_type(s, col);
	char num[64], t = (char)type;

	*off = EXP_NO_TEXT;
	if (type == SQL_COL_NULL)
		return;
	*off = x->text.len;
	buf_add(&x->text, &t, 1);
	if (type == SQL_COL_INT)
		snprintf(num, sizeof num, "%lld", (long long)
		    sql_col_int64(s, col + 2));
	else if (type == SQL_COL_REAL)
		snprintf(num, sizeof num, "%.17g",
		    sql_col_double(s, col + 2));
	if (type == SQL_COL_INT || type == SQL_COL_REAL)
		exp_text_add(x, num, strlen(num));
	else
		exp_text_add(x, sql_text(s, col),
		    (size_t)sql_col_bytes(s, col));
}

/* x->meta: the newest value per (item, key); read_meta_keys first. */
static int
read_meta_values(struct store *st, struct exp_snap *x, char **cause)
{
	struct ratings *r = &x->r;
	size_t k, n = (size_t)r->nitems * x->nkeys;
	struct sql_stmt *s;
	char *q;
	int rc, i;

	x->meta = xcalloc(n + 1, sizeof *x->meta);
	for (k = 0; k < n; k++)
		x->meta[k] = EXP_NO_TEXT;
	q = xasprintf("SELECT m.item, m.key, %s FROM item_meta m ORDER BY "
	    "m.id", sql_meta_value(st));
	rc = sql_prepare(st, q, &s, cause);
	free(q);
	if (rc != 0)
		return -1;
	sql_stream(s);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *key = sql_text(s, 1);
		char **hit;

		i = ratings_item_index(r, sql_col_int64(s, 0));
		hit = bsearch(&key, x->keys, (size_t)x->nkeys, sizeof *x->keys,
		    cmp_str);
		if (i < 0 || hit == NULL)
			continue;
		k = (size_t)i * x->nkeys + (size_t)(hit - x->keys);
		meta_set(x, &x->meta[k], s, 2);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read metadata");
	return 0;
}

/* Besides the ratings matrix: the decisions and the checksums. */
static int
read_extra(struct store *st, struct exp_snap *x, char **cause)
{
	long long n;

	if (read_adjudications(st, x, cause) != 0 ||
	    hash_rows(st, EXPORT_LABELS_SQL, x->labels_sha, &x->label_rows,
	    cause) != 0 ||
	    hash_rows(st, EXPORT_ADJUDICATIONS_SQL, x->adj_sha, &n,
	    cause) != 0 ||
	    hash_rows(st, EXPORT_GOLD_SQL, x->gold_sha, &n, cause) != 0)
		return -1;
	return 0;
}

/*
 * Paths, hashes and metadata, the bulk of the text, are read only once
 * the consensus is known and the labels are dropped (plan_drop_labels),
 * so they never share the peak with the labels and Dawid-Skene's work;
 * still in the snapshot's transaction, so as of the same moment.
 */
static int
read_items_meta(struct store *st, const struct export_opts *o,
    struct exp_snap *x, char **cause)
{
	if (read_item_rows(st, x, cause) != 0 ||
	    read_meta_keys(st, x, cause) != 0 ||
	    read_meta_values(st, x, cause) != 0)
		return -1;
	if (o->format == EXPORT_LABEL_STUDIO && exp_read_ls(st, x, cause) != 0)
		return -1;
	return 0;
}

void
exp_snap_free(struct exp_snap *x)
{
	int i;

	buf_free(&x->text);
	for (i = 0; i < x->nkeys; i++)
		free(x->keys[i]);
	free(x->sha);
	free(x->odd);
	free(x->path);
	free(x->ambiguous);
	free(x->adj_guideline);
	free(x->meta);
	free(x->keys);
	free(x->ls);
	ratings_free(&x->r);
	memset(x, 0, sizeof *x);
}

/*
 * Everything the export reads comes from one read transaction, begun
 * here and ended by snap_end once the items and metadata are read: one
 * snapshot of the store, however many labelers write meanwhile, and no
 * retry that could give up.  SQLite: a deferred BEGIN, whose snapshot is
 * fixed by its first read; in WAL mode (store_configure) writers go on
 * committing and the reader sees none of it.  PostgreSQL: REPEATABLE READ
 * READ ONLY, where every statement sees the snapshot of the first.
 * ratings_build reads in the transaction it finds open.
 */
static int
snap_begin(struct store *st, char **cause)
{
	if (store_begin(st, 0, cause) != 0)
		return -1;
	if (st->kind == STORE_PG && sql_exec(st, "SET TRANSACTION ISOLATION "
	    "LEVEL REPEATABLE READ, READ ONLY", cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/*
 * Between the two reads the transaction waits while the consensus is
 * computed (Dawid-Skene: seconds at a million items).  PostgreSQL ends a
 * session idle in a transaction for longer than the connection's limit
 * (5 s, store_pg.c), meant for writers; a reader's limit, as a stream's,
 * is 10 minutes.
 */
static int
snap_wait(struct store *st, char **cause)
{
	if (st->kind != STORE_PG)
		return 0;
	return sql_exec(st, "SET LOCAL idle_in_transaction_session_timeout "
	    "= '10min'", cause);
}

static void
snap_end(struct store *st)
{
	if (st->in_tx)
		store_commit(st, NULL);
}

/* The ratings matrix, the decisions and the checksums. */
static int
read_snapshot(struct store *st, const char *user, struct exp_snap *x,
    char **cause)
{
	struct ratings_opts ro = { .user = user, .by = NULL, .paths = 0 };

	memset(x, 0, sizeof *x);
	if (ratings_build(st, &ro, &x->r, cause) != 0 ||
	    read_extra(st, x, cause) != 0 || snap_wait(st, cause) != 0) {
		exp_snap_free(x);
		return -1;
	}
	return 0;
}

/* Per item: the newest guideline version among its labels in force. */
static int
item_guideline(const struct exp_snap *x, int i, enum consensus_source src)
{
	const struct ratings *r = &x->r;
	int k, v = 0;

	if (src == CONSENSUS_SRC_ADJUDICATION)
		return x->adj_guideline[i];
	for (k = r->start[i]; k < r->start[i + 1]; k++)
		if (r->guideline[k] > v)
			v = r->guideline[k];
	return v;
}

/*
 * Groups for --group-by: one per distinct value of the key among the
 * exported items; an item without a value is a group of its own.
 */
static int
make_groups(const struct exp_snap *x, const char *key, const int *rows,
    int nrows, int *group, int *ngroups, char **cause)
{
	const char **v, **names;
	int k, i, n = 0, d = 0;

	for (k = 0; k < x->nkeys; k++)
		if (strcmp(x->keys[k], key) == 0)
			break;
	if (k == x->nkeys)
		return acc_error(cause, "no item has metadata key '%s'", key);
	v = xcalloc((size_t)nrows + 1, sizeof *v);
	names = xcalloc((size_t)nrows + 1, sizeof *names);
	for (i = 0; i < nrows; i++) {
		v[i] = exp_meta(x, rows[i], k).text;
		if (v[i] != NULL)
			names[n++] = v[i];
	}
	qsort(names, (size_t)n, sizeof *names, cmp_str);
	for (i = 0; i < n; i++)
		if (d == 0 || strcmp(names[d - 1], names[i]) != 0)
			names[d++] = names[i];
	*ngroups = d;
	for (i = 0; i < nrows; i++) {
		const char **hit;

		if (v[i] == NULL) {
			group[i] = (*ngroups)++;
			continue;
		}
		hit = bsearch(&v[i], names, (size_t)d, sizeof *names, cmp_str);
		group[i] = (int)(hit - names);
	}
	free(v);
	free(names);
	return 0;
}

/* A control character would end a line of classes.txt. */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
check_opts(const struct export_opts *o, const struct project *p,
    char **cause)
{
	int c;

	if (o->format == EXPORT_IMAGEFOLDER && p->media != MEDIA_KIND_IMAGE)
		return acc_error(cause, "imagefolder needs an image project "
		    "(this one is %s; use audiofolder)",
		    media_kind_name(p->media));
	if (o->format == EXPORT_AUDIOFOLDER && p->media != MEDIA_KIND_AUDIO)
		return acc_error(cause, "audiofolder needs an audio project "
		    "(this one is %s; use imagefolder)",
		    media_kind_name(p->media));
	if (o->layout == EXPORT_BY_CLASS && o->format != EXPORT_IMAGEFOLDER &&
	    o->format != EXPORT_AUDIOFOLDER)
		return acc_error(cause, "--layout by-class is for imagefolder "
		    "and audiofolder (hf always has class folders)");
	if ((o->format == EXPORT_HF || o->format == EXPORT_LABEL_STUDIO) &&
	    p->media != MEDIA_KIND_IMAGE && p->media != MEDIA_KIND_AUDIO)
		return acc_error(cause, "%s needs an image or audio project "
		    "(this one is %s)", export_format_name(o->format),
		    media_kind_name(p->media));
	if (o->ls_url_prefix != NULL && o->format != EXPORT_LABEL_STUDIO)
		return acc_error(cause, "--ls-url-prefix is for label-studio");
	/* XML 1.0 has no way to write most control characters. */
	for (c = 0; o->format == EXPORT_LABEL_STUDIO && c < p->nclasses; c++)
		if (has_control(p->classes[c].name))
			return acc_error(cause, "class '%s' has a control "
			    "character: label_config.xml cannot hold it",
			    p->classes[c].name);
	if (o->method != CONSENSUS_ADJUDICATED && o->method != o->fallback &&
	    o->fallback != CONSENSUS_MAJORITY)
		return acc_error(cause, "--fallback applies to --method "
		    "adjudicated only");
	if (o->fallback == CONSENSUS_ADJUDICATED)
		return acc_error(cause, "--fallback must be majority or "
		    "dawid-skene");
	if (o->layout == EXPORT_BY_CLASS || o->format == EXPORT_HF)
		for (c = 0; c < p->nclasses; c++) {
			const char *n = p->classes[c].name;

			if (strchr(n, '/') != NULL || strcmp(n, ".") == 0 ||
			    strcmp(n, "..") == 0 || has_control(n))
				return acc_error(cause, "class '%s' cannot be "
				    "a directory name", n);
			if (!o->csv_raw && o->format != EXPORT_HF &&
			    csv_formula(n))
				return acc_error(cause, "class '%s' begins "
				    "with '%c': metadata.csv names its folder "
				    "in cells a spreadsheet would read as a "
				    "formula (--csv-raw writes them as they "
				    "are)", n, n[0]);
		}
	return 0;
}

/*
 * The consensus of every item (Dawid-Skene's parameters into *ds, the
 * majority's one-coin model into *oc).
 */
static void
plan_consensus(struct exp_plan *pl, struct consensus_ds *ds,
    struct consensus_onecoin *oc)
{
	const struct ratings *r = &pl->x->r;
	struct agree_input in;

	pl->n = r->nitems;
	pl->cons = xcalloc((size_t)pl->n + 1, sizeof *pl->cons);
	pl->reason = xcalloc((size_t)pl->n + 1, sizeof *pl->reason);
	pl->part = xcalloc((size_t)pl->n + 1, sizeof *pl->part);
	pl->guideline = xcalloc((size_t)pl->n + 1, sizeof *pl->guideline);
	pl->rows = xcalloc((size_t)pl->n + 1, sizeof *pl->rows);
	ds->alpha = CONSENSUS_DS_ALPHA;
	ds->tol = CONSENSUS_DS_TOL;
	ds->max_iter = CONSENSUS_DS_MAX_ITER;
	ratings_input(r, &in);
	consensus_compute_in(&in, pl->o->method, pl->o->fallback, ds, oc,
	    pl->cons);
	pl->ds = ds->prior != NULL ? ds : NULL;
	pl->oc = oc->prior != NULL ? oc : NULL;
}

/*
 * Once every item's consensus and reason are known, the labels by item,
 * the per-item reference, gold, slice and adjudication facts, and
 * Dawid-Skene's posteriors (items x classes) are not read again: the files
 * and the manifest need classes, labelers, versions and the fit's
 * parameters, and the paths, hashes and metadata read after this
 * (read_items_meta), in the room freed here.
 */
static void
plan_drop_labels(struct exp_snap *x, const struct export_opts *o,
    struct consensus_ds *ds)
{
	struct ratings *r = &x->r;

	/* Label Studio's ground_truth flags come from the decisions. */
	if (o->format != EXPORT_LABEL_STUDIO) {
		free(r->reference);
		free(r->gold);
		r->reference = r->gold = NULL;
	}
	free(r->start);
	free(r->lab);
	free(r->cls);
	free(r->guideline);
	free(r->day);
	free(r->slice);
	r->start = r->lab = r->cls = r->guideline = r->day = NULL;
	r->slice = NULL;
	r->nlabels = 0;
	free(x->ambiguous);
	free(x->adj_guideline);
	x->ambiguous = x->adj_guideline = NULL;
	free(ds->posterior);
	ds->posterior = NULL;
}

/*
 * Why each item is kept or left out; the kept ones into pl->rows.  Reasons
 * in this order: an SME's "ambiguous" beats everything.
 */
static void
plan_reasons(struct exp_plan *pl, struct export_result *res)
{
	const struct exp_snap *x = pl->x;
	const struct export_opts *o = pl->o;
	int i;

	for (i = 0; i < pl->n; i++) {
		const struct consensus_item *ci = &pl->cons[i];
		enum export_reason why = EXPORT_KEPT;

		pl->guideline[i] = item_guideline(x, i, ci->source);
		if (x->ambiguous[i])
			why = EXPORT_AMBIGUOUS;
		else if (ci->label < 0)
			why = ci->tie ? EXPORT_TIE : EXPORT_UNLABELED;
		else if (ci->label == x->r.borderline && !o->include_borderline)
			why = EXPORT_BORDERLINE;
		else if (ci->confidence < o->min_confidence)
			why = EXPORT_LOW_CONFIDENCE;
		pl->reason[i] = why;
		if (why == EXPORT_KEPT)
			pl->rows[pl->nrows++] = i;
		else
			res->left_out[why]++;
	}
}

/*
 * The split of each item kept, stratified by its consensus class (and
 * grouped by --group-by's values).
 */
static int
plan_split(struct exp_plan *pl, char **cause)
{
	const struct export_opts *o = pl->o;
	int *cls = xcalloc((size_t)pl->nrows + 1, sizeof *cls);
	int *group = NULL, *part = NULL, i, ngroups = 0, ret = -1;

	for (i = 0; i < pl->nrows; i++)
		cls[i] = pl->cons[pl->rows[i]].label;
	if (o->group_by != NULL) {
		group = xcalloc((size_t)pl->nrows + 1, sizeof *group);
		if (make_groups(pl->x, o->group_by, pl->rows, pl->nrows, group,
		    &ngroups, cause) != 0)
			goto done;
	}
	part = xcalloc((size_t)pl->nrows + 1, sizeof *part);
	split_assign(&o->split, pl->nrows, pl->x->r.nclasses, cls, group,
	    ngroups, part);
	pl->ngroups = ngroups;
	for (i = 0; i < pl->nrows; i++)
		pl->part[pl->rows[i]] = part[i];
	ret = 0;
done:
	free(part);
	free(cls);
	free(group);
	return ret;
}

/* What the caller is told: classes, counts per split and class, hashes. */
static void
plan_result(const struct exp_plan *pl, const struct consensus_ds *ds,
    struct export_result *res)
{
	const struct ratings *r = &pl->x->r;
	int i, c;

	res->nclasses = r->nclasses;
	res->classes = xcalloc((size_t)r->nclasses + 1, sizeof *res->classes);
	for (c = 0; c < r->nclasses; c++)
		res->classes[c] = xstrdup(r->classes[c]);
	res->nparts = pl->o->split.nparts;
	res->counts = xcalloc((size_t)res->nparts * r->nclasses + 1,
	    sizeof *res->counts);
	for (i = 0; i < pl->nrows; i++) {
		int it = pl->rows[i];

		res->counts[(size_t)pl->part[it] * r->nclasses +
		    pl->cons[it].label]++;
	}
	res->exported = pl->nrows;
	memcpy(res->labels_sha256, pl->x->labels_sha,
	    sizeof res->labels_sha256);
	res->ds_ran = pl->ds != NULL;
	res->ds_iterations = ds->iterations;
	res->ds_converged = ds->converged;
	res->ds_max_iter = ds->max_iter;
	res->ds_rel_change = ds->rel_change;
	res->ds_tol = ds->tol;
	res->ds_few_labels = ds->few_labels;
	res->ds_unused_top = ds->unused_top;
}

/*
 * --layout by-class: every split gets a folder for every class the export
 * can hold (the project's, without the borderline class unless
 * --include-borderline), empty or not, in the order torchvision's
 * ImageFolder gives them indices: find_classes sorts the folder names
 * (Python's sorted(), by code point, which is strcmp's order on UTF-8).
 * So a class has the same index in every split and in every export of
 * the project, whichever items it has this time, and classes.txt says it.
 */
static void
plan_folders(struct exp_plan *pl)
{
	const struct ratings *r = &pl->x->r;
	int c, i;

	if (pl->o->layout != EXPORT_BY_CLASS && pl->o->format != EXPORT_HF)
		return;
	pl->folders = xcalloc((size_t)r->nclasses + 1, sizeof *pl->folders);
	for (c = 0; c < r->nclasses; c++) {
		if (c == r->borderline && !pl->o->include_borderline)
			continue;
		/* Insertion by name: a handful of classes. */
		for (i = pl->nfolders; i > 0 && strcmp(r->classes[
		    pl->folders[i - 1]], r->classes[c]) > 0; i--)
			pl->folders[i] = pl->folders[i - 1];
		pl->folders[i] = c;
		pl->nfolders++;
	}
}

/*
 * A split with a share that got no item, and why: the search gives every
 * such split a group when there are enough (split.h), so an empty one
 * means too few groups, or too few items for its share.
 */
static void
plan_notes(const struct exp_plan *pl, struct export_result *res)
{
	const struct split_spec *sp = &pl->o->split;
	int s, c, active = 0;

	for (s = 0; s < sp->nparts; s++)
		active += sp->ratio[s] > 0;
	for (s = 0; s < sp->nparts; s++) {
		long long n = 0;

		for (c = 0; c < res->nclasses; c++)
			n += res->counts[(size_t)s * res->nclasses + c];
		if (sp->ratio[s] == 0 || n > 0)
			continue;
		if (pl->o->group_by != NULL && pl->ngroups < active)
			exp_note(res, "%s is empty: the %d exported items "
			    "have %d value%s of %s for %d splits (train, "
			    "then test, then dev get one)",
			    split_name(sp->nparts, s), pl->nrows,
			    pl->ngroups, pl->ngroups == 1 ? "" : "s",
			    pl->o->group_by, active);
		else
			exp_note(res, "%s is empty: %d exported items are "
			    "too few for its share", split_name(sp->nparts,
			    s), pl->nrows);
	}
}

static void
plan_free(struct exp_plan *pl)
{
	free(pl->folders);
	free(pl->cons);
	free(pl->reason);
	free(pl->part);
	free(pl->guideline);
	free(pl->rows);
}

int
export_run(struct store *st, const struct export_opts *o,
    struct export_result *res, char **cause)
{
	struct exp_snap x;
	struct exp_plan pl;
	struct project p;
	struct consensus_ds ds;
	struct consensus_onecoin oc;
	int ret = -1;

	memset(res, 0, sizeof *res);
	memset(&pl, 0, sizeof pl);
	memset(&ds, 0, sizeof ds);
	memset(&oc, 0, sizeof oc);
	/* Before the read transaction: a refusal writes an audit row. */
	if (project_require(st, o->user, ROLE_SME, "export", cause) != 0)
		return -1;
	if (snap_begin(st, cause) != 0)
		return -1;
	if (project_load(st, &p, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	if (check_opts(o, &p, cause) != 0 || exp_check_out(o, cause) != 0 ||
	    read_snapshot(st, o->user, &x, cause) != 0) {
		store_rollback(st);
		project_free(&p);
		return -1;
	}
	pl.x = &x;
	pl.o = o;
	pl.p = &p;
	plan_consensus(&pl, &ds, &oc);
	plan_reasons(&pl, res);
	plan_drop_labels(&x, o, &ds);
	if (read_items_meta(st, o, &x, cause) != 0) {
		store_rollback(st);
		goto done;
	}
	snap_end(st);
	if (plan_split(&pl, cause) != 0)
		goto done;
	plan_result(&pl, &ds, res);
	plan_notes(&pl, res);
	plan_folders(&pl);
	pl.res = res;
	if (exp_write(st, &pl, cause) != 0)
		goto done;
	ret = 0;
done:
	if (ret != 0)
		export_result_free(res);
	plan_free(&pl);
	consensus_ds_free(&ds);
	consensus_onecoin_free(&oc);
	exp_snap_free(&x);
	project_free(&p);
	return ret;
}

void
exp_note(struct export_result *res, const char *fmt, ...)
{
	va_list ap;
	char *line, *all;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	all = xasprintf("%s%s\n", res->notes != NULL ? res->notes : "", line);
	free(line);
	free(res->notes);
	res->notes = all;
}

void
export_result_free(struct export_result *res)
{
	int c;

	free(res->notes);
	for (c = 0; c < res->nclasses; c++)
		free(res->classes[c]);
	free(res->classes);
	free(res->counts);
	memset(res, 0, sizeof *res);
}
