/*
 * queue.h: what a labeler gets next, and writing their labels.
 *
 * A labeler is offered items they have no label in force on, that have
 * fewer than the project's overlap k labelers with labels in force, counting
 * unexpired leases held by *other* labelers as taken slots.  Taking an item
 * takes a lease (QUEUE_LEASE_SECONDS) inside BEGIN IMMEDIATE, so concurrent
 * labelers never push an item past k.  A labeler never learns other
 * labelers' classes, notes or vote counts through this API (blind
 * labeling): nothing here returns them.
 *
 * Every function checks the caller's role (labeler, sme or admin) in core:
 * a non-member is refused (and audited) with *cause set.  Functions return
 * 0 on success or -1 with *cause (malloc'd, caller frees), unless noted.
 */
#ifndef ACCORD_QUEUE_H
#define ACCORD_QUEUE_H

#include "accord/store.h"

#define QUEUE_LEASE_SECONDS 300

struct queue_meta {
	char *key;
	char *value;		/* numbers printed with %.4g */
};

/* An item as the label screen needs it (no one else's labels). */
struct queue_item {
	long long id;
	char *path;
	char *sha256;
	char *kind;		/* "image" | "audio" */
	int nmeta;
	struct queue_meta *meta;	/* current metadata, by key */
};
void queue_item_free(struct queue_item *it);

/*
 * Take the next item for user: optionally only from import batch `batch`
 * (NULL: any), never one of exclude[0..nexclude) (items already shown or
 * skipped in this session, or already held by this process).  Order: items
 * nearer to k labels first, then by id.  Takes (or renews) user's lease on
 * it.  Returns 1 with *out filled, 0 when nothing is left, -1 on error.
 */
int queue_take(struct store *st, const char *user, const char *batch,
    const long long *exclude, int nexclude, struct queue_item *out,
    char **cause);

/* Load one item by id (for going back to an item already labeled). */
int queue_item_load(struct store *st, long long id, struct queue_item *out,
    char **cause);

/* Renew user's lease on item (the labeler is still looking at it). */
int queue_renew(struct store *st, const char *user, long long item,
    char **cause);
/* Drop user's lease on item (skipped, or the screen closed). */
int queue_release(struct store *st, const char *user, long long item,
    char **cause);

/* user's progress: items with user's label in force, and items still
 * available to user by the rule above (ignoring exclusions). */
int queue_progress(struct store *st, const char *user, const char *batch,
    long long *done, long long *remaining, char **cause);

/*
 * Write user's label on item: class_id > 0 labels, class_id == 0 withdraws
 * user's label (undo).  The row records the newest guideline version,
 * seconds spent (< 0: not recorded), note (NULL: ""), origin 'screen',
 * and supersedes user's previous row on the item.  Releases the lease.
 * One BEGIN IMMEDIATE transaction, committed with synchronous=FULL before
 * returning: when this returns 0 the label is on disk.  *label_id (may be
 * NULL) gets the new row's id.
 */
int label_put(struct store *st, const char *user, long long item,
    int class_id, const char *note, double seconds, long long *label_id,
    char **cause);

/* user's label in force on item: *class_id 0 if none; *note malloc'd or
 * NULL.  Returns 0 or -1. */
int label_mine(struct store *st, const char *user, long long item,
    int *class_id, char **note, char **cause);

/*
 * The items user has a label in force on, oldest first by user's newest
 * label row (so the last is the most recently labeled).  *items malloc'd.
 */
int label_history(struct store *st, const char *user, long long **items,
    int *n, char **cause);

/*
 * Undo: withdraw user's most recent label in force (a row with class NULL
 * superseding it; nothing is deleted).  *item gets the item it was on, or 0
 * if user has no label to undo.
 */
int label_undo(struct store *st, const char *user, long long *item,
    char **cause);

/* Every distinct tag in the project, sorted (for completion). */
int tags_all(struct store *st, char ***tags, int *n, char **cause);
/* user's tags in force on item, sorted. */
int tags_mine(struct store *st, const char *user, long long item,
    char ***tags, int *n, char **cause);
/* Make user's tags on item exactly tags[0..n): rows are added for new tags
 * and removal rows for dropped ones (append-only).  Tags: 1-64 bytes, no
 * control characters, no commas; trimmed. */
int tags_set(struct store *st, const char *user, long long item,
    const char *const *tags, int n, char **cause);
void tags_free(char **tags, int n);

#endif
