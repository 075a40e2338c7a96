/*
 * labels.h: label rows: importing existing labels, and reading every row
 * with its provenance.
 *
 * Labels are append-only.  A label row names the item, the labeler, the
 * class (NULL when the row withdraws the labeler's label), the guideline
 * version in force, and where it came from: the label screen, or a file
 * imported by a user (label_imports row).  The label in force for an
 * (item, labeler) pair is its newest row.
 */
#ifndef ACCORD_LABELS_H
#define ACCORD_LABELS_H

#include <stddef.h>

#include "accord/csv.h"
#include "accord/store.h"

/*
 * Import labels from a CSV (header: file or sha256, labeler, class, and
 * optionally seconds, note, guideline, time) or JSON Lines file (objects
 * with the same keys), chosen by the .jsonl/.json extension.  `file` is a
 * path relative to the labels file's directory, an absolute path, a base
 * name that names one item, or (column sha256) the content hash.  Admins
 * only.  All or nothing: every bad row is reported through on_error
 * ("FILE:LINE", message) and then nothing is written.  A labeler may appear
 * once per item in a file.  Returns the number of rows imported, or -1
 * (*cause set; bad rows counted in *nbad when not NULL).  Rows under a
 * member's name are allowed: labels_import_from with LABELS_ACCORD and
 * as_member set.
 */
int labels_import(struct store *st, const char *file, const char *user,
    void (*on_error)(void *arg, const char *where, const char *msg),
    void *arg, int *nbad, char **cause);

/*
 * The formats labels_import_from reads (docs/guide.md "labels import"):
 * accord's own CSV/JSON Lines, a Label Studio JSON export, CVAT for images
 * 1.1 XML, a Prodigy JSONL (db-out) file and a doccano JSONL export.
 * LABELS_DETECT tells them apart by their content (labels_sniff).
 */
enum labels_format {
	LABELS_DETECT = 0,
	LABELS_ACCORD,
	LABELS_LABEL_STUDIO,
	LABELS_CVAT,
	LABELS_PRODIGY,
	LABELS_DOCCANO,
};
/* The --format name ("accord", "label-studio", "ls", "cvat", "prodigy",
 * "doccano"), or -1. */
int labels_format_from_name(const char *name);
/* The canonical name of a format ("label-studio", ...). */
const char *labels_format_name(enum labels_format f);
/* The format of a file by its first bytes (never LABELS_DETECT). */
enum labels_format labels_sniff(const unsigned char *data, size_t len);

struct labels_import_opts {
	enum labels_format format;	/* LABELS_DETECT: by content */
	/* NULL, or a CSV file (header user,labeler) naming the labeler for
	 * each user name or id the other tool wrote. */
	const char *map_users;
	/* NULL, or the labeler of every row of a file that names none
	 * (CVAT, doccano) or whose annotator is to be overridden. */
	const char *labeler;
	/* Allow rows under the name of a current member of the project
	 * (refused otherwise: an admin's import would supersede the
	 * member's own label). */
	int as_member;
};

struct labels_import_result {
	enum labels_format format;	/* what was read */
	int imported;			/* label rows written */
	int skipped;			/* annotations that carry no label:
					 * cancelled, ignored, empty */
	int gold;			/* gold rows written (ground truth) */
	int members;			/* rows under a member's name */
};

/*
 * labels_import with options: any of the formats above, user names mapped,
 * members' names allowed.  The same all-or-nothing contract: every bad
 * row or record is reported through on_error ("FILE:WHERE", message) and
 * nothing is written.  0 with *res filled, or -1 with *cause.
 */
int labels_import_from(struct store *st, const char *file, const char *user,
    const struct labels_import_opts *o,
    void (*on_error)(void *arg, const char *where, const char *msg),
    void *arg, int *nbad, struct labels_import_result *res, char **cause);

/*
 * The parsing half of labels_import, which needs no store (the fuzz harness
 * tests/fuzz/fuzz_labels.c feeds it hostile bytes).  data is len bytes of a
 * labels file: CSV, or JSON Lines when `json` (labels_is_json() tells by
 * the name).  Each CSV record after the header, or each non-blank JSON
 * line, becomes one row: a record of column name -> value (empty CSV
 * fields are NULL) and the line it starts on.  A JSON line that does not
 * parse is reported through on_error ("NAME:LINE", message), counted in
 * *nbad, and skipped; a CSV error fails the whole parse.  Returns 0 with
 * *rows and *nrows (labels_rows_free after), or -1 with *cause.
 */
struct label_input {
	int line;
	char *where;		/* NULL: "NAME:LINE"; else where the row
				 * came from ("F:task 12, annotation 3") */
	struct record r;
};
int labels_parse(const char *name, const unsigned char *data, size_t len,
    int json, struct label_input **rows, int *nrows,
    void (*on_error)(void *arg, const char *where, const char *msg),
    void *arg, int *nbad, char **cause);
void labels_rows_free(struct label_input *rows, int n);
/* True when the file name ends in .jsonl, .json or .ndjson. */
int labels_is_json(const char *file);

/*
 * The reading half of labels_import_from for another tool's file (f is
 * neither LABELS_DETECT nor LABELS_ACCORD), which needs no store (the fuzz
 * harness tests/fuzz/fuzz_labels_tools.c feeds it hostile bytes): data is
 * len bytes of the file called name; p gives the classes (a Prodigy choice
 * is read through them); users (NULL: none) maps the tool's users to
 * labelers.  Each annotation becomes a row with accord's keys plus `name`
 * (the media's base name) and `gold`; a bad record is reported through
 * on_error ("NAME:WHERE", message) and counted in *nbad; annotations that
 * carry no label are counted in *skipped.  0 with *rows and *nrows
 * (labels_rows_free after), or -1 with *cause (not of the format, or not
 * parsable) and no rows.
 */
struct project;
int labels_read_tool(const char *name, const unsigned char *data, size_t len,
    enum labels_format f, const struct project *p,
    const struct labels_import_opts *o, const struct record *users,
    struct label_input **rows, int *nrows,
    void (*on_error)(void *arg, const char *where, const char *msg),
    void *arg, int *nbad, int *skipped, char **cause);

struct label_row {
	long long id;
	long long item;
	const char *path;
	const char *sha256;
	const char *labeler;
	const char *class_name;	/* NULL: label withdrawn */
	const char *note;
	int guideline;
	double seconds;		/* < 0: not recorded */
	const char *created_at;
	long long supersedes;	/* 0: none */
	int current;		/* the row in force for (item, labeler) */
	const char *provenance;	/* "label screen" / "imported from F by U" */
	const char *view;	/* what the labeler saw (media.h
				 * image_view_text); NULL: fitted, unadjusted */
};

/* Every label row, oldest first; fn's strings live until it returns.
 * Every labeler's labels: sme or admin only (labelers label blind). */
int labels_each(struct store *st, const char *user,
    int (*fn)(void *arg, const struct label_row *r), void *arg, char **cause);

#endif
