/*
 * screen_label.c: the labeling screen.
 *
 * One loop: read a key, map it to an action through the key table, let the
 * action change state and say what needs redrawing, draw once per pass.
 * The next item comes from the loader thread (prefetch.c) already decoded
 * and rendered; the UI thread only commits labels (durably, before the
 * next item shows) and draws.
 */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#include "ui.h"

#define PANEL_W 28
#define MIN_COLS 80
#define MIN_ROWS 24
#define PREFETCH_AHEAD 3

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
};

/* The key table: data, so the help overlay is generated from it. */
static const struct pane_key keys[] = {
	{ 'n', ACT_NOTE, "n", "write a note on this item (why)", 0 },
	{ 't', ACT_TAGS, "t", "tags, comma-separated (Tab completes)", 0 },
	{ 'u', ACT_UNDO, "u", "undo my last label and show that item", 0 },
	{ 's', ACT_SKIP, "s", "skip this item (or: forward, when back)", 0 },
	{ 'p', ACT_BACK, "p Backspace", "back to my previous items", 0 },
	{ KEY_BACKSPACE, ACT_BACK, NULL, NULL, 0 },
	{ 127, ACT_BACK, NULL, NULL, 0 },
	{ 8, ACT_BACK, NULL, NULL, 0 },
	{ ' ', ACT_PLAY, "space", "play / stop the clip", 0 },
	{ '+', ACT_ZOOM_IN, "+ -", "zoom in / out", 0 },
	{ '=', ACT_ZOOM_IN, NULL, NULL, 0 },
	{ '-', ACT_ZOOM_OUT, NULL, NULL, 0 },
	{ 'z', ACT_ZOOM_FIT, "z", "fit the image to the pane", 0 },
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

enum mode {
	MODE_QUEUE,		/* labeling new items */
	MODE_BACK,		/* going over my earlier items */
};

enum overlay {
	OV_NONE,
	OV_HELP,
	OV_GUIDE,
};

struct screen {
	const char *db, *user, *batch;
	struct store *st;
	struct project proj;
	char *guideline;
	int seen_guideline;	/* version of my newest label at start */
	struct prefetch *pf;
	struct player *pl;

	struct prepared *cur;	/* on screen; NULL while loading */
	struct prepared *stash;	/* the queue item set aside while back */
	enum mode mode;
	long long *hist;	/* my labeled items (MODE_BACK) */
	int nhist, hidx;
	long long want;		/* item requested from the loader */
	int my_class;		/* my label in force on cur (MODE_BACK) */
	char *note;		/* note for cur */
	char *tags;		/* my tags on cur, joined */
	double shown_at;
	int empty, failed;
	char *failure;

	int labeled;		/* labels this session */
	double started;
	struct pane_msg msg;
	int told_player;
	enum overlay overlay;
	struct media_pane pane;

	FILE *trace;
	double trace_key;	/* when the key being traced was read */
	int trace_keycode;
	const char *trace_action;
	double trace_commit;	/* ms spent committing the label */
	double trace_draw;	/* ms spent in the last draw() */
	long long trace_from;
};

/* The media pane's size for the current terminal size. */
static void
layout(struct screen *s)
{
	pane_layout(&s->pane, PANEL_W);
}

static void draw(struct screen *);

/* A resize: new layout, the current item drawn for it, everything again. */
static void
relayout(struct screen *s)
{
	layout(s);
	pane_resized(&s->pane, s->pf, s->cur);
}

/* The line editor's resize hook: redraw the screen under it. */
static void
on_resize(void *arg)
{
	struct screen *s = arg;

	relayout(s);
	draw(s);
}

static const char *
action_name(enum action a)
{
	static const char *const names[] = { "none", "label", "note", "tags",
	    "undo", "skip", "back", "help", "guide", "quit", "zoom-in",
	    "zoom-out", "zoom-fit", "pan-left", "pan-right", "pan-up",
	    "pan-down", "play", "redraw" };

	return names[a];
}

/* Load what the screen shows about cur that the loader does not give. */
static void
item_shown(struct screen *s)
{
	char **tags = NULL, *cause = NULL;
	int n = 0, i;
	struct buf b = { 0 };

	s->shown_at = acc_monotonic();
	s->pane.dirty = 1;
	s->pane.playhead = -1;
	free(s->note);
	s->note = NULL;
	free(s->tags);
	s->tags = NULL;
	s->my_class = 0;
	if (s->cur == NULL)
		return;
	prefetch_set_current(s->pf, s->cur->it.id);
	if (s->cur->cols != s->pane.cols || s->cur->rows != s->pane.rows ||
	    s->cur->depth != ui_depth())
		prepared_render(s->cur, s->pane.cols, s->pane.rows, ui_depth(),
		    1, 0.5, 0.5);
	if (s->mode == MODE_BACK &&
	    label_mine(s->st, s->user, s->cur->it.id, &s->my_class, &s->note,
	    &cause) != 0) {
		pane_msg_set(&s->msg, 1, "%s", cause);
		free(cause);
		cause = NULL;
	}
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

/* Take the next queue item if the loader has one. */
static void
next_from_queue(struct screen *s)
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
leave_item(struct screen *s)
{
	player_stop(s->pl);
	prepared_free(s->cur);
	s->cur = NULL;
}

static void
request(struct screen *s, long long item)
{
	leave_item(s);
	s->want = item;
	prefetch_request(s->pf, item);
}

/* After labeling or skipping an item: where to go next. */
static void
advance(struct screen *s)
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
act_label(struct screen *s, int ci)
{
	const struct class_def *c = &s->proj.classes[ci];
	char *cause = NULL;
	double secs;
	int r;

	if (s->cur == NULL)
		return;
	if (s->cur->error != NULL) {
		pane_msg_set(&s->msg, 1, "this item cannot be shown; s skips it");
		return;
	}
	secs = acc_monotonic() - s->shown_at;
	s->trace_commit = acc_monotonic();
	r = label_put(s->st, s->user, s->cur->it.id, c->id, s->note, secs,
	    NULL, &cause);
	s->trace_commit = (acc_monotonic() - s->trace_commit) * 1000;
	if (r != 0) {
		/* Nothing is lost: the item stays, and the key retries. */
		pane_msg_set(&s->msg, 1, "not saved: %s (press %c again to retry)", cause,
		    c->key);
		free(cause);
		return;
	}
	s->labeled++;
	prefetch_activity(s->pf, 1);
	pane_msg_set(&s->msg, 0, "%s: %s", c->name, s->cur->it.path);
	advance(s);
}

static void
act_note(struct screen *s)
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
	/* Back on a labeled item the note is saved at once, with my class. */
	if (s->mode == MODE_BACK && s->my_class != 0) {
		if (label_put(s->st, s->user, s->cur->it.id, s->my_class, s->note,
		    -1, NULL, &cause) != 0) {
			pane_msg_set(&s->msg, 1, "note not saved: %s", cause);
			free(cause);
		} else
			pane_msg_set(&s->msg, 0, "note saved");
	} else
		pane_msg_set(&s->msg, 0, "note kept; it is saved with the label");
}

static void
act_tags(struct screen *s)
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
		item_shown(s);	/* reload the joined tags */
	}
	free(text);
}

static void
act_undo(struct screen *s)
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
	s->hidx = 0;
	s->mode = MODE_BACK;
	request(s, item);
}

static void
act_skip(struct screen *s)
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

static void
act_back(struct screen *s)
{
	char *cause = NULL;

	if (s->mode == MODE_BACK) {
		if (s->hidx == 0) {
			pane_msg_set(&s->msg, 0, "this is my first labeled item");
			return;
		}
		s->hidx--;
		request(s, s->hist[s->hidx]);
		return;
	}
	free(s->hist);
	s->hist = NULL;
	if (label_history(s->st, s->user, &s->hist, &s->nhist, &cause) != 0) {
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
act_zoom(struct screen *s, enum action a)
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
act_play(struct screen *s)
{
	pane_play(s->pl, s->cur, &s->msg, &s->told_player,
	    "labeling goes on");
}

/* --- drawing ---------------------------------------------------------- */

static void
draw_status(struct screen *s)
{
	long long done = 0, rem = 0;
	double mins = (acc_monotonic() - s->started) / 60;
	char *line;

	prefetch_progress(s->pf, &done, &rem);
	line = xasprintf(" accord | %s | %s | guideline v%d | %lld done, %lld "
	    "left | %.1f/min%s", s->proj.task, s->user, s->proj.guideline, done,
	    rem, mins > 0 ? s->labeled / mins : 0.0,
	    s->mode == MODE_BACK ? " | BACK (s: forward)" : "");
	ui_clear_to(0, 0, COLS, ui_attr(UI_STATUS));
	ui_print(0, 0, COLS, line, ui_attr(UI_STATUS));
	free(line);
	if (s->cur != NULL) {
		struct buf b = { 0 };
		int i;

		buf_puts(&b, s->cur->it.path);
		for (i = 0; i < s->cur->it.nmeta; i++)
			buf_printf(&b, "  %s=%s", s->cur->it.meta[i].key,
			    s->cur->it.meta[i].value);
		ui_print(1, 0, COLS, b.s, ui_attr(UI_DIM));
		buf_free(&b);
	}
}

static void
draw_panel(struct screen *s)
{
	int x = COLS - PANEL_W + 1, y = 2, i, w = PANEL_W - 2;

	mvvline(2, COLS - PANEL_W, ACS_VLINE, LINES - 4);
	ui_print(y++, x, w, "classes (key: label)", ui_attr(UI_DIM));
	for (i = 0; i < s->proj.nclasses; i++) {
		const struct class_def *c = &s->proj.classes[i];
		int sel = s->mode == MODE_BACK && s->my_class == c->id;
		char key[8];
		int attr = sel ? ui_attr(UI_SELECTED) :
		    c->borderline ? ui_attr(UI_BORDERLINE) : ui_attr(UI_NORMAL);

		snprintf(key, sizeof key, " %c ", c->key);
		ui_print(y, x, 3, key, sel ? attr : ui_attr(UI_KEY));
		ui_print(y, x + 3, w - 3, c->name, attr);
		if (c->borderline && w > 16 + (int)strlen(c->name))
			ui_print(y, x + 4 + (int)strlen(c->name), w - 4 -
			    (int)strlen(c->name), "(borderline)", ui_attr(UI_DIM));
		y++;
	}
	y++;
	if (s->cur != NULL && y < LINES - 3) {
		ui_print(y++, x, w, "note:", ui_attr(UI_DIM));
		ui_print(y++, x, w, s->note ? s->note : "-", ui_attr(UI_NORMAL));
		ui_print(y++, x, w, "tags:", ui_attr(UI_DIM));
		ui_print(y++, x, w, s->tags && *s->tags ? s->tags : "-",
		    ui_attr(UI_NORMAL));
	}
	if (s->cur != NULL && s->cur->kind == MEDIA_KIND_IMAGE &&
	    s->cur->zoom > 1.001 && y < LINES - 3) {
		char z[32];

		snprintf(z, sizeof z, "zoom %.1fx", s->cur->zoom);
		ui_print(++y, x, w, z, ui_attr(UI_DIM));
	}
}

/* What curses draws in the media pane: text when there is no picture. */
static int
draw_media_text(struct screen *s)
{
	return pane_draw_text(&s->pane, s->cur, s->failed ? s->failure :
	    s->empty ? "Nothing left for you to label now. q quits; new items "
	    "appear here when others release them." : "loading...", s->failed,
	    "s skips this item");
}

static void
draw_overlay(struct screen *s)
{
	if (s->overlay == OV_HELP)
		pane_help(&s->proj, "keys (any key closes)", "label as ", "",
		    keys, sizeof keys / sizeof keys[0], "mouse: click a class "
		    "to label with it");
	else
		pane_guide(s->proj.guideline, s->guideline);
}

static void draw_screen(struct screen *);

static void
draw(struct screen *s)
{
	double t0 = acc_monotonic();

	draw_screen(s);
	s->trace_draw = (acc_monotonic() - t0) * 1000;
}

static void
draw_screen(struct screen *s)
{
	int text;

	if (pane_too_small(&s->pane, MIN_COLS, MIN_ROWS))
		return;
	erase();
	draw_status(s);
	text = draw_media_text(s);
	draw_panel(s);
	pane_bottom(&s->msg, "keys: class key labels  b borderline  n note  "
	    "t tags  u undo  s skip  p back  g guide  ? help  q quit",
	    ui_attr(UI_DIM));
	if (s->overlay != OV_NONE)
		draw_overlay(s);
	pane_refresh(&s->pane, s->cur, s->pl, text || s->overlay != OV_NONE);
}

/* --- the loop --------------------------------------------------------- */

static enum action
map_key(struct screen *s, int key, int *arg)
{
	return (enum action)pane_map_key(&s->proj, ACT_LABEL, keys,
	    sizeof keys / sizeof keys[0], key, arg);
}

static enum action
map_mouse(struct screen *s, int *arg)
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
trace_done(struct screen *s)
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
guide_refresh(struct screen *s)
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

static int
run(struct screen *s)
{
	int running = 1, failed = 0;

	layout(s);
	prefetch_set_size(s->pf, s->pane.cols, s->pane.rows, ui_depth());
	if (getenv("SSH_CONNECTION") != NULL && getenv("PULSE_SERVER") == NULL &&
	    s->proj.media == MEDIA_KIND_AUDIO)
		pane_msg_set(&s->msg, 0, "over SSH, sound needs PulseAudio forwarding: "
		    "see docs/guide.md");
	if (s->seen_guideline > 0 && s->seen_guideline < s->proj.guideline)
		pane_msg_set(&s->msg, 1, "the guideline changed since your last session: "
		    "v%d -> v%d (g shows it)", s->seen_guideline,
		    s->proj.guideline);
	next_from_queue(s);
	draw(s);
	while (running && !pane_quit_requested()) {
		int key, arg = 0, r;
		wint_t wk;
		enum action a = ACT_NONE;
		int playing = player_poll(s->pl, &failed);

		if (failed && !s->told_player) {
			pane_msg_set(&s->msg, 1, "the audio player (%s) failed: no sound "
			    "device? labeling goes on", player_command(s->pl));
			s->told_player = 1;
		}
		timeout(playing || s->cur == NULL ? 40 : 250);
		r = get_wch(&wk);
		if (r == ERR) {
			/* Idle: pick up what the loader finished. */
			if (s->cur == NULL && s->want != 0) {
				struct prepared *p = NULL;
				char *why = NULL;

				if (prefetch_wanted(s->pf, &p, &why) == PF_READY) {
					s->want = 0;
					s->cur = p;
					item_shown(s);
				}
				free(why);
			} else if (s->cur == NULL)
				next_from_queue(s);
			draw(s);
			trace_done(s);
			continue;
		}
		key = r == KEY_CODE_YES ? (int)wk : (int)wk;
		if (s->trace != NULL) {
			s->trace_key = acc_monotonic();
			s->trace_keycode = key;
			s->trace_from = s->cur ? s->cur->it.id : 0;
		}
		prefetch_activity(s->pf, 0);
		if (r == KEY_CODE_YES && key == KEY_RESIZE) {
			relayout(s);
			draw(s);
			s->trace_action = "resize";
			trace_done(s);
			continue;
		}
		if (s->overlay != OV_NONE) {
			s->overlay = OV_NONE;
			s->pane.dirty = 1;
			clear();
			draw(s);
			s->trace_action = "close";
			trace_done(s);
			continue;
		}
		if (r == KEY_CODE_YES && key == KEY_MOUSE)
			a = map_mouse(s, &arg);
		else if (r == KEY_CODE_YES || wk < 0x80)
			a = map_key(s, key, &arg);
		s->trace_action = action_name(a);
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
			s->pane.dirty = 1;
			break;
		case ACT_GUIDE:
			guide_refresh(s);
			s->overlay = OV_GUIDE;
			s->pane.dirty = 1;
			break;
		case ACT_QUIT: running = 0; break;
		case ACT_ZOOM_IN: case ACT_ZOOM_OUT: case ACT_ZOOM_FIT:
		case ACT_PAN_LEFT: case ACT_PAN_RIGHT: case ACT_PAN_UP:
		case ACT_PAN_DOWN:
			act_zoom(s, a);
			break;
		case ACT_PLAY: act_play(s); break;
		case ACT_REDRAW:
			s->pane.dirty = 1;
			clear();
			break;
		case ACT_NONE: break;
		}
		if (!running)
			break;
		draw(s);
		trace_done(s);
	}
	return 0;
}

int
screen_label_run(const char *db, const char *user, const char *batch)
{
	struct screen s;
	char *cause = NULL;
	const char *tf = getenv("ACCORD_TRACE");
	int g, r;

	memset(&s, 0, sizeof s);
	s.db = db;
	s.user = user;
	s.batch = batch;
	if (store_open(db, &s.st, &cause) != 0 ||
	    project_load(s.st, &s.proj, &cause) != 0 ||
	    guideline_text(s.st, 0, &s.guideline, &g, &cause) != 0 ||
	    guideline_last_seen(s.st, user, &s.seen_guideline, &cause) != 0) {
		fprintf(stderr, "accord: %s: %s\n", db, cause);
		free(cause);
		free(s.guideline);	/* set when only the last step failed */
		project_free(&s.proj);
		store_close(s.st);
		return 1;
	}
	if (tf != NULL && *tf != '\0' && (s.trace = fopen(tf, "a")) == NULL) {
		fprintf(stderr, "accord: %s: cannot open trace file\n", tf);
		project_free(&s.proj);
		store_close(s.st);
		free(s.guideline);
		return 1;
	}
	if ((s.pf = prefetch_start(db, user, batch, PREFETCH_AHEAD,
	    &cause)) == NULL) {
		fprintf(stderr, "accord: %s: %s\n", db, cause ? cause :
		    "cannot start the loader");
		free(cause);
		project_free(&s.proj);
		store_close(s.st);
		free(s.guideline);
		if (s.trace)
			fclose(s.trace);
		return 1;
	}
	s.pl = player_new();
	s.started = acc_monotonic();
	pane_catch_signals();
	if (ui_start(&cause) != 0) {
		fprintf(stderr, "accord: %s\n", cause);
		free(cause);
		r = 1;
	} else {
		r = run(&s);
		ui_stop();
	}
	player_free(s.pl);
	/* The item on screen and the one set aside go back to the pool. */
	if (s.cur != NULL && s.mode == MODE_QUEUE)
		queue_release(s.st, user, s.cur->it.id, NULL);
	if (s.stash != NULL)
		queue_release(s.st, user, s.stash->it.id, NULL);
	prepared_free(s.cur);
	prepared_free(s.stash);
	prefetch_stop(s.pf);
	if (s.labeled > 0)
		printf("%d label%s saved\n", s.labeled, s.labeled == 1 ? "" :
		    "s");
	free(s.hist);
	free(s.note);
	free(s.tags);
	pane_msg_clear(&s.msg);
	free(s.failure);
	free(s.guideline);
	if (s.trace)
		fclose(s.trace);
	project_free(&s.proj);
	store_close(s.st);
	return r;
}
