/*
 * test_ratings.c: what the ratings matrix knows about time: the UTC day of
 * label times (ratings_parse_day against timegm), the day of each label in
 * force, and agreement per day or week (ratings_trend) with its bucket
 * choice, empty buckets, undated labels and the guideline version filter.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accord/project.h"
#include "accord/ratings.h"
#include "accord/store.h"
#include "accord/util.h"
#include "t.h"

static char dir[256];

/* What the dense matrix held at (item i, labeler j): a class or -1. */
static int
cell(const struct ratings *r, int i, int j)
{
	int x = ratings_entry(r, i, j);

	return x < 0 ? -1 : r->cls[x];
}

/* The day of that label, RATINGS_NO_DAY without one. */
static int
label_day(const struct ratings *r, int i, int j)
{
	int x = ratings_entry(r, i, j);

	return x < 0 ? RATINGS_NO_DAY : r->day[x];
}

/* The same for row i of a view (labels by item, labelers ascending). */
static int
vcell(const struct ratings_view *v, int i, int j)
{
	int x;

	for (x = v->in.start[i]; x < v->in.start[i + 1]; x++)
		if (v->in.lab[x] == j)
			return v->in.cls[x];
	return -1;
}

/* 1 when a and b hold the same labels by item (and days, with both). */
static int
same_labels(const struct ratings *a, const struct ratings *b)
{
	size_t n = (size_t)a->nlabels;

	if (a->nitems != b->nitems || a->nlabels != b->nlabels ||
	    memcmp(a->start, b->start, ((size_t)a->nitems + 1) *
	    sizeof *a->start) != 0 || memcmp(a->lab, b->lab, n *
	    sizeof *a->lab) != 0 || memcmp(a->cls, b->cls, n *
	    sizeof *a->cls) != 0 || memcmp(a->guideline, b->guideline, n *
	    sizeof *a->guideline) != 0)
		return 0;
	return a->day == NULL || b->day == NULL ||
	    memcmp(a->day, b->day, n * sizeof *a->day) == 0;
}

/* 1 when two views hold the same items' labels. */
static int
same_view(const struct ratings_view *x, const struct ratings_view *y)
{
	size_t n;

	if (x->in.nitems != y->in.nitems || memcmp(x->in.start, y->in.start,
	    ((size_t)x->in.nitems + 1) * sizeof *x->in.start) != 0)
		return 0;
	n = (size_t)x->in.start[x->in.nitems];
	return memcmp(x->in.lab, y->in.lab, n * sizeof *x->in.lab) == 0 &&
	    memcmp(x->in.cls, y->in.cls, n * sizeof *x->in.cls) == 0;
}

/* The UTC day of y-m-d h:mi:s by the C library. */
static int
utc_day(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = mi, .tm_sec = s };
	time_t t = timegm(&tm);

	return (int)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

static int
day_of(const char *s)
{
	int d = 12345;

	return ratings_parse_day(s, &d) == 0 ? d : -99999;
}

static void
t_parse_day_matches_timegm(void)
{
	T_EQ_INT(day_of("1970-01-01"), 0);
	T_EQ_INT(day_of("2024-03-04"), utc_day(2024, 3, 4, 0, 0, 0));
	T_EQ_INT(day_of("2024-02-29T23:30:00.123Z"),
	    utc_day(2024, 2, 29, 23, 30, 0));
	T_EQ_INT(day_of("2026-11-23T18:30:00.123Z"),
	    utc_day(2026, 11, 23, 18, 30, 0));
	T_EQ_INT(day_of("2000-12-31 23:59"), utc_day(2000, 12, 31, 0, 0, 0));
	T_EQ_INT(day_of("1969-12-31T23:59:59Z"), -1);
	T_EQ_INT(day_of("1900-03-01"), utc_day(1900, 3, 1, 0, 0, 0));
	/* Offsets move the time to its UTC day. */
	T_EQ_INT(day_of("2024-03-05T01:00:00+02:00"), utc_day(2024, 3, 4, 0, 0,
	    0));
	T_EQ_INT(day_of("2024-03-04T22:00-0300"), utc_day(2024, 3, 5, 0, 0, 0));
	T_EQ_INT(day_of("2024-03-04T10:00:00,5+05"), utc_day(2024, 3, 4, 0, 0,
	    0));
}

static void
t_parse_day_refuses_what_is_not_a_date(void)
{
	static const char *const bad[] = { "", "now", "2024", "2024-3-04",
		"2024-02-30", "2023-02-29", "1900-02-29", "2024-13-01",
		"2024-00-10", "2024-01-05T25:00", "2024-01-05T10", "2024-01-05T10:00x",
		"2024-01-05 junk", "2024/01/05", "2024-01-05T10:00:00.Z",
		"2024-01-05T10:00+2", NULL };
	int i, d;

	for (i = 0; bad[i] != NULL; i++)
		if (ratings_parse_day(bad[i], &d) == 0)
			T_FAIL("'%s' parsed as day %d", bad[i], d);
	T_CHECK(ratings_parse_day(NULL, &d) == -1);
	T_CHECK(ratings_parse_day("2000-02-29", &d) == 0);
}

static const char *
tmp(const char *name)
{
	static char p[256];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

/* Every day from 1600 to 2400 prints as the date it parses from. */
static void
t_day_iso_round_trips(void)
{
	int d, lo = utc_day(1600, 1, 1, 0, 0, 0), hi = utc_day(2400, 1, 1, 0, 0,
	    0), back;
	char s[16];

	ratings_day_iso(0, s);
	T_EQ_STR(s, "1970-01-01");
	ratings_day_iso(utc_day(2024, 2, 29, 0, 0, 0), s);
	T_EQ_STR(s, "2024-02-29");
	for (d = lo; d <= hi; d++) {
		ratings_day_iso(d, s);
		if (ratings_parse_day(s, &back) != 0 || back != d) {
			T_FAIL("day %d prints as %s", d, s);
			break;
		}
	}
}

static int
x(const char *path, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		T_FAIL("sql: %s", err ? err : "?");
	sqlite3_free(err);
	sqlite3_close(db);
	return rc;
}

/* One label row: item, labeler, class id (0: withdrawn), version, time. */
static void
label(const char *path, int item, const char *who, int cls, int version,
    const char *at)
{
	char c[16], *sql;

	if (cls)
		snprintf(c, sizeof c, "%d", cls);
	else
		snprintf(c, sizeof c, "NULL");
	sql = xasprintf("INSERT INTO labels (item, labeler, class, guideline, "
	    "created_at, origin, recorded_by) VALUES (%d, '%s', %s, %d, '%s', "
	    "'import', 'root')", item, who, c, version, at);

	x(path, sql);
	free(sql);
}

/*
 * Classes ok(1), scratch(2), dent(3); items 1..7; two guideline versions.
 *   1: a ok, b ok                  day D (Monday 2024-03-04)
 *   2: a ok, b dent                D (b's time is D + 1 locally, +02:00)
 *   3: a ok (Feb, superseded) then scratch, b scratch    D + 2
 *   4: a ok                        D + 2 (one label: not pairable)
 *   5: a dent, b dent with a time that is not a date: undated
 *   6: no label
 *   7: a ok, b scratch under version 2 on Wednesday 2024-06-12
 */
static struct store *
setup(const char *path, int with_item7)
{
	struct project_spec spec = { .task = "t", .media = MEDIA_KIND_IMAGE,
	    .classes = "ok,scratch,dent", .overlap = 2 };
	struct store *st = NULL;
	char *cause = NULL;

	unlink(path);
	if (project_init(path, &spec, "root", &cause) != 0) {
		T_FAIL("project_init: %s", cause);
		free(cause);
		return NULL;
	}
	x(path, "INSERT INTO batches (name, created_by, created_at) VALUES "
	    "('b', 'root', 'now');"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < 7) INSERT INTO items (sha256, path, kind, format, "
	    "bytes, batch, imported_by, imported_at) SELECT printf('%064d', x), "
	    "'/data/' || x || '.png', 'image', 'png', 10, 1, 'root', 'now' "
	    "FROM n;"
	    "INSERT INTO guidelines (version, text, author, created_at, reason) "
	    "VALUES (2, 'v2', 'root', '2024-06-01', 'test');");
	label(path, 1, "a", 1, 1, "2024-03-04T09:00:00Z");
	label(path, 1, "b", 1, 1, "2024-03-04T10:00:00.5Z");
	label(path, 2, "a", 1, 1, "2024-03-04");
	label(path, 2, "b", 3, 1, "2024-03-05T01:00:00+02:00");
	label(path, 3, "a", 1, 1, "2024-02-01T00:00:00Z");
	label(path, 3, "b", 2, 1, "2024-03-05T12:00:00Z");
	label(path, 3, "a", 2, 1, "2024-03-06T08:00:00Z");
	label(path, 4, "a", 1, 1, "2024-03-06T23:59:59Z");
	label(path, 5, "a", 3, 1, "2024-03-05");
	label(path, 5, "b", 3, 1, "yesterday");
	if (with_item7) {
		label(path, 7, "a", 1, 2, "2024-06-12T10:00:00Z");
		label(path, 7, "b", 2, 2, "2024-06-12T11:00:00Z");
	}
	if (store_open(path, &st, &cause) != 0) {
		T_FAIL("store_open: %s", cause);
		free(cause);
	}
	return st;
}

static int
build(struct store *st, struct ratings *r)
{
	struct ratings_opts o = { .user = "root", .by = NULL, .days = 1 };
	char *cause = NULL;

	if (ratings_build(st, &o, r, &cause) != 0) {
		T_FAIL("ratings_build: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static void
t_day_of_each_label_in_force(void)
{
	struct store *st = setup(tmp("days.accord"), 0);
	struct ratings r;
	int D = utc_day(2024, 3, 4, 0, 0, 0);

	if (st == NULL || build(st, &r) != 0) {
		store_close(st);
		return;
	}
	/* Labelers a, b: (item i, labeler j). */
	T_EQ_INT(r.nlabelers, 2);
	T_EQ_INT(label_day(&r, 0, 0), D);
	T_EQ_INT(label_day(&r, 1, 1), D);		/* +02:00: still D in UTC */
	T_EQ_INT(label_day(&r, 2, 0), D + 2);	/* the newer row is in force */
	T_EQ_INT(cell(&r, 3, 1), -1);		/* no label */
	T_EQ_INT(label_day(&r, 3, 1), RATINGS_NO_DAY);
	T_EQ_INT(label_day(&r, 4, 1), RATINGS_NO_DAY);	/* "yesterday" */
	T_EQ_INT(label_day(&r, 5, 0), RATINGS_NO_DAY);
	ratings_free(&r);
	store_close(st);
}

static void
t_trend_by_day(void)
{
	struct store *st = setup(tmp("day.accord"), 0);
	struct ratings_trend t;
	struct ratings r;
	char *cause = NULL;
	int D = utc_day(2024, 3, 4, 0, 0, 0);

	if (st == NULL || build(st, &r) != 0) {
		store_close(st);
		return;
	}
	if (ratings_trend(&r, 0, &t, &cause) != 0) {
		T_FAIL("ratings_trend: %s", cause);
		free(cause);
	} else {
		T_EQ_INT(t.unit, 1);
		T_EQ_INT(t.nbuckets, 3);
		T_EQ_INT(t.nundated, 1);
		T_EQ_INT(t.buckets[0].day, D);
		T_EQ_INT(t.buckets[0].nitems, 2);
		T_EQ_INT(t.buckets[0].npairable, 2);
		T_CHECK(t.buckets[0].percent.defined);
		T_NEAR(t.buckets[0].percent.value, 0.5, 1e-12);
		T_EQ_INT(t.buckets[1].day, D + 1);
		T_EQ_INT(t.buckets[1].nitems, 0);
		T_CHECK(!t.buckets[1].percent.defined &&
		    !t.buckets[1].fleiss.defined);
		T_EQ_INT(t.buckets[2].nitems, 2);
		T_EQ_INT(t.buckets[2].npairable, 1);
		T_NEAR(t.buckets[2].percent.value, 1.0, 1e-12);
		/*
		 * Fleiss on day D: items (ok, ok) and (ok, dent).  P_o = 1/2;
		 * shares ok 3/4, dent 1/4 give P_e = 10/16; kappa = (1/2 -
		 * 10/16) / (1 - 10/16) = -1/3.
		 */
		T_CHECK(t.buckets[0].fleiss.defined);
		T_NEAR(t.buckets[0].fleiss.value, -1.0 / 3, 1e-12);
		ratings_trend_free(&t);
	}
	ratings_free(&r);
	store_close(st);
}

static void
t_trend_by_week_and_version(void)
{
	struct store *st = setup(tmp("week.accord"), 1);
	struct ratings_trend t;
	struct ratings r;
	char *cause = NULL;
	int D = utc_day(2024, 3, 4, 0, 0, 0);
	int J = utc_day(2024, 6, 10, 0, 0, 0);	/* Monday of 2024-06-12 */

	if (st == NULL || build(st, &r) != 0) {
		store_close(st);
		return;
	}
	T_EQ_INT(r.nversions, 2);
	if (ratings_trend(&r, 0, &t, &cause) != 0) {
		T_FAIL("ratings_trend: %s", cause);
		free(cause);
	} else {
		/* 101 days > RATINGS_TREND_DAYS: weeks from Monday D. */
		T_EQ_INT(t.unit, 7);
		T_EQ_INT(t.nbuckets, (J - D) / 7 + 1);
		T_EQ_INT(t.buckets[0].day, D);
		T_EQ_INT(t.buckets[0].nitems, 4);
		T_NEAR(t.buckets[0].percent.value, 2.0 / 3, 1e-12);
		T_EQ_INT(t.buckets[1].nitems, 0);
		T_EQ_INT(t.buckets[t.nbuckets - 1].day, J);
		T_EQ_INT(t.buckets[t.nbuckets - 1].nitems, 1);
		T_NEAR(t.buckets[t.nbuckets - 1].percent.value, 0, 1e-12);
		ratings_trend_free(&t);
	}
	/* Version 1 alone spans three days again; version 2 one day. */
	if (ratings_trend(&r, 1, &t, &cause) == 0) {
		T_EQ_INT(t.unit, 1);
		T_EQ_INT(t.nbuckets, 3);
		ratings_trend_free(&t);
	} else
		free(cause);
	if (ratings_trend(&r, 2, &t, &cause) == 0) {
		T_EQ_INT(t.unit, 1);
		T_EQ_INT(t.nbuckets, 1);
		T_EQ_INT(t.buckets[0].day, J + 2);
		T_EQ_INT(t.nundated, 0);
		ratings_trend_free(&t);
	} else
		free(cause);
	/* A version without labels has no trend. */
	if (ratings_trend(&r, 9, &t, &cause) == 0) {
		T_EQ_INT(t.unit, 0);
		T_EQ_INT(t.nbuckets, 0);
		ratings_trend_free(&t);
	} else
		free(cause);
	ratings_free(&r);
	store_close(st);
}

/*
 * A relabel under a new version does not erase what a labeler said under
 * the old one: the view of version V holds each labeler's newest label
 * made under V; a withdrawal removes a label from every version.
 *   item 1: a ok@1 then scratch@2; b ok@1            (relabel by a)
 *   item 2: a dent@1 then dent@2 then withdrawn; b dent@1
 *   item 3: c scratch@1 then ok@2 (c has nothing else in force)
 */
static void
t_version_views_keep_superseded_versions(void)
{
	const char *path = tmp("hist.accord");
	struct store *st = setup(path, 0);
	struct ratings r;
	struct ratings_view v;
	int a, b, c, L;

	if (st == NULL)
		return;
	label(path, 6, "a", 1, 1, "2024-03-04");
	label(path, 6, "b", 1, 1, "2024-03-04");
	label(path, 6, "a", 2, 2, "2024-06-04");
	label(path, 7, "a", 3, 1, "2024-03-04");
	label(path, 7, "b", 3, 1, "2024-03-04");
	label(path, 7, "a", 3, 2, "2024-06-04");
	label(path, 7, "a", 0, 2, "2024-06-05");
	label(path, 6, "c", 2, 1, "2024-03-04");
	label(path, 6, "c", 1, 2, "2024-06-04");
	if (build(st, &r) != 0) {
		store_close(st);
		return;
	}
	T_EQ_INT(r.nversions, 2);
	T_EQ_INT(r.nlabelers, 3);
	a = 0, b = 1, c = 2, L = r.nlabelers;
	/* Items 6 and 7 are rows 5 and 6. */
	ratings_view(&r, -1, 1, &v);
	T_EQ_INT(vcell(&v, 5, a), 0);	/* ok, as said under v1 */
	T_EQ_INT(vcell(&v, 5, b), 0);
	T_EQ_INT(vcell(&v, 5, c), 1);	/* scratch */
	T_EQ_INT(vcell(&v, 6, a), -1);	/* withdrawn: from v1 too */
	T_EQ_INT(vcell(&v, 6, b), 2);
	ratings_view_free(&v);
	ratings_view(&r, -1, 2, &v);
	T_EQ_INT(vcell(&v, 5, a), 1);
	T_EQ_INT(vcell(&v, 5, b), -1);
	T_EQ_INT(vcell(&v, 5, c), 0);
	T_EQ_INT(vcell(&v, 6, a), -1);	/* withdrawn */
	ratings_view_free(&v);
	/* Every version together: the labels in force only. */
	ratings_view(&r, -1, 0, &v);
	T_EQ_INT(vcell(&v, 5, a), 1);
	T_EQ_INT(vcell(&v, 5, c), 0);
	T_EQ_INT(vcell(&v, 6, a), -1);
	T_EQ_INT(vcell(&v, 6, b), 2);
	ratings_view_free(&v);
	ratings_free(&r);
	store_close(st);
}

/*
 * Paths: all at once with ratings_opts.paths, else none until
 * ratings_load_paths fetches the asked ones.  Items 8 and 9 are in a
 * second batch and item 10 back in the first, so the items_batch index
 * (batch, id) lists 10 before 8: the matrix must still be in id order.
 */
static void
t_paths_eager_lazy_and_item_order(void)
{
	const char *path = tmp("paths.accord");
	struct store *st = setup(path, 0);
	struct ratings_opts o = { .user = "root", .by = "batch" };
	struct ratings r, e;
	char *cause = NULL;
	int i, want[] = { 9, 1, 9, -1, 99 };

	if (st == NULL)
		return;
	x(path, "INSERT INTO batches (name, created_by, created_at) VALUES "
	    "('second', 'root', 'now');"
	    "INSERT INTO items (id, sha256, path, kind, format, bytes, batch, "
	    "imported_by, imported_at) VALUES "
	    "(8, printf('%064d', 8), '/data/8.png', 'image', 'png', 1, 2, "
	    "'root', 'now'), "
	    "(9, printf('%064d', 9), '/data/9.png', 'image', 'png', 1, 2, "
	    "'root', 'now'), "
	    "(10, printf('%064d', 10), '/data/10.png', 'image', 'png', 1, 1, "
	    "'root', 'now');");
	label(path, 10, "a", 1, 1, "2024-03-04");
	label(path, 8, "a", 2, 1, "2024-03-04");
	if (ratings_build(st, &o, &r, &cause) != 0) {
		T_FAIL("ratings_build: %s", cause);
		free(cause);
		store_close(st);
		return;
	}
	T_EQ_INT(r.nitems, 10);
	for (i = 0; i < r.nitems; i++)
		T_EQ_INT((int)r.item_ids[i], i + 1);
	T_CHECK(r.paths == NULL);
	/* Rows 7 and 9 (items 8, 10): their labels and batches. */
	T_EQ_INT(cell(&r, 7, 0), 1);
	T_EQ_INT(cell(&r, 9, 0), 0);
	T_EQ_STR(r.slices[r.slice[7]], "second");
	T_EQ_STR(r.slices[r.slice[9]], "b");
	T_EQ_INT(ratings_load_paths(st, &r, want, 5, &cause), 0);
	T_EQ_STR(r.paths[9], "/data/10.png");
	T_EQ_STR(r.paths[1], "/data/2.png");
	T_CHECK(r.paths[0] == NULL);
	T_CHECK(r.paths[8] == NULL);
	o.paths = 1;
	if (ratings_build(st, &o, &e, &cause) != 0) {
		T_FAIL("ratings_build: %s", cause);
		free(cause);
	} else {
		for (i = 0; i < e.nitems; i++)
			T_EQ_INT((int)e.item_ids[i], i + 1);
		T_EQ_STR(e.paths[0], "/data/1.png");
		T_EQ_STR(e.paths[9], "/data/10.png");
		T_EQ_STR(e.slices[e.slice[7]], "second");
		T_CHECK(same_labels(&e, &r));
		/* Everything is there already: nothing to fetch. */
		T_EQ_INT(ratings_load_paths(st, &e, want, 5, &cause), 0);
		ratings_free(&e);
	}
	ratings_free(&r);
	store_close(st);
}

static int
cmp_hist_fields(const void *a, const void *b)
{
	const struct ratings_hist *x = a, *y = b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	if (x->lab != y->lab)
		return x->lab < y->lab ? -1 : 1;
	if (x->guideline != y->guideline)
		return x->guideline < y->guideline ? -1 : 1;
	return (x->cls > y->cls) - (x->cls < y->cls);
}

/*
 * Without label days, ratings_build reads each item's packed label rows
 * (item_labels, schema 4) instead of the label rows: on one thread and on
 * two it must give what the label scan `scan` gave: the same labels and
 * versions, the same superseded labels (their order across items may
 * differ: compared sorted), and so the same view of every version.
 */
static void
same_by_item(struct store *st, const struct ratings *scan)
{
	struct ratings_opts o = { .user = "root", .threads = 1 };
	struct ratings it[2];
	char *cause = NULL;
	int t, v;

	for (t = 0; t < 2; t++) {
		o.threads = t == 0 ? 1 : 0;
		if (ratings_build(st, &o, &it[t], &cause) != 0) {
			T_FAIL("ratings_build by item: %s", cause);
			free(cause);
			if (t == 1)
				ratings_free(&it[0]);
			return;
		}
	}
	for (t = 0; t < 2; t++) {
		struct ratings_hist *a, *b;

		T_EQ_INT(it[t].nlabelers, scan->nlabelers);
		T_EQ_INT(it[t].nhist, scan->nhist);
		T_CHECK(same_labels(&it[t], scan));
		if (it[t].nhist != scan->nhist)
			continue;
		a = xcalloc((size_t)scan->nhist + 1, sizeof *a);
		b = xcalloc((size_t)scan->nhist + 1, sizeof *b);
		memcpy(a, scan->hist, (size_t)scan->nhist * sizeof *a);
		memcpy(b, it[t].hist, (size_t)scan->nhist * sizeof *b);
		qsort(a, (size_t)scan->nhist, sizeof *a, cmp_hist_fields);
		qsort(b, (size_t)scan->nhist, sizeof *b, cmp_hist_fields);
		T_EQ_INT(memcmp(a, b, (size_t)scan->nhist * sizeof *a), 0);
		free(a);
		free(b);
		for (v = 1; v <= 2; v++) {
			struct ratings_view x, y;

			ratings_view(scan, -1, v, &x);
			ratings_view(&it[t], -1, v, &y);
			T_EQ_INT(y.in.nitems, x.in.nitems);
			T_CHECK(same_view(&x, &y));
			ratings_view_free(&x);
			ratings_view_free(&y);
		}
	}
	/* One thread and two: the same list in the same order. */
	if (it[0].nhist == it[1].nhist)
		T_EQ_INT(memcmp(it[0].hist, it[1].hist, (size_t)it[0].nhist *
		    sizeof *it[0].hist), 0);
	ratings_free(&it[0]);
	ratings_free(&it[1]);
}

/*
 * ratings_view_items of a list of items must hold, row by row, what the
 * view of every item holds for them, under each version (with labels
 * kept for an older version: r.hist), and what a mask of them gives.
 */
static void
views_of_item_lists(const struct ratings *r)
{
	int *list = xcalloc((size_t)r->nitems + 1, sizeof *list);
	unsigned char *keep = xcalloc((size_t)r->nitems + 1, 1);
	int v, pick, n, i, k, bad = 0;

	for (v = 0; v <= 2; v++) {
		struct ratings_view all;

		ratings_view(r, -1, v, &all);
		for (pick = 0; pick < 4; pick++) {
			struct ratings_view it, mask;

			memset(keep, 0, (size_t)r->nitems);
			/* Every third item; those with a label kept for an
			 * older version; the last item; none. */
			for (k = 0; pick == 1 && k < r->nhist; k++)
				keep[r->hist[k].item] = 1;
			for (i = 0, n = 0; i < r->nitems; i++)
				if ((pick == 0 && i % 3 == 1) || (pick == 1 &&
				    keep[i]) || (pick == 2 && i == r->nitems - 1))
					list[n++] = i;
			for (k = 0; k < n; k++)
				keep[list[k]] = 1;
			ratings_view_items(r, list, n, v, &it);
			ratings_view_mask(r, keep, v, &mask);
			T_EQ_INT(it.in.nitems, n);
			T_CHECK(same_view(&it, &mask));
			for (k = 0; k < n; k++) {
				int a = all.in.start[list[k]], m = all.in.start[
				    list[k] + 1] - a, b = it.in.start[k];

				if (it.items[k] != list[k] || it.in.start[k + 1] -
				    b != m || memcmp(all.in.lab + a, it.in.lab + b,
				    (size_t)m * sizeof *it.in.lab) != 0 ||
				    memcmp(all.in.cls + a, it.in.cls + b,
				    (size_t)m * sizeof *it.in.cls) != 0)
					bad++;
			}
			if (pick == 1)
				T_CHECK(n > 1000);
			ratings_view_free(&it);
			ratings_view_free(&mask);
		}
		ratings_view_free(&all);
	}
	T_EQ_INT(bad, 0);
	free(list);
	free(keep);
}

/* A stop callback (ratings_opts.stop): yes once *left calls are used. */
static int
stop_after(void *arg)
{
	int *left = arg;

	return --*left < 0;
}

/*
 * The days of a matrix read without them, read later (the stats screen's
 * second step): exactly the days ratings_build gives with them, of the
 * same snapshot although labels were added since (a relabel, a new
 * labeler, a new item); and a refusal when the matrix is not what its
 * label rows give.  with: the matrix read with days at that snapshot.
 */
static void
days_read_later(struct store *st, const char *path,
    const struct ratings *with)
{
	struct ratings_opts o = { .user = "root" };
	struct ratings r;
	char *cause = NULL;
	int *day = NULL;
	long long last = 0;
	sqlite3 *db;

	if (ratings_build(st, &o, &r, &cause) != 0) {
		T_FAIL("ratings_build without days: %s", cause);
		free(cause);
		return;
	}
	T_CHECK(r.day == NULL);
	if (sqlite3_open(path, &db) == SQLITE_OK) {
		sqlite3_stmt *q;

		if (sqlite3_prepare_v2(db, "SELECT max(id) FROM labels", -1, &q,
		    NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
			last = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	T_EQ_INT(r.label_to, last);
	x(path, "INSERT INTO items (sha256, path, kind, format, bytes, batch, "
	    "imported_by, imported_at) VALUES (printf('%064d', 99999), "
	    "'/data/new.png', 'image', 'png', 10, 1, 'root', 'now');"
	    "INSERT INTO labels (item, labeler, class, guideline, created_at, "
	    "origin, recorded_by) VALUES (1, 'a', 3, 2, '2025-01-01', 'import', "
	    "'root'), (2, 'newcomer', 1, 1, '2025-01-02', 'import', 'root'), "
	    "((SELECT max(id) FROM items), 'b', 1, 1, '2025-01-03', 'import', "
	    "'root');");
	if (ratings_read_days(st, &o, &r, &day, &cause) != 0) {
		T_FAIL("ratings_read_days: %s", cause);
		free(cause);
	} else {
		T_CHECK(r.nlabels == with->nlabels && memcmp(day, with->day,
		    (size_t)r.nlabels * sizeof *day) == 0);
		free(day);
	}
	/*
	 * Asked to stop (the 160,000 rows are read on two threads when there
	 * are two CPUs, and the stop asked between chunks): it ends at once,
	 * nothing returned.
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		int left = 0;

		o.stop = stop_after;
		o.stop_arg = &left;
		day = NULL;
		T_EQ_INT(ratings_read_days(st, &o, &r, &day, &cause), -1);
		T_CHECK(day == NULL && cause != NULL &&
		    strcmp(cause, "stopped") == 0);
		T_EQ_INT(left, -1);
		free(day);
		free(cause);
		cause = NULL;
		o.stop = NULL;
	} else
		printf("# one CPU: the stop between chunks is not tested\n");
	/* A matrix its rows do not give: refused, nothing returned. */
	r.cls[r.nlabels / 2] = (r.cls[r.nlabels / 2] + 1) % r.nclasses;
	day = NULL;
	T_EQ_INT(ratings_read_days(st, &o, &r, &day, &cause), -1);
	T_CHECK(day == NULL && cause != NULL &&
	    strstr(cause, "labels of the matrix changed") != NULL);
	free(cause);
	ratings_free(&r);
}

/*
 * A view of one version borrows the matrix's own arrays when it holds
 * every label as it is (one guideline version, as most stores), and
 * copies when another version has labels.
 */
static void
t_view_of_the_only_version_borrows(void)
{
	struct store *st = setup(tmp("borrow.accord"), 0);
	struct ratings r;
	struct ratings_view v;
	unsigned char keep[7] = { 1, 1, 1, 1, 1, 1, 1 };

	if (st == NULL || build(st, &r) != 0) {
		store_close(st);
		return;
	}
	T_EQ_INT(r.nversions, 1);
	ratings_view(&r, -1, 1, &v);
	T_CHECK(v.in.lab == r.lab && v.in.start == r.start && v.lab_ == NULL);
	T_EQ_INT(v.in.nitems, 7);
	T_EQ_INT(vcell(&v, 2, 0), 1);	/* a's newer row: scratch */
	ratings_view_free(&v);
	ratings_view_mask(&r, keep, 1, &v);
	T_CHECK(v.in.lab == r.lab);
	ratings_view_free(&v);
	keep[3] = 0;
	ratings_view_mask(&r, keep, 1, &v);
	T_CHECK(v.in.lab != r.lab && v.in.nitems == 6);
	ratings_view_free(&v);
	ratings_free(&r);
	store_close(st);

	st = setup(tmp("borrow2.accord"), 1);
	if (st == NULL || build(st, &r) != 0) {
		store_close(st);
		return;
	}
	ratings_view(&r, -1, 1, &v);
	T_CHECK(v.in.lab != r.lab && v.lab_ != NULL);
	T_EQ_INT(v.in.start[7] - v.in.start[6], 0);	/* item 7: v2 only */
	ratings_view_free(&v);
	ratings_free(&r);
	store_close(st);
}

/*
 * 160,000 label rows on 20,000 items by 5 labelers, in random order:
 * relabels, withdrawals and two guideline versions, so rows of one cell
 * fall in chunks read by different threads.  The two-thread read must
 * give the matrix, days and per-version history of the one-thread read
 * exactly, and the cells in force must be the current_labels view's.
 */
static void
t_two_threads_read_what_one_reads(void)
{
	const char *path = tmp("threads.accord");
	struct store *st = setup(path, 0);
	struct ratings_opts o = { .user = "root", .days = 1, .threads = 1 };
	struct ratings one, two;
	sqlite3_stmt *q;
	sqlite3 *db = NULL;
	char *cause = NULL;
	int bad = 0, rows = 0;

	if (st == NULL)
		return;
	x(path, "WITH RECURSIVE n(x) AS (SELECT 8 UNION ALL SELECT x + 1 "
	    "FROM n WHERE x < 20000) INSERT INTO items (sha256, path, kind, "
	    "format, bytes, batch, imported_by, imported_at) SELECT "
	    "printf('%064d', x), '/data/' || x || '.png', 'image', 'png', 10, "
	    "1, 'root', 'now' FROM n;"
	    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
	    "WHERE x < 160000) INSERT INTO labels (item, labeler, class, "
	    "guideline, created_at, origin, recorded_by) SELECT "
	    "1 + abs(random()) % 20000, char(97 + abs(random()) % 5), "
	    "CASE WHEN abs(random()) % 20 = 0 THEN NULL "
	    "ELSE 1 + abs(random()) % 3 END, 1 + (x > 50000 AND "
	    "abs(random()) % 2 = 0), printf('2024-03-%02dT10:00:00Z', "
	    "1 + abs(random()) % 28), 'import', 'root' FROM n;"
	    /* Names the packed rows must read back (item_labels). */
	    "INSERT INTO labels (item, labeler, class, guideline, created_at, "
	    "origin, recorded_by) SELECT 1 + x * 97, CASE x % 2 WHEN 0 THEN "
	    "'x,y;z:1' ELSE 'zo\xc3\xab' END, 1 + x % 3, 1 + x % 2, "
	    "'2024-03-05', 'import', 'root' FROM (WITH RECURSIVE n(x) AS "
	    "(SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 199) SELECT x "
	    "FROM n);");
	if (ratings_build(st, &o, &one, &cause) != 0) {
		T_FAIL("ratings_build, one thread: %s", cause);
		free(cause);
		store_close(st);
		return;
	}
	o.threads = 0;
	if (ratings_build(st, &o, &two, &cause) != 0) {
		T_FAIL("ratings_build, two threads: %s", cause);
		free(cause);
		ratings_free(&one);
		store_close(st);
		return;
	}
	T_EQ_INT(two.nitems, one.nitems);
	T_EQ_INT(two.nlabelers, one.nlabelers);
	T_EQ_INT(two.nhist, one.nhist);
	T_CHECK(one.nhist > 1000);
	T_CHECK(same_labels(&two, &one));
	T_CHECK(two.day != NULL && one.day != NULL);
	if (two.nhist == one.nhist)
		T_EQ_INT(memcmp(two.hist, one.hist, (size_t)one.nhist *
		    sizeof *one.hist), 0);
	/* The labels in force, by SQL: class ids 1..3 are indexes 0..2. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, "SELECT item, labeler, class "
	    "FROM current_labels WHERE length(labeler) = 1", -1, &q, NULL) !=
	    SQLITE_OK) {
		T_FAIL("current_labels: %s", sqlite3_errmsg(db));
	} else {
		int filled = 0;
		size_t k;

		for (k = 0; k < (size_t)two.nlabels; k++)
			filled += two.lab[k] < 5;
		while (sqlite3_step(q) == SQLITE_ROW) {
			int i = ratings_item_index(&two,
			    sqlite3_column_int64(q, 0));
			int j = *(const char *)sqlite3_column_text(q, 1) - 'a';

			rows++;
			if (i < 0 || j < 0 || j >= two.nlabelers ||
			    cell(&two, i, j) != sqlite3_column_int(q, 2) - 1)
				bad++;
		}
		sqlite3_finalize(q);
		T_EQ_INT(bad, 0);
		T_EQ_INT(rows, filled);
		T_CHECK(rows > 50000);
	}
	sqlite3_close(db);
	T_EQ_INT(one.nlabelers, 7);
	same_by_item(st, &one);
	views_of_item_lists(&one);
	days_read_later(st, path, &one);
	ratings_free(&one);
	ratings_free(&two);
	store_close(st);
}

int
main(void)
{
	char cmd[300];
	int rc;

	if (t_mkdtemp(dir, sizeof dir, "ratings") == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(t_parse_day_matches_timegm);
	T_RUN(t_parse_day_refuses_what_is_not_a_date);
	T_RUN(t_day_iso_round_trips);
	T_RUN(t_day_of_each_label_in_force);
	T_RUN(t_trend_by_day);
	T_RUN(t_trend_by_week_and_version);
	T_RUN(t_version_views_keep_superseded_versions);
	T_RUN(t_view_of_the_only_version_borrows);
	T_RUN(t_paths_eager_lazy_and_item_order);
	T_RUN(t_two_threads_read_what_one_reads);
	rc = t_done();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return rc;
}
