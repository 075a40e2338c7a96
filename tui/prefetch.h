/*
 * prefetch.h: the loader thread of the label screen.
 *
 * While the labeler looks at one item, the loader (with its own store
 * connection) takes the next few items from the queue (leasing them), reads
 * each item's bytes (from the store when import kept them there, else its
 * file: media_load), checks they still have the SHA-256 they were imported
 * with, decodes them and renders them for the current pane size, so the
 * next item shows at once.  Audio is read in blocks into a summary of
 * bounded size (audio_summarize_file), never decoded whole; images count
 * against the decode budget while held, and the loader reads further
 * ahead only while the budget has room (media.h).  It also loads particular items on request (going back, undo),
 * renews the leases of items held while the labeler is active, and
 * refreshes the labeler's progress counts.  The UI thread only ever calls
 * the non-blocking functions below.
 */
#ifndef ACCORD_PREFETCH_H
#define ACCORD_PREFETCH_H

#include "accord/media.h"
#include "accord/queue.h"
#include "draw.h"

/* A decoded, rendered item. */
struct prepared {
	struct queue_item it;
	enum media_kind kind;
	char *error;		/* could not be shown: why */
	struct image img;	/* images: full decode */
	uint64_t budget;	/* of the decode budget, held until freed */
	struct audio_summary sum;	/* audio: peaks and spectrum, bounded */
	double duration;	/* audio seconds */
	/* Audio kept in the store: a private copy in TMPDIR for the player
	 * (removed by prepared_free), or why there is none; both NULL when
	 * the player plays it.path. */
	char *play_path, *play_error;
	/* What cells were made for. */
	int cols, rows;
	enum term_depth depth;
	/* Images: the view drawn (media.h), the scale it came to (the fit's
	 * when fitted) and the part of the image shown; base is that part
	 * scaled for the pane before adjustments, kept so that a change of
	 * tones redraws without scaling again. */
	struct image_view view;
	double scale;
	struct image_region region;
	struct image base;
	struct image_pyramid pyr;	/* img's halvings, made on the
					 * first render (the loader's) */
	struct cells cells;	/* image, or waveform */
	struct cells spec;	/* audio: spectrogram */
	int wave_rows;		/* audio: rows of the waveform */
};

/*
 * (Re)render p for a pane of cols x rows cells at depth and, for images,
 * view v (NULL: fitted, unadjusted).  Pure computation, no I/O: the UI
 * thread may call it on resize, zoom and adjustment; when only the tones
 * changed the image is not scaled again.  0, or -1 with p->error set.
 */
int prepared_render(struct prepared *p, int cols, int rows,
    enum term_depth depth, const struct image_view *v);
/* The view of a fitted, unadjusted image. */
extern const struct image_view prepared_fit;
void prepared_free(struct prepared *p);

struct prefetch;

/* Start the loader on its own connection to db.  NULL with *cause.
 * ahead 0: it loads requested items only (the review screen): it takes
 * nothing from the queue, holds no leases and counts no progress. */
struct prefetch *prefetch_start(const char *db, const char *user,
    const char *batch, int ahead, char **cause);
/* Stop it, releasing the leases of items it held but never handed out. */
void prefetch_stop(struct prefetch *pf);

/* The pane size and depth to render new items for. */
void prefetch_set_size(struct prefetch *pf, int cols, int rows,
    enum term_depth depth);

enum prefetch_state {
	PF_READY,		/* *out is the next item (caller owns it) */
	PF_LOADING,		/* not ready yet: try again shortly */
	PF_EMPTY,		/* nothing left for this labeler now */
	PF_FAILED,		/* the loader stopped: *why says why */
};

/* Non-blocking: the next queued item. */
enum prefetch_state prefetch_next(struct prefetch *pf, struct prepared **out,
    char **why);

/* Ask for a particular item (history, undo); then poll prefetch_wanted(),
 * which returns PF_READY with it (caller owns it) or PF_LOADING. */
void prefetch_request(struct prefetch *pf, long long item);
enum prefetch_state prefetch_wanted(struct prefetch *pf, struct prepared **out,
    char **why);

/* Request-only mode: load items[0..n) (up to 8; 0s ignored) ahead, in
 * that order, so that requesting one of them later is ready at once;
 * loaded items not in the newest hint are dropped. */
void prefetch_hint(struct prefetch *pf, const long long *items, int n);

/* Never offer item again in this session (skipped). */
void prefetch_exclude(struct prefetch *pf, long long item);
/* The item on screen (its lease is renewed while the labeler is active). */
void prefetch_set_current(struct prefetch *pf, long long item);
/* The labeler did something: keep leases alive; recount progress. */
void prefetch_activity(struct prefetch *pf, int labeled);
/* Latest progress counts; 0 if not known yet. */
int prefetch_progress(struct prefetch *pf, long long *done,
    long long *remaining);

#endif
