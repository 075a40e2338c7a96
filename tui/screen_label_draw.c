/*
 * screen_label_draw.c: what the label screen draws: the status rows, the
 * class panel with the note and tags, the media pane, the overlays.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "pane_line.h"
#include "prefetch.h"
#include "screen_label.h"
#include "ui.h"

#define MIN_COLS 80
#define MIN_ROWS 24

static void
draw_item_row(struct label_screen *s)
{
	struct pane_field f[2];
	char *num = NULL;
	int n = 0;

	/* full: the path as before; else the item's number, then the base
	 * name when show-paths is basename. */
	if (s->paths != CONFIG_PATHS_FULL) {
		num = xasprintf("item %lld", s->cur->it.id);
		f[n++] = (struct pane_field){ num, 0, PANE_KEEP };
	}
	if (s->paths != CONFIG_PATHS_NONE && s->shown != NULL)
		f[n++] = (struct pane_field){ s->shown, 0, PANE_MIDDLE };
	pane_item_row(1, f, n, s->cur, 1);
	free(num);
}

/*
 * Row 0: the status bar; row 1: the item, named as show-paths says, and
 * its metadata.  At 80 columns they give way rather than lose their ends:
 * the rate and the user name go first, a long task name is shortened, a
 * path keeps its file name, metadata that does not fit is left out whole.
 */
static void
draw_status(struct label_screen *s)
{
	long long done = 0, rem = 0;
	double mins = (acc_monotonic() - s->started) / 60;
	char *gl, *counts, *rate;

	prefetch_progress(s->pf, &done, &rem);
	gl = xasprintf("guideline v%d", s->proj.guideline);
	counts = xasprintf("%lld done, %lld left", done, rem);
	rate = xasprintf("%.1f/min", mins > 0 ? s->labeled / mins : 0.0);
	{
		const struct pane_field f[] = {
			{ " accord", 0, PANE_KEEP },
			{ s->proj.task, 0, PANE_END },
			{ s->user, 2, PANE_END },
			{ gl, 0, PANE_KEEP },
			{ counts, 0, PANE_KEEP },
			{ rate, 1, PANE_KEEP },
			{ s->mode == MODE_BACK ? "BACK (s: forward)" : NULL, 0,
			    PANE_KEEP },
		};

		pane_status(f, sizeof f / sizeof f[0]);
	}
	free(gl);
	free(counts);
	free(rate);
	if (s->cur != NULL)
		draw_item_row(s);
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
	/* The note and tags wrap (up to 3 and 2 rows) rather than run off
	 * the panel's 26 columns. */
	if (s->cur != NULL && y < LINES - 3) {
		ui_print(y++, x, w, "note:", ui_attr(UI_DIM));
		y += pane_wrap(y, x, w, 3, s->note ? s->note : "-",
		    ui_attr(UI_NORMAL));
		ui_print(y++, x, w, "tags:", ui_attr(UI_DIM));
		y += pane_wrap(y, x, w, 2, s->tags && *s->tags ? s->tags : "-",
		    ui_attr(UI_NORMAL));
	}
}

/*
 * What curses draws in the media pane: text when there is no picture.  An
 * item's error names its file the way show-paths says.
 */
static int
draw_media_text(struct label_screen *s)
{
	char *error = NULL;
	int r;

	if (s->cur != NULL && s->cur->error != NULL && s->msg.hide != NULL)
		error = pane_redact(s->cur->error, s->msg.hide,
		    s->msg.hide_base, s->msg.as);
	r = pane_draw_text(&s->pane, s->cur, s->failed ? s->failure :
	    s->empty ? "Nothing left for you to label now. q quits; new items "
	    "appear here when others release them." : "loading...", s->failed,
	    error, "s skips this item");
	free(error);
	return r;
}

static void
draw_overlay(struct label_screen *s)
{
	if (s->overlay == OV_HELP)
		pane_help(&s->proj, "keys", "label as ", "", label_keys,
		    label_nkeys, "mouse: click a class to label with it",
		    &s->help);
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
	/* Fits 80 columns whole (the class keys are in the panel); a
	 * narrower row drops items before "? help  q quit". */
	pane_footer(&s->pane, &s->msg, s->proj.media == MEDIA_KIND_AUDIO ?
	    "keys: space play  n note  t tags  u undo  s skip  p back  "
	    "g guide  ? help  q quit" :
	    "keys: n note  t tags  u undo  s skip  p back  g guide  + - zoom  "
	    "? help  q quit", ui_attr(UI_DIM));
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
