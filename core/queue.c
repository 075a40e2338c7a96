/*
 * queue.c: what a labeler gets next (leases, overlap k), and writing their
 * labels and tags.
 *
 * Blind labeling: every query that touches labels or tags of a particular
 * labeler filters on the caller; counts of other labelers' labels are used
 * only to decide eligibility and ordering, and never leave this file.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accord/config.h"
#include "accord/project.h"
#include "accord/queue.h"
#include "internal.h"

#define QUEUE_WHAT "labeling"
#define TAG_MAX_BYTES 64

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

static int
require_labeler(struct store *st, const char *user, char **cause)
{
	return project_require(st, user, ROLE_LABELER, QUEUE_WHAT, cause);
}

/*
 * BEGIN IMMEDIATE, then the role check inside it, so the check and the
 * write it guards see the same membership.  A refusal's audit row is
 * written inside the transaction, so commit it rather than lose it.
 */
static int
begin_labeling(struct store *st, const char *user, char **cause)
{
	if (store_begin(st, 1, cause) != 0)
		return -1;
	if (require_labeler(st, user, cause) != 0) {
		if (store_commit(st, NULL) != 0)
			store_rollback(st);
		return -1;
	}
	return 0;
}

static int
item_exists(struct store *st, long long item, char **cause)
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

/*
 * user's newest label row on item: *id (0 if none) and whether it is in
 * force (its class not NULL).  Uses labels_item (item, labeler, id).
 */
static int
mine_newest(struct store *st, const char *user, long long item,
    long long *id, int *class_id, char **note, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*id = 0;
	*class_id = 0;
	if (note != NULL)
		*note = NULL;
	if (sql_prepare(st, "SELECT id, class, note FROM labels WHERE "
	    "item = ? AND labeler = ? ORDER BY id DESC LIMIT 1", &s,
	    cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
			*class_id = sqlite3_column_int(s, 1);
			if (note != NULL)
				*note = xstrdup(sql_text(s, 2));
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return 0;
}

static int
lease_drop(struct store *st, const char *user, long long item, char **cause)
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

static int in_sorted(const long long *, size_t, long long);

static int
in_gold(const struct scan *sc, long long item)
{
	return in_sorted(sc->gold, sc->ngold, item);
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
	    sql_prepare(st, "SELECT class IS NOT NULL FROM labels WHERE "
	    "item = ? AND labeler = ? ORDER BY id DESC LIMIT 1", &top,
	    cause) != 0 ||
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

static int
in_sorted(const long long *v, size_t n, long long x)
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

		if (held_by_other(sc, id) || in_sorted(ex, nex, id) ||
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
		if (in_sorted(ex, nex, sc->cand[i].item))
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

void
queue_item_free(struct queue_item *it)
{
	int i;

	if (it == NULL)
		return;
	for (i = 0; i < it->nmeta; i++) {
		free(it->meta[i].key);
		free(it->meta[i].value);
	}
	free(it->meta);
	free(it->path);
	free(it->sha256);
	free(it->kind);
	memset(it, 0, sizeof *it);
}

/* Metric values are REAL (printed %.4g for the screen); CSV values are
 * text and shown as written ("007" stays "007"). */
static char *
meta_value(sqlite3_stmt *s, int col)
{
	switch (sqlite3_column_type(s, col)) {
	case SQLITE_FLOAT:
		return xasprintf("%.4g", sqlite3_column_double(s, col));
	case SQLITE_INTEGER:
		return xasprintf("%lld", sqlite3_column_int64(s, col));
	case SQLITE_NULL:
		return xstrdup("");
	default:
		return xstrdup(sql_text(s, col));
	}
}

/* The item's row and current metadata, with no one's labels. */
static int
item_read(struct store *st, long long id, struct queue_item *out,
    char **cause)
{
	sqlite3_stmt *s;
	int rc, cap = 0;

	memset(out, 0, sizeof *out);
	if (sql_prepare(st, "SELECT path, sha256, kind FROM items WHERE id = ?",
	    &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = id;
		out->path = xstrdup(sql_text(s, 0));
		out->sha256 = xstrdup(sql_text(s, 1));
		out->kind = xstrdup(sql_text(s, 2));
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return acc_error(cause, "no item %lld in this project", id);
	if (rc != SQLITE_ROW)
		return sql_fail(st, cause, "cannot read items");
	if (sql_prepare(st, "SELECT key, value FROM current_meta WHERE item = ? "
	    "ORDER BY key", &s, cause) != 0)
		goto fail;
	sql_bind_int(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->nmeta == cap) {
			cap = cap ? cap * 2 : 16;
			out->meta = xreallocarray(out->meta, (size_t)cap,
			    sizeof *out->meta);
		}
		out->meta[out->nmeta].key = xstrdup(sql_text(s, 0));
		out->meta[out->nmeta++].value = meta_value(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sql_fail(st, cause, "cannot read item metadata");
		goto fail;
	}
	return 0;
fail:
	queue_item_free(out);
	return -1;
}

/*
 * queue_item_load has no user argument in its contract; the role is checked
 * for the OS user running the process, who is the identity everywhere else.
 */
int
queue_item_load(struct store *st, long long id, struct queue_item *out,
    char **cause)
{
	int r;

	memset(out, 0, sizeof *out);
	if (require_labeler(st, acc_os_user(), cause) != 0)
		return -1;
	/* One snapshot: the item and its metadata agree. */
	if (store_begin(st, 0, cause) != 0)
		return -1;
	r = item_read(st, id, out, cause);
	store_rollback(st);
	return r;
}

/*
 * Items sent back for relabeling that are open to user, in the order they
 * were sent back: the item's newest adjudication is 'relabel' under
 * version V, user has no label in force made under V or later, and fewer
 * than k labelers have (counting other users' live leases, unless that
 * user already has such a label).  Their old labels stay in force until
 * they label again; the new row supersedes them.  At most max items go to
 * *out (malloc'd), *n of them.  Few items are ever sent back at once, so
 * a few indexed queries per item are cheap.
 */
static int
relabel_open(struct store *st, const char *user, int k, long long batch,
    const long long *ex, size_t nex, double now, size_t max, long long **out,
    size_t *n, char **cause)
{
	sqlite3_stmt *a = NULL, *c = NULL, *l = NULL;
	int rc = SQLITE_DONE, r = -1;

	*out = NULL;
	*n = 0;
	if (sql_prepare(st, "SELECT a.item, a.guideline FROM adjudications a "
	    "JOIN items i ON i.id = a.item WHERE a.status = 'relabel' AND "
	    "a.id = (SELECT max(id) FROM adjudications b WHERE b.item = "
	    "a.item) AND (?1 = 0 OR i.batch = ?1) ORDER BY a.id", &a,
	    cause) != 0 ||
	    sql_prepare(st, "SELECT count(*), coalesce(sum(labeler = ?3), 0) "
	    "FROM current_labels WHERE item = ?1 AND guideline >= ?2", &c,
	    cause) != 0 ||
	    sql_prepare(st, "SELECT count(*) FROM leases WHERE item = ?1 AND "
	    "user != ?3 AND expires_at > ?4 AND user NOT IN (SELECT labeler "
	    "FROM current_labels WHERE item = ?1 AND guideline >= ?2)", &l,
	    cause) != 0)
		goto out;
	sql_bind_int(a, 1, batch);
	while (*n < max && (rc = sqlite3_step(a)) == SQLITE_ROW) {
		long long item = sqlite3_column_int64(a, 0), have, mine, held;
		int v = sqlite3_column_int(a, 1);

		if (in_sorted(ex, nex, item))
			continue;
		sql_bind_int(c, 1, item);
		sql_bind_int(c, 2, v);
		sql_bind_text(c, 3, user);
		if (sqlite3_step(c) != SQLITE_ROW) {
			sql_fail(st, cause, "cannot read labels");
			goto out;
		}
		have = sqlite3_column_int64(c, 0);
		mine = sqlite3_column_int64(c, 1);
		sqlite3_reset(c);
		if (mine > 0 || have >= k)
			continue;
		sql_bind_int(l, 1, item);
		sql_bind_int(l, 2, v);
		sql_bind_text(l, 3, user);
		sql_bind_double(l, 4, now);
		if (sqlite3_step(l) != SQLITE_ROW) {
			sql_fail(st, cause, "cannot read leases");
			goto out;
		}
		held = sqlite3_column_int64(l, 0);
		sqlite3_reset(l);
		if (have + held >= k)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = item;
	}
	if (*n < max && rc != SQLITE_DONE) {
		sql_fail(st, cause, "cannot read adjudications");
		goto out;
	}
	r = 0;
out:
	sqlite3_finalize(a);
	sqlite3_finalize(c);
	sqlite3_finalize(l);
	if (r != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* splitmix64's finaliser (Steele, Lea and Flood, OOPSLA 2014). */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A number in [0, 1) fixed by seed, user and n (FNV-1a of the name). */
static double
user_uniform(long long seed, const char *user, uint64_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p = (const unsigned char *)user;

	while (*p != '\0')
		h = (h ^ *p++) * 0x100000001b3ULL;
	h = mix64(h ^ mix64((uint64_t)seed));
	return (double)(mix64(h ^ mix64(n)) >> 11) * 0x1.0p-53;
}

/*
 * Whether this take is a gold one.  Take number t is the user's label rows
 * plus the items they hold now (the loader takes a few ahead before any
 * is labeled), so the sequence of decisions over a user's work depends
 * only on the seed and the user: the share of gold converges on the rate
 * and a test can repeat it.
 */
static int
gold_due(struct store *st, const char *user, const struct scan *sc,
    double now, int *due, char **cause)
{
	sqlite3_stmt *s;
	long long seed, held = 0;
	double rate;
	int rc;

	*due = 0;
	if (sc->ngold == 0)
		return 0;
	if (config_gold(st, &rate, &seed, cause) != 0)
		return -1;
	if (rate <= 0)
		return 0;
	if (sql_prepare(st, "SELECT count(*) FROM leases WHERE user = ? AND "
	    "expires_at > ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_double(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		held = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return sql_fail(st, cause, "cannot read leases");
	*due = user_uniform(seed, user, (uint64_t)(sc->user_rows + held)) <
	    rate;
	return 0;
}

/*
 * The gold item to give user: one they have never labeled (each labeler
 * gets each gold item at most once), in the batch, not excluded.  Among
 * those, the one with the smallest hash of (seed, user, item), so labelers
 * meet the gold items in different orders.  *item 0 if none.
 */
static int
gold_pick(struct store *st, const char *user, const struct scan *sc,
    long long batch, const long long *ex, size_t nex, long long *item,
    char **cause)
{
	sqlite3_stmt *s;
	double best = 2;
	size_t i;
	int rc;

	*item = 0;
	if (sql_prepare(st, "SELECT (SELECT count(*) FROM labels WHERE item = "
	    "?1 AND labeler = ?2), (SELECT batch FROM items WHERE id = ?1)",
	    &s, cause) != 0)
		return -1;
	sql_bind_text(s, 2, user);
	for (i = 0; i < sc->ngold; i++) {
		long long id = sc->gold[i];
		double h;

		if (in_sorted(ex, nex, id))
			continue;
		sql_bind_int(s, 1, id);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_finalize(s);
			return sql_fail(st, cause, "cannot read labels");
		}
		if (sqlite3_column_int64(s, 0) == 0 && (batch == 0 ||
		    sqlite3_column_int64(s, 1) == batch)) {
			h = user_uniform(0, user, (uint64_t)id);
			if (h < best) {
				best = h;
				*item = id;
			}
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return 0;
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

	if (relabel_open(st, user, k, batch, ex, nex, now, 1, &rel, &nrel,
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
	if (gold_due(st, user, sc, now, &due, cause) != 0 ||
	    (due && gold_pick(st, user, sc, batch, ex, nex, &g, cause) != 0))
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
	if (begin_labeling(st, user, cause) != 0) {
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
	if (item_read(st, item, out, cause) != 0) {
		/* Do not keep a slot nobody will label. */
		lease_drop(st, user, item, &why);
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
	if (begin_labeling(st, user, cause) != 0)
		goto out;
	if (item_exists(st, item, cause) != 0 ||
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
	if (begin_labeling(st, user, cause) != 0)
		goto out;
	if (lease_drop(st, user, item, cause) != 0 ||
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
	if (sql_prepare(st, "SELECT count(*) FROM labels l JOIN items i ON "
	    "i.id = l.item WHERE l.labeler = ?1 AND l.class IS NOT NULL AND "
	    "l.id = (SELECT max(id) FROM labels m WHERE m.item = l.item AND "
	    "m.labeler = ?1) AND (?2 = 0 OR i.batch = ?2)", &s, cause) != 0)
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
	if (require_labeler(st, user, cause) != 0)
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
	if (relabel_open(st, user, p.overlap, bid, NULL, 0, now, SIZE_MAX,
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

/*
 * Write user's row on item inside the caller's transaction: class_id 0
 * withdraws.  Checks what only the store can tell (item, class, something
 * to withdraw); text was checked by the caller.
 */
static int
put_row(struct store *st, const char *user, long long item, int class_id,
    const char *note, double seconds, long long *label_id, char **cause)
{
	struct project p;
	sqlite3_stmt *s;
	long long prev;
	char now[32];
	int cur, r;

	if (item_exists(st, item, cause) != 0)
		return -1;
	if (project_load(st, &p, cause) != 0)
		return -1;
	if (class_id > 0 && project_class_by_id(&p, class_id) == NULL) {
		project_free(&p);
		return acc_error(cause, "class %d is not a class of this project",
		    class_id);
	}
	if (mine_newest(st, user, item, &prev, &cur, NULL, cause) != 0) {
		project_free(&p);
		return -1;
	}
	if (class_id == 0 && cur == 0) {
		project_free(&p);
		return acc_error(cause, "%s has no label on item %lld to "
		    "withdraw", user, item);
	}
	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO labels (item, labeler, class, note, "
	    "guideline, seconds_spent, created_at, supersedes, origin, "
	    "label_import, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "'screen', NULL, ?)", &s, cause) != 0) {
		project_free(&p);
		return -1;
	}
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	if (class_id > 0)
		sql_bind_int(s, 3, class_id);
	else
		sql_bind_null(s, 3);
	sql_bind_text(s, 4, note ? note : "");
	sql_bind_int(s, 5, p.guideline);
	if (seconds >= 0 && isfinite(seconds))
		sql_bind_double(s, 6, seconds);
	else
		sql_bind_null(s, 6);
	sql_bind_text(s, 7, now);
	if (prev > 0)
		sql_bind_int(s, 8, prev);
	else
		sql_bind_null(s, 8);
	sql_bind_text(s, 9, user);
	project_free(&p);
	r = sql_step_done(st, s, cause);
	sqlite3_finalize(s);
	if (r != 0)
		return -1;
	if (label_id != NULL)
		*label_id = sqlite3_last_insert_rowid(st->db);
	/* The slot is now held by the label itself. */
	return lease_drop(st, user, item, cause);
}

int
label_put(struct store *st, const char *user, long long item, int class_id,
    const char *note, double seconds, long long *label_id, char **cause)
{
	const char *why;

	if (begin_labeling(st, user, cause) != 0)
		return -1;
	if (class_id < 0) {
		store_rollback(st);
		return acc_error(cause, "class %d is not a class of this "
		    "project", class_id);
	}
	if (note != NULL && (why = acc_text_problem(note, 0)) != NULL) {
		store_rollback(st);
		return acc_error(cause, "the note %s", why);
	}
	/* COMMIT under synchronous=FULL returns once the WAL is synced. */
	if (put_row(st, user, item, class_id, note, seconds, label_id,
	    cause) != 0 || store_commit(st, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
label_undo(struct store *st, const char *user, long long *item, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*item = 0;
	if (begin_labeling(st, user, cause) != 0)
		return -1;
	/* Walk user's rows newest first (labels_labeler); the first that is
	 * still its pair's newest row and has a class is the label to undo.
	 * Repeated undos therefore walk back through the history. */
	if (sql_prepare(st, "SELECT l.item FROM labels l WHERE l.labeler = ?1 "
	    "AND l.class IS NOT NULL AND l.id = (SELECT max(id) FROM labels m "
	    "WHERE m.item = l.item AND m.labeler = ?1) ORDER BY l.id DESC "
	    "LIMIT 1", &s, cause) != 0)
		goto fail;
	sql_bind_text(s, 1, user);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*item = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sql_fail(st, cause, "cannot read labels");
		goto fail;
	}
	if (*item == 0) {
		store_rollback(st);
		return 0;
	}
	if (put_row(st, user, *item, 0, "", -1, NULL, cause) != 0 ||
	    store_commit(st, cause) != 0)
		goto fail;
	return 0;
fail:
	*item = 0;
	store_rollback(st);
	return -1;
}

int
label_mine(struct store *st, const char *user, long long item, int *class_id,
    char **note, char **cause)
{
	long long id;

	*class_id = 0;
	*note = NULL;
	if (require_labeler(st, user, cause) != 0)
		return -1;
	return mine_newest(st, user, item, &id, class_id, note, cause);
}

int
label_history(struct store *st, const char *user, long long **items, int *n,
    char **cause)
{
	sqlite3_stmt *s;
	long long *v = NULL;
	size_t cap = 0, k = 0;
	int rc;

	*items = NULL;
	*n = 0;
	if (require_labeler(st, user, cause) != 0)
		return -1;
	/* The row in force is the pair's newest, so ordering rows in force by
	 * id orders items by user's newest label on them. */
	if (sql_prepare(st, "SELECT l.item FROM labels l WHERE l.labeler = ?1 "
	    "AND l.class IS NOT NULL AND l.id = (SELECT max(id) FROM labels m "
	    "WHERE m.item = l.item AND m.labeler = ?1) ORDER BY l.id", &s,
	    cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[k++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_fail(st, cause, "cannot read labels");
	}
	if (k > 0x7fffffff) {
		free(v);
		return acc_error(cause, "too many labels to list");
	}
	*items = v;
	*n = (int)k;
	return 0;
}

void
tags_free(char **tags, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

/* Strings from a one-column query, in its order. */
static int
tags_query(struct store *st, sqlite3_stmt *s, char ***tags, int *n,
    char **cause)
{
	char **v = NULL;
	int k = 0, cap = 0, rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[k++] = xstrdup(sql_text(s, 0));
	}
	if (rc != SQLITE_DONE) {
		tags_free(v, k);
		return sql_fail(st, cause, "cannot read tags");
	}
	*tags = v;
	*n = k;
	return 0;
}

/*
 * Tags in force somewhere in the project (a tag whose every use was
 * removed is not offered for completion), with the OS user's role checked:
 * the contract has no user argument.
 */
int
tags_all(struct store *st, char ***tags, int *n, char **cause)
{
	sqlite3_stmt *s;
	int r;

	*tags = NULL;
	*n = 0;
	if (require_labeler(st, acc_os_user(), cause) != 0)
		return -1;
	if (sql_prepare(st, "SELECT DISTINCT tag FROM tags t WHERE removed = 0 "
	    "AND id = (SELECT max(id) FROM tags u WHERE u.item = t.item AND "
	    "u.tag = t.tag AND u.user = t.user) ORDER BY tag", &s, cause) != 0)
		return -1;
	r = tags_query(st, s, tags, n, cause);
	sqlite3_finalize(s);
	return r;
}

static int
tags_in_force(struct store *st, const char *user, long long item,
    char ***tags, int *n, char **cause)
{
	sqlite3_stmt *s;
	int r;

	if (sql_prepare(st, "SELECT tag FROM tags t WHERE item = ?1 AND "
	    "user = ?2 AND removed = 0 AND id = (SELECT max(id) FROM tags u "
	    "WHERE u.item = ?1 AND u.tag = t.tag AND u.user = ?2) "
	    "ORDER BY tag", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	r = tags_query(st, s, tags, n, cause);
	sqlite3_finalize(s);
	return r;
}

int
tags_mine(struct store *st, const char *user, long long item, char ***tags,
    int *n, char **cause)
{
	*tags = NULL;
	*n = 0;
	if (require_labeler(st, user, cause) != 0)
		return -1;
	return tags_in_force(st, user, item, tags, n, cause);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Trim, check and de-duplicate tags into a sorted list; -1 with *cause
 * naming the first bad tag. */
static int
tags_clean(const char *const *tags, int n, char ***out, int *nout,
    char **cause)
{
	char **v;
	int i, k = 0, u;

	v = xcalloc(n > 0 ? (size_t)n : 1, sizeof *v);
	for (i = 0; i < n; i++) {
		const char *s = tags[i], *e, *why;
		char *t;

		if (s == NULL)
			continue;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		t = xstrndup(s, (size_t)(e - s));
		if (*t == '\0' || strlen(t) > TAG_MAX_BYTES)
			why = "must be 1-64 bytes";
		else if (strchr(t, ',') != NULL)
			why = "must not contain a comma";
		else
			why = acc_text_problem(t, 0);
		if (why != NULL) {
			char *shown = acc_printable(t);

			acc_error(cause, "tag '%s' %s", shown, why);
			free(shown);
			free(t);
			tags_free(v, k);
			return -1;
		}
		v[k++] = t;
	}
	qsort(v, (size_t)k, sizeof *v, cmp_str);
	for (i = 1, u = k > 0 ? 1 : 0; i < k; i++) {
		if (strcmp(v[i], v[u - 1]) == 0)
			free(v[i]);
		else
			v[u++] = v[i];
	}
	*out = v;
	*nout = u;
	return 0;
}

static int
sorted_has(char **v, int n, const char *s)
{
	return n > 0 && bsearch(&s, v, (size_t)n, sizeof *v, cmp_str) != NULL;
}

int
tags_set(struct store *st, const char *user, long long item,
    const char *const *tags, int n, char **cause)
{
	sqlite3_stmt *s = NULL;
	char **want = NULL, **have = NULL, now[32];
	int nwant = 0, nhave = 0, i, r = -1;

	if (begin_labeling(st, user, cause) != 0)
		return -1;
	if (tags_clean(tags, n, &want, &nwant, cause) != 0 ||
	    item_exists(st, item, cause) != 0 ||
	    tags_in_force(st, user, item, &have, &nhave, cause) != 0)
		goto out;
	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO tags (item, user, tag, removed, "
	    "created_at) VALUES (?, ?, ?, ?, ?)", &s, cause) != 0)
		goto out;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	sql_bind_text(s, 5, now);
	for (i = 0; i < nwant; i++) {
		if (sorted_has(have, nhave, want[i]))
			continue;
		sql_bind_text(s, 3, want[i]);
		sql_bind_int(s, 4, 0);
		if (sql_step_done(st, s, cause) != 0)
			goto out;
	}
	for (i = 0; i < nhave; i++) {
		if (sorted_has(want, nwant, have[i]))
			continue;
		sql_bind_text(s, 3, have[i]);
		sql_bind_int(s, 4, 1);
		if (sql_step_done(st, s, cause) != 0)
			goto out;
	}
	r = store_commit(st, cause);
out:
	sqlite3_finalize(s);
	if (r != 0)
		store_rollback(st);
	tags_free(want, nwant);
	tags_free(have, nhave);
	return r;
}
