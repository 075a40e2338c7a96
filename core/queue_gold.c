/*
 * queue_gold.c: the items the queue serves out of turn: items sent back
 * for relabeling, and gold items mixed in at the configured rate.
 */
#include <stdint.h>
#include <stdlib.h>

#include "accord/config.h"
#include "queue_int.h"

/*
 * Steps s, one of queue_relabel_open's counts, for item under guideline
 * v, user and time now (its parameters ?1 to ?3, and ?4 if it has one):
 * the first column into *x and the second, if y, into *y.  0, or -1 with
 * *cause saying what could not be read.
 */
static int
relabel_count(struct store *st, struct sql_stmt *s, long long item, int v,
    const char *user, double now, const char *what, long long *x,
    long long *y, char **cause)
{
	sql_bind_int(s, 1, item);
	sql_bind_int(s, 2, v);
	sql_bind_text(s, 3, user);
	if (sql_param_count(s) >= 4)
		sql_bind_double(s, 4, now);
	if (sql_step(s) != SQL_ROW)
		return sql_fail(st, cause, what);
	*x = sql_col_int64(s, 0);
	if (y != NULL)
		*y = sql_col_int64(s, 1);
	sql_reset(s);
	return 0;
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
int
queue_relabel_open(struct store *st, const char *user, int k, long long batch,
    const long long *ex, size_t nex, double now, size_t max, long long **out,
    size_t *n, char **cause)
{
	struct sql_stmt *a = NULL, *c = NULL, *l = NULL;
	int rc = SQL_DONE, r = -1;

	*out = NULL;
	*n = 0;
	if (sql_prepare(st, "SELECT a.item, a.guideline FROM adjudications a "
	    "JOIN items i ON i.id = a.item WHERE a.status = 'relabel' AND "
	    "a.id = (SELECT max(id) FROM adjudications b WHERE b.item = "
	    "a.item) AND (?1 = 0 OR i.batch = ?1) ORDER BY a.id", &a,
	    cause) != 0 ||
	    /* sum(CASE ...), not sum(labeler = ?3): PostgreSQL sums no
	     * booleans. */
	    sql_prepare(st, "SELECT count(*), coalesce(sum(CASE WHEN "
	    "labeler = ?3 THEN 1 ELSE 0 END), 0) FROM current_labels WHERE "
	    "item = ?1 AND guideline >= ?2", &c,
	    cause) != 0 ||
	    sql_prepare(st, "SELECT count(*) FROM leases WHERE item = ?1 AND "
	    "\"user\" != ?3 AND expires_at > ?4 AND \"user\" NOT IN (SELECT labeler "
	    "FROM current_labels WHERE item = ?1 AND guideline >= ?2)", &l,
	    cause) != 0)
		goto out;
	sql_bind_int(a, 1, batch);
	while (*n < max && (rc = sql_step(a)) == SQL_ROW) {
		long long item = sql_col_int64(a, 0), have, mine, held;
		int v = sql_col_int(a, 1);

		if (queue_in_sorted(ex, nex, item))
			continue;
		if (relabel_count(st, c, item, v, user, now,
		    "cannot read labels", &have, &mine, cause) != 0)
			goto out;
		if (mine > 0 || have >= k)
			continue;
		if (relabel_count(st, l, item, v, user, now,
		    "cannot read leases", &held, NULL, cause) != 0)
			goto out;
		if (have + held >= k)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = item;
	}
	if (*n < max && rc != SQL_DONE) {
		sql_fail(st, cause, "cannot read adjudications");
		goto out;
	}
	r = 0;
out:
	sql_finalize(st, a);
	sql_finalize(st, c);
	sql_finalize(st, l);
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
int
queue_gold_due(struct store *st, const char *user, const struct scan *sc,
    double now, int *due, char **cause)
{
	struct sql_stmt *s;
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
	if (sql_prepare(st, "SELECT count(*) FROM leases WHERE \"user\" = ? AND "
	    "expires_at > ?", &s, cause) != 0)
		return -1;
	sql_bind_text(s, 1, user);
	sql_bind_double(s, 2, now);
	rc = sql_step(s);
	if (rc == SQL_ROW)
		held = sql_col_int64(s, 0);
	sql_finalize(st, s);
	if (rc != SQL_ROW)
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
int
queue_gold_pick(struct store *st, const char *user, const struct scan *sc,
    long long batch, const long long *ex, size_t nex, long long *item,
    char **cause)
{
	struct sql_stmt *s;
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

		if (queue_in_sorted(ex, nex, id))
			continue;
		sql_bind_int(s, 1, id);
		rc = sql_step(s);
		if (rc != SQL_ROW) {
			sql_finalize(st, s);
			return sql_fail(st, cause, "cannot read labels");
		}
		if (sql_col_int64(s, 0) == 0 && (batch == 0 ||
		    sql_col_int64(s, 1) == batch)) {
			h = user_uniform(0, user, (uint64_t)id);
			if (h < best) {
				best = h;
				*item = id;
			}
		}
		sql_reset(s);
	}
	sql_finalize(st, s);
	return 0;
}
