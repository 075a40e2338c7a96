/*
 * export_manifest.c: an export's manifest.json: the store's checksums, the
 * options, Dawid-Skene's parameters, the counts, the items left out and
 * every file written.
 */
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "internal.h"

/*
 * The layout is made for people reading it: ", " and ": " throughout, one
 * top-level member a line (indent 2), long objects wrapped at 4 and the
 * members of "confusion" and "splits", like the elements of "left_out" and
 * "files", one a line (at 6 and 4).
 */
#define TOP 2
#define WRAP 4
#define ROW 6

static void
key_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_double(j, EXP_DOUBLE_FMT, v);
}

static void
key_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

static void
key_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

/* A top-level member's key on a line of its own. */
static void
top_key(struct json *j, const char *key)
{
	json_newline(j, TOP);
	json_key(j, key);
}

static void
manifest_ds(struct json *j, const struct exp_plan *pl)
{
	const struct consensus_ds *ds = pl->ds;
	const struct ratings *r = &pl->x->r;
	int a, k, l, K = ds->nclasses;

	json_object_begin(j);
	key_double(j, "alpha", ds->alpha);
	key_double(j, "tolerance", ds->tol);
	key_int(j, "max_iterations", ds->max_iter);
	key_int(j, "iterations", ds->iterations);
	json_key(j, "converged");
	json_bool(j, ds->converged);
	key_string(j, "stopped", ds->converged ? "converged" : "cap");
	key_double(j, "log_likelihood", ds->loglik);
	key_double(j, "relative_change", ds->rel_change);
	key_double(j, "delta", ds->delta);
	json_newline(j, WRAP);
	key_int(j, "min_labels", CONSENSUS_DS_MIN_LABELS);
	key_int(j, "few_labels_majority", ds->few_labels);
	key_int(j, "top_class_not_given", ds->unused_top);
	json_newline(j, WRAP);
	json_key(j, "prior");
	json_object_begin(j);
	for (k = 0; k < K; k++)
		key_double(j, r->classes[k], ds->prior[k]);
	json_object_end(j);
	json_newline(j, WRAP);
	json_key(j, "confusion");
	json_object_begin(j);
	for (a = 0; a < ds->nlabelers; a++) {
		json_newline(j, ROW);
		json_key(j, r->labelers[a]);
		json_array_begin(j);
		for (k = 0; k < K; k++) {
			json_array_begin(j);
			for (l = 0; l < K; l++)
				json_double(j, EXP_DOUBLE_FMT, ds->confusion[
				    ((size_t)a * K + k) * K + l]);
			json_array_end(j);
		}
		json_array_end(j);
	}
	json_object_end(j);
	json_object_end(j);
}

/* The majority vote's one-coin model (docs/statistics.md). */
static void
manifest_onecoin(struct json *j, const struct exp_plan *pl)
{
	const struct consensus_onecoin *oc = pl->oc;
	int k;

	json_object_begin(j);
	key_string(j, "model", "one-coin");
	key_int(j, "label_pairs", oc->pairs);
	key_int(j, "agreeing_pairs", oc->agree);
	key_double(j, "agreement", oc->agreement);
	key_double(j, "accuracy", oc->accuracy);
	json_key(j, "prior");
	json_object_begin(j);
	for (k = 0; k < oc->nclasses; k++)
		key_double(j, pl->x->r.classes[k], oc->prior[k]);
	json_object_end(j);
	json_object_end(j);
}

/*
 * The manifest is written to f as it is made, a block of about this size
 * at a time: its "left_out" alone is some 200 bytes an item left out, 50
 * MB at 1,000,000 items x 3 labels.
 */
#define FLUSH_AT (256 * 1024)

static void
flush(struct exp_file *f, struct buf *b)
{
	exp_file_write(f, b->s, b->len);
	b->len = 0;
}

static void
manifest_left_out(struct json *j, const struct exp_plan *pl,
    struct exp_file *f)
{
	const struct exp_snap *x = pl->x;
	char sha[65];
	int i, any = 0;

	top_key(j, "left_out");
	json_array_begin(j);
	for (i = 0; i < pl->n; i++) {
		const struct consensus_item *c = &pl->cons[i];

		if (pl->reason[i] == EXPORT_KEPT)
			continue;
		json_newline(j, WRAP);
		json_object_begin(j);
		key_int(j, "id", x->r.item_ids[i]);
		key_string(j, "path", exp_path(x, i));
		key_string(j, "sha256", exp_sha(x, i, sha));
		key_string(j, "reason", export_reason_name(pl->reason[i]));
		key_string(j, "label", c->label >= 0 ?
		    x->r.classes[c->label] : NULL);
		json_key(j, "confidence");
		if (c->label >= 0)
			json_double(j, EXP_DOUBLE_FMT, c->confidence);
		else
			json_null(j);
		key_int(j, "labels", c->nlabels);
		json_object_end(j);
		any = 1;
		if (j->b->len >= FLUSH_AT)
			flush(f, j->b);
	}
	if (any)
		json_newline(j, TOP);
	json_array_end(j);
}

/* A share n / d, or null when d is 0. */
static void
share(struct json *j, long long n, long long d)
{
	if (d > 0)
		json_double(j, EXP_DOUBLE_FMT, (double)n / (double)d);
	else
		json_null(j);
}

/*
 * Per split: its target share of the items, the share it got, and per
 * class the share of the class's items it got (null: the class has none).
 */
static void
manifest_shares(struct json *j, const struct exp_plan *pl)
{
	const struct export_result *res = pl->res;
	const struct split_spec *sp = &pl->o->split;
	long long R = 0, *nc = xcalloc((size_t)res->nclasses + 1, sizeof *nc);
	int s, c;

	for (s = 0; s < sp->nparts; s++) {
		R += sp->ratio[s];
		for (c = 0; c < res->nclasses; c++)
			nc[c] += res->counts[(size_t)s * res->nclasses + c];
	}
	json_newline(j, WRAP);
	json_key(j, "shares");
	json_object_begin(j);
	for (s = 0; s < sp->nparts; s++) {
		long long tot = 0;

		for (c = 0; c < res->nclasses; c++)
			tot += res->counts[(size_t)s * res->nclasses + c];
		json_newline(j, ROW);
		json_key(j, split_name(sp->nparts, s));
		json_object_begin(j);
		json_key(j, "target");
		share(j, sp->ratio[s], R);
		json_key(j, "achieved");
		share(j, tot, res->exported);
		json_key(j, "by_class");
		json_object_begin(j);
		for (c = 0; c < res->nclasses; c++) {
			json_key(j, res->classes[c]);
			share(j, res->counts[(size_t)s * res->nclasses + c],
			    nc[c]);
		}
		json_object_end(j);
		json_object_end(j);
	}
	json_object_end(j);
	free(nc);
}

/* The notes (res->notes), one string a line. */
static void
manifest_notes(struct json *j, const struct export_result *res)
{
	const char *p = res->notes, *nl;

	top_key(j, "notes");
	json_array_begin(j);
	while (p != NULL && (nl = strchr(p, '\n')) != NULL) {
		char *line = xstrndup(p, (size_t)(nl - p));

		json_string(j, line);
		free(line);
		p = nl + 1;
	}
	json_array_end(j);
}

static void
manifest_counts(struct json *j, const struct exp_plan *pl)
{
	const struct export_result *res = pl->res;
	int s, c, k;
	long long left = 0;

	for (k = 1; k < EXPORT_NREASONS; k++)
		left += res->left_out[k];
	top_key(j, "counts");
	json_object_begin(j);
	key_int(j, "items", pl->n);
	key_int(j, "exported", res->exported);
	key_int(j, "left_out", left);
	json_newline(j, WRAP);
	json_key(j, "splits");
	json_object_begin(j);
	for (s = 0; s < res->nparts; s++) {
		long long tot = 0;

		json_newline(j, ROW);
		json_key(j, split_name(res->nparts, s));
		json_object_begin(j);
		for (c = 0; c < res->nclasses; c++) {
			long long v = res->counts[(size_t)s * res->nclasses +
			    c];

			key_int(j, res->classes[c], v);
			tot += v;
		}
		key_int(j, "total", tot);
		json_object_end(j);
	}
	json_object_end(j);
	manifest_shares(j, pl);
	json_newline(j, WRAP);
	json_key(j, "reasons");
	json_object_begin(j);
	for (k = 1; k < EXPORT_NREASONS; k++)
		key_int(j, export_reason_name(k), res->left_out[k]);
	json_object_end(j);
	json_object_end(j);
}

/* The store: where it is, its task and media, and its checksums. */
static void
manifest_store_object(struct json *j, const struct exp_plan *pl,
    struct store *st)
{
	const struct exp_snap *x = pl->x;
	char *abs = realpath(store_path(st), NULL);

	json_object_begin(j);
	key_string(j, "path", abs != NULL ? abs : store_path(st));
	free(abs);
	key_int(j, "schema_version", store_version(st));
	key_string(j, "task", pl->p->task);
	key_string(j, "media", media_kind_name(pl->p->media));
	json_newline(j, WRAP);
	key_int(j, "label_rows", x->label_rows);
	key_string(j, "labels_sha256", x->labels_sha);
	json_newline(j, WRAP);
	key_string(j, "adjudications_sha256", x->adj_sha);
	key_string(j, "gold_sha256", x->gold_sha);
	json_object_end(j);
}

/* Who wrote it, from which store, for what task, classes and guideline. */
static void
manifest_store(struct json *j, const struct exp_plan *pl, struct store *st)
{
	const struct exp_snap *x = pl->x;
	char now[32];
	int i;

	acc_now_iso(now);
	top_key(j, "accord_version");
	json_string(j, ACCORD_VERSION);
	top_key(j, "created_at");
	json_string(j, now);
	top_key(j, "created_by");
	json_string(j, pl->o->user);
	top_key(j, "store");
	manifest_store_object(j, pl, st);
	top_key(j, "guideline");
	json_object_begin(j);
	key_int(j, "newest", pl->p->guideline);
	json_key(j, "in_labels");
	json_array_begin(j);
	for (i = 0; i < x->r.nversions; i++)
		json_int(j, x->r.versions[i]);
	json_array_end(j);
	json_object_end(j);
	top_key(j, "classes");
	json_array_begin(j);
	for (i = 0; i < x->r.nclasses; i++)
		json_string(j, x->r.classes[i]);
	json_array_end(j);
	/* --layout by-class: classes.txt's lines, the folders' indices. */
	top_key(j, "class_folders");
	if (pl->nfolders > 0) {
		json_array_begin(j);
		for (i = 0; i < pl->nfolders; i++)
			json_string(j, x->r.classes[pl->folders[i]]);
		json_array_end(j);
	} else
		json_null(j);
	top_key(j, "borderline");
	json_string(j, x->r.borderline >= 0 ?
	    x->r.classes[x->r.borderline] : NULL);
}

/* The method, the options and the seed: enough to export the same again. */
static void
manifest_options(struct json *j, const struct export_opts *o)
{
	int s;

	top_key(j, "method");
	json_string(j, consensus_method_name(o->method));
	top_key(j, "fallback");
	json_string(j, o->method == CONSENSUS_ADJUDICATED ?
	    consensus_method_name(o->fallback) : NULL);
	top_key(j, "options");
	json_object_begin(j);
	key_string(j, "format", export_format_name(o->format));
	key_string(j, "layout", o->layout == EXPORT_BY_CLASS ||
	    o->format == EXPORT_HF ? "by-class" : "flat");
	json_key(j, "split");
	json_object_begin(j);
	for (s = 0; s < o->split.nparts; s++)
		key_int(j, split_name(o->split.nparts, s), o->split.ratio[s]);
	json_object_end(j);
	key_string(j, "group_by", o->group_by);
	key_double(j, "min_confidence", o->min_confidence);
	json_key(j, "include_borderline");
	json_bool(j, o->include_borderline);
	json_key(j, "csv_raw");
	json_bool(j, o->csv_raw);
	key_string(j, "media", !exp_is_folder(o->format) ? NULL : o->link ?
	    "link" : "copy");
	key_string(j, "ls_url_prefix", o->format != EXPORT_LABEL_STUDIO ?
	    NULL : o->ls_url_prefix != NULL ? o->ls_url_prefix :
	    EXP_LS_LOCAL_FILES);
	json_object_end(j);
	top_key(j, "seed");
	json_uint(j, o->split.seed);
}

/*
 * The "files" array is written as the files are closed, by a writer of its
 * own into w->manifest_files, and joins the manifest as one value.
 */
void
exp_manifest_add_file(struct exp_writer *w, const char *rel,
    const char *sha, long long bytes)
{
	struct json *j = &w->files;

	if (w->nfiles == 0) {
		json_start(j, &w->manifest_files);
		json_spaced(j);
		json_array_begin(j);
	}
	json_newline(j, WRAP);
	json_object_begin(j);
	key_string(j, "path", rel);
	key_int(j, "bytes", bytes);
	key_string(j, "sha256", sha);
	json_object_end(j);
	w->nfiles++;
}

/* The array is closed by a copy of its writer: manifest.json itself is
 * added once written (counted in nfiles, listed nowhere). */
static void
manifest_files(struct json *j, struct exp_writer *w)
{
	struct json end = w->files;

	top_key(j, "files");
	if (w->nfiles == 0) {
		json_array_begin(j);
		json_array_end(j);
		return;
	}
	json_newline(&end, TOP);
	json_array_end(&end);
	json_raw(j, w->manifest_files.s);
}

int
exp_write_manifest(struct exp_writer *w, struct store *st, char **cause)
{
	const struct exp_plan *pl = w->pl;
	struct buf b = { 0 };
	struct json j;
	struct exp_file f;

	if (exp_file_open(w, "manifest.json", &f, cause) != 0)
		return -1;
	json_start(&j, &b);
	json_spaced(&j);
	json_object_begin(&j);
	manifest_store(&j, pl, st);
	manifest_options(&j, pl->o);
	top_key(&j, "dawid_skene");
	if (pl->ds != NULL)
		manifest_ds(&j, pl);
	else
		json_null(&j);
	top_key(&j, "majority");
	if (pl->oc != NULL)
		manifest_onecoin(&j, pl);
	else
		json_null(&j);
	manifest_counts(&j, pl);
	manifest_notes(&j, pl->res);
	manifest_left_out(&j, pl, &f);
	manifest_files(&j, w);
	json_newline(&j, 0);
	json_object_end(&j);
	buf_add(&b, "\n", 1);
	flush(&f, &b);
	buf_free(&b);
	return exp_file_close(w, &f, cause);
}
