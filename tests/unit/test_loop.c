/*
 * test_loop.c: the definition loop in core: guideline versions (format
 * check, adding, no change, roles), the line diff, adjudications and
 * comments, gold items and their mixing into the queue, items sent back
 * for relabeling, settings.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/adjudicate.h"
#include "accord/config.h"
#include "accord/guideline.h"
#include "accord/project.h"
#include "accord/label.h"
#include "accord/queue.h"
#include "accord/store.h"
#include "accord/util.h"
#include "t.h"

static char dir[256];

/* OS users that exist on Debian: three labelers and an SME. */
#define L1 "daemon"
#define L2 "bin"
#define L3 "sys"
#define SME "sync"

/* One integer from the file on a raw connection (-1: no row / error). */
static long long
q(struct store *st, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_open(store_path(st), &db) != SQLITE_OK)
		return -2;
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

/*
 * A project (ok 1, scratch 2, dent 3, overlap k, gold rate `rate`) with n
 * items, L1..L3 labelers and SME an sme; the store, or NULL.
 */
static struct store *
project(const char *name, int k, long long n, const char *rate)
{
	struct project_spec spec = { .task = "defects",
	    .media = MEDIA_KIND_IMAGE, .classes = "ok,scratch,dent",
	    .overlap = k, .gold_rate = rate };
	char *path = xasprintf("%s/%s", dir, name), *cause = NULL, *sql;
	struct store *st = NULL;
	sqlite3 *db;

	if (project_init(path, &spec, "root", &cause) != 0) {
		T_FAIL("project_init: %s", cause);
		goto out;
	}
	sql = xasprintf("INSERT INTO batches (name, created_by, created_at) "
	    "VALUES ('b', 'root', 'now');"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < %lld) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%%064x', x), "
	    "'/data/' || x || '.png', 'image', 'png', 10, 1, 'root', 'now' "
	    "FROM n;", n);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		T_FAIL("items: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	free(sql);
	if (store_open(path, &st, &cause) != 0 ||
	    member_set(st, "root", L1, ROLE_LABELER, &cause) != 0 ||
	    member_set(st, "root", L2, ROLE_LABELER, &cause) != 0 ||
	    member_set(st, "root", L3, ROLE_LABELER, &cause) != 0 ||
	    member_set(st, "root", SME, ROLE_SME, &cause) != 0)
		T_FAIL("setup: %s", cause);
out:
	free(cause);
	free(path);
	return st;
}

static long long
take(struct store *st, const char *user)
{
	struct queue_item it;
	char *cause = NULL;
	long long id;
	int r = queue_take(st, user, NULL, NULL, 0, &it, &cause);

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

static void
put(struct store *st, const char *user, long long item, int cls)
{
	char *cause = NULL;

	if (label_put(st, user, item, cls, NULL, 1.0, NULL, &cause) != 0) {
		T_FAIL("label_put(%s, %lld): %s", user, item, cause);
		free(cause);
	}
}

/* 0 when f(...) succeeded; else fails the test with its cause. */
#define OK(call) do {							\
	char *cause = NULL;						\
	if ((call) != 0) {						\
		T_FAIL("%s: %s", #call, cause ? cause : "?");		\
		free(cause);						\
	}								\
} while (0)
/* The call fails and its cause contains `want`. */
#define REFUSED(call, want) do {					\
	char *cause = NULL;						\
	if ((call) == 0)						\
		T_FAIL("%s succeeded", #call);				\
	else if (cause == NULL || strstr(cause, want) == NULL)		\
		T_FAIL("%s: cause '%s', want '%s'", #call,		\
		    cause ? cause : "(none)", want);			\
	free(cause);							\
} while (0)

static void
t_guideline_versions(void)
{
	struct store *st = project("g.accord", 3, 10, NULL);
	struct guideline_class *gc = NULL;
	const char *v2 = "# defects\n\n## ok\nNo visible mark.\n\n"
	    "## dent\nA dent deeper than 1 mm.\nexamples: 4, 7\n";
	char *text = NULL;
	int nv, v, n = 0;

	if (st == NULL)
		return;
	/* A labeler is refused, and the refusal is in the audit table. */
	REFUSED(guideline_add(st, L1, v2, "why", &nv, &cause), "sme");
	T_EQ_INT(q(st, "SELECT count(*) FROM audit WHERE action = 'refused' "
	    "AND user = 'daemon' AND detail LIKE 'editing the guideline%'"), 1);
	REFUSED(guideline_add(st, SME, v2, " ", &nv, &cause), "reason");
	/* Unknown class heading, duplicate section, bad examples. */
	REFUSED(guideline_add(st, SME, "x\n## dents\nd\n", "r", &nv, &cause),
	    "line 2: '## dents' names no class");
	REFUSED(guideline_add(st, SME, "## ok\na\n## ok\nb\n", "r", &nv,
	    &cause), "line 3: class ok has a second section (the first is at "
	    "line 1)");
	REFUSED(guideline_add(st, SME, "## ok\nexamples: 3, 11\n", "r", &nv,
	    &cause), "line 2: example 11 is not an item");
	REFUSED(guideline_add(st, SME, "## ok\nexamples: 3, x\n", "r", &nv,
	    &cause), "example 'x' is not an item id");
	REFUSED(guideline_add(st, SME, "examples: 3\n## ok\n", "r", &nv,
	    &cause), "line 1: examples: belongs in a class section");
	T_EQ_INT(q(st, "SELECT count(*) FROM guidelines"), 1);
	OK(guideline_add(st, SME, v2, "dents are deeper than 1 mm", &nv,
	    &cause));
	T_EQ_INT(nv, 2);
	/* Editors add or drop the last newline: still no change. */
	OK(guideline_add(st, SME, "# defects\n\n## ok\nNo visible mark.\n\n"
	    "## dent\nA dent deeper than 1 mm.\nexamples: 4, 7\n\n\n", "again",
	    &nv, &cause));
	T_EQ_INT(nv, 0);
	T_EQ_INT(q(st, "SELECT count(*) FROM guidelines"), 2);
	/* One guideline_classes row per class; no section: "". */
	T_EQ_INT(q(st, "SELECT count(*) FROM guideline_classes WHERE "
	    "version = 2"), 3);
	T_EQ_INT(q(st, "SELECT count(*) FROM guideline_classes g JOIN classes "
	    "c ON c.id = g.class WHERE version = 2 AND c.name = 'scratch' AND "
	    "description = ''"), 1);
	OK(guideline_current(st, &v, &text, &cause));
	T_EQ_INT(v, 2);
	T_EQ_STR(text, v2);
	free(text);
	OK(guideline_classes(st, 2, &gc, &n, &cause));
	T_EQ_INT(n, 3);
	if (n == 3) {
		T_EQ_STR(gc[2].name, "dent");
		T_EQ_STR(gc[2].description, "A dent deeper than 1 mm.\n"
		    "examples: 4, 7");
		T_EQ_INT(gc[2].nexamples, 2);
		T_EQ_INT(gc[2].examples[1], 7);
	}
	guideline_classes_free(gc, n);
	/* Edited from v1 while v2 was saved: refused. */
	REFUSED(guideline_add_on(st, SME, 1, "## ok\nz\n", "r", &nv, &cause),
	    "changed meanwhile");
	/* The label rows of v2 make it the version last seen. */
	put(st, L1, 1, 1);
	OK(guideline_last_seen(st, L1, &v, &cause));
	T_EQ_INT(v, 2);
	OK(guideline_last_seen(st, L2, &v, &cause));
	T_EQ_INT(v, 0);
	T_EQ_INT(q(st, "SELECT count(*) FROM audit WHERE action = 'guideline' "
	    "AND detail = 'v2: dents are deeper than 1 mm'"), 1);
	store_close(st);
}

static void
t_diff(void)
{
	char *d;

	d = guideline_diff("a\nb\nc\n", "a\nb\nc\n", "x", "y");
	T_EQ_STR(d, "");
	free(d);
	d = guideline_diff("a\nb\nc\nd\ne\nf\ng\nh\ni\n",
	    "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n", "v1", "v2");
	/* Two changes 4 lines apart share one hunk (gap <= 2 x context). */
	T_EQ_STR(d, "--- v1\n+++ v2\n@@ -2,8 +2,9 @@\n b\n c\n d\n-e\n+E\n"
	    " f\n g\n h\n i\n+j\n");
	free(d);
	d = guideline_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
	    "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", "a", "b");
	/* As diff -u prints it. */
	T_EQ_STR(d, "--- a\n+++ b\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"
	    "@@ -9,4 +10,3 @@\n 9\n 10\n 11\n-12\n");
	free(d);
	d = guideline_diff("", "x\n", "a", "b");
	T_EQ_STR(d, "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n");
	free(d);
}

static void
t_adjudications_and_comments(void)
{
	struct store *st = project("a.accord", 3, 5, NULL);

	if (st == NULL)
		return;
	REFUSED(adjudicate_class(st, L1, 1, 2, "", &cause), "sme");
	REFUSED(comment_add(st, L1, 1, "hi", &cause), "sme");
	T_EQ_INT(q(st, "SELECT count(*) FROM audit WHERE action = 'refused' "
	    "AND user = 'daemon'"), 2);
	OK(adjudicate_class(st, SME, 1, 2, "clearly a scratch", &cause));
	OK(adjudicate_ambiguous(st, SME, 2, NULL, &cause));
	OK(adjudicate_relabel(st, SME, 3, "see v2", &cause));
	OK(comment_add(st, SME, 3, "line one\nline two", &cause));
	REFUSED(adjudicate_class(st, SME, 99, 2, "", &cause), "no item 99");
	REFUSED(adjudicate_class(st, SME, 1, 9, "", &cause), "no class 9");
	REFUSED(adjudicate_class(st, SME, 1, 2, "a\x1b[2J", &cause),
	    "control character");
	REFUSED(comment_add(st, SME, 1, "", &cause), "empty");
	T_EQ_INT(q(st, "SELECT count(*) FROM adjudications"), 3);
	T_EQ_INT(q(st, "SELECT class FROM adjudications WHERE item = 1 AND "
	    "status = 'class' AND user = 'sync' AND guideline = 1"), 2);
	T_EQ_INT(q(st, "SELECT count(*) FROM adjudications WHERE item = 2 AND "
	    "status = 'ambiguous' AND class IS NULL"), 1);
	T_EQ_INT(q(st, "SELECT count(*) FROM comments WHERE item = 3 AND "
	    "text = 'line one' || char(10) || 'line two'"), 1);
	store_close(st);
}

static void
t_gold_rows_and_resolve(void)
{
	struct store *st = project("gr.accord", 3, 5, NULL);
	struct gold_row *g = NULL;
	long long item;
	int n = 0;

	if (st == NULL)
		return;
	REFUSED(gold_add(st, L1, 1, 1, &cause), "sme");
	REFUSED(gold_list(st, L1, &g, &n, &cause), "sme");
	OK(gold_add(st, SME, 1, 3, &cause));
	OK(gold_add(st, SME, 2, 1, &cause));
	REFUSED(gold_add(st, SME, 2, 1, &cause), "already gold");
	OK(gold_remove(st, SME, 2, &cause));
	REFUSED(gold_remove(st, SME, 2, &cause), "not a gold item");
	OK(gold_list(st, SME, &g, &n, &cause));
	T_EQ_INT(n, 1);
	if (n == 1) {
		T_EQ_INT(g[0].item, 1);
		T_EQ_STR(g[0].class_name, "dent");
		T_EQ_STR(g[0].user, SME);
	}
	gold_list_free(g, n);
	T_EQ_INT(q(st, "SELECT count(*) FROM gold"), 3);
	T_EQ_INT(q(st, "SELECT count(*) FROM audit WHERE action LIKE 'gold%'"),
	    3);
	OK(item_resolve(st, "4", &item, &cause));
	T_EQ_INT(item, 4);
	OK(item_resolve(st, "/data/3.png", &item, &cause));
	T_EQ_INT(item, 3);
	/* sha256 of item 5 is 63 zeros and a 5. */
	OK(item_resolve(st, "0000000000000000000000000000000000000000000000"
	    "000000000000000005", &item, &cause));
	T_EQ_INT(item, 5);
	REFUSED(item_resolve(st, "000000", &item, &cause), "more than one");
	REFUSED(item_resolve(st, "nope.png", &item, &cause), "no item");
	REFUSED(item_resolve(st, "9", &item, &cause), "no item 9");
	store_close(st);
}

/*
 * `takes` takes by one labeler at gold rate r over 1,500 items of which
 * 400 are gold: the number of gold items served.  Each take is labeled.
 */
static int
gold_served(const char *name, const char *rate, int takes, int *dupes,
    long long *first)
{
	struct store *st = project(name, 3, 1500, rate);
	char *cause = NULL;
	int i, ngold = 0;

	*dupes = 0;
	if (st == NULL)
		return -1;
	for (i = 1101; i <= 1500; i++)
		if (gold_add(st, SME, i, 1, &cause) != 0) {
			T_FAIL("gold_add: %s", cause);
			free(cause);
			store_close(st);
			return -1;
		}
	for (i = 0; i < takes; i++) {
		long long it = take(st, L1);

		if (it <= 0) {
			T_FAIL("take %d gave %lld", i, it);
			break;
		}
		if (i < 20)
			first[i] = it;
		ngold += it > 1100;
		put(st, L1, it, 1);
	}
	/* Each gold item at most once: no item labeled twice by L1. */
	*dupes = (int)q(st, "SELECT count(*) FROM (SELECT item FROM labels "
	    "WHERE labeler = 'daemon' GROUP BY item HAVING count(*) > 1)");
	store_close(st);
	return ngold;
}

static void
t_gold_mixing_rate(void)
{
	long long a[20], b[20];
	int dupes, n;

	/* Binomial(1000, 0.2): sd 12.6, so 150..250 is +-4 sd; a queue that
	 * ignored the rate (0 or 400 gold) cannot pass by accident. */
	n = gold_served("rate20.accord", "0.2", 1000, &dupes, a);
	fprintf(stderr, "# gold rate 0.2: %d of 1000 takes were gold\n", n);
	T_CHECK(n >= 150 && n <= 250);
	T_EQ_INT(dupes, 0);
	/* The same seed and user give the same sequence. */
	n = gold_served("rate20b.accord", "20%", 20, &dupes, b);
	T_CHECK(memcmp(a, b, sizeof a) == 0);
	n = gold_served("rate0.accord", "0", 300, &dupes, a);
	T_EQ_INT(n, 0);
}

static void
t_gold_outside_overlap(void)
{
	struct store *st = project("go.accord", 1, 4, "1");
	long long done, rem;

	if (st == NULL)
		return;
	OK(gold_add(st, SME, 2, 3, &cause));
	/* Rate 1: every take with other work left is gold, for each labeler,
	 * though k = 1; gold is not served once the rest is done. */
	T_EQ_INT(take(st, L1), 2);
	put(st, L1, 2, 3);
	T_EQ_INT(take(st, L2), 2);
	put(st, L2, 2, 1);
	OK(queue_progress(st, L1, NULL, &done, &rem, &cause));
	T_EQ_INT(rem, 3);	/* items 1, 3, 4; gold is not counted */
	T_EQ_INT(take(st, L1), 1);
	put(st, L1, 1, 1);
	T_EQ_INT(take(st, L1), 3);
	put(st, L1, 3, 1);
	T_EQ_INT(take(st, L1), 4);
	put(st, L1, 4, 1);
	T_EQ_INT(take(st, L1), 0);
	/* L3 never got gold item 2 and the rest is done: nothing. */
	T_EQ_INT(take(st, L3), 0);
	store_close(st);
}

static void
t_relabel_first_under_new_version(void)
{
	struct store *st = project("rl.accord", 3, 6, "0");
	long long done, rem;
	int nv;

	if (st == NULL)
		return;
	put(st, L1, 5, 1);
	put(st, L2, 5, 2);
	put(st, L3, 5, 3);
	put(st, L1, 1, 1);
	OK(guideline_add(st, SME, "## ok\nNo mark at all.\n", "stricter ok",
	    &nv, &cause));
	OK(adjudicate_relabel(st, SME, 5, "", &cause));
	OK(queue_progress(st, L1, NULL, &done, &rem, &cause));
	T_EQ_INT(rem, 5);	/* 5 again, 2, 3, 4, 6 */
	/* Item 5 comes first for each labeler, though it has k labels. */
	T_EQ_INT(take(st, L1), 5);
	T_EQ_INT(take(st, L2), 5);
	T_EQ_INT(take(st, L3), 5);
	put(st, L1, 5, 2);
	/* L1 labeled under v2: not offered again. */
	T_CHECK(take(st, L1) != 5);
	put(st, L2, 5, 2);
	put(st, L3, 5, 2);
	/* The old rows stay, tied to v1; the new ones are in force. */
	T_EQ_INT(q(st, "SELECT count(*) FROM labels WHERE item = 5 AND "
	    "guideline = 1"), 3);
	T_EQ_INT(q(st, "SELECT count(*) FROM current_labels WHERE item = 5 "
	    "AND guideline = 2 AND class = 2"), 3);
	/* k labels under v2: a fourth labeler is not offered item 5. */
	OK(member_set(st, "root", "games", ROLE_LABELER, &cause));
	T_CHECK(take(st, "games") != 5);
	/* A later decision closes the relabel: L1 (v1 label on item 1) is
	 * offered it while it is sent back, not after. */
	OK(adjudicate_relabel(st, SME, 1, "", &cause));
	OK(queue_progress(st, L1, NULL, &done, &rem, &cause));
	T_EQ_INT(rem, 5);	/* 1, and 2, 3, 4, 6 */
	OK(adjudicate_class(st, SME, 1, 1, "", &cause));
	OK(queue_progress(st, L1, NULL, &done, &rem, &cause));
	T_EQ_INT(rem, 4);
	store_close(st);
}

static void
t_settings(void)
{
	struct store *st = project("cfg.accord", 3, 1, NULL);
	struct setting *s = NULL;
	char *v = NULL;
	double rate;
	long long seed;
	int n = 0, i;

	if (st == NULL)
		return;
	OK(config_gold(st, &rate, &seed, &cause));
	T_NEAR(rate, 0.05, 1e-12);
	T_EQ_INT(seed, 1);
	REFUSED(config_set(st, SME, "gold-rate", "0.1", &cause), "admin");
	REFUSED(config_set(st, "root", "gold-rate", "1.5", &cause),
	    "0 to 1");
	REFUSED(config_set(st, "root", "media", "audio", &cause), "fixed");
	REFUSED(config_set(st, "root", "colour", "x", &cause), "no setting");
	OK(config_set(st, "root", "gold-rate", "12.5%", &cause));
	OK(config_set(st, "root", "overlap", "5", &cause));
	OK(config_set(st, "root", "overlap", "5", &cause));	/* no row */
	OK(config_get(st, "gold-rate", &v, &cause));
	T_EQ_STR(v, "0.125");
	free(v);
	T_EQ_INT(q(st, "SELECT count(*) FROM settings WHERE key = 'overlap'"),
	    2);
	T_EQ_INT(q(st, "SELECT count(*) FROM audit WHERE action = 'setting'"),
	    2);
	OK(config_list(st, L1, &s, &n, &cause));
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].key, "gold-seed") == 0)
			T_CHECK(s[i].is_default && strcmp(s[i].value, "1") == 0);
		/* init writes it: a new project hides paths. */
		if (strcmp(s[i].key, "show-paths") == 0)
			T_CHECK(!s[i].is_default &&
			    strcmp(s[i].value, "none") == 0);
	}
	T_EQ_INT(n, 7);
	config_list_free(s, n);
	store_close(st);
}

int
main(void)
{
	if (t_mkdtemp(dir, sizeof dir, "loop") == NULL)
		return 2;
	T_RUN(t_guideline_versions);
	T_RUN(t_diff);
	T_RUN(t_adjudications_and_comments);
	T_RUN(t_gold_rows_and_resolve);
	T_RUN(t_gold_mixing_rate);
	T_RUN(t_gold_outside_overlap);
	T_RUN(t_relabel_first_under_new_version);
	T_RUN(t_settings);
	if (t_rmtree(dir) != 0)
		perror(dir);
	return t_done();
}
