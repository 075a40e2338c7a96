/*
 * check.h: is the project intact?  `accord check`: the store's own
 * consistency (PRAGMA integrity_check) and every item's file re-hashed
 * against the SHA-256 recorded at import.
 *
 * An item whose bytes the store keeps (import --store-media) is intact
 * when that copy hashes right, whatever its paths hold (the files may be
 * on another host); its copy is read a chunk at a time.  When it does
 * not, it is reported once, damaged, with its first path.  Any other item
 * is intact when at least one of the paths it was imported from
 * (item_sources) holds a file with its hash.  For an item that is not, each
 * of its paths is reported once: missing (nothing there: moved or
 * deleted), changed (a file is there with other content) or unreadable
 * (a permission or I/O error).  Members with the sme or admin role only
 * (check reads every file of the project, a heavy job on a shared host);
 * the store is not written, except for the audit row of a refusal.
 */
#ifndef ACCORD_CHECK_H
#define ACCORD_CHECK_H

#include "accord/store.h"

enum check_state {
	CHECK_MISSING = 1,
	CHECK_CHANGED,
	CHECK_UNREADABLE,
	CHECK_DAMAGED,		/* the copy kept in the store */
};

/* "missing", "changed", "unreadable", "damaged" */
const char *check_state_name(enum check_state s);

/* One path of an item that is not intact, or its damaged stored copy. */
struct check_problem {
	long long item;
	const char *path;	/* DAMAGED: the item's first path */
	const char *sha256;	/* recorded at import */
	enum check_state state;
	const char *found;	/* CHANGED: the file's SHA-256 now;
				 * UNREADABLE: the error; DAMAGED: what is
				 * wrong with the copy; else NULL */
};

struct check_result {
	int integrity_ok;
	char *integrity;	/* integrity_check's complaint; NULL when ok */
	long long items, items_ok, items_bad;
	long long paths, missing, changed, unreadable;
	long long stored, damaged;	/* items whose bytes the store keeps;
					 * of those, copies damaged */
	long long bytes_hashed;
};

/*
 * Run the whole check as `user` (sme or admin, else -1 and *cause).
 * fn (may be NULL) gets each problem path in item order as it is found;
 * its strings live until it returns.  The store's integrity is checked
 * first; the files are checked even when it fails, unless some items
 * cannot be read (then none is checked).  The items are read a batch at a
 * time, each read ending before their files are hashed, so memory does
 * not grow with the store; should a read fail part way on a store that
 * passed integrity_check, fn has had the problems of the items before.
 * Returns 0 with *res filled (check_result_free after) whether or not
 * problems were found, -1 with *cause when the check could not run.
 */
int check_project(struct store *st, const char *user,
    void (*fn)(void *arg, const struct check_problem *p), void *arg,
    struct check_result *res, char **cause);
void check_result_free(struct check_result *res);

/*
 * SHA-256 of the file at path, read in 1 MiB blocks (files of any size),
 * as 64 lowercase hex digits.  *bytes (may be NULL) gets its size.
 * 0; or -1 with errno set (ENOENT for a missing file) and *cause.
 */
int check_hash_file(const char *path, char out[65], long long *bytes,
    char **cause);

#endif
