/*
 * export_format.c: the rows of an export: one CSV or JSON Lines file per
 * split, or a folder tree (imagefolder, audiofolder) of media with its
 * metadata.csv.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/csv.h"
#include "export_int.h"
#include "internal.h"

/* A CSV cell, neutralised unless --csv-raw (include/accord/csv.h). */
static void
csv_field(const struct exp_plan *pl, struct buf *b, const char *s)
{
	csv_put_field(b, s, !pl->o->csv_raw);
}

/*
 * A metadata column's name: the key, or meta_KEY if it clashes with one
 * of ours, or with the column Hugging Face's imagefolder/audiofolder make
 * of the file (image, audio).
 */
static const char *const fixed_cols[] = { "path", "file_name", "sha256",
	"label", "confidence", "labels", "split", "guideline", "source",
	"meta", "image", "audio", NULL };

char *
exp_meta_col(const char *key)
{
	int i;

	for (i = 0; fixed_cols[i] != NULL; i++)
		if (strcmp(key, fixed_cols[i]) == 0)
			return xasprintf("meta_%s", key);
	return xstrdup(key);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * File names in folder exports: the base name of the item's path; where two
 * kept items share a base name (a.png from two directories), both become
 * SHA12-NAME with the first 12 hex digits of their content hash, which
 * differ since the contents do; so does a name beginning with a formula
 * character (csv_formula), unless --csv-raw.
 */
char **
exp_file_names(const struct exp_plan *pl)
{
	const char **b = xcalloc((size_t)pl->nrows + 1, sizeof *b);
	char **out = xcalloc((size_t)pl->nrows + 1, sizeof *out);
	int i;

	for (i = 0; i < pl->nrows; i++)
		b[i] = base_name(exp_path(pl->x, pl->rows[i]));
	qsort(b, (size_t)pl->nrows, sizeof *b, cmp_cstr);
	for (i = 0; i < pl->nrows; i++) {
		int it = pl->rows[i];
		const char *nm = base_name(exp_path(pl->x, it));
		const char **hit = bsearch(&nm, b, (size_t)pl->nrows,
		    sizeof *b, cmp_cstr);
		int clash = (hit > b && strcmp(hit[-1], nm) == 0) ||
		    (hit + 1 < b + pl->nrows && strcmp(hit[1], nm) == 0);
		char sha[65];

		/*
		 * A name a spreadsheet would take for a formula gets the
		 * prefix too: its metadata.csv cell must name the file, and
		 * a neutralised cell ('=x.png) would not.
		 */
		if (!pl->o->csv_raw && csv_formula(nm))
			clash = 1;
		out[i] = clash ? xasprintf("%.12s-%s", exp_sha(pl->x, it, sha),
		    nm) : xstrdup(nm);
	}
	free(b);
	return out;
}

void
exp_fmt_double(char *s, size_t n, double v)
{
	snprintf(s, n, EXP_DOUBLE_FMT, v);
}

/* One CSV line of item it (the header when it < 0). */
static void
csv_line(const struct exp_plan *pl, int it, const char *fname,
    struct buf *b)
{
	const struct exp_snap *x = pl->x;
	int folder = fname != NULL, k;
	char num[40], sha[65];

	if (it < 0) {
		buf_puts(b, folder ? "file_name,label,sha256,confidence,labels,"
		    "guideline,source" : "path,sha256,label,confidence,labels,"
		    "split,guideline,source");
		for (k = 0; k < x->nkeys; k++) {
			char *c = exp_meta_col(x->keys[k]);

			buf_add(b, ",", 1);
			csv_field(pl, b, c);
			free(c);
		}
		buf_add(b, "\n", 1);
		return;
	}
	if (folder) {
		csv_field(pl, b, fname);
		buf_add(b, ",", 1);
		csv_field(pl, b, x->r.classes[pl->cons[it].label]);
		buf_printf(b, ",%s,", exp_sha(x, it, sha));
	} else {
		csv_field(pl, b, exp_path(x, it));
		buf_printf(b, ",%s,", exp_sha(x, it, sha));
		csv_field(pl, b, x->r.classes[pl->cons[it].label]);
		buf_add(b, ",", 1);
	}
	exp_fmt_double(num, sizeof num, pl->cons[it].confidence);
	buf_printf(b, "%s,%d,", num, pl->cons[it].nlabels);
	if (!folder)
		buf_printf(b, "%s,", split_name(pl->o->split.nparts,
		    pl->part[it]));
	if (pl->guideline[it] > 0)
		buf_printf(b, "%d", pl->guideline[it]);
	buf_printf(b, ",%s", consensus_source_name(pl->cons[it].source));
	for (k = 0; k < x->nkeys; k++) {
		struct exp_mval v = exp_meta(x, it, k);

		buf_add(b, ",", 1);
		if (v.text != NULL)
			csv_field(pl, b, v.text);
	}
	buf_add(b, "\n", 1);
}

/* A metadata value as its SQLite type: numbers bare (a non-finite REAL as
 * null), text as a string. */
static void
meta_value(struct json *j, const struct exp_mval *v)
{
	if (v->type == SQL_COL_INT)
		json_raw(j, v->text);
	else if (v->type == SQL_COL_REAL)
		json_raw(j, isfinite(strtod(v->text, NULL)) ? v->text : "null");
	else
		json_string(j, v->text);
}

void
exp_json_item(struct json *j, const struct exp_plan *pl, int it,
    const char *split)
{
	const struct consensus_item *c = &pl->cons[it];
	char sha[65];

	json_key(j, "sha256");
	json_string(j, exp_sha(pl->x, it, sha));
	json_key(j, "label");
	json_string(j, pl->x->r.classes[c->label]);
	json_key(j, "confidence");
	json_double(j, EXP_DOUBLE_FMT, c->confidence);
	json_key(j, "labels");
	json_int(j, c->nlabels);
	if (split != NULL) {
		json_key(j, "split");
		json_string(j, split);
	}
	json_key(j, "guideline");
	if (pl->guideline[it] > 0)
		json_int(j, pl->guideline[it]);
	else
		json_null(j);
	json_key(j, "source");
	json_string(j, consensus_source_name(c->source));
}

/* One JSON Lines row of item it; items without a value of a key leave the
 * key out of "meta". */
static void
jsonl_line(const struct exp_plan *pl, int it, struct buf *b)
{
	const struct exp_snap *x = pl->x;
	struct json j;
	int k;

	json_start(&j, b);
	json_object_begin(&j);
	json_key(&j, "path");
	json_string(&j, exp_path(x, it));
	exp_json_item(&j, pl, it, split_name(pl->o->split.nparts,
	    pl->part[it]));
	json_key(&j, "meta");
	json_object_begin(&j);
	for (k = 0; k < x->nkeys; k++) {
		struct exp_mval v = exp_meta(x, it, k);

		if (v.text == NULL)
			continue;
		json_key(&j, x->keys[k]);
		meta_value(&j, &v);
	}
	json_object_end(&j);
	json_object_end(&j);
	buf_add(b, "\n", 1);
}

int
exp_is_folder(enum export_format f)
{
	return f == EXPORT_IMAGEFOLDER || f == EXPORT_AUDIOFOLDER ||
	    f == EXPORT_HF;
}

const char *
exp_split_dir(const struct exp_plan *pl, int s)
{
	const char *n = split_name(pl->o->split.nparts, s);

	if (pl->o->format == EXPORT_HF && strcmp(n, "dev") == 0)
		return "validation";
	return n;
}

/* Rows are buffered and written in blocks of about this size. */
#define FLUSH_AT (256 * 1024)

int
exp_write_part(struct exp_writer *w, int s, char **fnames, char **cause)
{
	const struct exp_plan *pl = w->pl;
	const struct export_opts *o = pl->o;
	const char *sn = exp_split_dir(pl, s);
	int folder = exp_is_folder(o->format), i, c, r = 0;
	int hf = o->format == EXPORT_HF;
	struct exp_file f;
	struct buf b = { 0 };
	char *rel;

	if (folder) {
		if (exp_make_dir(w, sn, cause) != 0)
			return -1;
		/* Every class's folder, empty or not (plan_folders). */
		for (c = 0; c < pl->nfolders; c++) {
			char *d = xasprintf("%s/%s", sn,
			    pl->x->r.classes[pl->folders[c]]);

			r = exp_make_dir(w, d, cause);
			free(d);
			if (r != 0)
				return -1;
		}
		rel = xasprintf("%s/metadata.%s", sn, hf ? "jsonl" : "csv");
	} else
		rel = xasprintf("%s.%s", sn, o->format == EXPORT_CSV ? "csv" :
		    "jsonl");
	r = exp_file_open(w, rel, &f, cause);
	free(rel);
	if (r != 0)
		return -1;
	if (o->format != EXPORT_JSONL && !hf)
		csv_line(pl, -1, folder ? "" : NULL, &b);
	for (i = 0; i < pl->nrows && r == 0; i++) {
		int it = pl->rows[i];

		if (pl->part[it] != s)
			continue;
		if (folder) {
			char *fn = pl->nfolders > 0 ?
			    xasprintf("%s/%s", pl->x->r.classes[
			    pl->cons[it].label], fnames[i]) :
			    xstrdup(fnames[i]);
			char *mrel = xasprintf("%s/%s", sn, fn), sha[65];

			r = exp_cancelled(w, cause);
			if (r == 0)
				r = exp_put_media(w, exp_path(pl->x, it), mrel,
				    exp_sha(pl->x, it, sha), cause);
			if (hf)
				exp_hf_line(w, it, fn, &b);
			else
				csv_line(pl, it, fn, &b);
			free(fn);
			free(mrel);
		} else if (o->format == EXPORT_CSV)
			csv_line(pl, it, NULL, &b);
		else
			jsonl_line(pl, it, &b);
		if (b.len >= FLUSH_AT) {
			exp_file_write(&f, b.s, b.len);
			b.len = 0;
			if (r == 0)
				r = exp_cancelled(w, cause);
		}
	}
	exp_file_write(&f, b.s, b.len);
	buf_free(&b);
	if (exp_file_close(w, &f, cause) != 0)
		r = -1;
	return r;
}

/* classes.txt: the class folders' names, one a line, line n (from 0)
 * being the index torchvision's ImageFolder gives the class. */
int
exp_write_classes(struct exp_writer *w, char **cause)
{
	const struct exp_plan *pl = w->pl;
	struct exp_file f;
	int c;

	if (exp_file_open(w, "classes.txt", &f, cause) != 0)
		return -1;
	for (c = 0; c < pl->nfolders; c++) {
		const char *n = pl->x->r.classes[pl->folders[c]];

		exp_file_write(&f, n, strlen(n));
		exp_file_write(&f, "\n", 1);
	}
	return exp_file_close(w, &f, cause);
}
