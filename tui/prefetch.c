/*
 * prefetch.c: the label screen's loader thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accord/util.h"
#include "prefetch.h"

#define PF_MAX_AHEAD 8
#define PF_RETRY_EMPTY 15.0	/* look again for items when none were left */
/*
 * The status line's counts are read again this often while the screen is
 * open, so that what others change (an admin's `config overlap`, another
 * labeler taking the last items) shows without a label of one's own.
 */
#define PF_PROGRESS_EVERY 2.0
#define PF_RENEW_EVERY 60.0

struct prefetch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct store *st;
	char *user, *batch;
	int ahead;
	int stop;
	char *failure;

	int cols, rows;
	enum term_depth depth;

	struct prepared *ready[PF_MAX_AHEAD];
	int nready;
	int empty;
	double empty_at;

	long long want;
	struct prepared *wanted;

	/* Request-only mode: items to load before they are asked for. */
	long long hint[PF_MAX_AHEAD];
	int nhint;

	long long *seen;	/* taken or skipped this session */
	int nseen, capseen;

	long long current;
	double activity, renewed;

	int progress_dirty, progress_known;
	double progress_at;	/* when the counts were last read */
	long long done, remaining;
};

void
prepared_free(struct prepared *p)
{
	if (p == NULL)
		return;
	queue_item_free(&p->it);
	free(p->error);
	if (p->play_path != NULL)
		unlink(p->play_path);
	free(p->play_path);
	free(p->play_error);
	image_free(&p->img);
	image_free(&p->base);
	image_pyramid_free(&p->pyr);
	media_budget_give(p->budget);
	audio_summary_free(&p->sum);
	cells_free(&p->cells);
	cells_free(&p->spec);
	free(p);
}

const struct image_view prepared_fit = { 0, 0.5, 0.5, 0, 0, 0, 0 };

/*
 * The part of the image view v shows, scaled for cols x rows half-block
 * cells, into p->base; kept when only the tones changed since it was made
 * (the same pane, scale and centre), so an adjustment key costs the
 * adjustment and the cells, never a scaling of the whole image.
 */
static int
render_base(struct prepared *p, int cols, int rows, const struct image_view *v,
    char **cause)
{
	if (p->base.rgb != NULL && p->cols == cols && p->rows == rows &&
	    p->view.scale == v->scale && p->view.cx == v->cx &&
	    p->view.cy == v->cy)
		return 0;
	image_free(&p->base);
	/* The loader's render makes them, so zooming out costs the UI
	 * thread about a pane of pixels (view_bench). */
	if (p->pyr.n == 0)
		image_pyramid_make(&p->img, &p->pyr);
	if (image_view_scale(&p->img, &p->pyr, v, cols, 2 * rows, &p->base,
	    &p->region, cause) != 0)
		return -1;
	p->scale = v->scale > 0 ? v->scale : (double)p->base.width /
	    p->img.width;
	return 0;
}

static int
render_image(struct prepared *p, int cols, int rows,
    const struct image_view *v, char **cause)
{
	struct image shown = { 0 };
	size_t n;
	int r;

	if (render_base(p, cols, rows, v, cause) != 0)
		return -1;
	if (image_view_neutral(v))
		return cells_from_image(&p->base, p->depth, &p->cells, cause);
	n = (size_t)p->base.width * (size_t)p->base.height * 3;
	shown.width = p->base.width;
	shown.height = p->base.height;
	shown.rgb = xmalloc(n);
	memcpy(shown.rgb, p->base.rgb, n);
	image_adjust(&shown, v);
	r = cells_from_image(&shown, p->depth, &p->cells, cause);
	image_free(&shown);
	return r;
}

static int
render_audio(struct prepared *p, int cols, int rows, char **cause)
{
	float *mins, *maxs;
	struct spectrogram s = { 0 };
	int r, body = rows - 1, wave, spec;

	/* One row for the time axis; a third of the rest for the waveform. */
	wave = body / 3 < 3 ? 3 : body / 3;
	spec = body - wave;
	if (spec < 1 || cols < 1)
		return acc_error(cause, "pane too small");
	mins = xcalloc((size_t)cols, sizeof *mins);
	maxs = xcalloc((size_t)cols, sizeof *maxs);
	r = audio_summary_peaks(&p->sum, cols, mins, maxs, cause);
	if (r == 0)
		r = cells_from_peaks(mins, maxs, cols, wave, 0x55cc55, p->depth,
		    &p->cells, cause);
	if (r == 0)
		r = audio_summary_spectrogram(&p->sum, cols, spec * 2, &s,
		    cause);
	if (r == 0)
		r = cells_from_spectrogram(&s, spec, p->depth, &p->spec, cause);
	spectrogram_free(&s);
	free(mins);
	free(maxs);
	p->wave_rows = wave;
	return r;
}

int
prepared_render(struct prepared *p, int cols, int rows, enum term_depth depth,
    const struct image_view *v)
{
	char *cause = NULL;
	int r;

	if (p->error != NULL)
		return -1;
	if (v == NULL)
		v = &prepared_fit;
	cells_free(&p->cells);
	cells_free(&p->spec);
	p->depth = depth;
	if (cols < 4 || rows < 4) {
		p->cols = cols;
		p->rows = rows;
		return 0;	/* nothing sensible fits: drawn as blank */
	}
	if (p->kind == MEDIA_KIND_IMAGE) {
		/* render_base compares with the view and size drawn last. */
		r = render_image(p, cols, rows, v, &cause);
		p->view = *v;
	} else
		r = render_audio(p, cols, rows, &cause);
	p->cols = cols;
	p->rows = rows;
	if (r != 0) {
		p->error = xasprintf("cannot draw: %s", cause);
		free(cause);
	}
	return r;
}

/* A stored copy's chunks into the player's file (media_stream's fn). */
static int
play_chunk(void *arg, const unsigned char *data, size_t len, char **cause)
{
	int fd = *(int *)arg;
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return acc_error(cause, "%s", strerror(errno));
		off += (size_t)n;
	}
	return 0;
}

/*
 * Stored audio's bytes, streamed from the store a chunk at a time and
 * checked against the item's SHA-256, into a file of the user's own (mode
 * 0600) in TMPDIR for the player, named with the format's extension (sox's
 * play goes by it): p->play_path.  The summary is then read from that
 * file, so no more than a chunk of the clip is ever in memory.  0; 1 when
 * no file could be made (p->play_error says why: the caller decodes from
 * memory instead); -1 with *cause when the stored copy is not the item's
 * (media_load's words).
 */
static int
play_stream(struct store *st, struct prepared *p, char **cause)
{
	const char *dir = getenv("TMPDIR");
	const char *ext = media_format_name(media_format_from_ext(
	    p->it.path));
	char *path, sha[65], *why = NULL;
	int fd, rc;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	if (media_format_from_ext(p->it.path) == MEDIA_FMT_UNKNOWN)
		ext = "wav";
	path = xasprintf("%s/accord-play-XXXXXX.%s", dir, ext);
	if ((fd = mkostemps(path, (int)strlen(ext) + 1, O_CLOEXEC)) < 0) {
		p->play_error = xasprintf("cannot make a file to play in %s: "
		    "%s", dir, strerror(errno));
		free(path);
		return 1;
	}
	rc = media_stream(st, p->it.sha256, play_chunk, &fd, sha, NULL, &why);
	if (close(fd) != 0 && rc == 0) {
		why = xstrdup(strerror(errno));
		rc = -1;
	}
	if (rc == 0 && strcmp(sha, p->it.sha256) != 0) {
		rc = 2;
		why = xstrdup("the stored copy is damaged (its SHA-256 "
		    "differs); ask an admin to run accord check");
	}
	if (rc != 0) {
		unlink(path);
		free(path);
	}
	switch (rc) {
	case 0:
		p->play_path = path;
		return 0;
	case 1:
		*cause = xstrdup("the stored copy went away");
		free(why);
		return -1;
	case 2:
		*cause = why;
		return -1;
	}
	/* A write error or a store error: the labeler can do nothing about
	 * the first, so the clip is still shown (from memory). */
	p->play_error = xasprintf("cannot write a file to play in %s: %s",
	    dir, why);
	free(why);
	return 1;
}

/*
 * The audio summary of p: from the file at its path, read in blocks and
 * hashed as it goes, or from the store.  0, or -1 with p->error.
 */
static int
prepare_audio(struct store *st, struct prepared *p)
{
	unsigned char *data = NULL;
	size_t len;
	char *cause = NULL;
	int rc;

	if ((rc = media_stored(st, p->it.sha256, NULL, &cause)) == 0)
		rc = audio_summarize_file(p->it.path, p->it.sha256, &p->sum,
		    &cause);
	else if (rc == 1 && (rc = play_stream(st, p, &cause)) == 0)
		rc = audio_summarize_file(p->play_path, NULL, &p->sum,
		    &cause);
	else if (rc == 1) {
		/* No file to stream from: the checked bytes in memory. */
		rc = media_load(st, p->it.sha256, p->it.path,
		    MEDIA_MAX_FILE_BYTES, &data, &len, NULL, &cause);
		if (rc == 0 && audio_summarize(data, len, &p->sum,
		    &cause) != 0)
			rc = -2;
		free(data);
	}
	if (rc == -2) {
		p->error = xasprintf("cannot decode: %s", cause);
		free(cause);
	} else if (rc != 0)
		p->error = cause;
	else if (p->sum.rate > 0)
		p->duration = (double)p->sum.frames / p->sum.rate;
	return rc == 0 ? 0 : -1;
}

/* Read, verify, decode and render one item (loader thread). */
static struct prepared *
prepare(struct store *st, struct queue_item *it, int cols, int rows,
    enum term_depth depth)
{
	struct prepared *p = xcalloc(1, sizeof *p);
	unsigned char *data = NULL;
	size_t len;
	char *cause = NULL;

	p->it = *it;
	memset(it, 0, sizeof *it);
	p->kind = strcmp(p->it.kind, "audio") == 0 ? MEDIA_KIND_AUDIO :
	    MEDIA_KIND_IMAGE;
	p->view = prepared_fit;
	if (p->kind == MEDIA_KIND_AUDIO) {
		if (prepare_audio(st, p) == 0)
			prepared_render(p, cols, rows, depth, NULL);
		return p;
	}
	/* The label must belong to the content that was imported: the
	 * bytes are checked against its SHA-256. */
	if (media_load(st, p->it.sha256, p->it.path, MEDIA_MAX_FILE_BYTES,
	    &data, &len, NULL, &cause) != 0) {
		p->error = cause;
		return p;
	}
	/*
	 * The decoded pixels count against the decode budget for as long as
	 * the item is held (media.h); load_ahead() reads further ahead only
	 * while the budget has room.
	 */
	p->budget = media_decode_bytes(data, len);
	media_budget_force(p->budget);
	if (image_decode(data, len, &p->img, &cause) != 0) {
		p->error = xasprintf("cannot decode: %s", cause);
		free(cause);
		free(data);
		return p;
	}
	free(data);
	prepared_render(p, cols, rows, depth, NULL);
	return p;
}

static void
seen_add(struct prefetch *pf, long long id)
{
	int i;

	for (i = 0; i < pf->nseen; i++)
		if (pf->seen[i] == id)
			return;
	if (pf->nseen == pf->capseen) {
		pf->capseen = pf->capseen ? pf->capseen * 2 : 64;
		pf->seen = xreallocarray(pf->seen, (size_t)pf->capseen,
		    sizeof *pf->seen);
	}
	pf->seen[pf->nseen++] = id;
}

static void
fail(struct prefetch *pf, char *cause)
{
	if (pf->failure == NULL)
		pf->failure = cause;
	else
		free(cause);
	pf->stop = 1;
}

/* Load one item by id (loader thread, lock not held); never NULL. */
static struct prepared *
load_one(struct prefetch *pf, long long id, int cols, int rows,
    enum term_depth depth)
{
	struct queue_item it;
	struct prepared *p;
	char *cause = NULL;

	if (queue_item_load(pf->st, id, &it, &cause) != 0) {
		p = xcalloc(1, sizeof *p);
		p->it.id = id;
		p->error = cause;
		p->view = prepared_fit;
		return p;
	}
	return prepare(pf->st, &it, cols, rows, depth);
}

/*
 * Whether to load one more item ahead: always the first (the screen will
 * wait for it), further ones only while an image at the pixel limit would
 * still fit in the decode budget, so that reading ahead never takes the
 * images held past it.  The screen's own item and one it waits for may.
 */
static int
budget_room(const struct prefetch *pf)
{
	return pf->nready == 0 || media_budget_room(MEDIA_DECODE_MAX);
}

static int
is_ready(const struct prefetch *pf, long long id)
{
	int i;

	for (i = 0; i < pf->nready; i++)
		if (pf->ready[i]->it.id == id)
			return 1;
	return pf->wanted != NULL && pf->wanted->it.id == id;
}

/*
 * Request-only mode: load the first hinted item not loaded yet into
 * ready[], dropping loaded items no longer hinted.  Called with the lock
 * held; returns 1 if it did something (it unlocks around the loading).
 */
static int
hint_load(struct prefetch *pf)
{
	int i, k, cols = pf->cols, rows = pf->rows;
	enum term_depth depth = pf->depth;
	long long id = 0;
	struct prepared *p;

	for (i = 0; i < pf->nready; ) {
		for (k = 0; k < pf->nhint; k++)
			if (pf->hint[k] == pf->ready[i]->it.id)
				break;
		if (k < pf->nhint) {
			i++;
			continue;
		}
		prepared_free(pf->ready[i]);
		pf->ready[i] = pf->ready[--pf->nready];
	}
	for (k = 0; k < pf->nhint && id == 0; k++)
		if (!is_ready(pf, pf->hint[k]) && pf->hint[k] != pf->want)
			id = pf->hint[k];
	if (id == 0 || pf->nready == PF_MAX_AHEAD || !budget_room(pf))
		return 0;
	pthread_mutex_unlock(&pf->lock);
	p = load_one(pf, id, cols, rows, depth);
	pthread_mutex_lock(&pf->lock);
	pf->ready[pf->nready++] = p;
	return 1;
}

/* Request-only mode: a loaded (hinted) item becomes the wanted one. */
static int
take_ready(struct prefetch *pf, long long id)
{
	int i;

	for (i = 0; pf->ahead == 0 && i < pf->nready; i++)
		if (pf->ready[i]->it.id == id) {
			pf->wanted = pf->ready[i];
			pf->ready[i] = pf->ready[--pf->nready];
			return 1;
		}
	return 0;
}

/*
 * What one step of the loader did.  Each step runs with pf->lock held and
 * unlocks it only around store and decode work.
 */
enum step {
	STEP_IDLE,		/* nothing to do: the next step may */
	STEP_DONE,		/* did something: look again from the top */
	STEP_STOP,		/* a store error: the loader ends */
};

/* The item the screen asked for, from the hinted ones or loaded now. */
static enum step
load_wanted(struct prefetch *pf)
{
	long long id = pf->want;
	int cols = pf->cols, rows = pf->rows;
	enum term_depth depth = pf->depth;
	struct prepared *p;

	if (pf->want == 0 || pf->wanted != NULL)
		return STEP_IDLE;
	if (take_ready(pf, pf->want))
		return STEP_DONE;
	pthread_mutex_unlock(&pf->lock);
	p = load_one(pf, id, cols, rows, depth);
	pthread_mutex_lock(&pf->lock);
	if (pf->want == id && pf->wanted == NULL)
		pf->wanted = p;
	else
		prepared_free(p);
	return STEP_DONE;
}

/*
 * The status line's "done, left", when a label changed it or
 * PF_PROGRESS_EVERY seconds after they were last read.
 */
static enum step
load_progress(struct prefetch *pf, double now)
{
	long long done, rem;
	char *cause = NULL;
	int r;

	if (!pf->progress_dirty && !(pf->progress_known &&
	    now - pf->progress_at >= PF_PROGRESS_EVERY))
		return STEP_IDLE;
	pf->progress_dirty = 0;
	pf->progress_at = now;
	pthread_mutex_unlock(&pf->lock);
	r = queue_progress(pf->st, pf->user, pf->batch, &done, &rem, &cause);
	pthread_mutex_lock(&pf->lock);
	if (r != 0) {
		fail(pf, cause);
		return STEP_STOP;
	}
	pf->done = done;
	pf->remaining = rem;
	pf->progress_known = 1;
	return STEP_DONE;
}

/* The next queue item leased and prepared, while fewer than ahead wait. */
static enum step
load_ahead(struct prefetch *pf)
{
	long long *ex;
	int nex = pf->nseen, cols = pf->cols, rows = pf->rows, r;
	enum term_depth depth = pf->depth;
	struct queue_item it;
	struct prepared *p;
	char *cause = NULL;

	if (pf->nready >= pf->ahead || pf->empty || !budget_room(pf))
		return STEP_IDLE;
	ex = xcalloc((size_t)pf->nseen + 1, sizeof *ex);
	if (nex > 0)
		memcpy(ex, pf->seen, (size_t)nex * sizeof *ex);
	pthread_mutex_unlock(&pf->lock);
	r = queue_take(pf->st, pf->user, pf->batch, ex, nex, &it, &cause);
	free(ex);
	pthread_mutex_lock(&pf->lock);
	if (r != 1) {
		if (r < 0) {
			fail(pf, cause);
			return STEP_STOP;
		}
		pf->empty = 1;
		pf->empty_at = acc_monotonic();
		return STEP_DONE;
	}
	seen_add(pf, it.id);
	pthread_mutex_unlock(&pf->lock);
	p = prepare(pf->st, &it, cols, rows, depth);
	pthread_mutex_lock(&pf->lock);
	pf->ready[pf->nready++] = p;
	return STEP_DONE;
}

/* Keep held items leased while the labeler is active. */
static enum step
renew_leases(struct prefetch *pf, double now)
{
	long long ids[PF_MAX_AHEAD + 1];
	int n = 0, i;

	if (pf->ahead == 0 || now - pf->renewed < PF_RENEW_EVERY ||
	    now - pf->activity >= QUEUE_LEASE_SECONDS)
		return STEP_IDLE;
	for (i = 0; i < pf->nready; i++)
		ids[n++] = pf->ready[i]->it.id;
	if (pf->current != 0)
		ids[n++] = pf->current;
	pf->renewed = now;
	pthread_mutex_unlock(&pf->lock);
	for (i = 0; i < n; i++)
		queue_renew(pf->st, pf->user, ids[i], NULL);
	pthread_mutex_lock(&pf->lock);
	return STEP_DONE;
}

/* The first step, in order of urgency, that has something to do. */
static enum step
loader_step(struct prefetch *pf, double now)
{
	enum step st;

	if ((st = load_wanted(pf)) != STEP_IDLE)
		return st;
	if (pf->ahead == 0 && hint_load(pf))
		return STEP_DONE;
	if ((st = load_progress(pf, now)) != STEP_IDLE)
		return st;
	if (pf->empty && now - pf->empty_at >= PF_RETRY_EMPTY)
		pf->empty = 0;
	if ((st = load_ahead(pf)) != STEP_IDLE)
		return st;
	return renew_leases(pf, now);
}

/* The loader.  pf->lock is held except around store and decode work. */
static void *
loader(void *arg)
{
	struct prefetch *pf = arg;
	enum step st;

	pthread_mutex_lock(&pf->lock);
	while (!pf->stop &&
	    (st = loader_step(pf, acc_monotonic())) != STEP_STOP) {
		struct timespec ts;

		if (st == STEP_DONE)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&pf->cond, &pf->lock, &ts);
	}
	pthread_mutex_unlock(&pf->lock);
	return NULL;
}

struct prefetch *
prefetch_start(const char *db, const char *user, const char *batch, int ahead,
    char **cause)
{
	struct prefetch *pf = xcalloc(1, sizeof *pf);

	if (store_open(db, &pf->st, cause) != 0) {
		free(pf);
		return NULL;
	}
	pf->user = xstrdup(user);
	pf->batch = batch ? xstrdup(batch) : NULL;
	pf->ahead = ahead < 0 ? 0 : ahead > PF_MAX_AHEAD ? PF_MAX_AHEAD : ahead;
	pf->cols = 80;
	pf->rows = 20;
	pf->progress_dirty = pf->ahead > 0;
	pf->activity = acc_monotonic();
	pf->renewed = pf->activity;
	pthread_mutex_init(&pf->lock, NULL);
	pthread_cond_init(&pf->cond, NULL);
	if (pthread_create(&pf->thread, NULL, loader, pf) != 0) {
		store_close(pf->st);
		free(pf->user);
		free(pf->batch);
		free(pf);
		return NULL;
	}
	return pf;
}

void
prefetch_stop(struct prefetch *pf)
{
	int i;

	if (pf == NULL)
		return;
	pthread_mutex_lock(&pf->lock);
	pf->stop = 1;
	pthread_cond_signal(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
	pthread_join(pf->thread, NULL);
	/* Items never shown go back to the pool for other labelers now,
	 * rather than when their leases expire. */
	for (i = 0; i < pf->nready; i++) {
		if (pf->ahead > 0)
			queue_release(pf->st, pf->user, pf->ready[i]->it.id,
			    NULL);
		prepared_free(pf->ready[i]);
	}
	prepared_free(pf->wanted);
	store_close(pf->st);
	pthread_mutex_destroy(&pf->lock);
	pthread_cond_destroy(&pf->cond);
	free(pf->failure);
	free(pf->seen);
	free(pf->user);
	free(pf->batch);
	free(pf);
}

void
prefetch_set_size(struct prefetch *pf, int cols, int rows,
    enum term_depth depth)
{
	pthread_mutex_lock(&pf->lock);
	pf->cols = cols;
	pf->rows = rows;
	pf->depth = depth;
	pthread_mutex_unlock(&pf->lock);
}

enum prefetch_state
prefetch_next(struct prefetch *pf, struct prepared **out, char **why)
{
	enum prefetch_state s;

	pthread_mutex_lock(&pf->lock);
	if (pf->nready > 0) {
		*out = pf->ready[0];
		memmove(&pf->ready[0], &pf->ready[1],
		    (size_t)(pf->nready - 1) * sizeof pf->ready[0]);
		pf->nready--;
		pthread_cond_signal(&pf->cond);
		s = PF_READY;
	} else if (pf->failure != NULL) {
		if (why != NULL)
			*why = xstrdup(pf->failure);
		s = PF_FAILED;
	} else
		s = pf->empty ? PF_EMPTY : PF_LOADING;
	pthread_mutex_unlock(&pf->lock);
	return s;
}

void
prefetch_request(struct prefetch *pf, long long item)
{
	pthread_mutex_lock(&pf->lock);
	prepared_free(pf->wanted);
	pf->wanted = NULL;
	pf->want = item;
	/* Request-only mode: a hinted item may be loaded already. */
	take_ready(pf, item);
	pthread_cond_signal(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
}

enum prefetch_state
prefetch_wanted(struct prefetch *pf, struct prepared **out, char **why)
{
	enum prefetch_state s = PF_LOADING;

	pthread_mutex_lock(&pf->lock);
	if (pf->wanted != NULL) {
		*out = pf->wanted;
		pf->wanted = NULL;
		pf->want = 0;
		s = PF_READY;
	} else if (pf->failure != NULL) {
		if (why != NULL)
			*why = xstrdup(pf->failure);
		s = PF_FAILED;
	}
	pthread_mutex_unlock(&pf->lock);
	return s;
}

void
prefetch_exclude(struct prefetch *pf, long long item)
{
	pthread_mutex_lock(&pf->lock);
	seen_add(pf, item);
	pthread_mutex_unlock(&pf->lock);
}

void
prefetch_set_current(struct prefetch *pf, long long item)
{
	pthread_mutex_lock(&pf->lock);
	pf->current = item;
	pthread_mutex_unlock(&pf->lock);
}

void
prefetch_activity(struct prefetch *pf, int labeled)
{
	pthread_mutex_lock(&pf->lock);
	pf->activity = acc_monotonic();
	if (labeled && pf->ahead > 0) {
		pf->progress_dirty = 1;
		/* A label may free capacity (undo) or end it: look again. */
		pf->empty = 0;
		pthread_cond_signal(&pf->cond);
	}
	pthread_mutex_unlock(&pf->lock);
}

int
prefetch_progress(struct prefetch *pf, long long *done, long long *remaining)
{
	int known;

	pthread_mutex_lock(&pf->lock);
	known = pf->progress_known;
	*done = pf->done;
	*remaining = pf->remaining;
	pthread_mutex_unlock(&pf->lock);
	return known;
}

void
prefetch_hint(struct prefetch *pf, const long long *items, int n)
{
	int i;

	pthread_mutex_lock(&pf->lock);
	pf->nhint = 0;
	for (i = 0; i < n && pf->nhint < PF_MAX_AHEAD; i++)
		if (items[i] != 0)
			pf->hint[pf->nhint++] = items[i];
	pthread_cond_signal(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
}
