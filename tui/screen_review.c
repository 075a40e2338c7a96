/*
 * screen_review.c: the SME review screen.
 *
 * The disagreement queue (core/review.c) is read once per filter and walked
 * with n/p; each item shows its media (media_pane.c, loaded by the loader
 * thread in request-only mode) and, beside it, every label with its
 * history, the earlier decisions and the comment thread (the panel:
 * screen_review_panel.c).  A decision
 * appends a row (core/adjudicate.c) and moves on; the queue keeps its
 * order until the filter changes, so positions stay meaningful.  The loop
 * is the label screen's: key -> action -> state -> one draw per pass.
 */
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "accord/adjudicate.h"
#include "accord/project.h"
#include "accord/review.h"
#include "accord/util.h"
#include "media_pane.h"
#include "pane_line.h"
#include "player.h"
#include "prefetch.h"
#include "screen.h"
#include "screen_review_panel.h"
#include "ui.h"

#define MIN_COLS 80
#define MIN_ROWS 24

enum action {
	ACT_NONE,
	ACT_CLASS,		/* arg: class index */
	ACT_AMBIGUOUS,
	ACT_RELABEL,
	ACT_COMMENT,
	ACT_GOLD,
	ACT_EDIT_GUIDE,
	ACT_FILTER,
	ACT_DECIDED,
	ACT_NEXT,
	ACT_PREV,
	ACT_GUIDE,
	ACT_HELP,
	ACT_QUIT,
	ACT_PLAY,
	ACT_MOVE,		/* arg: enum pane_move */
	ACT_REDRAW,
	ACT_WHY,
	ACT_PANEL,		/* arg: +1 down, -1 up */
};

/* The key table: data, so the help overlay is generated from it. */
static const struct pane_key keys[] = {
	{ 'a', ACT_AMBIGUOUS, "a", "mark ambiguous (kept out of training) "
	    "and move on", 0 },
	{ 'r', ACT_RELABEL, "r", "send back for relabeling under the "
	    "newest guideline; move on", 0 },
	{ 'c', ACT_COMMENT, "c", "add a comment to the item's thread", 0 },
	{ 'w', ACT_WHY, "w", "why: a note for the next decision on this item",
	    0 },
	{ 'G', ACT_GOLD, "G", "make the item gold: then press its class key",
	    0 },
	{ 'e', ACT_EDIT_GUIDE, "e", "edit the guideline (accord guideline "
	    "DB edit)", 0 },
	{ '/', ACT_FILTER, "/", "filter: A/B batch=NAME v=N KEY=VALUE "
	    "decided=hide|show", 0 },
	{ 'D', ACT_DECIDED, "D", "hide / show items already decided", 0 },
	{ 'n', ACT_NEXT, "n", "next item in the queue", 0 },
	{ 'p', ACT_PREV, "p", "previous item", 0 },
	{ ' ', ACT_PLAY, "space", "play / stop the clip", 0 },
	{ '+', ACT_MOVE, PANE_ZOOM_NAME, PANE_ZOOM_HELP, PANE_ZOOM_IN },
	{ '=', ACT_MOVE, NULL, NULL, PANE_ZOOM_IN },
	{ '-', ACT_MOVE, NULL, NULL, PANE_ZOOM_OUT },
	{ 'z', ACT_MOVE, "z", "fit the image to the pane", PANE_ZOOM_FIT },
	PANE_VIEW_KEYS(ACT_MOVE),
	{ KEY_LEFT, ACT_MOVE, "arrows hjkl", "pan when zoomed", PANE_LEFT },
	{ 'h', ACT_MOVE, NULL, NULL, PANE_LEFT },
	{ KEY_RIGHT, ACT_MOVE, NULL, NULL, PANE_RIGHT },
	{ 'l', ACT_MOVE, NULL, NULL, PANE_RIGHT },
	{ KEY_UP, ACT_MOVE, NULL, NULL, PANE_UP },
	{ 'k', ACT_MOVE, NULL, NULL, PANE_UP },
	{ KEY_DOWN, ACT_MOVE, NULL, NULL, PANE_DOWN },
	{ 'j', ACT_MOVE, NULL, NULL, PANE_DOWN },
	{ KEY_NPAGE, ACT_PANEL, "PgDn PgUp", "scroll the panel on the right",
	    1 },
	{ KEY_PPAGE, ACT_PANEL, NULL, NULL, -1 },
	{ 'g', ACT_GUIDE, "g", "show the guideline in force", 0 },
	{ '?', ACT_HELP, "?", "this help", 0 },
	{ 12, ACT_REDRAW, "^L", "redraw the screen", 0 },
	{ 'q', ACT_QUIT, "q", "quit (every decision is already saved)", 0 },
};

enum overlay {
	OV_NONE,
	OV_HELP,
	OV_GUIDE,
};

struct screen {
	const char *db, *user;
	struct store *st;
	struct project proj;
	char *guideline;
	struct prefetch *pf;
	struct player *pl;
	struct media_pane pane;
	int panel_x;		/* first column of the panel */

	struct review_filter filter;
	struct review_entry *q;
	int nq, pos;
	long long item;		/* --item: the item to open at, or 0 */
	long long outside;	/* the item --item put first: not in queue */

	struct prepared *cur;	/* media on screen; NULL while loading */
	long long want;
	struct review_detail det;
	int have_det;

	int decisions;		/* rows written this session */
	int gold_pending;	/* G pressed: the next key is a class key */
	char *why;		/* w: the note the next decision carries */
	long long why_item;	/* the item it was written for */
	int panel_top;		/* panel lines scrolled off the top */
	int panel_more;		/* the last draw left lines below */
	struct pane_msg msg;
	enum overlay overlay;
	struct ui_text guide;	/* the guideline overlay's viewer */
	struct pane_scroll help;	/* the help overlay's place */
};

/*
 * Media left, panel right: the panel gets two fifths, at least 34 columns;
 * returns its width.
 */
static int
panel_width(struct screen *s)
{
	int pw = COLS * 2 / 5 < 34 ? 34 : COLS * 2 / 5;

	s->panel_x = COLS - pw + 1;
	return pw;
}

static void draw(struct screen *);

/* A resize (also the line editor's hook): new layout, drawn again. */
static void
on_resize(void *arg)
{
	struct screen *s = arg;

	pane_resized(&s->pane, panel_width(s), s->pf, s->cur);
	draw(s);
}

static long long
cur_item(const struct screen *s)
{
	return s->nq > 0 ? s->q[s->pos].item : 0;
}

/* Re-read the record of the current item (after any write). */
static void
load_detail(struct screen *s)
{
	char *cause = NULL;

	review_detail_free(&s->det);
	s->have_det = 0;
	if (cur_item(s) == 0)
		return;
	if (review_detail(s->st, s->user, cur_item(s), &s->det, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return;
	}
	s->have_det = 1;
}

/* Show q[pos]: its record now, its media when the loader has it. */
static void
show(struct screen *s)
{
	player_stop(s->pl);
	prepared_free(s->cur);
	s->cur = NULL;
	s->pane.dirty = 1;
	s->pane.playhead = -1;
	s->panel_top = 0;
	s->want = cur_item(s);
	if (s->want != 0) {
		/* The neighbours load while the SME looks at this one, so n
		 * and p show theirs at once. */
		long long near[3] = {
			s->pos + 1 < s->nq ? s->q[s->pos + 1].item : 0,
			s->pos + 2 < s->nq ? s->q[s->pos + 2].item : 0,
			s->pos > 0 ? s->q[s->pos - 1].item : 0,
		};

		prefetch_request(s->pf, s->want);
		prefetch_hint(s->pf, near, 3);
	}
	load_detail(s);
}

/*
 * Read the queue for the filter in force; stay on `keep` if it is still
 * there.  With `force` (--item), an item outside the queue is put first.
 */
static int
requeue(struct screen *s, long long keep, int force)
{
	struct review_entry *q = NULL;
	char *cause = NULL;
	int n = 0, i;

	if (review_queue(s->st, s->user, &s->filter, &q, &n, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return -1;
	}
	free(s->q);
	s->q = q;
	s->nq = n;
	s->pos = 0;
	s->outside = 0;
	for (i = 0; i < n; i++)
		if (q[i].item == keep)
			s->pos = i;
	if (force && keep != 0 && (n == 0 || q[s->pos].item != keep)) {
		s->q = xreallocarray(s->q, (size_t)n + 1, sizeof *s->q);
		memmove(&s->q[1], &s->q[0], (size_t)n * sizeof *s->q);
		memset(&s->q[0], 0, sizeof *s->q);
		s->q[0].item = keep;
		s->nq = n + 1;
		s->pos = 0;
		s->outside = keep;
	}
	show(s);
	return 0;
}

static void
move_to(struct screen *s, int delta)
{
	if (s->nq == 0)
		return;
	if (s->pos + delta < 0) {
		pane_msg_set(&s->msg, 0, "this is the first item of the queue");
		return;
	}
	if (s->pos + delta >= s->nq) {
		pane_msg_set(&s->msg, 0, "end of the queue (%d item%s); / "
		    "changes the filter", s->nq, s->nq == 1 ? "" : "s");
		return;
	}
	s->pos += delta;
	show(s);
}

/* The panel's first line after PgDn (dir 1) or PgUp (-1) by half. */
static int
panel_scroll(int top, int dir, int half)
{
	if (dir > 0)
		return top + half;
	return top > half ? top - half : 0;
}

/* The note written with w for the item on screen, or NULL. */
static const char *
item_why(const struct screen *s)
{
	return s->why != NULL && s->why_item == cur_item(s) ? s->why : NULL;
}

/*
 * w: the note ("why") that the next decision on this item carries, in
 * the decision's row, as `accord adjudicate --note` does.  Another item
 * drops it: a note belongs to the item it was written for.
 */
static void
act_why(struct screen *s)
{
	char *text;

	if (cur_item(s) == 0)
		return;
	text = ui_edit_line("why (the next decision carries it): ",
	    item_why(s), NULL, 0, on_resize, s);
	s->pane.dirty = 1;
	if (text == NULL) {
		pane_msg_set(&s->msg, 0, "note unchanged");
		return;
	}
	free(s->why);
	s->why = NULL;
	if (*text == '\0') {
		free(text);
		pane_msg_set(&s->msg, 0, "no note");
		return;
	}
	s->why = text;
	s->why_item = cur_item(s);
	pane_msg_set(&s->msg, 0, "note kept for the next decision on item "
	    "%lld", cur_item(s));
}

/* A decision was written: say so and move on. */
static void
decided(struct screen *s, int r, char *cause, const char *what)
{
	if (r != 0) {
		pane_msg_set(&s->msg, 1, "not saved: %s", cause);
		free(cause);
		return;
	}
	s->decisions++;
	pane_msg_set(&s->msg, 0, "item %lld: %s%s", cur_item(s), what,
	    item_why(s) != NULL ? " (with its note)" : "");
	free(s->why);
	s->why = NULL;
	if (s->pos + 1 < s->nq)
		move_to(s, 1);
	else {
		load_detail(s);
		pane_msg_set(&s->msg, 0, "item %lld: %s; that was the last "
		    "item of the queue", cur_item(s), what);
	}
}

/*
 * Send the item back, saying when nobody will be offered it: a relabel
 * made under version V goes to labelers without a label under V or later
 * until the overlap have one (docs/guide.md, "Relabeling"), so an item
 * whose labels in force under V already number the overlap waits for the
 * next guideline version.
 */
static void
act_relabel(struct screen *s)
{
	char *cause = NULL, *what;
	int i, n = 0, v = s->proj.guideline;

	for (i = 0; s->have_det && i < s->det.nlabels; i++) {
		const struct review_label *l = &s->det.labels[i];

		n += l->in_force && l->class_id != 0 && l->guideline >= v;
	}
	if (n >= s->proj.overlap)
		what = xasprintf("sent back; waits for guideline v%d (%d "
		    "labels under v%d; e edits)", v + 1, n, v);
	else
		what = xstrdup("sent back for relabeling");
	decided(s, adjudicate_relabel(s->st, s->user, cur_item(s),
	    item_why(s), &cause), cause, what);
	free(what);
}

static void
act_class(struct screen *s, int ci)
{
	const struct class_def *c = &s->proj.classes[ci];
	char *cause = NULL, *what;
	int r;

	if (cur_item(s) == 0)
		return;
	r = adjudicate_class(s->st, s->user, cur_item(s), c->id, item_why(s),
	    &cause);
	what = xasprintf("decided %s", c->name);
	decided(s, r, cause, what);
	free(what);
}

static void
act_comment(struct screen *s)
{
	char *text, *cause = NULL;

	if (cur_item(s) == 0)
		return;
	text = ui_edit_line("comment: ", NULL, NULL, 0, on_resize, s);
	s->pane.dirty = 1;
	if (text == NULL || *text == '\0') {
		free(text);
		pane_msg_set(&s->msg, 0, "no comment added");
		return;
	}
	if (comment_add(s->st, s->user, cur_item(s), text, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "comment not saved: %s", cause);
		free(cause);
	} else {
		s->decisions++;
		pane_msg_set(&s->msg, 0, "comment added");
		load_detail(s);
	}
	free(text);
}

static void
act_gold(struct screen *s, int key)
{
	char *cause = NULL;
	int ci;

	s->gold_pending = 0;
	for (ci = 0; ci < s->proj.nclasses; ci++)
		if (s->proj.classes[ci].key == key)
			break;
	if (ci == s->proj.nclasses) {
		pane_msg_set(&s->msg, 0, "gold: cancelled");
		return;
	}
	if (gold_add(s->st, s->user, cur_item(s), s->proj.classes[ci].id,
	    &cause) != 0) {
		pane_msg_set(&s->msg, 1, "gold not saved: %s", cause);
		free(cause);
		return;
	}
	s->decisions++;
	pane_msg_set(&s->msg, 0, "item %lld is gold: %s", cur_item(s),
	    s->proj.classes[ci].name);
	load_detail(s);
}

static void
act_filter(struct screen *s)
{
	struct review_filter f, old;
	char *now = review_filter_text(&s->filter), *text, *cause = NULL;
	long long keep = cur_item(s);

	text = ui_edit_line("filter: ", now, NULL, 0, on_resize, s);
	free(now);
	s->pane.dirty = 1;
	if (text == NULL)
		return;
	if (review_filter_parse(text, &f, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		free(text);
		return;
	}
	free(text);
	old = s->filter;
	s->filter = f;
	if (requeue(s, keep, 0) != 0) {
		review_filter_free(&s->filter);
		s->filter = old;	/* the queue on screen is still old's */
		return;
	}
	review_filter_free(&old);
	pane_msg_set(&s->msg, 0, "%d item%s match", s->nq,
	    s->nq == 1 ? "" : "s");
}

static void
act_toggle_decided(struct screen *s)
{
	s->filter.hide_decided = !s->filter.hide_decided;
	if (requeue(s, cur_item(s), 0) != 0) {
		s->filter.hide_decided = !s->filter.hide_decided;
		return;
	}
	pane_msg_set(&s->msg, 0, "decided items %s; %d in the queue",
	    s->filter.hide_decided ? "hidden" : "shown last", s->nq);
}

/* Reload the project and guideline (after the guideline changed). */
static void
reload_project(struct screen *s)
{
	struct project p;
	char *text = NULL, *cause = NULL;
	int g;

	if (project_load(s->st, &p, &cause) != 0 ||
	    guideline_text(s->st, 0, &text, &g, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return;
	}
	project_free(&s->proj);
	s->proj = p;
	free(s->guideline);
	s->guideline = text;
}

/*
 * `accord guideline DB edit` as a child with the terminal handed over
 * (ui_run_accord), then a full redraw.  While it runs, ^C belongs to the
 * child (the editor), not to us.
 */
static void
act_edit_guideline(struct screen *s)
{
	const char *argv[] = { "accord", "guideline", s->db, "edit", NULL };
	int before = s->proj.guideline, status = 0, r;

	player_stop(s->pl);
	r = ui_run_accord(argv, "/proc/self/exe", &status);
	clear();
	s->pane.dirty = 1;
	if (r != 0) {
		pane_msg_set(&s->msg, 1,
		    "cannot start accord guideline edit: %s", strerror(errno));
		return;
	}
	reload_project(s);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		pane_msg_set(&s->msg, 0, s->proj.guideline != before ?
		    "guideline v%d saved" : "guideline unchanged (v%d)",
		    s->proj.guideline);
	else if (WIFEXITED(status))
		pane_msg_set(&s->msg, 1,
		    "accord guideline edit exited with status %d",
		    WEXITSTATUS(status));
	else
		pane_msg_set(&s->msg, 1,
		    "accord guideline edit was killed by signal %d",
		    WTERMSIG(status));
}

static void
act_play(struct screen *s)
{
	pane_play(s->pl, s->cur, &s->msg, "the review goes on");
}

/* --- drawing ---------------------------------------------------------- */

static void
draw_item_row(struct screen *s)
{
	char *batch = xasprintf("batch=%s", s->det.batch);
	const struct pane_field f[] = {
		{ s->det.path, 0, PANE_MIDDLE },
		{ batch, 1, PANE_END },
	};

	pane_item_row(1, f, 2, s->cur, 2);
	free(batch);
}

/*
 * Row 0: the status bar; row 1: the item's path (an SME sees paths
 * whatever show-paths says: the labels beside it tell more than a folder
 * name), batch and metadata.  At 80 columns they give way rather than
 * lose their ends: the entropy and the user name go first, a long filter
 * is shortened, the path keeps its file name, metadata that does not fit
 * is left out whole.
 */
static void
draw_status(struct screen *s)
{
	char *ft = review_filter_text(&s->filter), *gl, *pos = NULL,
	    *h = NULL, *filter;
	const char *decision = NULL;

	gl = xasprintf("guideline v%d", s->proj.guideline);
	if (s->nq == 0)
		pos = xstrdup("no items");
	else if (s->outside != 0 && cur_item(s) == s->outside)
		pos = xasprintf("item %lld (not in the queue)", cur_item(s));
	else {
		pos = xasprintf("%d/%d", s->pos + 1, s->nq);
		h = xasprintf("H %.2f bits", s->q[s->pos].entropy);
	}
	if (s->nq > 0)
		decision = review_panel_decision(&s->proj, s->have_det ?
		    &s->det : NULL);
	filter = xasprintf("filter: %s", *ft ? ft : "none");
	{
		const struct pane_field f[] = {
			{ " accord", 0, PANE_KEEP },
			{ "review", 0, PANE_KEEP },
			{ s->user, 2, PANE_END },
			{ gl, 0, PANE_KEEP },
			{ pos, 0, PANE_KEEP },
			{ h, 1, PANE_KEEP },
			{ decision, 0, PANE_KEEP },
			{ filter, 0, PANE_END },
		};

		pane_status(f, sizeof f / sizeof f[0]);
	}
	free(ft);
	free(gl);
	free(pos);
	free(h);
	free(filter);
	if (s->have_det)
		draw_item_row(s);
}

static void
draw_panel(struct screen *s)
{
	struct review_panel p = { &s->proj, s->have_det ? &s->det : NULL,
	    item_why(s), s->panel_x, s->panel_top };

	s->panel_more = review_panel_draw(&p);
}

static void
draw_overlay(struct screen *s)
{
	if (s->overlay == OV_HELP)
		pane_help(&s->proj, "review keys", "decide ", " and move on",
		    keys, sizeof keys / sizeof keys[0], NULL, &s->help);
	else
		pane_guide(s->proj.guideline, &s->guide);
}

static void
draw(struct screen *s)
{
	int text;

	if (pane_too_small(&s->pane, MIN_COLS, MIN_ROWS))
		return;
	erase();
	draw_status(s);
	text = pane_draw_text(&s->pane, s->cur, s->nq == 0 ?
	    "No disagreements match the filter. / changes it; q quits." :
	    "loading...", 0, NULL, "the labels and decisions are beside it");
	draw_panel(s);
	/* The class keys are on the panel's decide line; at 80 columns the
	 * row ends at "/ filter  ? help  q quit" (pane_hints). */
	pane_footer(&s->pane, &s->msg, s->gold_pending ?
	    "gold: press the item's class key (any other key cancels)" :
	    "a ambiguous  r relabel  c comment  n next  p prev  / filter  "
	    "G gold  e guideline  w why  ? help  q quit",
	    s->gold_pending ? ui_attr(UI_KEY) : ui_attr(UI_DIM));
	if (s->overlay != OV_NONE)
		draw_overlay(s);
	pane_refresh(&s->pane, s->cur, s->pl, text || s->overlay != OV_NONE);
}

/* --- the loop --------------------------------------------------------- */

static enum action
map_key(struct screen *s, int key, int *arg)
{
	return (enum action)pane_map_key(&s->proj, ACT_CLASS, keys,
	    sizeof keys / sizeof keys[0], key, arg);
}

static void
act(struct screen *s, enum action a, int arg, int *running)
{
	char *cause = NULL;

	switch (a) {
	case ACT_CLASS: act_class(s, arg); break;
	case ACT_AMBIGUOUS:
		if (cur_item(s) != 0)
			decided(s, adjudicate_ambiguous(s->st, s->user,
			    cur_item(s), item_why(s), &cause), cause,
			    "marked ambiguous");
		break;
	case ACT_RELABEL:
		if (cur_item(s) != 0)
			act_relabel(s);
		break;
	case ACT_COMMENT: act_comment(s); break;
	case ACT_GOLD:
		if (cur_item(s) != 0)
			s->gold_pending = 1;
		break;
	case ACT_EDIT_GUIDE: act_edit_guideline(s); break;
	case ACT_FILTER: act_filter(s); break;
	case ACT_DECIDED: act_toggle_decided(s); break;
	case ACT_NEXT: move_to(s, 1); break;
	case ACT_PREV: move_to(s, -1); break;
	case ACT_GUIDE:
		ui_text_set(&s->guide, s->guideline);
		s->overlay = OV_GUIDE;
		s->pane.dirty = 1;
		break;
	case ACT_HELP:
		s->overlay = OV_HELP;
		s->help.top = 0;
		s->pane.dirty = 1;
		break;
	case ACT_QUIT: *running = 0; break;
	case ACT_PLAY: act_play(s); break;
	case ACT_MOVE: pane_move(&s->pane, s->cur, (enum pane_move)arg); break;
	case ACT_REDRAW: s->pane.dirty = 1; clear(); break;
	case ACT_WHY: act_why(s); break;
	case ACT_PANEL:
		if (arg > 0 && !s->panel_more)
			pane_msg_set(&s->msg, 0,
			    "the panel shows its last line");
		else
			s->panel_top = panel_scroll(s->panel_top, arg,
			    (LINES - 4) / 2);
		break;
	case ACT_NONE: break;
	}
}

/* Idle: pick up the media the loader finished. */
static void
take_loaded(struct screen *s)
{
	struct prepared *p = NULL;
	char *why = NULL;
	enum prefetch_state st;

	if (s->cur != NULL || s->want == 0)
		return;
	st = prefetch_wanted(s->pf, &p, &why);
	if (st == PF_READY) {
		s->want = 0;
		s->cur = p;
		pane_fit(&s->pane, p);
		s->pane.dirty = 1;
	} else if (st == PF_FAILED) {
		s->want = 0;
		pane_msg_set(&s->msg, 1, "%s", why);
	}
	free(why);
}

/* A key read in a pass (in: PANE_CODE or PANE_CHAR); 0: the screen closes. */
static int
on_key(struct screen *s, enum pane_input in, int key)
{
	enum action a = ACT_NONE;
	int arg = 0, running = 1;

	/* The guideline viewer takes its keys; others close it. */
	if (s->overlay == OV_GUIDE && ui_text_key(&s->guide,
	    in == PANE_CODE, key, on_resize, s))
		return 1;
	if (s->overlay == OV_HELP && pane_help_key(&s->help, in == PANE_CODE,
	    key))
		return 1;
	if (s->overlay != OV_NONE) {
		s->overlay = OV_NONE;
		s->pane.dirty = 1;
		clear();
		return 1;
	}
	if (s->gold_pending) {
		act_gold(s, in == PANE_CODE ? -1 : key);
		return 1;
	}
	if (in == PANE_CODE || key < 0x80)
		a = map_key(s, key, &arg);
	if (a != ACT_NONE && a != ACT_HELP && a != ACT_GUIDE &&
	    a != ACT_REDRAW && a != ACT_MOVE) {
		pane_msg_clear(&s->msg);
	}
	act(s, a, arg, &running);
	return running;
}

static int
run(void *arg)
{
	struct screen *s = arg;

	pane_layout(&s->pane, panel_width(s));
	prefetch_set_size(s->pf, s->pane.cols, s->pane.rows, ui_depth());
	if (term_truecolor_hint_env(ui_depth()) != NULL)	/* at start only */
		pane_msg_set(&s->msg, 0, "%s",
		    term_truecolor_hint_env(ui_depth()));
	if (requeue(s, s->item, s->item != 0) == 0 && s->item != 0 &&
	    s->outside == s->item)
		pane_msg_set(&s->msg, 0, "item %lld is not in the queue for "
		    "this filter; n goes to the queue", s->item);
	draw(s);
	while (!pane_quit_requested()) {
		int key = 0;
		enum pane_input in = pane_wait_key(s->pl, &s->msg,
		    "the review goes on", s->cur == NULL && s->want != 0, &key);

		if (in == PANE_IDLE)
			take_loaded(s);
		else if (in == PANE_RESIZE) {
			on_resize(s);
			continue;
		} else if (!on_key(s, in, key))
			break;
		draw(s);
	}
	return 0;
}

/* Everything the screen holds, closed; each part may be unset. */
static void
finish(struct screen *s)
{
	player_free(s->pl);
	prepared_free(s->cur);
	prefetch_stop(s->pf);
	if (s->decisions > 0)
		printf("%d review row%s saved\n", s->decisions,
		    s->decisions == 1 ? "" : "s");
	review_detail_free(&s->det);
	review_filter_free(&s->filter);
	free(s->q);
	free(s->why);
	pane_msg_free(&s->msg);
	free(s->guideline);
	ui_text_free(&s->guide);
	project_free(&s->proj);
	store_close(s->st);
}

int
screen_review_run(const char *db, const char *user,
    const struct review_filter *filter, long long item)
{
	struct screen s;
	char *cause = NULL, *ft;
	int g, r;

	memset(&s, 0, sizeof s);
	s.db = db;
	s.user = user;
	s.item = item;
	/* The screen owns a copy of the filter (the prompt replaces it). */
	ft = review_filter_text(filter);
	if (review_filter_parse(ft, &s.filter, &cause) != 0) {
		fprintf(stderr, "accord: %s\n", cause);
		free(cause);
		free(ft);
		return 1;
	}
	free(ft);
	if (store_open(db, &s.st, &cause) != 0 ||
	    project_load(s.st, &s.proj, &cause) != 0 ||
	    guideline_text(s.st, 0, &s.guideline, &g, &cause) != 0 ||
	    (s.pf = prefetch_start(db, user, NULL, 0, &cause)) == NULL) {
		fprintf(stderr, "accord: %s: %s\n", db, cause ? cause :
		    "cannot start the loader");
		free(cause);
		finish(&s);
		return 1;
	}
	s.pl = player_new();
	pane_catch_signals();
	r = ui_run(run, &s);
	finish(&s);
	return r;
}
