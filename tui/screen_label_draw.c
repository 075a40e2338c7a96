/*
 * screen_label_draw.c: what the label screen draws: the status rows, the
 * class panel with the note and tags, the media pane, the overlays.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "prefetch.h"
#include "screen_label.h"
#include "ui.h"

#define MIN_COLS 80
#define MIN_ROWS 24

static void
draw_status(struct label_screen *s)
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
		pane_view_line(s->cur, 1);
	}
}

static void
draw_panel(struct label_screen *s)
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
			ui_print(y, x + 4 + (int)strlen(c->name),
			    w - 4 - (int)strlen(c->name), "(borderline)",
			    ui_attr(UI_DIM));
		y++;
	}
	y++;
	if (s->cur != NULL && y < LINES - 3) {
		ui_print(y++, x, w, "note:", ui_attr(UI_DIM));
		ui_print(y++, x, w, s->note ? s->note : "-",
		    ui_attr(UI_NORMAL));
		ui_print(y++, x, w, "tags:", ui_attr(UI_DIM));
		ui_print(y++, x, w, s->tags && *s->tags ? s->tags : "-",
		    ui_attr(UI_NORMAL));
	}
}

/* What curses draws in the media pane: text when there is no picture. */
static int
draw_media_text(struct label_screen *s)
{
	return pane_draw_text(&s->pane, s->cur, s->failed ? s->failure :
	    s->empty ? "Nothing left for you to label now. q quits; new items "
	    "appear here when others release them." : "loading...", s->failed,
	    "s skips this item");
}

static void
draw_overlay(struct label_screen *s)
{
	if (s->overlay == OV_HELP)
		pane_help(&s->proj, "keys (any key closes)", "label as ", "",
		    label_keys, label_nkeys, "mouse: click a class "
		    "to label with it");
	else
		pane_guide(s->proj.guideline, &s->guide);
}

static void
draw_screen(struct label_screen *s)
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

void
label_draw(struct label_screen *s)
{
	double t0 = acc_monotonic();

	draw_screen(s);
	s->trace_draw = (acc_monotonic() - t0) * 1000;
}
