/*
 * ratings_trend.c: agreement over time: the UTC day of each label's time,
 * and the statistics of the items completed in each day or week.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/ratings.h"
#include "accord/util.h"

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar:
 * H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * days_from_civil (eras of 400 years, March-based years).
 */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(long long y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : mdays[m - 1];
}

/* n digits at *p as a number, advancing *p; -1 when they are not there. */
static int
digits(const char **p, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int
ratings_parse_day(const char *s, int *day)
{
	const char *p = s;
	long long secs = 0, d;
	int y, mo, dd, h = 0, mi = 0, se = 0, off = 0;

	if (s == NULL || (y = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
	    (dd = digits(&p, 2)) < 1 || dd > days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' ||
		    (mi = digits(&p, 2)) < 0 || mi > 59)
			return -1;
		if (*p == ':') {
			p++;
			if ((se = digits(&p, 2)) < 0 || se > 60)
				return -1;
			if (*p == '.' || *p == ',') {
				if (!isdigit((unsigned char)*++p))
					return -1;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om = 0;

			if ((oh = digits(&p, 2)) < 0 || oh > 23)
				return -1;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) &&
			    ((om = digits(&p, 2)) < 0 || om > 59))
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	secs = days_from_civil(y, mo, dd) * 86400 + h * 3600 + mi * 60 + se -
	    off;
	d = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	*day = (int)d;
	return 0;
}

/* The inverse of days_from_civil: Hinnant's civil_from_days. */
void
ratings_day_iso(int day, char out[16])
{
	long long z = (long long)day + 719468, era, doe, yoe, y, doy, mp, d, m;
	char big[80];

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* Wide enough for any int day: nothing is cut. */
	snprintf(big, sizeof big, "%04lld-%02lld-%02lld", y, m, d);
	big[15] = '\0';
	memcpy(out, big, 16);
}

/* The Monday starting the week of day (1970-01-01 was a Thursday). */
static int
week_start(int day)
{
	return day - (int)((((long long)day + 3) % 7 + 7) % 7);
}

/*
 * The day of each item's newest label in force under version (0: any)
 * into newest[] (RATINGS_NO_DAY: none, or some label undated, counted in
 * out->nundated: which is newest is then unknown), and their range in
 * *lo, *hi (lo > hi: no dated item).
 */
static void
newest_days(const struct ratings *r, int version, int *newest,
    struct ratings_trend *out, int *lo, int *hi)
{
	int i, k;

	*lo = INT_MAX;
	*hi = INT_MIN;
	for (i = 0; i < r->nitems; i++) {
		int labeled = 0, undated = 0;

		newest[i] = RATINGS_NO_DAY;
		for (k = r->start[i]; k < r->start[i + 1]; k++) {
			if (version != 0 && r->guideline[k] != version)
				continue;
			labeled = 1;
			if (r->day[k] == RATINGS_NO_DAY)
				undated = 1;
			else if (r->day[k] > newest[i])
				newest[i] = r->day[k];
		}
		if (labeled && undated) {
			out->nundated++;
			newest[i] = RATINGS_NO_DAY;
		} else if (labeled) {
			*lo = newest[i] < *lo ? newest[i] : *lo;
			*hi = newest[i] > *hi ? newest[i] : *hi;
		}
	}
}

/*
 * The items by bucket, ascending in each (a counting sort): newest[i]
 * becomes item i's bucket, count[b] the items of bucket b, and order[]
 * the items of bucket 0, then of bucket 1, and so on.
 */
static void
items_by_bucket(const struct ratings *r, const struct ratings_trend *t,
    int first, int *newest, int *count, int *order)
{
	int *start = xcalloc((size_t)t->nbuckets + 1, sizeof *start);
	int i, b;

	for (i = 0; i < r->nitems; i++)
		if (newest[i] != RATINGS_NO_DAY) {
			newest[i] = ((t->unit == 1 ? newest[i] :
			    week_start(newest[i])) - first) / t->unit;
			count[newest[i]]++;
		}
	for (b = 1; b <= t->nbuckets; b++)
		start[b] = start[b - 1] + count[b - 1];
	for (i = 0; i < r->nitems; i++)
		if (newest[i] != RATINGS_NO_DAY)
			order[start[newest[i]]++] = i;
	free(start);
}

/*
 * The agreement of the n items at[], ascending.  A view of just these
 * items, not a mask over every item: at 1,000,000 items and 52 days the
 * masks walked every item 52 times, a tenth of the stats screen's time.
 */
static int
bucket_compute(const struct ratings *r, int version, const int *at, int n,
    struct ratings_bucket *bk, char **cause)
{
	struct agree_opts o;
	struct ratings_view v;
	struct agree_result a;
	int ret = 0;

	agree_opts_init(&o);
	o.bootstrap = 0;
	o.threads = 1;
	ratings_view_items(r, at, n, version, &v);
	if (agree_compute(&v.in, &o, &a, cause) != 0)
		ret = -1;
	else {
		bk->npairable = a.npairable;
		bk->percent = a.percent;
		bk->fleiss = a.fleiss;
		agree_result_free(&a);
	}
	ratings_view_free(&v);
	return ret;
}

int
ratings_trend(const struct ratings *r, int version, struct ratings_trend *out,
    char **cause)
{
	int *newest, *count, *order;
	int i, b, lo, hi, first, ret = 0;

	memset(out, 0, sizeof *out);
	if (r->day == NULL)
		return acc_error(cause, "the ratings were read without days "
		    "(ratings_opts.days)");
	newest = xcalloc((size_t)r->nitems + 1, sizeof *newest);
	newest_days(r, version, newest, out, &lo, &hi);
	if (lo > hi) {
		free(newest);
		return 0;
	}
	out->unit = (long long)hi - lo + 1 <= RATINGS_TREND_DAYS ? 1 : 7;
	first = out->unit == 1 ? lo : week_start(lo);
	out->nbuckets = ((out->unit == 1 ? hi : week_start(hi)) - first) /
	    out->unit + 1;
	out->buckets = xcalloc((size_t)out->nbuckets, sizeof *out->buckets);
	count = xcalloc((size_t)out->nbuckets + 1, sizeof *count);
	order = xcalloc((size_t)r->nitems + 1, sizeof *order);
	items_by_bucket(r, out, first, newest, count, order);
	for (b = 0, i = 0; b < out->nbuckets && ret == 0; b++) {
		struct ratings_bucket *bk = &out->buckets[b];

		bk->day = first + b * out->unit;
		bk->nitems = count[b];
		if (count[b] == 0) {
			bk->percent.why = bk->fleiss.why = AGREE_WHY_NO_LABELS;
			continue;
		}
		ret = bucket_compute(r, version, order + i, count[b], bk,
		    cause);
		i += count[b];
	}
	free(count);
	free(order);
	free(newest);
	if (ret != 0)
		ratings_trend_free(out);
	return ret;
}

void
ratings_trend_free(struct ratings_trend *t)
{
	free(t->buckets);
	memset(t, 0, sizeof *t);
}
