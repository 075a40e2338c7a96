/*
 * import.c: walk, read, hash, decode, measure and store media files.
 *
 * Threads: the caller's thread walks the paths, then becomes the only
 * writer; `jobs` workers each take the next file, read it once into memory,
 * hash it and probe it (media_probe decodes it completely and computes the
 * input metrics), and hand back a small result.  Workers never touch SQLite.
 * The writer commits every COMMIT_ITEMS items or COMMIT_SECONDS, and
 * early when it has held the write lock COMMIT_IDLE_SECONDS and must wait
 * for a worker, so labelers working on the same store wait briefly, and a
 * fast import does not pay one fsync per file.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accord/csv.h"
#include "accord/import.h"
#include "accord/media.h"
#include "accord/project.h"
#include "internal.h"
#include "sqlutil.h"

#define COMMIT_ITEMS 500
#define COMMIT_SECONDS 0.5
#define COMMIT_IDLE_SECONDS 0.05
#define PROGRESS_SECONDS 0.1
#define META_MAX_BYTES ((size_t)256 << 20)

struct file {
	char *path;		/* canonical */
	long long bytes;
	long long mtime;	/* ns since the epoch */
	int named;		/* given on the command line, not found by walking */
	long long item;		/* already imported unchanged: its item id */
};

struct result {
	int state;		/* 0 pending, 1 ready (guarded by pool.lock) */
	char sha[65];
	struct media_info info;
	char *error;
};

struct pool {
	struct file *files;
	struct result *results;
	int nfiles;
	int next;		/* next file a worker takes */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum media_kind kind;
};

/* --- walking --------------------------------------------------------- */

struct walk {
	struct file *files;
	int n, cap;
	enum media_kind kind;
	int skipped;
	const struct import_opts *opts;
	int failed;
};

static void
walk_add(struct walk *w, const char *path, const struct stat *sb, int named)
{
	char *real = realpath(path, NULL);

	if (real == NULL) {
		w->opts->on_error(w->opts->arg, path, strerror(errno));
		w->failed++;
		return;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->files = xreallocarray(w->files, (size_t)w->cap,
		    sizeof *w->files);
	}
	memset(&w->files[w->n], 0, sizeof w->files[w->n]);
	w->files[w->n].path = real;
	w->files[w->n].bytes = (long long)sb->st_size;
	w->files[w->n].mtime = (long long)sb->st_mtim.tv_sec * 1000000000LL +
	    sb->st_mtim.tv_nsec;
	w->files[w->n].named = named;
	w->n++;
}

/*
 * Recurse into dir.  Hidden entries are skipped; symbolic links to files
 * are followed, links to directories are not (no cycles).
 */
static void
walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > 64) {
		w->opts->on_error(w->opts->arg, dir, "directories nested too "
		    "deep (over 64 levels)");
		w->failed++;
		return;
	}
	if ((d = opendir(dir)) == NULL) {
		w->opts->on_error(w->opts->arg, dir, strerror(errno));
		w->failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat lsb, sb;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &lsb) != 0) {
			w->opts->on_error(w->opts->arg, p, strerror(errno));
			w->failed++;
		} else if (S_ISDIR(lsb.st_mode)) {
			walk_dir(w, p, depth + 1);
		} else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
			enum media_format f = media_format_from_ext(p);

			if (media_format_kind(f) == w->kind)
				walk_add(w, p, &sb, 0);
			else
				w->skipped++;
		}
		free(p);
	}
	closedir(d);
}

/*
 * Walk directory dir; when it holds no file of the project's media, say so
 * in one line (not a failure: an empty drop folder is no error), so that
 * "0 new items" never hides a wrong directory or media kind.
 */
static void
walk_top(struct walk *w, const char *dir)
{
	int n = w->n, skipped = w->skipped, failed = w->failed;
	char *msg;

	walk_dir(w, dir, 0);
	if (w->n > n || w->failed > failed)
		return;
	skipped = w->skipped - skipped;
	msg = xasprintf("no %s files (%s) found, nothing imported from "
	    "here; %d other file%s skipped", media_kind_name(w->kind),
	    w->kind == MEDIA_KIND_IMAGE ? ".png .jpg .jpeg" :
	    ".wav .flac .ogg .oga", skipped, skipped == 1 ? "" : "s");
	w->opts->on_error(w->opts->arg, dir, msg);
	free(msg);
}

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path,
	    ((const struct file *)b)->path);
}

/* --- metadata CSV ---------------------------------------------------- */

struct meta_key {
	const char *key;	/* resolved path or base name */
	int row;
};

struct meta {
	struct csv csv;
	char *file;		/* the CSV's path, as given */
	char *source;		/* "csv:" + canonical path */
	int filecol;
	struct meta_key *bypath, *byname;
	int npath, nname;
	int *matched;		/* per row */
};

static int
meta_key_cmp(const void *a, const void *b)
{
	const struct meta_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->row - y->row;
}

static const char *const metric_keys[] = {
	"brightness", "contrast", "sharpness", "duration_s", "rms_db",
	"peak_db", "clipped", "lead_silence_s", "trail_silence_s", NULL
};

/* The header names each column once, none of them a computed metric. */
static int
meta_check_header(const struct csv_row *h, char **cause)
{
	int c, k;

	for (c = 0; c < h->nfields; c++) {
		const char *name = h->fields[c];

		if (*name == '\0')
			return acc_error(cause, "column %d has no name", c + 1);
		for (k = 0; metric_keys[k] != NULL; k++)
			if (strcmp(name, metric_keys[k]) == 0)
				return acc_error(cause, "column '%s' clashes "
				    "with a computed input metric; rename it",
				    name);
		for (k = 0; k < c; k++)
			if (strcmp(name, h->fields[k]) == 0)
				return acc_error(cause, "column '%s' appears "
				    "twice in the header (columns %d and %d)",
				    name, k + 1, c + 1);
	}
	return 0;
}

static int
meta_load(struct meta *m, const char *file, char **cause)
{
	unsigned char *data;
	size_t len;
	char *real, *dir, *tmp;
	int r;

	memset(m, 0, sizeof *m);
	if (acc_read_file(file, META_MAX_BYTES, &data, &len, cause) != 0)
		return -1;
	r = csv_parse((const char *)data, len, &m->csv, cause);
	free(data);
	if (r != 0)
		return -1;
	if ((m->filecol = csv_column(&m->csv, "file")) == -1) {
		csv_free(&m->csv);
		return acc_error(cause, "no 'file' column in the header");
	}
	/* The message quotes the header: free it only after. */
	if (meta_check_header(&m->csv.rows[0], cause) != 0) {
		csv_free(&m->csv);
		return -1;
	}
	if ((real = realpath(file, NULL)) == NULL) {
		csv_free(&m->csv);
		return acc_error(cause, "%s", strerror(errno));
	}
	tmp = xstrdup(real);
	dir = xstrdup(dirname(tmp));
	free(tmp);
	m->file = xstrdup(file);
	m->source = xasprintf("csv:%s", real);
	free(real);
	m->matched = xcalloc((size_t)m->csv.nrows, sizeof *m->matched);
	m->bypath = xcalloc((size_t)m->csv.nrows, sizeof *m->bypath);
	m->byname = xcalloc((size_t)m->csv.nrows, sizeof *m->byname);
	for (r = 1; r < m->csv.nrows; r++) {
		const char *v = m->csv.rows[r].fields[m->filecol];
		char *p;

		if (*v == '\0')
			continue;
		/* A bare name may match by base name; a path only by path. */
		if (strchr(v, '/') == NULL) {
			m->byname[m->nname].key = v;
			m->byname[m->nname++].row = r;
		}
		if ((p = acc_resolve_path(dir, v, NULL)) != NULL) {
			m->bypath[m->npath].key = p;
			m->bypath[m->npath++].row = r;
		}
	}
	free(dir);
	qsort(m->bypath, (size_t)m->npath, sizeof *m->bypath, meta_key_cmp);
	qsort(m->byname, (size_t)m->nname, sizeof *m->byname, meta_key_cmp);
	return 0;
}

static void
meta_free(struct meta *m)
{
	int i;

	for (i = 0; i < m->npath; i++)
		free((char *)m->bypath[i].key);
	free(m->bypath);
	free(m->byname);
	free(m->matched);
	free(m->file);
	free(m->source);
	csv_free(&m->csv);
}

/* Range [*lo, *hi) of entries with this key. */
static void
meta_find(const struct meta_key *keys, int n, const char *key, int *lo,
    int *hi)
{
	int a = 0, b = n;

	while (a < b) {
		int mid = a + (b - a) / 2;

		if (strcmp(keys[mid].key, key) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	while (b < n && strcmp(keys[b].key, key) == 0)
		b++;
	*hi = a > b ? a : b;
}

/* --- workers --------------------------------------------------------- */

static void
probe_file(struct pool *p, int i)
{
	struct file *f = &p->files[i];
	struct result *r = &p->results[i];
	enum media_format ext = media_format_from_ext(f->path);
	unsigned char *data;
	size_t len;
	char *cause = NULL;

	if (ext == MEDIA_FMT_UNKNOWN) {
		r->error = xstrdup("unsupported file type (accord imports "
		    ".png .jpg .jpeg .wav .flac .ogg .oga)");
		return;
	}
	if (media_format_kind(ext) != p->kind) {
		r->error = xasprintf("is %s, but this project labels %s",
		    media_kind_name(media_format_kind(ext)),
		    media_kind_name(p->kind));
		return;
	}
	if (acc_read_file(f->path, MEDIA_MAX_FILE_BYTES, &data, &len,
	    &cause) != 0) {
		r->error = cause;
		return;
	}
	acc_sha256_hex(data, len, r->sha);
	if (media_probe(data, len, ext, &r->info, &cause) != 0)
		r->error = cause;
	f->bytes = (long long)len;
	free(data);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		int i;

		pthread_mutex_lock(&p->lock);
		while (p->next < p->nfiles && p->files[p->next].item != 0)
			p->next++;	/* unchanged: the writer handles it */
		if (p->stop || p->next >= p->nfiles) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);

		probe_file(p, i);

		pthread_mutex_lock(&p->lock);
		p->results[i].state = 1;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

/* --- the writer ------------------------------------------------------ */

struct writer {
	struct store *st;
	const struct import_opts *opts;
	struct meta *meta;
	sqlite3_stmt *item, *find, *source, *metric, *metaput, *batch, *batchid;
	long long batch_id;
	const char *batch_name;
	int in_tx, tx_items;
	double tx_start;
	char now[32];
};

static int
writer_prepare(struct writer *w, char **cause)
{
	struct store *st = w->st;

	return sql_prepare(st, "INSERT INTO items (sha256, path, kind, format, "
	    "bytes, width, height, depth, channels, rate, frames, batch, "
	    "imported_by, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (sha256) DO NOTHING",
	    &w->item, cause) ||
	    sql_prepare(st, "SELECT id FROM items WHERE sha256 = ?", &w->find,
	    cause) ||
	    sql_prepare(st, "INSERT INTO item_sources (item, path, bytes, "
	    "mtime, batch, seen_at) VALUES (?, ?, ?, ?, ?, ?)", &w->source,
	    cause) ||
	    sql_prepare(st, "INSERT INTO item_meta (item, key, value, source, "
	    "created_at) VALUES (?, ?, ?, 'metric', ?)", &w->metric, cause) ||
	    /* A metadata value is added only when it differs from the one in
	     * force, so re-running an import does not grow the history. */
	    sql_prepare(st, "INSERT INTO item_meta (item, key, value, source, "
	    "created_at) SELECT ?1, ?2, ?3, ?4, ?5 WHERE (SELECT value FROM "
	    "item_meta WHERE item = ?1 AND key = ?2 ORDER BY id DESC LIMIT 1) "
	    "IS NOT ?3", &w->metaput, cause) ||
	    sql_prepare(st, "INSERT INTO batches (name, created_by, created_at) "
	    "VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING", &w->batch,
	    cause) ||
	    sql_prepare(st, "SELECT id FROM batches WHERE name = ?",
	    &w->batchid, cause) ? -1 : 0;
}

static void
writer_finalize(struct writer *w)
{
	sqlite3_finalize(w->item);
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->source);
	sqlite3_finalize(w->metric);
	sqlite3_finalize(w->metaput);
	sqlite3_finalize(w->batch);
	sqlite3_finalize(w->batchid);
}

static int
writer_begin(struct writer *w, char **cause)
{
	int rc;

	if (w->in_tx)
		return 0;
	if (store_begin(w->st, 1, cause) != 0)
		return -1;
	w->in_tx = 1;
	w->tx_items = 0;
	w->tx_start = acc_monotonic();
	acc_now_iso(w->now);
	if (w->batch_id == 0) {
		sql_bind_text(w->batch, 1, w->batch_name);
		sql_bind_text(w->batch, 2, w->opts->user);
		sql_bind_text(w->batch, 3, w->now);
		if (sql_step_done(w->st, w->batch, cause) != 0)
			return -1;
		sql_bind_text(w->batchid, 1, w->batch_name);
		if ((rc = sql_next(w->st, w->batchid, cause)) != 1) {
			sqlite3_reset(w->batchid);
			return rc < 0 ? -1 : acc_error(cause, "batch %s was "
			    "not created", w->batch_name);
		}
		w->batch_id = sqlite3_column_int64(w->batchid, 0);
		sqlite3_reset(w->batchid);
	}
	return 0;
}

static int
writer_commit(struct writer *w, char **cause)
{
	if (!w->in_tx)
		return 0;
	w->in_tx = 0;
	if (store_commit(w->st, cause) != 0)
		return -1;
	return 0;
}

/* Apply the CSV rows naming this file to item `id`. */
static int
writer_meta(struct writer *w, const char *path, long long id, char **cause)
{
	struct meta *m = w->meta;
	const char *base;
	int lo, hi, k, c, nrows = 0;
	int rows[64];

	if (m == NULL)
		return 0;
	meta_find(m->bypath, m->npath, path, &lo, &hi);
	for (k = lo; k < hi && nrows < 64; k++)
		rows[nrows++] = m->bypath[k].row;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (nrows == 0) {
		meta_find(m->byname, m->nname, base, &lo, &hi);
		for (k = lo; k < hi && nrows < 64; k++)
			rows[nrows++] = m->byname[k].row;
	}
	for (k = 0; k < nrows; k++) {
		const struct csv_row *row = &m->csv.rows[rows[k]];

		m->matched[rows[k]]++;
		for (c = 0; c < row->nfields; c++) {
			if (c == m->filecol || row->fields[c][0] == '\0')
				continue;
			sql_bind_int(w->metaput, 1, id);
			sql_bind_text(w->metaput, 2, m->csv.rows[0].fields[c]);
			sql_bind_text(w->metaput, 3, row->fields[c]);
			sql_bind_text(w->metaput, 4, m->source);
			sql_bind_text(w->metaput, 5, w->now);
			if (sql_step_done(w->st, w->metaput, cause) != 0)
				return -1;
		}
	}
	return 0;
}

static int
writer_unchanged(struct writer *w, const struct file *f, char **cause)
{
	if (w->meta == NULL)
		return 0;
	if (writer_begin(w, cause) != 0)
		return -1;
	return writer_meta(w, f->path, f->item, cause);
}

/* Write one probed file.  *dup set when the content was already stored. */
static int
writer_put(struct writer *w, const struct file *f, const struct result *r,
    int *dup, char **cause)
{
	const struct media_info *in = &r->info;
	long long id;
	int k;

	if (writer_begin(w, cause) != 0)
		return -1;
	sql_bind_text(w->item, 1, r->sha);
	sql_bind_text(w->item, 2, f->path);
	sql_bind_text(w->item, 3, media_kind_name(in->kind));
	sql_bind_text(w->item, 4, media_format_name(in->format));
	sql_bind_int(w->item, 5, f->bytes);
	for (k = 6; k <= 11; k++)
		sql_bind_null(w->item, k);
	if (in->kind == MEDIA_KIND_IMAGE) {
		sql_bind_int(w->item, 6, in->width);
		sql_bind_int(w->item, 7, in->height);
		sql_bind_int(w->item, 8, in->depth);
		sql_bind_int(w->item, 9, in->channels);
	} else {
		sql_bind_int(w->item, 9, in->channels);
		sql_bind_int(w->item, 10, in->rate);
		sql_bind_int(w->item, 11, in->frames);
	}
	sql_bind_int(w->item, 12, w->batch_id);
	sql_bind_text(w->item, 13, w->opts->user);
	sql_bind_text(w->item, 14, w->now);
	if (sql_step_done(w->st, w->item, cause) != 0)
		return -1;
	*dup = sqlite3_changes(w->st->db) == 0;
	if (*dup) {
		sql_bind_text(w->find, 1, r->sha);
		if ((k = sql_next(w->st, w->find, cause)) != 1) {
			sqlite3_reset(w->find);
			return k < 0 ? -1 : acc_error(cause, "item %s was "
			    "neither added nor found", r->sha);
		}
		id = sqlite3_column_int64(w->find, 0);
		sqlite3_reset(w->find);
	} else {
		id = sqlite3_last_insert_rowid(w->st->db);
		for (k = 0; k < in->nmetrics; k++) {
			sql_bind_int(w->metric, 1, id);
			sql_bind_text(w->metric, 2, in->metrics[k].key);
			sql_bind_double(w->metric, 3, in->metrics[k].value);
			sql_bind_text(w->metric, 4, w->now);
			if (sql_step_done(w->st, w->metric, cause) != 0)
				return -1;
		}
	}
	sql_bind_int(w->source, 1, id);
	sql_bind_text(w->source, 2, f->path);
	sql_bind_int(w->source, 3, f->bytes);
	sql_bind_int(w->source, 4, f->mtime);
	sql_bind_int(w->source, 5, w->batch_id);
	sql_bind_text(w->source, 6, w->now);
	if (sql_step_done(w->st, w->source, cause) != 0)
		return -1;
	w->tx_items++;
	return writer_meta(w, f->path, id, cause);
}

/* Mark files already imported with the same path, size and mtime. */
static int
find_unchanged(struct store *st, struct file *files, int n, char **cause)
{
	sqlite3_stmt *s;
	int i, rc = 0;

	if (sql_prepare(st, "SELECT item FROM item_sources WHERE path = ? AND "
	    "bytes = ? AND mtime = ? LIMIT 1", &s, cause) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		sql_bind_text(s, 1, files[i].path);
		sql_bind_int(s, 2, files[i].bytes);
		sql_bind_int(s, 3, files[i].mtime);
		/* An error is not "not imported yet": stop. */
		if ((rc = sql_next(st, s, cause)) < 0)
			break;
		if (rc == 1)
			files[i].item = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc < 0 ? -1 : 0;
}

static void
progress(const struct import_opts *o, struct import_stats *s, double t0,
    double *last, int force)
{
	double now = acc_monotonic();

	s->seconds = now - t0;
	if (o->on_progress != NULL && (force || now - *last >= PROGRESS_SECONDS)) {
		*last = now;
		o->on_progress(o->arg, s);
	}
}

/*
 * The writer takes results in file order (sorted paths), so item ids and
 * the path an item is first known by do not depend on thread timing.
 * Workers also take files in that order, so the wait is short.
 */
static int
run_pool(struct writer *w, struct pool *p, int jobs, struct import_stats *s,
    char **cause)
{
	pthread_t *th = xcalloc((size_t)jobs, sizeof *th);
	double t0 = acc_monotonic(), last = 0;
	int i, started = 0, rc = 0, idx;

	for (i = 0; i < jobs; i++) {
		if (pthread_create(&th[i], NULL, worker, p) != 0)
			break;
		started++;
	}
	if (started == 0 && p->nfiles > 0) {
		free(th);
		return acc_error(cause, "cannot start worker threads");
	}
	for (idx = 0; idx < p->nfiles; idx++) {
		struct result *r = &p->results[idx];

		s->done++;
		if (p->files[idx].item != 0) {
			/* Unchanged: no worker needed, only its metadata. */
			if (writer_unchanged(w, &p->files[idx], cause) != 0) {
				rc = -1;
				break;
			}
			s->unchanged++;
			continue;
		}
		pthread_mutex_lock(&p->lock);
		while (r->state == 0) {
			struct timespec ts;

			if (w->in_tx &&
			    acc_monotonic() - w->tx_start >= COMMIT_IDLE_SECONDS) {
				/* Waiting on a decode: do not sit on the lock. */
				pthread_mutex_unlock(&p->lock);
				if (writer_commit(w, cause) != 0) {
					rc = -1;
					goto out;
				}
				pthread_mutex_lock(&p->lock);
				continue;
			}
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += w->in_tx ? 10000000 : 100000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p->cond, &p->lock, &ts);
		}
		pthread_mutex_unlock(&p->lock);

		if (r->error != NULL) {
			w->opts->on_error(w->opts->arg, p->files[idx].path,
			    r->error);
			s->failed++;
		} else {
			int dup = 0;

			s->bytes += (uint64_t)p->files[idx].bytes;
			if (writer_put(w, &p->files[idx], r, &dup, cause) != 0) {
				rc = -1;
				break;
			}
			if (dup)
				s->duplicates++;
			else
				s->imported++;
		}
		if (w->in_tx && (w->tx_items >= COMMIT_ITEMS ||
		    acc_monotonic() - w->tx_start >= COMMIT_SECONDS) &&
		    writer_commit(w, cause) != 0) {
			rc = -1;
			break;
		}
		progress(w->opts, s, t0, &last, 0);
	}
	if (rc == 0)
		rc = writer_commit(w, cause);
out:
	if (rc != 0)
		store_rollback(w->st);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	progress(w->opts, s, t0, &last, 1);
	return rc;
}

int
import_run(struct store *st, const struct import_opts *opts,
    struct import_stats *s, char **batch_name, char **cause)
{
	struct project proj;
	struct walk wk = { 0 };
	struct meta meta, *mp = NULL;
	struct pool p;
	struct writer w;
	char *batch = NULL, now[32];
	int i, j, rc = -1, jobs = opts->jobs;
	double t0 = acc_monotonic();

	memset(s, 0, sizeof *s);
	memset(&p, 0, sizeof p);
	memset(&w, 0, sizeof w);
	if (project_require(st, opts->user, ROLE_ADMIN, "importing items",
	    cause) != 0)
		return -1;
	if (project_load(st, &proj, cause) != 0)
		return -1;
	if (opts->meta_csv != NULL) {
		char *why = NULL;

		if (meta_load(&meta, opts->meta_csv, &why) != 0) {
			acc_error(cause, "%s: %s", opts->meta_csv, why);
			free(why);
			project_free(&proj);
			return -1;
		}
		mp = &meta;
	}
	if (opts->batch != NULL) {
		if (*opts->batch == '\0') {
			acc_error(cause, "--batch needs a name");
			goto out;
		}
		batch = xstrdup(opts->batch);
	} else {
		acc_now_iso(now);
		batch = xasprintf("import-%.19s", now);
	}

	wk.kind = proj.media;
	wk.opts = opts;
	for (i = 0; i < opts->npaths; i++) {
		struct stat sb;

		if (stat(opts->paths[i], &sb) != 0) {
			opts->on_error(opts->arg, opts->paths[i], strerror(errno));
			wk.failed++;
		} else if (S_ISDIR(sb.st_mode))
			walk_top(&wk, opts->paths[i]);
		else if (S_ISREG(sb.st_mode))
			walk_add(&wk, opts->paths[i], &sb, 1);
		else {
			opts->on_error(opts->arg, opts->paths[i],
			    "not a regular file or directory");
			wk.failed++;
		}
	}
	/* One entry per canonical path, in a stable order (no files: NULL,
	 * which qsort may not be given). */
	if (wk.n > 1)
		qsort(wk.files, (size_t)wk.n, sizeof *wk.files, file_cmp);
	for (i = 0, j = 0; i < wk.n; i++) {
		if (j > 0 && strcmp(wk.files[j - 1].path, wk.files[i].path) == 0) {
			free(wk.files[i].path);
			continue;
		}
		wk.files[j++] = wk.files[i];
	}
	wk.n = j;
	if (find_unchanged(st, wk.files, wk.n, cause) != 0)
		goto out;

	s->total = wk.n;
	s->skipped = wk.skipped;
	if (jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (int)n : 1;
	}
	if (jobs > 256)
		jobs = 256;

	p.files = wk.files;
	p.nfiles = wk.n;
	p.kind = proj.media;
	p.results = xcalloc((size_t)wk.n + 1, sizeof *p.results);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);

	w.st = st;
	w.opts = opts;
	w.meta = mp;
	w.batch_name = batch;
	if (writer_prepare(&w, cause) != 0) {
		writer_finalize(&w);
		goto out_pool;
	}
	rc = run_pool(&w, &p, jobs, s, cause);
	writer_finalize(&w);
	s->failed += wk.failed;

	if (rc == 0 && mp != NULL) {
		for (i = 1; i < mp->csv.nrows; i++) {
			if (mp->matched[i]) {
				s->meta_rows++;
				continue;
			}
			{
				char *where = xasprintf("%s:%d", mp->file,
				    mp->csv.rows[i].line);
				char *msg = xasprintf("row names no imported file "
				    "(%s)", mp->csv.rows[i].fields[mp->filecol]);

				opts->on_error(opts->arg, where, msg);
				free(where);
				free(msg);
			}
			s->meta_unmatched++;
		}
	}
	if (rc == 0) {
		char *detail = xasprintf("batch=%s imported=%d duplicates=%d "
		    "unchanged=%d failed=%d", batch, s->imported, s->duplicates,
		    s->unchanged, s->failed);

		/* The items are committed; a lost audit row is still told. */
		if (s->imported + s->duplicates > 0 && store_audit(st,
		    opts->user, "import", detail, cause) != 0)
			rc = -1;
		free(detail);
	}
out_pool:
	for (i = 0; i < wk.n; i++)
		free(p.results[i].error);
	free(p.results);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
out:
	s->seconds = acc_monotonic() - t0;
	for (i = 0; i < wk.n; i++)
		free(wk.files[i].path);
	free(wk.files);
	if (mp != NULL)
		meta_free(mp);
	project_free(&proj);
	if (rc == 0 && batch_name != NULL)
		*batch_name = batch;
	else
		free(batch);
	return rc;
}
