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
#include "accord/queue.h"
#include "accord/util.h"
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
static const struct keybind {
	int key;
	enum action action;
	const char *name;	/* NULL: an alias not listed separately */
	const char *help;
} keys[] = {
	{ 'n', ACT_NOTE, "n", "write a note on this item (why)" },
	{ 't', ACT_TAGS, "t", "tags, comma-separated (Tab completes)" },
	{ 'u', ACT_UNDO, "u", "undo my last label and show that item" },
	{ 's', ACT_SKIP, "s", "skip this item (or: forward, when back)" },
	{ 'p', ACT_BACK, "p Backspace", "back to my previous items" },
	{ KEY_BACKSPACE, ACT_BACK, NULL, NULL },
	{ 127, ACT_BACK, NULL, NULL },
	{ 8, ACT_BACK, NULL, NULL },
	{ ' ', ACT_PLAY, "space", "play / stop the clip" },
	{ '+', ACT_ZOOM_IN, "+ -", "zoom in / out" },
	{ '=', ACT_ZOOM_IN, NULL, NULL },
	{ '-', ACT_ZOOM_OUT, NULL, NULL },
	{ 'z', ACT_ZOOM_FIT, "z", "fit the image to the pane" },
	{ KEY_LEFT, ACT_PAN_LEFT, "arrows hjkl", "pan when zoomed" },
	{ 'h', ACT_PAN_LEFT, NULL, NULL },
	{ KEY_RIGHT, ACT_PAN_RIGHT, NULL, NULL },
	{ 'l', ACT_PAN_RIGHT, NULL, NULL },
	{ KEY_UP, ACT_PAN_UP, NULL, NULL },
	{ 'k', ACT_PAN_UP, NULL, NULL },
	{ KEY_DOWN, ACT_PAN_DOWN, NULL, NULL },
	{ 'j', ACT_PAN_DOWN, NULL, NULL },
	{ 'g', ACT_GUIDE, "g", "show the guideline in force" },
	{ '?', ACT_HELP, "?", "this help" },
	{ 12, ACT_REDRAW, "^L", "redraw the screen" },
	{ 'q', ACT_QUIT, "q", "quit (every label is already saved)" },
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
	char *msg;
	int msg_warn;
	int told_player;
	enum overlay overlay;
	int media_dirty;	/* media cells must be emitted again */
	int playhead;		/* column highlighted, -1 none */
	int cols, rows;		/* media pane */

	FILE *trace;
	double trace_key;	/* when the key being traced was read */
	int trace_keycode;
	const char *trace_action;
	double trace_commit;	/* ms spent committing the label */
	double trace_draw;	/* ms spent in the last draw() */
	long long trace_from;
};

static volatile sig_atomic_t quit_signal;

static void
on_signal(int sig)
{
	(void)sig;
	quit_signal = 1;
}

static void
set_msg(struct screen *s, int warn, const char *fmt, ...) ACC_PRINTF(3, 4);

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

/* The media pane's size for the current terminal size. */
static void
layout(struct screen *s)
{
	s->cols = COLS - PANEL_W - 1;
	s->rows = LINES - 4;
	if (s->cols < 1)
		s->cols = 1;
	if (s->rows < 1)
		s->rows = 1;
}

static void draw(struct screen *);

/* A resize: new layout, the current item drawn for it, everything again. */
static void
relayout(struct screen *s)
{
	layout(s);
	prefetch_set_size(s->pf, s->cols, s->rows, ui_depth());
	if (s->cur != NULL && s->cur->error == NULL)
		prepared_render(s->cur, s->cols, s->rows, ui_depth(),
		    s->cur->zoom, s->cur->cx, s->cur->cy);
	s->media_dirty = 1;
	clear();
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
	s->media_dirty = 1;
	s->playhead = -1;
	free(s->note);
	s->note = NULL;
	free(s->tags);
	s->tags = NULL;
	s->my_class = 0;
	if (s->cur == NULL)
		return;
	prefetch_set_current(s->pf, s->cur->it.id);
	if (s->cur->cols != s->cols || s->cur->rows != s->rows ||
	    s->cur->depth != ui_depth())
		prepared_render(s->cur, s->cols, s->rows, ui_depth(), 1, 0.5,
		    0.5);
	if (s->mode == MODE_BACK &&
	    label_mine(s->st, s->user, s->cur->it.id, &s->my_class, &s->note,
	    &cause) != 0) {
		set_msg(s, 1, "%s", cause);
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
		set_msg(s, 1, "this item cannot be shown; s skips it");
		return;
	}
	secs = acc_monotonic() - s->shown_at;
	s->trace_commit = acc_monotonic();
	r = label_put(s->st, s->user, s->cur->it.id, c->id, s->note, secs,
	    NULL, &cause);
	s->trace_commit = (acc_monotonic() - s->trace_commit) * 1000;
	if (r != 0) {
		/* Nothing is lost: the item stays, and the key retries. */
		set_msg(s, 1, "not saved: %s (press %c again to retry)", cause,
		    c->key);
		free(cause);
		return;
	}
	s->labeled++;
	prefetch_activity(s->pf, 1);
	set_msg(s, 0, "%s: %s", c->name, s->cur->it.path);
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
			set_msg(s, 1, "note not saved: %s", cause);
			free(cause);
		} else
			set_msg(s, 0, "note saved");
	} else
		set_msg(s, 0, "note kept; it is saved with the label");
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
		set_msg(s, 1, "%s", cause);
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
		set_msg(s, 1, "tags not saved: %s", cause);
		free(cause);
	} else {
		set_msg(s, 0, "tags saved");
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
		set_msg(s, 1, "%s", cause);
		free(cause);
		return;
	}
	if (item == 0) {
		set_msg(s, 0, "nothing to undo");
		return;
	}
	prefetch_activity(s->pf, 1);
	set_msg(s, 0, "label withdrawn; label this item again");
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
		set_msg(s, 1, "%s", cause);
		free(cause);
	} else
		set_msg(s, 0, "skipped %s", s->cur->it.path);
	advance(s);
}

static void
act_back(struct screen *s)
{
	char *cause = NULL;

	if (s->mode == MODE_BACK) {
		if (s->hidx == 0) {
			set_msg(s, 0, "this is my first labeled item");
			return;
		}
		s->hidx--;
		request(s, s->hist[s->hidx]);
		return;
	}
	free(s->hist);
	s->hist = NULL;
	if (label_history(s->st, s->user, &s->hist, &s->nhist, &cause) != 0) {
		set_msg(s, 1, "%s", cause);
		free(cause);
		return;
	}
	if (s->nhist == 0) {
		set_msg(s, 0, "no labeled items yet");
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
	struct prepared *p = s->cur;
	double z, cx, cy, step;

	if (p == NULL || p->kind != MEDIA_KIND_IMAGE || p->error != NULL)
		return;
	z = p->zoom;
	cx = p->cx;
	cy = p->cy;
	step = 0.25 / z;
	switch (a) {
	case ACT_ZOOM_IN: z = z * 1.5 > 16 ? 16 : z * 1.5; break;
	case ACT_ZOOM_OUT: z = z / 1.5 < 1 ? 1 : z / 1.5; break;
	case ACT_ZOOM_FIT: z = 1, cx = cy = 0.5; break;
	case ACT_PAN_LEFT: cx -= step; break;
	case ACT_PAN_RIGHT: cx += step; break;
	case ACT_PAN_UP: cy -= step; break;
	case ACT_PAN_DOWN: cy += step; break;
	default: break;
	}
	/* Keep the centre where the visible region stays inside the image. */
	if (cx < 0.5 / z)
		cx = 0.5 / z;
	if (cx > 1 - 0.5 / z)
		cx = 1 - 0.5 / z;
	if (cy < 0.5 / z)
		cy = 0.5 / z;
	if (cy > 1 - 0.5 / z)
		cy = 1 - 0.5 / z;
	prepared_render(p, s->cols, s->rows, ui_depth(), z, cx, cy);
	s->media_dirty = 1;
}

static void
act_play(struct screen *s)
{
	char *cause = NULL;

	if (s->cur == NULL || s->cur->kind != MEDIA_KIND_AUDIO)
		return;
	if (player_poll(s->pl, NULL)) {
		player_stop(s->pl);
		return;
	}
	if (player_start(s->pl, s->cur->it.path, &cause) != 0) {
		if (!s->told_player)
			set_msg(s, 1, "%s; labeling goes on", cause);
		s->told_player = 1;
		free(cause);
	}
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

static void
draw_time_axis(struct screen *s, int y)
{
	double d = s->cur->duration, step;
	int c;

	if (d <= 0)
		return;
	/* A mark every 0.5, 1, 2, 5, 10 ... s, at least 10 columns apart. */
	step = 0.5;
	while (step * s->cols / d < 10)
		step = step == 0.5 ? 1 : step == 1 ? 2 : step == 2 ? 5 :
		    step * 2;
	for (c = 0; c * step <= d; c++) {
		int x = (int)(c * step / d * (s->cols - 1) + 0.5);
		char lab[16];

		snprintf(lab, sizeof lab, "|%gs", c * step);
		if (x + (int)strlen(lab) <= s->cols)
			ui_print(y, x, s->cols - x, lab, ui_attr(UI_DIM));
	}
}

/* What curses draws in the media pane: text when there is no picture. */
static int
draw_media_text(struct screen *s)
{
	struct prepared *p = s->cur;
	int top = 2;

	if (p == NULL) {
		const char *what = s->failed ? s->failure : s->empty ?
		    "Nothing left for you to label now. q quits; new items "
		    "appear here when others release them." : "loading...";

		ui_print(top + s->rows / 2, 2, s->cols - 2, what ? what : "",
		    s->failed ? ui_attr(UI_WARNING) : ui_attr(UI_DIM));
		return 1;
	}
	if (p->error != NULL) {
		ui_print(top + s->rows / 2, 2, s->cols - 2, p->error,
		    ui_attr(UI_WARNING));
		ui_print(top + s->rows / 2 + 1, 2, s->cols - 2,
		    "s skips this item", ui_attr(UI_DIM));
		return 1;
	}
	if (p->kind == MEDIA_KIND_AUDIO)
		draw_time_axis(s, top + s->rows - 1);
	return 0;
}

/* After refresh(): the media cells, written straight to the terminal. */
static void
draw_media_cells(struct screen *s)
{
	struct prepared *p = s->cur;
	int top = 2, col = -1;

	if (s->overlay != OV_NONE || p == NULL || p->error != NULL)
		return;
	if (s->media_dirty) {
		if (p->kind == MEDIA_KIND_IMAGE)
			ui_raw_cells(top, 0, s->cols, s->rows, &p->cells);
		else {
			ui_raw_cells(top, 0, s->cols, p->wave_rows, &p->cells);
			ui_raw_cells(top + p->wave_rows, 0, s->cols,
			    s->rows - 1 - p->wave_rows, &p->spec);
		}
		s->media_dirty = 0;
		s->playhead = -1;
	}
	if (p->kind != MEDIA_KIND_AUDIO)
		return;
	if (player_poll(s->pl, NULL) && p->duration > 0)
		col = (int)(player_elapsed(s->pl) / p->duration * (s->cols - 1));
	if (col >= s->cols)
		col = -1;
	if (col != s->playhead) {
		ui_raw_column(top, 0, &p->cells, s->playhead, 0);
		ui_raw_column(top, 0, &p->cells, col, 1);
		s->playhead = col;
	}
}

static void
draw_overlay(struct screen *s)
{
	int w = COLS - 8, h = LINES - 4, y0 = 2, x0 = 4, y = y0 + 1, i;

	for (i = 0; i < h; i++)
		ui_clear_to(y0 + i, x0, w, ui_attr(UI_NORMAL));
	attron(ui_attr(UI_KEY));
	mvhline(y0, x0, ACS_HLINE, w);
	mvhline(y0 + h - 1, x0, ACS_HLINE, w);
	attroff(ui_attr(UI_KEY));
	if (s->overlay == OV_HELP) {
		ui_print(y++, x0 + 2, w - 4, "keys (any key closes)",
		    ui_attr(UI_KEY));
		for (i = 0; i < s->proj.nclasses && y < y0 + h - 1; i++) {
			char line[128];

			snprintf(line, sizeof line, "label as %s%s",
			    s->proj.classes[i].name,
			    s->proj.classes[i].borderline ? " (borderline)" : "");
			ui_print(y, x0 + 2, 12, (char[]){ s->proj.classes[i].key,
			    0 }, ui_attr(UI_KEY));
			ui_print(y++, x0 + 14, w - 16, line, ui_attr(UI_NORMAL));
		}
		for (i = 0; i < (int)(sizeof keys / sizeof keys[0]) &&
		    y < y0 + h - 1; i++) {
			if (keys[i].name == NULL)
				continue;
			ui_print(y, x0 + 2, 12, keys[i].name, ui_attr(UI_KEY));
			ui_print(y++, x0 + 14, w - 16, keys[i].help,
			    ui_attr(UI_NORMAL));
		}
		if (y < y0 + h - 1)
			ui_print(y, x0 + 2, w - 4, "mouse: click a class to label "
			    "with it", ui_attr(UI_DIM));
		return;
	}
	{
		/* The guideline, line by line, as much as fits. */
		const char *p = s->guideline ? s->guideline : "";
		char hdr[64];

		snprintf(hdr, sizeof hdr, "guideline v%d (any key closes)",
		    s->proj.guideline);
		ui_print(y++, x0 + 2, w - 4, hdr, ui_attr(UI_KEY));
		while (*p != '\0' && y < y0 + h - 1) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char *line = xstrndup(p, n);

			ui_print(y++, x0 + 2, w - 4, line, line[0] == '#' ?
			    ui_attr(UI_KEY) : ui_attr(UI_NORMAL));
			free(line);
			p = e ? e + 1 : p + n;
		}
	}
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

	erase();
	if (COLS < MIN_COLS || LINES < MIN_ROWS) {
		char m[96];

		snprintf(m, sizeof m, "accord needs a terminal of at least "
		    "%dx%d (this one is %dx%d)", MIN_COLS, MIN_ROWS, COLS, LINES);
		ui_print(LINES / 2, 0, COLS, m, ui_attr(UI_WARNING));
		refresh();
		s->media_dirty = 1;
		return;
	}
	draw_status(s);
	text = draw_media_text(s);
	draw_panel(s);
	if (s->msg != NULL)
		ui_print(LINES - 2, 0, COLS, s->msg, s->msg_warn ?
		    ui_attr(UI_WARNING) : ui_attr(UI_NORMAL));
	ui_print(LINES - 1, 0, COLS, "keys: class key labels  b borderline  "
	    "n note  t tags  u undo  s skip  p back  g guide  ? help  q quit",
	    ui_attr(UI_DIM));
	if (s->overlay != OV_NONE)
		draw_overlay(s);
	/* A pane with text (or an overlay) instead of a picture: wipe the old
	 * picture first, since curses believes the pane is blank already. */
	if ((text || s->overlay != OV_NONE) && s->media_dirty) {
		ui_raw_cells(2, 0, s->cols, s->rows, NULL);
		s->media_dirty = 0;
	}
	refresh();
	draw_media_cells(s);
}

/* --- the loop --------------------------------------------------------- */

static enum action
map_key(struct screen *s, int key, int *arg)
{
	size_t i;
	int ci;

	for (ci = 0; ci < s->proj.nclasses; ci++)
		if (key == s->proj.classes[ci].key) {
			*arg = ci;
			return ACT_LABEL;
		}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].key == key)
			return keys[i].action;
	return ACT_NONE;
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
		set_msg(s, 1, "%s", cause);
		free(cause);
		return;
	}
	if (v == s->proj.guideline) {
		free(text);
		return;
	}
	if (project_load(s->st, &p, &cause) != 0) {
		set_msg(s, 1, "%s", cause);
		free(cause);
		free(text);
		return;
	}
	project_free(&s->proj);
	s->proj = p;
	free(s->guideline);
	s->guideline = text;
	set_msg(s, 1, "guideline v%d is now in force", v);
}

static int
run(struct screen *s)
{
	int running = 1, failed = 0;

	layout(s);
	prefetch_set_size(s->pf, s->cols, s->rows, ui_depth());
	if (getenv("SSH_CONNECTION") != NULL && getenv("PULSE_SERVER") == NULL &&
	    s->proj.media == MEDIA_KIND_AUDIO)
		set_msg(s, 0, "over SSH, sound needs PulseAudio forwarding: "
		    "see docs/guide.md");
	if (s->seen_guideline > 0 && s->seen_guideline < s->proj.guideline)
		set_msg(s, 1, "the guideline changed since your last session: "
		    "v%d -> v%d (g shows it)", s->seen_guideline,
		    s->proj.guideline);
	next_from_queue(s);
	draw(s);
	while (running && !quit_signal) {
		int key, arg = 0, r;
		wint_t wk;
		enum action a = ACT_NONE;
		int playing = player_poll(s->pl, &failed);

		if (failed && !s->told_player) {
			set_msg(s, 1, "the audio player (%s) failed: no sound "
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
			s->media_dirty = 1;
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
			free(s->msg);
			s->msg = NULL;
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
			s->media_dirty = 1;
			break;
		case ACT_GUIDE:
			guide_refresh(s);
			s->overlay = OV_GUIDE;
			s->media_dirty = 1;
			break;
		case ACT_QUIT: running = 0; break;
		case ACT_ZOOM_IN: case ACT_ZOOM_OUT: case ACT_ZOOM_FIT:
		case ACT_PAN_LEFT: case ACT_PAN_RIGHT: case ACT_PAN_UP:
		case ACT_PAN_DOWN:
			act_zoom(s, a);
			break;
		case ACT_PLAY: act_play(s); break;
		case ACT_REDRAW:
			s->media_dirty = 1;
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
	free(s.msg);
	free(s.failure);
	free(s.guideline);
	if (s.trace)
		fclose(s.trace);
	project_free(&s.proj);
	store_close(s.st);
	return r;
}
