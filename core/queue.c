/*
 * queue.c: what a labeler gets next, by the overlap rule, under leases
 * (gold and relabeling: queue_gold.c; the leases: queue_lease.c).
 *
 * Blind labeling: every query that touches labels of a particular labeler
 * filters on the caller; counts of other labelers' labels are used only to
 * decide eligibility and ordering, and never leave the queue's files.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accord/project.h"
#include "accord/suggest.h"
#include "label_int.h"
#include "queue_int.h"
#include "queue_pg.h"

#define QUEUE_WHAT "labeling"

int
queue_require(struct store *st, const char *user, char **cause)
{
	return project_require(st, user, ROLE_LABELER, QUEUE_WHAT, cause);
}

int
queue_begin(struct store *st, const char *user, char **cause)
{
	return project_begin(st, user, ROLE_LABELER, QUEUE_WHAT, cause);
}

int
queue_item_exists(struct store *st, long long item, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, "SELECT 1 FROM items WHERE id = ?", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	rc = sql_step(s);
	sql_finalize(st, s);
	if (rc == SQL_ROW)
		return 0;
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read items");
	return acc_error(cause, "no item %lld in this project", item);
}

/*
 * The queue's view of the store (schema 5, core/schema.c).
 *
 * The queue hands out the items nearer to k labelers in force first, then
 * by id, counting other users' live leases as taken slots, never an item
 * the user has a label in force on, never a gold item (gold comes at its
 * own rate, queue_gold.c).  item_labelers keeps every item's level n (its
 * labelers in force) under the index (n, item), so the items of one level
 * come in the queue's order from a seek.  A take reads the few leases and
 * gold items, then walks the levels from k - 1 down and stops at the
 * first item it may give: a few index seeks, whatever the size of the
 * store.  It steps over the user's own items at the head of a level (one
 * seek each); a level made only of them is known from labeler_levels and
 * not read at all.  Leased items are judged one by one: a lease moves its
 * item up by its holders who are not in force there.
 */
static void
scan_free(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nheld; i++)
		free(sc->held[i].user);
	free(sc->held);
	free(sc->gold);
	free(sc->level);
	free(sc->mine);
	sql_finalize(sc->st, sc->top);
	sql_finalize(sc->st, sc->cnt);
	memset(sc, 0, sizeof *sc);
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
	struct sql_stmt *s;
	size_t cap = 0;
	int rc;

	if (sql_prepare(st, "SELECT item, \"user\" FROM leases WHERE \"user\" != ? "
	    "AND expires_at > ? ORDER BY item, \"user\"", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_double(s, 2, now);
	while ((rc = sql_step(s)) == SQL_ROW) {
		if (sc->nheld == cap) {
			cap = cap ? cap * 2 : 16;
			sc->held = xreallocarray(sc->held, cap, sizeof *sc->held);
		}
		sc->held[sc->nheld].item = sql_col_int64(s, 0);
		sc->held[sc->nheld++].user = xstrdup(sql_text(s, 1));
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
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
	struct sql_stmt *s;
	size_t cap = 0;
	int rc;

	if (sql_prepare(st, "SELECT g.item FROM gold g WHERE g.class IS NOT "
	    "NULL AND g.id = (SELECT max(id) FROM gold h WHERE h.item = "
	    "g.item) ORDER BY g.item", &s, cause) != 0)
		return -1;
	while ((rc = sql_step(s)) == SQL_ROW) {
		if (sc->ngold == cap) {
			cap = cap ? cap * 2 : 16;
			sc->gold = xreallocarray(sc->gold, cap, sizeof *sc->gold);
		}
		sc->gold[sc->ngold++] = sql_col_int64(s, 0);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read gold");
	return 0;
}

/*
 * Adds to v[n] (n < k) the counts s gives as (n, count) rows: the items
 * per level (queue_levels) or the user's among them (labeler_levels), in
 * the batch or in all.  0 or -1.
 */
static int
load_counts(struct store *st, const struct scan *sc, const char *sql,
    const char *user, long long *v, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, sc->batch);
	if (user != NULL)
		sql_bind_text(s, 2, user);
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long n = sql_col_int64(s, 0);

		if (n >= 0 && n < sc->k)
			v[n] += sql_col_int64(s, 1);
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read the queue's counts");
	return 0;
}

/*
 * Fill sc for user, overlap k and batch (0: all) at time now.  Read-only;
 * the caller's transaction makes it one snapshot.
 */
static int
queue_scan(struct store *st, const char *user, int k, long long batch,
    double now, struct scan *sc, char **cause)
{
	memset(sc, 0, sizeof *sc);
	sc->st = st;
	sc->k = k > 0 ? k : 1;
	sc->batch = batch;
	sc->level = xcalloc((size_t)sc->k, sizeof *sc->level);
	sc->mine = xcalloc((size_t)sc->k, sizeof *sc->mine);
	if (load_held(st, user, now, sc, cause) != 0 ||
	    load_gold(st, sc, cause) != 0 ||
	    load_counts(st, sc, "SELECT n, sum(items) FROM queue_levels WHERE "
	    "?1 = 0 OR batch = ?1 GROUP BY n", NULL, sc->level, cause) != 0 ||
	    load_counts(st, sc, "SELECT n, sum(items) FROM labeler_levels "
	    "WHERE labeler = ?2 AND (?1 = 0 OR batch = ?1) GROUP BY n", user,
	    sc->mine, cause) != 0 ||
	    sql_prepare(st, LABEL_NEWEST_ROW("class IS NOT NULL", "?", "?",
	    ""), &sc->top, cause) != 0 ||
	    sql_prepare(st, "SELECT n, batch FROM item_labelers WHERE item = ?",
	    &sc->cnt, cause) != 0)
		goto fail;
	/* Only gold mixing needs it: the take number (queue_gold_due). */
	if (sc->ngold > 0 && sql_int(st, "SELECT rows FROM labeler_rows WHERE "
	    "labeler = ?", user, &sc->user_rows, cause) < 0)
		goto fail;
	return 0;
fail:
	scan_free(sc);
	return -1;
}

/* Whether who's newest label row on item is in force (a class); one seek
 * in labels_item (item, labeler, id).  1, 0 or -1. */
static int
in_force(struct store *st, struct sql_stmt *top, long long item,
    const char *who, char **cause)
{
	int rc, force;

	sql_bind_int(top, 1, item);
	sql_bind_text(top, 2, who);
	rc = sql_step(top);
	force = rc == SQL_ROW && sql_col_int(top, 0);
	sql_reset(top);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read labels");
	return force;
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

static int
held_by_other(const struct scan *sc, long long item)
{
	size_t h = held_first(sc, item);

	return h < sc->nheld && sc->held[h].item == item;
}

/* Where one item stands for the user (item_state). */
struct istate {
	int n;		/* labelers in force */
	int in_batch;	/* in sc's batch (always, without one) */
	int mine;	/* the user has a label in force on it */
	int taken;	/* n + other users' leases not among the n */
};

/*
 * Read item's state for user: its level, the user's label, and the slots
 * taken counting other users' live leases.  A holder with a label in
 * force on the item (the screen renews a lease while its labeler looks at
 * an item already labeled) is counted once.  0 or -1.
 */
static int
item_state(struct store *st, const struct scan *sc, const char *user,
    long long item, struct istate *is, char **cause)
{
	size_t h;
	int rc, f = 0;

	memset(is, 0, sizeof *is);
	sql_bind_int(sc->cnt, 1, item);
	rc = sql_step(sc->cnt);
	if (rc == SQL_ROW) {
		is->n = sql_col_int(sc->cnt, 0);
		is->in_batch = sc->batch == 0 ||
		    sql_col_int64(sc->cnt, 1) == sc->batch;
	}
	sql_reset(sc->cnt);
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read item_labelers");
	if (is->n > 0 && (is->mine = in_force(st, sc->top, item, user,
	    cause)) < 0)
		return -1;
	is->taken = is->n;
	for (h = held_first(sc, item); h < sc->nheld &&
	    sc->held[h].item == item; h++) {
		if (is->n > 0 && (f = in_force(st, sc->top, item,
		    sc->held[h].user, cause)) < 0)
			return -1;
		is->taken += is->n == 0 || !f;
	}
	return 0;
}

/* Whether the overlap rule may give the item in state is to the user. */
static int
offered(const struct scan *sc, long long item, const struct istate *is)
{
	return is->in_batch && !is->mine && is->taken < sc->k &&
	    !in_gold(sc, item);
}

/*
 * The best leased item for user: the highest level counting leases, then
 * the lowest id: *item and its level *t (-1 if none).  0 or -1.
 */
static int
leased_best(struct store *st, const struct scan *sc, const char *user,
    const long long *ex, size_t nex, long long *item, int *t, char **cause)
{
	struct istate is;
	size_t h;

	*item = 0;
	*t = -1;
	for (h = 0; h < sc->nheld; h++) {
		long long id = sc->held[h].item;

		if ((h > 0 && sc->held[h - 1].item == id) ||
		    queue_in_sorted(ex, nex, id))
			continue;
		if (item_state(st, sc, user, id, &is, cause) != 0)
			return -1;
		if (offered(sc, id, &is) && is.taken > *t) {
			*t = is.taken;
			*item = id;
		}
	}
	return 0;
}

/*
 * The first item of level t in the queue's order with an id below
 * `below`, that is not leased to anyone else (leased_best judges those),
 * excluded, gold, or the user's own: *item, 0 if none.  0 or -1.
 */
static int
level_first(struct store *st, const struct scan *sc, const char *user,
    int t, long long below, const long long *ex, size_t nex,
    long long *item, char **cause)
{
	struct sql_stmt *s;
	int rc, f = 0;

	*item = 0;
	if (sc->level[t] == 0 || (t > 0 && sc->mine[t] >= sc->level[t]))
		return 0;
	if (sql_prepare(st, sc->batch > 0 ?
	    "SELECT item FROM item_labelers WHERE batch = ?1 AND n = ?2 AND "
	    "item < ?3 ORDER BY item" :
	    "SELECT item FROM item_labelers WHERE n = ?2 AND item < ?3 "
	    "ORDER BY item", &s, cause) != 0)
		return -1;
	if (sc->batch > 0)
		sql_bind_int(s, 1, sc->batch);
	sql_bind_int(s, 2, t);
	sql_bind_int(s, 3, below);
	while ((rc = sql_step(s)) == SQL_ROW) {
		long long id = sql_col_int64(s, 0);

		if (held_by_other(sc, id) || queue_in_sorted(ex, nex, id) ||
		    in_gold(sc, id))
			continue;
		if (t > 0 && (f = in_force(st, sc->top, id, user, cause)) != 0) {
			if (f < 0)
				break;
			continue;
		}
		*item = id;
		break;
	}
	sql_finalize(st, s);
	if (f < 0)
		return -1;
	if (rc != SQL_ROW && rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read item_labelers");
	return 0;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int
queue_in_sorted(const long long *v, size_t n, long long x)
{
	return n > 0 && bsearch(&x, v, n, sizeof *v, cmp_ll) != NULL;
}


/*
 * Choose the item for user by the overlap rule: *item, or 0 if none.
 * Levels from k - 1 down; within a level the lowest id, a leased item
 * competing at the level its leases lift it to.
 */
static int
queue_pick(struct store *st, const struct scan *sc, const char *user,
    const long long *ex, size_t nex, long long *item, char **cause)
{
	long long leased, x;
	int t, lt;

	*item = 0;
	if (leased_best(st, sc, user, ex, nex, &leased, &lt, cause) != 0)
		return -1;
	for (t = sc->k - 1; t >= 0 && t >= lt; t--) {
		if (level_first(st, sc, user, t, t == lt ? leased : LLONG_MAX,
		    ex, nex, &x, cause) != 0)
			return -1;
		if (x != 0 || t == lt) {
			*item = x != 0 ? x : leased;
			return 0;
		}
	}
	return 0;
}

/* Why the queue gives an item: the claim re-checks by the same rule. */
enum pick_kind { PICK_NONE, PICK_RELABEL, PICK_OVERLAP, PICK_GOLD };

/*
 * The next item for user, in this order: an item sent back for
 * relabeling; else, by the overlap rule, the next item, which on a gold
 * take is replaced by a gold item.  Gold is never served when the overlap
 * rule has nothing left: a run of gold items at the end would tell them
 * apart.
 */
static int
queue_next(struct store *st, const char *user, const struct scan *sc,
    const long long *ex, size_t nex, double now, long long *item,
    enum pick_kind *kind, char **cause)
{
	long long *rel, g;
	size_t nrel;
	int due;

	*kind = PICK_NONE;
	if (queue_relabel_open(st, user, sc->k, sc->batch, ex, nex, now, 1,
	    &rel, &nrel, cause) != 0)
		return -1;
	*item = nrel > 0 ? rel[0] : 0;
	free(rel);
	if (*item != 0) {
		*kind = PICK_RELABEL;
		return 0;
	}
	if (queue_pick(st, sc, user, ex, nex, item, cause) != 0)
		return -1;
	if (*item == 0)
		return 0;
	*kind = PICK_OVERLAP;
	if (queue_gold_due(st, user, sc, now, &due, cause) != 0 ||
	    (due && queue_gold_pick(st, user, sc, sc->batch, ex, nex, &g,
	    cause) != 0))
		return -1;
	if (due && g != 0) {
		*item = g;
		*kind = PICK_GOLD;
	}
	return 0;
}

/*
 * One count for user through sql, its ?1 the user and ?2 the number x:
 * *out.  0, or -1 with *cause.
 */
static int
user_count(struct store *st, const char *sql, const char *user, long long x,
    long long *out, char **cause)
{
	struct sql_stmt *s;
	int rc;

	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_int(s, 2, x);
	rc = sql_step(s);
	*out = rc == SQL_ROW ? sql_col_int64(s, 0) : 0;
	sql_finalize(st, s);
	if (rc != SQL_ROW)
		return sql_fail(st, cause, "cannot count labels");
	return 0;
}

/*
 * Inside the claim's write transaction: whether item, chosen as kind from
 * an earlier snapshot, may still go to user: *ok.  The rule that chose it,
 * asked again about this one item.  0 or -1.
 */
static int
claim_ok(struct store *st, const char *user, const struct scan *sc,
    long long item, enum pick_kind kind, double now, int *ok, char **cause)
{
	struct istate is;
	long long *rel, rows;
	size_t nrel, i;

	*ok = 0;
	switch (kind) {
	case PICK_RELABEL:
		if (queue_relabel_open(st, user, sc->k, sc->batch, NULL, 0,
		    now, SIZE_MAX, &rel, &nrel, cause) != 0)
			return -1;
		for (i = 0; i < nrel && !*ok; i++)
			*ok = rel[i] == item;
		free(rel);
		return 0;
	case PICK_GOLD:
		/* A gold item still in force that user never labeled. */
		if (!in_gold(sc, item) || item_state(st, sc, user, item, &is,
		    cause) != 0)
			return in_gold(sc, item) ? -1 : 0;
		/* Each labeler gets each gold item at most once. */
		if (user_count(st, "SELECT count(*) FROM labels WHERE "
		    "labeler = ?1 AND item = ?2", user, item, &rows,
		    cause) != 0)
			return -1;
		*ok = is.in_batch && rows == 0;
		return 0;
	case PICK_OVERLAP:
		if (item_state(st, sc, user, item, &is, cause) != 0)
			return -1;
		*ok = offered(sc, item, &is);
		return 0;
	case PICK_NONE:
		break;
	}
	return 0;
}
/*
 * Taking an item reads to choose, then claims: the choice is made in a
 * read transaction (WAL: it waits for nobody and nobody waits for it);
 * the claim takes the write lock, asks the rule again about the one item
 * chosen, and writes the lease.  A claim that finds its item gone (another
 * labeler took or filled it meanwhile) chooses again under the lock it
 * holds, so a take waits for the lock once.
 */
/* Read the project, batch and queue counts for user; 0 or -1. */
static int
take_scan(struct store *st, const char *user, const char *batch, double now,
    struct scan *sc, char **cause)
{
	long long bid = 0;
	int k;

	/* Only the overlap: the whole project is five queries more, and the
	 * claim reads this under the write lock. */
	if (project_setting_int(st, "overlap", &k, cause) != 0)
		return -1;
	return (batch != NULL &&
	    suggest_batch_id(st, batch, &bid, cause) != 0) ||
	    queue_scan(st, user, k, bid, now, sc, cause) != 0 ? -1 : 0;
}

/* Choose in a read transaction: *item (0: none) and *kind.  0 or -1. */
static int
take_choose(struct store *st, const char *user, const char *batch,
    const long long *ex, size_t nex, double now, long long *item,
    enum pick_kind *kind, char **cause)
{
	struct scan sc;
	int r;

	if (store_begin(st, 0, cause) != 0)
		return -1;
	r = take_scan(st, user, batch, now, &sc, cause);
	if (r == 0) {
		r = queue_next(st, user, &sc, ex, nex, now, item, kind, cause);
		scan_free(&sc);
	}
	store_rollback(st);
	return r;
}

/*
 * The claim, under the write lock: expire leases, check the choice (and
 * when it was lost, make it again here), write the lease.  0 (*item 0:
 * nothing left under the lock either) or -1 (rolled back).
 */
static int
take_claim(struct store *st, const char *user, const char *batch,
    const long long *ex, size_t nex, long long *item, enum pick_kind kind,
    char **cause)
{
	struct scan sc;
	double now = queue_now();
	int ok = 0, r;

	if (queue_begin(st, user, cause) != 0)
		return -1;
	if (queue_lease_expire(st, now, cause) != 0 ||
	    take_scan(st, user, batch, now, &sc, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	r = claim_ok(st, user, &sc, *item, kind, now, &ok, cause);
	/*
	 * Labelers who read at the same moment all choose the head of the
	 * same level, and one wins.  The others choose again here: the lock
	 * is held already and the choice is a few seeks, where rolling back
	 * to choose again queued for the lock once more (16 labelers at
	 * once on 1M items: take p99 67 ms).
	 */
	if (r == 0 && !ok)
		r = queue_next(st, user, &sc, ex, nex, now, item, &kind,
		    cause);
	scan_free(&sc);
	if (r != 0 || (*item != 0 && queue_lease_put(st, user, *item, now,
	    cause) != 0) || store_commit(st, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

static int
queue_take_tx(struct store *st, const char *user, const char *batch,
    const long long *ex, size_t nex, struct queue_item *out, char **cause)
{
	enum pick_kind kind = PICK_NONE;
	long long item = 0;
	char *why = NULL;

	memset(out, 0, sizeof *out);
	/* A refusal is audited and said before anything is read. */
	if (queue_require(st, user, cause) != 0)
		return -1;
	if (take_choose(st, user, batch, ex, nex, queue_now(), &item, &kind,
	    cause) != 0)
		return -1;
	if (item == 0)
		return 0;
	if (take_claim(st, user, batch, ex, nex, &item, kind, cause) != 0)
		return -1;
	if (item == 0)
		return 0;
	if (queue_item_read(st, item, out, cause) != 0) {
		/* Do not keep a slot nobody will label. */
		queue_lease_drop(st, user, item, &why);
		free(why);
		return -1;
	}
	return 1;
}

/*
 * On PostgreSQL the server checks the caller's role in every statement
 * (row-level security, and take's own check), so the client asks for the
 * role only when something failed, to say so in its own words and audit
 * the refusal: a round trip less on every take and label.  *cause is
 * replaced by the refusal's when the user is not a labeler.  Returns -1.
 */
int
queue_pg_refused(struct store *st, const char *user, char **cause)
{
	char *why = NULL;

	if (queue_require(st, user, &why) != 0) {
		free(*cause);
		*cause = why;
	} else
		free(why);
	return -1;
}

/*
 * On PostgreSQL the server takes (accord.take, core/queue_pg.c): a
 * labeler may read none of what the rule decides on.  The take commits
 * alone, without the writer lock; the item comes with it.
 */
static int
queue_take_pg(struct store *st, const char *user, const char *batch,
    const long long *ex, size_t nex, struct queue_item *out, char **cause)
{
	long long bid = 0;
	int r;

	memset(out, 0, sizeof *out);
	if (batch != NULL && suggest_batch_id(st, batch, &bid, cause) != 0)
		return queue_pg_refused(st, user, cause);
	if ((r = queue_pg_take(st, bid, ex, nex, out, cause)) < 0)
		return queue_pg_refused(st, user, cause);
	return r;
}

int
queue_take(struct store *st, const char *user, const char *batch,
    const long long *exclude, int nexclude, struct queue_item *out,
    char **cause)
{
	long long *ex = NULL;
	size_t nex = nexclude > 0 ? (size_t)nexclude : 0;
	int r;

	if (nex > 0) {
		ex = xcalloc(nex, sizeof *ex);
		memcpy(ex, exclude, nex * sizeof *ex);
		qsort(ex, nex, sizeof *ex, cmp_ll);
	}
	if (st->kind == STORE_PG) {
		r = queue_take_pg(st, user, batch, ex, nex, out, cause);
		free(ex);
		return r;
	}
	queue_lease_sync(st, 0);
	r = queue_take_tx(st, user, batch, ex, nex, out, cause);
	queue_lease_sync(st, 1);
	free(ex);
	return r;
}

/*
 * The items the overlap rule offers user, ignoring exclusions: every item
 * below k the user has no label in force on (the level counts), less the
 * leased and gold ones it does not offer (few; judged one by one), plus
 * the items sent back to user that it does not count.  0 or -1.
 */
static int
count_remaining(struct store *st, const struct scan *sc, const char *user,
    const long long *rel, size_t nrel, long long *n, char **cause)
{
	struct istate is;
	size_t i;
	int t;

	*n = 0;
	for (t = 0; t < sc->k; t++)
		*n += sc->level[t] - sc->mine[t];
	for (i = 0; i < sc->nheld + sc->ngold; i++) {
		long long id = i < sc->nheld ? sc->held[i].item :
		    sc->gold[i - sc->nheld];

		if (i < sc->nheld ? i > 0 && sc->held[i - 1].item == id :
		    held_by_other(sc, id))
			continue;	/* judged once */
		if (item_state(st, sc, user, id, &is, cause) != 0)
			return -1;
		if (is.in_batch && is.n < sc->k && !is.mine &&
		    !offered(sc, id, &is))
			(*n)--;
	}
	for (i = 0; i < nrel; i++) {
		if (item_state(st, sc, user, rel[i], &is, cause) != 0)
			return -1;
		if (!offered(sc, rel[i], &is))
			(*n)++;
	}
	return 0;
}

int
queue_progress(struct store *st, const char *user, const char *batch,
    long long *done, long long *remaining, char **cause)
{
	struct scan sc;
	long long *rel = NULL;
	size_t nrel = 0;
	double now = queue_now();
	int r;

	*done = *remaining = 0;
	if (queue_require(st, user, cause) != 0)
		return -1;
	if (st->kind == STORE_PG) {
		long long bid = 0;

		if (batch != NULL &&
		    suggest_batch_id(st, batch, &bid, cause) != 0)
			return -1;
		return queue_pg_progress(st, bid, done, remaining, cause);
	}
	if (store_begin(st, 0, cause) != 0)
		return -1;
	if (take_scan(st, user, batch, now, &sc, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	/* The user's labels in force: every level of labeler_levels. */
	r = user_count(st, "SELECT coalesce(sum(items), 0) FROM "
	    "labeler_levels WHERE labeler = ?1 AND (?2 = 0 OR batch = ?2)",
	    user, sc.batch, done, cause);
	/* Items sent back to user that the overlap rule does not offer. */
	if (r == 0)
		r = queue_relabel_open(st, user, sc.k, sc.batch, NULL, 0, now,
		    SIZE_MAX, &rel, &nrel, cause);
	if (r == 0)
		r = count_remaining(st, &sc, user, rel, nrel, remaining, cause);
	free(rel);
	scan_free(&sc);
	store_rollback(st);
	return r;
}
