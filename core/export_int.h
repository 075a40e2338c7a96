/*
 * export_int.h: what export.c (deciding) and the writing files share:
 * export_write.c (the directory and its files), export_format.c (rows) and
 * export_manifest.c.  Nothing outside core/ sees it.
 */
#ifndef ACCORD_EXPORT_INT_H
#define ACCORD_EXPORT_INT_H

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>

#include "accord/export.h"
#include "accord/json.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "accord/util.h"

/*
 * The rows behind the manifest's checksums, in this order; each row is
 * hashed as its columns' text joined by tabs plus a newline (NULL as "").
 * docs/guide.md repeats these queries: change both together.
 */
#define EXPORT_LABELS_SQL						\
	"SELECT id, item, labeler, class, guideline, created_at FROM labels " \
	"ORDER BY id"
#define EXPORT_ADJUDICATIONS_SQL					\
	"SELECT id, item, class, status, guideline, created_at FROM "	\
	"adjudications ORDER BY id"
#define EXPORT_GOLD_SQL							\
	"SELECT id, item, class, created_at FROM gold ORDER BY id"

/* Incremental SHA-256. */
struct exp_hash {
	EVP_MD_CTX *md;
};
void exp_hash_init(struct exp_hash *h);
void exp_hash_add(struct exp_hash *h, const void *p, size_t n);
void exp_hash_end(struct exp_hash *h, char out[65]);

/* One metadata value in force: text as written out, SQLite type. */
struct exp_mval {
	const char *text;	/* NULL: no value */
	int type;		/* SQL_COL_INT, _FLOAT, _TEXT, ... */
};

/* An item whose sha256 is not 64 lowercase hex digits, kept as text. */
struct exp_odd_sha {
	int item;
	size_t off;	/* in exp_snap.text */
};

/*
 * What the export read from the store, all in one read transaction.  At 1,000,000
 * items every byte per item is a megabyte: hashes are kept as their 32
 * bytes, paths and metadata values as offsets into one text buffer; the
 * accessors below give them back as the files write them.
 */
struct exp_snap {
	struct ratings r;	/* without paths: those are in text */
	unsigned char (*sha)[32];	/* per item, the hash's bytes */
	int nodd;
	struct exp_odd_sha *odd;	/* the rest, by item ascending */
	size_t *path;		/* per item: offset in text */
	int *ambiguous;		/* per item: newest adjudication is ambiguous */
	int *adj_guideline;	/* per item: guideline of that adjudication */
	int nkeys;
	char **keys;		/* metadata keys, sorted (strcmp) */
	/* nitems x nkeys: offset in text of the value's SQLite type (one
	 * byte) followed by its text, or EXP_NO_TEXT. */
	size_t *meta;
	char labels_sha[65], adj_sha[65], gold_sha[65];
	long long label_rows;
	/* label-studio only (export_ls.c): every label in force, by item,
	 * then labeler; its texts are offsets into text. */
	int nls;
	struct exp_ls_label {
		int item;		/* item index */
		long long id;		/* labels.id */
		double seconds;		/* seconds_spent; NAN when not kept */
		size_t labeler, cls, created;
	} *ls;
	struct buf text;	/* paths and metadata text, NUL after each */
};
#define EXP_NO_TEXT SIZE_MAX
/* s (n bytes) and a NUL into x->text: its offset there. */
size_t exp_text_add(struct exp_snap *x, const char *s, size_t n);
/* Item i's path, its sha256 as 64 hex digits (in out), the value of
 * metadata key k. */
const char *exp_path(const struct exp_snap *x, int i);
const char *exp_sha(const struct exp_snap *x, int i, char out[65]);
struct exp_mval exp_meta(const struct exp_snap *x, int i, int k);
void exp_snap_free(struct exp_snap *x);

/* The decisions: what each item gets and where it goes. */
struct exp_plan {
	const struct exp_snap *x;
	const struct export_opts *o;
	const struct project *p;
	const struct consensus_ds *ds;	/* NULL unless Dawid-Skene ran */
	/* The majority vote's one-coin model when the votes decided by
	 * majority (method or fallback), else NULL. */
	const struct consensus_onecoin *oc;
	struct export_result *res;
	int n;				/* items */
	struct consensus_item *cons;	/* per item */
	enum export_reason *reason;	/* per item */
	int *part;			/* per item kept: its split */
	int *guideline;			/* per item: guideline version or 0 */
	int nrows, *rows;		/* items kept, ascending */
	int ngroups;			/* --group-by: groups of those */
	/* --layout by-class: the class folders every split gets, in the
	 * order of classes.txt (class indices, names by strcmp); else 0. */
	int nfolders, *folders;
};

/* The state of one export being written. */
struct exp_writer {
	const struct exp_plan *pl;
	struct store *st;	/* media kept in the store is read from it */
	char *out;	/* OUT, no trailing slash */
	char *tmp;	/* OUT.tmp-XXXXXX */
	int lockfd;
	struct buf manifest_files;	/* the "files" array so far */
	struct json files;		/* the writer of manifest_files */
	int nfiles;
	char **dirs;	/* directories made, relative, for fsync */
	int ndirs;
	/* hf: per metadata key, the type its column gets (export_hf.c). */
	int *hf_types;
};

/* A file being written: hashed and counted as it goes. */
struct exp_file {
	FILE *f;
	struct exp_hash h;
	long long bytes;
	char *rel;
	int err;
};

/* -1 with "interrupted" once *o->cancel is set (^C), else 0. */
int exp_cancelled(const struct exp_writer *w, char **cause);
/* Make directory rel under the temporary one (an existing one is fine). */
int exp_make_dir(struct exp_writer *w, const char *rel, char **cause);
/* Create rel under the temporary directory; exp_file_close ends it. */
int exp_file_open(struct exp_writer *w, const char *rel, struct exp_file *f,
    char **cause);
/* Write and hash; an error is kept for exp_file_close to report. */
void exp_file_write(struct exp_file *f, const char *s, size_t n);
/* Flush, fsync and close; on success the file joins the manifest. */
int exp_file_close(struct exp_writer *w, struct exp_file *f, char **cause);
/* A small file rel written whole from b (open, write, close). */
int exp_file_put(struct exp_writer *w, const char *rel, const struct buf *b,
    char **cause);
/* The media of the content want at rel: its bytes kept in the store
 * when they are (written out), else file src linked or copied; either
 * way checked to have SHA-256 want. */
int exp_put_media(struct exp_writer *w, const char *src, const char *rel,
    const char *want, char **cause);

/* Add a line to res->notes. */
void exp_note(struct export_result *res, const char *fmt, ...)
    ACC_PRINTF(2, 3);

/* A double as the files write it: %.17g (the exact value). */
#define EXP_DOUBLE_FMT "%.17g"
void exp_fmt_double(char *s, size_t n, double v);
/* Folder exports: each kept item's file name, in pl->rows order; the
 * caller frees each and the array. */
char **exp_file_names(const struct exp_plan *pl);
/* The file(s) of split s; fnames from exp_file_names for folder formats. */
int exp_write_part(struct exp_writer *w, int s, char **fnames, char **cause);
/* classes.txt (--layout by-class). */
int exp_write_classes(struct exp_writer *w, char **cause);
/* An item's "sha256", "label", "confidence", "labels", "split" (unless
 * split is NULL), "guideline" and "source" members, as jsonl and hf rows
 * write them. */
void exp_json_item(struct json *j, const struct exp_plan *pl, int it,
    const char *split);
/* A metadata key's column name in the files (meta_KEY where KEY is one
 * of the fixed columns'); the caller frees it. */
char *exp_meta_col(const char *key);
/* Folder formats (imagefolder, audiofolder, hf) write media files. */
int exp_is_folder(enum export_format f);
/* The directory (or file stem) of split s: split_name's, except that hf
 * says "validation" for dev, as Hugging Face names the split. */
const char *exp_split_dir(const struct exp_plan *pl, int s);
/* A kept item's metadata.jsonl row of an hf export (export_hf.c). */
void exp_hf_line(const struct exp_writer *w, int it, const char *fname,
    struct buf *b);
/* hf: README.md, the dataset card whose YAML names the splits and the
 * features, the label a class_label of the classes.txt names. */
int exp_hf_card(struct exp_writer *w, char **cause);
/* Label Studio's local storage URL of a file (d= relative to its
 * LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT): the default prefix. */
#define EXP_LS_LOCAL_FILES "/data/local-files/?d="
/* label-studio: tasks.json and label_config.xml (export_ls.c). */
int exp_write_ls(struct exp_writer *w, char **cause);
/* The read of the labels in force that exp_write_ls writes, into x->ls
 * (in the snapshot's transaction). */
int exp_read_ls(struct store *st, struct exp_snap *x, char **cause);
/* Add a file written (rel under OUT, its size and SHA-256) to the
 * manifest's "files". */
void exp_manifest_add_file(struct exp_writer *w, const char *rel,
    const char *sha, long long bytes);
/* manifest.json, written last: it lists every file written before it. */
int exp_write_manifest(struct exp_writer *w, struct store *st, char **cause);

/* An earlier export that --force may replace: the files its manifest
 * lists (export_prev.c). */
struct exp_prev {
	int npaths;
	char **paths;	/* sorted (strcmp), relative to the export */
};
/*
 * 0 and *pv (exp_prev_free after) when dir is an accord export: its
 * manifest.json parses, has accord_version, store and files, and every
 * file under dir is a regular file listed there (or the manifest).  Else
 * -1 with *cause, one line naming dir and why.
 */
int exp_prev_check(const char *dir, struct exp_prev *pv, char **cause);
/* The manifest's text (n bytes, no NUL needed) parsed: 0 and *pv with its
 * "files" paths when it is accord's, else -1 with *why (what is wrong,
 * for "DIR: not an accord export (WHY)"; the caller frees it).  Either
 * way exp_prev_free(pv) after. */
int exp_prev_parse(const char *data, size_t n, struct exp_prev *pv,
    char **why);
/* Remove the export at dir: only the files pv lists and the manifest,
 * then the directories left empty.  Returns how many entries stay. */
long long exp_prev_remove(const char *dir, const struct exp_prev *pv);
void exp_prev_free(struct exp_prev *pv);

/* Refuse an OUT that exists (unless --force and it is an export). */
int exp_check_out(const struct export_opts *o, char **cause);
/* Write everything under a temporary directory, rename it to OUT, and
 * write the audit row. */
int exp_write(struct store *st, const struct exp_plan *pl, char **cause);

#endif
