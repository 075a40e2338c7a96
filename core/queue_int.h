/*
 * queue_int.h: what the queue's files share: the scan of the store that
 * queue.c makes for a take (struct scan), and the items served out of
 * turn (queue_gold.c), the leases (queue_lease.c) and the item read
 * (queue_item.c) it calls.
 */
#ifndef ACCORD_QUEUE_INT_H
#define ACCORD_QUEUE_INT_H

#include <stddef.h>

#include "accord/queue.h"
#include "internal.h"

struct held {
	long long item;
	char *user;
};

/*
 * What a take or a progress count reads before looking at single items:
 * the few leases, gold items and per-level counts (schema 5), and the
 * statements that look items up one by one.
 */
struct scan {
	struct store *st;	/* whose statements top and cnt are */
	struct held *held;	/* live leases of other users, by item */
	size_t nheld;
	long long *gold;	/* gold items in force, ascending: never */
	size_t ngold;		/* offered by the overlap rule */
	long long user_rows;	/* the user's label rows (read only when
				 * there is gold) */
	int k;			/* the overlap */
	long long batch;	/* 0: every batch */
	long long *level;	/* [t], t < k: items t labelers have in force */
	long long *mine;	/* [t]: of those, the ones the user has */
	struct sql_stmt *top;	/* is (item, labeler) in force */
	struct sql_stmt *cnt;	/* item's n and batch */
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

/*
 * queue_lease.c.  queue_now: the wall clock in unix seconds, the only
 * clock leases are written and compared with.  queue_lease_put: insert or
 * extend user's lease on item until now + QUEUE_LEASE_SECONDS;
 * queue_lease_expire: delete the leases expired at now; both inside the
 * caller's transaction, 0 or -1.  queue_lease_sync: lease writes commit
 * without syncing (full 0) until called again with full 1.
 */
double queue_now(void);
int queue_lease_put(struct store *st, const char *user, long long item,
    double now, char **cause);
int queue_lease_expire(struct store *st, double now, char **cause);
void queue_lease_sync(struct store *st, int full);

/* The item's row and current metadata, with no one's labels.  0 or -1. */
int queue_item_read(struct store *st, long long id, struct queue_item *out,
    char **cause);
/* One metadata row onto out: the key in column col of s, the value in
 * the columns after it as sql_meta_value lists them. */
void queue_item_meta_add(struct queue_item *out, struct sql_stmt *s,
    int col);

#endif
