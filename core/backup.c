/*
 * backup.c: the online backup of a store (backup.h).
 *
 * sqlite3_backup_step() restarts from the first page whenever another
 * connection writes the source between steps, so with labelers committing
 * every few seconds a large store copied in chunks might never finish.
 * Holding one read transaction on the source across all the steps pins a
 * WAL snapshot instead: the backup reads that snapshot page by page while
 * writers go on appending to the WAL (the only cost is that checkpoints
 * cannot pass the snapshot until the backup ends).  See "Using the SQLite
 * Online Backup API" (sqlite.org/backup.html) and the WAL read-consistency
 * rules (sqlite.org/wal.html, "Concurrency").
 *
 * No writer ever waits for the backup's locks (a WAL reader blocks no
 * one); what a labeler's commit can feel is the disk and the CPU.  With a
 * writer committing a label every 5 ms during a backup of 1M items
 * (1.08 GB, 2 cores shared, 2026-12-02), its commit p99 during the
 * backup was 19-60 ms with the old 10 ms pause after every 256 pages
 * (1,034 steps, 51-129 s) and 22-84 ms with none in 16 MB steps
 * (10-24 s), each close to the writer's p99 just before the backup
 * (12-59 ms): the pauses bought the writer nothing it could see (figures
 * in docs/benchmarks.md).  So the copy takes 16 MB steps, starts the
 * kernel's writeback of each step at once (sync_file_range: the final
 * fsync then finds little left and no gigabyte burst queues in front of
 * the labelers' WAL fsyncs), and pauses only after a step during which
 * another connection wrote the WAL, that is only while labelers work,
 * for disks slow enough to need it.
 *
 * The copy is written without a journal and without syncs of its own
 * (journal_mode OFF, synchronous OFF): it is DEST.tmp, removed on any
 * failure, and made durable by one fsync before the rename.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accord/backup.h"
#include "accord/project.h"
#include "internal.h"

#define BACKUP_STEP_PAGES 4096	/* 16 MB at the 4 KB page size */
#define BACKUP_PAUSE_MS 10

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* fsync the directory holding path, so a rename in it is on disk. */
static int
sync_dir(const char *path, char **cause)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');
	int fd, r;

	if (slash == NULL)
		strcpy(d, ".");
	else if (slash == d)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd == -1)
		return acc_error(cause, "cannot open for fsync: %s",
		    strerror(errno));
	r = fsync(fd);
	close(fd);
	if (r != 0)
		return acc_error(cause, "fsync failed: %s", strerror(errno));
	return 0;
}

/* Rename without replacing: the destination appeared meanwhile => fail. */
static int
rename_noreplace(const char *from, const char *to, char **cause)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return acc_error(cause, "appeared while the backup ran; not "
		    "replaced");
	if (errno != EINVAL && errno != ENOSYS)
		return acc_error(cause, "cannot rename the copy into place: %s",
		    strerror(errno));
	/* Filesystems without RENAME_NOREPLACE: link() never replaces. */
	if (link(from, to) != 0)
		return acc_error(cause, "cannot rename the copy into place: %s",
		    strerror(errno));
	unlink(from);
	return 0;
}

/*
 * What the copy must match: the snapshot's size in pages, schema version
 * and newest item and label, read inside the pinned read transaction.
 */
struct backup_want {
	long long pages, version, item, label;
};

static int
backup_facts(struct store *st, struct backup_want *w, char **cause)
{
	if (sql_int(st, "PRAGMA page_count", NULL, &w->pages, cause) != 1 ||
	    sql_int(st, "PRAGMA user_version", NULL, &w->version,
	    cause) != 1 ||
	    sql_int(st, "SELECT coalesce(max(id), 0) FROM items", NULL,
	    &w->item, cause) != 1 ||
	    sql_int(st, "SELECT coalesce(max(id), 0) FROM labels", NULL,
	    &w->label, cause) != 1)
		return sql_fail(st, cause, "cannot read the store");
	return 0;
}

/*
 * The quick_check of the copy, one table (with its indexes) at a time,
 * on two threads that each take the next table: at 1M items a whole
 * quick_check takes 2.0 s, more than SQLite's own backup of the store
 * (1.4 s).  `PRAGMA quick_check(TABLE)` reads every page of the table's
 * and its indexes' b-trees and checks cells, order, overflow chains and
 * NOT NULL columns (SQLite 3.40 and later also check the free list in
 * the run that names sqlite_master, page 1).  A table-by-table check
 * cannot see a page that no b-tree uses, which wastes space in the copy
 * but loses nothing.
 */
struct qc_job {
	const char *path;
	char **tables;
	int ntables, next;
	struct buf complaints;
	char *error;
	pthread_mutex_t mu;
};

/* Add one complaint, "TABLE: WHAT" or WHAT, to j->complaints. */
static void
qc_note(struct qc_job *j, const char *table, const char *what)
{
	pthread_mutex_lock(&j->mu);
	if (j->complaints.len > 0)
		buf_puts(&j->complaints, "; ");
	if (table != NULL)
		buf_printf(&j->complaints, "%s: ", table);
	buf_puts(&j->complaints, what);
	pthread_mutex_unlock(&j->mu);
}

/* One table's complaints onto j->complaints; 0, or -1 with *cause. */
static int
qc_table(struct store *c, struct qc_job *j, const char *table, char **cause)
{
	struct sql_stmt *s;
	char *sql = sqlite3_mprintf("PRAGMA quick_check(\"%w\")", table);
	int rc;

	if (sql == NULL)
		abort();
	rc = sql_prepare(c, sql, &s, cause);
	sqlite3_free(sql);
	if (rc != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *t = sql_text(s, 0);

		if (strcmp(t, "ok") != 0)
			qc_note(j, NULL, t);
	}
	/* A page too broken to check is a complaint about the copy too. */
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		qc_note(j, table, sqlite3_errmsg(c->db));
		rc = SQL_DONE;
	}
	sql_finalize(c, s);
	if (rc != SQL_DONE)
		return sql_fail(c, cause, "cannot check the copy");
	return 0;
}

static void *
qc_worker(void *arg)
{
	struct qc_job *j = arg;
	struct store c = { 0 };
	char *cause = NULL;
	int i;

	if (sqlite3_open_v2(j->path, &c.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		acc_error(&cause, "cannot open the copy: %s", c.db ?
		    sqlite3_errmsg(c.db) : "out of memory");
	while (cause == NULL) {
		pthread_mutex_lock(&j->mu);
		i = j->error != NULL ? j->ntables : j->next++;
		pthread_mutex_unlock(&j->mu);
		if (i >= j->ntables)
			break;
		(void)qc_table(&c, j, j->tables[i], &cause);
	}
	sql_cache_drop(&c);
	sqlite3_close_v2(c.db);
	if (cause != NULL) {
		pthread_mutex_lock(&j->mu);
		if (j->error == NULL)
			j->error = cause;
		else
			free(cause);
		pthread_mutex_unlock(&j->mu);
	}
	return NULL;
}

/* The copy's tables, sqlite_master first; 0, or -1 with *cause. */
static int
qc_tables(struct store *c, struct qc_job *j, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(c, "SELECT 'sqlite_master' UNION ALL SELECT name "
	    "FROM sqlite_master WHERE type = 'table'", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		j->tables = xreallocarray(j->tables, (size_t)j->ntables + 1,
		    sizeof *j->tables);
		j->tables[j->ntables++] = xstrdup(sql_text(s, 0));
	}
	sql_finalize(c, s);
	if (rc != SQL_DONE)
		return sql_fail(c, cause, "cannot read the copy's tables");
	return 0;
}

/*
 * Check the finished copy at path (closed by the backup): quick_check, as
 * above, then the copy must be the snapshot: as many pages, the same
 * schema version, the same newest item and label.
 *
 * Not PRAGMA integrity_check: it adds the comparison of every index with
 * its table, five times the cost at 1M items (10.6 s against 2.0 s), and
 * what it finds is damage to the store that was copied, page for page;
 * `accord check` looks for that (integrity_check, item_labels rebuilt
 * from labels, every file hashed).
 */
static int
backup_verify(const char *path, const struct backup_want *want, char **cause)
{
	struct qc_job j = { .path = path };
	struct store c = { 0 };
	struct backup_want got;
	pthread_t t;
	int i, started, r = -1;

	pthread_mutex_init(&j.mu, NULL);
	if (sqlite3_open_v2(path, &c.db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		acc_error(cause, "cannot open the copy: %s", c.db ?
		    sqlite3_errmsg(c.db) : "out of memory");
		goto out;
	}
	if (qc_tables(&c, &j, cause) != 0)
		goto out;
	started = pthread_create(&t, NULL, qc_worker, &j) == 0;
	qc_worker(&j);
	if (started)
		pthread_join(t, NULL);
	if (j.error != NULL) {
		*cause = j.error;
		j.error = NULL;
		goto out;
	}
	if (j.complaints.len > 0) {
		acc_error(cause, "the copy fails quick_check: %s",
		    j.complaints.s);
		goto out;
	}
	if (backup_facts(&c, &got, cause) != 0)
		goto out;
	if (got.pages != want->pages || got.version != want->version ||
	    got.item != want->item || got.label != want->label) {
		acc_error(cause, "the copy differs from the store: %lld "
		    "pages, schema %lld, newest item %lld and label %lld "
		    "against %lld, %lld, %lld and %lld", got.pages,
		    got.version, got.item, got.label, want->pages,
		    want->version, want->item, want->label);
		goto out;
	}
	r = 0;
out:
	/* Closing checkpoints the copy's WAL into the file and removes it. */
	sql_cache_drop(&c);
	if (c.db != NULL && sqlite3_close(c.db) != SQLITE_OK && r == 0)
		r = acc_error(cause, "cannot close the copy: %s",
		    sqlite3_errmsg(c.db));
	for (i = 0; i < j.ntables; i++)
		free(j.tables[i]);
	free(j.tables);
	free(j.error);
	buf_free(&j.complaints);
	pthread_mutex_destroy(&j.mu);
	return r;
}

/*
 * The WAL's size and time of last change: a change between two looks
 * means another connection committed meanwhile.  A missing WAL reads as
 * zeros.
 */
struct wal_mark {
	off_t size;
	struct timespec mtime;
};

static void
wal_look(const char *wal, struct wal_mark *m)
{
	struct stat sb;

	memset(m, 0, sizeof *m);
	if (stat(wal, &sb) == 0) {
		m->size = sb.st_size;
		m->mtime = sb.st_mtim;
	}
}

/* 1 when the WAL changed since *m (and *m is brought up to date). */
static int
wal_changed(const char *wal, struct wal_mark *m)
{
	struct wal_mark now;
	int changed;

	wal_look(wal, &now);
	changed = now.size != m->size || now.mtime.tv_sec != m->mtime.tv_sec ||
	    now.mtime.tv_nsec != m->mtime.tv_nsec;
	*m = now;
	return changed;
}

static int
backup_copy(struct store *st, sqlite3 *dst, int fd, const struct backup_opts *o,
    struct backup_want *want, struct backup_result *res, char **cause)
{
	struct store d = { .db = dst };
	struct wal_mark mark;
	sqlite3_backup *b;
	char *wal;
	int rc;

	/* DEST.tmp is removed on failure and synced once at the end. */
	rc = sql_exec(&d, "PRAGMA journal_mode = OFF; "
	    "PRAGMA synchronous = OFF", cause);
	sql_cache_drop(&d);
	if (rc != 0)
		return -1;
	/* Pin the snapshot (see the comment at the top). */
	if (sql_exec(st, "BEGIN", cause) != 0)
		return -1;
	if (backup_facts(st, want, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	b = sqlite3_backup_init(dst, "main", st->db, "main");
	if (b == NULL) {
		acc_error(cause, "cannot start the backup: %s",
		    sqlite3_errmsg(dst));
		store_rollback(st);
		return -1;
	}
	wal = xasprintf("%s-wal", store_path(st));
	wal_look(wal, &mark);
	for (;;) {
		rc = sqlite3_backup_step(b, o->step_pages);
		res->steps++;
		if (rc == SQL_DONE)
			break;
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
		    (rc & 0xff) != SQLITE_LOCKED)
			break;
		/* Only a hint: an error leaves the work to the final fsync. */
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		if (o->pause_ms > 0 && wal_changed(wal, &mark)) {
			sleep_ms(o->pause_ms);
			res->pauses++;
		}
	}
	free(wal);
	res->pages = sqlite3_backup_pagecount(b);
	/* finish repeats the last step's error; it can add its own. */
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQL_DONE)
		rc = sqlite3_errcode(dst);
	store_rollback(st);
	if (rc != SQL_DONE)
		return acc_error(cause, "backup failed: %s",
		    sqlite3_errstr(rc));
	return 0;
}

int
store_backup(struct store *st, const char *user, const char *dest,
    const struct backup_opts *opts, struct backup_result *res, char **cause)
{
	struct backup_opts o = { BACKUP_STEP_PAGES, BACKUP_PAUSE_MS };
	struct backup_want want;
	struct stat sb;
	sqlite3 *dst = NULL;
	char *tmp, *detail;
	double t0 = acc_monotonic();
	mode_t mode = 0660;
	int fd;

	memset(res, 0, sizeof *res);
	if (opts != NULL) {
		if (opts->step_pages > 0)
			o.step_pages = opts->step_pages;
		if (opts->pause_ms >= 0)
			o.pause_ms = opts->pause_ms;
	}
	if (project_require(st, user, ROLE_SME, "backing up the project",
	    cause) != 0)
		return -1;
	if (st->kind == STORE_PG)
		return acc_error(cause, "backup copies a SQLite store's pages; "
		    "a PostgreSQL store is backed up by its server (pg_dump, "
		    "docs/deploy.md)");
	if (lstat(dest, &sb) == 0 || errno != ENOENT)
		return acc_error(cause, "already exists; accord backup never "
		    "overwrites a file");
	/* The copy gets the store's permission bits (a group-shared store
	 * gives a group-readable backup), through the umask as usual. */
	if (stat(store_path(st), &sb) == 0)
		mode = sb.st_mode & 0666;
	tmp = xasprintf("%s.tmp", dest);
	/* Kept open to start the writeback of each step and to fsync. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1) {
		int e = errno;

		free(tmp);
		if (e == EEXIST)
			return acc_error(cause, "its .tmp file exists: another "
			    "backup is running, or one was interrupted (remove "
			    "it)");
		return acc_error(cause, "cannot create its .tmp file: %s",
		    strerror(e));
	}
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		acc_error(cause, "cannot open its .tmp file: %s",
		    dst ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	if (backup_copy(st, dst, fd, &o, &want, res, cause) != 0)
		goto fail;
	if (sqlite3_close(dst) != SQLITE_OK) {
		acc_error(cause, "cannot close the copy: %s",
		    sqlite3_errmsg(dst));
		goto fail;
	}
	dst = NULL;
	if (backup_verify(tmp, &want, cause) != 0)
		goto fail;
	if (fsync(fd) != 0) {
		acc_error(cause, "fsync failed: %s", strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (rename_noreplace(tmp, dest, cause) != 0 ||
	    sync_dir(dest, cause) != 0)
		goto fail;
	free(tmp);
	if (stat(dest, &sb) == 0)
		res->bytes = (long long)sb.st_size;
	res->seconds = acc_monotonic() - t0;
	detail = xasprintf("%lld pages to %s", res->pages, dest);
	/* The copy exists and is good; a failed audit row is only noted. */
	(void)store_audit(st, user, "backup", detail, NULL);
	free(detail);
	return 0;
fail:
	if (dst != NULL)
		sqlite3_close_v2(dst);
	if (fd != -1)
		close(fd);
	store_unlink_files(tmp);
	free(tmp);
	return -1;
}
