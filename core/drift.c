/*
 * drift.c: PSI, two-sample Kolmogorov-Smirnov and chi-square between two
 * import batches (include/accord/drift.h; docs/statistics.md, "Drift").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accord/drift.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "accord/suggest.h"
#include "internal.h"

#define LABELS_ROW "labels"

double
drift_psi_counts(const long long *from, const long long *to, int nbins)
{
	long long nf = 0, nt = 0;
	double psi = 0;
	int b;

	for (b = 0; b < nbins; b++) {
		nf += from[b];
		nt += to[b];
	}
	/*
	 * Siddiqi, "Credit Risk Scorecards" (2006), ch. 8: PSI = sum (actual
	 * - expected) ln(actual / expected).  An empty bin would make the
	 * logarithm infinite; its share counts as DRIFT_PSI_EPSILON.
	 */
	for (b = 0; b < nbins; b++) {
		double p = (double)from[b] / (double)nf;
		double q = (double)to[b] / (double)nt;

		if (from[b] == 0)
			p = DRIFT_PSI_EPSILON;
		if (to[b] == 0)
			q = DRIFT_PSI_EPSILON;
		psi += (q - p) * log(q / p);
	}
	return psi;
}

int
drift_deciles(const double *sorted, int n, double *cut)
{
	int j, k = 0;

	for (j = 1; j < DRIFT_BINS; j++) {
		double v = sorted[(size_t)j * (size_t)n / DRIFT_BINS];

		if (k == 0 || v != cut[k - 1])
			cut[k++] = v;
	}
	return k;
}

/* The number of cut points <= x (cut ascending). */
static int
bin_of(const double *cut, int ncut, double x)
{
	int lo = 0, hi = ncut;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cut[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double
drift_psi(const double *a, int na, const double *b, int nb, int *nbins)
{
	double cut[DRIFT_BINS];
	long long from[DRIFT_BINS] = { 0 }, to[DRIFT_BINS] = { 0 };
	int ncut = drift_deciles(a, na, cut), i;

	for (i = 0; i < na; i++)
		from[bin_of(cut, ncut, a[i])]++;
	for (i = 0; i < nb; i++)
		to[bin_of(cut, ncut, b[i])]++;
	*nbins = ncut + 1;
	return drift_psi_counts(from, to, ncut + 1);
}

double
drift_kolmogorov_sf(double x)
{
	double sum = 0, term;
	int k;

	if (x <= 0)
		return 1;
	if (x < 1) {
		/*
		 * The alternating series converges slowly for small x; the
		 * theta-transformed one (Feller 1948, eq. 1.2) fast.
		 */
		double c = M_PI * M_PI / (8 * x * x);

		for (k = 1; k < 100; k++) {
			term = exp(-(double)(2 * k - 1) * (2 * k - 1) * c);
			sum += term;
			if (term < 1e-300 || term < sum * 1e-17)
				break;
		}
		return 1 - sqrt(2 * M_PI) / x * sum;
	}
	/* Kolmogorov (1933): P(K > x) = 2 sum (-1)^(k-1) exp(-2 k^2 x^2). */
	for (k = 1; k < 100; k++) {
		term = exp(-2.0 * k * k * x * x);
		sum += k % 2 ? term : -term;
		if (term < 1e-300 || term < sum * 1e-17)
			break;
	}
	sum *= 2;
	return sum < 0 ? 0 : sum > 1 ? 1 : sum;
}

/*
 * P(D >= h / n) for two samples of n each under the null hypothesis:
 * Gnedenko and Korolyuk (1951),
 *
 *   P = 2 sum_{k >= 1} (-1)^(k-1) C(2n, n - k h) / C(2n, n),
 *
 * summed from the innermost term out (Horner), each ratio of successive
 * binomials a product of h factors, so no binomial is ever formed and
 * nothing cancels: P = 2 A_0 (1 - A_1 (1 - A_2 (...))) with
 * A_k = C(2n, n - (k+1) h) / C(2n, n - k h).
 */
static double
ks_exact_square(int n, long long h)
{
	double p = 0;
	long long k, j;

	for (k = n / h; k >= 0; k--) {
		double a = 1;

		for (j = 0; j < h; j++)
			a *= (double)(n - k * h - j) /
			    (double)(n + k * h + j + 1);
		p = a * (1 - p);
	}
	p *= 2;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* floor(a / b) for b > 0, any sign of a. */
static long long
floor_div(long long a, long long b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/*
 * P(D >= d) for samples of m and n (m != n) under the null hypothesis,
 * by counting lattice paths (Hodges 1958, after Drion, Gnedenko and
 * Korolyuk).  The pooled sample in sorted order is a path from (0, 0) to
 * (m, n), a step right for a value of the first sample and up for one of
 * the second, every path equally likely; D >= d exactly when the path
 * touches a point with |i n - j m| >= t, t = d m n.  B(i, j), the share
 * of the paths to (i, j) that have touched such a point, is 1 there and
 * elsewhere
 *
 *   B(i, j) = (i B(i-1, j) + j B(i, j-1)) / (i + j)
 *
 * (there are C(i + j, i) paths to (i, j), C(i + j - 1, i - 1) of them
 * through (i - 1, j)), with B(0, 0) = 0; P = B(m, n).  Shares stay in
 * [0, 1], so nothing overflows, and a tiny P keeps its digits (1 - the
 * share that stayed inside would not).  One column at a time, over the
 * band of j inside it only: the band moves up with i, so the cells it
 * leaves are set to 1 as it goes, and those above it are 1 from the start.
 */
static double
ks_exact_paths(int m, int n, long long t)
{
	double *b = xmalloc(((size_t)n + 1) * sizeof *b), p;
	long long lo, hi, plo = 0, i, j;

	for (j = 0; j <= n; j++)
		b[j] = 1;
	/* Column 0: only steps up, inside while j m < t. */
	hi = (t - 1) / m;
	for (j = 0; j <= hi && j <= n; j++)
		b[j] = 0;
	for (i = 1; i <= m; i++) {
		/* Inside: i n - t < j m < i n + t. */
		lo = floor_div(i * n - t, m) + 1;
		hi = floor_div(i * n + t - 1, m);
		if (lo < 0)
			lo = 0;
		if (hi > n)
			hi = n;
		for (j = plo; j < lo && j <= n; j++)
			b[j] = 1;
		plo = lo;
		for (j = lo; j <= hi; j++)
			b[j] = ((double)i * b[j] + (j > 0 ?
			    (double)j * b[j - 1] : 0)) / (double)(i + j);
	}
	p = b[n];
	free(b);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

static long long
gcd_ll(long long a, long long b)
{
	while (b != 0) {
		long long r = a % b;

		a = b;
		b = r;
	}
	return a;
}

int
drift_ks_exact_p(int na, int nb, double d, double *p)
{
	long long g, lcm, h;

	if (na < 1 || nb < 1)
		return -1;
	g = gcd_ll(na, nb);
	lcm = (long long)(na / g) * nb;
	/* D is a multiple of 1 / lcm(na, nb): take the nearest. */
	h = llround(d * (double)lcm);
	if (h <= 0) {
		*p = 1;
		return 0;
	}
	if (na == nb) {
		*p = ks_exact_square(na, h);
		return 0;
	}
	if ((long long)na * nb > DRIFT_KS_EXACT_CELLS)
		return -1;
	*p = na > nb ? ks_exact_paths(na, nb, h * g) :
	    ks_exact_paths(nb, na, h * g);
	return 0;
}

void
drift_ks(const double *a, int na, const double *b, int nb, double *d,
    double *p, int *exact)
{
	int i = 0, j = 0;
	double best = 0, en;

	/*
	 * The empirical CDFs only change at sample values: after both
	 * samples have passed every value <= v, compare i/na with j/nb.
	 * This is scipy's ks_2samp (CDFs by searchsorted side='right' at
	 * every data point), so ties are handled alike.
	 */
	while (i < na || j < nb) {
		double v = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
		double diff;

		while (i < na && a[i] <= v)
			i++;
		while (j < nb && b[j] <= v)
			j++;
		diff = fabs((double)i / na - (double)j / nb);
		if (diff > best)
			best = diff;
	}
	*d = best;
	*exact = drift_ks_exact_p(na, nb, best, p) == 0;
	if (!*exact) {
		en = (double)na * nb / ((double)na + nb);
		*p = drift_kolmogorov_sf(sqrt(en) * best);
	}
}

/*
 * The regularised upper incomplete gamma Q(a, x): the series for P when
 * x < a + 1, else Lentz's continued fraction for Q (Press et al.,
 * "Numerical Recipes", 3rd ed., 6.2).
 */
static double
gamma_q(double a, double x)
{
	double lg = lgamma(a), sum, del, ap, b, c, dd, h, an;
	int n;

	if (x <= 0)
		return 1;
	if (x < a + 1) {
		ap = a;
		sum = del = 1 / a;
		for (n = 0; n < 10000; n++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-16)
				break;
		}
		return 1 - sum * exp(-x + a * log(x) - lg);
	}
	b = x + 1 - a;
	c = 1 / 1e-300;
	dd = 1 / b;
	h = dd;
	for (n = 1; n < 10000; n++) {
		an = -n * (n - a);
		b += 2;
		dd = an * dd + b;
		if (fabs(dd) < 1e-300)
			dd = 1e-300;
		c = b + an / c;
		if (fabs(c) < 1e-300)
			c = 1e-300;
		dd = 1 / dd;
		del = dd * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return exp(-x + a * log(x) - lg) * h;
}

double
drift_chi2_sf(double x, int df)
{
	return gamma_q(df / 2.0, x / 2.0);
}

/* Report */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
cmp_shift(const void *a, const void *b)
{
	const struct drift_shift *x = a, *y = b;

	if (x->psi != y->psi)
		return x->psi > y->psi ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The mean as a running mean, each step a difference of two values at most
 * DBL_MAX / 2 in size: a sum of finite values can overflow (four values of
 * 1e308 summed to inf, printed as the mean), the running mean of finite
 * values never does.
 */
static double
mean(const double *v, int n)
{
	double m = 0;
	int i;

	for (i = 0; i < n; i++)
		m += v[i] / (i + 1) - m / (i + 1);
	return m;
}

static void
add_shift(struct drift_report *rep, struct drift_shift *s)
{
	rep->shifts = xreallocarray(rep->shifts, (size_t)rep->nshifts + 1,
	    sizeof *rep->shifts);
	rep->shifts[rep->nshifts++] = *s;
}

/* The values of one key in both batches, collected as rows stream by. */
struct key_acc {
	char *key;
	int text; /* some value is text: not a numeric key */
	double *v[2];
	int n[2], cap[2];
};

static void
acc_push(struct key_acc *k, int side, double x)
{
	if (k->n[side] == k->cap[side]) {
		k->cap[side] = k->cap[side] ? k->cap[side] * 2 : 64;
		k->v[side] = xreallocarray(k->v[side], (size_t)k->cap[side],
		    sizeof *k->v[side]);
	}
	k->v[side][k->n[side]++] = x;
}

/*
 * The value in force of one item (item < 0: none yet).  Metadata CSV
 * columns are stored as text, so text that is a whole number counts as
 * one ("12", "0.5"); other text makes the key non-numeric.
 */
static void
acc_value(struct key_acc *k, long long item, int type, int side, double v,
    const char *text)
{
	if (item < 0 || type == SQL_COL_NULL)
		return;
	if (type == SQL_COL_TEXT || type == SQL_COL_BLOB) {
		if (type == SQL_COL_BLOB || acc_parse_double(text, &v) != 0 ||
		    !isfinite(v)) {
			k->text = 1;
			return;
		}
	}
	acc_push(k, side, v);
}

/* Close a key: a shift when it is numeric with values in both batches. */
static void
acc_flush(struct drift_report *rep, struct key_acc *k)
{
	struct drift_shift s;

	if (k->key != NULL && !k->text && k->n[0] > 0 && k->n[1] > 0) {
		memset(&s, 0, sizeof s);
		qsort(k->v[0], (size_t)k->n[0], sizeof(double), cmp_double);
		qsort(k->v[1], (size_t)k->n[1], sizeof(double), cmp_double);
		s.name = xstrdup(k->key);
		s.n_from = k->n[0];
		s.n_to = k->n[1];
		s.mean_from = mean(k->v[0], k->n[0]);
		s.mean_to = mean(k->v[1], k->n[1]);
		s.psi = drift_psi(k->v[0], k->n[0], k->v[1], k->n[1], &s.bins);
		drift_ks(k->v[0], k->n[0], k->v[1], k->n[1], &s.ks_d,
		    &s.ks_p, &s.ks_exact);
		add_shift(rep, &s);
	}
	free(k->key);
	free(k->v[0]);
	free(k->v[1]);
	memset(k, 0, sizeof *k);
}

/*
 * Every metadata value of the two batches' items, by key, item and age:
 * the last row of an (item, key) is the value in force (current_meta).
 * A NULL in force means no value; a text value makes the key non-numeric.
 */
static int
read_metrics(struct store *st, long long from_id, long long to_id,
    struct drift_report *rep, char **cause)
{
	struct sql_stmt *s;
	struct key_acc k = { 0 };
	long long item = -1;
	char *text = NULL, *q;
	int rc, side = 0, type = SQL_COL_NULL;
	double val = 0;

	q = xasprintf("SELECT m.key, m.item, i.batch = ?2, %s FROM item_meta m "
	    "JOIN items i ON i.id = m.item WHERE i.batch IN (?1, ?2) ORDER BY "
	    "m.key, m.item, m.id", sql_meta_value(st));
	rc = sql_prepare(st, q, &s, cause);
	free(q);
	if (rc != 0)
		return -1;
	sql_bind_int(s, 1, from_id);
	sql_bind_int(s, 2, to_id);
	while ((rc = sql_step(s)) == SQL_ROW) {
		const char *key = sql_text(s, 0);
		long long it = sql_col_int64(s, 1);
		int newkey = k.key == NULL || strcmp(k.key, key) != 0;

		if (newkey || it != item) {
			acc_value(&k, item, type, side, val, text);
			item = it;
		}
		if (newkey) {
			acc_flush(rep, &k);
			k.key = xstrdup(key);
		}
		type = meta_type(s, 3);
		free(text);
		text = xstrdup(sql_text(s, 3));
		val = sql_col_double(s, 5);
		side = sql_col_int(s, 2);
	}
	acc_value(&k, item, type, side, val, text);
	free(text);
	acc_flush(rep, &k);
	sql_finalize(st, s);
	if (rc != SQL_DONE)
		return sql_fail(st, cause, "cannot read metadata");
	return 0;
}

/* PSI and Pearson's chi-square (2 x classes used) of the label counts. */
static void
label_shift(struct drift_report *rep)
{
	struct drift_shift s;
	long long *f = rep->labels_from, *t = rep->labels_to, nf = 0, nt = 0;
	int c, used = 0;

	for (c = 0; c < rep->nclasses; c++) {
		nf += f[c];
		nt += t[c];
	}
	if (nf == 0 || nt == 0)
		return;
	memset(&s, 0, sizeof s);
	s.name = xstrdup(LABELS_ROW);
	s.labels = 1;
	s.n_from = nf;
	s.n_to = nt;
	s.bins = rep->nclasses;
	s.psi = drift_psi_counts(f, t, rep->nclasses);
	/*
	 * Pearson (1900), test of homogeneity: expected counts R_b C_c / N;
	 * classes no label of either batch used take no part.
	 */
	for (c = 0; c < rep->nclasses; c++) {
		double col = (double)(f[c] + t[c]), ef, et;

		if (col == 0)
			continue;
		used++;
		ef = (double)nf * col / (double)(nf + nt);
		et = (double)nt * col / (double)(nf + nt);
		s.chi2 += (f[c] - ef) * (f[c] - ef) / ef +
		    (t[c] - et) * (t[c] - et) / et;
	}
	s.chi2_df = used - 1;
	s.chi2_p = s.chi2_df > 0 ? drift_chi2_sf(s.chi2, s.chi2_df) : 1;
	add_shift(rep, &s);
}

int
drift_report(struct store *st, const char *user, const char *from,
    const char *to, struct drift_report *out, char **cause)
{
	struct ratings_opts ro = { 0 };
	struct ratings r;
	long long fid, tid;
	int i, j, c, sf = -1, stt = -1;

	memset(out, 0, sizeof *out);
	if (project_require(st, user, ROLE_SME, "drift", cause) != 0)
		return -1;
	if (suggest_batch_id(st, from, &fid, cause) != 0 ||
	    suggest_batch_id(st, to, &tid, cause) != 0)
		return -1;
	if (fid == tid)
		return acc_error(cause, "--from and --to name the same batch");
	ro.user = user;
	ro.by = "batch";
	if (ratings_build(st, &ro, &r, cause) != 0)
		return -1;
	out->from = xstrdup(from);
	out->to = xstrdup(to);
	out->nclasses = r.nclasses;
	out->classes = xcalloc((size_t)r.nclasses + 1, sizeof *out->classes);
	out->labels_from = xcalloc((size_t)r.nclasses + 1,
	    sizeof *out->labels_from);
	out->labels_to = xcalloc((size_t)r.nclasses + 1,
	    sizeof *out->labels_to);
	for (c = 0; c < r.nclasses; c++)
		out->classes[c] = xstrdup(r.classes[c]);
	for (i = 0; i < r.nslices; i++) {
		if (strcmp(r.slices[i], from) == 0)
			sf = i;
		if (strcmp(r.slices[i], to) == 0)
			stt = i;
	}
	for (i = 0; i < r.nitems; i++) {
		long long *cnt;

		if (r.slice[i] == sf)
			out->items_from++;
		else if (r.slice[i] == stt)
			out->items_to++;
		else
			continue;
		cnt = r.slice[i] == sf ? out->labels_from : out->labels_to;
		for (j = r.start[i]; j < r.start[i + 1]; j++)
			cnt[r.cls[j]]++;
	}
	ratings_free(&r);
	if (read_metrics(st, fid, tid, out, cause) != 0) {
		drift_report_free(out);
		return -1;
	}
	label_shift(out);
	qsort(out->shifts, (size_t)out->nshifts, sizeof *out->shifts,
	    cmp_shift);
	return 0;
}

void
drift_report_free(struct drift_report *rep)
{
	int i;

	for (i = 0; i < rep->nshifts; i++)
		free(rep->shifts[i].name);
	free(rep->shifts);
	for (i = 0; i < rep->nclasses && rep->classes != NULL; i++)
		free(rep->classes[i]);
	free(rep->classes);
	free(rep->labels_from);
	free(rep->labels_to);
	free(rep->from);
	free(rep->to);
	memset(rep, 0, sizeof *rep);
}
