/*
 * queue_int.h: what the queue's files share: the scan of the store that
 * queue.c makes for a take (struct scan), and the items served out of
 * turn (queue_gold.c) and the item read (queue_item.c) it calls.
 */
#ifndef ACCORD_QUEUE_INT_H
#define ACCORD_QUEUE_INT_H

#include <stddef.h>

#include "accord/queue.h"
#include "internal.h"

struct cand {
	long long item;
	int taken;		/* labelers in force + other users' leases */
};

struct held {
	long long item;
	char *user;
	int covered;		/* the holder also has a label in force */
};

struct scan {
	struct cand *cand;	/* open items with a slot taken */
	size_t ncand, ccand;
	struct held *held;	/* live leases of other users, by item */
	size_t nheld;
	long long *gold;	/* gold items in force, ascending: never */
	size_t ngold;		/* offered by the overlap rule */
	long long user_rows;	/* the user's label rows (counted only
				 * when there is gold) */
};

/* x is among the n ascending values v. */
int queue_in_sorted(const long long *v, size_t n, long long x);

/*
 * Items sent back for relabeling that are open to user at time now, in
 * the order they were sent back, not excluded, in the batch (0: any), at
 * most max: *out (malloc'd), *n of them.  0 or -1.
 */
int queue_relabel_open(struct store *st, const char *user, int k,
    long long batch, const long long *ex, size_t nex, double now,
    size_t max, long long **out, size_t *n, char **cause);
/* Whether this take is a gold one: *due.  0 or -1. */
int queue_gold_due(struct store *st, const char *user,
    const struct scan *sc, double now, int *due, char **cause);
/* The gold item to give user: *item, 0 if none.  0 or -1. */
int queue_gold_pick(struct store *st, const char *user,
    const struct scan *sc, long long batch, const long long *ex,
    size_t nex, long long *item, char **cause);

/* The item's row and current metadata, with no one's labels.  0 or -1. */
int queue_item_read(struct store *st, long long id, struct queue_item *out,
    char **cause);

#endif
