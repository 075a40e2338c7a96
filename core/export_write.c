/*
 * export_write.c: writing an export: a temporary directory beside OUT,
 * files hashed as they are written and fsynced, media copied (reflinked
 * where the file system can) or, with --link, hard-linked (or written out
 * of the store, when import kept it there) and
 * checked against the SHA-256 recorded at import, the manifest
 * last, then one rename.  See include/accord/export.h for the guarantees.
 * What goes into the files: export_format.c (rows) and export_manifest.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <linux/fs.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accord/media.h"
#include "export_int.h"
#include "internal.h"

void
exp_hash_init(struct exp_hash *h)
{
	h->md = EVP_MD_CTX_new();
	if (h->md == NULL || !EVP_DigestInit_ex(h->md, EVP_sha256(), NULL))
		acc_fatal("EVP_DigestInit(sha256) failed");
}

void
exp_hash_add(struct exp_hash *h, const void *p, size_t n)
{
	if (n > 0 && !EVP_DigestUpdate(h->md, p, n))
		acc_fatal("EVP_DigestUpdate failed");
}

void
exp_hash_end(struct exp_hash *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_DigestFinal_ex(h->md, md, &n))
		acc_fatal("EVP_DigestFinal failed");
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/* OUT without trailing slashes; caller frees. */
static char *
out_path(const char *out)
{
	char *s = xstrdup(out);
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

int
exp_check_out(const struct export_opts *o, char **cause)
{
	struct exp_prev pv;
	struct stat sb;

	if (o->out == NULL || o->out[0] == '\0')
		return acc_error(cause, "no output directory");
	if (lstat(o->out, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		return acc_error(cause, "%s: %s", o->out, strerror(errno));
	}
	if (!o->force)
		return acc_error(cause, "%s: already exists (--force replaces "
		    "an earlier export)", o->out);
	/*
	 * --force removes the old directory: only ever one that an export
	 * wrote and nothing else was put in, so a mistyped --out cannot
	 * take a home directory or a project with it (export_prev.c).
	 */
	if (!S_ISDIR(sb.st_mode))
		return acc_error(cause, "%s: not an accord export (not a "
		    "directory); refusing to replace it", o->out);
	if (exp_prev_check(o->out, &pv, cause) != 0)
		return -1;
	exp_prev_free(&pv);
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)f;
	if (flag == FTW_DP)
		return rmdir(path) == 0 ? 0 : -1;
	return unlink(path) == 0 ? 0 : -1;
}

/* Remove a tree (not following links); 0 or -1 with errno. */
static int
rm_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Remove temporary directories that an export to the same OUT left behind
 * when it was killed.  A running export holds an flock on its directory,
 * so only abandoned ones can be locked here.
 */
static void
clean_stale(const char *out)
{
	char *o = out_path(out), *d1 = xstrdup(o), *d2 = xstrdup(o);
	const char *dir = dirname(d1), *base = basename(d2);
	char *prefix = xasprintf("%s.tmp-", base);
	size_t pn = strlen(prefix);
	struct dirent *e;
	DIR *dp = opendir(dir);

	while (dp != NULL && (e = readdir(dp)) != NULL) {
		char *path;
		int fd;

		if (strncmp(e->d_name, prefix, pn) != 0 ||
		    strlen(e->d_name) != pn + 6)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			rm_tree(path);
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (dp != NULL)
		closedir(dp);
	free(prefix);
	free(o);
	free(d1);
	free(d2);
}

static int
fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
exp_cancelled(const struct exp_writer *w, char **cause)
{
	if (w->pl->o->cancel != NULL && *w->pl->o->cancel)
		return acc_error(cause, "interrupted");
	return 0;
}

int
exp_make_dir(struct exp_writer *w, const char *rel, char **cause)
{
	char *path = xasprintf("%s/%s", w->tmp, rel);
	int r = 0;

	if (mkdir(path, 0755) == 0) {
		w->dirs = xreallocarray(w->dirs, (size_t)w->ndirs + 1,
		    sizeof *w->dirs);
		w->dirs[w->ndirs++] = xstrdup(rel);
	} else if (errno != EEXIST)
		r = acc_error(cause, "%s: %s", path, strerror(errno));
	free(path);
	return r;
}

int
exp_file_open(struct exp_writer *w, const char *rel, struct exp_file *f,
    char **cause)
{
	char *path = xasprintf("%s/%s", w->tmp, rel);

	memset(f, 0, sizeof *f);
	f->f = fopen(path, "wxe");
	if (f->f == NULL) {
		acc_error(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	f->rel = xstrdup(rel);
	exp_hash_init(&f->h);
	return 0;
}

void
exp_file_write(struct exp_file *f, const char *s, size_t n)
{
	if (n == 0 || f->err)
		return;
	if (fwrite(s, 1, n, f->f) != n)
		f->err = errno ? errno : EIO;
	exp_hash_add(&f->h, s, n);
	f->bytes += (long long)n;
}

/* Flush, fsync and close; on success the file joins the manifest. */
int
exp_file_close(struct exp_writer *w, struct exp_file *f, char **cause)
{
	char sha[65];
	int r = 0;

	if (fflush(f->f) != 0 && !f->err)
		f->err = errno;
	if (!f->err && fsync(fileno(f->f)) != 0)
		f->err = errno;
	if (fclose(f->f) != 0 && !f->err)
		f->err = errno;
	exp_hash_end(&f->h, sha);
	if (f->err)
		r = acc_error(cause, "%s/%s: %s", w->tmp, f->rel,
		    strerror(f->err));
	else
		exp_manifest_add_file(w, f->rel, sha, f->bytes);
	free(f->rel);
	return r;
}

int
exp_file_put(struct exp_writer *w, const char *rel, const struct buf *b,
    char **cause)
{
	struct exp_file f;

	if (exp_file_open(w, rel, &f, cause) != 0)
		return -1;
	exp_file_write(&f, b->s, b->len);
	return exp_file_close(w, &f, cause);
}

/*
 * Stream fd through SHA-256, and into dst when dst >= 0.  0, or -1 with
 * errno.
 */
static int
hash_fd(int fd, int dst, char sha[65], long long *bytes)
{
	static const size_t bufsz = 1 << 16;
	char *b = xmalloc(bufsz);
	struct exp_hash h;
	ssize_t n;
	int r = 0;

	exp_hash_init(&h);
	*bytes = 0;
	while ((n = read(fd, b, bufsz)) != 0) {
		ssize_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -1;
			break;
		}
		exp_hash_add(&h, b, (size_t)n);
		*bytes += n;
		while (dst >= 0 && off < n) {
			ssize_t m = write(dst, b + off, (size_t)(n - off));

			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0) {
				r = -1;
				break;
			}
			off += m;
		}
		if (r != 0)
			break;
	}
	exp_hash_end(&h, sha);
	free(b);
	return r;
}

/* A stored chunk onto the descriptor of the file being written. */
static int
put_chunk(void *arg, const unsigned char *p, size_t n, char **cause)
{
	int fd = *(int *)arg;

	while (n > 0) {
		ssize_t m = write(fd, p, n);

		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			return acc_error(cause, "%s", strerror(errno));
		p += m;
		n -= (size_t)m;
	}
	return 0;
}

/*
 * Media kept in the store, written out to dst a chunk at a time: 0, 1
 * when none is kept for want, -1 with *cause.
 */
static int
put_stored(struct exp_writer *w, const char *dst, const char *want,
    char **cause)
{
	char sha[65], *why = NULL;
	long long bytes = 0;
	int out, r;

	if ((r = media_stored(w->st, want, NULL, cause)) != 1)
		return r < 0 ? -1 : 1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		return acc_error(cause, "%s: %s", dst, strerror(errno));
	r = media_stream(w->st, want, put_chunk, &out, sha, &bytes, &why);
	if (r == 0 && fsync(out) != 0)
		r = acc_error(&why, "%s", strerror(errno));
	if (close(out) != 0 && r == 0)
		r = acc_error(&why, "%s", strerror(errno));
	if (r != 0) {
		acc_error(cause, "%s: %s", dst, why != NULL ? why :
		    "stored copy went away");
		free(why);
		return -1;
	}
	if (strcmp(sha, want) != 0)
		return acc_error(cause, "stored copy of %.12s is damaged "
		    "(sha256 %.12s); accord check names its item", want, sha);
	w->pl->res->stored++;
	exp_manifest_add_file(w, dst + strlen(w->tmp) + 1, sha, bytes);
	return 0;
}

/*
 * The media file at path opened for reading (acc_open_regular): the fd,
 * or -1 with *cause "NAME: why" (the system's words when it cannot be
 * opened, as for a missing file; what it is when it is not a file).
 */
static int
src_open(const char *path, const char *name, char **cause)
{
	char *why = NULL;
	int fd, e;

	if ((fd = acc_open_regular(path, NULL, &why)) < 0) {
		e = errno;
		acc_error(cause, "%s: %s", name, e == EINVAL ? why :
		    strerror(e));
		free(why);
	}
	return fd;
}

/*
 * Put the media of the content want at rel.  Kept in the store: written
 * out from there.  Else the file src, copied: a reflink (FICLONE: the
 * file system shares the blocks until either file is written, so no
 * space and no time) where it can, else read and written.  With --link,
 * a hard link instead, which is the same file as the import's: writing
 * into the export changes the imported media (and check says so); a
 * copy, as the default, keeps them apart.  Either way the content is read
 * and must still have the SHA-256 recorded at import, or the export
 * fails: a changed file no longer is what was labeled.
 */
int
exp_put_media(struct exp_writer *w, const char *src, const char *rel,
    const char *want, char **cause)
{
	char *dst = xasprintf("%s/%s", w->tmp, rel), sha[65];
	long long bytes = 0;
	int in = -1, out = -1, r = -1, e = 0;

	if ((r = put_stored(w, dst, want, cause)) != 1) {
		free(dst);
		return r;
	}
	r = -1;
	/*
	 * Opened through acc_open_regular, never blocking: a FIFO (or any
	 * file that is not a regular one) in place of an item's file fails
	 * the export in one line, as a missing file does, where a plain open
	 * waited for a writer forever.  A hard link is made only to a
	 * regular file, and the link is opened the same way: a file swapped
	 * between the two is refused too.
	 */
	if ((in = src_open(src, src, cause)) < 0)
		goto done;
	if (w->pl->o->link && link(src, dst) == 0) {
		close(in);
		w->pl->res->links++;
		if ((in = src_open(dst, src, cause)) < 0)
			goto done;
		if (hash_fd(in, -1, sha, &bytes) != 0)
			e = errno;
	} else if ((out = open(dst, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0)
		e = errno;
	else if (ioctl(out, FICLONE, in) == 0) {
		/* The clone is what the export holds: hash it. */
		w->pl->res->reflinks++;
		if (hash_fd(out, -1, sha, &bytes) != 0 || fsync(out) != 0)
			e = errno;
	} else {
		w->pl->res->copies++;
		if (hash_fd(in, out, sha, &bytes) != 0 || fsync(out) != 0)
			e = errno;
	}
	if (e != 0) {
		acc_error(cause, "%s: %s", src, strerror(e));
		goto done;
	}
	if (strcmp(sha, want) != 0) {
		acc_error(cause, "%s: content changed since import (sha256 "
		    "%.12s, imported as %.12s)", src, sha, want);
		goto done;
	}
	exp_manifest_add_file(w, rel, sha, bytes);
	r = 0;
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && r == 0)
		r = acc_error(cause, "%s: %s", dst, strerror(errno));
	free(dst);
	return r;
}


/*
 * The old export, now at old (moved aside by publish), removed: only the
 * files its manifest lists.  Anything else put in it since is kept, in a
 * directory of its own (OUT.tmp-* would be taken for an abandoned export
 * and removed whole by the next one, clean_stale), and the user told.
 */
static void
drop_old(struct exp_writer *w, const char *old, const struct exp_prev *pv)
{
	char *kept;
	long long left = exp_prev_remove(old, pv);

	if (left == 0)
		return;
	kept = xasprintf("%s.kept-XXXXXX", w->out);
	exp_note(w->pl->res, "%s: %lld entries not in the old export's "
	    "manifest were kept in %s", w->out, left, mkdtemp(kept) != NULL &&
	    rename(old, kept) == 0 ? kept : old);
	free(kept);
}

/*
 * Put the finished tmp at OUT.  Without --force: renameat2 NOREPLACE, so an
 * OUT that appeared meanwhile is never overwritten.  With --force: OUT is
 * checked again to be an export (it may have changed since the start),
 * the two are swapped atomically (RENAME_EXCHANGE) and the old one, now at
 * the temporary name, removed; where the file system lacks renameat2, the
 * old one is moved aside first (a crash in between leaves OUT missing,
 * never partial).
 */
static int
publish(struct exp_writer *w, char **cause)
{
	struct exp_prev pv;
	struct stat sb;
	int exists = lstat(w->out, &sb) == 0, r;

	if (exists && !w->pl->o->force)
		return acc_error(cause, "%s: appeared while exporting; left "
		    "it as it is", w->out);
	if (!exists) {
		if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->out,
		    RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			return acc_error(cause, "%s: appeared while "
			    "exporting; left it as it is", w->out);
		if (errno != EINVAL && errno != ENOSYS)
			return acc_error(cause, "%s: %s", w->out,
			    strerror(errno));
		if (rename(w->tmp, w->out) != 0)
			return acc_error(cause, "%s: %s", w->out,
			    strerror(errno));
		return 0;
	}
	if (!S_ISDIR(sb.st_mode))
		return acc_error(cause, "%s: not an accord export (not a "
		    "directory); refusing to replace it", w->out);
	if (exp_prev_check(w->out, &pv, cause) != 0)
		return -1;
	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->out,
	    RENAME_EXCHANGE) == 0) {
		drop_old(w, w->tmp, &pv);
		exp_prev_free(&pv);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		r = acc_error(cause, "%s: %s", w->out, strerror(errno));
		exp_prev_free(&pv);
		return r;
	}
	{
		char *old = xasprintf("%s.tmp-XXXXXX", w->out);

		r = 0;
		if (mkdtemp(old) == NULL || rename(w->out, old) != 0 ||
		    rename(w->tmp, w->out) != 0)
			r = acc_error(cause, "%s: %s", w->out, strerror(errno));
		else
			drop_old(w, old, &pv);
		free(old);
		exp_prev_free(&pv);
		return r;
	}
}

static int
write_all(struct exp_writer *w, struct store *st, char **cause)
{
	const struct exp_plan *pl = w->pl;
	int folder = exp_is_folder(pl->o->format), s, c, i, r = 0;
	int ls = pl->o->format == EXPORT_LABEL_STUDIO;
	char **fnames = folder ? exp_file_names(pl) : NULL;

	if (pl->nfolders > 0)
		r = exp_write_classes(w, cause);
	if (r == 0 && pl->o->format == EXPORT_HF)
		r = exp_hf_card(w, cause);
	/* Label Studio imports one list of tasks: the split is in each. */
	if (r == 0 && ls)
		r = exp_write_ls(w, cause);
	for (s = 0; s < pl->o->split.nparts && r == 0 && !ls; s++) {
		long long n = 0;

		for (c = 0; c < pl->res->nclasses; c++)
			n += pl->res->counts[(size_t)s * pl->res->nclasses + c];
		if (n > 0)
			r = exp_write_part(w, s, fnames, cause);
	}
	for (i = 0; folder && i < pl->nrows; i++)
		free(fnames[i]);
	free(fnames);
	if (r != 0 || exp_write_manifest(w, st, cause) != 0)
		return -1;
	/* Directory entries are durable only once their directory is. */
	for (i = w->ndirs - 1; i >= 0; i--) {
		char *d = xasprintf("%s/%s", w->tmp, w->dirs[i]);

		r = fsync_path(d, 1);
		free(d);
		if (r != 0)
			return acc_error(cause, "%s: fsync: %s", w->tmp,
			    strerror(errno));
	}
	if (fsync_path(w->tmp, 1) != 0)
		return acc_error(cause, "%s: fsync: %s", w->tmp,
		    strerror(errno));
	return 0;
}

static int
audit_export(struct store *st, const struct exp_plan *pl, char **cause)
{
	const struct export_opts *o = pl->o;
	char *detail;
	int r;

	detail = xasprintf("%s: %s %s%s%s, %lld items, seed %llu, labels "
	    "sha256 %s", o->out, export_format_name(o->format),
	    consensus_method_name(o->method),
	    o->method == CONSENSUS_ADJUDICATED ? "/" : "",
	    o->method == CONSENSUS_ADJUDICATED ?
	    consensus_method_name(o->fallback) : "", pl->res->exported,
	    (unsigned long long)o->split.seed, pl->x->labels_sha);
	r = store_begin(st, 1, cause);
	if (r == 0 && store_audit(st, o->user, "export", detail, cause) != 0)
		r = -1;
	if (r == 0)
		r = store_commit(st, cause);
	if (r != 0)
		store_rollback(st);
	free(detail);
	return r;
}

int
exp_write(struct store *st, const struct exp_plan *pl, char **cause)
{
	struct exp_writer w;
	char *d1, *err = NULL;
	int i, r = -1;

	memset(&w, 0, sizeof w);
	w.pl = pl;
	w.st = st;
	w.out = out_path(pl->o->out);
	clean_stale(w.out);
	w.tmp = xasprintf("%s.tmp-XXXXXX", w.out);
	w.lockfd = -1;
	if (mkdtemp(w.tmp) == NULL) {
		acc_error(cause, "%s: %s", w.tmp, strerror(errno));
		goto done;
	}
	w.lockfd = open(w.tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.lockfd < 0 || flock(w.lockfd, LOCK_EX) != 0) {
		acc_error(cause, "%s: %s", w.tmp, strerror(errno));
		rm_tree(w.tmp);
		goto done;
	}
	if (chmod(w.tmp, 0755) != 0 || write_all(&w, st, &err) != 0 ||
	    publish(&w, &err) != 0) {
		if (err == NULL)
			err = xasprintf("%s: %s", w.tmp, strerror(errno));
		if (lstat(w.tmp, &(struct stat){ 0 }) == 0 &&
		    rm_tree(w.tmp) != 0) {
			acc_error(cause, "%s (and could not remove %s)", err,
			    w.tmp);
			free(err);
		} else if (cause != NULL)
			*cause = err;
		else
			free(err);
		goto done;
	}
	pl->res->nfiles = w.nfiles;
	/* The rename is durable once the parent directory is. */
	d1 = xstrdup(w.out);
	fsync_path(dirname(d1), 1);
	free(d1);
	r = audit_export(st, pl, cause);
	if (r != 0 && cause != NULL) {
		err = *cause;
		*cause = xasprintf("wrote %s but could not record it in the "
		    "audit table: %s", w.out, err);
		free(err);
	}
done:
	if (w.lockfd >= 0)
		close(w.lockfd);
	for (i = 0; i < w.ndirs; i++)
		free(w.dirs[i]);
	free(w.dirs);
	free(w.hf_types);
	buf_free(&w.manifest_files);
	free(w.out);
	free(w.tmp);
	return r;
}
