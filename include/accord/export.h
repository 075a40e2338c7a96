/*
 * export.h: consensus labels out of the store for training: CSV, JSON
 * Lines, or Hugging Face / torchvision folder trees, with splits and a
 * manifest that ties every file to the labels it came from.
 *
 * The export is all or nothing: everything is written under a temporary
 * directory OUT.tmp-XXXXXX beside OUT, fsynced, and renamed to OUT only when
 * complete.  A crash leaves at most that temporary directory, which the next
 * export to OUT removes (it holds a lock on it while it runs, so a running
 * export's directory is never removed).  The manifest schema and the label
 * checksum are defined in docs/guide.md ("accord export").
 */
#ifndef ACCORD_EXPORT_H
#define ACCORD_EXPORT_H

#include <signal.h>

#include "accord/consensus.h"
#include "accord/split.h"
#include "accord/store.h"

enum export_format {
	EXPORT_CSV = 0,
	EXPORT_JSONL,
	EXPORT_IMAGEFOLDER,
	EXPORT_AUDIOFOLDER,
	/* Label Studio tasks (tasks.json) and the labeling config beside it:
	 * every item, every labeler's label in force, the consensus as a
	 * prediction (core/export_ls.c). */
	EXPORT_LABEL_STUDIO,
	/* A Hugging Face imagefolder/audiofolder tree: train/validation/test,
	 * CLASS folders, metadata.jsonl and a dataset card naming the classes
	 * (core/export_hf.c). */
	EXPORT_HF,
};
/* "csv", "jsonl", "imagefolder", "audiofolder", "label-studio", "hf";
 * back: -1 if unknown. */
const char *export_format_name(enum export_format f);
int export_format_from_name(const char *s);

enum export_layout {
	EXPORT_FLAT = 0,	/* split/file */
	EXPORT_BY_CLASS,	/* split/class/file (torchvision ImageFolder) */
};

/* Why an item is not in the export. */
enum export_reason {
	EXPORT_KEPT = 0,
	EXPORT_AMBIGUOUS,	/* the newest adjudication says ambiguous */
	EXPORT_UNLABELED,	/* no label in force and no decision */
	EXPORT_TIE,		/* the vote (or posterior) is tied */
	EXPORT_BORDERLINE,	/* consensus is the borderline class */
	EXPORT_LOW_CONFIDENCE,	/* confidence below --min-confidence */
	EXPORT_NREASONS
};
/* "ambiguous", "unlabeled", "tie", "borderline", "low_confidence". */
const char *export_reason_name(enum export_reason r);

struct export_opts {
	const char *user;	/* the real OS user; must be sme or admin */
	const char *out;	/* the directory to create */
	enum export_format format;
	enum export_layout layout;	/* folder formats only */
	enum consensus_method method;
	enum consensus_method fallback;	/* majority or dawid-skene */
	double min_confidence;		/* 0..1 */
	int include_borderline;
	struct split_spec split;
	const char *group_by;	/* NULL, or a metadata key */
	/* Write CSV cells as they are: no quote before one a spreadsheet
	 * would read as a formula (csv_put_field). */
	int csv_raw;
	/* label-studio: what goes before each item's path, percent-encoded,
	 * in the task's data.image / data.audio; NULL: Label Studio's local
	 * storage, "/data/local-files/?d=". */
	const char *ls_url_prefix;
	/* Hard-link media files instead of copying them. */
	int link;
	/* Replace an existing OUT, which must be an earlier export (its
	 * manifest lists every file in it), only once the new one is
	 * complete. */
	int force;
	/* When not NULL and set (by a signal handler), the export stops at
	 * the next file, removes its temporary directory and fails. */
	volatile sig_atomic_t *cancel;
};

struct export_result {
	int nclasses;
	char **classes;		/* names, position order */
	int nparts;
	long long *counts;	/* nparts x nclasses exported items */
	long long exported;
	long long left_out[EXPORT_NREASONS];	/* [EXPORT_KEPT] unused */
	int nfiles;		/* files written, manifest.json included */
	/* Folder formats: media files hard-linked (--link), copied as
	 * reflinks, and copied byte by byte. */
	long long links, reflinks, copies;
	long long stored;	/* ... written out of the store (import
				 * --store-media kept their bytes) */
	char labels_sha256[65];
	int ds_ran, ds_iterations, ds_converged, ds_max_iter;
	double ds_rel_change, ds_tol;	/* last relative change, tolerance */
	int ds_few_labels;	/* items of 1-2 labels: majority vote */
	int ds_unused_top;	/* items whose top class nobody gave */
	/* NULL, or what the user should know though the export succeeded
	 * (a split left empty and why, ...): lines, each ending in '\n'. */
	char *notes;
};

/*
 * Run the export.  Reads everything in one read transaction (one
 * snapshot of the store, whatever labelers commit meanwhile; the caller
 * must not be in a transaction), computes the consensus, splits and
 * writes.  Writes an audit row "export" on success.  Returns 0
 * and fills *res (free with export_result_free), or -1 with *cause and
 * nothing at OUT (an existing OUT is left as it was).
 */
int export_run(struct store *st, const struct export_opts *o,
    struct export_result *res, char **cause);
void export_result_free(struct export_result *res);

#endif
