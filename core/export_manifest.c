/*
 * export_manifest.c: an export's manifest.json: the store's checksums, the
 * options, Dawid-Skene's parameters, the counts, the items left out and
 * every file written.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "internal.h"

static void
json_double(struct buf *b, double v)
{
	char num[40];

	exp_fmt_double(num, sizeof num, v);
	buf_puts(b, isfinite(v) ? num : "null");
}

static void
manifest_ds(struct buf *b, const struct exp_plan *pl)
{
	const struct consensus_ds *ds = pl->ds;
	const struct ratings *r = &pl->x->r;
	int j, k, l, K = ds->nclasses;

	buf_puts(b, "{\"alpha\": ");
	json_double(b, ds->alpha);
	buf_puts(b, ", \"tolerance\": ");
	json_double(b, ds->tol);
	buf_printf(b, ", \"max_iterations\": %d, \"iterations\": %d, "
	    "\"converged\": %s, \"delta\": ", ds->max_iter, ds->iterations,
	    ds->converged ? "true" : "false");
	json_double(b, ds->delta);
	buf_puts(b, ",\n    \"prior\": {");
	for (k = 0; k < K; k++) {
		buf_puts(b, k ? ", " : "");
		buf_json_str(b, r->classes[k]);
		buf_puts(b, ": ");
		json_double(b, ds->prior[k]);
	}
	buf_puts(b, "},\n    \"confusion\": {");
	for (j = 0; j < ds->nlabelers; j++) {
		buf_puts(b, j ? ",\n      " : "\n      ");
		buf_json_str(b, r->labelers[j]);
		buf_puts(b, ": [");
		for (k = 0; k < K; k++) {
			buf_puts(b, k ? ", [" : "[");
			for (l = 0; l < K; l++) {
				buf_puts(b, l ? ", " : "");
				json_double(b, ds->confusion[((size_t)j * K +
				    k) * K + l]);
			}
			buf_puts(b, "]");
		}
		buf_puts(b, "]");
	}
	buf_puts(b, "}}");
}

static void
manifest_left_out(struct buf *b, const struct exp_plan *pl)
{
	const struct exp_snap *x = pl->x;
	int i, first = 1;

	buf_puts(b, "  \"left_out\": [");
	for (i = 0; i < pl->n; i++) {
		const struct consensus_item *c = &pl->cons[i];

		if (pl->reason[i] == EXPORT_KEPT)
			continue;
		buf_printf(b, "%s\n    {\"id\": %lld, \"path\": ", first ? "" :
		    ",", x->r.item_ids[i]);
		first = 0;
		buf_json_str(b, x->r.paths[i]);
		buf_printf(b, ", \"sha256\": \"%s\", \"reason\": \"%s\", "
		    "\"label\": ", x->sha[i],
		    export_reason_name(pl->reason[i]));
		if (c->label >= 0)
			buf_json_str(b, x->r.classes[c->label]);
		else
			buf_puts(b, "null");
		buf_puts(b, ", \"confidence\": ");
		if (c->label >= 0)
			json_double(b, c->confidence);
		else
			buf_puts(b, "null");
		buf_printf(b, ", \"labels\": %d}", c->nlabels);
	}
	buf_puts(b, first ? "],\n" : "\n  ],\n");
}

static void
manifest_counts(struct buf *b, const struct exp_plan *pl)
{
	const struct export_result *res = pl->res;
	int s, c, k;
	long long left = 0;

	for (k = 1; k < EXPORT_NREASONS; k++)
		left += res->left_out[k];
	buf_printf(b, "  \"counts\": {\"items\": %d, \"exported\": %lld, "
	    "\"left_out\": %lld,\n    \"splits\": {", pl->n, res->exported,
	    left);
	for (s = 0; s < res->nparts; s++) {
		long long tot = 0;

		buf_printf(b, "%s\n      \"%s\": {", s ? "," : "",
		    split_name(res->nparts, s));
		for (c = 0; c < res->nclasses; c++) {
			long long v = res->counts[(size_t)s * res->nclasses +
			    c];

			buf_json_str(b, res->classes[c]);
			buf_printf(b, ": %lld, ", v);
			tot += v;
		}
		buf_printf(b, "\"total\": %lld}", tot);
	}
	buf_puts(b, "},\n    \"reasons\": {");
	for (k = 1; k < EXPORT_NREASONS; k++)
		buf_printf(b, "%s\"%s\": %lld", k > 1 ? ", " : "",
		    export_reason_name(k), res->left_out[k]);
	buf_puts(b, "}},\n");
}

/* Who wrote it, from which store, for what task, classes and guideline. */
static void
manifest_store(struct buf *b, const struct exp_plan *pl, struct store *st)
{
	const struct exp_snap *x = pl->x;
	char now[32], *abs;
	int i;

	acc_now_iso(now);
	abs = realpath(store_path(st), NULL);
	buf_printf(b, "{\n  \"accord_version\": \"%s\",\n  \"created_at\": "
	    "\"%s\",\n  \"created_by\": ", ACCORD_VERSION, now);
	buf_json_str(b, pl->o->user);
	buf_puts(b, ",\n  \"store\": {\"path\": ");
	buf_json_str(b, abs != NULL ? abs : store_path(st));
	free(abs);
	buf_printf(b, ", \"schema_version\": %d, \"task\": ",
	    store_version(st));
	buf_json_str(b, pl->p->task);
	buf_printf(b, ", \"media\": \"%s\",\n    \"label_rows\": %lld, "
	    "\"labels_sha256\": \"%s\",\n    \"adjudications_sha256\": \"%s\", "
	    "\"gold_sha256\": \"%s\"},\n", media_kind_name(pl->p->media),
	    x->label_rows, x->labels_sha, x->adj_sha, x->gold_sha);
	buf_printf(b, "  \"guideline\": {\"newest\": %d, \"in_labels\": [",
	    pl->p->guideline);
	for (i = 0; i < x->r.nversions; i++)
		buf_printf(b, "%s%d", i ? ", " : "", x->r.versions[i]);
	buf_puts(b, "]},\n  \"classes\": [");
	for (i = 0; i < x->r.nclasses; i++) {
		buf_puts(b, i ? ", " : "");
		buf_json_str(b, x->r.classes[i]);
	}
	buf_puts(b, "],\n  \"borderline\": ");
	if (x->r.borderline >= 0)
		buf_json_str(b, x->r.classes[x->r.borderline]);
	else
		buf_puts(b, "null");
}

/* The method, the options and the seed: enough to export the same again. */
static void
manifest_options(struct buf *b, const struct export_opts *o)
{
	int s;

	buf_printf(b, ",\n  \"method\": \"%s\",\n  \"fallback\": %s%s%s,\n",
	    consensus_method_name(o->method),
	    o->method == CONSENSUS_ADJUDICATED ? "\"" : "",
	    o->method == CONSENSUS_ADJUDICATED ?
	    consensus_method_name(o->fallback) : "null",
	    o->method == CONSENSUS_ADJUDICATED ? "\"" : "");
	buf_printf(b, "  \"options\": {\"format\": \"%s\", \"layout\": "
	    "\"%s\", \"split\": {", export_format_name(o->format),
	    o->layout == EXPORT_BY_CLASS ? "by-class" : "flat");
	for (s = 0; s < o->split.nparts; s++)
		buf_printf(b, "%s\"%s\": %lld", s ? ", " : "",
		    split_name(o->split.nparts, s), o->split.ratio[s]);
	buf_puts(b, "}, \"group_by\": ");
	if (o->group_by != NULL)
		buf_json_str(b, o->group_by);
	else
		buf_puts(b, "null");
	buf_puts(b, ", \"min_confidence\": ");
	json_double(b, o->min_confidence);
	buf_printf(b, ", \"include_borderline\": %s},\n  \"seed\": %llu,\n",
	    o->include_borderline ? "true" : "false",
	    (unsigned long long)o->split.seed);
}

int
exp_write_manifest(struct exp_writer *w, struct store *st, char **cause)
{
	const struct exp_plan *pl = w->pl;
	struct buf b = { 0 };
	struct exp_file f;

	manifest_store(&b, pl, st);
	manifest_options(&b, pl->o);
	buf_puts(&b, "  \"dawid_skene\": ");
	if (pl->ds != NULL)
		manifest_ds(&b, pl);
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\n");
	manifest_counts(&b, pl);
	manifest_left_out(&b, pl);
	buf_puts(&b, "  \"files\": [");
	buf_add(&b, w->manifest_files.s ? w->manifest_files.s : "",
	    w->manifest_files.len);
	buf_puts(&b, w->nfiles ? "\n  ]\n}\n" : "]\n}\n");
	if (exp_file_open(w, "manifest.json", &f, cause) != 0) {
		buf_free(&b);
		return -1;
	}
	exp_file_write(&f, b.s, b.len);
	buf_free(&b);
	return exp_file_close(w, &f, cause);
}
