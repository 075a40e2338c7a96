/*
 * screen_label.c: the labeling screen: its key table, actions and loop
 * (what it draws: screen_label_draw.c).
 *
 * One loop: read a key, map it to an action through the key table, let the
 * action change state and say what needs redrawing, draw once per pass.
 * The next item comes from the loader thread (prefetch.c) already decoded
 * and rendered; the UI thread only commits labels (durably, before the
 * next item shows) and draws.
 */
#include <errno.h>
#include <curses.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accord/config.h"
#include "accord/guideline.h"
#include "accord/project.h"
#include "accord/label.h"
#include "accord/queue.h"
#include "accord/tags.h"
#include "accord/util.h"
#include "media_pane.h"
#include "player.h"
#include "prefetch.h"
#include "screen.h"
#include "screen_label.h"
#include "ui.h"

#define PREFETCH_AHEAD 3
/*
 * The first pass waits this long for the loader's first item, looking
 * every FIRST_POLL_NS, before it draws "loading...": the idle loop looks
 * only when its key wait times out (40 ms), and one frame less is drawn.
 */
#define FIRST_WAIT 0.15
#define FIRST_POLL_NS 1000000L

enum action {
	ACT_NONE,
	ACT_LABEL,		/* arg: class index */
	ACT_NOTE,
	ACT_TAGS,
	ACT_UNDO,
	ACT_SKIP,
	ACT_BACK,
	ACT_HELP,
	ACT_GUIDE,
	ACT_QUIT,
	ACT_ZOOM_IN,
	ACT_ZOOM_OUT,
	ACT_ZOOM_FIT,
	ACT_PAN_LEFT,
	ACT_PAN_RIGHT,
	ACT_PAN_UP,
	ACT_PAN_DOWN,
	ACT_PLAY,
	ACT_REDRAW,
	ACT_VIEW,		/* arg: enum pane_move (1:1, tones) */
};

/* The key table: data, so the help overlay is generated from it. */
const struct pane_key label_keys[] = {
	{ 'n', ACT_NOTE, "n", "write a note on this item (why)", 0 },
	{ 't', ACT_TAGS, "t", "tags, comma-separated (Tab completes)", 0 },
	{ 'u', ACT_UNDO, "u", "undo my last label and show that item", 0 },
	{ 's', ACT_SKIP, "s", "skip this item (or: forward, when back)", 0 },
	{ 'p', ACT_BACK, "p Backspace", "back to my previous items", 0 },
	{ KEY_BACKSPACE, ACT_BACK, NULL, NULL, 0 },
	{ 127, ACT_BACK, NULL, NULL, 0 },
	{ 8, ACT_BACK, NULL, NULL, 0 },
	{ ' ', ACT_PLAY, "space", "play / stop the clip", 0 },
	{ '+', ACT_ZOOM_IN, PANE_ZOOM_NAME, PANE_ZOOM_HELP, 0 },
	{ '=', ACT_ZOOM_IN, NULL, NULL, 0 },
	{ '-', ACT_ZOOM_OUT, NULL, NULL, 0 },
	{ 'z', ACT_ZOOM_FIT, "z", "fit the image to the pane", 0 },
	PANE_VIEW_KEYS(ACT_VIEW),
	{ KEY_LEFT, ACT_PAN_LEFT, "arrows hjkl", "pan when zoomed", 0 },
	{ 'h', ACT_PAN_LEFT, NULL, NULL, 0 },
	{ KEY_RIGHT, ACT_PAN_RIGHT, NULL, NULL, 0 },
	{ 'l', ACT_PAN_RIGHT, NULL, NULL, 0 },
	{ KEY_UP, ACT_PAN_UP, NULL, NULL, 0 },
	{ 'k', ACT_PAN_UP, NULL, NULL, 0 },
	{ KEY_DOWN, ACT_PAN_DOWN, NULL, NULL, 0 },
	{ 'j', ACT_PAN_DOWN, NULL, NULL, 0 },
	{ 'g', ACT_GUIDE, "g", "show the guideline in force", 0 },
	{ '?', ACT_HELP, "?", "this help", 0 },
	{ 12, ACT_REDRAW, "^L", "redraw the screen", 0 },
	{ 'q', ACT_QUIT, "q", "quit (every label is already saved)", 0 },
};
const size_t label_nkeys = sizeof label_keys / sizeof label_keys[0];

/*
 * A resize (also the line editor's hook): new layout, the current item
 * drawn for it, everything again.
 */
static void
on_resize(void *arg)
{
	struct label_screen *s = arg;

	pane_resized(&s->pane, PANEL_W, s->pf, s->cur);
	label_draw(s);
}

static const char *
action_name(enum action a)
{
	static const char *const names[] = { "none", "label", "note", "tags",
	    "undo", "skip", "back", "help", "guide", "quit", "zoom-in",
	    "zoom-out", "zoom-fit", "pan-left", "pan-right", "pan-up",
	    "pan-down", "play", "redraw", "view" };

	return names[a];
}

/* The labeler's own tags on cur, joined, into s->tags (NULL: none). */
static void
tags_load(struct label_screen *s)
{
	char **tags = NULL, *cause = NULL;
	int n = 0, i;
	struct buf b = { 0 };

	free(s->tags);
	s->tags = NULL;
	if (tags_mine(s->st, s->user, s->cur->it.id, &tags, &n, &cause) == 0) {
		for (i = 0; i < n; i++) {
			if (i)
				buf_puts(&b, ", ");
			buf_puts(&b, tags[i]);
		}
		tags_free(tags, n);
		s->tags = b.s;
	} else
		free(cause);
}

/*
 * How cur is named on the screen, by the show-paths setting (read again
 * for each item, so an admin's change shows at the next one): its path,
 * its base name, or its number; messages about it name it the same way
 * (a cause from the loader or the player quotes the path).
 */
static void
name_item(struct label_screen *s)
{
	const char *path, *base;
	char *cause = NULL;

	free(s->shown);
	s->shown = NULL;
	pane_msg_hide(&s->msg, NULL, 0, NULL);
	if (s->cur == NULL)
		return;
	if (config_paths(s->st, &s->paths, &cause) != 0)
		free(cause);	/* it reads CONFIG_PATHS_NONE */
	path = s->cur->it.path != NULL ? s->cur->it.path : "";
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if (s->paths == CONFIG_PATHS_FULL) {
		s->shown = xstrdup(path);
		return;
	}
	s->shown = s->paths == CONFIG_PATHS_BASENAME ? xstrdup(base) :
	    xasprintf("item %lld", s->cur->it.id);
	pane_msg_hide(&s->msg, path, s->paths == CONFIG_PATHS_NONE, s->shown);
}

/* Load what the screen shows about cur that the loader does not give. */
static void
item_shown(struct label_screen *s)
{
	char *cause = NULL;

	s->shown_at = acc_monotonic();
	s->pane.dirty = 1;
	s->pane.playhead = -1;
	free(s->note);
	s->note = NULL;
	free(s->tags);
	s->tags = NULL;
	s->my_class = 0;
	name_item(s);
	if (s->cur == NULL)
		return;
	prefetch_set_current(s->pf, s->cur->it.id);
	pane_fit(&s->pane, s->cur);
	if (s->mode == MODE_BACK &&
	    label_mine(s->st, s->user, s->cur->it.id, &s->my_class, &s->note,
	    &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
	}
	tags_load(s);
}

/* Take the next queue item if the loader has one. */
static void
next_from_queue(struct label_screen *s)
{
	struct prepared *p = NULL;
	char *why = NULL;

	if (s->stash != NULL) {
		s->cur = s->stash;
		s->stash = NULL;
		item_shown(s);
		return;
	}
	switch (prefetch_next(s->pf, &p, &why)) {
	case PF_READY:
		s->cur = p;
		s->empty = 0;
		item_shown(s);
		break;
	case PF_EMPTY:
		s->empty = 1;
		break;
	case PF_FAILED:
		s->failed = 1;
		free(s->failure);
		s->failure = why;
		break;
	case PF_LOADING:
		break;
	}
}

static void
leave_item(struct label_screen *s)
{
	player_stop(s->pl);
	prepared_free(s->cur);
	s->cur = NULL;
	/* The picture goes too: "Nothing left" was drawn over it. */
	s->pane.dirty = 1;
}

static void
request(struct label_screen *s, long long item)
{
	leave_item(s);
	s->want = item;
	prefetch_request(s->pf, item);
}

/* After labeling or skipping an item: where to go next. */
static void
advance(struct label_screen *s)
{
	if (s->mode == MODE_BACK && s->hidx + 1 < s->nhist) {
		s->hidx++;
		request(s, s->hist[s->hidx]);
		return;
	}
	leave_item(s);
	if (s->mode == MODE_BACK) {
		s->mode = MODE_QUEUE;
		free(s->hist);
		s->hist = NULL;
		s->nhist = 0;
	}
	next_from_queue(s);
}

static void
act_label(struct label_screen *s, int ci)
{
	const struct class_def *c = &s->proj.classes[ci];
	char *cause = NULL, *view;
	double secs;
	int r;

	if (s->cur == NULL)
		return;
	if (s->cur->error != NULL) {
		pane_msg_set(&s->msg, 1,
		    "this item cannot be shown; s skips it");
		return;
	}
	secs = acc_monotonic() - s->shown_at;
	/* What the labeler saw goes with the label: zoom, region, tones. */
	view = s->cur->kind == MEDIA_KIND_IMAGE ?
	    image_view_text(&s->cur->view, &s->cur->region) : NULL;
	s->trace_commit = acc_monotonic();
	r = label_put_view(s->st, s->user, s->cur->it.id, c->id, s->note,
	    secs, view, NULL, &cause);
	free(view);
	s->trace_commit = (acc_monotonic() - s->trace_commit) * 1000;
	if (r != 0) {
		/* Nothing is lost: the item stays, and the key retries. */
		pane_msg_set(&s->msg, 1,
		    "not saved: %s (press %c again to retry)", cause, c->key);
		free(cause);
		return;
	}
	s->labeled++;
	prefetch_activity(s->pf, 1);
	pane_msg_set(&s->msg, 0, "%s: %s", c->name, s->cur->it.path);
	advance(s);
}

static void
act_note(struct label_screen *s)
{
	char *text, *cause = NULL;

	if (s->cur == NULL)
		return;
	text = ui_edit_line("note: ", s->note, NULL, 0, on_resize, s);
	if (text == NULL)
		return;
	free(s->note);
	s->note = *text ? text : NULL;
	if (*text == '\0')
		free(text);
	/* Back on a labeled item the note is saved at once, with my class
	 * and the view the labeler has now (as a label would be). */
	if (s->mode == MODE_BACK && s->my_class != 0) {
		char *view = s->cur->kind == MEDIA_KIND_IMAGE ?
		    image_view_text(&s->cur->view, &s->cur->region) : NULL;
		int r = label_put_view(s->st, s->user, s->cur->it.id,
		    s->my_class, s->note, -1, view, NULL, &cause);

		free(view);
		if (r != 0) {
			pane_msg_set(&s->msg, 1, "note not saved: %s", cause);
			free(cause);
		} else
			pane_msg_set(&s->msg, 0, "note saved");
	} else
		pane_msg_set(&s->msg, 0,
		    "note kept; it is saved with the label");
}

static void
act_tags(struct label_screen *s)
{
	char **all = NULL, *text, *cause = NULL, *p, *save = NULL;
	const char *list[64];
	int nall = 0, n = 0;

	if (s->cur == NULL)
		return;
	if (tags_all(s->st, &all, &nall, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return;
	}
	text = ui_edit_line("tags: ", s->tags, all, nall, on_resize, s);
	tags_free(all, nall);
	if (text == NULL)
		return;
	for (p = strtok_r(text, ",", &save); p != NULL && n < 64;
	    p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (*p != '\0')
			list[n++] = p;
	}
	if (tags_set(s->st, s->user, s->cur->it.id, list, n, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "tags not saved: %s", cause);
		free(cause);
	} else {
		pane_msg_set(&s->msg, 0, "tags saved");
		/*
		 * Only the tags: reloading the item (item_shown) dropped a
		 * note typed before the tags and restarted the item's timer.
		 */
		tags_load(s);
		s->pane.dirty = 1;
	}
	free(text);
}

static void
act_undo(struct label_screen *s)
{
	long long item = 0;
	char *cause = NULL;

	if (label_undo(s->st, s->user, &item, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return;
	}
	if (item == 0) {
		pane_msg_set(&s->msg, 0, "nothing to undo");
		return;
	}
	prefetch_activity(s->pf, 1);
	pane_msg_set(&s->msg, 0, "label withdrawn; label this item again");
	if (s->mode == MODE_QUEUE && s->cur != NULL) {
		s->stash = s->cur;
		s->cur = NULL;
	}
	free(s->hist);
	s->hist = xmalloc(sizeof *s->hist);
	s->hist[0] = item;
	s->nhist = 1;
	s->hist_max = 0;
	s->hidx = 0;
	s->mode = MODE_BACK;
	request(s, item);
}

static void
act_skip(struct label_screen *s)
{
	char *cause = NULL;

	if (s->mode == MODE_BACK) {
		advance(s);
		return;
	}
	if (s->cur == NULL)
		return;
	prefetch_exclude(s->pf, s->cur->it.id);
	if (queue_release(s->st, s->user, s->cur->it.id, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
	} else
		pane_msg_set(&s->msg, 0, "skipped %s", s->cur->it.path);
	advance(s);
}

/*
 * Going back reads my newest HIST_PAGE labeled items, not my whole history
 * (900,000 labels took seconds); at the oldest of them, hist_older reads
 * eight times as many and finds where I am in them.  0, or -1 with the
 * error shown.
 */
#define HIST_PAGE 256

static int
hist_older(struct label_screen *s)
{
	long long *h, at = s->hist[0];
	char *cause = NULL;
	int n, i;

	if (s->hist_max > INT_MAX / 8 || label_history_recent(s->st, s->user,
	    s->hist_max * 8, &h, &n, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause ? cause :
		    "too many labeled items");
		free(cause);
		return -1;
	}
	/* Where I am: the newest place of the item (a label given again
	 * in between moved it to the end). */
	for (i = n - 1; i >= 0 && h[i] != at; i--)
		;
	free(s->hist);
	s->hist = h;
	s->nhist = n;
	s->hist_max *= 8;
	s->hidx = i >= 0 ? i : 0;
	return 0;
}

static void
act_back(struct label_screen *s)
{
	char *cause = NULL;

	if (s->mode == MODE_BACK) {
		if (s->hidx == 0 && s->hist_max > 0 &&
		    s->nhist == s->hist_max && hist_older(s) != 0)
			return;
		if (s->hidx == 0) {
			pane_msg_set(&s->msg, 0,
			    "this is my first labeled item");
			return;
		}
		s->hidx--;
		request(s, s->hist[s->hidx]);
		return;
	}
	free(s->hist);
	s->hist = NULL;
	s->hist_max = HIST_PAGE;
	if (label_history_recent(s->st, s->user, s->hist_max, &s->hist,
	    &s->nhist, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return;
	}
	if (s->nhist == 0) {
		pane_msg_set(&s->msg, 0, "no labeled items yet");
		return;
	}
	player_stop(s->pl);
	s->stash = s->cur;	/* keep its lease; it comes back after */
	s->cur = NULL;
	s->mode = MODE_BACK;
	s->hidx = s->nhist - 1;
	request(s, s->hist[s->hidx]);
}

static void
act_zoom(struct label_screen *s, enum action a)
{
	static const enum pane_move moves[] = {
		[ACT_ZOOM_IN] = PANE_ZOOM_IN, [ACT_ZOOM_OUT] = PANE_ZOOM_OUT,
		[ACT_ZOOM_FIT] = PANE_ZOOM_FIT, [ACT_PAN_LEFT] = PANE_LEFT,
		[ACT_PAN_RIGHT] = PANE_RIGHT, [ACT_PAN_UP] = PANE_UP,
		[ACT_PAN_DOWN] = PANE_DOWN,
	};

	pane_move(&s->pane, s->cur, moves[a]);
}

static void
act_play(struct label_screen *s)
{
	pane_play(s->pl, s->cur, &s->msg, "labeling goes on");
}

/* --- the loop --------------------------------------------------------- */

static enum action
map_key(struct label_screen *s, int key, int *arg)
{
	return (enum action)pane_map_key(&s->proj, ACT_LABEL, label_keys,
	    label_nkeys, key, arg);
}

static enum action
map_mouse(struct label_screen *s, int *arg)
{
	MEVENT ev;
	int ci;

	if (getmouse(&ev) != OK)
		return ACT_NONE;
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return ACT_NONE;
	if (ev.x < COLS - PANEL_W)
		return ACT_NONE;
	ci = ev.y - 3;	/* classes start on row 3 */
	if (ci < 0 || ci >= s->proj.nclasses)
		return ACT_NONE;
	*arg = ci;
	return ACT_LABEL;
}

static void
trace_done(struct label_screen *s)
{
	long long now_item = s->cur ? s->cur->it.id : 0;

	if (s->trace == NULL || s->trace_key == 0)
		return;
	/* An action that moves on is done when the next item is drawn. */
	if ((strcmp(s->trace_action, "label") == 0 ||
	    strcmp(s->trace_action, "skip") == 0) && now_item == s->trace_from)
		return;
	if (s->cur == NULL && !s->empty && !s->failed)
		return;
	fprintf(s->trace, "key=%d action=%s item=%lld next=%lld ms=%.3f "
	    "commit=%.3f draw=%.3f\n", s->trace_keycode, s->trace_action,
	    s->trace_from, now_item, (acc_monotonic() - s->trace_key) * 1000,
	    s->trace_commit, s->trace_draw);
	fflush(s->trace);
	s->trace_key = 0;
	s->trace_commit = 0;
}

/*
 * Before showing the guideline, pick up a version an SME saved during this
 * session, so `g` always shows the version new labels are recorded under
 * (label_put records the newest).
 */
static void
guide_refresh(struct label_screen *s)
{
	struct project p;
	char *text = NULL, *cause = NULL;
	int v;

	if (guideline_current(s->st, &v, &text, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		return;
	}
	if (v == s->proj.guideline) {
		free(text);
		return;
	}
	if (project_load(s->st, &p, &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		free(text);
		return;
	}
	project_free(&s->proj);
	s->proj = p;
	free(s->guideline);
	s->guideline = text;
	pane_msg_set(&s->msg, 1, "guideline v%d is now in force", v);
}

/* The loader's first item, waited for up to FIRST_WAIT. */
static void
first_item(struct label_screen *s)
{
	const struct timespec poll = { 0, FIRST_POLL_NS };
	double until = acc_monotonic() + FIRST_WAIT;

	next_from_queue(s);
	while (s->cur == NULL && !s->empty && !s->failed &&
	    acc_monotonic() < until) {
		nanosleep(&poll, NULL);
		next_from_queue(s);
	}
}

/* The first pass: the pane's size, the notices a session starts with. */
static void
run_start(struct label_screen *s)
{
	pane_layout(&s->pane, PANEL_W);
	prefetch_set_size(s->pf, s->pane.cols, s->pane.rows, ui_depth());
	if (term_truecolor_hint_env(ui_depth()) != NULL)	/* at start only */
		pane_msg_set(&s->msg, 0, "%s",
		    term_truecolor_hint_env(ui_depth()));
	if (getenv("SSH_CONNECTION") != NULL &&
	    getenv("PULSE_SERVER") == NULL && s->proj.media == MEDIA_KIND_AUDIO)
		pane_msg_set(&s->msg, 0, "over SSH, sound needs PulseAudio "
		    "forwarding: see docs/guide.md");
	if (s->seen_guideline > 0 && s->seen_guideline < s->proj.guideline)
		pane_msg_set(&s->msg, 1, "the guideline changed since your "
		    "last session: v%d -> v%d (g shows it)", s->seen_guideline,
		    s->proj.guideline);
	first_item(s);
	label_draw(s);
}

/* Idle: pick up what the loader finished. */
static void
take_loaded(struct label_screen *s)
{
	struct prepared *p = NULL;
	char *why = NULL;

	if (s->cur != NULL)
		return;
	if (s->want == 0) {
		next_from_queue(s);
		return;
	}
	if (prefetch_wanted(s->pf, &p, &why) == PF_READY) {
		s->want = 0;
		s->cur = p;
		item_shown(s);
	}
	free(why);
}

/* A key was read: the trace times from here. */
static void
trace_key(struct label_screen *s, int key)
{
	if (s->trace == NULL)
		return;
	s->trace_key = acc_monotonic();
	s->trace_keycode = key;
	s->trace_from = s->cur ? s->cur->it.id : 0;
}

/* Carry out action a; returns 0 when the screen is to close. */
static int
act(struct label_screen *s, enum action a, int arg)
{
	if (a != ACT_NONE && a != ACT_HELP && a != ACT_GUIDE &&
	    a != ACT_REDRAW) {
		pane_msg_clear(&s->msg);
	}
	switch (a) {
	case ACT_LABEL: act_label(s, arg); break;
	case ACT_NOTE: act_note(s); break;
	case ACT_TAGS: act_tags(s); break;
	case ACT_UNDO: act_undo(s); break;
	case ACT_SKIP: act_skip(s); break;
	case ACT_BACK: act_back(s); break;
	case ACT_HELP:
		s->overlay = OV_HELP;
		s->help.top = 0;
		s->pane.dirty = 1;
		break;
	case ACT_GUIDE:
		guide_refresh(s);
		ui_text_set(&s->guide, s->guideline);
		s->overlay = OV_GUIDE;
		s->pane.dirty = 1;
		break;
	case ACT_QUIT: return 0;
	case ACT_ZOOM_IN: case ACT_ZOOM_OUT: case ACT_ZOOM_FIT:
	case ACT_PAN_LEFT: case ACT_PAN_RIGHT: case ACT_PAN_UP:
	case ACT_PAN_DOWN:
		act_zoom(s, a);
		break;
	case ACT_PLAY: act_play(s); break;
	case ACT_VIEW:
		pane_move(&s->pane, s->cur, (enum pane_move)arg);
		break;
	case ACT_REDRAW:
		s->pane.dirty = 1;
		clear();
		break;
	case ACT_NONE: break;
	}
	return 1;
}

/* The action of a key read in a pass (in: PANE_CODE or PANE_CHAR). */
static enum action
map_input(struct label_screen *s, enum pane_input in, int key, int *arg)
{
	if (in == PANE_CODE && key == KEY_MOUSE)
		return map_mouse(s, arg);
	if (in == PANE_CODE || key < 0x80)
		return map_key(s, key, arg);
	return ACT_NONE;
}

static int
run(void *arg)
{
	struct label_screen *s = arg;
	int running = 1;

	run_start(s);
	while (running && !pane_quit_requested()) {
		int key = 0, a_arg = 0;
		enum action a;
		enum pane_input in = pane_wait_key(s->pl, &s->msg,
		    "labeling goes on", s->cur == NULL, &key);

		if (in == PANE_IDLE) {
			take_loaded(s);
			label_draw(s);
			trace_done(s);
			continue;
		}
		trace_key(s, key);
		prefetch_activity(s->pf, 0);
		if (in == PANE_RESIZE) {
			on_resize(s);
			s->trace_action = "resize";
			trace_done(s);
			continue;
		}
		/* The guideline viewer takes its keys; others close it. */
		if (s->overlay == OV_GUIDE && ui_text_key(&s->guide,
		    in == PANE_CODE, key, on_resize, s)) {
			label_draw(s);
			s->trace_action = "guide";
			trace_done(s);
			continue;
		}
		if (s->overlay == OV_HELP && pane_help_key(&s->help,
		    in == PANE_CODE, key)) {
			label_draw(s);
			s->trace_action = "help";
			trace_done(s);
			continue;
		}
		if (s->overlay != OV_NONE) {
			s->overlay = OV_NONE;
			s->pane.dirty = 1;
			clear();
			label_draw(s);
			s->trace_action = "close";
			trace_done(s);
			continue;
		}
		a = map_input(s, in, key, &a_arg);
		s->trace_action = action_name(a);
		if (!(running = act(s, a, a_arg)))
			break;
		label_draw(s);
		trace_done(s);
	}
	return 0;
}

/*
 * Everything the screen holds, closed; the item on screen and the one set
 * aside go back to the pool.  Each part may be unset (a failed start).
 */
static void
finish(struct label_screen *s)
{
	player_free(s->pl);
	if (s->cur != NULL && s->mode == MODE_QUEUE)
		queue_release(s->st, s->user, s->cur->it.id, NULL);
	if (s->stash != NULL)
		queue_release(s->st, s->user, s->stash->it.id, NULL);
	prepared_free(s->cur);
	prepared_free(s->stash);
	prefetch_stop(s->pf);
	if (s->labeled > 0)
		printf("%d label%s saved\n", s->labeled, s->labeled == 1 ? "" :
		    "s");
	free(s->hist);
	free(s->note);
	free(s->tags);
	free(s->shown);
	pane_msg_free(&s->msg);
	free(s->failure);
	free(s->guideline);
	ui_text_free(&s->guide);
	if (s->trace)
		fclose(s->trace);
	project_free(&s->proj);
	store_close(s->st);
}

/* The store, project, guideline, trace file and loader; 0, or -1 said. */
static int
start(struct label_screen *s)
{
	char *cause = NULL;
	const char *tf = getenv("ACCORD_TRACE");
	int g;

	if (store_open(s->db, &s->st, &cause) != 0 ||
	    project_load(s->st, &s->proj, &cause) != 0 ||
	    guideline_text(s->st, 0, &s->guideline, &g, &cause) != 0 ||
	    guideline_last_seen(s->st, s->user, &s->seen_guideline,
	    &cause) != 0) {
		fprintf(stderr, "accord: %s: %s\n", s->db, cause);
		free(cause);
		return -1;
	}
	if (tf != NULL && *tf != '\0' && (s->trace = fopen(tf, "ae")) == NULL) {
		fprintf(stderr, "accord: %s: cannot open trace file: %s\n", tf,
		    strerror(errno));
		return -1;
	}
	if ((s->pf = prefetch_start(s->db, s->user, s->batch, PREFETCH_AHEAD,
	    &cause)) == NULL) {
		fprintf(stderr, "accord: %s: %s\n", s->db, cause ? cause :
		    "cannot start the loader");
		free(cause);
		return -1;
	}
	return 0;
}

int
screen_label_run(const char *db, const char *user, const char *batch)
{
	struct label_screen s;
	int r = 1;

	memset(&s, 0, sizeof s);
	s.db = db;
	s.user = user;
	s.batch = batch;
	if (start(&s) == 0) {
		s.pl = player_new();
		s.started = acc_monotonic();
		pane_catch_signals();
		r = ui_run(run, &s);
	}
	finish(&s);
	return r;
}
