/*
 * screen_stats.c: the agreement dashboard (accord stats).
 *
 * Five panels, one on screen at a time: per guideline version, per class,
 * per labeler, the trend by day or week, and the hot list of the most
 * disagreed items.  Every figure comes from core's agreement report
 * (agree_report_build, as `accord agree` prints it), computed once at
 * start and again on `r`, for every guideline version and for all
 * versions together; the panels only draw it, and `v` only chooses which
 * result they show, so it costs nothing.  The loop is the label screen's:
 * key -> action through a table (which also makes the help) -> state ->
 * one draw.
 */
#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accord/agree_report.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "accord/util.h"
#include "screen.h"
#include "spark.h"
#include "ui.h"

#define MIN_COLS 80
#define MIN_ROWS 24
#define HOT_MAX 100
#define TOP 3	/* first row of a panel's body: status, tabs, header */

enum panel { P_VERSIONS, P_CLASSES, P_LABELERS, P_TREND, P_HOT, P_COUNT };

static const char *const panel_names[P_COUNT] = { "versions", "classes",
	"labelers", "trend", "hot list" };

enum action {
	ACT_NONE,
	ACT_NEXT,
	ACT_PREV,
	ACT_PANEL,	/* arg: the panel */
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_OPEN,
	ACT_RECOMPUTE,
	ACT_VERSION,
	ACT_HELP,
	ACT_REDRAW,
	ACT_QUIT,
};

/* The key table: data, so the help overlay is generated from it. */
static const struct keybind {
	int key;
	enum action action;
	const char *name;	/* NULL: an alias not listed separately */
	const char *help;
} keys[] = {
	{ '\t', ACT_NEXT, "Tab Right l", "next panel" },
	{ KEY_RIGHT, ACT_NEXT, NULL, NULL },
	{ 'l', ACT_NEXT, NULL, NULL },
	{ KEY_BTAB, ACT_PREV, "S-Tab Left h", "previous panel" },
	{ KEY_LEFT, ACT_PREV, NULL, NULL },
	{ 'h', ACT_PREV, NULL, NULL },
	{ '1', ACT_PANEL, "1 to 5", "go to a panel" },
	{ '2', ACT_PANEL, NULL, NULL },
	{ '3', ACT_PANEL, NULL, NULL },
	{ '4', ACT_PANEL, NULL, NULL },
	{ '5', ACT_PANEL, NULL, NULL },
	{ KEY_UP, ACT_UP, "Up Down k j", "select in the hot list, scroll "
	    "elsewhere" },
	{ 'k', ACT_UP, NULL, NULL },
	{ KEY_DOWN, ACT_DOWN, NULL, NULL },
	{ 'j', ACT_DOWN, NULL, NULL },
	{ KEY_PPAGE, ACT_PAGE_UP, "PgUp PgDn", "a page up / down" },
	{ KEY_NPAGE, ACT_PAGE_DOWN, NULL, NULL },
	{ '\r', ACT_OPEN, "Enter", "open the selected hot item in accord "
	    "review" },
	{ '\n', ACT_OPEN, NULL, NULL },
	{ KEY_ENTER, ACT_OPEN, NULL, NULL },
	{ 'v', ACT_VERSION, "v", "guideline version: all, then each in turn" },
	{ 'r', ACT_RECOMPUTE, "r", "recompute (the labels may have changed)" },
	{ '?', ACT_HELP, "?", "this help" },
	{ 12, ACT_REDRAW, "^L", "redraw the screen" },
	{ 'q', ACT_QUIT, "q", "quit" },
};

/* Everything one computation gives; replaced whole on `r`. */
struct stats_data {
	/* runs: each version with labels in order, then all versions */
	struct agree_report rep;
	double seconds;
	char when[16];	/* HH:MM:SS UTC of the computation */
};

struct screen {
	const char *db, *user;
	struct store *st;
	struct project proj;
	struct agree_opts ao;
	struct stats_data *d;	/* NULL until the first computation */
	int version;		/* the filter: 0 all, else a version */
	enum panel panel;
	int scroll[P_COUNT];
	int sel;		/* hot list selection */
	int body_rows;		/* rows of a panel's body at the last draw */
	int help;
	/*
	 * A computation runs on a worker thread, so the keys keep working
	 * (about 0.8 s on 200,000 items): the worker only reads the store
	 * (st, which nothing else uses meanwhile) and fills `fresh`; the
	 * screen takes it when `done` is set.
	 */
	int computing;		/* a worker is running */
	pthread_t worker;
	pthread_mutex_t mu;	/* guards done, fresh, fresh_cause */
	int done;
	struct stats_data *fresh;
	char *fresh_cause;
	char *msg;
	int msg_warn;
};

static volatile sig_atomic_t quit_signal;

static void
on_signal(int sig)
{
	(void)sig;
	quit_signal = 1;
}

static void set_msg(struct screen *s, int warn, const char *fmt, ...)
    ACC_PRINTF(3, 4);

static void
set_msg(struct screen *s, int warn, const char *fmt, ...)
{
	va_list ap;

	free(s->msg);
	va_start(ap, fmt);
	s->msg = xvasprintf(fmt, ap);
	va_end(ap);
	s->msg_warn = warn;
}

/* --- computing ---------------------------------------------------------- */

static void
data_free(struct stats_data *d)
{
	if (d == NULL)
		return;
	agree_report_free(&d->rep);
	free(d);
}

/* The version of result f: versions in order, then 0 (all). */
static int
res_version(const struct stats_data *d, int f)
{
	return d->rep.runs[f].version;
}

/* The result the filter shows. */
static int
filter_index(const struct screen *s)
{
	int f;

	for (f = 0; f < s->d->rep.r.nversions; f++)
		if (s->d->rep.r.versions[f] == s->version)
			return f;
	return s->d->rep.nruns - 1;
}

/*
 * Compute the report (agree_report_build: every figure comes from core,
 * the panels only draw it); NULL with *cause on failure.
 */
static struct stats_data *
data_compute(struct screen *s, char **cause)
{
	struct agree_report_opts o;
	struct stats_data *d = xcalloc(1, sizeof *d);
	double t0 = acc_monotonic();
	char now[32];

	agree_report_opts_init(&o);
	o.user = s->user;
	o.each_version = 1;
	o.top = HOT_MAX;
	o.trend = 1;
	o.agree = s->ao;
	if (agree_report_build(s->st, &o, &d->rep, cause) != 0) {
		free(d);
		return NULL;
	}
	d->seconds = acc_monotonic() - t0;
	acc_now_iso(now);
	snprintf(d->when, sizeof d->when, "%.8s", now + 11);
	return d;
}

static void *
compute_run(void *arg)
{
	struct screen *s = arg;
	char *cause = NULL;
	struct stats_data *d = data_compute(s, &cause);

	pthread_mutex_lock(&s->mu);
	s->fresh = d;
	s->fresh_cause = cause;
	s->done = 1;
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void take_result(struct screen *, struct stats_data *, char *);

/* Start a computation on the worker (or here, if no thread starts). */
static void
recompute(struct screen *s)
{
	char *cause = NULL;
	struct stats_data *d;

	if (s->computing) {
		set_msg(s, 0, "already computing");
		return;
	}
	s->done = 0;
	s->fresh = NULL;
	s->fresh_cause = NULL;
	if (pthread_create(&s->worker, NULL, compute_run, s) == 0) {
		s->computing = 1;
		if (s->d != NULL)
			set_msg(s, 0, "computing... (the figures shown are "
			    "from %s)", s->d->when);
		return;
	}
	d = data_compute(s, &cause);
	take_result(s, d, cause);
}

/* The worker is done: take its figures (or keep the old ones). */
static void
collect(struct screen *s)
{
	int done;

	if (!s->computing)
		return;
	pthread_mutex_lock(&s->mu);
	done = s->done;
	pthread_mutex_unlock(&s->mu);
	if (!done)
		return;
	pthread_join(s->worker, NULL);
	s->computing = 0;
	take_result(s, s->fresh, s->fresh_cause);
	s->fresh = NULL;
	s->fresh_cause = NULL;
}

/*
 * Show a computation's figures, keeping what was on screen when it
 * failed (the store may be busy, or the user's role gone): the message
 * says why.
 */
static void
take_result(struct screen *s, struct stats_data *d, char *cause)
{
	if (d == NULL) {
		set_msg(s, 1, "cannot compute: %s", cause ? cause : "?");
		free(cause);
		return;
	}
	data_free(s->d);
	s->d = d;
	/* A version that no longer has labels falls back to all. */
	if (s->version != 0 && filter_index(s) == d->rep.nruns - 1)
		s->version = 0;
	if (s->sel >= d->rep.runs[filter_index(s)].ntop)
		s->sel = 0;
	set_msg(s, 0, "computed in %.2f s: %d items, %d labelers, %d "
	    "guideline version%s with labels", d->seconds, d->rep.r.nitems,
	    d->rep.r.nlabelers, d->rep.r.nversions,
	    d->rep.r.nversions == 1 ? "" : "s");
}

/* --- opening an item in review ------------------------------------------ */

/*
 * Run `accord review DB --item ID` with the terminal handed over: curses
 * steps aside (def_prog_mode + endwin), the child gets the terminal, and
 * the screen is restored and redrawn whole after it.  Like system(3), the
 * parent ignores SIGINT and SIGQUIT while it waits, so ^C in the child
 * does not end the dashboard; the child gets them back at their defaults.
 */
static void
open_review(struct screen *s)
{
	struct sigaction ign, old_int, old_quit;
	const struct ratings_disagreed *t;
	char id[32];
	pid_t pid;
	int st = 0, f, err = 0;

	if (s->d == NULL)
		return;
	f = filter_index(s);
	if (s->sel >= s->d->rep.runs[f].ntop) {
		set_msg(s, 0, "no item to open");
		return;
	}
	t = &s->d->rep.runs[f].top[s->sel];
	snprintf(id, sizeof id, "%lld", s->d->rep.r.item_ids[t->item]);
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	def_prog_mode();
	endwin();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/proc/self/exe", "accord", "review", s->db, "--item", id,
		    (char *)NULL);
		fprintf(stderr, "accord: cannot run accord review: %s\n",
		    strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		err = errno;
	else
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	if (pid < 0)
		set_msg(s, 1, "cannot start accord review: %s", strerror(err));
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		set_msg(s, 0, "accord review --item %s exited with status 0; r "
		    "recomputes", id);
	else if (WIFEXITED(st))
		set_msg(s, 1, "accord review --item %s exited with status %d",
		    id, WEXITSTATUS(st));
	else
		set_msg(s, 1, "accord review --item %s ended by signal %d", id,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* --- drawing ------------------------------------------------------------ */

/* A statistic as 0.812, or a dash when undefined. */
static const char *
fmt_stat(char *out, size_t n, const struct agree_stat *st)
{
	if (st->defined)
		snprintf(out, n, "%.3f", st->value);
	else
		snprintf(out, n, "-");
	return out;
}

static const char *
fmt_ci(char *out, size_t n, const struct agree_ci *c)
{
	if (c->defined)
		snprintf(out, n, "[%.3f, %.3f]", c->lo, c->hi);
	else
		snprintf(out, n, "-");
	return out;
}

/*
 * The body of a panel: logical rows scrolled into the screen rows
 * TOP..TOP+rows-1.  put() counts the rows so scrolling can be bounded.
 */
struct body {
	int rows, scroll, n;
};

static void
put(struct body *b, int line, int x, int w, const char *text, int attr)
{
	int y = line - b->scroll;

	if (line + 1 > b->n)
		b->n = line + 1;
	if (y < 0 || y >= b->rows || w <= 0)
		return;
	if (attr == ui_attr(UI_SELECTED))
		ui_clear_to(TOP + y, x, w, attr);
	ui_print(TOP + y, x, w, text, attr);
}

/*
 * A sparkline of one figure across guideline versions (not "all"), at
 * most width characters: the newest versions when they do not all fit.
 */
static char *
version_spark(const struct stats_data *d, int width,
    const struct agree_stat *(*get)(const struct agree_result *, int),
    int arg)
{
	int nv = d->rep.r.nversions, from = nv > width ? nv - width : 0, f;
	double *v = xcalloc((size_t)nv + 1, sizeof *v);
	int *def = xcalloc((size_t)nv + 1, sizeof *def);
	char *line;

	for (f = from; f < nv; f++) {
		const struct agree_stat *st = get(&d->rep.runs[f].all, arg);

		v[f - from] = st->value;
		def[f - from] = st->defined;
	}
	line = spark_line(v, def, nv - from, ui_utf8());
	free(v);
	free(def);
	return line;
}

static const struct agree_stat *
get_fleiss(const struct agree_result *a, int i)
{
	(void)i;
	return &a->fleiss;
}

static const struct agree_stat *
get_hlp(const struct agree_result *a, int i)
{
	(void)i;
	return &a->team_hlp;
}

static const struct agree_stat *
get_percent(const struct agree_result *a, int i)
{
	(void)i;
	return &a->percent;
}

static const struct agree_stat *
get_class_specific(const struct agree_result *a, int i)
{
	return &a->classes[i].specific;
}

static const struct agree_stat *
get_class_hlp(const struct agree_result *a, int i)
{
	return &a->classes[i].hlp;
}

static const struct agree_stat *
get_labeler_hlp(const struct agree_result *a, int i)
{
	return &a->labelers[i].hlp;
}

/* "v1..v3" or "v2" under a version sparkline, as a label. */
static char *
versions_span(const struct stats_data *d, int width)
{
	int nv = d->rep.r.nversions, from = nv > width ? nv - width : 0;

	if (nv == 0)
		return xstrdup("no labels yet");
	if (nv - from == 1)
		return xasprintf("v%d", d->rep.r.versions[from]);
	return xasprintf("v%d..v%d%s", d->rep.r.versions[from],
	    d->rep.r.versions[nv - 1], from > 0 ? " (newest)" : "");
}

static void
draw_versions(struct screen *s, struct body *b)
{
	const struct stats_data *d = s->d;
	int f, line = 0, cur = filter_index(s), w = COLS - 2;
	char p[16], k[16], a[16], h[16], ci[40], row[256];

	ui_print(TOP - 1, 1, w, "version    items  labels  percent   kappa  "
	    "  alpha     HLP  HLP interval", ui_attr(UI_KEY));
	for (f = 0; f < d->rep.nruns; f++) {
		const struct agree_result *r = &d->rep.runs[f].all;
		char name[16];

		if (f < d->rep.r.nversions)
			snprintf(name, sizeof name, "v%d",
			    d->rep.r.versions[f]);
		else
			snprintf(name, sizeof name, "all");
		snprintf(row, sizeof row, "%-8s %7d %7lld  %7s %7s %7s %7s  %s",
		    name, r->nlabeled, r->nlabels,
		    fmt_stat(p, sizeof p, &r->percent),
		    fmt_stat(k, sizeof k, &r->fleiss),
		    fmt_stat(a, sizeof a, &r->alpha_nominal),
		    fmt_stat(h, sizeof h, &r->team_hlp),
		    fmt_ci(ci, sizeof ci, &r->team_hlp_ci));
		put(b, line++, 1, w, row, f == cur ? ui_attr(UI_SELECTED) :
		    ui_attr(UI_NORMAL));
	}
	line++;
	{
		static const struct {
			const char *name;
			const struct agree_stat *(*get)(const struct
			    agree_result *, int);
		} lines[] = {
			{ "kappa by version", get_fleiss },
			{ "HLP by version", get_hlp },
			{ "percent by version", get_percent },
		};
		int sw = w - 22 - 24, i;

		for (i = 0; i < 3; i++) {
			char *sp = version_spark(d, sw, lines[i].get, 0);
			char *span = versions_span(d, sw);

			put(b, line, 1, 20, lines[i].name, ui_attr(UI_DIM));
			put(b, line, 22, sw, sp, ui_attr(UI_KEY));
			put(b, line++, 22 + (d->rep.r.nversions < sw ?
			    d->rep.r.nversions : sw) + 2, 24, span,
			    ui_attr(UI_DIM));
			free(sp);
			free(span);
		}
	}
	line++;
	snprintf(row, sizeof row, "HLP interval: %d bootstrap replicates, "
	    "seed %llu, %.0f%%.  items: labeled under the version.",
	    s->ao.bootstrap, (unsigned long long)s->ao.seed,
	    s->ao.confidence * 100);
	put(b, line++, 1, w, row, ui_attr(UI_DIM));
	put(b, line++, 1, w, "The same figures as accord agree --guideline V "
	    "(a dash: undefined there).", ui_attr(UI_DIM));
}

static void
draw_classes(struct screen *s, struct body *b)
{
	const struct stats_data *d = s->d;
	const struct agree_result *r = &d->rep.runs[filter_index(s)].all;
	int c, w = COLS - 2, sw = (COLS - 48) / 2 - 2;
	char sp_[16], h[16], row[256];

	ui_print(TOP - 1, 1, 44, "class             labels  specific     HLP",
	    ui_attr(UI_KEY));
	ui_print(TOP - 1, 47, sw + 1, "specific/version", ui_attr(UI_KEY));
	ui_print(TOP - 1, 47 + sw + 2, sw, "HLP/version", ui_attr(UI_KEY));
	for (c = 0; c < r->nclasses; c++) {
		const struct agree_class *k = &r->classes[c];
		char *name = acc_printable(d->rep.r.classes[c]);
		char *s1 = version_spark(d, sw, get_class_specific, c);
		char *s2 = version_spark(d, sw, get_class_hlp, c);

		snprintf(row, sizeof row, "%-16.16s %7lld %9s %7s", name,
		    k->nlabels, fmt_stat(sp_, sizeof sp_, &k->specific),
		    fmt_stat(h, sizeof h, &k->hlp));
		put(b, c, 1, 44, row, k->borderline ? ui_attr(UI_BORDERLINE) :
		    ui_attr(UI_NORMAL));
		put(b, c, 47, sw, s1, ui_attr(UI_KEY));
		put(b, c, 47 + sw + 2, sw, s2, ui_attr(UI_KEY));
		free(name);
		free(s1);
		free(s2);
	}
	{
		char *span = versions_span(d, sw);

		snprintf(row, sizeof row, "specific: agreeing pairs / pairs "
		    "involving the class.  Sparklines: %s.", span);
		put(b, r->nclasses + 1, 1, w, row, ui_attr(UI_DIM));
		free(span);
	}
}

static void
draw_labelers(struct screen *s, struct body *b)
{
	const struct stats_data *d = s->d;
	const struct agree_result *r = &d->rep.runs[filter_index(s)].all;
	int i, w = COLS - 2, sw = COLS - 2 - 74;
	char ag[16], g[16], h[16], ci[40], row[256];

	if (sw < 4)
		sw = 4;
	snprintf(row, sizeof row, "%-16s %7s %7s %7s %7s  %s", "labeler",
	    "labels", "agree", "gold", "HLP", "HLP interval");
	ui_print(TOP - 1, 1, 72, row, ui_attr(UI_KEY));
	ui_print(TOP - 1, 75, w - 74, "HLP/version", ui_attr(UI_KEY));
	for (i = 0; i < r->nlabelers; i++) {
		const struct agree_labeler *l = &r->labelers[i];
		char *name = acc_printable(d->rep.r.labelers[i]);
		char *sp = version_spark(d, sw, get_labeler_hlp, i);

		snprintf(row, sizeof row, "%-16.16s %7lld %7s %7s %7s  %-16s",
		    name, l->nlabels, fmt_stat(ag, sizeof ag, &l->agree_others),
		    l->ngold ? fmt_stat(g, sizeof g, &l->gold_accuracy) : "-",
		    fmt_stat(h, sizeof h, &l->hlp),
		    fmt_ci(ci, sizeof ci, &l->hlp_ci));
		put(b, i, 1, 72, row, ui_attr(UI_NORMAL));
		put(b, i, 75, sw, sp, ui_attr(UI_KEY));
		free(name);
		free(sp);
	}
	put(b, r->nlabelers + 1, 1, w, "agree: this labeler's agreeing pairs "
	    "with the others; gold: accuracy on gold items (- none).",
	    ui_attr(UI_DIM));
}

static void
draw_trend(struct screen *s, struct body *b)
{
	const struct ratings_trend *t = &s->d->rep.runs[filter_index(s)].trend;
	int i, n, from, line = 0, w = COLS - 2, sw = COLS - 14;
	double *pv, *kv;
	int *pd, *kd;
	char *sp, row[256], first[16], last[16];
	const char *unit = t->unit == 7 ? "week" : "day";

	if (t->unit == 0) {
		put(b, 0, 1, w, "no labels under this filter", ui_attr(UI_DIM));
		return;
	}
	n = t->nbuckets > sw ? sw : t->nbuckets;
	from = t->nbuckets - n;
	pv = xcalloc((size_t)n, sizeof *pv);
	kv = xcalloc((size_t)n, sizeof *kv);
	pd = xcalloc((size_t)n, sizeof *pd);
	kd = xcalloc((size_t)n, sizeof *kd);
	for (i = 0; i < n; i++) {
		const struct ratings_bucket *bk = &t->buckets[from + i];

		pv[i] = bk->percent.value;
		pd[i] = bk->percent.defined;
		kv[i] = bk->fleiss.value;
		kd[i] = bk->fleiss.defined;
	}
	snprintf(row, sizeof row, "agreement by %s of each item's newest label "
	    "(%s buckets: the labels span %s %d days)", unit, unit,
	    t->unit == 7 ? "more than" : "at most", RATINGS_TREND_DAYS);
	put(b, line++, 1, w, row, ui_attr(UI_DIM));
	line++;
	put(b, line, 1, 10, "percent", ui_attr(UI_NORMAL));
	sp = spark_line(pv, pd, n, ui_utf8());
	put(b, line++, 12, sw, sp, ui_attr(UI_KEY));
	free(sp);
	put(b, line, 1, 10, "kappa", ui_attr(UI_NORMAL));
	sp = spark_line(kv, kd, n, ui_utf8());
	put(b, line++, 12, sw, sp, ui_attr(UI_KEY));
	free(sp);
	ratings_day_iso(t->buckets[from].day, first);
	ratings_day_iso(t->buckets[t->nbuckets - 1].day, last);
	/* The first date under the first bucket, the last under the last. */
	if (n == 1)
		snprintf(row, sizeof row, "%s", first);
	else if (n >= 2 * (int)strlen(first) + 2)
		snprintf(row, sizeof row, "%s%*s", first,
		    n - (int)strlen(first), last);
	else
		snprintf(row, sizeof row, "%s .. %s", first, last);
	put(b, line++, 12, sw, row, ui_attr(UI_DIM));
	if (from > 0) {
		snprintf(row, sizeof row, "(the newest %d of %d %ss)", n,
		    t->nbuckets, unit);
		put(b, line++, 12, sw, row, ui_attr(UI_DIM));
	}
	line++;
	snprintf(row, sizeof row, "%-12s %7s %9s %8s %7s", t->unit == 7 ?
	    "week of" : "day", "items", "pairable", "percent", "kappa");
	put(b, line++, 1, w, row, ui_attr(UI_KEY));
	/* Newest first: what changed lately is what the team asks about. */
	for (i = t->nbuckets - 1; i >= 0; i--) {
		const struct ratings_bucket *bk = &t->buckets[i];
		char p[16], k[16], day[16];

		if (bk->nitems == 0)
			continue;
		ratings_day_iso(bk->day, day);
		snprintf(row, sizeof row, "%-12s %7d %9d %8s %7s", day,
		    bk->nitems, bk->npairable, fmt_stat(p, sizeof p,
		    &bk->percent), fmt_stat(k, sizeof k, &bk->fleiss));
		put(b, line++, 1, w, row, ui_attr(UI_NORMAL));
	}
	if (t->nundated > 0) {
		snprintf(row, sizeof row, "%d item%s left out: a label's time "
		    "is not a date", t->nundated, t->nundated == 1 ? "" : "s");
		put(b, ++line, 1, w, row, ui_attr(UI_WARNING));
	}
	free(pv);
	free(kv);
	free(pd);
	free(kd);
}

/*
 * A path within width characters: its end, which names the file, with
 * "..." before it when the start does not fit.  Counts UTF-8 characters
 * (paths are rarely wide); caller frees.
 */
static char *
path_tail(const char *path, int width)
{
	const char *p = path + strlen(path);
	int n = 0;

	while (p > path) {
		const char *q = p - 1;

		while (q > path && ((unsigned char)*q & 0xc0) == 0x80)
			q--;
		if (n + 1 > width - 3 && q > path)
			return xasprintf("...%s", p);
		n++;
		p = q;
	}
	return xstrdup(path);
}

static void
draw_hot(struct screen *s, struct body *b)
{
	const struct stats_data *d = s->d;
	int f = filter_index(s), version = res_version(d, f), i, j;
	int w = COLS - 2, pw = (COLS - 10) / 2;
	const struct ratings_disagreed *top = d->rep.runs[f].top;

	ui_print(TOP - 1, 1, w, "entropy  path", ui_attr(UI_KEY));
	ui_print(TOP - 1, 10 + pw + 1, w - 10 - pw, "labels (Enter: review)",
	    ui_attr(UI_KEY));
	if (d->rep.runs[f].ntop == 0) {
		put(b, 0, 1, w, "no item has disagreeing labels under this "
		    "filter", ui_attr(UI_DIM));
		return;
	}
	/* Keep the selection on screen. */
	if (s->sel < b->scroll)
		b->scroll = s->sel;
	if (s->sel >= b->scroll + b->rows)
		b->scroll = s->sel - b->rows + 1;
	for (i = 0; i < d->rep.runs[f].ntop; i++) {
		int it = top[i].item, attr = i == s->sel ?
		    ui_attr(UI_SELECTED) : ui_attr(UI_NORMAL);
		struct buf l = { 0 };
		char e[16], *path;

		snprintf(e, sizeof e, "%5.2f", top[i].entropy);
		buf_puts(&l, "");
		for (j = 0; j < d->rep.r.nlabelers; j++) {
			size_t k = (size_t)it * d->rep.r.nlabelers + j;

			if (d->rep.r.cells[k] < 0 || (version != 0 &&
			    d->rep.r.guideline[k] != version))
				continue;
			buf_printf(&l, "%s%s=%s", l.len ? " " : "",
			    d->rep.r.labelers[j],
			    d->rep.r.classes[d->rep.r.cells[k]]);
		}
		if (d->rep.r.reference[it] >= 0)
			buf_printf(&l, " (adjudicated %s)",
			    d->rep.r.classes[d->rep.r.reference[it]]);
		put(b, i, 1, w, e, attr);
		path = path_tail(d->rep.r.paths[it], pw);
		put(b, i, 10, pw, path, attr);
		free(path);
		put(b, i, 10 + pw + 1, w - 10 - pw, l.s, attr);
		buf_free(&l);
	}
}

static void
draw_help(void)
{
	int w = COLS - 8, h = LINES - 4, y0 = 2, x0 = 4, y = y0 + 1, i;

	for (i = 0; i < h; i++)
		ui_clear_to(y0 + i, x0, w, ui_attr(UI_NORMAL));
	attron(ui_attr(UI_KEY));
	mvhline(y0, x0, ACS_HLINE, w);
	mvhline(y0 + h - 1, x0, ACS_HLINE, w);
	attroff(ui_attr(UI_KEY));
	ui_print(y++, x0 + 2, w - 4, "keys (any key closes)", ui_attr(UI_KEY));
	for (i = 0; i < (int)(sizeof keys / sizeof keys[0]) &&
	    y < y0 + h - 1; i++) {
		if (keys[i].name == NULL)
			continue;
		ui_print(y, x0 + 2, 14, keys[i].name, ui_attr(UI_KEY));
		ui_print(y++, x0 + 17, w - 19, keys[i].help, ui_attr(UI_NORMAL));
	}
	if (y + 1 < y0 + h - 1)
		ui_print(y + 1, x0 + 2, w - 4, "Figures: docs/guide.md, "
		    "accord stats; the same as accord agree.", ui_attr(UI_DIM));
}

static void
draw_status(struct screen *s)
{
	char *line, ver[32];
	int x = 1, p;

	if (s->version)
		snprintf(ver, sizeof ver, "v%d", s->version);
	else
		snprintf(ver, sizeof ver, "all");
	line = xasprintf(" accord stats | %s | guideline: %s | bootstrap %d, "
	    "seed %llu%s%s", s->proj.task, ver, s->ao.bootstrap,
	    (unsigned long long)s->ao.seed, s->d ? " | computed " : "",
	    s->d ? s->d->when : "");
	ui_clear_to(0, 0, COLS, ui_attr(UI_STATUS));
	ui_print(0, 0, COLS, line, ui_attr(UI_STATUS));
	free(line);
	for (p = 0; p < P_COUNT; p++) {
		char tab[32];

		snprintf(tab, sizeof tab, " %d %s ", p + 1, panel_names[p]);
		x += ui_print(1, x, COLS - x, tab, p == (int)s->panel ?
		    ui_attr(UI_SELECTED) : ui_attr(UI_DIM)) + 1;
	}
}

static void
draw(struct screen *s)
{
	struct body b;

	erase();
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		char m[128];

		snprintf(m, sizeof m, "accord stats needs a larger terminal: at "
		    "least %dx%d (this one is %dx%d)", MIN_COLS, MIN_ROWS, COLS,
		    LINES);
		ui_print(LINES / 2, 0, COLS, m, ui_attr(UI_WARNING));
		refresh();
		return;
	}
	draw_status(s);
	b.rows = LINES - TOP - 2;
	b.scroll = s->scroll[s->panel];
	b.n = 0;
	s->body_rows = b.rows;
	if (s->d == NULL)
		ui_print(LINES / 2, (COLS - 12) / 2, 12, s->computing ?
		    "computing..." : "no figures", ui_attr(UI_DIM));
	else {
		switch (s->panel) {
		case P_VERSIONS: draw_versions(s, &b); break;
		case P_CLASSES: draw_classes(s, &b); break;
		case P_LABELERS: draw_labelers(s, &b); break;
		case P_TREND: draw_trend(s, &b); break;
		case P_HOT: draw_hot(s, &b); break;
		case P_COUNT: break;
		}
		/* Scrolling stops where the content does. */
		if (s->panel != P_HOT && b.scroll > 0 && b.scroll > b.n - b.rows)
			b.scroll = b.n > b.rows ? b.n - b.rows : 0;
		s->scroll[s->panel] = b.scroll;
	}
	if (s->msg != NULL)
		ui_print(LINES - 2, 0, COLS, s->msg, s->msg_warn ?
		    ui_attr(UI_WARNING) : ui_attr(UI_NORMAL));
	ui_print(LINES - 1, 0, COLS, "keys: Tab panel  Up/Down select  Enter "
	    "review  v version  r recompute  ? help  q quit", ui_attr(UI_DIM));
	if (s->help)
		draw_help();
	refresh();
}

/* --- the loop ----------------------------------------------------------- */

static enum action
map_key(int key)
{
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].key == key)
			return keys[i].action;
	return ACT_NONE;
}

/* Up/Down and page keys: the selection in the hot list, else scrolling. */
static void
move_by(struct screen *s, int by)
{
	if (s->panel == P_HOT && s->d != NULL) {
		int n = s->d->rep.runs[filter_index(s)].ntop;

		s->sel += by;
		if (s->sel >= n)
			s->sel = n - 1;
		if (s->sel < 0)
			s->sel = 0;
		return;
	}
	s->scroll[s->panel] += by;
	if (s->scroll[s->panel] < 0)
		s->scroll[s->panel] = 0;
}

static void
next_version(struct screen *s)
{
	int f;

	if (s->d == NULL || s->d->rep.r.nversions == 0) {
		set_msg(s, 0, "no guideline version has labels");
		return;
	}
	f = filter_index(s);
	/* all -> first version -> ... -> last version -> all */
	f = f == s->d->rep.nruns - 1 ? 0 : f + 1;
	s->version = res_version(s->d, f);
	s->sel = 0;
	s->scroll[P_HOT] = 0;
	s->scroll[P_TREND] = 0;
	if (s->version)
		set_msg(s, 0, "guideline version %d: labels made under it",
		    s->version);
	else
		set_msg(s, 0, "every guideline version together");
}

static int
run(struct screen *s)
{
	int running = 1;

	recompute(s);
	draw(s);
	while (running && !quit_signal) {
		enum action a;
		wint_t wk;
		int r, key, was = s->computing;

		timeout(s->computing ? 50 : 250);
		r = get_wch(&wk);
		collect(s);
		if (r == ERR) {
			if (was && !s->computing)
				draw(s);
			continue;
		}
		key = (int)wk;
		if (r == KEY_CODE_YES && key == KEY_RESIZE) {
			clear();
			draw(s);
			continue;
		}
		if (s->help) {
			s->help = 0;
			draw(s);
			continue;
		}
		a = r == KEY_CODE_YES || wk < 0x80 ? map_key(key) : ACT_NONE;
		switch (a) {
		case ACT_NEXT:
			s->panel = (s->panel + 1) % P_COUNT;
			break;
		case ACT_PREV:
			s->panel = (s->panel + P_COUNT - 1) % P_COUNT;
			break;
		case ACT_PANEL:
			s->panel = (enum panel)(key - '1');
			break;
		case ACT_UP: move_by(s, -1); break;
		case ACT_DOWN: move_by(s, 1); break;
		case ACT_PAGE_UP: move_by(s, -(s->body_rows - 1)); break;
		case ACT_PAGE_DOWN: move_by(s, s->body_rows - 1); break;
		case ACT_OPEN:
			if (s->panel == P_HOT)
				open_review(s);
			else
				set_msg(s, 0, "Enter opens an item of the hot "
				    "list (5)");
			break;
		case ACT_RECOMPUTE: recompute(s); break;
		case ACT_VERSION: next_version(s); break;
		case ACT_HELP: s->help = 1; break;
		case ACT_REDRAW: clear(); break;
		case ACT_QUIT: running = 0; break;
		case ACT_NONE: break;
		}
		if (running)
			draw(s);
	}
	/* The worker reads the store: wait for it before closing that. */
	if (s->computing) {
		pthread_join(s->worker, NULL);
		s->computing = 0;
		data_free(s->fresh);
		free(s->fresh_cause);
		s->fresh = NULL;
		s->fresh_cause = NULL;
	}
	return 0;
}

int
screen_stats_run(const char *db, const char *user, const struct agree_opts *o)
{
	struct screen s;
	char *cause = NULL;
	int r;

	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.mu, NULL);
	s.db = db;
	s.user = user;
	s.ao = *o;
	if (store_open(db, &s.st, &cause) != 0 ||
	    project_load(s.st, &s.proj, &cause) != 0) {
		fprintf(stderr, "accord: %s: %s\n", db, cause);
		free(cause);
		project_free(&s.proj);
		store_close(s.st);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (ui_start(&cause) != 0) {
		fprintf(stderr, "accord: %s\n", cause);
		free(cause);
		r = 1;
	} else {
		r = run(&s);
		ui_stop();
	}
	data_free(s.d);
	pthread_mutex_destroy(&s.mu);
	free(s.msg);
	project_free(&s.proj);
	store_close(s.st);
	return r;
}
