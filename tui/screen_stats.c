/*
 * screen_stats.c: the agreement dashboard (accord stats).
 *
 * Five panels, one on screen at a time: per guideline version, per class,
 * per labeler, the trend by day or week, and the hot list of the most
 * disagreed items.  Every figure comes from core's agreement report
 * (agree_report_build, as `accord agree` prints it), computed once at
 * start and again on `r`, for every guideline version and for all
 * versions together; the panels only draw it, and `v` only chooses which
 * result they show, so it costs nothing.  The trend comes second: it
 * needs each label's day, which only the label rows hold, and reading
 * those was two thirds of the first screen's time at 1,000,000 items;
 * so the worker reads them after the first figures are shown, of the
 * same snapshot (ratings_read_days).  The loop is the label screen's:
 * key -> action through a table (which also makes the help) -> state ->
 * one draw.
 */
#include <curses.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "accord/agree_report.h"
#include "accord/project.h"
#include "accord/ratings.h"
#include "accord/util.h"
#include "media_pane.h"
#include "screen.h"
#include "stats_panels.h"
#include "ui.h"

#define MIN_COLS 80
#define MIN_ROWS 24
#define HOT_MAX 100

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
	/*
	 * runs: each version with labels in order, then all versions; their
	 * trends are zero until the worker's second step fills them.
	 */
	struct agree_report rep;
	double seconds;
	char when[16];	/* HH:MM:SS UTC of the computation */
	int trend;	/* 0: being computed, 1: in rep, -1: failed */
	char *trend_cause;	/* why it failed */
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
	 * screen takes it when `done` is set.  Then the worker computes the
	 * trends of those figures (only reading them, as the screen does)
	 * into `trends`, one per run, and sets `finished`; the screen joins
	 * it and puts them in.  `cancel` asks it to stop before the trends
	 * (r pressed meanwhile: `again` starts the next computation).
	 */
	int computing;		/* a worker is running */
	int taken;		/* its first figures are on screen */
	int again;		/* recompute when it finishes */
	pthread_t worker;
	pthread_mutex_t mu;	/* guards the five below */
	int done, finished, cancel;
	struct stats_data *fresh;
	char *fresh_cause;
	struct ratings_trend *trends;	/* rep.nruns, or NULL */
	char *trends_cause;
	struct pane_msg msg;
};

/* --- computing ---------------------------------------------------------- */

static void
data_free(struct stats_data *d)
{
	if (d == NULL)
		return;
	agree_report_free(&d->rep);
	free(d->trend_cause);
	free(d);
}

/* Trends as the worker made them (runs of rep), not yet put in. */
static void
trends_free(const struct agree_report *rep, struct ratings_trend *t)
{
	int f;

	if (t == NULL)
		return;
	for (f = 0; f < rep->nruns; f++)
		ratings_trend_free(&t[f]);
	free(t);
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
	o.trend = 0;	/* trends_compute, after the first screen */
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

/* Whether the worker is asked to stop (ratings_opts.stop). */
static int
cancelled(void *arg)
{
	struct screen *s = arg;
	int c;

	pthread_mutex_lock(&s->mu);
	c = s->cancel;
	pthread_mutex_unlock(&s->mu);
	return c;
}

/*
 * The trend of each run of d, as agree_report_build's trend option gives
 * it, with the days of d's own labels (ratings_read_days reads them for
 * d's snapshot).  d is only read: the screen draws it meanwhile.  NULL
 * with *cause on failure, or without one when cancelled.
 */
static struct ratings_trend *
trends_compute(struct screen *s, const struct stats_data *d, char **cause)
{
	const struct agree_report *rep = &d->rep;
	struct ratings r = rep->r;	/* a shallow copy, given the days */
	struct ratings_opts o = { 0 };
	struct ratings_trend *t;
	int f, *day;

	o.user = s->user;
	o.stop = cancelled;
	o.stop_arg = s;
	if (ratings_read_days(s->st, &o, &rep->r, &day, cause) != 0) {
		if (cancelled(s)) {
			free(*cause);
			*cause = NULL;
		}
		return NULL;
	}
	r.day = day;
	t = xcalloc((size_t)rep->nruns + 1, sizeof *t);
	for (f = 0; f < rep->nruns; f++) {
		if (cancelled(s)) {
			trends_free(rep, t);
			t = NULL;
			break;
		}
		/* A shared run is the run before's: given its trend later. */
		if (!rep->runs[f].shared && ratings_trend(&r,
		    rep->runs[f].version, &t[f], cause) != 0) {
			trends_free(rep, t);
			t = NULL;
			break;
		}
	}
	free(day);
	return t;
}

static void *
compute_run(void *arg)
{
	struct screen *s = arg;
	char *cause = NULL, *tcause = NULL;
	struct stats_data *d = data_compute(s, &cause);
	struct ratings_trend *t = NULL;

	pthread_mutex_lock(&s->mu);
	s->fresh = d;
	s->fresh_cause = cause;
	s->done = 1;
	pthread_mutex_unlock(&s->mu);
	if (d != NULL && !cancelled(s))
		t = trends_compute(s, d, &tcause);
	pthread_mutex_lock(&s->mu);
	s->trends = t;
	s->trends_cause = tcause;
	s->finished = 1;
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void take_result(struct screen *, struct stats_data *, char *);
static void take_trends(struct screen *);

/* Start a computation on the worker (or here, if no thread starts). */
static void
recompute(struct screen *s)
{
	char *cause = NULL;
	struct stats_data *d;

	if (s->computing && !s->taken) {
		pane_msg_set(&s->msg, 0, "already computing");
		return;
	}
	if (s->computing) {
		/*
		 * Only the trend of the figures shown is left: stop it and
		 * start again when the worker has stopped (collect).
		 */
		pthread_mutex_lock(&s->mu);
		s->cancel = 1;
		pthread_mutex_unlock(&s->mu);
		s->again = 1;
		if (s->d != NULL)
			pane_msg_set(&s->msg, 0, "computing... (the figures "
			    "shown are from %s)", s->d->when);
		return;
	}
	s->done = s->finished = s->cancel = s->taken = 0;
	s->fresh = NULL;
	s->fresh_cause = NULL;
	s->trends = NULL;
	s->trends_cause = NULL;
	if (pthread_create(&s->worker, NULL, compute_run, s) == 0) {
		s->computing = 1;
		if (s->d != NULL)
			pane_msg_set(&s->msg, 0, "computing... (the figures "
			    "shown are from %s)", s->d->when);
		return;
	}
	d = data_compute(s, &cause);
	take_result(s, d, cause);
	if (d != NULL) {
		struct ratings_trend *t = trends_compute(s, d, &cause);

		s->trends = t;
		s->trends_cause = cause;
		take_trends(s);
	}
}

/*
 * Put the worker's trends into the figures they were computed for (on
 * screen since its first step), or say why there are none.
 */
static void
take_trends(struct screen *s)
{
	struct stats_data *d = s->d;
	int f;

	if (d == NULL || d->trend != 0) {
		/* The computation's figures failed: d is older, done. */
		free(s->trends_cause);
	} else if (s->trends == NULL && s->trends_cause == NULL) {
		d->trend = -1;
		d->trend_cause = xstrdup("r stopped its computation");
	} else if (s->trends == NULL) {
		d->trend = -1;
		d->trend_cause = s->trends_cause;
		pane_msg_set(&s->msg, 1, "cannot compute the trend: %s",
		    d->trend_cause);
	} else {
		for (f = 0; f < d->rep.nruns; f++)
			d->rep.runs[f].trend = d->rep.runs[f].shared ?
			    d->rep.runs[f - 1].trend : s->trends[f];
		free(s->trends);
		d->trend = 1;
	}
	s->trends = NULL;
	s->trends_cause = NULL;
}

/*
 * What the worker has finished: its figures (or keep the old ones), then
 * their trends.  1 when the screen must be drawn again.
 */
static int
collect(struct screen *s)
{
	int done, finished, changed = 0;

	if (!s->computing)
		return 0;
	pthread_mutex_lock(&s->mu);
	done = s->done;
	finished = s->finished;
	pthread_mutex_unlock(&s->mu);
	if (done && !s->taken) {
		changed = s->taken = 1;
		take_result(s, s->fresh, s->fresh_cause);
		s->fresh = NULL;
		s->fresh_cause = NULL;
	}
	if (finished) {
		pthread_join(s->worker, NULL);
		s->computing = 0;
		changed = 1;
		take_trends(s);
		if (s->again) {
			s->again = 0;
			recompute(s);
		}
	}
	return changed;
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
		pane_msg_set(&s->msg, 1, "cannot compute: %s",
		    cause ? cause : "?");
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
	pane_msg_set(&s->msg, 0,
	    "computed in %.2f s: %d items, %d labelers, %d "
	    "guideline version%s with labels",
	    d->seconds, d->rep.r.nitems, d->rep.r.nlabelers, d->rep.r.nversions,
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
	const struct ratings_disagreed *t;
	char id[32];
	const char *argv[] = { "accord", "review", s->db, "--item", id, NULL };
	int st = 0, f, err = 0;

	if (s->d == NULL)
		return;
	f = filter_index(s);
	if (s->sel >= s->d->rep.runs[f].ntop) {
		pane_msg_set(&s->msg, 0, "no item to open");
		return;
	}
	t = &s->d->rep.runs[f].top[s->sel];
	snprintf(id, sizeof id, "%lld", s->d->rep.r.item_ids[t->item]);
	if (ui_run_accord(argv, "accord review", &st) != 0)
		err = errno;
	clearok(curscr, TRUE);
	if (err != 0)
		pane_msg_set(&s->msg, 1, "cannot start accord review: %s",
		    strerror(err));
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		pane_msg_set(&s->msg, 0, "accord review --item %s exited "
		    "with status 0; r recomputes", id);
	else if (WIFEXITED(st))
		pane_msg_set(&s->msg, 1,
		    "accord review --item %s exited with status %d", id,
		    WEXITSTATUS(st));
	else
		pane_msg_set(&s->msg, 1,
		    "accord review --item %s ended by signal %d", id,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* --- drawing ------------------------------------------------------------ */

static void
draw_help(void)
{
	int w = COLS - 8, h = LINES - 4, y0 = 2, x0 = 4, y = y0 + 1, i;

	pane_box(y0, x0, h, w);
	ui_print(y++, x0 + 2, w - 4, "keys (any key closes)", ui_attr(UI_KEY));
	for (i = 0; i < (int)(sizeof keys / sizeof keys[0]) &&
	    y < y0 + h - 1; i++) {
		if (keys[i].name == NULL)
			continue;
		ui_print(y, x0 + 2, 14, keys[i].name, ui_attr(UI_KEY));
		ui_print(y++, x0 + 17, w - 19, keys[i].help,
		    ui_attr(UI_NORMAL));
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
	struct stats_body b;

	erase();
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		char m[128];

		snprintf(m, sizeof m,
		    "accord stats needs a larger terminal: at "
		    "least %dx%d (this one is %dx%d)",
		    MIN_COLS, MIN_ROWS, COLS, LINES);
		ui_print(LINES / 2, 0, COLS, m, ui_attr(UI_WARNING));
		refresh();
		return;
	}
	draw_status(s);
	b.rows = LINES - STATS_TOP - 2;
	b.scroll = s->scroll[s->panel];
	b.n = 0;
	s->body_rows = b.rows;
	if (s->d == NULL)
		ui_print(LINES / 2, (COLS - 12) / 2, 12, s->computing ?
		    "computing..." : "no figures", ui_attr(UI_DIM));
	else {
		struct stats_panel p = { &s->d->rep, filter_index(s), &s->ao,
		    s->sel, NULL };
		char note[256];

		if (s->d->trend == 0)
			p.trend_note = "computing the trend (each label's "
			    "day)...";
		else if (s->d->trend < 0) {
			snprintf(note, sizeof note, "no trend: %s",
			    s->d->trend_cause);
			p.trend_note = note;
		}

		switch (s->panel) {
		case P_VERSIONS: stats_panel_versions(&p, &b); break;
		case P_CLASSES: stats_panel_classes(&p, &b); break;
		case P_LABELERS: stats_panel_labelers(&p, &b); break;
		case P_TREND: stats_panel_trend(&p, &b); break;
		case P_HOT: stats_panel_hot(&p, &b); break;
		case P_COUNT: break;
		}
		/* Scrolling stops where the content does. */
		if (s->panel != P_HOT && b.scroll > 0 &&
		    b.scroll > b.n - b.rows)
			b.scroll = b.n > b.rows ? b.n - b.rows : 0;
		s->scroll[s->panel] = b.scroll;
	}
	pane_bottom(&s->msg, "keys: Tab panel  Up/Down select  Enter "
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
		pane_msg_set(&s->msg, 0, "no guideline version has labels");
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
		pane_msg_set(&s->msg, 0,
		    "guideline version %d: labels made under it", s->version);
	else
		pane_msg_set(&s->msg, 0, "every guideline version together");
}

static int
run(void *arg)
{
	struct screen *s = arg;
	int running = 1;

	recompute(s);
	draw(s);
	while (running && !pane_quit_requested()) {
		enum action a;
		wint_t wk;
		int r, key, changed;

		/*
		 * The first figures are drawn within 10 ms of being ready:
		 * polling every 50 ms could add a tenth to an opening of
		 * half a second (1,000,000 items).  Their trend can wait.
		 */
		r = ui_get_wch(s->computing ? (s->taken ? 50 : 10) : 250, &wk);
		changed = collect(s);
		if (r == ERR) {
			if (changed)
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
				pane_msg_set(&s->msg, 0,
				    "Enter opens an item of the hot "
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
	/*
	 * The worker reads the store and maybe s->d: wait for it before
	 * closing or freeing them (if only the trend is left, it stops at
	 * the next run).
	 */
	if (s->computing) {
		pthread_mutex_lock(&s->mu);
		s->cancel = 1;
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->worker, NULL);
		s->computing = 0;
		if (s->trends != NULL)
			trends_free(s->taken ? &s->d->rep : &s->fresh->rep,
			    s->trends);
		free(s->trends_cause);
		if (!s->taken) {
			data_free(s->fresh);
			free(s->fresh_cause);
		}
		s->fresh = NULL;
		s->fresh_cause = NULL;
		s->trends = NULL;
		s->trends_cause = NULL;
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
	pane_catch_signals();
	r = ui_run(run, &s);
	data_free(s.d);
	pthread_mutex_destroy(&s.mu);
	pane_msg_clear(&s.msg);
	project_free(&s.proj);
	store_close(s.st);
	return r;
}
