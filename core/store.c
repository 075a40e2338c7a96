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
#include <sys/statvfs.h>
#include <pthread.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include "sqlutil.h"
#include "queue_pg.h"
#include "schema_pg.h"
#include "store_pg.h"

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
	return SQL_WRITE(st, "INSERT INTO audit (at, \"user\", action, detail) "
	    "VALUES (?, ?, ?, ?)", a, cause);
}

static int store_begin_pg(struct store *, int, char **);

/*
 * A write transaction waits its turn in the writers' queue first
 * (store_wq.c); the time spent there counts against STORE_BUSY_MS.
 */
int
store_begin(struct store *st, int immediate, char **cause)
{
	int r;

	if (st->create_pending) {
		/* store_create's transaction: the first one is that one. */
		st->create_pending = 0;
		return 0;
	}
	if (st->kind == STORE_PG)
		return store_begin_pg(st, immediate, cause);
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
	char *wal;
	int fd, r = 0;

	/* The server's commit is durable when it returns. */
	if (st->kind == STORE_PG)
		return 0;
	wal = xasprintf("%s-wal", st->path);
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
	st->create_pending = 0;
	if (st->kind == STORE_PG) {
		if (st->pg != NULL && pg_in_tx(st))
			(void)pg_exec(st, "ROLLBACK");
	} else if (st->db != NULL && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
	store_wq_leave(st);
}

/* PostgreSQL's own schema version (schema_pg.h), or -1. */
static int
pg_version(struct store *st)
{
	long long v = 0;

	if (sql_int(st, "SELECT max(version) FROM schema_version", NULL, &v,
	    NULL) != 1)
		return -1;
	return (int)v;
}

/* On PostgreSQL, the SQLite version its schema holds the state of. */
int
store_version(struct store *st)
{
	long long v = 0;

	if (st->kind == STORE_PG) {
		int pv = pg_version(st);

		return pv < 0 ? -1 : schema_pg_sqlite_version(pv);
	}
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
	if (st->kind == STORE_PG) {
		pg_close(st);
		free(st->path);
		free(st);
		return;
	}
	sqlite3_close_v2(st->db);
	/* After SQLite's descriptors: see store_wq.c. */
	store_wq_close(st);
	store_made_free(st->made);
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

/*
 * Removes a store file and its -wal, -shm and -journal by path, whatever
 * the path names by then: only for a file the caller made in a directory
 * nobody else can write (backup's .tmp, a test's store).  A store init
 * made is removed by store_discard, which removes only what init created.
 */
void
store_unlink_files(const char *path)
{
	char *p;

	/* A PostgreSQL store's failed creation was rolled back whole. */
	if (pg_is_uri(path))
		return;
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
static int store_create_pg(const char *, int, struct store **, char **);
static int store_open_pg(const char *, struct store **, char **);
static int store_open_files(const char *, struct store **, char **);

int
store_create(const char *path, int version, struct store **out, char **cause)
{
	int rc;

	if (pg_is_uri(path))
		return store_create_pg(path, version, out, cause);
	rc = store_create_files(path, version, out, cause);
	return rc;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	int rc;

	if (pg_is_uri(path))
		return store_open_pg(path, out, cause);
	rc = store_open_files(path, out, cause);
	return rc;
}

static int store_os_problem(struct store *, const char *, char **);

/*
 * A read-write connection to path (through VFS vfs, NULL for SQLite's
 * default) that waits on a busy store.  Returns it, or NULL with *cause.
 */
static struct store *
store_connect(const char *path, const char *vfs, char **cause)
{
	struct store *st = store_new(path);

	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, vfs) != SQLITE_OK) {
		if (st->db == NULL || store_os_problem(st, path, cause) == 0)
			sql_fail(st, cause, "cannot open store");
		store_close(st);
		return NULL;
	}
	/* Before the first read: a store another process is writing (or
	 * checkpointing) must be waited for, not reported as unreadable. */
	store_wait_busy(st);
	return st;
}

/*
 * Creating a store so that whatever happens, init removes nothing it did
 * not create (issue 15).  init used to create DB by path and, on failure,
 * unlink DB and its side files by path again, so whoever could write a
 * directory on the way could swap it for a symbolic link in between and
 * have init remove files elsewhere.  SQLite, too, opens, creates and
 * deletes DB-journal, DB-wal and DB-shm by path (resolving every symbolic
 * link in it again each time), and deletes a -journal or -wal it finds
 * next to an empty database (pager.c: hasHotJournal,
 * pagerOpenWalIfPresent).  So init:
 *
 *  - resolves DB's directory once, a component at a time, following only
 *    symbolic links that root or the user owns (store_dir_open), and
 *    keeps that directory open;
 *  - refuses, touching nothing, when DB, DB-journal, DB-wal or DB-shm
 *    exists already: a side file older than the store is not the store's,
 *    and SQLite would replay it, use it or trip on it;
 *  - creates DB and DB-shm itself in that directory (O_EXCL, O_NOFOLLOW)
 *    and records their device and inode;
 *  - hands SQLite the directory as /proc/self/fd/N/NAME through the
 *    "accord-init" VFS (below), which never re-resolves a name, so every
 *    file SQLite opens, creates or deletes is in the directory init
 *    opened, whatever becomes of the path meanwhile; there SQLite creates
 *    DB-wal with O_EXCL, never sees a DB-journal, and deletes only the
 *    user's regular files;
 *  - sets the journal mode to MEMORY before WAL, so that SQLite never
 *    writes a DB-journal file;
 *  - on failure removes, through the directory descriptor, only the files
 *    it recorded (same device and inode, still the user's) and a DB-wal
 *    that was not there before (store_made_remove).
 *
 * What remains: someone who can write DB's directory itself can still
 * plant or rename files in it while init runs (without the sticky bit
 * they can replace any file there anyway).  init then fails, or makes a
 * store they can spoil, but it never removes their files, nor anything
 * in another directory.  docs/deploy.md says where a store belongs.
 */
enum { MADE_DB, MADE_WAL, MADE_SHM, MADE_JOURNAL, MADE_N };
static const char *const made_suffix[MADE_N] = {
	"", "-wal", "-shm", "-journal"
};

struct store_made {
	int dirfd;		/* DB's directory (O_PATH), resolved once */
	char *name[MADE_N];	/* DB's last component and its side files */
	int made[MADE_N];	/* created by init itself: */
	dev_t dev[MADE_N];	/* ... on this device */
	ino_t ino[MADE_N];	/* ... with this inode */
};

void
store_made_free(struct store_made *m)
{
	int i;

	if (m == NULL)
		return;
	if (m->dirfd >= 0)
		close(m->dirfd);
	for (i = 0; i < MADE_N; i++)
		free(m->name[i]);
	free(m);
}

/* Removes what init made in m's directory, and nothing else. */
static void
store_made_remove(struct store_made *m)
{
	struct stat sb;
	int i, ours;

	for (i = 0; i < MADE_N; i++) {
		if (fstatat(m->dirfd, m->name[i], &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode) || sb.st_uid != geteuid())
			continue;
		if (m->made[i])
			ours = sb.st_dev == m->dev[i] && sb.st_ino == m->ino[i];
		else	/* SQLite's: absent before init, created with O_EXCL */
			ours = i == MADE_WAL && sb.st_dev == m->dev[MADE_DB];
		if (ours)
			(void)unlinkat(m->dirfd, m->name[i], 0);
	}
}

void
store_discard(struct store *st)
{
	struct store_made *m;

	if (st == NULL)
		return;
	m = st->made;
	st->made = NULL;
	store_close(st);
	if (m != NULL) {
		store_made_remove(m);
		store_made_free(m);
	}
}

/*
 * The "accord-init" VFS: SQLite's unix VFS, except that a name is used as
 * given (the unix VFS resolves each symbolic link in a name, the
 * /proc/self/fd/N link included, and would open the directory's path
 * again), a -journal never exists (the store is new: none can be its
 * own), every file but DB is created with O_EXCL, and only regular files
 * of the user's are deleted.  For init's connection only.
 */
static sqlite3_vfs *init_unix;
static sqlite3_vfs init_vfs;
static pthread_once_t init_vfs_once = PTHREAD_ONCE_INIT;

static int
init_vfs_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	size_t len = strlen(name);

	(void)vfs;
	if (n < 0 || len >= (size_t)n)
		return SQLITE_CANTOPEN;
	memcpy(out, name, len + 1);
	return SQLITE_OK;
}

static int
init_vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *res)
{
	size_t len = strlen(name);

	(void)vfs;
	if (len >= 8 && strcmp(name + len - 8, "-journal") == 0) {
		*res = 0;
		return SQLITE_OK;
	}
	return init_unix->xAccess(init_unix, name, flags, res);
}

static int
init_vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
    int flags, int *out)
{
	(void)vfs;
	if ((flags & SQLITE_OPEN_CREATE) && !(flags & SQLITE_OPEN_MAIN_DB))
		flags |= SQLITE_OPEN_EXCLUSIVE;
	return init_unix->xOpen(init_unix, name, f, flags, out);
}

static int
init_vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	struct stat sb;

	(void)vfs;
	if (lstat(name, &sb) == 0 &&
	    (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid()))
		return SQLITE_IOERR_DELETE;
	return init_unix->xDelete(init_unix, name, sync_dir);
}

static void
init_vfs_register(void)
{
	sqlite3_vfs *unix_vfs = sqlite3_vfs_find(NULL);

	if (unix_vfs == NULL)
		return;
	init_vfs = *unix_vfs;
	init_vfs.pNext = NULL;
	init_vfs.zName = "accord-init";
	init_vfs.xFullPathname = init_vfs_fullpath;
	init_vfs.xAccess = init_vfs_access;
	init_vfs.xOpen = init_vfs_open;
	init_vfs.xDelete = init_vfs_delete;
	if (sqlite3_vfs_register(&init_vfs, 0) == SQLITE_OK)
		init_unix = unix_vfs;
}

/* Symbolic links followed at most, as in the kernel's path lookup. */
#define STORE_MAX_LINKS 40

/*
 * Opens directory dir (O_PATH) a component at a time, following a
 * symbolic link only when root or the user owns it: nobody else's link
 * sends init to another directory, however it is swapped in while init
 * runs.  A descriptor, or -1 with *cause.
 */
static int
store_dir_open(const char *dir, char **cause)
{
	char *rest = xstrdup(dir), *p, *next, target[PATH_MAX];
	struct stat sb;
	int fd, nfd = -1, links = 0;
	ssize_t n;

	fd = open(*rest == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		acc_error(cause, "cannot open its directory: %s",
		    strerror(errno));
		goto fail;
	}
	for (p = rest; *p != '\0'; p = next) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		if ((next = strchr(p, '/')) != NULL)
			*next++ = '\0';
		else
			next = p + strlen(p);
		nfd = openat(fd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 || fstat(nfd, &sb) != 0) {
			acc_error(cause, "cannot open its directory (at %s): "
			    "%s", p, strerror(errno));
			goto fail;
		}
		if (S_ISLNK(sb.st_mode)) {
			char *joined;

			if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
				acc_error(cause, "its directory's path goes "
				    "through %s, a symbolic link another user "
				    "(uid %u) owns; give the path without it",
				    p, (unsigned)sb.st_uid);
				goto fail;
			}
			n = readlinkat(nfd, "", target, sizeof target - 1);
			if (n < 0 || ++links > STORE_MAX_LINKS) {
				acc_error(cause, "cannot open its directory "
				    "(at %s): %s", p, n < 0 ? strerror(errno) :
				    "too many symbolic links");
				goto fail;
			}
			target[n] = '\0';
			close(nfd);
			nfd = -1;
			if (target[0] == '/') {
				close(fd);
				fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0) {
					acc_error(cause, "cannot open /: %s",
					    strerror(errno));
					goto fail;
				}
			}
			/* The link's target, then what followed the link. */
			joined = xasprintf("%s/%s", target, next);
			free(rest);
			rest = joined;
			next = rest;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			acc_error(cause, "cannot open its directory: %s is not "
			    "a directory", p);
			goto fail;
		}
		close(fd);
		fd = nfd;
		nfd = -1;
	}
	free(rest);
	return fd;
fail:
	if (nfd >= 0)
		close(nfd);
	if (fd >= 0)
		close(fd);
	free(rest);
	return -1;
}

/*
 * Opens DB's directory and claims DB and DB-shm in it (above).  The
 * record, or NULL with *cause, having created nothing.
 */
static struct store_made *
store_made_start(const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	struct store_made *m;
	struct stat sb;
	char *dir;
	int i, k, fd;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		acc_error(cause, "names a directory, not a file");
		return NULL;
	}
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xasprintf("%.*s", (int)(slash - path), path);
	m = xcalloc(1, sizeof *m);
	m->dirfd = store_dir_open(dir, cause);
	free(dir);
	if (m->dirfd < 0) {
		free(m);
		return NULL;
	}
	for (i = 0; i < MADE_N; i++)
		m->name[i] = xasprintf("%s%s", base, made_suffix[i]);
	if (fstatat(m->dirfd, m->name[MADE_DB], &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		acc_error(cause, "already exists; accord init never "
		    "overwrites a file");
		goto fail;
	}
	for (i = MADE_DB + 1; i < MADE_N; i++)
		if (fstatat(m->dirfd, m->name[i], &sb,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			acc_error(cause, "%s exists already (owner uid %u) "
			    "and cannot belong to a new store; accord init "
			    "neither uses nor removes it: remove it or choose "
			    "another name", m->name[i], (unsigned)sb.st_uid);
			goto fail;
		}
	/*
	 * O_EXCL claims each name atomically: two inits never share a file.
	 * DB-shm is made through the same umask as DB, so it has DB's mode,
	 * as SQLite would give it.
	 */
	for (k = 0; k < 2; k++) {
		i = k == 0 ? MADE_DB : MADE_SHM;
		fd = openat(m->dirfd, m->name[i], O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0664);
		if (fd == -1 && errno == EEXIST && i == MADE_DB)
			acc_error(cause, "already exists; accord init never "
			    "overwrites a file");
		else if (fd == -1 && errno == EEXIST)
			acc_error(cause, "%s appeared while accord init ran; "
			    "it neither uses nor removes it", m->name[i]);
		else if (fd == -1)
			acc_error(cause, "cannot create %s: %s", m->name[i],
			    strerror(errno));
		if (fd == -1)
			goto fail;
		if (fstat(fd, &sb) == 0) {
			m->made[i] = 1;
			m->dev[i] = sb.st_dev;
			m->ino[i] = sb.st_ino;
		}
		close(fd);
	}
	return m;
fail:
	store_made_remove(m);
	store_made_free(m);
	return NULL;
}

/*
 * PRAGMA journal_mode answers the mode it ended in, which is the old one,
 * without an error, when SQLite could not set up the WAL.
 */
static int
store_set_wal(struct store *st, char **cause)
{
	sqlite3_stmt *s;
	const unsigned char *mode;
	int ok;

	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK)
		return sql_fail(st, cause, "cannot set the journal mode");
	ok = sqlite3_step(s) == SQLITE_ROW &&
	    (mode = sqlite3_column_text(s, 0)) != NULL &&
	    sqlite3_stricmp((const char *)mode, "wal") == 0;
	sqlite3_finalize(s);
	if (!ok)
		return sql_fail(st, cause, "cannot set up the WAL");
	return 0;
}

static int
store_create_files(const char *path, int version, struct store **out,
    char **cause)
{
	struct store_made *m;
	struct store *st;
	char pragma[64], *pinned;

	if (version < 1 || version > STORE_SCHEMA_VERSION)
		return acc_error(cause, "no schema version %d", version);
	pthread_once(&init_vfs_once, init_vfs_register);
	if (init_unix == NULL)
		return acc_error(cause, "cannot register SQLite's accord-init "
		    "VFS");
	if ((m = store_made_start(path, cause)) == NULL)
		return -1;
	pinned = xasprintf("/proc/self/fd/%d/%s", m->dirfd, m->name[MADE_DB]);
	if (access(pinned, F_OK) != 0) {
		free(pinned);
		store_made_remove(m);
		store_made_free(m);
		return acc_error(cause, "cannot create it: accord init reaches "
		    "the store's directory through /proc/self/fd, and /proc "
		    "is not mounted");
	}
	st = store_connect(pinned, "accord-init", cause);
	free(pinned);
	if (st == NULL) {
		store_made_remove(m);
		store_made_free(m);
		return -1;
	}
	st->made = m;
	snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d",
	    STORE_APPLICATION_ID);
	if (sql_exec(st, "PRAGMA journal_mode = MEMORY", cause) != 0 ||
	    store_set_wal(st, cause) != 0 ||
	    sql_exec(st, pragma, cause) != 0 ||
	    store_configure(st, cause) != 0 ||
	    store_migrate(st, version, cause) != 0) {
		store_discard(st);
		return -1;
	}
	*out = st;
	return 0;
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
/* The directory holding path ("." for a bare name), malloc'd. */
static char *
store_dir_of(const char *path)
{
	char *dir = xstrdup(path), *slash;

	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		return xstrdup(".");
	}
	slash[slash == dir] = '\0';
	return dir;
}

static void
store_sidecars(const char *path)
{
	static const char *const suffix[] = { "-wal", "-shm" };
	struct stat sb;
	char *dir, proc[64];
	size_t i;
	int fd;

	if (stat(path, &sb) != 0)
		return;
	dir = store_dir_of(path);
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

/*
 * Why path cannot be opened as a store, from what the file system says
 * (errno e of stat): the message for a path that cannot be reached.
 */
static int
store_unreachable(int e, char **cause)
{
	const char *who = acc_os_user();

	if (e == ENOENT)
		return acc_error(cause, "no such project store (create one "
		    "with accord init)");
	if (e == EACCES)
		return acc_error(cause, "permission denied: a directory on "
		    "its path is closed to %s", who != NULL ? who : "you");
	return acc_error(cause, "cannot reach the store: %s", strerror(e));
}

/* "mode 0640, owner bob": who can do what to the file at sb. */
static char *
store_owner(const struct stat *sb)
{
	struct passwd *pw = getpwuid(sb->st_uid);

	if (pw != NULL)
		return xasprintf("mode %04o, owner %s",
		    (unsigned)(sb->st_mode & 07777), pw->pw_name);
	return xasprintf("mode %04o, owner uid %u",
	    (unsigned)(sb->st_mode & 07777), (unsigned)sb->st_uid);
}

/*
 * The OS error behind a failed first read, named as the user would name
 * it.  SQLite says "disk I/O error" or "unable to open database file" for
 * a full disk, a read-only file system and a permission alike; its
 * system errno (sqlite3_system_errno) and the file's modes tell which.
 * Returns -1 with *cause set, or 0 when nothing here explains it.
 */
static int
store_os_problem(struct store *st, const char *path, char **cause)
{
	int code = sqlite3_errcode(st->db) & 0xff;
	int e = sqlite3_system_errno(st->db);
	const char *who = acc_os_user(), *side = NULL;
	char *dir, *mode, *f;
	struct statvfs vfs;
	struct stat sb;
	int r = 0;

	/* SQLite read the file, and it is no database: that is the answer. */
	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		return 0;
	if (who == NULL)
		who = "you";
	if (stat(path, &sb) != 0)
		return store_unreachable(errno, cause);
	if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) != 0) {
		if (errno == EROFS)
			return acc_error(cause, "read-only file system: accord "
			    "writes to the store even to read it (its WAL); "
			    "copy it to a writable place with accord backup");
		mode = store_owner(&sb);
		r = acc_error(cause, "permission denied: %s cannot read and "
		    "write it (%s)", who, mode);
		free(mode);
		return r;
	}
	/* WAL mode needs DB-wal and DB-shm beside the store, made if absent. */
	dir = store_dir_of(path);
	f = xasprintf("%s-shm", path);
	if (faccessat(AT_FDCWD, f, F_OK, AT_EACCESS) != 0)
		side = "-shm";
	free(f);
	f = xasprintf("%s-wal", path);
	if (side == NULL && faccessat(AT_FDCWD, f, F_OK, AT_EACCESS) != 0)
		side = "-wal";
	free(f);
	if (side != NULL &&
	    faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
		r = acc_error(cause, "%s: cannot create the store's %s file "
		    "in %s (%s)", errno == EROFS ? "read-only file system" :
		    "permission denied", side, dir, errno == EROFS ? "accord "
		    "writes beside the store even to read it" :
		    "the directory is read-only for this user");
	} else if (code == SQLITE_FULL || e == ENOSPC || e == EDQUOT ||
	    (code == SQLITE_IOERR && statvfs(dir, &vfs) == 0 &&
	    vfs.f_bavail == 0))
		r = acc_error(cause, "disk full: no room left %sin %s (%s)",
		    e == EDQUOT ? "in the user's quota " : "", dir,
		    sqlite3_errmsg(st->db));
	else if (e == EFBIG)
		r = acc_error(cause, "file size limit reached (ulimit -f): "
		    "%s", sqlite3_errmsg(st->db));
	else if (code == SQLITE_READONLY || e == EROFS)
		r = acc_error(cause, "read-only: %s", sqlite3_errmsg(st->db));
	else if (e == EACCES || e == EPERM)
		r = acc_error(cause, "permission denied: %s (%s)",
		    sqlite3_errmsg(st->db), strerror(e));
	else if (code == SQLITE_IOERR)
		r = acc_error(cause, "I/O error reading the store (%s%s%s)",
		    sqlite3_errmsg(st->db), e != 0 ? ": " : "",
		    e != 0 ? strerror(e) : "");
	free(dir);
	return r;
}

static int
store_open_files(const char *path, struct store **out, char **cause)
{
	struct store *st;
	struct stat sb;
	long long appid = 0, uv = 0;
	int v, tries;

	if (stat(path, &sb) != 0)
		return store_unreachable(errno, cause);
	if (S_ISDIR(sb.st_mode))
		return acc_error(cause, "is a directory, not a project store");
	store_sidecars(path);
	if ((st = store_connect(path, NULL, cause)) == NULL)
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
			if (store_os_problem(st, path, cause) == 0)
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
	/*
	 * store_version's -1 means "cannot read": a user_version of -1 (or
	 * any negative, which no accord writes) would then fail later with
	 * SQLite's "not an error".
	 */
	if (sql_int(st, "PRAGMA user_version", NULL, &uv, cause) < 0)
		goto fail;
	if (uv < 0) {
		acc_error(cause, "store has schema version %lld, which no "
		    "accord writes: it is damaged (restore it from a backup)",
		    uv);
		goto fail;
	}
	v = (int)uv;
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


/*
 * PostgreSQL.  A write transaction takes the project's write lock (a
 * transaction-level advisory lock) before it reads what it decides on, as
 * BEGIN IMMEDIATE does on SQLite: a take or a label sees the state no
 * other writer changes before it commits.  lock_timeout (store_pg.c)
 * bounds the wait.
 */
#define PG_STR(x) #x
#define PG_XSTR(x) PG_STR(x)
#define PG_WRITE_LOCK "SELECT pg_advisory_xact_lock(" \
	PG_XSTR(SCHEMA_PG_WRITER_LOCK) ")"

static int
store_begin_pg(struct store *st, int immediate, char **cause)
{
	if (pg_exec(st, "BEGIN") != 0)
		return acc_error(cause, "store: %s", sql_errmsg(st));
	if (immediate && pg_exec(st, PG_WRITE_LOCK) != 0) {
		acc_error(cause, "store: %s", sql_errmsg(st));
		(void)pg_exec(st, "ROLLBACK");
		return -1;
	}
	pg_tx_began(st, immediate);
	st->in_tx = 1;
	return 0;
}

static struct store *
store_connect_pg(const char *uri, char **cause)
{
	struct store *st = store_new(uri);

	if (pg_connect(st, cause) != 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

/* 1: the database holds an accord schema; 0 not; -1 with *cause. */
static int
pg_has_schema(struct store *st, char **cause)
{
	long long n = 0;

	if (sql_int(st, "SELECT count(*) FROM pg_namespace WHERE nspname = "
	    "'accord'", NULL, &n, cause) < 0)
		return -1;
	return n > 0;
}

/* Apply PostgreSQL migrations v+1 .. target in the open transaction. */
static int
pg_migrate_steps(struct store *st, int v, int target, char **cause)
{
	for (; v < target; v++) {
		const char *sql = schema_pg_migration(v + 1);
		char bump[96];

		if (sql == NULL)
			return acc_error(cause, "no migration to schema %d",
			    v + 1);
		snprintf(bump, sizeof bump, "UPDATE schema_version SET "
		    "version = %d", v + 1);
		if (sql_exec(st, sql, cause) != 0 ||
		    sql_exec(st, bump, cause) != 0)
			return -1;
	}
	return 0;
}

/*
 * A new project in an existing database the DBA made: refuses one that
 * already holds an accord schema.  The schema, the project's security
 * (schema_pg_security) and the caller's first transaction (project_init's
 * rows) are one transaction: the project exists whole or not at all.
 */
static int
store_create_pg(const char *uri, int version, struct store **out,
    char **cause)
{
	struct store *st;
	long long dbname_ok = 0;
	char *sec = NULL, *prefix = NULL, *prep = NULL, *owner = NULL;
	char *set_role = NULL;
	struct sql_stmt *s;
	int has;

	if (version != STORE_SCHEMA_VERSION)
		return acc_error(cause, "no schema version %d", version);
	if ((st = store_connect_pg(uri, cause)) == NULL)
		return -1;
	if (store_begin_pg(st, 1, cause) != 0)
		goto fail;
	if ((has = pg_has_schema(st, cause)) < 0)
		goto fail;
	if (has) {
		acc_error(cause, "already holds an accord project; accord init "
		    "never overwrites one");
		goto fail;
	}
	if (sql_prepare(st, "SELECT current_database()", &s, cause) != 0)
		goto fail;
	if (sql_step(s) == SQL_ROW) {
		prefix = xstrdup(sql_text(s, 0));
		dbname_ok = 1;
	}
	sql_finalize(st, s);
	if (!dbname_ok) {
		sql_fail(st, cause, "cannot read the database's name");
		goto fail;
	}
	if ((prep = schema_pg_prepare(prefix, cause)) == NULL ||
	    (owner = schema_pg_role(prefix, "owner", cause)) == NULL ||
	    (sec = schema_pg_security(prefix, cause)) == NULL)
		goto fail;
	set_role = xasprintf("SET LOCAL ROLE %s", owner);
	if (sql_exec(st, prep, cause) != 0 ||
	    sql_exec(st, set_role, cause) != 0 ||
	    pg_migrate_steps(st, 0, SCHEMA_PG_VERSION, cause) != 0 ||
	    sql_exec(st, sec, cause) != 0 ||
	    queue_pg_install(st, prefix, cause) != 0 ||
	    sql_exec(st, "RESET ROLE", cause) != 0)
		goto fail;
	free(sec);
	free(prep);
	free(owner);
	free(set_role);
	free(prefix);
	st->create_pending = 1;
	*out = st;
	return 0;
fail:
	free(sec);
	free(prep);
	free(owner);
	free(set_role);
	free(prefix);
	store_close(st);
	return -1;
}

/*
 * A store of an older schema, migrated on open as a SQLite store is, when
 * the connection may act as the project's owner role: a superuser (the
 * DBA) opens it once with any command.  The migrations, the project's
 * security made again (grants and policies on the new tables) and the
 * queue's functions (queue_pg_install, CREATE OR REPLACE) are one
 * transaction, under the writer lock; the version is read again under it,
 * so two at once migrate once.  Anyone else gets one line saying who must.
 */
static int
pg_migrate_open(struct store *st, int v, char **cause)
{
	char *prefix = NULL, *owner = NULL, *sec = NULL, *set_role = NULL;
	struct sql_stmt *s;
	long long super = 0;
	int r = -1;

	if (sql_int(st, "SELECT rolsuper::integer FROM pg_roles WHERE "
	    "rolname = session_user", NULL, &super, cause) < 0)
		return -1;
	if (!super)
		return acc_error(cause, "store has PostgreSQL schema version %d "
		    "and this accord needs %d: a superuser (the DBA) migrates "
		    "it by running any accord command on it once", v,
		    SCHEMA_PG_VERSION);
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if ((v = pg_version(st)) < 0) {
		sql_fail(st, cause, "not an accord project store");
		goto out;
	}
	if (v >= SCHEMA_PG_VERSION) {
		r = 0;
		goto out;
	}
	if (sql_prepare(st, "SELECT prefix FROM project_roles", &s,
	    cause) != 0)
		goto out;
	if (sql_step(s) == SQL_ROW)
		prefix = xstrdup(sql_text(s, 0));
	sql_finalize(st, s);
	if (prefix == NULL) {
		sql_fail(st, cause, "cannot read the project's roles");
		goto out;
	}
	if ((owner = schema_pg_role(prefix, "owner", cause)) == NULL ||
	    (sec = schema_pg_security(prefix, cause)) == NULL)
		goto out;
	set_role = xasprintf("SET LOCAL ROLE %s", owner);
	if (sql_exec(st, set_role, cause) != 0 ||
	    pg_migrate_steps(st, v, SCHEMA_PG_VERSION, cause) != 0 ||
	    sql_exec(st, sec, cause) != 0 ||
	    queue_pg_install(st, prefix, cause) != 0 ||
	    sql_exec(st, "RESET ROLE", cause) != 0)
		goto out;
	r = store_commit(st, cause);
	free(prefix);
	free(owner);
	free(sec);
	free(set_role);
	return r;
out:
	store_rollback(st);
	free(prefix);
	free(owner);
	free(sec);
	free(set_role);
	return r;
}

static int
store_open_pg(const char *uri, struct store **out, char **cause)
{
	struct store *st;
	int has, v;

	if ((st = store_connect_pg(uri, cause)) == NULL)
		return -1;
	if ((has = pg_has_schema(st, cause)) < 0)
		goto fail;
	if (!has) {
		acc_error(cause, "no accord project in this database (create "
		    "one with accord init)");
		goto fail;
	}
	v = pg_version(st);
	if (v < 0) {
		sql_fail(st, cause, "not an accord project store");
		goto fail;
	}
	if (v > SCHEMA_PG_VERSION) {
		acc_error(cause, "store has PostgreSQL schema version %d, newer "
		    "than this accord's %d; upgrade accord", v,
		    SCHEMA_PG_VERSION);
		goto fail;
	}
	/* Migrations run as the project's owner role: a DBA's job. */
	if (v < SCHEMA_PG_VERSION && pg_migrate_open(st, v, cause) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}
