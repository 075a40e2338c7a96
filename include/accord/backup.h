/*
 * backup.h: `accord backup`: a consistent copy of a live store through
 * SQLite's online backup API, while labelers keep working.
 *
 * The copy is the store as it was when the backup began (it reads one
 * snapshot; labels committed during the copy are in the store, not in the
 * copy).  It is written to DEST.tmp, checked with PRAGMA quick_check and
 * against the snapshot's page count, schema version and newest item and
 * label, fsync'ed, and renamed to DEST without replacing anything there, so DEST
 * is either absent or a complete, checked copy.  Members with the sme or
 * admin role only (the copy holds the whole project); an audit row records
 * each backup.
 */
#ifndef ACCORD_BACKUP_H
#define ACCORD_BACKUP_H

#include "accord/store.h"

struct backup_opts {
	int step_pages;		/* pages copied per step (default 4096) */
	int pause_ms;		/* sleep after a step in which another
				 * connection wrote (default 10), so the
				 * copy gives way to labelers */
};

struct backup_result {
	long long pages;
	long long bytes;
	int steps;
	int pauses;		/* steps after which it paused: the WAL grew */
	double seconds;
};

/*
 * Back the store up to dest as `user`.  Refuses if dest (or dest.tmp)
 * exists.  opts may be NULL for the defaults.  0 and *res, or -1 with
 * *cause (nothing left at dest or dest.tmp).
 */
int store_backup(struct store *st, const char *user, const char *dest,
    const struct backup_opts *opts, struct backup_result *res, char **cause);

#endif
