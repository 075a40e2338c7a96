/*
 * store.c: opening, creating and migrating the project store, transactions,
 * and the prepared-statement helpers core modules share (internal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlutil.h"

/* 'ACRD': PRAGMA application_id marks the file as an accord store. */
#define STORE_BUSY_MS 10000
#define STORE_APPLICATION_ID 0x41435244

/*
 * Waiting for a lock another process holds.  sqlite3_busy_timeout sleeps
 * 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms between tries, so
 * a process that has waited a while tries ten times less often than one
 * that just arrived, and newcomers keep taking the write lock first.  With
 * 16 labelers writing at once that starved old waiters into the timeout
 * (tests/stress/labelers.sh: 4 of 16 labelers failed with "database is
 * locked" after 10 s; commit p99 4 s).  Here every waiter tries again
 * after a random pause of 2 to 10 ms whatever its age, so the lock goes to
 * waiters in about random order and a wait of n transactions has
 * probability (1 - 1/waiters)^n.  (Pauses of 1 to 4 ms did as well and
 * spent twice the CPU on polling.)  The limit is STORE_BUSY_MS of wall
 * time.
 */
static int
store_busy(void *arg, int tries)
{
	struct store *st = arg;
	double now = acc_monotonic();
	struct timespec ts;

	if (tries == 0 && !st->busy_carry)
		st->busy_since = now;
	if ((now - st->busy_since) * 1e3 >= STORE_BUSY_MS)
		return 0;
	/* A 32-bit LCG (Numerical Recipes) is plenty for a jitter. */
	st->busy_rng = st->busy_rng * 1664525u + 1013904223u;
	ts.tv_sec = 0;
	ts.tv_nsec = 2000000L + (long)((st->busy_rng >> 8) % 8000000u);
	nanosleep(&ts, NULL);
	return 1;
}

static void
store_wait_busy(struct store *st)
{
	/* Through unsigned long long: the microseconds pass 2^32 after
	 * 71 minutes of uptime, and a too large double to unsigned
	 * conversion is undefined. */
	st->busy_rng = (unsigned)getpid() * 2654435761u ^
	    (unsigned)(unsigned long long)(acc_monotonic() * 1e6);
	sqlite3_busy_handler(st->db, store_busy, st);
}

int
store_audit(struct store *st, const char *user, const char *action,
    const char *detail, char **cause)
{
	char now[32];
	const struct sql_arg a[] = { SQL_TEXT(now), SQL_TEXT(user),
	    SQL_TEXT(action), SQL_TEXT(detail) };

	acc_now_iso(now);
	return SQL_WRITE(st, "INSERT INTO audit (at, user, action, detail) "
	    "VALUES (?, ?, ?, ?)", a, cause);
}

/*
 * A write transaction waits its turn in the writers' queue first
 * (store_wq.c); the time spent there counts against STORE_BUSY_MS.
 */
int
store_begin(struct store *st, int immediate, char **cause)
{
	int r;

	if (immediate) {
		st->busy_since = acc_monotonic();
		st->busy_carry = 1;
		store_wq_enter(st, STORE_BUSY_MS);
	}
	r = sql_exec(st, immediate ? "BEGIN IMMEDIATE" : "BEGIN", cause);
	st->busy_carry = 0;
	if (r != 0) {
		store_wq_leave(st);
		return -1;
	}
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st, char **cause)
{
	if (sql_exec(st, "COMMIT", cause) != 0)
		return -1;
	st->in_tx = 0;
	store_wq_leave(st);
	return 0;
}

/*
 * Under synchronous=FULL, SQLite syncs the WAL inside COMMIT, holding the
 * write lock: one writer's sync at a time (7.5 ms each on this machine's
 * virtual disk), so sixteen labelers together could not pass about 130
 * labels/s.  A label commits under synchronous=NORMAL instead, which
 * writes its WAL frames without syncing them, and then syncs the WAL file
 * here, after the lock is released: the syncs of concurrent labelers
 * overlap, and one flush of the disk covers every frame written before
 * it.  Frames a checkpoint already moved into the database file were
 * synced by the checkpoint (NORMAL syncs the WAL before and the database
 * after each), so a WAL that is gone or restarted lost nothing.
 */
int
store_sync_wal(struct store *st, char **cause)
{
	char *wal = xasprintf("%s-wal", st->path);
	int fd, r = 0;

	fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			r = acc_error(cause, "cannot open %s to sync it: %s", wal,
			    strerror(errno));
	} else {
		if (fdatasync(fd) != 0)
			r = acc_error(cause, "cannot sync %s: %s", wal,
			    strerror(errno));
		close(fd);
	}
	free(wal);
	return r;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
	store_wq_leave(st);
}

int
store_version(struct store *st)
{
	long long v = 0;

	if (sql_int(st, "PRAGMA user_version", NULL, &v, NULL) != 1)
		return -1;
	return (int)v;
}

const char *
store_path(struct store *st)
{
	return st->path;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_rollback(st);
	sql_cache_drop(st);
	sqlite3_close_v2(st->db);
	/* After SQLite's descriptors: see store_wq.c. */
	store_wq_close(st);
	free(st->path);
	free(st);
}

/*
 * Connection settings every process uses.  busy_timeout lets concurrent
 * labelers queue for the write lock instead of failing; WAL lets readers
 * go on while one writes; synchronous=FULL makes every commit durable
 * before it returns (a label the screen showed as saved survives a power
 * cut), which costs little because commits are small or batched.
 */
static int
store_configure(struct store *st, char **cause)
{
	sqlite3_extended_result_codes(st->db, 1);
	if (sql_exec(st, "PRAGMA foreign_keys = ON; "
	    "PRAGMA synchronous = FULL;", cause) != 0)
		return -1;
	return 0;
}

/* Apply migrations current+1 .. target, each in its own transaction. */
static int
store_migrate(struct store *st, int target, char **cause)
{
	int v = store_version(st);

	if (v < 0)
		return sql_fail(st, cause, "cannot read schema version");
	while (v < target) {
		const char *sql = schema_migration(v + 1);
		char pragma[64];

		if (sql == NULL)
			return acc_error(cause, "no migration to schema %d", v + 1);
		if (store_begin(st, 1, cause) != 0)
			return -1;
		/* Another process may have migrated while we waited. */
		if (store_version(st) != v) {
			store_rollback(st);
			v = store_version(st);
			continue;
		}
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (sql_exec(st, sql, cause) != 0 ||
		    sql_exec(st, pragma, cause) != 0 ||
		    store_commit(st, cause) != 0) {
			store_rollback(st);
			return -1;
		}
		v++;
	}
	return 0;
}

static struct store *
store_new(const char *path)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->path = xstrdup(path);
	return st;
}

void
store_unlink_files(const char *path)
{
	char *p;

	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-journal", path);
	unlink(p);
	free(p);
}

static int store_create_files(const char *, int, struct store **, char **);
static int store_open_files(const char *, struct store **, char **);

int
store_create(const char *path, int version, struct store **out, char **cause)
{
	int rc;

	rc = store_create_files(path, version, out, cause);
	return rc;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	int rc;

	rc = store_open_files(path, out, cause);
	return rc;
}

/*
 * A read-write connection to path that waits on a busy store.  Returns it,
 * or NULL with *cause.
 */
static struct store *
store_connect(const char *path, char **cause)
{
	struct store *st = store_new(path);

	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sql_fail(st, cause, "cannot open store");
		store_close(st);
		return NULL;
	}
	/* Before the first read: a store another process is writing (or
	 * checkpointing) must be waited for, not reported as unreadable. */
	store_wait_busy(st);
	return st;
}

static int
store_create_files(const char *path, int version, struct store **out,
    char **cause)
{
	struct store *st;
	char pragma[64];
	int fd;

	if (version < 1 || version > STORE_SCHEMA_VERSION)
		return acc_error(cause, "no schema version %d", version);
	/* O_EXCL claims the name atomically: two inits never share a file. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0664);
	if (fd == -1) {
		if (errno == EEXIST)
			return acc_error(cause, "already exists; accord init "
			    "never overwrites a file");
		return acc_error(cause, "cannot create: %s", strerror(errno));
	}
	close(fd);

	if ((st = store_connect(path, cause)) == NULL) {
		store_unlink_files(path);
		return -1;
	}
	snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d",
	    STORE_APPLICATION_ID);
	if (sql_exec(st, "PRAGMA journal_mode = WAL", cause) != 0 ||
	    sql_exec(st, pragma, cause) != 0 ||
	    store_configure(st, cause) != 0 ||
	    store_migrate(st, version, cause) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	store_unlink_files(path);
	return -1;
}

/*
 * SQLite creates DB-wal and DB-shm with open(O_CREAT) under the umask and
 * only then fchmod()s them to the store's mode.  Another user's process
 * that opens one in between finds it unwritable and keeps a read-only
 * store ("attempt to write a readonly database": 1 of 16 labelers starting
 * at once, tests/stress/labelers.sh, whenever the umask strips bits the
 * store has).  So a missing one is made here with the store's mode from
 * the start: an unnamed file (O_TMPFILE) in the store's directory, given
 * the mode (and, as SQLite does for root, the owner), then linked into
 * place, which either puts a file with the right mode there or finds one.
 * An empty WAL is no WAL and an empty -shm is set up by the first
 * connection, so SQLite sees nothing unusual.  Best effort: where any
 * step fails, SQLite creates the file as before.
 */
static void
store_sidecars(const char *path)
{
	static const char *const suffix[] = { "-wal", "-shm" };
	struct stat sb;
	char *dir, *slash, proc[64];
	size_t i;
	int fd;

	if (stat(path, &sb) != 0)
		return;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else
		slash[slash == dir] = '\0';
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char *f = xasprintf("%s%s", path, suffix[i]);

		if (faccessat(AT_FDCWD, f, F_OK, AT_EACCESS) != 0 &&
		    (fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC,
		    sb.st_mode & 0777)) >= 0) {
			if (fchmod(fd, sb.st_mode & 0777) == 0 &&
			    (geteuid() != 0 ||
			    fchown(fd, sb.st_uid, sb.st_gid) == 0)) {
				snprintf(proc, sizeof proc, "/proc/self/fd/%d",
				    fd);
				/* EEXIST: someone was quicker; theirs is used. */
				(void)linkat(AT_FDCWD, proc, AT_FDCWD, f,
				    AT_SYMLINK_FOLLOW);
			}
			close(fd);
		}
		free(f);
	}
	free(dir);
}

static int
store_open_files(const char *path, struct store **out, char **cause)
{
	struct store *st;
	long long appid = 0;
	int v, tries;

	if (faccessat(AT_FDCWD, path, F_OK, AT_EACCESS) != 0)
		return acc_error(cause, "no such project store (create one "
		    "with accord init)");
	store_sidecars(path);
	if ((st = store_connect(path, cause)) == NULL)
		return -1;
	/* Reading application_id is the first read: garbage fails here,
	 * before any setting that might try to write. */
	/*
	 * SQLite can answer SQLITE_BUSY without calling the busy handler
	 * while another connection opens or closes the WAL (recovery, the
	 * last close's checkpoint), so the first read retries for a while.
	 */
	for (tries = 0;; tries++) {
		if (sql_int(st, "PRAGMA application_id", NULL, &appid, NULL) >= 0)
			break;
		if ((sqlite3_errcode(st->db) & 0xff) != SQLITE_BUSY ||
		    tries >= 250) {
			int code = sqlite3_errcode(st->db) & 0xff;

			/* WAL needs to write DB-shm even to read. */
			if ((code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
			    && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0)
				acc_error(cause, "cannot open the store for "
				    "writing (%s)", strerror(errno));
			else
				acc_error(cause, "not an accord project store "
				    "(%s)", sqlite3_errmsg(st->db));
			goto fail;
		}
		usleep(20000);
	}
	if (appid != STORE_APPLICATION_ID) {
		acc_error(cause, "not an accord project store");
		goto fail;
	}
	if (store_configure(st, cause) != 0)
		goto fail;
	v = store_version(st);
	if (v > STORE_SCHEMA_VERSION) {
		acc_error(cause, "store has schema version %d, newer than this "
		    "accord's %d; upgrade accord", v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (sql_exec(st, "PRAGMA journal_mode = WAL", cause) != 0 ||
	    store_migrate(st, STORE_SCHEMA_VERSION, cause) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

