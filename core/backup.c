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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accord/backup.h"
#include "accord/project.h"
#include "internal.h"

#define BACKUP_STEP_PAGES 256
#define BACKUP_PAUSE_MS 10

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* fsync a file, or the directory holding a path. */
static int
sync_path(const char *path, int dir, char **cause)
{
	char *d = NULL, *slash;
	int fd, r;

	if (dir) {
		d = xstrdup(path);
		slash = strrchr(d, '/');
		if (slash == NULL)
			strcpy(d, ".");
		else if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
		path = d;
	}
	fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd == -1) {
		free(d);
		return acc_error(cause, "cannot open for fsync: %s",
		    strerror(errno));
	}
	r = fsync(fd);
	close(fd);
	free(d);
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

/* integrity_check on the finished copy, through its own connection. */
static int
backup_verify(sqlite3 *db, char **cause)
{
	struct store tmp = { .db = db };

	return store_check(&tmp, cause);
}

static int
backup_copy(struct store *st, sqlite3 *dst, const struct backup_opts *o,
    struct backup_result *res, char **cause)
{
	sqlite3_backup *b;
	long long one = 0;
	int rc;

	/* Pin the snapshot (see the comment at the top). */
	if (sql_exec(st, "BEGIN", cause) != 0)
		return -1;
	if (sql_int(st, "SELECT count(*) FROM sqlite_master", NULL, &one,
	    cause) < 0) {
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
	for (;;) {
		rc = sqlite3_backup_step(b, o->step_pages);
		res->steps++;
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY &&
		    (rc & 0xff) != SQLITE_LOCKED)
			break;
		sleep_ms(o->pause_ms);
	}
	res->pages = sqlite3_backup_pagecount(b);
	/* finish repeats the last step's error; it can add its own. */
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_errcode(dst);
	store_rollback(st);
	if (rc != SQLITE_DONE)
		return acc_error(cause, "backup failed: %s",
		    sqlite3_errstr(rc));
	return 0;
}

int
store_backup(struct store *st, const char *user, const char *dest,
    const struct backup_opts *opts, struct backup_result *res, char **cause)
{
	struct backup_opts o = { BACKUP_STEP_PAGES, BACKUP_PAUSE_MS };
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
	if (lstat(dest, &sb) == 0 || errno != ENOENT)
		return acc_error(cause, "already exists; accord backup never "
		    "overwrites a file");
	/* The copy gets the store's permission bits (a group-shared store
	 * gives a group-readable backup), through the umask as usual. */
	if (stat(store_path(st), &sb) == 0)
		mode = sb.st_mode & 0666;
	tmp = xasprintf("%s.tmp", dest);
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
	close(fd);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		acc_error(cause, "cannot open its .tmp file: %s",
		    dst ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	if (backup_copy(st, dst, &o, res, cause) != 0 ||
	    backup_verify(dst, cause) != 0)
		goto fail;
	/* Closing checkpoints the copy's WAL into the file and removes it. */
	if (sqlite3_close(dst) != SQLITE_OK) {
		acc_error(cause, "cannot close the copy: %s",
		    sqlite3_errmsg(dst));
		goto fail;
	}
	dst = NULL;
	if (sync_path(tmp, 0, cause) != 0 ||
	    rename_noreplace(tmp, dest, cause) != 0 ||
	    sync_path(dest, 1, cause) != 0)
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
	store_unlink_files(tmp);
	free(tmp);
	return -1;
}
