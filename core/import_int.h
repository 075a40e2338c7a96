/*
 * import_int.h: what the pieces of accord import share: import.c (the
 * worker pool and import_run), import_walk.c (finding the files),
 * import_meta.c (the metadata CSV) and import_store.c (the writer).
 * Nothing outside core/ sees it.
 */
#ifndef ACCORD_IMPORT_INT_H
#define ACCORD_IMPORT_INT_H

#include "accord/csv.h"
#include "accord/import.h"
#include "accord/media.h"
#include "internal.h"

/* One file to import. */
struct imp_file {
	char *path;		/* canonical */
	long long bytes;
	long long mtime;	/* ns since the epoch */
	int named;		/* named on the command line, not walked to */
	long long item;		/* already imported unchanged: its item id */
};

/* What a worker found in one file. */
struct imp_result {
	int state;		/* 0 pending, 1 ready (guarded by pool.lock) */
	char sha[65];
	struct media_info info;
	char *error;
};

/* --- walking (import_walk.c) ----------------------------------------- */

/* The extensions of the files a directory's walk skipped, and how many
 * of each (IMP_EXTS kinds at most; the rest counted in `other`). */
#define IMP_EXTS 8
struct imp_exts {
	char ext[IMP_EXTS][12];	/* ".webp", lower case; "" none */
	int count[IMP_EXTS];
	int n, other;
};

struct imp_walk {
	struct imp_file *files;
	int n, cap;
	enum media_kind kind;
	int skipped;		/* files of another media kind */
	struct imp_exts exts;	/* of the directory being walked */
	const struct import_opts *opts;
	int failed;		/* paths that could not be read */
};

/*
 * Find the files of media kind under opts->paths (each told problem goes
 * to opts->on_error and counts in w->failed): one entry per canonical path,
 * sorted by path.  imp_walk_free frees w's files.
 */
void imp_walk_paths(struct imp_walk *w, const struct import_opts *opts,
    enum media_kind kind);
void imp_walk_free(struct imp_walk *w);

/* --- the metadata CSV (import_meta.c) -------------------------------- */

struct imp_meta_key {
	const char *key;	/* resolved path or base name */
	int row;
};

struct imp_meta {
	struct csv csv;
	char *file;		/* the CSV's path, as given */
	char *source;		/* "csv:" + canonical path */
	int filecol;
	struct imp_meta_key *bypath, *byname;
	int npath, nname;
	int *matched;		/* per row */
};

/* Read and index FILE; 0, or -1 with *cause.  imp_meta_free after 0. */
int imp_meta_load(struct imp_meta *m, const char *file, char **cause);
void imp_meta_free(struct imp_meta *m);
/*
 * The CSV rows naming the file at path (by path, else by base name), at
 * most max of them, into rows; returns how many.
 */
int imp_meta_rows(const struct imp_meta *m, const char *path, int *rows,
    int max);
/* Count the rows applied in s->meta_rows; tell and count the others. */
void imp_meta_unmatched(const struct imp_meta *m,
    const struct import_opts *opts, struct import_stats *s);

/* --- the writer (import_store.c) ------------------------------------- */

struct imp_writer {
	struct store *st;
	const struct import_opts *opts;
	struct imp_meta *meta;	/* NULL: no --meta */
	struct sql_stmt *item, *find, *source, *metric, *metaput, *batch, *batchid;
	struct sql_stmt *blob_has, *blob, *chunk;	/* store_media */
	long long batch_id;
	const char *batch_name;
	int in_tx, tx_items;	/* a transaction is open; items in it */
	long long tx_bytes;	/* media bytes stored in it */
	double tx_start;	/* when it began (acc_monotonic) */
	char now[32];
	unsigned char *chunkbuf;	/* MEDIA_CHUNK_BYTES, store_media */
	int stored;		/* contents kept in the store so far */
	uint64_t stored_bytes;
};

/* Prepare w's statements; imp_writer_finalize after, even on -1. */
int imp_writer_prepare(struct imp_writer *w, char **cause);
void imp_writer_finalize(struct imp_writer *w);
/* Commit the open transaction, if any. */
int imp_writer_commit(struct imp_writer *w, char **cause);
/* A file imported before, unchanged: only its metadata rows again. */
int imp_writer_unchanged(struct imp_writer *w, const struct imp_file *f,
    char **cause);
/*
 * Write one probed file.  *dup set when the content was already stored.
 * With store_media its bytes too; when the file cannot be stored as the
 * worker probed it (changed since, grown past the limit, unreadable now)
 * *why says so (the caller tells it and frees it) and nothing of the
 * file is written.  -1 with *cause when the store fails.
 */
int imp_writer_put(struct imp_writer *w, const struct imp_file *f,
    const struct imp_result *r, int *dup, char **why, char **cause);
/* Mark files already imported with the same path, size and mtime (and,
 * with store_media, whose content is kept in the store). */
int imp_find_unchanged(struct store *st, struct imp_file *files, int n,
    int store_media, char **cause);
/* The largest file imported: opts->max_bytes, at most MEDIA_MAX_FILE_BYTES. */
size_t imp_max_bytes(const struct import_opts *opts);

#endif
