/*
 * test_review.c: the SME review's read side (core/review.c): the
 * disagreement queue ordered by vote entropy, its filters (class pair,
 * batch, metadata, guideline version, decided items), the filter syntax,
 * one item's record with its history; and the write side it is tested
 * with (core/adjudicate.c): rows appended with user and guideline version,
 * refusals for labelers, audited.  The queue reads one row per item, however
 * many label rows the item has.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "accord/label.h"
#include "accord/queue.h"
#include "accord/tags.h"
#include "accord/review.h"
#include "accord/store.h"
#include "accord/util.h"
#include "../../core/internal.h"
#include "t.h"

static char dir[256];
static char path[300];
static struct store *st;

/* OS users that exist on Debian, as labelers; root is the admin (sme+). */
static const char *const users[] = { "daemon", "bin", "sys", "sync",
    "games" };
#define SME "root"
enum { OK = 1, SCRATCH = 2, DENT = 3 };	/* class ids, in --classes order */

static int
x(const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 10000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static long long
q(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -2;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static void
put(const char *user, long long item, int cls)
{
	char *cause = NULL;

	if (label_put(st, user, item, cls, cls ? "why" : NULL, 2.5, NULL,
	    &cause) != 0) {
		T_FAIL("label_put(%s, %lld, %d): %s", user, item, cls, cause);
		free(cause);
	}
}

/* The queue as "item:nlabels:decided ..." for f. */
static char *
queue_str(const struct review_filter *f)
{
	struct review_entry *e = NULL;
	struct buf b = { 0 };
	char *cause = NULL;
	int n = 0, i;

	if (review_queue(st, SME, f, &e, &n, &cause) != 0) {
		char *r = xasprintf("error: %s", cause);

		free(cause);
		return r;
	}
	buf_puts(&b, "");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%lld:%d%s", i ? " " : "", e[i].item,
		    e[i].nlabels, e[i].decided ? ":d" : "");
	free(e);
	return b.s;
}

static void
check_queue(const char *filter, const char *want)
{
	struct review_filter f;
	char *cause = NULL, *got;

	if (review_filter_parse(filter, &f, &cause) != 0) {
		T_FAIL("parse '%s': %s", filter, cause);
		free(cause);
		return;
	}
	got = queue_str(&f);
	if (strcmp(got, want) != 0)
		T_FAIL("filter '%s': queue '%s', expected '%s'", filter, got,
		    want);
	free(got);
	review_filter_free(&f);
}

/*
 * Items 1..8 in batches b1 (odd) and b2 (even), classes ok, scratch, dent,
 * and the labels:
 *   1: ok scratch dent        H = log2 3     (3 labels)
 *   2: ok ok scratch          H = 0.918
 *   3: ok scratch             H = 1          (2 labels)
 *   4: ok ok ok               agreed: not in the queue
 *   5: dent                   one label: not in the queue
 *   6: ok scratch ok scratch  H = 1          (4 labels)
 *   7: (nothing)
 *   8: scratch dent           H = 1 (2 labels), metadata camera=c1
 */
static void
setup(void)
{
	struct project_spec spec = { .task = "defects",
	    .media = MEDIA_KIND_IMAGE, .classes = "ok,scratch,dent",
	    .overlap = 5 };
	char *cause = NULL;
	size_t i;

	snprintf(path, sizeof path, "%s/r.accord", dir);
	if (project_init(path, &spec, SME, &cause) != 0 ||
	    x("BEGIN; INSERT INTO batches (name, created_by, created_at) VALUES "
	    "('b1', 'root', 'now'), ('b2', 'root', 'now');"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < 8) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%064d', x), "
	    "'/data/' || x || '.png', 'image', 'png', 10, 1 + (x + 1) % 2, "
	    "'root', 'now' FROM n;"
	    "INSERT INTO item_meta (item, key, value, source, created_at) "
	    "VALUES (8, 'camera', 'c1', 'csv:m.csv', 'now'),"
	    " (3, 'camera', 'c2', 'csv:m.csv', 'now'),"
	    " (8, 'brightness', 0.41234, 'metric', 'now'); COMMIT;") !=
	    SQLITE_OK || store_open(path, &st, &cause) != 0) {
		T_FAIL("setup: %s", cause ? cause : "sql");
		free(cause);
		return;
	}
	for (i = 0; i < sizeof users / sizeof users[0]; i++)
		if (member_set(st, SME, users[i], ROLE_LABELER, &cause) != 0) {
			T_FAIL("member_set: %s", cause);
			free(cause);
			cause = NULL;
		}
	put("daemon", 1, OK); put("bin", 1, SCRATCH); put("sys", 1, DENT);
	put("daemon", 2, OK); put("bin", 2, OK); put("sys", 2, SCRATCH);
	put("daemon", 3, OK); put("bin", 3, SCRATCH);
	put("daemon", 4, OK); put("bin", 4, OK); put("sys", 4, OK);
	put("daemon", 5, DENT);
	put("daemon", 6, OK); put("bin", 6, SCRATCH); put("sys", 6, OK);
	put("sync", 6, SCRATCH);
	put("daemon", 8, SCRATCH); put("bin", 8, DENT);
}

static void
t_queue_order_by_entropy(void)
{
	struct review_entry *e = NULL;
	char *cause = NULL;
	int n = 0;

	/* Equal entropy: more labels first, then item id. */
	check_queue("", "1:3 6:4 3:2 8:2 2:3");
	if (review_queue(st, SME, NULL, &e, &n, &cause) != 0) {
		T_FAIL("review_queue: %s", cause);
		free(cause);
		return;
	}
	T_EQ_INT(n, 5);
	if (n == 5) {
		T_NEAR(e[0].entropy, log2(3), 1e-12);
		T_EQ_INT(e[0].nclasses, 3);
		T_NEAR(e[1].entropy, 1, 1e-12);
		T_NEAR(e[4].entropy, -(2 / 3.0) * log2(2 / 3.0) -
		    (1 / 3.0) * log2(1 / 3.0), 1e-12);
		T_EQ_INT(e[4].nclasses, 2);
	}
	free(e);
}

static void
t_queue_filters(void)
{
	/* A class pair keeps items whose labels include both classes. */
	check_queue("ok/dent", "1:3");
	check_queue("scratch/ok", "1:3 6:4 3:2 2:3");
	check_queue("dent/scratch", "1:3 8:2");
	check_queue("batch=b1", "1:3 3:2");
	check_queue("batch=b2", "6:4 8:2 2:3");
	check_queue("camera=c1", "8:2");
	check_queue("camera=c2 batch=b2", "");
	/* Numbers match as the screen shows them (%.4g) or as stored. */
	check_queue("brightness=0.4123", "8:2");
	check_queue("brightness=0.41234", "8:2");
	check_queue("v=1", "1:3 6:4 3:2 8:2 2:3");
	check_queue("v=2", "");
}

static void
t_queue_unknown_names(void)
{
	struct review_filter f;
	char *cause = NULL, *got;

	T_EQ_INT(review_filter_parse("ok/nosuch", &f, &cause), 0);
	got = queue_str(&f);
	T_EQ_STR(got, "error: no class named 'nosuch' in this project "
	    "(classes: ok, scratch, dent)");
	free(got);
	review_filter_free(&f);
	T_EQ_INT(review_filter_parse("batch=b9", &f, &cause), 0);
	got = queue_str(&f);
	T_EQ_STR(got, "error: no import batch named 'b9' (import batches: "
	    "b1, b2)");
	free(got);
	review_filter_free(&f);
}

static void
t_filter_syntax(void)
{
	struct review_filter f;
	char *cause = NULL, *text;

	T_EQ_INT(review_filter_parse("  ok/unsure batch=night v=2 "
	    "camera=cam-c  decided=hide line=3", &f, &cause), 0);
	T_EQ_STR(f.class_a, "ok");
	T_EQ_STR(f.class_b, "unsure");
	T_EQ_STR(f.batch, "night");
	T_EQ_INT(f.guideline, 2);
	T_EQ_INT(f.hide_decided, 1);
	T_EQ_INT(f.nmeta, 2);
	T_EQ_STR(f.meta_key[1], "line");
	T_EQ_STR(f.meta_value[1], "3");
	text = review_filter_text(&f);
	T_EQ_STR(text, "ok/unsure batch=night v=2 camera=cam-c line=3 "
	    "decided=hide");
	free(text);
	review_filter_free(&f);

	T_EQ_INT(review_filter_parse("", &f, &cause), 0);
	text = review_filter_text(&f);
	T_EQ_STR(text, "");
	free(text);
	review_filter_free(&f);

	T_EQ_INT(review_filter_parse("okunsure", &f, &cause), -1);
	T_EQ_STR(cause, "bad filter word 'okunsure' (want A/B, batch=NAME, "
	    "v=N, decided=hide|show or KEY=VALUE)");
	free(cause);
	cause = NULL;
	T_EQ_INT(review_filter_parse("a/b/c", &f, &cause), -1);
	free(cause);
	cause = NULL;
	T_EQ_INT(review_filter_parse("v=0", &f, &cause), -1);
	T_EQ_STR(cause, "bad guideline version '0' in the filter");
	free(cause);
	cause = NULL;
	T_EQ_INT(review_filter_parse("decided=maybe", &f, &cause), -1);
	free(cause);
	cause = NULL;
	T_EQ_INT(review_filter_parse("a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9", &f,
	    &cause), -1);
	free(cause);
}

/* History: superseded labels no longer count; withdrawals neither. */
static void
t_queue_labels_in_force(void)
{
	put("bin", 3, OK);		/* 3: ok ok: agreed now */
	check_queue("", "1:3 6:4 8:2 2:3");
	put("bin", 3, 0);		/* withdrawn: one label left */
	check_queue("", "1:3 6:4 8:2 2:3");
	put("bin", 3, SCRATCH);		/* back to ok vs scratch */
	check_queue("", "1:3 6:4 3:2 8:2 2:3");
}

/* Under a new guideline version only the labels made under it count. */
static void
t_queue_guideline_version(void)
{
	if (x("INSERT INTO guidelines (version, text, author, created_at, "
	    "reason) VALUES (2, '# v2', 'root', 'now', 'test')") != SQLITE_OK) {
		T_FAIL("guideline v2");
		return;
	}
	put("sys", 7, OK);
	put("games", 7, DENT);
	put("games", 2, DENT);		/* v2, alone on item 2 under v2 */
	check_queue("v=2", "7:2");
	check_queue("v=1", "1:3 6:4 3:2 8:2 2:3");
	/* All versions: item 2 now has ok ok scratch dent. */
	check_queue("", "1:3 2:4 6:4 3:2 7:2 8:2");
}

static void
t_decided_last_or_hidden(void)
{
	char *cause = NULL;

	if (adjudicate_class(st, SME, 1, DENT, "dents win", &cause) != 0) {
		T_FAIL("adjudicate_class: %s", cause);
		free(cause);
		return;
	}
	check_queue("", "2:4 6:4 3:2 7:2 8:2 1:3:d");
	check_queue("decided=hide", "2:4 6:4 3:2 7:2 8:2");
	T_EQ_INT(adjudicate_ambiguous(st, SME, 6, NULL, &cause), 0);
	check_queue("", "2:4 3:2 7:2 8:2 1:3:d 6:4:d");
	/* Sent back is not decided: it stays in the queue. */
	T_EQ_INT(adjudicate_relabel(st, SME, 6, "see v2", &cause), 0);
	check_queue("", "2:4 6:4 3:2 7:2 8:2 1:3:d");
	/* A label after the decision reopens the item. */
	usleep(5000);
	put("games", 1, OK);
	check_queue("decided=hide", "1:4 2:4 6:4 3:2 7:2 8:2");
}

static void
t_detail_with_history(void)
{
	struct review_detail d;
	const char *tags[] = { "blurry", "edge" };
	char *cause = NULL;
	int i, inforce = 0;

	if (tags_set(st, "bin", 3, tags, 2, &cause) != 0 ||
	    comment_add(st, SME, 3, "is that a scratch? — look at the edge",
	    &cause) != 0 || comment_add(st, SME, 3, "second", &cause) != 0 ||
	    gold_add(st, SME, 3, SCRATCH, &cause) != 0 ||
	    gold_add(st, SME, 3, OK, &cause) != 0 ||
	    adjudicate_relabel(st, SME, 3, "unclear", &cause) != 0) {
		T_FAIL("writes: %s", cause);
		free(cause);
		return;
	}
	if (review_detail(st, SME, 3, &d, &cause) != 0) {
		T_FAIL("review_detail: %s", cause);
		free(cause);
		return;
	}
	T_EQ_STR(d.path, "/data/3.png");
	T_EQ_STR(d.kind, "image");
	T_EQ_STR(d.batch, "b1");
	/* daemon ok; bin scratch, ok, withdrawn, scratch: five rows. */
	T_EQ_INT(d.nlabels, 5);
	if (d.nlabels == 5) {
		T_EQ_STR(d.labels[0].labeler, "daemon");
		T_EQ_INT(d.labels[0].class_id, OK);
		T_EQ_STR(d.labels[0].note, "why");
		T_NEAR(d.labels[0].seconds, 2.5, 1e-9);
		T_EQ_INT(d.labels[0].guideline, 1);
		T_EQ_STR(d.labels[0].origin, "screen");
		T_EQ_INT(d.labels[0].in_force, 1);
		T_EQ_INT(d.labels[1].in_force, 0);
		T_EQ_INT(d.labels[3].class_id, 0);	/* the withdrawal */
		T_EQ_INT(d.labels[3].in_force, 0);
		T_EQ_INT(d.labels[4].class_id, SCRATCH);
		T_EQ_INT(d.labels[4].in_force, 1);
		T_EQ_STR(d.labels[4].tags, "blurry, edge");
		T_EQ_STR(d.labels[0].tags, "");
		T_CHECK(strlen(d.labels[4].created_at) == 24);
	}
	for (i = 0; i < d.nlabels; i++)
		inforce += d.labels[i].in_force;
	T_EQ_INT(inforce, 2);
	T_EQ_INT(d.ncomments, 2);
	if (d.ncomments == 2) {
		T_EQ_STR(d.comments[0].text,
		    "is that a scratch? — look at the edge");
		T_EQ_STR(d.comments[0].user, SME);
	}
	T_EQ_INT(d.nadj, 1);
	if (d.nadj == 1) {
		T_EQ_STR(d.adj[0].status, "relabel");
		T_EQ_INT(d.adj[0].class_id, 0);
		T_EQ_STR(d.adj[0].note, "unclear");
		T_EQ_INT(d.adj[0].guideline, 2);
	}
	T_EQ_INT(d.gold_class, OK);	/* the newest gold row */
	review_detail_free(&d);

	T_EQ_INT(gold_remove(st, SME, 3, &cause), 0);
	T_EQ_INT(review_detail(st, SME, 3, &d, &cause), 0);
	T_EQ_INT(d.gold_class, 0);
	review_detail_free(&d);
	/* Nothing was changed in place: three gold rows. */
	T_EQ_INT(q("SELECT count(*) FROM gold WHERE item = 3"), 3);

	T_EQ_INT(review_detail(st, SME, 99, &d, &cause), -1);
	T_EQ_STR(cause, "no item 99 in this project");
	free(cause);
}

static void
t_writes_are_rows(void)
{
	char *cause = NULL;

	T_EQ_INT(q("SELECT count(*) FROM adjudications WHERE user = 'root' AND "
	    "guideline = 2 AND created_at LIKE '20%Z'"),
	    q("SELECT count(*) FROM adjudications"));
	T_EQ_INT(q("SELECT count(*) FROM adjudications WHERE item = 1 AND "
	    "status = 'class' AND class = 3 AND note = 'dents win'"), 1);
	T_EQ_INT(q("SELECT count(*) FROM audit WHERE action = 'adjudicate' AND "
	    "user = 'root'"), q("SELECT count(*) FROM adjudications"));
	T_EQ_INT(q("SELECT count(*) FROM audit WHERE action = 'comment'"), 2);
	/* Bad input is refused, and nothing is written. */
	T_EQ_INT(adjudicate_class(st, SME, 1, 9, NULL, &cause), -1);
	T_EQ_STR(cause, "no class 9 in this project");
	free(cause);
	cause = NULL;
	T_EQ_INT(adjudicate_ambiguous(st, SME, 99, NULL, &cause), -1);
	T_EQ_STR(cause, "no item 99 in this project");
	free(cause);
	cause = NULL;
	T_EQ_INT(comment_add(st, SME, 1, "bell\a", &cause), -1);
	free(cause);
	cause = NULL;
	T_EQ_INT(comment_add(st, SME, 1, "  ", &cause), -1);
	free(cause);
	T_EQ_INT(q("SELECT count(*) FROM comments WHERE item = 1"), 0);
	/* The store itself refuses to change a decision in place. */
	T_CHECK(x("UPDATE adjudications SET status = 'class'") != SQLITE_OK);
}

static void
t_labeler_refused_and_audited(void)
{
	struct review_entry *e = NULL;
	struct review_detail d;
	char *cause = NULL;
	long long before = q("SELECT count(*) FROM audit WHERE action = "
	    "'refused' AND user = 'daemon'");
	int n = 0;

	T_EQ_INT(review_queue(st, "daemon", NULL, &e, &n, &cause), -1);
	T_EQ_STR(cause, "reviewing labels needs the sme role (daemon is "
	    "labeler)");
	free(cause);
	cause = NULL;
	T_EQ_INT(review_detail(st, "daemon", 1, &d, &cause), -1);
	free(cause);
	cause = NULL;
	T_EQ_INT(adjudicate_class(st, "daemon", 2, OK, NULL, &cause), -1);
	T_EQ_STR(cause, "adjudicating needs the sme role (daemon is labeler)");
	free(cause);
	cause = NULL;
	T_EQ_INT(gold_add(st, "daemon", 2, OK, &cause), -1);
	free(cause);
	T_EQ_INT(q("SELECT count(*) FROM audit WHERE action = 'refused' AND "
	    "user = 'daemon'"), before + 4);
	T_EQ_INT(q("SELECT count(*) FROM adjudications WHERE user = 'daemon'"),
	    0);
	T_EQ_INT(q("SELECT count(*) FROM gold WHERE user = 'daemon'"), 0);
}

/* What review_queue asks of SQLite: statements run and rows returned. */
struct sql_count {
	long long stmts, rows;
};

static int
count_sql(unsigned type, void *ctx, void *p, void *x)
{
	struct sql_count *c = ctx;

	(void)p;
	(void)x;
	if (type == SQLITE_TRACE_STMT)
		c->stmts++;
	else if (type == SQLITE_TRACE_ROW)
		c->rows++;
	return 0;
}

/* The queue's length and SQL counts for no filter; -1 on error. */
static int
queue_counted(struct sql_count *c)
{
	struct review_entry *e = NULL;
	char *cause = NULL;
	int n = 0;

	memset(c, 0, sizeof *c);
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW,
	    count_sql, c);
	if (review_queue(st, SME, NULL, &e, &n, &cause) != 0) {
		T_FAIL("review_queue: %s", cause);
		free(cause);
		n = -1;
	}
	sqlite3_trace_v2(st->db, 0, NULL, NULL);
	free(e);
	return n;
}

/*
 * The start-up cost of the review is the queue: it must read each item's
 * labels once, as one row (item_labels), whatever the number of label
 * rows or classes on it, and run no statement per item or per label for
 * undecided items.  Grouping current_labels by item and class returned
 * a row per class and sought the newest row of every label row (11.5 s
 * at 1M items).  Counted, not timed: 40 new items of three classes each add
 * exactly 40 rows and no statement, and relabeling all of them twice adds
 * nothing.
 */
static void
t_queue_reads_each_item_once(void)
{
	struct sql_count c0, c1, c2;
	int n0, n1, n2, i;

	if (x("WITH RECURSIVE n(x) AS (SELECT 9 UNION ALL SELECT x + 1 FROM "
	    "n WHERE x < 48) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%064d', "
	    "x), '/data/' || x || '.png', 'image', 'png', 10, 1, 'root', "
	    "'now' FROM n") != SQLITE_OK) {
		T_FAIL("items 9..48");
		return;
	}
	n0 = queue_counted(&c0);
	for (i = 9; i <= 48; i++) {
		put("daemon", i, OK);
		put("bin", i, SCRATCH);
		put("sys", i, DENT);
	}
	n1 = queue_counted(&c1);
	T_EQ_INT(n1, n0 + 40);
	T_EQ_INT(c1.rows, c0.rows + 40);
	T_EQ_INT(c1.stmts, c0.stmts);
	for (i = 9; i <= 48; i++) {
		put("daemon", i, SCRATCH);
		put("daemon", i, DENT);
	}
	n2 = queue_counted(&c2);
	T_EQ_INT(n2, n1);
	T_EQ_INT(c2.rows, c1.rows);
	T_EQ_INT(c2.stmts, c1.stmts);
}

/* review_check refuses what review_queue refuses, without the queue. */
static void
t_check_before_the_screen(void)
{
	struct review_filter f;
	char *cause = NULL;
	long long before = q("SELECT count(*) FROM audit WHERE action = "
	    "'refused' AND user = 'bin'");

	T_EQ_INT(review_check(st, SME, NULL, &cause), 0);
	T_EQ_INT(review_check(st, "bin", NULL, &cause), -1);
	T_EQ_STR(cause, "reviewing labels needs the sme role (bin is "
	    "labeler)");
	free(cause);
	cause = NULL;
	T_EQ_INT(q("SELECT count(*) FROM audit WHERE action = 'refused' AND "
	    "user = 'bin'"), before + 1);
	T_EQ_INT(review_filter_parse("ok/nosuch", &f, &cause), 0);
	T_EQ_INT(review_check(st, SME, &f, &cause), -1);
	T_EQ_STR(cause, "no class named 'nosuch' in this project (classes: "
	    "ok, scratch, dent)");
	free(cause);
	cause = NULL;
	review_filter_free(&f);
	T_EQ_INT(review_filter_parse("batch=b9 camera=c1", &f, &cause), 0);
	T_EQ_INT(review_check(st, SME, &f, &cause), -1);
	T_EQ_STR(cause, "no import batch named 'b9' (import batches: b1, b2)");
	free(cause);
	cause = NULL;
	review_filter_free(&f);
	T_EQ_INT(review_filter_parse("dent/ok batch=b2 v=2", &f, &cause), 0);
	T_EQ_INT(review_check(st, SME, &f, &cause), 0);
	review_filter_free(&f);
}

/*
 * Vote splits that differ only in which class has which count give
 * entropies a rounding apart (1, 3, 2 and 1, 2, 3 of six labels: the last
 * bit), which the order takes as equal: such items come by id, not the
 * larger sum first.
 */
static void
t_queue_rounding_ties(void)
{
	static const int split[4][3] = {
		{ 1, 3, 2 }, { 1, 2, 3 }, { 3, 1, 2 }, { 3, 2, 1 },
	};
	static const char *const six[] = { "daemon", "bin", "sys", "sync",
	    "games", "man" };
	char *cause = NULL;
	int i, c, k, u;

	if (member_set(st, SME, "man", ROLE_LABELER, &cause) != 0 ||
	    x("WITH RECURSIVE n(x) AS (SELECT 49 UNION ALL SELECT x + 1 FROM "
	    "n WHERE x < 52) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%064d', "
	    "x), '/data/' || x || '.png', 'image', 'png', 10, 1, 'root', "
	    "'now' FROM n; INSERT INTO item_meta (item, key, value, source, "
	    "created_at) SELECT id, 'tie', 'y', 'csv:m.csv', 'now' FROM items "
	    "WHERE id >= 49") != SQLITE_OK) {
		T_FAIL("items 49..52: %s", cause ? cause : "sql");
		free(cause);
		return;
	}
	for (i = 0; i < 4; i++)
		for (c = 0, u = 0; c < 3; c++)
			for (k = 0; k < split[i][c]; k++)
				put(six[u++], 49 + i, OK + c);
	check_queue("tie=y", "49:6 50:6 51:6 52:6");
}

int
main(void)
{
	if (t_mkdtemp(dir, sizeof dir, "review") == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setup();
	if (st != NULL) {
		T_RUN(t_queue_order_by_entropy);
		T_RUN(t_queue_filters);
		T_RUN(t_queue_unknown_names);
		T_RUN(t_filter_syntax);
		T_RUN(t_queue_labels_in_force);
		T_RUN(t_queue_guideline_version);
		T_RUN(t_decided_last_or_hidden);
		T_RUN(t_detail_with_history);
		T_RUN(t_writes_are_rows);
		T_RUN(t_labeler_refused_and_audited);
		T_RUN(t_check_before_the_screen);
		T_RUN(t_queue_reads_each_item_once);
		T_RUN(t_queue_rounding_ties);
	}
	store_close(st);
	if (t_rmtree(dir) != 0)
		perror(dir);
	return t_done();
}
