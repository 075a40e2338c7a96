/*
 * export_write.c: writing an export: a temporary directory beside OUT,
 * files hashed as they are written and fsynced, media hard-linked or
 * copied and checked against the SHA-256 recorded at import, the manifest
 * last, then one rename.  See include/accord/export.h for the guarantees.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
	struct stat sb;
	char *m;
	int r = 0;

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
	 * wrote, so a mistyped --out cannot take a home directory with it.
	 */
	m = xasprintf("%s/manifest.json", o->out);
	if (!S_ISDIR(sb.st_mode) || lstat(m, &sb) != 0 || !S_ISREG(sb.st_mode))
		r = acc_error(cause, "%s: not an accord export (no "
		    "manifest.json); refusing to replace it", o->out);
	free(m);
	return r;
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
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
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

/* The state of one export being written. */
struct wr {
	const struct exp_plan *pl;
	char *out;	/* OUT, no trailing slash */
	char *tmp;	/* OUT.tmp-XXXXXX */
	int lockfd;
	struct buf manifest_files;	/* the "files" array's entries */
	int nfiles;
	char **dirs;	/* directories made, relative, for fsync */
	int ndirs;
};

/* A file being written: hashed and counted as it goes. */
struct wfile {
	FILE *f;
	struct exp_hash h;
	long long bytes;
	char *rel;
	int err;
};

static int
cancelled(const struct wr *w, char **cause)
{
	if (w->pl->o->cancel != NULL && *w->pl->o->cancel)
		return acc_error(cause, "interrupted");
	return 0;
}

static void
add_file(struct wr *w, const char *rel, const char *sha, long long bytes)
{
	buf_puts(&w->manifest_files, w->nfiles ? ",\n    {\"path\": " :
	    "\n    {\"path\": ");
	buf_json_str(&w->manifest_files, rel);
	buf_printf(&w->manifest_files, ", \"bytes\": %lld, \"sha256\": \"%s\"}",
	    bytes, sha);
	w->nfiles++;
}

static int
make_dir(struct wr *w, const char *rel, char **cause)
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

static int
wf_open(struct wr *w, const char *rel, struct wfile *f, char **cause)
{
	char *path = xasprintf("%s/%s", w->tmp, rel);

	memset(f, 0, sizeof *f);
	f->f = fopen(path, "wx");
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

static void
wf_write(struct wfile *f, const char *s, size_t n)
{
	if (n == 0 || f->err)
		return;
	if (fwrite(s, 1, n, f->f) != n)
		f->err = errno ? errno : EIO;
	exp_hash_add(&f->h, s, n);
	f->bytes += (long long)n;
}

/* Flush, fsync and close; on success the file joins the manifest. */
static int
wf_close(struct wr *w, struct wfile *f, char **cause)
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
		add_file(w, f->rel, sha, f->bytes);
	free(f->rel);
	return r;
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

/*
 * Put the media file src at rel: a hard link (no copy, no space) where the
 * file system allows it, else a copy.  Either way the content is read and
 * must still have the SHA-256 recorded at import, or the export fails: a
 * changed file no longer is what was labeled.
 */
static int
put_media(struct wr *w, const char *src, const char *rel, const char *want,
    char **cause)
{
	char *dst = xasprintf("%s/%s", w->tmp, rel), sha[65];
	long long bytes = 0;
	int in = -1, out = -1, r = -1, e = 0;

	if (link(src, dst) == 0) {
		in = open(dst, O_RDONLY | O_CLOEXEC);
		if (in < 0 || hash_fd(in, -1, sha, &bytes) != 0)
			e = errno;
		w->pl->res->links++;
	} else {
		in = open(src, O_RDONLY | O_CLOEXEC);
		if (in < 0) {
			acc_error(cause, "%s: %s", src, strerror(errno));
			goto done;
		}
		out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (out < 0 || hash_fd(in, out, sha, &bytes) != 0 ||
		    fsync(out) != 0)
			e = errno;
		w->pl->res->copies++;
	}
	if (e != 0) {
		acc_error(cause, "%s: %s", src, strerror(e));
		goto done;
	}
	if (strcmp(sha, want) != 0) {
		acc_error(cause, "%s: content changed since import (sha256 %.12s, "
		    "imported as %.12s)", src, sha, want);
		goto done;
	}
	add_file(w, rel, sha, bytes);
	r = 0;
done:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && r == 0)
		r = acc_error(cause, "%s: %s", dst, strerror(errno));
	free(dst);
	return r;
}

/* CSV field: quoted when it holds a comma, quote, CR/LF or edge spaces. */
static void
csv_field(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' &&
	    s[n - 1] != ' '))) {
		buf_add(b, s, n);
		return;
	}
	buf_add(b, "\"", 1);
	for (; *s != '\0'; s++)
		if (*s == '"')
			buf_add(b, "\"\"", 2);
		else
			buf_add(b, s, 1);
	buf_add(b, "\"", 1);
}

/* A metadata column's name: the key, or meta_KEY if it clashes with one
 * of ours. */
static const char *const fixed_cols[] = { "path", "file_name", "sha256",
	"label", "confidence", "labels", "split", "guideline", "source",
	"meta", NULL };

static char *
meta_col(const char *key)
{
	int i;

	for (i = 0; fixed_cols[i] != NULL; i++)
		if (strcmp(key, fixed_cols[i]) == 0)
			return xasprintf("meta_%s", key);
	return xstrdup(key);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * File names in folder exports: the base name of the item's path; where two
 * kept items share a base name (a.png from two directories), both become
 * SHA12-NAME with the first 12 hex digits of their content hash, which
 * differ since the contents do.
 */
static char **
file_names(const struct exp_plan *pl)
{
	const char **b = xcalloc((size_t)pl->nrows + 1, sizeof *b);
	char **out = xcalloc((size_t)pl->nrows + 1, sizeof *out);
	int i;

	for (i = 0; i < pl->nrows; i++)
		b[i] = base_name(pl->x->r.paths[pl->rows[i]]);
	qsort(b, (size_t)pl->nrows, sizeof *b, cmp_cstr);
	for (i = 0; i < pl->nrows; i++) {
		int it = pl->rows[i];
		const char *nm = base_name(pl->x->r.paths[it]);
		const char **hit = bsearch(&nm, b, (size_t)pl->nrows,
		    sizeof *b, cmp_cstr);
		int clash = (hit > b && strcmp(hit[-1], nm) == 0) ||
		    (hit + 1 < b + pl->nrows && strcmp(hit[1], nm) == 0);

		out[i] = clash ? xasprintf("%.12s-%s", pl->x->sha[it], nm) :
		    xstrdup(nm);
	}
	free(b);
	return out;
}

static void
fmt_double(char *s, size_t n, double v)
{
	snprintf(s, n, "%.17g", v);
}

/* One CSV line of item it (the header when it < 0). */
static void
csv_line(const struct exp_plan *pl, int it, const char *fname,
    struct buf *b)
{
	const struct exp_snap *x = pl->x;
	int folder = fname != NULL, k;
	char num[40];

	if (it < 0) {
		buf_puts(b, folder ? "file_name,label,sha256,confidence,labels,"
		    "guideline,source" : "path,sha256,label,confidence,labels,"
		    "split,guideline,source");
		for (k = 0; k < x->nkeys; k++) {
			char *c = meta_col(x->keys[k]);

			buf_add(b, ",", 1);
			csv_field(b, c);
			free(c);
		}
		buf_add(b, "\n", 1);
		return;
	}
	if (folder) {
		csv_field(b, fname);
		buf_add(b, ",", 1);
		csv_field(b, x->r.classes[pl->cons[it].label]);
		buf_printf(b, ",%s,", x->sha[it]);
	} else {
		csv_field(b, x->r.paths[it]);
		buf_printf(b, ",%s,", x->sha[it]);
		csv_field(b, x->r.classes[pl->cons[it].label]);
		buf_add(b, ",", 1);
	}
	fmt_double(num, sizeof num, pl->cons[it].confidence);
	buf_printf(b, "%s,%d,", num, pl->cons[it].nlabels);
	if (!folder)
		buf_printf(b, "%s,", split_name(pl->o->split.nparts,
		    pl->part[it]));
	if (pl->guideline[it] > 0)
		buf_printf(b, "%d", pl->guideline[it]);
	buf_printf(b, ",%s", consensus_source_name(pl->cons[it].source));
	for (k = 0; k < x->nkeys; k++) {
		const struct exp_mval *v = &x->meta[(size_t)it * x->nkeys + k];

		buf_add(b, ",", 1);
		if (v->text != NULL)
			csv_field(b, v->text);
	}
	buf_add(b, "\n", 1);
}

static void
json_meta_value(struct buf *b, const struct exp_mval *v)
{
	if (v->text == NULL)
		buf_puts(b, "null");
	else if (v->type == SQLITE_INTEGER)
		buf_puts(b, v->text);
	else if (v->type == SQLITE_FLOAT)
		buf_puts(b, isfinite(strtod(v->text, NULL)) ? v->text : "null");
	else
		buf_json_str(b, v->text);
}

static void
jsonl_line(const struct exp_plan *pl, int it, struct buf *b)
{
	const struct exp_snap *x = pl->x;
	char num[40];
	int k, first = 1;

	buf_puts(b, "{\"path\":");
	buf_json_str(b, x->r.paths[it]);
	buf_printf(b, ",\"sha256\":\"%s\",\"label\":", x->sha[it]);
	buf_json_str(b, x->r.classes[pl->cons[it].label]);
	fmt_double(num, sizeof num, pl->cons[it].confidence);
	buf_printf(b, ",\"confidence\":%s,\"labels\":%d,\"split\":\"%s\","
	    "\"guideline\":", num, pl->cons[it].nlabels,
	    split_name(pl->o->split.nparts, pl->part[it]));
	if (pl->guideline[it] > 0)
		buf_printf(b, "%d", pl->guideline[it]);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"source\":\"%s\",\"meta\":{",
	    consensus_source_name(pl->cons[it].source));
	for (k = 0; k < x->nkeys; k++) {
		const struct exp_mval *v = &x->meta[(size_t)it * x->nkeys + k];

		if (v->text == NULL)
			continue;
		if (!first)
			buf_add(b, ",", 1);
		first = 0;
		buf_json_str(b, x->keys[k]);
		buf_add(b, ":", 1);
		json_meta_value(b, v);
	}
	buf_puts(b, "}}\n");
}

/* Rows are buffered and written in blocks of about this size. */
#define FLUSH_AT (256 * 1024)

static int
write_part(struct wr *w, int s, char **fnames, char **cause)
{
	const struct exp_plan *pl = w->pl;
	const struct export_opts *o = pl->o;
	const char *sn = split_name(o->split.nparts, s);
	int folder = o->format == EXPORT_IMAGEFOLDER ||
	    o->format == EXPORT_AUDIOFOLDER, i, c, r = 0;
	struct wfile f;
	struct buf b = { 0 };
	char *rel;

	if (folder) {
		if (make_dir(w, sn, cause) != 0)
			return -1;
		if (o->layout == EXPORT_BY_CLASS)
			for (c = 0; c < pl->x->r.nclasses; c++) {
				char *d;

				if (pl->res->counts[(size_t)s *
				    pl->res->nclasses + c] == 0)
					continue;
				d = xasprintf("%s/%s", sn, pl->x->r.classes[c]);
				r = make_dir(w, d, cause);
				free(d);
				if (r != 0)
					return -1;
			}
		rel = xasprintf("%s/metadata.csv", sn);
	} else
		rel = xasprintf("%s.%s", sn, o->format == EXPORT_CSV ? "csv" :
		    "jsonl");
	r = wf_open(w, rel, &f, cause);
	free(rel);
	if (r != 0)
		return -1;
	if (o->format != EXPORT_JSONL)
		csv_line(pl, -1, folder ? "" : NULL, &b);
	for (i = 0; i < pl->nrows && r == 0; i++) {
		int it = pl->rows[i];

		if (pl->part[it] != s)
			continue;
		if (folder) {
			char *fn = o->layout == EXPORT_BY_CLASS ?
			    xasprintf("%s/%s", pl->x->r.classes[
			    pl->cons[it].label], fnames[i]) :
			    xstrdup(fnames[i]);
			char *mrel = xasprintf("%s/%s", sn, fn);

			r = cancelled(w, cause);
			if (r == 0)
				r = put_media(w, pl->x->r.paths[it], mrel,
				    pl->x->sha[it], cause);
			csv_line(pl, it, fn, &b);
			free(fn);
			free(mrel);
		} else if (o->format == EXPORT_CSV)
			csv_line(pl, it, NULL, &b);
		else
			jsonl_line(pl, it, &b);
		if (b.len >= FLUSH_AT) {
			wf_write(&f, b.s, b.len);
			b.len = 0;
			if (r == 0)
				r = cancelled(w, cause);
		}
	}
	wf_write(&f, b.s, b.len);
	buf_free(&b);
	if (wf_close(w, &f, cause) != 0)
		r = -1;
	return r;
}

static void
json_double(struct buf *b, double v)
{
	char num[40];

	fmt_double(num, sizeof num, v);
	buf_puts(b, isfinite(v) ? num : "null");
}

static void
manifest_ds(struct buf *b, const struct exp_plan *pl)
{
	const struct consensus_ds *ds = pl->ds;
	const struct ratings *r = &pl->x->r;
	int j, k, l, K = ds->nclasses;

	buf_puts(b, "{\"alpha\": ");
	json_double(b, ds->alpha);
	buf_puts(b, ", \"tolerance\": ");
	json_double(b, ds->tol);
	buf_printf(b, ", \"max_iterations\": %d, \"iterations\": %d, "
	    "\"converged\": %s, \"delta\": ", ds->max_iter, ds->iterations,
	    ds->converged ? "true" : "false");
	json_double(b, ds->delta);
	buf_puts(b, ",\n    \"prior\": {");
	for (k = 0; k < K; k++) {
		buf_puts(b, k ? ", " : "");
		buf_json_str(b, r->classes[k]);
		buf_puts(b, ": ");
		json_double(b, ds->prior[k]);
	}
	buf_puts(b, "},\n    \"confusion\": {");
	for (j = 0; j < ds->nlabelers; j++) {
		buf_puts(b, j ? ",\n      " : "\n      ");
		buf_json_str(b, r->labelers[j]);
		buf_puts(b, ": [");
		for (k = 0; k < K; k++) {
			buf_puts(b, k ? ", [" : "[");
			for (l = 0; l < K; l++) {
				buf_puts(b, l ? ", " : "");
				json_double(b, ds->confusion[((size_t)j * K +
				    k) * K + l]);
			}
			buf_puts(b, "]");
		}
		buf_puts(b, "]");
	}
	buf_puts(b, "}}");
}

static void
manifest_left_out(struct buf *b, const struct exp_plan *pl)
{
	const struct exp_snap *x = pl->x;
	int i, first = 1;

	buf_puts(b, "  \"left_out\": [");
	for (i = 0; i < pl->n; i++) {
		const struct consensus_item *c = &pl->cons[i];

		if (pl->reason[i] == EXPORT_KEPT)
			continue;
		buf_printf(b, "%s\n    {\"id\": %lld, \"path\": ", first ? "" :
		    ",", x->r.item_ids[i]);
		first = 0;
		buf_json_str(b, x->r.paths[i]);
		buf_printf(b, ", \"sha256\": \"%s\", \"reason\": \"%s\", "
		    "\"label\": ", x->sha[i], export_reason_name(pl->reason[i]));
		if (c->label >= 0)
			buf_json_str(b, x->r.classes[c->label]);
		else
			buf_puts(b, "null");
		buf_puts(b, ", \"confidence\": ");
		if (c->label >= 0)
			json_double(b, c->confidence);
		else
			buf_puts(b, "null");
		buf_printf(b, ", \"labels\": %d}", c->nlabels);
	}
	buf_puts(b, first ? "],\n" : "\n  ],\n");
}

static void
manifest_counts(struct buf *b, const struct exp_plan *pl)
{
	const struct export_result *res = pl->res;
	int s, c, k;
	long long left = 0;

	for (k = 1; k < EXPORT_NREASONS; k++)
		left += res->left_out[k];
	buf_printf(b, "  \"counts\": {\"items\": %d, \"exported\": %lld, "
	    "\"left_out\": %lld,\n    \"splits\": {", pl->n, res->exported,
	    left);
	for (s = 0; s < res->nparts; s++) {
		long long tot = 0;

		buf_printf(b, "%s\n      \"%s\": {", s ? "," : "",
		    split_name(res->nparts, s));
		for (c = 0; c < res->nclasses; c++) {
			long long v = res->counts[(size_t)s * res->nclasses + c];

			buf_json_str(b, res->classes[c]);
			buf_printf(b, ": %lld, ", v);
			tot += v;
		}
		buf_printf(b, "\"total\": %lld}", tot);
	}
	buf_puts(b, "},\n    \"reasons\": {");
	for (k = 1; k < EXPORT_NREASONS; k++)
		buf_printf(b, "%s\"%s\": %lld", k > 1 ? ", " : "",
		    export_reason_name(k), res->left_out[k]);
	buf_puts(b, "}},\n");
}

static int
write_manifest(struct wr *w, struct store *st, char **cause)
{
	const struct exp_plan *pl = w->pl;
	const struct export_opts *o = pl->o;
	const struct exp_snap *x = pl->x;
	struct buf b = { 0 };
	struct wfile f;
	char now[32], *abs;
	int i, s;

	acc_now_iso(now);
	abs = realpath(store_path(st), NULL);
	buf_printf(&b, "{\n  \"accord_version\": \"%s\",\n  \"created_at\": "
	    "\"%s\",\n  \"created_by\": ", ACCORD_VERSION, now);
	buf_json_str(&b, o->user);
	buf_puts(&b, ",\n  \"store\": {\"path\": ");
	buf_json_str(&b, abs != NULL ? abs : store_path(st));
	free(abs);
	buf_printf(&b, ", \"schema_version\": %d, \"task\": ",
	    store_version(st));
	buf_json_str(&b, pl->p->task);
	buf_printf(&b, ", \"media\": \"%s\",\n    \"label_rows\": %lld, "
	    "\"labels_sha256\": \"%s\",\n    \"adjudications_sha256\": \"%s\", "
	    "\"gold_sha256\": \"%s\"},\n", media_kind_name(pl->p->media),
	    x->label_rows, x->labels_sha, x->adj_sha, x->gold_sha);
	buf_printf(&b, "  \"guideline\": {\"newest\": %d, \"in_labels\": [",
	    pl->p->guideline);
	for (i = 0; i < x->r.nversions; i++)
		buf_printf(&b, "%s%d", i ? ", " : "", x->r.versions[i]);
	buf_puts(&b, "]},\n  \"classes\": [");
	for (i = 0; i < x->r.nclasses; i++) {
		buf_puts(&b, i ? ", " : "");
		buf_json_str(&b, x->r.classes[i]);
	}
	buf_puts(&b, "],\n  \"borderline\": ");
	if (x->r.borderline >= 0)
		buf_json_str(&b, x->r.classes[x->r.borderline]);
	else
		buf_puts(&b, "null");
	buf_printf(&b, ",\n  \"method\": \"%s\",\n  \"fallback\": %s%s%s,\n",
	    consensus_method_name(o->method),
	    o->method == CONSENSUS_ADJUDICATED ? "\"" : "",
	    o->method == CONSENSUS_ADJUDICATED ?
	    consensus_method_name(o->fallback) : "null",
	    o->method == CONSENSUS_ADJUDICATED ? "\"" : "");
	buf_printf(&b, "  \"options\": {\"format\": \"%s\", \"layout\": \"%s\", "
	    "\"split\": {", export_format_name(o->format),
	    o->layout == EXPORT_BY_CLASS ? "by-class" : "flat");
	for (s = 0; s < o->split.nparts; s++)
		buf_printf(&b, "%s\"%s\": %lld", s ? ", " : "",
		    split_name(o->split.nparts, s), o->split.ratio[s]);
	buf_puts(&b, "}, \"group_by\": ");
	if (o->group_by != NULL)
		buf_json_str(&b, o->group_by);
	else
		buf_puts(&b, "null");
	buf_puts(&b, ", \"min_confidence\": ");
	json_double(&b, o->min_confidence);
	buf_printf(&b, ", \"include_borderline\": %s},\n  \"seed\": %llu,\n"
	    "  \"dawid_skene\": ", o->include_borderline ? "true" : "false",
	    (unsigned long long)o->split.seed);
	if (pl->ds != NULL)
		manifest_ds(&b, pl);
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\n");
	manifest_counts(&b, pl);
	manifest_left_out(&b, pl);
	buf_puts(&b, "  \"files\": [");
	buf_add(&b, w->manifest_files.s ? w->manifest_files.s : "",
	    w->manifest_files.len);
	buf_puts(&b, w->nfiles ? "\n  ]\n}\n" : "]\n}\n");
	if (wf_open(w, "manifest.json", &f, cause) != 0) {
		buf_free(&b);
		return -1;
	}
	wf_write(&f, b.s, b.len);
	buf_free(&b);
	return wf_close(w, &f, cause);
}

/*
 * Put the finished tmp at OUT.  Without --force: renameat2 NOREPLACE, so an
 * OUT that appeared meanwhile is never overwritten.  With --force: swap
 * the two atomically (RENAME_EXCHANGE) and remove the old one, now at the
 * temporary name; where the file system lacks renameat2, move the old one
 * aside first (a crash in between leaves OUT missing, never partial).
 */
static int
publish(struct wr *w, char **cause)
{
	struct stat sb;
	int exists = lstat(w->out, &sb) == 0;

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
	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->out,
	    RENAME_EXCHANGE) == 0) {
		if (rm_tree(w->tmp) != 0)
			return acc_error(cause, "%s: wrote the export but "
			    "could not remove the old one now at %s: %s",
			    w->out, w->tmp, strerror(errno));
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS)
		return acc_error(cause, "%s: %s", w->out, strerror(errno));
	{
		char *old = xasprintf("%s.tmp-XXXXXX", w->out);
		int r = 0;

		if (mkdtemp(old) == NULL || rename(w->out, old) != 0 ||
		    rename(w->tmp, w->out) != 0)
			r = acc_error(cause, "%s: %s", w->out, strerror(errno));
		else
			rm_tree(old);
		free(old);
		return r;
	}
}

static int
write_all(struct wr *w, struct store *st, char **cause)
{
	const struct exp_plan *pl = w->pl;
	int folder = pl->o->format == EXPORT_IMAGEFOLDER ||
	    pl->o->format == EXPORT_AUDIOFOLDER, s, c, i, r = 0;
	char **fnames = folder ? file_names(pl) : NULL;

	for (s = 0; s < pl->o->split.nparts && r == 0; s++) {
		long long n = 0;

		for (c = 0; c < pl->res->nclasses; c++)
			n += pl->res->counts[(size_t)s * pl->res->nclasses + c];
		if (n > 0)
			r = write_part(w, s, fnames, cause);
	}
	for (i = 0; folder && i < pl->nrows; i++)
		free(fnames[i]);
	free(fnames);
	if (r != 0 || write_manifest(w, st, cause) != 0)
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
	struct wr w;
	char *d1, *err = NULL;
	int i, r = -1;

	memset(&w, 0, sizeof w);
	w.pl = pl;
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
	buf_free(&w.manifest_files);
	free(w.out);
	free(w.tmp);
	return r;
}
