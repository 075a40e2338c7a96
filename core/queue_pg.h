/*
 * queue_pg.h: the labeling queue on a PostgreSQL store (core/queue_pg.c).
 *
 * A labeler may read neither the per-item counts (item_labelers), nor
 * the level counts, other labelers' labels or leases, nor the gold items
 * (core/schema_pg.c): blind labeling holds against psql.  The queue's
 * rules need all of them, so on PostgreSQL they run on the server, in
 * functions that run with the project owner's rights (SECURITY DEFINER,
 * fixed search_path) and answer only what the caller may know:
 *
 *	accord.take(p_batch bigint, p_exclude bigint[],
 *	    p_lease_seconds double precision) RETURNS bigint
 *		the next item for session_user by the SQLite queue's rules
 *		(relabel first, overlap k counting others' live leases,
 *		levels nearest to k first then by id, gold at the gold
 *		rate, never an excluded item or one of the caller's own),
 *		leased to the caller for p_lease_seconds; 0 when nothing
 *		is left.  p_batch 0: every batch.
 *	accord.progress(p_batch bigint) RETURNS TABLE (done bigint,
 *	    remaining bigint)
 *		the caller's labels in force, and the items take would
 *		still give them (queue_progress's figures; status_read's
 *		labels in force for a labeler, who reads no level counts).
 *
 * Every member may execute these two (and the lease functions of
 * schema_pg.c); the helpers they call are the owner's alone.  The SQL
 * also makes the partial index adjudications_relabel the take reads the
 * send-backs from.
 */
#ifndef ACCORD_QUEUE_PG_H
#define ACCORD_QUEUE_PG_H

#include "accord/queue.h"
#include "internal.h"

/*
 * The SQL that makes the functions above and grants them to P_member,
 * run as P_owner after schema_pg_security (it replaces what it made).
 * malloc'd, or NULL with *cause as schema_pg_role.
 */
char *queue_pg_sql(const char *prefix, char **cause);

/*
 * Run queue_pg_sql(prefix) in st's open transaction, as P_owner (the
 * caller has SET ROLE to it: store_create_pg).  0, or -1 with *cause.
 */
int queue_pg_install(struct store *st, const char *prefix, char **cause);

/*
 * The client's side, on a PostgreSQL store only (core/queue.c and
 * core/queue_lease.c dispatch here).  Each runs in its own transaction
 * (autocommit); none takes the writer lock.
 *
 * queue_pg_take: accord.take for the batch id (0: all) and the sorted
 * exclusions, and the item it gives read into *out (as queue_item_read),
 * in one round trip: 1, or 0 when nothing is left.  queue_pg_progress:
 * accord.progress.  queue_pg_lease: accord.lease_put (renew) or
 * accord.lease_drop.  0, or -1 with *cause.
 */
int queue_pg_take(struct store *st, long long batch, const long long *ex,
    size_t nex, struct queue_item *out, char **cause);
int queue_pg_progress(struct store *st, long long batch, long long *done,
    long long *remaining, char **cause);
int queue_pg_lease(struct store *st, long long item, int renew,
    char **cause);

/*
 * accord.label_put (schema_pg.c, migration 3): session_user's label of
 * class_id (0: a withdrawal) on *item with note, seconds (< 0: not
 * timed) and created_at, the caller's lease on it dropped; *item 0 asks
 * for an undo (the newest label in force withdrawn; *item stays 0 when
 * there is none).  One round trip, durable when it returns 0; *label_id
 * (may be NULL) the new row.  -1 with *cause, the server's message.
 */
int queue_pg_label(struct store *st, long long *item, int class_id,
    const char *note, double seconds, const char *created_at,
    const char *view, long long *label_id, char **cause);

/*
 * After a failure on PostgreSQL, where the server checked the role: when
 * user is no labeler, the refusal audited and said as on SQLite (*cause
 * replaced); else *cause kept.  Returns -1.  (core/queue.c)
 */
int queue_pg_refused(struct store *st, const char *user, char **cause);

#endif
