/*
 * test_agree_report.c: the report accord agree and accord stats render
 * (agree_report_build), checked against figures this file computes itself
 * from the labels it wrote: per guideline version and all together,
 * percent agreement and Fleiss' kappa (docs/statistics.md), label counts
 * per class and labeler, slices by a metadata key, the hot list (vote
 * entropy, its order, the items' paths) and the trend's buckets, also
 * as the stats screen makes them after the report (ratings_read_days).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accord/agree_report.h"
#include "accord/project.h"
#include "accord/store.h"
#include "accord/util.h"
#include "t.h"

#define NI 12 /* items, ids 1..NI */
#define NL 3  /* labelers a, b, c */
#define NC 3  /* classes ok, scratch, dent: ids 1..3, indexes 0..2 */

/* Version 1 labels (class index; -1: c withdrew it afterwards). */
static const int v1[NI][NL] = {
	{ 0, 0, 0 }, { 0, 0, 1 }, { 1, 1, 1 }, { 2, 1, 0 }, { 2, 2, 2 },
	{ 0, 1, 1 }, { 1, 1, 1 }, { 0, 2, 2 }, { 2, 2, 2 }, { 0, 0, 2 },
	{ 1, 0, 1 }, { 2, 0, -1 },
};
/* Items 1..4 relabeled by a and b under version 2 (c keeps version 1's). */
static const int v2[4][2] = { { 1, 1 }, { 0, 0 }, { 1, 1 }, { 2, 2 } };

static char dir[256];
static char path[256];

/* Version 1 labels are made on day 4 + item % 3 of March 2024. */
static int
v1_day(int item)
{
	return 4 + item % 3;
}

static struct store *
setup(void)
{
	struct project_spec spec = { .task = "t", .media = MEDIA_KIND_IMAGE,
	    .classes = "ok,scratch,dent", .overlap = 3 };
	struct buf b = { 0 };
	struct store *st = NULL;
	sqlite3 *db;
	char *cause = NULL, *err = NULL;
	int i, j;

	snprintf(path, sizeof path, "%s/r.accord", dir);
	unlink(path);
	if (project_init(path, &spec, "root", &cause) != 0) {
		T_FAIL("project_init: %s", cause);
		free(cause);
		return NULL;
	}
	buf_printf(&b, "INSERT INTO batches (name, created_by, created_at) "
	    "VALUES ('b', 'root', 'now');"
	    "INSERT INTO guidelines (version, text, author, created_at, "
	    "reason) VALUES (2, 'v2', 'root', '2024-03-09', 'test');");
	for (i = 1; i <= NI; i++) {
		buf_printf(&b, "INSERT INTO items (sha256, path, kind, "
		    "format, bytes, batch, imported_by, imported_at) VALUES "
		    "(printf('%%064d', %d), '/data/%d.png', 'image', 'png', "
		    "10, 1, 'root', 'now');", i, i);
		/* Odd items north, even south, item 6 without a site. */
		if (i != 6)
			buf_printf(&b, "INSERT INTO item_meta (item, key, "
			    "value, source, created_at) VALUES (%d, 'site', "
			    "'%s', 't', 'now');", i, i % 2 ? "north" : "south");
	}
	for (i = 1; i <= NI; i++)
		for (j = 0; j < NL; j++)
			buf_printf(&b, "INSERT INTO labels (item, labeler, "
			    "class, guideline, created_at, origin, "
			    "recorded_by) VALUES (%d, '%c', %d, 1, "
			    "'2024-03-%02dT10:00:00Z', 'import', 'root');", i,
			    'a' + j, v1[i - 1][j] < 0 ? 1 : v1[i - 1][j] + 1,
			    v1_day(i));
	buf_printf(&b, "INSERT INTO labels (item, labeler, class, guideline, "
	    "created_at, origin, recorded_by) VALUES (%d, 'c', NULL, 1, "
	    "'2024-03-09T10:00:00Z', 'screen', 'root');", NI);
	for (i = 1; i <= 4; i++)
		for (j = 0; j < 2; j++)
			buf_printf(&b, "INSERT INTO labels (item, labeler, "
			    "class, guideline, created_at, origin, "
			    "recorded_by) VALUES (%d, '%c', %d, 2, "
			    "'2024-03-10T10:00:00Z', 'screen', 'root');", i,
			    'a' + j, v2[i - 1][j] + 1);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, b.s, NULL, NULL, &err) != SQLITE_OK)
		T_FAIL("sql: %s", err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	sqlite3_close(db);
	buf_free(&b);
	if (store_open(path, &st, &cause) != 0) {
		T_FAIL("store_open: %s", cause);
		free(cause);
	}
	return st;
}

/*
 * The matrix of guideline version `version` (0: the labels in force), as
 * this file knows it: version 1 keeps a and b's version 1 labels on items
 * 1..4 though version 2 superseded them (docs/statistics.md).
 */
static void
expected_matrix(int version, int m[NI][NL])
{
	int i, j;

	for (i = 0; i < NI; i++)
		for (j = 0; j < NL; j++) {
			int relabeled = i < 4 && j < 2;

			if (version == 1)
				m[i][j] = v1[i][j];
			else if (version == 2)
				m[i][j] = relabeled ? v2[i][j] : -1;
			else
				m[i][j] = relabeled ? v2[i][j] : v1[i][j];
		}
}

/* Percent agreement and Fleiss' kappa of the rows keep[] marks. */
static void
expected_stats(int m[NI][NL], const int *keep, double *pa, double *kappa)
{
	double sum_pa = 0, pi[NC] = { 0 }, pe = 0;
	int i, j, c, n2 = 0, n1 = 0;

	for (i = 0; i < NI; i++) {
		int n[NC] = { 0 }, mu = 0;

		if (!keep[i])
			continue;
		for (j = 0; j < NL; j++)
			if (m[i][j] >= 0) {
				n[m[i][j]]++;
				mu++;
			}
		if (mu >= 1) {
			n1++;
			for (c = 0; c < NC; c++)
				pi[c] += (double)n[c] / mu;
		}
		if (mu >= 2) {
			double s = 0;

			n2++;
			for (c = 0; c < NC; c++)
				s += n[c] * (n[c] - 1);
			sum_pa += s / (mu * (mu - 1));
		}
	}
	for (c = 0; c < NC; c++)
		pe += (pi[c] / n1) * (pi[c] / n1);
	*pa = sum_pa / n2;
	*kappa = (*pa - pe) / (1 - pe);
}

static double
entropy(const int *row)
{
	int n[NC] = { 0 }, j, c, mu = 0;
	double h = 0;

	for (j = 0; j < NL; j++)
		if (row[j] >= 0) {
			n[row[j]]++;
			mu++;
		}
	for (c = 0; c < NC; c++)
		if (n[c] > 0)
			h -= (double)n[c] / mu * log2((double)n[c] / mu);
	return h;
}

/* The run's figures over every item against this file's. */
static void
check_all(const struct agree_report *rep, const struct agree_report_run *u)
{
	static const char *const names[NL] = { "a", "b", "c" };
	int m[NI][NL], keep[NI], i, j, k;
	double pa, kappa;

	expected_matrix(u->version, m);
	for (i = 0; i < NI; i++)
		keep[i] = 1;
	expected_stats(m, keep, &pa, &kappa);
	T_CHECK(u->all.percent.defined && u->all.fleiss.defined);
	T_NEAR(u->all.percent.value, pa, 1e-12);
	T_NEAR(u->all.fleiss.value, kappa, 1e-12);
	/* Label counts per labeler and per class. */
	T_EQ_INT(rep->r.nlabelers, NL);
	for (j = 0; j < NL && j < rep->r.nlabelers; j++) {
		long long n = 0;

		for (i = 0; i < NI; i++)
			n += m[i][j] >= 0;
		T_EQ_STR(rep->r.labelers[j], names[j]);
		T_EQ_INT(u->all.labelers[j].nlabels, n);
	}
	for (k = 0; k < NC; k++) {
		long long n = 0;

		for (i = 0; i < NI; i++)
			for (j = 0; j < NL; j++)
				n += m[i][j] == k;
		T_EQ_INT(u->all.classes[k].nlabels, n);
	}
}

/* Slices by site: north (odd ids), south (even), item 6 in "(none)". */
static void
check_slices(const struct agree_report *rep,
    const struct agree_report_run *u)
{
	static const char *const names[] = { "north", "south",
		RATINGS_NO_SLICE };
	int m[NI][NL], keep[NI], i, s;
	double pa, kappa;

	expected_matrix(u->version, m);
	T_EQ_INT(rep->r.nslices, 3);
	T_CHECK(u->slices != NULL);
	for (s = 0; s < 3 && rep->r.nslices == 3 && u->slices; s++) {
		int n = 0;

		T_EQ_STR(rep->r.slices[s], names[s]);
		for (i = 0; i < NI; i++) {
			int id = i + 1;

			keep[i] = s == 2 ? id == 6 : id != 6 && id % 2 == !s;
			n += keep[i];
		}
		T_EQ_INT(u->slice_items[s], n);
		if (u->version == 2 && s == 2) {
			/* Item 6 has no label under version 2. */
			T_CHECK(!u->slices[s].percent.defined);
			continue;
		}
		expected_stats(m, keep, &pa, &kappa);
		T_NEAR(u->slices[s].percent.value, pa, 1e-12);
		/* One class only: chance agreement 1, kappa undefined. */
		if (isnan(kappa))
			T_CHECK(!u->slices[s].fleiss.defined);
		else
			T_NEAR(u->slices[s].fleiss.value, kappa, 1e-12);
	}
}

/* Hot list: highest entropy first, then more labels, then lower id. */
static void
check_top(const struct agree_report *rep, const struct agree_report_run *u,
    int top)
{
	int m[NI][NL], order[NI], nlab[NI], n = 0, i, j, k;
	double h[NI];

	expected_matrix(u->version, m);
	for (i = 0; i < NI; i++) {
		h[i] = entropy(m[i]);
		for (nlab[i] = 0, k = 0; k < NL; k++)
			nlab[i] += m[i][k] >= 0;
		if (h[i] > 0)
			order[n++] = i;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			int x = order[j - 1], y = order[j];

			if (h[y] > h[x] + 1e-12 || (fabs(h[y] - h[x]) <=
			    1e-12 && nlab[y] > nlab[x])) {
				order[j - 1] = y;
				order[j] = x;
			}
		}
	T_EQ_INT(u->ntop, n < top ? n : top);
	T_CHECK(rep->r.paths != NULL);
	for (i = 0; i < u->ntop && i < n && rep->r.paths; i++) {
		char want[32];

		T_EQ_INT(rep->r.item_ids[u->top[i].item], order[i] + 1);
		T_NEAR(u->top[i].entropy, h[order[i]], 1e-12);
		snprintf(want, sizeof want, "/data/%d.png", order[i] + 1);
		T_EQ_STR(rep->r.paths[u->top[i].item], want);
	}
}

/* The report of a fresh store with o; 0, or -1 (the test has failed). */
static int
build(const struct agree_report_opts *o, struct agree_report *rep)
{
	struct store *st = setup();
	char *cause = NULL;
	int rc;

	if (st == NULL)
		return -1;
	rc = agree_report_build(st, o, rep, &cause);
	if (rc != 0)
		T_FAIL("agree_report_build: %s", cause);
	free(cause);
	store_close(st);
	return rc;
}

static void
t_report_figures_match_independent_ones(void)
{
	struct agree_report_opts o;
	struct agree_report rep;
	int i;

	agree_report_opts_init(&o);
	o.user = "root";
	o.by = "site";
	o.each_version = 1;
	o.top = 4;
	o.agree.bootstrap = 0;
	if (build(&o, &rep) != 0)
		return;
	/* Each version with labels, then every version together. */
	T_EQ_INT(rep.nruns, 3);
	for (i = 0; i < rep.nruns; i++) {
		T_EQ_INT(rep.runs[i].version, i < 2 ? i + 1 : 0);
		check_all(&rep, &rep.runs[i]);
		check_slices(&rep, &rep.runs[i]);
		check_top(&rep, &rep.runs[i], o.top);
		/* No trend unless asked. */
		T_EQ_INT(rep.runs[i].trend.nbuckets, 0);
	}
	agree_report_free(&rep);
	T_CHECK(rep.runs == NULL && rep.r.start == NULL);
}

/*
 * One version only, and the trend: an item counts on the day of its
 * newest label in force (day buckets: March 4 to 10 is 7 days).
 */
static void
t_report_one_version_and_trend(void)
{
	struct agree_report_opts o;
	struct agree_report rep;
	int i, b, count[7] = { 0 };

	agree_report_opts_init(&o);
	o.user = "root";
	o.version = 0;
	o.top = 100;
	o.trend = 1;
	o.agree.bootstrap = 0;
	if (build(&o, &rep) != 0)
		return;
	T_EQ_INT(rep.nruns, 1);
	T_EQ_INT(rep.runs[0].version, 0);
	T_CHECK(rep.runs[0].slices == NULL);
	for (i = 1; i <= NI; i++)
		count[i <= 4 ? 6 : v1_day(i) - 4]++;
	T_EQ_INT(rep.runs[0].trend.unit, 1);
	T_EQ_INT(rep.runs[0].trend.nbuckets, 7);
	for (b = 0; b < rep.runs[0].trend.nbuckets && b < 7; b++)
		T_EQ_INT(rep.runs[0].trend.buckets[b].nitems, count[b]);
	{
		int m[NI][NL], keep[NI];
		double pa, kappa;

		expected_matrix(0, m);
		for (i = 0; i < NI; i++)
			keep[i] = i < 4;
		expected_stats(m, keep, &pa, &kappa);
		T_NEAR(rep.runs[0].trend.buckets[6].percent.value, pa, 1e-12);
	}
	check_all(&rep, &rep.runs[0]);
	/* The hot list keeps every split item when top allows. */
	check_top(&rep, &rep.runs[0], o.top);
	agree_report_free(&rep);
}

/* 1 when two statistics are the same, value to the last bit. */
static int
same_stat(const struct agree_stat *a, const struct agree_stat *b)
{
	return a->defined == b->defined && (!a->defined ||
	    memcmp(&a->value, &b->value, sizeof a->value) == 0);
}

/*
 * The stats screen's two steps: the report without trends, then each
 * label's day read for its matrix (ratings_read_days) and each run's
 * trend; they must give every bucket the one-step report gives, for each
 * guideline version (labels kept for version 1 by c, relabels under 2)
 * and all together.
 */
static void
t_trend_after_the_report_is_the_same(void)
{
	struct agree_report_opts o;
	struct agree_report one, two;
	struct ratings_opts ro = { .user = "root" };
	struct store *st = setup();
	char *cause = NULL;
	int f, b, *day = NULL, bad = 0;

	if (st == NULL)
		return;
	agree_report_opts_init(&o);
	o.user = "root";
	o.each_version = 1;
	o.agree.bootstrap = 0;
	o.trend = 1;
	if (agree_report_build(st, &o, &one, &cause) != 0) {
		T_FAIL("agree_report_build: %s", cause);
		free(cause);
		store_close(st);
		return;
	}
	o.trend = 0;
	if (agree_report_build(st, &o, &two, &cause) != 0) {
		T_FAIL("agree_report_build without trends: %s", cause);
		free(cause);
		agree_report_free(&one);
		store_close(st);
		return;
	}
	T_CHECK(two.r.day == NULL && two.r.nhist > 0);
	if (ratings_read_days(st, &ro, &two.r, &day, &cause) != 0) {
		T_FAIL("ratings_read_days: %s", cause);
		free(cause);
	} else {
		struct ratings r = two.r;

		r.day = day;
		T_EQ_INT(two.nruns, one.nruns);
		for (f = 0; f < one.nruns && f < two.nruns; f++) {
			const struct ratings_trend *a = &one.runs[f].trend;
			struct ratings_trend t;

			if (ratings_trend(&r, two.runs[f].version, &t,
			    &cause) != 0) {
				T_FAIL("ratings_trend: %s", cause);
				free(cause);
				cause = NULL;
				continue;
			}
			T_CHECK(a->nbuckets > 0);
			if (t.unit != a->unit || t.nbuckets != a->nbuckets ||
			    t.nundated != a->nundated)
				bad++;
			for (b = 0; b < t.nbuckets && b < a->nbuckets; b++)
				if (t.buckets[b].day != a->buckets[b].day ||
				    t.buckets[b].nitems != a->buckets[b].nitems ||
				    t.buckets[b].npairable !=
				    a->buckets[b].npairable ||
				    !same_stat(&t.buckets[b].percent,
				    &a->buckets[b].percent) ||
				    !same_stat(&t.buckets[b].fleiss,
				    &a->buckets[b].fleiss))
					bad++;
			ratings_trend_free(&t);
		}
		T_EQ_INT(bad, 0);
		free(day);
	}
	agree_report_free(&one);
	agree_report_free(&two);
	store_close(st);
}

/* Refusals (not a member, an unknown --by key) leave nothing to free. */
static void
t_report_refusals_leave_nothing(void)
{
	struct agree_report_opts o;
	struct agree_report rep;
	struct store *st = setup();
	char *cause = NULL;

	if (st == NULL)
		return;
	agree_report_opts_init(&o);
	o.user = "nobody-here";
	T_EQ_INT(agree_report_build(st, &o, &rep, &cause), -1);
	T_CHECK(cause != NULL);
	T_CHECK(rep.runs == NULL && rep.nruns == 0);
	free(cause);
	cause = NULL;
	/* A --by key no item has is an error too. */
	o.user = "root";
	o.by = "nokey";
	T_EQ_INT(agree_report_build(st, &o, &rep, &cause), -1);
	T_EQ_STR(cause, "no item has metadata key 'nokey'");
	T_CHECK(rep.runs == NULL && rep.nruns == 0);
	free(cause);
	store_close(st);
}

int
main(void)
{
	if (t_mkdtemp(dir, sizeof dir, "report") == NULL)
		return 1;
	T_RUN(t_report_figures_match_independent_ones);
	T_RUN(t_report_one_version_and_trend);
	T_RUN(t_trend_after_the_report_is_the_same);
	T_RUN(t_report_refusals_leave_nothing);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return t_done();
}
