/*
 * import.c: walk, read, hash, decode, measure and store media files.
 *
 * Threads: the caller's thread walks the paths, then becomes the only
 * writer; `jobs` workers each take the next file, read it once into memory,
 * hash it and probe it (media_probe decodes it completely and computes the
 * input metrics), and hand back a small result.  What the workers hold at
 * once (files read and pixels decoded) stays within the decode budget
 * (media.h), whatever --jobs is.  Workers never touch SQLite.
 * The writer commits every COMMIT_ITEMS items or COMMIT_SECONDS, and
 * early when it has held the write lock COMMIT_IDLE_SECONDS and must wait
 * for a worker, so labelers working on the same store wait briefly, and a
 * fast import does not pay one fsync per file.  The walk, the metadata CSV
 * and the writer's statements are in import_walk.c, import_meta.c and
 * import_store.c; this file runs the workers and the writer's loop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accord/project.h"
#include "import_int.h"

#define COMMIT_ITEMS 500
#define COMMIT_SECONDS 0.5
#define COMMIT_IDLE_SECONDS 0.05
/* Media kept in the store: commit once a transaction holds this much. */
#define COMMIT_BYTES ((long long)64 << 20)
#define PROGRESS_SECONDS 0.1

struct pool {
	struct imp_file *files;
	struct imp_result *results;
	int nfiles;
	int next;		/* next file a worker takes */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum media_kind kind;
	size_t max_bytes;	/* a larger file fails */
};

/* --- workers --------------------------------------------------------- */

/* The first bytes of a file, enough for any PNG header and most JPEGs'. */
#define HEAD_BYTES ((size_t)64 << 10)

/*
 * What probing the file at path holds at its largest, for the decode
 * budget (media.h): the file's bytes, read whole, and the pixels its
 * header says decoding makes.  0 for a file that cannot be opened or is
 * over max: reading it fails at once, holding nothing.
 */
static uint64_t
file_cost(const char *path, size_t max, unsigned char *head)
{
	long long size;
	ssize_t n;
	int fd;

	if ((fd = acc_open_regular(path, &size, NULL)) == -1)
		return 0;
	if (size < 0 || (unsigned long long)size > max) {
		close(fd);
		return 0;
	}
	do
		n = pread(fd, head, HEAD_BYTES, 0);
	while (n == -1 && errno == EINTR);
	close(fd);
	return (uint64_t)size + media_decode_bytes(head, n > 0 ? (size_t)n :
	    0);
}

static void
probe_file(struct pool *p, int i, unsigned char *head)
{
	struct imp_file *f = &p->files[i];
	struct imp_result *r = &p->results[i];
	enum media_format ext = media_format_from_ext(f->path);
	unsigned char *data;
	size_t len;
	uint64_t cost;
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
	/*
	 * However many workers run, what they hold at once stays within the
	 * decode budget: each takes its file's cost before reading it.
	 */
	cost = file_cost(f->path, p->max_bytes, head);
	media_budget_take(cost);
	if (acc_read_file(f->path, p->max_bytes, &data, &len, &cause) != 0) {
		media_budget_give(cost);
		r->error = cause;
		return;
	}
	acc_sha256_hex(data, len, r->sha);
	if (media_probe(data, len, ext, &r->info, &cause) != 0)
		r->error = cause;
	f->bytes = (long long)len;
	free(data);
	media_budget_give(cost);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *head = xmalloc(HEAD_BYTES);

	for (;;) {
		int i;

		pthread_mutex_lock(&p->lock);
		while (p->next < p->nfiles && p->files[p->next].item != 0)
			p->next++;	/* unchanged: the writer handles it */
		if (p->stop || p->next >= p->nfiles) {
			pthread_mutex_unlock(&p->lock);
			free(head);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);

		probe_file(p, i, head);

		pthread_mutex_lock(&p->lock);
		p->results[i].state = 1;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

/* --- the writer's loop ----------------------------------------------- */

static void
progress(const struct import_opts *o, struct import_stats *s, double t0,
    double *last, int force)
{
	double now = acc_monotonic();

	s->seconds = now - t0;
	if (o->on_progress != NULL &&
	    (force || now - *last >= PROGRESS_SECONDS)) {
		*last = now;
		o->on_progress(o->arg, s);
	}
}

/* Start up to jobs workers; returns how many started. */
static int
pool_start(struct pool *p, pthread_t *th, int jobs)
{
	int i, started = 0;

	for (i = 0; i < jobs; i++) {
		if (pthread_create(&th[i], NULL, worker, p) != 0)
			break;
		started++;
	}
	return started;
}

/* Tell the workers to stop after their current file, and join them. */
static void
pool_stop(struct pool *p, pthread_t *th, int started)
{
	int i;

	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/*
 * Wait until a worker has probed file idx.  A transaction held for
 * COMMIT_IDLE_SECONDS is committed meanwhile: waiting on a decode, the
 * writer does not sit on the store's write lock.
 */
static int
pool_wait(struct imp_writer *w, struct pool *p, int idx, char **cause)
{
	struct imp_result *r = &p->results[idx];

	pthread_mutex_lock(&p->lock);
	while (r->state == 0) {
		struct timespec ts;

		if (w->in_tx &&
		    acc_monotonic() - w->tx_start >= COMMIT_IDLE_SECONDS) {
			pthread_mutex_unlock(&p->lock);
			if (imp_writer_commit(w, cause) != 0)
				return -1;
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
	return 0;
}

/* File idx, probed: tell its error, or write it; -1 when the store fails. */
static int
take_result(struct imp_writer *w, struct pool *p, int idx,
    struct import_stats *s, char **cause)
{
	const struct imp_result *r = &p->results[idx];
	char *why = NULL;
	int dup = 0;

	if (r->error != NULL) {
		w->opts->on_error(w->opts->arg, p->files[idx].path, r->error);
		s->failed++;
		return 0;
	}
	s->bytes += (uint64_t)p->files[idx].bytes;
	if (imp_writer_put(w, &p->files[idx], r, &dup, &why, cause) != 0)
		return -1;
	if (why != NULL) {
		w->opts->on_error(w->opts->arg, p->files[idx].path, why);
		free(why);
		s->failed++;
		return 0;
	}
	s->stored = w->stored;
	s->stored_bytes = w->stored_bytes;
	if (dup)
		s->duplicates++;
	else
		s->imported++;
	return 0;
}

/*
 * The writer takes results in file order (sorted paths), so item ids and
 * the path an item is first known by do not depend on thread timing.
 * Workers also take files in that order, so the wait is short.
 */
static int
run_pool(struct imp_writer *w, struct pool *p, int jobs,
    struct import_stats *s, char **cause)
{
	pthread_t *th = xcalloc((size_t)jobs, sizeof *th);
	double t0 = acc_monotonic(), last = 0;
	int started, rc = 0, idx;

	started = pool_start(p, th, jobs);
	if (started == 0 && p->nfiles > 0) {
		free(th);
		return acc_error(cause, "cannot start worker threads");
	}
	for (idx = 0; idx < p->nfiles; idx++) {
		s->done++;
		if (p->files[idx].item != 0) {
			/* Unchanged: no worker needed, only its metadata. */
			if (imp_writer_unchanged(w, &p->files[idx],
			    cause) != 0) {
				rc = -1;
				break;
			}
			s->unchanged++;
			continue;
		}
		if (pool_wait(w, p, idx, cause) != 0 ||
		    take_result(w, p, idx, s, cause) != 0 ||
		    (w->in_tx && (w->tx_items >= COMMIT_ITEMS ||
		    w->tx_bytes >= COMMIT_BYTES ||
		    acc_monotonic() - w->tx_start >= COMMIT_SECONDS) &&
		    imp_writer_commit(w, cause) != 0)) {
			rc = -1;
			break;
		}
		progress(w->opts, s, t0, &last, 0);
	}
	if (rc == 0)
		rc = imp_writer_commit(w, cause);
	if (rc != 0)
		store_rollback(w->st);
	pool_stop(p, th, started);
	free(th);
	progress(w->opts, s, t0, &last, 1);
	return rc;
}

/* --- import_run ------------------------------------------------------ */

size_t
imp_max_bytes(const struct import_opts *opts)
{
	if (opts->max_bytes <= 0 ||
	    (unsigned long long)opts->max_bytes > MEDIA_MAX_FILE_BYTES)
		return MEDIA_MAX_FILE_BYTES;
	return (size_t)opts->max_bytes;
}

/* The batch's name: --batch, or import-TIME; NULL (and *cause) if empty. */
static char *
batch_name_of(const struct import_opts *opts, char **cause)
{
	char now[32];

	if (opts->batch != NULL) {
		if (*opts->batch == '\0') {
			acc_error(cause, "--batch needs a name");
			return NULL;
		}
		return xstrdup(opts->batch);
	}
	acc_now_iso(now);
	return xasprintf("import-%.19s", now);
}

/* --jobs, or the number of CPUs; at most 256. */
static int
jobs_of(const struct import_opts *opts)
{
	int jobs = opts->jobs;

	if (jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (int)n : 1;
	}
	return jobs > 256 ? 256 : jobs;
}

/*
 * Probe and write the files found, with their metadata; finalizes w.
 * s->failed also counts the paths the walk could not read.
 */
static int
import_files(struct imp_writer *w, struct imp_walk *wk, enum media_kind kind,
    struct import_stats *s, char **cause)
{
	struct pool p;
	int i, rc;

	memset(&p, 0, sizeof p);
	p.files = wk->files;
	p.nfiles = wk->n;
	p.kind = kind;
	p.max_bytes = imp_max_bytes(w->opts);
	p.results = xcalloc((size_t)wk->n + 1, sizeof *p.results);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	rc = imp_writer_prepare(w, cause);
	if (rc == 0) {
		rc = run_pool(w, &p, jobs_of(w->opts), s, cause);
		s->failed += wk->failed;
	}
	imp_writer_finalize(w);
	for (i = 0; i < wk->n; i++)
		free(p.results[i].error);
	free(p.results);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
	return rc;
}

/* The audit row; the items are committed, and a lost row is still told. */
static int
audit_import(struct store *st, const struct import_opts *opts,
    const char *batch, const struct import_stats *s, char **cause)
{
	char *detail;
	int rc = 0;

	if (s->imported + s->duplicates == 0)
		return 0;
	detail = xasprintf("batch=%s imported=%d duplicates=%d unchanged=%d "
	    "failed=%d", batch, s->imported, s->duplicates, s->unchanged,
	    s->failed);
	if (store_audit(st, opts->user, "import", detail, cause) != 0)
		rc = -1;
	free(detail);
	return rc;
}

int
import_run(struct store *st, const struct import_opts *opts,
    struct import_stats *s, char **batch_name, char **cause)
{
	struct project proj;
	struct imp_walk wk = { 0 };
	struct imp_meta meta, *mp = NULL;
	struct imp_writer w;
	char *batch = NULL;
	int rc = -1;
	double t0 = acc_monotonic();

	memset(s, 0, sizeof *s);
	memset(&w, 0, sizeof w);
	if (project_require(st, opts->user, ROLE_ADMIN, "importing items",
	    cause) != 0)
		return -1;
	if (project_load(st, &proj, cause) != 0)
		return -1;
	if (opts->meta_csv != NULL) {
		char *why = NULL;

		if (imp_meta_load(&meta, opts->meta_csv, &why) != 0) {
			acc_error(cause, "%s: %s", opts->meta_csv, why);
			free(why);
			project_free(&proj);
			return -1;
		}
		mp = &meta;
	}
	if ((batch = batch_name_of(opts, cause)) == NULL)
		goto out;
	imp_walk_paths(&wk, opts, proj.media);
	if (imp_find_unchanged(st, wk.files, wk.n, opts->store_media,
	    cause) != 0)
		goto out;
	s->total = wk.n;
	s->skipped = wk.skipped;
	w.st = st;
	w.opts = opts;
	w.meta = mp;
	w.batch_name = batch;
	rc = import_files(&w, &wk, proj.media, s, cause);
	if (rc == 0 && mp != NULL)
		imp_meta_unmatched(mp, opts, s);
	if (rc == 0)
		rc = audit_import(st, opts, batch, s, cause);
out:
	s->seconds = acc_monotonic() - t0;
	imp_walk_free(&wk);
	if (mp != NULL)
		imp_meta_free(mp);
	project_free(&proj);
	if (rc == 0 && batch_name != NULL)
		*batch_name = batch;
	else
		free(batch);
	return rc;
}
