/*
 * queue.c: what a labeler gets next, by the overlap rule, under leases
 * (gold and relabeling: queue_gold.c).
 *
 * Blind labeling: every query that touches labels of a particular labeler
 * filters on the caller; counts of other labelers' labels are used only to
 * decide eligibility and ordering, and never leave the queue's files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accord/project.h"
#include "label_int.h"
#include "queue_int.h"

#define QUEUE_WHAT "labeling"

/*
 * Lease times are REAL unix seconds.  They are always computed here from the
 * C wall clock and bound into SQL, never taken from SQLite's clock, so that
 * the expiry written and the expiry compared come from one source.
 */
static double
wall_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		acc_fatal("clock_gettime failed");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
queue_require(struct store *st, const char *user, char **cause)
{
	return project_require(st, user, ROLE_LABELER, QUEUE_WHAT, cause);
}

/*
 * BEGIN IMMEDIATE, then the role check inside it, so the check and the
 * write it guards see the same membership.  A refusal's audit row is
 * written inside the transaction, so commit it rather than lose it.
 */
int
queue_begin(struct store *st, const char *user, char **cause)
{
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (queue_require(st, user, cause) != 0) {
		if (store_commit(st, NULL) != 0)
			store_rollback(st);
		return -1;
	}
	return 0;
}

int
queue_item_exists(struct store *st, long long item, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT 1 FROM items WHERE id = ?", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read items");
	return acc_error(cause, "no item %lld in this project", item);
}

int
queue_lease_drop(struct store *st, const char *user, long long item,
    char **cause)
{
	sqlite3_stmt *s;
	int r;

	if (sql_prepare(st, "DELETE FROM leases WHERE item = ? AND user = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	return r;
}

/* Insert or extend user's lease; ON CONFLICT rather than OR REPLACE so the
 * statement also means the same on PostgreSQL. */
static int
lease_put(struct store *st, const char *user, long long item, double now,
    char **cause)
{
	sqlite3_stmt *s;
	int r;

	if (sql_prepare(st, "INSERT INTO leases (item, user, expires_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (item, user) DO UPDATE SET "
	    "expires_at = excluded.expires_at", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	sql_bind_double(s, 3, now + QUEUE_LEASE_SECONDS);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	return r;
}

static int
lease_expire(struct store *st, double now, char **cause)
{
	sqlite3_stmt *s;
	int r;

	if (sql_prepare(st, "DELETE FROM leases WHERE expires_at <= ?", &s,
	    cause) != 0)
		return -1;
	sql_bind_double(s, 1, now);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	return r;
}

/*
 * The queue's view of the store.
 *
 * Schema 3 keeps item_labelers(item, n): how many labelers have a label in
 * force on each item, maintained by a trigger on labels.  The scan reads
 * only the items that are open and not empty (0 < n < k; in a running
 * project, the few items the queue is filling) and the user's own label on
 * each of them, instead of walking every label row under the write lock
 * as schema 2 had to (60 ms a take at 300k labels).  Items with n = 0
 * (never labeled, or every label withdrawn) all rank alike, by id, and
 * are walked through the (n, item) index only when no fuller item is
 * open.
 */
static void
scan_free(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nheld; i++)
		free(sc->held[i].user);
	free(sc->held);
	free(sc->gold);
	free(sc->cand);
	memset(sc, 0, sizeof *sc);
}

static void
scan_cand(struct scan *sc, long long item, int taken)
{
	if (sc->ncand == sc->ccand) {
		sc->ccand = sc->ccand ? sc->ccand * 2 : 256;
		sc->cand = xreallocarray(sc->cand, sc->ccand, sizeof *sc->cand);
	}
	sc->cand[sc->ncand].item = item;
	sc->cand[sc->ncand++].taken = taken;
}

static int
in_gold(const struct scan *sc, long long item)
{
	return queue_in_sorted(sc->gold, sc->ngold, item);
}

static int
load_held(struct store *st, const char *user, double now, struct scan *sc,
    char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (sql_prepare(st, "SELECT item, user FROM leases WHERE user != ? "
	    "AND expires_at > ? ORDER BY item, user", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_double(s, 2, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sc->nheld == cap) {
			cap = cap ? cap * 2 : 16;
			sc->held = xreallocarray(sc->held, cap, sizeof *sc->held);
		}
		sc->held[sc->nheld].item = sqlite3_column_int64(s, 0);
		sc->held[sc->nheld].user = xstrdup(sql_text(s, 1));
		sc->held[sc->nheld++].covered = 0;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read leases");
	return 0;
}

/*
 * The gold items in force: an item's newest gold row has a class.  They
 * are few (tens to hundreds), so one sorted array serves every lookup.
 */
static int
load_gold(struct store *st, struct scan *sc, char **cause)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (sql_prepare(st, "SELECT g.item FROM gold g WHERE g.class IS NOT "
	    "NULL AND g.id = (SELECT max(id) FROM gold h WHERE h.item = "
	    "g.item) ORDER BY g.item", &s, cause) != 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sc->ngold == cap) {
			cap = cap ? cap * 2 : 16;
			sc->gold = xreallocarray(sc->gold, cap, sizeof *sc->gold);
		}
		sc->gold[sc->ngold++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read gold");
	return 0;
}

/* Whether who's newest label row on item is in force (a class); one seek
 * in labels_item (item, labeler, id).  1, 0 or -1. */
static int
in_force(struct store *st, sqlite3_stmt *top, long long item,
    const char *who, char **cause)
{
	int rc, force;

	sql_bind_int(top, 1, item);
	sql_bind_text(top, 2, who);
	rc = sqlite3_step(top);
	force = rc == SQLITE_ROW && sqlite3_column_int(top, 0);
	sqlite3_reset(top);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return force;
}

/* item's count of labelers in force, through s ("SELECT n FROM
 * item_labelers WHERE item = ?").  Every item has a row (trigger); a
 * missing one reads 0.  0 or -1. */
static int
item_n(struct store *st, sqlite3_stmt *s, long long item, int *n,
    char **cause)
{
	int rc;

	sql_bind_int(s, 1, item);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read item_labelers");
	return 0;
}

/* The first index in held of item's leases (nheld if none). */
static size_t
held_first(const struct scan *sc, long long item)
{
	size_t lo = 0, hi = sc->nheld;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->held[mid].item < item)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Fill sc for user and overlap k at time now.  Read-only; the caller holds
 * the transaction that makes it one snapshot (and, for queue_take, the
 * write lock that keeps it true until the lease is written).
 *
 * Candidates are the items with 0 < n < k that user has no label in force
 * on, and the items held only by other users' leases; taken counts the
 * labelers in force plus the holders who are not among them.  A holder
 * with a label in force on the item (the screen renews a lease while its
 * labeler looks at an item already labeled) is counted once.
 */
static int
queue_scan(struct store *st, const char *user, int k, double now,
    struct scan *sc, char **cause)
{
	sqlite3_stmt *open = NULL, *top = NULL, *cnt = NULL;
	size_t h, h0;
	int rc, f, r = -1;

	memset(sc, 0, sizeof *sc);
	if (load_held(st, user, now, sc, cause) != 0 ||
	    load_gold(st, sc, cause) != 0)
		goto out;
	if (sql_prepare(st, "SELECT item, n FROM item_labelers WHERE n > 0 "
	    "AND n < ? ORDER BY item", &open, cause) != 0 ||
	    sql_prepare(st, LABEL_NEWEST_ROW("class IS NOT NULL", "?", "?",
	    ""), &top, cause) != 0 ||
	    sql_prepare(st, "SELECT n FROM item_labelers WHERE item = ?",
	    &cnt, cause) != 0)
		goto out;
	for (h = 0; h < sc->nheld; h++) {
		if ((f = in_force(st, top, sc->held[h].item, sc->held[h].user,
		    cause)) < 0)
			goto out;
		sc->held[h].covered = f;
	}
	sql_bind_int(open, 1, k);
	while ((rc = sqlite3_step(open)) == SQLITE_ROW) {
		long long item = sqlite3_column_int64(open, 0);
		int taken = sqlite3_column_int(open, 1);

		if (in_gold(sc, item))
			continue;
		if ((f = in_force(st, top, item, user, cause)) < 0)
			goto out;
		if (f)
			continue;
		for (h = held_first(sc, item); h < sc->nheld &&
		    sc->held[h].item == item; h++)
			taken += !sc->held[h].covered;
		if (taken < k)
			scan_cand(sc, item, taken);
	}
	if (rc != SQLITE_DONE) {
		sql_fail(st, cause, "cannot read item_labelers");
		goto out;
	}
	/* Items nobody has a label in force on, held by others. */
	for (h0 = 0; h0 < sc->nheld; h0 = h) {
		long long item = sc->held[h0].item;

		for (h = h0; h < sc->nheld && sc->held[h].item == item; h++)
			;
		if (item_n(st, cnt, item, &f, cause) != 0)
			goto out;
		if (f == 0 && (int)(h - h0) < k && !in_gold(sc, item))
			scan_cand(sc, item, (int)(h - h0));
	}
	/* Only gold mixing needs it (labels_labeler): no cost without gold. */
	if (sc->ngold > 0 && sql_int(st, "SELECT count(*) FROM labels WHERE "
	    "labeler = ?", user, &sc->user_rows, cause) < 0)
		goto out;
	r = 0;
out:
	sqlite3_finalize(open);
	sqlite3_finalize(top);
	sqlite3_finalize(cnt);
	if (r != 0)
		scan_free(sc);
	return r;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The queue's order: nearer to k first, then by id. */
static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->taken != y->taken)
		return x->taken > y->taken ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

int
queue_in_sorted(const long long *v, size_t n, long long x)
{
	return n > 0 && bsearch(&x, v, n, sizeof *v, cmp_ll) != NULL;
}

static int
held_by_other(const struct scan *sc, long long item)
{
	size_t h = held_first(sc, item);

	return h < sc->nheld && sc->held[h].item == item;
}

/* The id of import batch `name`; -1 with *cause if there is none. */
int
batch_id(struct store *st, const char *name, long long *id, char **cause)
{
	int r = sql_int(st, "SELECT id FROM batches WHERE name = ?", name, id,
	    cause);

	if (r == 0)
		return acc_error(cause, "no import batch named '%s'", name);
	return r < 0 ? -1 : 0;
}

/*
 * The first item nobody has a label in force on (n = 0) that is not held
 * by another user, excluded or gold, in id order, optionally in one
 * batch; *item 0 if none.  The (n, item) index gives them in id order
 * without stepping over labeled items.
 */
static int
empty_first(struct store *st, const struct scan *sc, long long batch,
    const long long *ex, size_t nex, long long *item, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*item = 0;
	if (sql_prepare(st, batch > 0 ?
	    "SELECT l.item FROM item_labelers l JOIN items i ON i.id = l.item "
	    "WHERE l.n = 0 AND i.batch = ? ORDER BY l.item" :
	    "SELECT item FROM item_labelers WHERE n = 0 ORDER BY item", &s,
	    cause) != 0)
		return -1;
	if (batch > 0)
		sql_bind_int(s, 1, batch);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(s, 0);

		if (held_by_other(sc, id) || queue_in_sorted(ex, nex, id) ||
		    in_gold(sc, id))
			continue;
		*item = id;
		break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read item_labelers");
	return 0;
}

/*
 * Choose the item for user: *item, or 0 if none.  Candidates (a slot
 * already taken) are ranked first, nearer to k first; then items nobody
 * has a label in force on, by id.
 */
static int
queue_pick(struct store *st, struct scan *sc, long long batch,
    const long long *ex, size_t nex, long long *item, char **cause)
{
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc;

	*item = 0;
	if (sc->ncand > 0)
		qsort(sc->cand, sc->ncand, sizeof *sc->cand, cmp_cand);
	if (batch > 0 && sql_prepare(st, "SELECT batch FROM items WHERE "
	    "id = ?", &s, cause) != 0)
		return -1;
	for (i = 0; i < sc->ncand && *item == 0; i++) {
		if (queue_in_sorted(ex, nex, sc->cand[i].item))
			continue;
		if (batch > 0) {
			sql_bind_int(s, 1, sc->cand[i].item);
			rc = sqlite3_step(s);
			if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) ==
			    batch)
				*item = sc->cand[i].item;
			sqlite3_reset(s);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				sqlite3_finalize(s);
				return sql_fail(st, cause, "cannot read items");
			}
		} else
			*item = sc->cand[i].item;
	}
	sqlite3_finalize(s);
	if (*item != 0)
		return 0;
	return empty_first(st, sc, batch, ex, nex, item, cause);
}

/*
 * The next item for user, in this order: an item sent back for
 * relabeling; else, by the overlap rule, the next item, which on a gold
 * take is replaced by a gold item.  Gold is never served when the overlap
 * rule has nothing left: a run of gold items at the end would tell them
 * apart.
 */
static int
queue_next(struct store *st, const char *user, struct scan *sc, int k,
    long long batch, const long long *ex, size_t nex, double now,
    long long *item, char **cause)
{
	long long *rel, g;
	size_t nrel;
	int due;

	if (queue_relabel_open(st, user, k, batch, ex, nex, now, 1, &rel, &nrel,
	    cause) != 0)
		return -1;
	*item = nrel > 0 ? rel[0] : 0;
	free(rel);
	if (*item != 0)
		return 0;
	if (queue_pick(st, sc, batch, ex, nex, item, cause) != 0)
		return -1;
	if (*item == 0)
		return 0;
	if (queue_gold_due(st, user, sc, now, &due, cause) != 0 ||
	    (due && queue_gold_pick(st, user, sc, batch, ex, nex, &g,
	    cause) != 0))
		return -1;
	if (due && g != 0)
		*item = g;
	return 0;
}

/*
 * Lease writes commit without waiting for the disk.  A lease is working
 * state, not history: losing the newest ones to a power cut only frees
 * slots that nobody has labeled yet, and a process being killed loses
 * nothing (the WAL is in the page cache).  The label that follows commits
 * with synchronous=FULL, which syncs the WAL and every lease frame before
 * it.  It halves the syncs per label, and the sync was most of a take:
 * 9 ms of it on one labeler, against 8 ms for the label's own commit
 * (tests/stress/labelers.sh, ext4 on a virtual disk).  In WAL mode
 * synchronous=NORMAL keeps the store consistent; only durability of these
 * commits is given up.  Outside a transaction the pragma cannot fail short
 * of a broken connection, which the next statement reports.
 */
static void
lease_sync(struct store *st, int full)
{
	sql_exec(st, full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", NULL);
}

static int queue_take_tx(struct store *, const char *, const char *,
    const long long *, int, struct queue_item *, char **);

int
queue_take(struct store *st, const char *user, const char *batch,
    const long long *exclude, int nexclude, struct queue_item *out,
    char **cause)
{
	int r;

	lease_sync(st, 0);
	r = queue_take_tx(st, user, batch, exclude, nexclude, out, cause);
	lease_sync(st, 1);
	return r;
}

static int
queue_take_tx(struct store *st, const char *user, const char *batch,
    const long long *exclude, int nexclude, struct queue_item *out,
    char **cause)
{
	struct project p;
	struct scan sc;
	long long *ex = NULL, bid = 0, item = 0;
	size_t nex = nexclude > 0 ? (size_t)nexclude : 0;
	double now = wall_now();
	char *why = NULL;

	memset(out, 0, sizeof *out);
	if (nex > 0) {
		ex = xcalloc(nex, sizeof *ex);
		memcpy(ex, exclude, nex * sizeof *ex);
		qsort(ex, nex, sizeof *ex, cmp_ll);
	}
	if (queue_begin(st, user, cause) != 0) {
		free(ex);
		return -1;
	}
	if (project_load(st, &p, cause) != 0)
		goto fail;
	if ((batch != NULL && batch_id(st, batch, &bid, cause) != 0) ||
	    lease_expire(st, now, cause) != 0 ||
	    queue_scan(st, user, p.overlap, now, &sc, cause) != 0) {
		project_free(&p);
		goto fail;
	}
	if (queue_next(st, user, &sc, p.overlap, bid, ex, nex, now, &item,
	    cause) != 0) {
		project_free(&p);
		scan_free(&sc);
		goto fail;
	}
	project_free(&p);
	scan_free(&sc);
	free(ex);
	ex = NULL;
	if (item != 0 && lease_put(st, user, item, now, cause) != 0)
		goto fail;
	/* Commit even when nothing was found: expired leases are gone. */
	if (store_commit(st, cause) != 0)
		goto fail;
	if (item == 0)
		return 0;
	if (queue_item_read(st, item, out, cause) != 0) {
		/* Do not keep a slot nobody will label. */
		queue_lease_drop(st, user, item, &why);
		free(why);
		return -1;
	}
	return 1;
fail:
	free(ex);
	store_rollback(st);
	return -1;
}

/*
 * Renew (or retake) user's lease.  A lease that expired and was deleted
 * is written again: the labeler is looking at the item and will label it,
 * so holding the slot keeps others from overshooting k further.
 */
int
queue_renew(struct store *st, const char *user, long long item, char **cause)
{
	double now = wall_now();
	int r = -1;

	lease_sync(st, 0);
	if (queue_begin(st, user, cause) != 0)
		goto out;
	if (queue_item_exists(st, item, cause) != 0 ||
	    lease_expire(st, now, cause) != 0 ||
	    lease_put(st, user, item, now, cause) != 0 ||
	    store_commit(st, cause) != 0)
		store_rollback(st);
	else
		r = 0;
out:
	lease_sync(st, 1);
	return r;
}

int
queue_release(struct store *st, const char *user, long long item,
    char **cause)
{
	int r = -1;

	lease_sync(st, 0);
	if (queue_begin(st, user, cause) != 0)
		goto out;
	if (queue_lease_drop(st, user, item, cause) != 0 ||
	    store_commit(st, cause) != 0)
		store_rollback(st);
	else
		r = 0;
out:
	lease_sync(st, 1);
	return r;
}

static int
count_done(struct store *st, const char *user, long long batch,
    long long *done, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	/* labels_labeler (labeler, id) walks only this user's rows. */
	if (sql_prepare(st, "SELECT count(*) FROM current_labels l JOIN items "
	    "i ON i.id = l.item WHERE l.labeler = ?1 AND (?2 = 0 OR "
	    "i.batch = ?2)", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_int(s, 2, batch);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*done = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return sql_fail(st, cause, "cannot count labels");
	return 0;
}

int
queue_progress(struct store *st, const char *user, const char *batch,
    long long *done, long long *remaining, char **cause)
{
	struct project p;
	struct scan sc;
	sqlite3_stmt *s = NULL;
	long long bid = 0, n = 0, *rel = NULL;
	size_t i, j, nrel = 0;
	double now = wall_now();
	int rc;

	*done = *remaining = 0;
	if (queue_require(st, user, cause) != 0)
		return -1;
	if (store_begin(st, 0, cause) != 0)
		return -1;
	if (project_load(st, &p, cause) != 0)
		goto fail;
	if ((batch != NULL && batch_id(st, batch, &bid, cause) != 0) ||
	    count_done(st, user, bid, done, cause) != 0 ||
	    queue_scan(st, user, p.overlap, now, &sc, cause) != 0) {
		project_free(&p);
		goto fail;
	}
	/* Items sent back to user that the overlap rule does not offer. */
	if (queue_relabel_open(st, user, p.overlap, bid, NULL, 0, now, SIZE_MAX,
	    &rel, &nrel, cause) != 0) {
		project_free(&p);
		goto fail_scan;
	}
	project_free(&p);
	for (j = 0; j < nrel; j++) {
		for (i = 0; i < sc.ncand && sc.cand[i].item != rel[j]; i++)
			;
		if (i == sc.ncand)
			n++;
	}
	free(rel);
	/* Open items with someone on them, in the batch. */
	if (bid > 0 && sql_prepare(st, "SELECT batch FROM items WHERE id = ?",
	    &s, cause) != 0)
		goto fail_scan;
	for (i = 0; i < sc.ncand; i++) {
		if (bid == 0) {
			n++;
			continue;
		}
		sql_bind_int(s, 1, sc.cand[i].item);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW && sqlite3_column_int64(s, 0) == bid)
			n++;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sql_fail(st, cause, "cannot read items");
			goto fail_scan;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	/* Plus the items nobody has a label in force on, but for those held
	 * by others and gold (served at the gold rate, outside this count).
	 * Without a batch that is a count of the (n, item) index less the
	 * few held and gold ones. */
	if (bid == 0) {
		long long zero = 0;
		size_t h;
		int n0;

		if (sql_int(st, "SELECT count(*) FROM item_labelers WHERE n = 0",
		    NULL, &zero, cause) < 0 ||
		    sql_prepare(st, "SELECT n FROM item_labelers WHERE item = ?",
		    &s, cause) != 0)
			goto fail_scan;
		n += zero;
		for (h = 0; h < sc.nheld + sc.ngold; h++) {
			long long id = h < sc.nheld ? sc.held[h].item :
			    sc.gold[h - sc.nheld];

			if (h < sc.nheld ? h > 0 && sc.held[h - 1].item == id :
			    held_by_other(&sc, id))
				continue;	/* counted once */
			if (item_n(st, s, id, &n0, cause) != 0)
				goto fail_scan;
			if (n0 == 0)
				n--;
		}
	} else {
		if (sql_prepare(st, "SELECT l.item FROM item_labelers l JOIN "
		    "items i ON i.id = l.item WHERE l.n = 0 AND i.batch = ?", &s,
		    cause) != 0)
			goto fail_scan;
		sql_bind_int(s, 1, bid);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			long long id = sqlite3_column_int64(s, 0);

			if (!held_by_other(&sc, id) && !in_gold(&sc, id))
				n++;
		}
		if (rc != SQLITE_DONE) {
			sql_fail(st, cause, "cannot read items");
			goto fail_scan;
		}
	}
	sqlite3_finalize(s);
	scan_free(&sc);
	store_rollback(st);
	*remaining = n;
	return 0;
fail_scan:
	sqlite3_finalize(s);
	scan_free(&sc);
fail:
	store_rollback(st);
	return -1;
}
