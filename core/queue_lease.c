/*
 * queue_lease.c: leases, the slots labelers hold on the items they are
 * shown: taking, renewing, expiring and releasing them, on the wall clock.
 */
#include <stdlib.h>
#include <time.h>

#include "queue_int.h"
#include "queue_pg.h"
#include "sqlutil.h"

/*
 * Lease times are REAL unix seconds.  They are always computed here from the
 * C wall clock and bound into SQL, never taken from SQLite's clock, so that
 * the expiry written and the expiry compared come from one source.
 */
double
queue_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		acc_fatal("clock_gettime failed");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
queue_lease_drop(struct store *st, const char *user, long long item,
    char **cause)
{
	const struct sql_arg a[] = { SQL_INT(item), SQL_TEXT(user) };

	/* On PostgreSQL leases are written by the server's functions only,
	 * and only the caller's own (session_user is user). */
	if (st->kind == STORE_PG)
		return queue_pg_lease(st, item, 0, cause);
	return SQL_WRITE(st, "DELETE FROM leases WHERE item = ? AND \"user\" = ?",
	    a, cause);
}

/* Insert or extend user's lease; ON CONFLICT rather than OR REPLACE so the
 * statement also means the same on PostgreSQL. */
int
queue_lease_put(struct store *st, const char *user, long long item,
    double now, char **cause)
{
	const struct sql_arg a[] = { SQL_INT(item), SQL_TEXT(user),
	    SQL_REAL(now + QUEUE_LEASE_SECONDS) };

	return SQL_WRITE(st, "INSERT INTO leases (item, \"user\", expires_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (item, \"user\") DO UPDATE SET "
	    "expires_at = excluded.expires_at", a, cause);
}

int
queue_lease_expire(struct store *st, double now, char **cause)
{
	const struct sql_arg a[] = { SQL_REAL(now) };

	return SQL_WRITE(st, "DELETE FROM leases WHERE expires_at <= ?", a,
	    cause);
}

/*
 * Lease writes commit without waiting for the disk.  A lease is working
 * state, not history: losing the newest ones to a power cut only frees
 * slots that nobody has labeled yet, and a process being killed loses
 * nothing (the WAL is in the page cache).  The label that follows syncs
 * the WAL (store_sync_wal), and with it every lease frame before it.  It halves the syncs per label, and the sync was most of a take:
 * 9 ms of it on one labeler, against 8 ms for the label's own commit
 * (tests/stress/labelers.sh, ext4 on a virtual disk).  In WAL mode
 * synchronous=NORMAL keeps the store consistent; only durability of these
 * commits is given up.  Outside a transaction the pragma cannot fail short
 * of a broken connection, which the next statement reports.
 */
void
queue_lease_sync(struct store *st, int full)
{
	/* The server's commits are durable; there is no pragma to set. */
	if (st->kind == STORE_PG)
		return;
	sql_exec(st, full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", NULL);
}

/*
 * One lease change in its own transaction, committed without a sync
 * (queue_lease_sync): renew user's lease on item, after expiring the old
 * ones, or drop it.  0, or -1 with *cause.
 */
static int
lease_change(struct store *st, const char *user, long long item, int renew,
    char **cause)
{
	double now = queue_now();
	int r = -1;

	/*
	 * On PostgreSQL one call of the server's lease function, in its own
	 * transaction, without the writer lock (leases are not history).
	 */
	if (st->kind == STORE_PG)
		return queue_require(st, user, cause) != 0 ? -1 :
		    queue_pg_lease(st, item, renew, cause);
	queue_lease_sync(st, 0);
	if (queue_begin(st, user, cause) != 0)
		goto out;
	if ((renew ? queue_item_exists(st, item, cause) != 0 ||
	    queue_lease_expire(st, now, cause) != 0 ||
	    queue_lease_put(st, user, item, now, cause) != 0 :
	    queue_lease_drop(st, user, item, cause) != 0) ||
	    store_commit(st, cause) != 0)
		store_rollback(st);
	else
		r = 0;
out:
	queue_lease_sync(st, 1);
	return r;
}

/*
 * Renew (or retake) user's lease.  A lease that expired and was deleted
 * is written again: the labeler is looking at the item and will label it,
 * so holding the slot keeps others from overshooting k further.
 */
int
queue_renew(struct store *st, const char *user, long long item, char **cause)
{
	return lease_change(st, user, item, 1, cause);
}

int
queue_release(struct store *st, const char *user, long long item,
    char **cause)
{
	return lease_change(st, user, item, 0, cause);
}
