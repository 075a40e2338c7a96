/*
 * import.h: bringing media files into the store.
 *
 * import_run() walks the given paths (directories recursively, keeping the
 * files whose extension is of the project's media kind; files named
 * directly are always tried), skips files already imported unchanged (same
 * path, size and mtime), and has `jobs` worker threads read, hash (SHA-256),
 * decode and measure each file while the calling thread alone writes to the
 * store, committing every few hundred items.  An item, its source path and
 * its metadata are written in one transaction, so a process killed at any
 * point leaves whole items only, and a re-run imports the rest.  The same
 * content under two paths is one item with two sources.
 *
 * With store_media, each file's bytes are also kept in the store (media.h,
 * "Media kept in the store"), once per content: the writer reads the file
 * again a chunk at a time into the item's transaction and checks the
 * bytes still hash to what the worker found (a file changed in between is
 * told as failed, and nothing of it is written).  A file imported before
 * without its bytes is not "unchanged" then: its bytes are added.
 *
 * Callbacks run on the calling thread.  Only admins may import.
 */
#ifndef ACCORD_IMPORT_H
#define ACCORD_IMPORT_H

#include <stdint.h>

#include "accord/store.h"

struct import_stats {
	int total;		/* files found to consider */
	int done;		/* of total, handled so far */
	int imported;		/* new items */
	int duplicates;		/* content already in the store (new path) */
	int unchanged;		/* path already imported, same size and mtime */
	int failed;
	int skipped;		/* other media kind, found while walking */
	int meta_rows;		/* metadata CSV rows applied */
	int meta_unmatched;	/* metadata CSV rows naming no imported file */
	uint64_t bytes;		/* bytes read and hashed */
	int stored;		/* store_media: contents newly kept in the store */
	uint64_t stored_bytes;	/* ... and their bytes */
	double seconds;
};

struct import_opts {
	const char *const *paths;
	int npaths;
	const char *meta_csv;	/* NULL, or CSV with a "file" column */
	const char *batch;	/* NULL: a name from the current time */
	int jobs;		/* worker threads; <= 0: online CPUs */
	int store_media;	/* keep the files' bytes in the store */
	/* Files over this many bytes fail ("file is N bytes, over the
	 * M-byte limit"); 0 or more than MEDIA_MAX_FILE_BYTES: that. */
	long long max_bytes;
	const char *user;
	/* One bad file, or a directory with no file of the media kind
	 * (path, one-line message).  Required. */
	void (*on_error)(void *arg, const char *path, const char *msg);
	/* Progress, at most ~10 times a second, and once at the end. */
	void (*on_progress)(void *arg, const struct import_stats *s);
	void *arg;
};

/*
 * Returns 0 when the run completed (some files may have failed: see
 * stats->failed), -1 with *cause when it could not run at all (no store
 * access, bad metadata CSV, not an admin); then nothing was imported.
 * *batch_name gets the batch's name (malloc'd) when not NULL.
 */
int import_run(struct store *st, const struct import_opts *opts,
    struct import_stats *stats, char **batch_name, char **cause);

#endif
