/*
 * test_queue.c: the labeling queue and label writes: eligibility under
 * overlap k, ordering, leases, label rows and their supersedes chain, undo,
 * history, tags, roles, refusals of bad input, blind labeling, and many
 * processes taking and labeling at once.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accord/project.h"
#include "accord/label.h"
#include "accord/queue.h"
#include "accord/tags.h"
#include "accord/store.h"
#include "accord/util.h"
#include "t.h"
#include "t_store.h"

/* Five OS users that exist on Debian; "nobody" is never made a member. */
static const char *const users[] = { "daemon", "bin", "sys", "sync", "games" };
#define A "daemon"
#define B "bin"
#define C "sys"
#define OUTSIDER "nobody"

/* One text value (malloc'd, "(null)" for NULL, "(none)" for no row). */
static char *
qs(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *v = xstrdup("(error)");

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return v;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		free(v);
		if (sqlite3_step(s) == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(s, 0);

			v = xstrdup(t ? (const char *)t : "(null)");
		} else
			v = xstrdup("(none)");
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

/*
 * Items 1..n (fresh store, so ids are 1..n), alternating between batches
 * b1 (odd ids) and b2 (even ids).
 */
static int
add_items(const char *path, long long n)
{
	char *sql = xasprintf("BEGIN;"
	    "INSERT INTO batches (name, created_by, created_at) VALUES "
	    "('b1', 'root', 'now'), ('b2', 'root', 'now');"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < %lld) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%%064d', x), "
	    "'/data/' || x || '.png', 'image', 'png', 10, 1 + (x + 1) %% 2, "
	    "'root', 'now' FROM n; COMMIT;", n);
	int rc = t_x(path, sql);

	free(sql);
	return rc;
}

/*
 * A project with classes ok(1), scratch(2), dent(3), overlap k, n items,
 * and the five labelers as members; returns the open store or NULL.
 */
static struct store *
setup(const char *path, int k, long long n)
{
	struct project_spec spec = { .task = "defects",
	    .media = MEDIA_KIND_IMAGE, .classes = "ok,scratch,dent",
	    .overlap = k };
	struct store *st = NULL;
	const char *me = acc_os_user();
	char *cause = NULL;
	size_t i;

	if (project_init(path, &spec, "root", &cause) != 0) {
		T_FAIL("project_init: %s", cause);
		free(cause);
		return NULL;
	}
	if (add_items(path, n) != SQLITE_OK ||
	    store_open(path, &st, &cause) != 0) {
		T_FAIL("setup: %s", cause ? cause : "items");
		free(cause);
		return NULL;
	}
	for (i = 0; i < sizeof users / sizeof users[0]; i++)
		if (member_set(st, "root", users[i], ROLE_LABELER,
		    &cause) != 0) {
			T_FAIL("member_set %s: %s", users[i], cause);
			free(cause);
			cause = NULL;
		}
	/* tags_all and queue_item_load check the OS user running us. */
	if (me != NULL && strcmp(me, "root") != 0 &&
	    member_set(st, "root", me, ROLE_LABELER, &cause) != 0) {
		T_FAIL("member_set %s: %s", me, cause);
		free(cause);
	}
	return st;
}

/* queue_take for user; the item id, 0 when nothing is left, -1 on error. */
static long long
take(struct store *st, const char *user, const char *batch,
    const long long *ex, int nex)
{
	struct queue_item it;
	char *cause = NULL;
	long long id;
	int r;

	r = queue_take(st, user, batch, ex, nex, &it, &cause);
	if (r < 0) {
		T_FAIL("queue_take(%s): %s", user, cause);
		free(cause);
		return -1;
	}
	if (r == 0)
		return 0;
	id = it.id;
	queue_item_free(&it);
	return id;
}

static long long
put(struct store *st, const char *user, long long item, int cls)
{
	char *cause = NULL;
	long long id = 0;

	if (label_put(st, user, item, cls, NULL, 1.0, &id, &cause) != 0) {
		T_FAIL("label_put(%s, %lld, %d): %s", user, item, cls, cause);
		free(cause);
		return -1;
	}
	return id;
}

static void
t_take_skips_own_and_full_items(void)
{
	const char *p = t_path("elig.accord");
	struct store *st = setup(p, 2, 4);

	if (st == NULL)
		return;
	put(st, A, 1, 1);
	put(st, B, 1, 2);	/* item 1 now has k = 2 labelers */
	put(st, A, 2, 1);
	/* A: 1 is full and A's, 2 is A's: the first untouched item. */
	T_EQ_INT(take(st, A, NULL, NULL, 0), 3);
	/* B: 2 has one label (A's), nearer to k than 3 and 4. */
	T_EQ_INT(take(st, B, NULL, NULL, 0), 2);
	/* C: 2 has A's label and B's lease (k reached); 3 has A's lease. */
	T_EQ_INT(take(st, C, NULL, NULL, 0), 3);
	/* users[3]: 2 and 3 are full (label+lease, lease+lease). */
	T_EQ_INT(take(st, users[3], NULL, NULL, 0), 4);
	T_EQ_INT(take(st, users[4], NULL, NULL, 0), 4);
	/* Taking again offers the item games already holds (resume). */
	T_EQ_INT(take(st, users[4], NULL, NULL, 0), 4);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM leases"), 5);
	store_close(st);
}

static void
t_take_expired_leases_and_exclusions(void)
{
	const char *p = t_path("expire.accord");
	struct store *st = setup(p, 1, 3);
	long long ex[2];

	if (st == NULL)
		return;
	T_EQ_INT(take(st, A, NULL, NULL, 0), 1);
	T_EQ_INT(take(st, B, NULL, NULL, 0), 2);
	/* A's lease on 1 lapses: it no longer holds the only slot. */
	T_EQ_INT(t_x(p,
	    "UPDATE leases SET expires_at = 1000 WHERE user = 'daemon'"),
	    SQLITE_OK);
	ex[0] = 2;
	T_EQ_INT(take(st, B, NULL, ex, 1), 1);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM leases WHERE user = 'daemon'"), 0);
	ex[1] = 1;
	T_EQ_INT(take(st, B, NULL, ex, 2), 3);
	/* B holds every item: C gets nothing; A (excluding nothing) neither. */
	T_EQ_INT(take(st, C, NULL, NULL, 0), 0);
	T_EQ_INT(take(st, A, NULL, NULL, 0), 0);
	/* B itself is offered its own leased items again (resume). */
	T_EQ_INT(take(st, B, NULL, NULL, 0), 1);
	store_close(st);
}

static void
t_take_batch_filter(void)
{
	const char *p = t_path("batch.accord");
	struct store *st = setup(p, 1, 6);
	struct queue_item it;
	char *cause = NULL;
	long long ex[1] = { 2 };

	if (st == NULL)
		return;
	T_EQ_INT(take(st, A, "b2", NULL, 0), 2);
	T_EQ_INT(take(st, A, "b2", ex, 1), 4);
	T_EQ_INT(take(st, B, "b1", NULL, 0), 1);
	put(st, C, 3, 1);
	T_EQ_INT(take(st, B, "b1", ex, 0), 1);
	{
		long long ex2[1] = { 1 };

		T_EQ_INT(take(st, B, "b1", ex2, 1), 5);
	}
	T_CHECK(queue_take(st, A, "no-such-batch", NULL, 0, &it, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "no-such-batch") != NULL);
	free(cause);
	store_close(st);
}

static void
t_order_nearer_to_k_then_id(void)
{
	const char *p = t_path("order.accord");
	struct store *st = setup(p, 3, 6);
	long long ex[6];
	char *cause = NULL;

	if (st == NULL)
		return;
	put(st, B, 5, 1);
	put(st, C, 5, 2);
	put(st, B, 4, 1);
	put(st, C, 4, 3);
	put(st, B, 2, 2);
	put(st, B, 2, 3);	/* a relabel is still one labeler */
	/* 6: a label and a withdrawal: no slot taken, competes by id. */
	put(st, B, 6, 2);
	T_CHECK(label_put(st, B, 6, 0, NULL, -1, NULL, &cause) == 0);
	free(cause);
	ex[0] = take(st, A, NULL, NULL, 0);
	T_EQ_INT(ex[0], 4);	/* two labels, lower id than 5 */
	ex[1] = take(st, A, NULL, ex, 1);
	T_EQ_INT(ex[1], 5);
	ex[2] = take(st, A, NULL, ex, 2);
	T_EQ_INT(ex[2], 2);	/* one label */
	ex[3] = take(st, A, NULL, ex, 3);
	T_EQ_INT(ex[3], 1);	/* untouched, by id */
	ex[4] = take(st, A, NULL, ex, 4);
	T_EQ_INT(ex[4], 3);
	ex[5] = take(st, A, NULL, ex, 5);
	T_EQ_INT(ex[5], 6);	/* withdrawn: like untouched */
	T_EQ_INT(take(st, A, NULL, ex, 6), 0);
	store_close(st);
}

static void
t_lease_renew_and_release(void)
{
	const char *p = t_path("lease.accord");
	struct store *st = setup(p, 1, 2);
	char *cause = NULL;
	long long now = (long long)time(NULL);
	char *sql;

	if (st == NULL)
		return;
	T_EQ_INT(take(st, A, NULL, NULL, 0), 1);
	sql = xasprintf("SELECT expires_at BETWEEN %lld AND %lld FROM leases "
	    "WHERE item = 1 AND user = 'daemon'", now + QUEUE_LEASE_SECONDS - 2,
	    now + QUEUE_LEASE_SECONDS + 2);
	T_EQ_INT(t_q(p, sql), 1);
	/* Nearly expired; renewing pushes it a full lease ahead again. */
	T_EQ_INT(t_x(p, "UPDATE leases SET expires_at = expires_at - 290"),
	    SQLITE_OK);
	T_EQ_INT(t_q(p, sql), 0);
	T_CHECK(queue_renew(st, A, 1, &cause) == 0);
	T_EQ_INT(t_q(p, sql), 1);
	/* A lease that lapsed and was deleted is written again. */
	T_EQ_INT(t_x(p, "DELETE FROM leases"), SQLITE_OK);
	T_CHECK(queue_renew(st, A, 1, &cause) == 0);
	T_EQ_INT(t_q(p, sql), 1);
	T_EQ_INT(take(st, B, NULL, NULL, 0), 2);
	/* Releasing someone else's item does nothing to their lease. */
	T_CHECK(queue_release(st, A, 2, &cause) == 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM leases WHERE item = 2"), 1);
	T_CHECK(queue_release(st, A, 1, &cause) == 0);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM leases WHERE user = 'daemon'"), 0);
	/* Released: item 1 is free for B again. */
	T_EQ_INT(take(st, B, NULL, NULL, 0), 1);
	T_CHECK(queue_renew(st, A, 99, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(queue_renew(st, OUTSIDER, 1, &cause) == -1);
	free(cause);
	free(sql);
	store_close(st);
}

static void
t_label_put_writes_the_row(void)
{
	const char *p = t_path("put.accord");
	struct store *st = setup(p, 2, 2);
	char *cause = NULL, *s, *note = NULL;
	long long id1 = 0, id2 = 0;
	int cls = 0;

	if (st == NULL)
		return;
	T_EQ_INT(t_x(p,
	    "INSERT INTO guidelines VALUES (2, 'v2', 'root', 'now', "
	    "'dents vs scratches')"), SQLITE_OK);
	T_EQ_INT(take(st, A, NULL, NULL, 0), 1);
	T_CHECK(label_put(st, A, 1, 2, "faint line", 4.5, &id1, &cause) == 0);
	T_CHECK(id1 > 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM leases"), 0);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM labels WHERE id = (SELECT max(id) "
	    "FROM labels) AND item = 1 AND labeler = 'daemon' AND class = 2 AND "
	    "note = 'faint line' AND guideline = 2 AND seconds_spent = 4.5 AND "
	    "supersedes IS NULL AND origin = 'screen' AND label_import IS NULL "
	    "AND recorded_by = 'daemon'"), 1);
	s = qs(p, "SELECT created_at FROM labels");
	T_CHECK(strlen(s) == 24 && s[4] == '-' && s[10] == 'T' && s[23] == 'Z');
	free(s);
	/* A relabel supersedes; seconds < 0 is not recorded. */
	T_CHECK(label_put(st, A, 1, 3, NULL, -1, &id2, &cause) == 0);
	T_EQ_INT(t_q(p, "SELECT supersedes FROM labels WHERE id = (SELECT "
	    "max(id) FROM labels)"), id1);
	T_EQ_INT(t_q(p,
	    "SELECT seconds_spent IS NULL AND note = '' FROM labels "
	    "WHERE id = (SELECT max(id) FROM labels)"), 1);
	T_EQ_INT(t_q(p, "SELECT max(id) FROM labels"), id2);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM current_labels"), 1);
	T_CHECK(label_mine(st, A, 1, &cls, &note, &cause) == 0);
	T_EQ_INT(cls, 3);
	T_EQ_STR(note, "");
	free(note);
	/* B's row on the same item does not chain to A's. */
	put(st, B, 1, 1);
	T_EQ_INT(t_q(p, "SELECT supersedes IS NULL FROM labels WHERE labeler = "
	    "'bin'"), 1);
	T_CHECK(label_put(st, A, 99, 1, NULL, 1, NULL, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "no item 99") != NULL);
	free(cause);
	store_close(st);
}

static void
t_withdraw_and_undo(void)
{
	const char *p = t_path("undo.accord");
	struct store *st = setup(p, 2, 4);
	char *cause = NULL;
	long long item = -1;
	long long *h = NULL;
	int n = -1;

	if (st == NULL)
		return;
	put(st, A, 1, 1);
	put(st, A, 2, 2);
	put(st, A, 3, 1);
	put(st, B, 3, 2);
	/* Withdraw via class 0. */
	T_CHECK(label_put(st, A, 2, 0, NULL, -1, NULL, &cause) == 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM current_labels WHERE labeler = "
	    "'daemon'"), 2);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM current_labels WHERE item = 2"), 0);
	T_EQ_INT(t_q(p, "SELECT class IS NULL FROM labels WHERE id = (SELECT "
	    "max(id) FROM labels)"), 1);
	T_CHECK(label_put(st, A, 2, 0, NULL, -1, NULL, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "to withdraw") != NULL);
	free(cause);
	cause = NULL;
	T_CHECK(label_put(st, A, 4, 0, NULL, -1, NULL, &cause) == -1);
	free(cause);
	cause = NULL;
	/* Undo walks back: 3, then 1 (2 is already withdrawn), then none. */
	T_CHECK(label_undo(st, A, &item, &cause) == 0);
	T_EQ_INT(item, 3);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM current_labels WHERE item = 3"), 1);
	T_CHECK(label_undo(st, A, &item, &cause) == 0);
	T_EQ_INT(item, 1);
	T_CHECK(label_undo(st, A, &item, &cause) == 0);
	T_EQ_INT(item, 0);
	/* Nothing deleted: 4 labels, 1 withdrawal, 2 undos. */
	T_EQ_INT(t_q(p, "SELECT count(*) FROM labels"), 7);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM labels l WHERE class IS NULL AND "
	    "supersedes = (SELECT max(id) FROM labels m WHERE m.item = l.item "
	    "AND m.labeler = l.labeler AND m.id < l.id)"), 3);
	T_CHECK(label_history(st, A, &h, &n, &cause) == 0);
	T_EQ_INT(n, 0);
	free(h);
	/* B's label was never touched by A's undos. */
	T_EQ_INT(t_q(p, "SELECT count(*) FROM current_labels"), 1);
	store_close(st);
}

static void
t_history_in_label_order(void)
{
	const char *p = t_path("hist.accord");
	struct store *st = setup(p, 2, 4);
	char *cause = NULL;
	long long *h = NULL;
	int n = 0;

	if (st == NULL)
		return;
	put(st, A, 3, 1);
	put(st, A, 1, 1);
	put(st, A, 2, 2);
	put(st, A, 3, 2);	/* relabel: 3 is now the most recent */
	put(st, B, 4, 1);	/* not A's */
	T_CHECK(label_history(st, A, &h, &n, &cause) == 0);
	T_EQ_INT(n, 3);
	if (n == 3) {
		T_EQ_INT(h[0], 1);
		T_EQ_INT(h[1], 2);
		T_EQ_INT(h[2], 3);
	}
	free(h);
	T_CHECK(label_put(st, A, 2, 0, NULL, -1, NULL, &cause) == 0);
	T_CHECK(label_history(st, A, &h, &n, &cause) == 0);
	T_EQ_INT(n, 2);
	if (n == 2) {
		T_EQ_INT(h[0], 1);
		T_EQ_INT(h[1], 3);
	}
	free(h);
	store_close(st);
}

static void
t_tags_set_replace_remove(void)
{
	const char *p = t_path("tags.accord");
	struct store *st = setup(p, 2, 2);
	const char *t1[] = { "blurry", " car_noise " };
	const char *t2[] = { "car_noise", "glare", "glare" };
	const char *tb[] = { "zzz" };
	static const char *const bad[] = { "a,b", "  ", "x\ty", "\x1b[2J",
	    "\xff", ("12345678901234567890123456789012345678901234567890"
	    "123456789012345") };
	char **tags = NULL, *cause = NULL;
	int n = 0;
	size_t i;

	if (st == NULL)
		return;
	T_CHECK(tags_set(st, A, 1, t1, 2, &cause) == 0);
	T_CHECK(tags_mine(st, A, 1, &tags, &n, &cause) == 0);
	T_EQ_INT(n, 2);
	if (n == 2) {
		T_EQ_STR(tags[0], "blurry");
		T_EQ_STR(tags[1], "car_noise");
	}
	tags_free(tags, n);
	T_CHECK(tags_set(st, A, 1, t2, 3, &cause) == 0);
	T_CHECK(tags_mine(st, A, 1, &tags, &n, &cause) == 0);
	T_EQ_INT(n, 2);
	if (n == 2) {
		T_EQ_STR(tags[0], "car_noise");
		T_EQ_STR(tags[1], "glare");
	}
	tags_free(tags, n);
	/* History: blurry, car_noise, glare added; blurry removed. */
	T_EQ_INT(t_q(p, "SELECT count(*) FROM tags"), 4);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM tags WHERE tag = 'blurry' AND "
	    "removed = 1"), 1);
	/* Setting the same set again adds nothing. */
	T_CHECK(tags_set(st, A, 1, t2, 2, &cause) == 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM tags"), 4);
	T_CHECK(tags_set(st, B, 2, tb, 1, &cause) == 0);
	/* Completion offers tags in force anywhere, not removed ones. */
	T_CHECK(tags_all(st, &tags, &n, &cause) == 0);
	T_EQ_INT(n, 3);
	if (n == 3) {
		T_EQ_STR(tags[0], "car_noise");
		T_EQ_STR(tags[1], "glare");
		T_EQ_STR(tags[2], "zzz");
	}
	tags_free(tags, n);
	/* B's tags are not A's. */
	T_CHECK(tags_mine(st, A, 2, &tags, &n, &cause) == 0);
	T_EQ_INT(n, 0);
	tags_free(tags, n);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *one[1] = { bad[i] };

		if (tags_set(st, A, 1, one, 1, &cause) == 0)
			T_FAIL("bad tag %zu accepted", i);
		free(cause);
		cause = NULL;
	}
	/* Removing every tag. */
	T_CHECK(tags_set(st, A, 1, NULL, 0, &cause) == 0);
	T_CHECK(tags_mine(st, A, 1, &tags, &n, &cause) == 0);
	T_EQ_INT(n, 0);
	tags_free(tags, n);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM tags"), 7);
	store_close(st);
}

static void
t_non_member_refused_and_audited(void)
{
	const char *p = t_path("role.accord");
	struct store *st = setup(p, 2, 2);
	struct queue_item it;
	char *cause = NULL;
	long long done, rem, *h;
	char *note;
	int n, cls;
	const char *one[1] = { "x" };

	if (st == NULL)
		return;
	T_CHECK(queue_take(st, OUTSIDER, NULL, NULL, 0, &it, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "not a member") != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM audit WHERE action = 'refused' AND "
	    "user = 'nobody' AND detail LIKE 'labeling%'"), 1);
	T_CHECK(label_put(st, OUTSIDER, 1, 1, NULL, 1, NULL, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(label_mine(st, OUTSIDER, 1, &cls, &note, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(label_history(st, OUTSIDER, &h, &n, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(tags_set(st, OUTSIDER, 1, one, 1, &cause) == -1);
	free(cause);
	cause = NULL;
	T_CHECK(queue_progress(st, OUTSIDER, NULL, &done, &rem, &cause) == -1);
	free(cause);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM labels"), 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM leases"), 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM tags"), 0);
	T_EQ_INT(t_q(p,
	    "SELECT count(*) FROM audit WHERE action = 'refused' AND "
	    "user = 'nobody'"), 6);
	store_close(st);
}

static void
t_bad_class_and_note_refused(void)
{
	const char *p = t_path("bad.accord");
	struct store *st = setup(p, 2, 2);
	static const struct {
		int cls;
		const char *note, *why;
	} bad[] = {
		{ 99, NULL, "not a class" },
		{ -1, NULL, "not a class" },
		{ 1, "two\nlines", "control" },
		{ 1, "tab\there", "control" },
		{ 1, "\x1b[31mred", "control" },
		{ 1, "del\x7f", "control" },
		{ 1, "c1 \xc2\x9b", "control" },
		{ 1, "latin1 \xe9t\xe9", "UTF-8" },
		{ 1, "overlong \xc0\xaf", "UTF-8" },
		{ 1, "surrogate \xed\xa0\x80", "UTF-8" },
		{ 1, "cut \xe6\x97", "UTF-8" },
	};
	const char *good = "ça — 日本 🙂 \"quoted\" 'x'";
	char *cause = NULL, *s, *note = NULL;
	size_t i;
	int cls = 0;

	if (st == NULL)
		return;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (label_put(st, A, 1, bad[i].cls, bad[i].note, 1, NULL,
		    &cause) == 0)
			T_FAIL("case %zu accepted", i);
		else if (cause == NULL || strstr(cause, bad[i].why) == NULL)
			T_FAIL("case %zu: '%s' lacks '%s'", i, cause ? cause : "",
			    bad[i].why);
		free(cause);
		cause = NULL;
	}
	T_EQ_INT(t_q(p, "SELECT count(*) FROM labels"), 0);
	T_CHECK(label_put(st, A, 1, 2, good, 1, NULL, &cause) == 0);
	s = qs(p, "SELECT note FROM labels");
	T_EQ_STR(s, good);
	free(s);
	T_CHECK(label_mine(st, A, 1, &cls, &note, &cause) == 0);
	T_EQ_INT(cls, 2);
	T_EQ_STR(note, good);
	free(note);
	store_close(st);
}

static void
t_blind_to_other_labelers(void)
{
	const char *p = t_path("blind.accord");
	struct store *st = setup(p, 2, 3);
	struct queue_item it;
	char *cause = NULL, *note = (char *)"sentinel";
	const char *btags[1] = { "secret-tag" };
	long long *h = NULL, done = -1, rem = -1;
	char **tags = NULL;
	int cls = -1, n = -1, i;

	if (st == NULL)
		return;
	T_CHECK(label_put(st, B, 1, 3, "secret-note", 2, NULL, &cause) == 0);
	T_CHECK(tags_set(st, B, 1, btags, 1, &cause) == 0);
	T_CHECK(label_mine(st, A, 1, &cls, &note, &cause) == 0);
	T_EQ_INT(cls, 0);
	T_CHECK(note == NULL);
	T_CHECK(label_history(st, A, &h, &n, &cause) == 0);
	T_EQ_INT(n, 0);
	free(h);
	T_CHECK(tags_mine(st, A, 1, &tags, &n, &cause) == 0);
	T_EQ_INT(n, 0);
	tags_free(tags, n);
	T_CHECK(queue_progress(st, A, NULL, &done, &rem, &cause) == 0);
	T_EQ_INT(done, 0);
	T_EQ_INT(rem, 3);
	/* A is offered item 1 (nearer to k) and sees only the item. */
	T_EQ_INT(queue_take(st, A, NULL, NULL, 0, &it, &cause), 1);
	T_EQ_INT(it.id, 1);
	for (i = 0; i < it.nmeta; i++)
		if (strstr(it.meta[i].value, "secret") != NULL ||
		    strstr(it.meta[i].key, "secret") != NULL)
			T_FAIL("metadata shows B's work");
	queue_item_free(&it);
	T_CHECK(queue_item_load(st, 1, &it, &cause) == 0);
	T_EQ_INT(it.nmeta, 0);
	queue_item_free(&it);
	store_close(st);
}

static void
t_item_load_and_metadata(void)
{
	const char *p = t_path("load.accord");
	struct store *st = setup(p, 1, 2);
	struct queue_item it;
	char *cause = NULL;

	if (st == NULL)
		return;
	T_EQ_INT(t_x(p, "INSERT INTO item_meta (item, key, value, source, "
	    "created_at) VALUES (1, 'sharpness', 0.123456, 'metric', 'now'), "
	    "(1, 'line', '007', 'csv:a', 'now'), (1, 'line', '008', 'csv:b', "
	    "'now'), (1, 'width_px', 1920, 'csv:a', 'now'), "
	    "(1, 'rms_db', -23.45678, 'metric', 'now'), "
	    "(2, 'line', '999', 'csv:a', 'now')"), SQLITE_OK);
	T_CHECK(queue_item_load(st, 1, &it, &cause) == 0);
	T_EQ_INT(it.id, 1);
	T_EQ_STR(it.path, "/data/1.png");
	T_EQ_STR(it.kind, "image");
	T_CHECK(it.sha256 != NULL && strlen(it.sha256) == 64);
	T_EQ_INT(it.nmeta, 4);
	if (it.nmeta == 4) {
		T_EQ_STR(it.meta[0].key, "line");
		T_EQ_STR(it.meta[0].value, "008");	/* newest, as text */
		T_EQ_STR(it.meta[1].key, "rms_db");
		T_EQ_STR(it.meta[1].value, "-23.46");
		T_EQ_STR(it.meta[2].key, "sharpness");
		T_EQ_STR(it.meta[2].value, "0.1235");
		T_EQ_STR(it.meta[3].value, "1920");
	}
	queue_item_free(&it);
	T_CHECK(queue_item_load(st, 42, &it, &cause) == -1);
	T_CHECK(cause != NULL && strstr(cause, "no item 42") != NULL);
	free(cause);
	store_close(st);
}

static void
t_progress_counts(void)
{
	const char *p = t_path("progress.accord");
	struct store *st = setup(p, 1, 4);
	char *cause = NULL;
	long long done = -1, rem = -1;

	if (st == NULL)
		return;
	put(st, A, 1, 1);
	T_EQ_INT(take(st, B, NULL, NULL, 0), 2);	/* B holds 2 */
	T_CHECK(queue_progress(st, A, NULL, &done, &rem, &cause) == 0);
	T_EQ_INT(done, 1);
	T_EQ_INT(rem, 2);
	T_CHECK(queue_progress(st, A, "b1", &done, &rem, &cause) == 0);
	T_EQ_INT(done, 1);
	T_EQ_INT(rem, 1);
	T_CHECK(queue_progress(st, A, "b2", &done, &rem, &cause) == 0);
	T_EQ_INT(done, 0);
	T_EQ_INT(rem, 1);
	/* B's own lease still counts as available to B. */
	T_CHECK(queue_progress(st, B, NULL, &done, &rem, &cause) == 0);
	T_EQ_INT(done, 0);
	T_EQ_INT(rem, 3);
	store_close(st);
}

/*
 * Ten processes, two per OS user, released together, each taking and
 * labeling until the queue is empty.  No item may end with more than k
 * labelers, every item must reach k, and every take must end in a row.
 */
static void
concurrent(int k)
{
	enum { NPROC = 10, NITEMS = 40 };
	char name[32], *logs[NPROC], *path;
	const char *p;
	struct store *st;
	int gate[2], ready[2], i, status = 0;
	pid_t pids[NPROC];
	long long takes = 0, per_user[5] = { 0 };

	snprintf(name, sizeof name, "conc%d.accord", k);
	/* t_path() recycles its buffers: keep our own copy of the path. */
	p = path = xstrdup(t_path(name));
	if ((st = setup(p, k, NITEMS)) == NULL) {
		free(path);
		return;
	}
	/* No connection may cross fork(). */
	store_close(st);
	if (pipe(gate) != 0 || pipe(ready) != 0) {
		T_FAIL("pipe");
		free(path);
		return;
	}
	fflush(NULL);
	for (i = 0; i < NPROC; i++) {
		char lname[32];

		snprintf(lname, sizeof lname, "conc%d.%d.log", k, i);
		logs[i] = xstrdup(t_path(lname));
		if ((pids[i] = fork()) == 0) {
			const char *user = users[i % 5];
			struct queue_item it;
			char *cause = NULL, c;
			FILE *log;
			int r;

			close(gate[1]);
			close(ready[0]);
			if ((log = fopen(logs[i], "w")) == NULL)
				_exit(2);
			c = '1';
			if (write(ready[1], &c, 1) != 1)
				_exit(8);
			/* EOF arrives in every child at once; all of them then
			 * open the store and race for items together. */
			if (read(gate[0], &c, 1) != 0)
				_exit(9);
			if (store_open(p, &st, &cause) != 0) {
				fprintf(log, "error store_open: %s\n", cause);
				fclose(log);
				_exit(2);
			}
			while ((r = queue_take(st, user, NULL, NULL, 0, &it,
			    &cause)) == 1) {
				if (label_put(st, user, it.id, 1 + (int)(it.id % 3),
				    NULL, 0.5, NULL, &cause) != 0) {
					fprintf(log, "error %s\n", cause);
					fclose(log);
					_exit(3);
				}
				fprintf(log, "%lld\n", it.id);
				queue_item_free(&it);
			}
			if (r < 0)
				fprintf(log, "error %s\n", cause);
			fclose(log);
			store_close(st);
			_exit(r < 0 ? 4 : 0);
		}
	}
	for (i = 0; i < NPROC; i++) {
		char c;

		if (pids[i] > 0 && (read(ready[0], &c, 1) != 1 || c != '1'))
			T_FAIL("child %d did not start", i);
	}
	close(ready[0]);
	close(ready[1]);
	close(gate[0]);
	close(gate[1]);
	for (i = 0; i < NPROC; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			T_FAIL("child %d failed (status %d)", i, status);
	}
	for (i = 0; i < NPROC; i++) {
		FILE *f = fopen(logs[i], "r");
		char line[512];

		while (f != NULL && fgets(line, sizeof line, f) != NULL) {
			char *sql;

			if (strncmp(line, "error", 5) == 0) {
				fprintf(stderr, "# child %d: %s", i, line);
				T_FAIL("child %d: %s", i, line);
				continue;
			}
			takes++;
			per_user[i % 5]++;
			sql = xasprintf("SELECT count(*) FROM labels WHERE "
			    "item = %lld AND labeler = '%s'", atoll(line),
			    users[i % 5]);
			if (t_q(p, sql) < 1)
				T_FAIL("take of %s by %s has no label", line,
				    users[i % 5]);
			free(sql);
		}
		if (f != NULL)
			fclose(f);
		unlink(logs[i]);
		free(logs[i]);
	}
	/* Nothing lost: one row per take, per user. */
	T_EQ_INT(t_q(p, "SELECT count(*) FROM labels"), takes);
	for (i = 0; i < 5; i++) {
		char *sql = xasprintf("SELECT count(*) FROM labels WHERE "
		    "labeler = '%s'", users[i]);

		T_EQ_INT(t_q(p, sql), per_user[i]);
		free(sql);
	}
	/* Never past k, and every item got its k labelers. */
	T_CHECK(t_q(p, "SELECT max(n) FROM (SELECT count(*) AS n FROM "
	    "current_labels GROUP BY item)") <= k);
	{
		char *sql = xasprintf("SELECT count(*) FROM items i WHERE "
		    "(SELECT count(*) FROM current_labels c WHERE "
		    "c.item = i.id) != %d", k);

		T_EQ_INT(t_q(p, sql), 0);
		free(sql);
	}
	T_EQ_INT(t_q(p, "SELECT count(*) FROM leases"), 0);
	fprintf(stderr, "# k=%d: %lld takes by %d processes, %lld label rows\n",
	    k, takes, NPROC, t_q(p, "SELECT count(*) FROM labels"));
	free(path);
}

static void
t_concurrent_labelers_k1(void)
{
	concurrent(1);
}

static void
t_concurrent_labelers_k3(void)
{
	concurrent(3);
}

static double
ms_since(double t0)
{
	return (acc_monotonic() - t0) * 1000;
}

/* Not an assertion: how long a take costs on a large store. */
static void
t_timing_200k_items(void)
{
	const char *p = t_path("big.accord");
	struct store *st = setup(p, 3, 200000);
	long long done, rem;
	char *cause = NULL;
	double t0;

	if (st == NULL)
		return;
	t0 = acc_monotonic();
	T_EQ_INT(take(st, A, NULL, NULL, 0), 1);
	fprintf(stderr, "# queue_take, 200000 items, no labels: %.1f ms\n",
	    ms_since(t0));
	/* Items 1..100000 done by three labelers, 100001..101000 have one. */
	T_EQ_INT(t_x(p, "BEGIN;"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < 100000) INSERT INTO labels (item, labeler, class, "
	    "guideline, created_at, origin, recorded_by) SELECT x, u, 1, 1, "
	    "'now', 'screen', u FROM n, (SELECT 'l1' AS u UNION ALL SELECT "
	    "'l2' UNION ALL SELECT 'l3') ORDER BY x, u;"
	    "WITH RECURSIVE n(x) AS (SELECT 100001 UNION ALL SELECT x + 1 "
	    "FROM n WHERE x < 101000) INSERT INTO labels (item, labeler, "
	    "class, guideline, created_at, origin, recorded_by) SELECT x, "
	    "'l1', 1, 1, 'now', 'screen', 'l1' FROM n; COMMIT;"), SQLITE_OK);
	t0 = acc_monotonic();
	T_EQ_INT(take(st, B, NULL, NULL, 0), 100001);
	fprintf(stderr, "# queue_take, 200000 items, 301000 labels: %.1f ms\n",
	    ms_since(t0));
	t0 = acc_monotonic();
	T_EQ_INT(take(st, B, "b2", NULL, 0), 100002);
	fprintf(stderr, "# queue_take, same, batch b2: %.1f ms\n",
	    ms_since(t0));
	/* Partial items all taken: the first untouched one, past 101000. */
	T_EQ_INT(t_x(p,
	    "WITH RECURSIVE n(x) AS (SELECT 100001 UNION ALL SELECT "
	    "x + 1 FROM n WHERE x < 101000) INSERT INTO labels (item, labeler, "
	    "class, guideline, created_at, origin, recorded_by) SELECT x, "
	    "'sys', 1, 1, 'now', 'screen', 'sys' FROM n"), SQLITE_OK);
	t0 = acc_monotonic();
	T_EQ_INT(take(st, C, NULL, NULL, 0), 101001);
	fprintf(stderr, "# queue_take, 200000 items, 302000 labels, only "
	    "untouched left for the user: %.1f ms\n", ms_since(t0));
	t0 = acc_monotonic();
	T_CHECK(queue_progress(st, C, NULL, &done, &rem, &cause) == 0);
	fprintf(stderr, "# queue_progress, same: %.1f ms\n", ms_since(t0));
	T_EQ_INT(done, 1000);
	/* Only untouched items are open to C; its own lease does not count. */
	T_EQ_INT(rem, 200000 - 101000);
	store_close(st);
}

/*
 * The randomized model test.  The reference queue is the rule written
 * once more, plainly, in SQL over current_labels and leases (not the
 * counts the queue keeps): items not gold, in the batch, not excluded,
 * that user has no label in force on, with labelers in force plus other
 * users' live leases not among them below k; nearer to k first, then by
 * id.  mode 0: the next item's id (0: none); 1: how many there are.
 */
static long long
ref_queue(const char *p, const char *user, const char *batch,
    const long long *ex, int nex, int k, int mode)
{
	char exs[256] = "0", *sql, *v;
	long long r;
	int i, o = 1;

	for (i = 0; i < nex; i++)
		o += snprintf(exs + o, sizeof exs - (size_t)o, ",%lld", ex[i]);
	sql = xasprintf("WITH cl AS (SELECT item, labeler FROM current_labels), "
	    "g AS (SELECT g.item FROM gold g WHERE g.class IS NOT NULL AND "
	    "g.id = (SELECT max(id) FROM gold h WHERE h.item = g.item)), "
	    "q AS (SELECT i.id, (SELECT count(*) FROM cl WHERE cl.item = i.id) "
	    "+ (SELECT count(*) FROM leases l WHERE l.item = i.id AND l.user "
	    "!= '%s' AND l.expires_at > unixepoch() AND l.user NOT IN (SELECT "
	    "labeler FROM cl WHERE cl.item = i.id)) AS taken FROM items i "
	    "WHERE ('%s' = '' OR i.batch = (SELECT id FROM batches WHERE name "
	    "= '%s')) AND i.id NOT IN (SELECT item FROM g) AND i.id NOT IN "
	    "(%s) AND i.id NOT IN (SELECT item FROM cl WHERE labeler = '%s')) "
	    "SELECT %s FROM q WHERE taken < %d %s", user,
	    batch ? batch : "", batch ? batch : "", exs, user,
	    mode == 0 ? "coalesce(max(id), 0)" : "count(*)", k,
	    mode == 0 ? "AND id = (SELECT id FROM q WHERE taken < "
	    "(SELECT %d) ORDER BY taken DESC, id LIMIT 1)" : "");
	if (mode == 0) {
		char *t = xasprintf(sql, k);

		free(sql);
		sql = t;
	}
	v = qs(p, sql);
	r = strtoll(v, NULL, 10);
	free(v);
	free(sql);
	return r;
}

/* splitmix64, for the model test's choices. */
static unsigned long long
model_rand(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One random take by one labeler against the reference; 0 on a match. */
static int
model_take(struct store *st, const char *p, int k, unsigned long long *rs,
    long long *last)
{
	static const char *const batches[] = { NULL, NULL, NULL, "b1", "b2" };
	int u = (int)(model_rand(rs) % 5), nex = 0, i;
	const char *batch = batches[model_rand(rs) % 5];
	long long ex[3], want, got, cls;
	char *cause = NULL;

	for (i = 0; i < 3; i++)
		if (last[u * 3 + i] > 0 && model_rand(rs) % 3 == 0)
			ex[nex++] = last[u * 3 + i];
	want = ref_queue(p, users[u], batch, ex, nex, k, 0);
	got = take(st, users[u], batch, ex, nex);
	if (got != want) {
		T_FAIL("%s (batch %s, %d excluded) got %lld, the reference "
		    "queue %lld", users[u], batch ? batch : "any", nex, got,
		    want);
		return -1;
	}
	if (got <= 0)
		return 0;
	memmove(last + u * 3 + 1, last + u * 3, 2 * sizeof *last);
	last[u * 3] = got;
	switch (model_rand(rs) % 10) {
	case 0:		/* skipped: the lease goes */
		if (queue_release(st, users[u], got, &cause) != 0)
			T_FAIL("queue_release: %s", cause);
		break;
	case 1:		/* walked away: the lease lapses */
		cause = xasprintf("UPDATE leases SET expires_at = 1000 WHERE "
		    "item = %lld", got);
		T_EQ_INT(t_x(p, cause), SQLITE_OK);
		break;
	case 2:		/* left on screen: the lease stays */
		break;
	default:
		put(st, users[u], got, 1 + (int)(model_rand(rs) % 3));
	}
	free(cause);
	cause = NULL;
	/* Now and then an older label changes: relabeled or withdrawn. */
	if (model_rand(rs) % 8 == 0 && last[u * 3 + 2] > 0) {
		int mine = 0;
		char *note = NULL;

		if (label_mine(st, users[u], last[u * 3 + 2], &mine, &note,
		    &cause) != 0)
			T_FAIL("label_mine: %s", cause);
		free(note);
		free(cause);
		/* Only one's own label: labeling an item whose lease lapsed
		 * may pass k, as the screen allows (queue_renew). */
		cls = (long long)(model_rand(rs) % 4);	/* 0: withdraw */
		if (mine != 0)
			put(st, users[u], last[u * 3 + 2], (int)cls);
	}
	return 0;
}

/* Progress for every labeler and batch against the reference count. */
static void
model_progress(struct store *st, const char *p, int k)
{
	static const char *const batches[] = { NULL, "b1", "b2" };
	long long done, rem;
	char *cause = NULL, *sql, *v;
	size_t u, b;

	for (u = 0; u < 5; u++)
		for (b = 0; b < 3; b++) {
			if (queue_progress(st, users[u], batches[b], &done,
			    &rem, &cause) != 0) {
				T_FAIL("queue_progress: %s", cause);
				free(cause);
				return;
			}
			T_EQ_INT(rem, ref_queue(p, users[u], batches[b], NULL,
			    0, k, 1));
			sql = xasprintf("SELECT count(*) FROM current_labels c "
			    "JOIN items i ON i.id = c.item JOIN batches b ON "
			    "b.id = i.batch WHERE c.labeler = '%s' AND ('%s' = "
			    "'' OR b.name = '%s')", users[u], batches[b] ?
			    batches[b] : "", batches[b] ? batches[b] : "");
			v = qs(p, sql);
			T_EQ_INT(done, strtoll(v, NULL, 10));
			free(v);
			free(sql);
		}
}

/* store_check finds each of the queue's counts changed by hand, and the
 * store is whole again once the change is undone. */
static void
model_check_breaks(struct store *st, const char *p)
{
	static const struct {
		const char *table, *col, *where;
	} b[] = {
		{ "item_labelers", "batch", "item = 7" },	/* n: its trigger */
		{ "queue_levels", "items", "n = 3" },
		{ "labeler_levels", "items", "labeler = 'bin' AND n = 3" },
		{ "labeler_rows", "rows", "labeler = 'sys'" },
	};
	char *cause = NULL, *sql;
	size_t i;
	int d;

	for (i = 0; i < sizeof b / sizeof b[0]; i++)
		for (d = 1; d >= -1; d -= 2) {
			sql = xasprintf("UPDATE %s SET %s = %s + %d WHERE %s",
			    b[i].table, b[i].col, b[i].col, d, b[i].where);
			T_EQ_INT(t_x(p, sql), SQLITE_OK);
			free(sql);
			if (d == 1) {
				T_CHECK(store_check(st, &cause) == -1);
				T_CHECK(cause != NULL && strncmp(cause,
				    b[i].table, strlen(b[i].table)) == 0);
			} else if (store_check(st, &cause) != 0)
				T_FAIL("%s restored: %s", b[i].table, cause);
			free(cause);
			cause = NULL;
		}
}

/*
 * Five labelers take, label, withdraw, relabel, skip and walk away in a
 * random order (fixed seed) on 150 items with k = 3 and gold items in the
 * store; every take must be the reference queue's, and progress its count.
 * Then everyone labels until the queue is empty: every item but the gold
 * ones ends with exactly k labels in force, and accord check's comparison
 * of the queue's counts with the labels finds nothing.
 */
static void
t_model_random_order(void)
{
	const char *p = t_path("model.accord");
	const int k = 3;
	struct store *st = setup(p, k, 150);
	unsigned long long rs = 20261202;
	long long last[15] = { 0 }, got;
	char *cause = NULL;
	int step, u, idle;

	if (st == NULL)
		return;
	T_EQ_INT(t_x(p, "INSERT INTO gold (item, class, user, created_at) "
	    "VALUES (5, 1, 'root', 'now'), (50, 2, 'root', 'now'), "
	    "(77, 1, 'root', 'now'), (77, NULL, 'root', 'now');"
	    /* Gold mixing is guideline_gold.sh's: here gold is only never
	     * offered by the overlap rule. */
	    "INSERT INTO settings (key, value, set_by, set_at) VALUES "
	    "('gold-rate', '0', 'root', 'now')"), SQLITE_OK);
	for (step = 0; step < 800; step++) {
		if (model_take(st, p, k, &rs, last) != 0)
			break;
		if (step % 200 == 0)
			model_progress(st, p, k);
	}
	model_progress(st, p, k);
	/* Everyone labels until nothing is left to anyone. */
	for (idle = 0; idle < 5;)
		for (u = 0, idle = 0; u < 5; u++) {
			if ((got = take(st, users[u], NULL, NULL, 0)) <= 0) {
				idle++;
				continue;
			}
			put(st, users[u], got, 1 + (int)(model_rand(&rs) % 3));
		}
	if (t_q(p, "SELECT count(*) FROM item_labelers WHERE n != 3 AND "
	    "item NOT IN (5, 50)") != 0) {
		char *v = qs(p, "SELECT group_concat(item || ' n=' || n || ' "
		    "leases=' || (SELECT coalesce(group_concat(user || '@' || "
		    "(expires_at > unixepoch())), '') FROM leases l WHERE "
		    "l.item = x.item) || ' labels=' || (SELECT group_concat("
		    "labeler) FROM current_labels c WHERE c.item = x.item), "
		    "'; ') FROM item_labelers x WHERE n != 3 AND item NOT IN "
		    "(5, 50)");

		T_FAIL("items not at k after the queue emptied: %s", v);
		free(v);
	}
	T_EQ_INT(t_q(p, "SELECT count(*) FROM item_labelers WHERE n != ("
	    "SELECT count(*) FROM current_labels c WHERE c.item = "
	    "item_labelers.item)"), 0);
	T_EQ_INT(t_q(p, "SELECT count(*) FROM current_labels WHERE item IN "
	    "(5, 50)"), 0);
	if (store_check(st, &cause) != 0)
		T_FAIL("store_check: %s", cause);
	free(cause);
	model_check_breaks(st, p);
	store_close(st);
}

int
main(void)
{
	if (t_mkdtemp(t_dir, sizeof t_dir, "queue") == NULL)
		return 2;
	T_RUN(t_take_skips_own_and_full_items);
	T_RUN(t_take_expired_leases_and_exclusions);
	T_RUN(t_take_batch_filter);
	T_RUN(t_order_nearer_to_k_then_id);
	T_RUN(t_lease_renew_and_release);
	T_RUN(t_label_put_writes_the_row);
	T_RUN(t_withdraw_and_undo);
	T_RUN(t_history_in_label_order);
	T_RUN(t_tags_set_replace_remove);
	T_RUN(t_non_member_refused_and_audited);
	T_RUN(t_bad_class_and_note_refused);
	T_RUN(t_blind_to_other_labelers);
	T_RUN(t_item_load_and_metadata);
	T_RUN(t_progress_counts);
	T_RUN(t_concurrent_labelers_k1);
	T_RUN(t_concurrent_labelers_k3);
	T_RUN(t_model_random_order);
	T_RUN(t_timing_200k_items);
	if (t_rmtree(t_dir) != 0)
		perror(t_dir);
	return t_done();
}
