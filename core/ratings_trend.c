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

int
ratings_trend(const struct ratings *r, int version, struct ratings_trend *out,
    char **cause)
{
	struct agree_opts o;
	int *newest, *count, *start, *order;
	unsigned char *keep;
	int i, j, b, lo = INT_MAX, hi = INT_MIN, first, L = r->nlabelers;
	int ret = 0;

	memset(out, 0, sizeof *out);
	if (r->day == NULL)
		return acc_error(cause, "the ratings were read without days "
		    "(ratings_opts.days)");
	newest = xcalloc((size_t)r->nitems + 1, sizeof *newest);
	for (i = 0; i < r->nitems; i++) {
		int labeled = 0, undated = 0;

		newest[i] = RATINGS_NO_DAY;
		for (j = 0; j < L; j++) {
			size_t k = (size_t)i * L + j;

			if (r->cells[k] < 0 || (version != 0 &&
			    r->guideline[k] != version))
				continue;
			labeled = 1;
			if (r->day[k] == RATINGS_NO_DAY)
				undated = 1;
			else if (r->day[k] > newest[i])
				newest[i] = r->day[k];
		}
		/* Without every label's day, which is newest is unknown. */
		if (labeled && undated) {
			out->nundated++;
			newest[i] = RATINGS_NO_DAY;
		} else if (labeled) {
			lo = newest[i] < lo ? newest[i] : lo;
			hi = newest[i] > hi ? newest[i] : hi;
		}
	}
	if (lo > hi) {
		free(newest);
		return 0;
	}
	out->unit = (long long)hi - lo + 1 <= RATINGS_TREND_DAYS ? 1 : 7;
	first = out->unit == 1 ? lo : week_start(lo);
	out->nbuckets = ((out->unit == 1 ? hi : week_start(hi)) - first) /
	    out->unit + 1;
	out->buckets = xcalloc((size_t)out->nbuckets, sizeof *out->buckets);

	/* Items by bucket (a counting sort keeps them ascending in each). */
	count = xcalloc((size_t)out->nbuckets + 1, sizeof *count);
	start = xcalloc((size_t)out->nbuckets + 1, sizeof *start);
	order = xcalloc((size_t)r->nitems + 1, sizeof *order);
	for (i = 0; i < r->nitems; i++)
		if (newest[i] != RATINGS_NO_DAY) {
			newest[i] = ((out->unit == 1 ? newest[i] :
			    week_start(newest[i])) - first) / out->unit;
			count[newest[i]]++;
		}
	for (b = 1; b <= out->nbuckets; b++)
		start[b] = start[b - 1] + count[b - 1];
	for (i = 0; i < r->nitems; i++)
		if (newest[i] != RATINGS_NO_DAY)
			order[start[newest[i]]++] = i;

	agree_opts_init(&o);
	o.bootstrap = 0;
	o.threads = 1;
	keep = xcalloc((size_t)r->nitems + 1, 1);
	for (b = 0, i = 0; b < out->nbuckets && ret == 0; b++) {
		struct ratings_bucket *bk = &out->buckets[b];
		struct ratings_view v;
		struct agree_result a;

		bk->day = first + b * out->unit;
		bk->nitems = count[b];
		if (count[b] == 0) {
			bk->percent.why = bk->fleiss.why = AGREE_WHY_NO_LABELS;
			continue;
		}
		memset(keep, 0, (size_t)r->nitems);
		for (j = i; j < i + count[b]; j++)
			keep[order[j]] = 1;
		i += count[b];
		ratings_view_mask(r, keep, version, &v);
		if (agree_compute(&v.in, &o, &a, cause) != 0)
			ret = -1;
		else {
			bk->npairable = a.npairable;
			bk->percent = a.percent;
			bk->fleiss = a.fleiss;
			agree_result_free(&a);
		}
		ratings_view_free(&v);
	}
	free(count);
	free(start);
	free(order);
	free(keep);
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
