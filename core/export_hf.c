/*
 * export_hf.c: export --format hf: a folder that Hugging Face datasets
 * loads with load_dataset("imagefolder" or "audiofolder", data_dir=OUT),
 * or load_dataset(OUT), with its splits and the project's class names.
 *
 *	OUT/README.md			dataset card: YAML configs + features
 *	OUT/classes.txt			class names, line n = label n
 *	OUT/train/CLASS/FILE		media (copies, as imagefolder's)
 *	OUT/train/metadata.jsonl	file_name (CLASS/FILE), label, ...
 *	OUT/validation/...		accord's dev split, HF's name for it
 *	OUT/test/...
 *
 * Why class folders, metadata and a card: the datasets library makes
 * "label" a ClassLabel(sorted(folder names)) only when there is no
 * metadata file (folder_based_builder.py: metadata found, labels not
 * added; older versions added both and ignored the metadata's duplicate
 * "label"); with metadata.jsonl, label is a string column unless the
 * features say otherwise.  So the card's dataset_info.features name every
 * class as a class_label in classes.txt's (sorted) order, for tools that
 * read the card, and the card's own snippet casts the column with
 * classes.txt, which gives the same ClassLabel with any version.
 * docs/guide.md ("hf") says the same for users.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_int.h"
#include "internal.h"

/* The type of a metadata column, as the card's dtype says it. */
enum hf_type {
	HF_NONE = 0,	/* no kept item has a value: no column */
	HF_INT,		/* every value an INTEGER: int64 */
	HF_FLOAT,	/* INTEGER or REAL: float64 */
	HF_STRING,	/* anything else: every value written as text */
};

static const char *const hf_dtypes[] = { "", "int64", "float64", "string" };

/*
 * Arrow gives a JSON column one type from its values: a key with text in
 * one row and a number in another would not load, so such a column is
 * written as text throughout.
 */
static int *
hf_types(const struct exp_plan *pl)
{
	const struct exp_snap *x = pl->x;
	int *t = xcalloc((size_t)x->nkeys + 1, sizeof *t), k, i;

	for (k = 0; k < x->nkeys; k++)
		for (i = 0; i < pl->nrows; i++) {
			struct exp_mval v = exp_meta(x, pl->rows[i], k);
			int want = v.type == SQL_COL_INT ? HF_INT :
			    v.type == SQL_COL_REAL ? HF_FLOAT : HF_STRING;

			if (v.text == NULL)
				continue;
			if (t[k] == HF_NONE || (t[k] == HF_INT &&
			    want == HF_FLOAT) || want == HF_STRING)
				t[k] = want;
			else if (t[k] == HF_FLOAT && want == HF_INT)
				t[k] = HF_FLOAT;
		}
	return t;
}

void
exp_hf_line(const struct exp_writer *w, int it, const char *fname,
    struct buf *b)
{
	const struct exp_plan *pl = w->pl;
	const struct exp_snap *x = pl->x;
	struct json j;
	int k;

	json_start(&j, b);
	json_object_begin(&j);
	json_key(&j, "file_name");
	json_string(&j, fname);
	exp_json_item(&j, pl, it, NULL);
	for (k = 0; k < x->nkeys; k++) {
		struct exp_mval v = exp_meta(x, it, k);
		char *col;

		if (w->hf_types[k] == HF_NONE)
			continue;
		col = exp_meta_col(x->keys[k]);
		json_key(&j, col);
		free(col);
		if (v.text == NULL)
			json_null(&j);
		else if (w->hf_types[k] == HF_STRING)
			json_string(&j, v.text);
		else if (isfinite(strtod(v.text, NULL)))
			json_raw(&j, v.text);
		else
			json_null(&j);
	}
	json_object_end(&j);
	buf_add(b, "\n", 1);
}

/* A YAML scalar: JSON's string escapes are YAML's double-quoted ones. */
static void
yaml_str(struct buf *b, const char *s)
{
	struct json j;

	json_start(&j, b);
	json_string(&j, s);
}

static void
card_feature(struct buf *b, const char *name, const char *dtype)
{
	buf_puts(b, "  - name: ");
	yaml_str(b, name);
	buf_printf(b, "\n    dtype: %s\n", dtype);
}

/* The YAML header: the splits written, then every column's feature. */
static void
card_yaml(const struct exp_writer *w, struct buf *b)
{
	const struct exp_plan *pl = w->pl;
	const struct exp_snap *x = pl->x;
	const struct export_result *res = pl->res;
	int audio = pl->p->media == MEDIA_KIND_AUDIO, s, c, k;

	buf_puts(b, "---\nconfigs:\n- config_name: default\n"
	    "  drop_labels: false\n  data_files:\n");
	for (s = 0; s < pl->o->split.nparts; s++) {
		long long n = 0;

		for (c = 0; c < res->nclasses; c++)
			n += res->counts[(size_t)s * res->nclasses + c];
		if (n > 0)
			buf_printf(b, "  - split: %s\n    path: \"%s/**\"\n",
			    exp_split_dir(pl, s), exp_split_dir(pl, s));
	}
	buf_puts(b, "dataset_info:\n  features:\n");
	card_feature(b, audio ? "audio" : "image", audio ? "audio" : "image");
	card_feature(b, "sha256", "string");
	buf_puts(b, "  - name: label\n    dtype:\n      class_label:\n"
	    "        names:\n");
	for (c = 0; c < pl->nfolders; c++) {
		buf_printf(b, "          '%d': ", c);
		yaml_str(b, x->r.classes[pl->folders[c]]);
		buf_add(b, "\n", 1);
	}
	card_feature(b, "confidence", "float64");
	card_feature(b, "labels", "int64");
	card_feature(b, "guideline", "int64");
	card_feature(b, "source", "string");
	for (k = 0; k < x->nkeys; k++) {
		char *col;

		if (w->hf_types[k] == HF_NONE)
			continue;
		col = exp_meta_col(x->keys[k]);
		card_feature(b, col, hf_dtypes[w->hf_types[k]]);
		free(col);
	}
	buf_puts(b, "---\n");
}

int
exp_hf_card(struct exp_writer *w, char **cause)
{
	const struct exp_plan *pl = w->pl;
	const char *kind = pl->p->media == MEDIA_KIND_AUDIO ? "audiofolder" :
	    "imagefolder";
	struct buf b = { 0 };
	int r;

	w->hf_types = hf_types(pl);
	card_yaml(w, &b);
	buf_printf(&b, "\n# accord export\n\n"
	    "%lld items with their consensus labels (method %s), exported "
	    "by accord.\n\n"
	    "```python\n"
	    "from datasets import ClassLabel, load_dataset\n"
	    "d = \"PATH/TO/THIS/FOLDER\"\n"
	    "ds = load_dataset(\"%s\", data_dir=d)\n"
	    "names = open(d + \"/classes.txt\").read().splitlines()\n"
	    "ds = ds.cast_column(\"label\", ClassLabel(names=names))\n"
	    "```\n\n"
	    "The label of a class is its line in classes.txt (from 0), the "
	    "class_label of the features above; with a metadata.jsonl the "
	    "loader reads `label` as text, hence the cast. manifest.json "
	    "ties every file to the labels it came from.\n",
	    pl->res->exported, consensus_method_name(
	    pl->o->method), kind);
	r = exp_file_put(w, "README.md", &b, cause);
	buf_free(&b);
	return r;
}
