/*
 * media_pane.c: the media pane shared by the label and review screens.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_pane.h"
#include "ui.h"

static void
draw_time_axis(const struct media_pane *m, const struct prepared *p, int y)
{
	double d = p->duration, step;
	int c;

	if (d <= 0)
		return;
	/* A mark every 0.5, 1, 2, 5, 10 ... s, at least 10 columns apart. */
	step = 0.5;
	while (step * m->cols / d < 10)
		step = step == 0.5 ? 1 : step == 1 ? 2 : step == 2 ? 5 :
		    step * 2;
	for (c = 0; c * step <= d; c++) {
		int x = (int)(c * step / d * (m->cols - 1) + 0.5);
		char lab[16];

		snprintf(lab, sizeof lab, "|%gs", c * step);
		if (x + (int)strlen(lab) <= m->cols)
			ui_print(y, m->x + x, m->cols - x, lab,
			    ui_attr(UI_DIM));
	}
}

int
pane_draw_text(struct media_pane *m, const struct prepared *p,
    const char *none, int warn, const char *hint)
{
	int y = m->y + m->rows / 2;

	if (p == NULL) {
		ui_print(y, m->x + 2, m->cols - 2, none ? none : "",
		    warn ? ui_attr(UI_WARNING) : ui_attr(UI_DIM));
		return 1;
	}
	if (p->error != NULL) {
		ui_print(y, m->x + 2, m->cols - 2, p->error,
		    ui_attr(UI_WARNING));
		if (hint != NULL)
			ui_print(y + 1, m->x + 2, m->cols - 2, hint,
			    ui_attr(UI_DIM));
		return 1;
	}
	if (p->kind == MEDIA_KIND_AUDIO)
		draw_time_axis(m, p, m->y + m->rows - 1);
	return 0;
}

void
pane_refresh(struct media_pane *m, const struct prepared *p,
    struct player *pl, int blank)
{
	int col = -1;

	/*
	 * Curses believes the pane is blank already, so the old picture is
	 * wiped before refresh(): text or an overlay drawn now lands on it.
	 * (ui_raw_cells writes only the cells not blank yet: nothing when
	 * the pane is blank already.)
	 */
	if (blank || p == NULL || p->error != NULL) {
		ui_raw_cells(m->y, m->x, m->cols, m->rows, NULL);
		m->dirty = 0;
		ui_refresh();
		return;
	}
	ui_refresh();
	/*
	 * Only the cells that changed are written, so emitting after a new
	 * item, zoom or overlay costs what differs; after curses cleared the
	 * screen (or a suspend) everything is written again.
	 */
	if (m->dirty || ui_raw_stale()) {
		if (p->kind == MEDIA_KIND_IMAGE)
			ui_raw_cells(m->y, m->x, m->cols, m->rows, &p->cells);
		else {
			ui_raw_cells(m->y, m->x, m->cols, p->wave_rows,
			    &p->cells);
			ui_raw_cells(m->y + p->wave_rows, m->x, m->cols,
			    m->rows - 1 - p->wave_rows, &p->spec);
		}
		m->dirty = 0;
		m->playhead = -1;
	}
	if (p->kind != MEDIA_KIND_AUDIO)
		return;
	if (player_poll(pl, NULL) && p->duration > 0)
		col = (int)(player_elapsed(pl) / p->duration * (m->cols - 1));
	if (col >= m->cols)
		col = -1;
	if (col != m->playhead) {
		ui_raw_column(m->y, m->x, &p->cells, m->playhead, 0);
		ui_raw_column(m->y, m->x, &p->cells, col, 1);
		m->playhead = col;
	}
}

void
pane_fit(const struct media_pane *m, struct prepared *p)
{
	if (p->cols != m->cols || p->rows != m->rows || p->depth != ui_depth())
		prepared_render(p, m->cols, m->rows, ui_depth(), 1, 0.5, 0.5);
}

void
pane_move(struct media_pane *m, struct prepared *p, enum pane_move a)
{
	double z, cx, cy, step;

	if (p == NULL || p->kind != MEDIA_KIND_IMAGE || p->error != NULL)
		return;
	z = p->zoom;
	cx = p->cx;
	cy = p->cy;
	step = 0.25 / z;
	switch (a) {
	case PANE_ZOOM_IN: z = z * 1.5 > 16 ? 16 : z * 1.5; break;
	case PANE_ZOOM_OUT: z = z / 1.5 < 1 ? 1 : z / 1.5; break;
	case PANE_ZOOM_FIT: z = 1, cx = cy = 0.5; break;
	case PANE_LEFT: cx -= step; break;
	case PANE_RIGHT: cx += step; break;
	case PANE_UP: cy -= step; break;
	case PANE_DOWN: cy += step; break;
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
	prepared_render(p, m->cols, m->rows, ui_depth(), z, cx, cy);
	m->dirty = 1;
}

void
pane_play(struct player *pl, const struct prepared *p, struct pane_msg *msg,
    int *told, const char *goes_on)
{
	char *cause = NULL;

	if (p == NULL || p->kind != MEDIA_KIND_AUDIO)
		return;
	if (player_poll(pl, NULL)) {
		player_stop(pl);
		return;
	}
	if (p->play_error != NULL)
		cause = xstrdup(p->play_error);
	if (cause != NULL || player_start(pl, p->play_path != NULL ?
	    p->play_path : p->it.path, &cause) != 0) {
		if (!*told)
			pane_msg_set(msg, 1, "%s; %s", cause, goes_on);
		*told = 1;
		free(cause);
	}
}

void
pane_layout(struct media_pane *m, int panel_w)
{
	m->y = 2;
	m->x = 0;
	m->cols = COLS - panel_w - 1;
	m->rows = LINES - 4;
	if (m->cols < 1)
		m->cols = 1;
	if (m->rows < 1)
		m->rows = 1;
}

void
pane_resized(struct media_pane *m, int panel_w, struct prefetch *pf,
    struct prepared *cur)
{
	pane_layout(m, panel_w);
	prefetch_set_size(pf, m->cols, m->rows, ui_depth());
	if (cur != NULL && cur->error == NULL)
		prepared_render(cur, m->cols, m->rows, ui_depth(), cur->zoom,
		    cur->cx, cur->cy);
	m->dirty = 1;
	clear();
}

int
pane_too_small(struct media_pane *m, int min_cols, int min_rows)
{
	char msg[96];

	if (COLS >= min_cols && LINES >= min_rows)
		return 0;
	erase();
	snprintf(msg, sizeof msg, "accord needs a terminal of at least %dx%d "
	    "(this one is %dx%d)", min_cols, min_rows, COLS, LINES);
	ui_print(LINES / 2, 0, COLS, msg, ui_attr(UI_WARNING));
	refresh();
	m->dirty = 1;
	return 1;
}

void
pane_box(int y0, int x0, int h, int w)
{
	int i;

	for (i = 0; i < h; i++)
		ui_clear_to(y0 + i, x0, w, ui_attr(UI_NORMAL));
	attron(ui_attr(UI_KEY));
	mvhline(y0, x0, ACS_HLINE, w);
	mvhline(y0 + h - 1, x0, ACS_HLINE, w);
	attroff(ui_attr(UI_KEY));
}

int
pane_map_key(const struct project *p, int class_action,
    const struct pane_key *keys, size_t nkeys, int key, int *arg)
{
	size_t i;
	int ci;

	for (ci = 0; ci < p->nclasses; ci++)
		if (key == p->classes[ci].key) {
			*arg = ci;
			return class_action;
		}
	for (i = 0; i < nkeys; i++)
		if (keys[i].key == key) {
			*arg = keys[i].arg;
			return keys[i].action;
		}
	return 0;
}

/* The overlay's box; the first row to write in. */
static int
overlay_box(int *x0, int *w, int *ylast)
{
	int h = LINES - 4, y0 = 2;

	*x0 = 4;
	*w = COLS - 8;
	*ylast = y0 + h - 2;
	pane_box(y0, *x0, h, *w);
	return y0 + 1;
}

void
pane_help(const struct project *p, const char *title, const char *verb,
    const char *suffix, const struct pane_key *keys, size_t nkeys,
    const char *footer)
{
	int x0, w, last, y = overlay_box(&x0, &w, &last), i;
	size_t k;

	ui_print(y++, x0 + 2, w - 4, title, ui_attr(UI_KEY));
	for (i = 0; i < p->nclasses && y <= last; i++) {
		char line[160], key[2] = { p->classes[i].key, 0 };

		snprintf(line, sizeof line, "%s%s%s%s", verb,
		    p->classes[i].name,
		    p->classes[i].borderline ? " (borderline)" : "", suffix);
		ui_print(y, x0 + 2, 12, key, ui_attr(UI_KEY));
		ui_print(y++, x0 + 14, w - 16, line, ui_attr(UI_NORMAL));
	}
	for (k = 0; k < nkeys && y <= last; k++) {
		if (keys[k].name == NULL)
			continue;
		ui_print(y, x0 + 2, 12, keys[k].name, ui_attr(UI_KEY));
		ui_print(y++, x0 + 14, w - 16, keys[k].help,
		    ui_attr(UI_NORMAL));
	}
	if (footer != NULL && y <= last)
		ui_print(y, x0 + 2, w - 4, footer, ui_attr(UI_DIM));
}

void
pane_guide(int version, struct ui_text *v)
{
	int x0, w, last, y = overlay_box(&x0, &w, &last);
	char hdr[128];

	snprintf(hdr, sizeof hdr, "guideline v%d  (arrows PgUp PgDn Home End, "
	    "/ n search, q closes)", version);
	ui_print(y++, x0 + 2, w - 4, hdr, ui_attr(UI_KEY));
	ui_text_draw(v, y, x0 + 2, w - 4, last - y, last);
}

void
pane_msg_set(struct pane_msg *m, int warn, const char *fmt, ...)
{
	va_list ap;

	free(m->text);
	va_start(ap, fmt);
	m->text = xvasprintf(fmt, ap);
	va_end(ap);
	m->warn = warn;
}

void
pane_msg_clear(struct pane_msg *m)
{
	free(m->text);
	m->text = NULL;
}

void
pane_bottom(const struct pane_msg *m, const char *keys, int attr)
{
	if (m->text != NULL)
		ui_print(LINES - 2, 0, COLS, m->text, m->warn ?
		    ui_attr(UI_WARNING) : ui_attr(UI_NORMAL));
	ui_print(LINES - 1, 0, COLS, keys, attr);
}

enum pane_input
pane_wait_key(struct player *pl, struct pane_msg *msg, int *told,
    const char *goes_on, int waiting, int *key)
{
	int failed = 0, playing = player_poll(pl, &failed), r;
	wint_t wk;

	if (failed && !*told) {
		pane_msg_set(msg, 1, "the audio player (%s) failed: no sound "
		    "device? %s", player_command(pl), goes_on);
		*told = 1;
	}
	r = ui_get_wch(playing || waiting ? 40 : 250, &wk);
	if (r == ERR)
		return PANE_IDLE;
	*key = (int)wk;
	if (r != KEY_CODE_YES)
		return PANE_CHAR;
	return *key == KEY_RESIZE ? PANE_RESIZE : PANE_CODE;
}

/* The flag and the terminal's loss live in ui.c (the line editor needs
 * them too). */
void
pane_catch_signals(void)
{
	ui_catch_signals();
}

int
pane_quit_requested(void)
{
	return ui_quit_requested();
}
