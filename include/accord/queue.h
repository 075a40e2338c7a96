/*
 * queue.h: what a labeler gets next (leases, overlap k, gold, relabel).
 * Writing the labels is label.h; tags are tags.h.
 *
 * A labeler is offered items they have no label in force on, that have
 * fewer than the project's overlap k labelers with labels in force, counting
 * unexpired leases held by *other* labelers as taken slots.  Taking an item
 * chooses it in a read transaction, then claims it: under BEGIN IMMEDIATE
 * the rule is asked again about that one item and a lease
 * (QUEUE_LEASE_SECONDS) written, so concurrent labelers never push an item
 * past k, and the write lock is held only for the claim.  A take costs a
 * few index seeks whatever the size of the store (core/queue.c).  A labeler never learns other
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

#endif
