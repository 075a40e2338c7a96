/*
 * store.h: the project store, one SQLite file per project.
 *
 * The store is opened in WAL mode with synchronous=FULL (a commit that
 * returned is on disk), foreign keys on and a busy timeout, so many accord
 * processes can share it.  Its schema is versioned by PRAGMA user_version;
 * opening an older store migrates it, one transaction per version step.
 * Append-only tables (labels, audit, guidelines, members, settings,
 * item_meta) refuse UPDATE and DELETE by trigger: history is never lost.
 */
#ifndef ACCORD_STORE_H
#define ACCORD_STORE_H

struct store;

/* The schema version this build writes and reads. */
#define STORE_SCHEMA_VERSION 7

/*
 * Create a new, empty store at path (schema at `version`, normally
 * STORE_SCHEMA_VERSION; tests pass older versions to test migrations).
 * Refuses if anything exists at path.  On failure nothing is left behind.
 * Returns 0 and *out (free with store_close), or -1 with *cause.
 */
int store_create(const char *path, int version, struct store **out,
    char **cause);

/*
 * Open an existing store, migrating it to STORE_SCHEMA_VERSION if older.
 * Refuses a file that is not an accord store, or one written by a newer
 * accord.  Returns 0 and *out, or -1 with *cause.
 */
int store_open(const char *path, struct store **out, char **cause);

void store_close(struct store *st);

/* The schema version of the open store. */
int store_version(struct store *st);

/* Path the store was opened with. */
const char *store_path(struct store *st);

/*
 * Transactions.  store_begin(st, 1, ...) is BEGIN IMMEDIATE (takes the write
 * lock now, so a read-then-write decision cannot race another writer).
 * Each returns 0, or -1 with *cause; store_rollback never fails.
 */
int store_begin(struct store *st, int immediate, char **cause);
int store_commit(struct store *st, char **cause);
void store_rollback(struct store *st);

/* Run `PRAGMA integrity_check`; 0 when "ok", else -1 with *cause. */
int store_check(struct store *st, char **cause);

#endif
