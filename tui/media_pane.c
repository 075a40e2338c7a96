/*
 * media_pane.c: the media pane shared by the label and review screens.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_pane.h"
#include "pane_line.h"
#include "ui.h"

/*
 * A time axis mark: seconds under a minute ("|2.5s"), else m:ss, or
 * h:mm:ss for a clip of an hour or more, so a 10-hour clip reads
 * "|8:00:00" rather than "|28800s".
 */
static void
time_mark(char *lab, size_t len, double t, double d)
{
	long s = (long)(t + 0.5);

	if (d < 60)
		snprintf(lab, len, "|%gs", t);
	else if (d < 3600)
		snprintf(lab, len, "|%ld:%02ld", s / 60, s % 60);
	else
		snprintf(lab, len, "|%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		    s % 60);
}

static void
draw_time_axis(const struct media_pane *m, const struct prepared *p, int y)
{
	/* Steps a clock reads well: seconds, then minutes, then hours. */
	static const double steps[] = { 0.5, 1, 2, 5, 10, 15, 30, 60, 120,
	    300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200 };
	double d = p->duration, step;
	size_t i;
	int c;

	if (d <= 0)
		return;
	/* Marks at least 10 columns apart (12 for h:mm:ss); past a minute
	 * in whole seconds. */
	for (i = 0, step = steps[0];; i++) {
		step = i < sizeof steps / sizeof steps[0] ? steps[i] :
		    step * 2;
		if (d >= 60 && step < 1)
			continue;
		if (step * m->cols / d >= (d < 3600 ? 10 : 12))
			break;
	}
	for (c = 0; c * step <= d; c++) {
		int x = (int)(c * step / d * (m->cols - 1) + 0.5);
		char lab[32];

		time_mark(lab, sizeof lab, c * step, d);
		if (x + (int)strlen(lab) <= m->cols)
			ui_print(y, m->x + x, m->cols - x, lab,
			    ui_attr(UI_DIM));
	}
}

int
pane_draw_text(struct media_pane *m, const struct prepared *p,
    const char *none, int warn, const char *error, const char *hint)
{
	int y = m->y + m->rows / 2;

	/* Wrapped, not cut: at 80x24 the pane is 51 columns wide. */
	if (p == NULL) {
		pane_wrap(y, m->x + 2, m->cols - 4, m->rows / 2 - 1,
		    none ? none : "", warn ? ui_attr(UI_WARNING) :
		    ui_attr(UI_DIM));
		return 1;
	}
	if (p->error != NULL) {
		y += pane_wrap(y, m->x + 2, m->cols - 4, m->rows / 2 - 2,
		    error != NULL ? error : p->error, ui_attr(UI_WARNING));
		if (hint != NULL)
			pane_wrap(y, m->x + 2, m->cols - 4, 1, hint,
			    ui_attr(UI_DIM));
		return 1;
	}
	if (p->kind == MEDIA_KIND_AUDIO)
		draw_time_axis(m, p, m->y + m->rows - 1);
	return 0;
}

/*
 * A long message's rows lie over the pane's last rows, which the raw cells
 * just overwrote: curses is to send them again at the next refresh()
 * (wredrawln: its idea of those rows of the terminal no longer holds).
 */
static void
redraw_covered(const struct media_pane *m)
{
	if (m->covered > 0) {
		wredrawln(stdscr, m->y + m->rows - m->covered, m->covered);
		/* Curses' text goes over those rows: when it goes, the
		 * picture is written there again. */
		ui_raw_forget(m->y + m->rows - m->covered, m->covered);
	}
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
		if (m->dirty)
			redraw_covered(m);
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
		redraw_covered(m);
		ui_refresh();
	}
	if (p->kind != MEDIA_KIND_AUDIO)
		return;
	if (player_poll(pl) && p->duration > 0)
		col = (int)(player_elapsed(pl) / p->duration * (m->cols - 1));
	if (col >= m->cols)
		col = -1;
	if (col != m->playhead) {
		ui_raw_column(m->y, m->x, &p->cells, m->playhead, 0);
		ui_raw_column(m->y, m->x, &p->cells, col, 1);
		m->playhead = col;
	}
}

/* Whether p shows an image the view applies to. */
static int
pane_image(const struct prepared *p)
{
	return p != NULL && p->kind == MEDIA_KIND_IMAGE && p->error == NULL &&
	    p->img.rgb != NULL;
}

static int
view_same(const struct image_view *a, const struct image_view *b)
{
	return a->scale == b->scale && a->cx == b->cx && a->cy == b->cy &&
	    a->brightness == b->brightness && a->contrast == b->contrast &&
	    a->gamma == b->gamma && a->levels == b->levels;
}

void
pane_fit(struct media_pane *m, struct prepared *p)
{
	if (pane_image(p)) {
		if (p->img.width != m->view_w || p->img.height != m->view_h) {
			m->view.scale = 0;
			m->view.cx = m->view.cy = 0.5;
			m->view_w = p->img.width;
			m->view_h = p->img.height;
		}
		image_view_clamp(&m->view, p->img.width, p->img.height,
		    m->cols, 2 * m->rows);
	}
	if (p->cols != m->cols || p->rows != m->rows ||
	    p->depth != ui_depth() ||
	    (pane_image(p) && !view_same(&p->view, &m->view)))
		prepared_render(p, m->cols, m->rows, ui_depth(), &m->view);
}

/* One step of an adjustment, within -IMAGE_ADJUST_MAX..IMAGE_ADJUST_MAX. */
static void
tone_step(int *v, int d)
{
	if (*v + d >= -IMAGE_ADJUST_MAX && *v + d <= IMAGE_ADJUST_MAX)
		*v += d;
}

void
pane_move(struct media_pane *m, struct prepared *p, enum pane_move a)
{
	struct image_view v;
	double fit, fx, fy;
	int iw, ih, bw = m->cols, bh = 2 * m->rows;

	if (!pane_image(p))
		return;
	iw = p->img.width;
	ih = p->img.height;
	v = p->view;
	fit = image_fit_scale(iw, ih, bw, bh);
	/* A pan moves a quarter of what is shown. */
	image_view_span(&v, iw, ih, bw, bh, &fx, &fy);
	switch (a) {
	case PANE_ZOOM_IN: v.scale = image_zoom_step(v.scale, fit, 1); break;
	case PANE_ZOOM_OUT: v.scale = image_zoom_step(v.scale, fit, -1); break;
	case PANE_ZOOM_FIT: v.scale = 0; v.cx = v.cy = 0.5; break;
	case PANE_ZOOM_ONE: v.scale = 1; break;
	case PANE_LEFT: v.cx -= fx / 4; break;
	case PANE_RIGHT: v.cx += fx / 4; break;
	case PANE_UP: v.cy -= fy / 4; break;
	case PANE_DOWN: v.cy += fy / 4; break;
	case PANE_DARKER: tone_step(&v.brightness, -1); break;
	case PANE_BRIGHTER: tone_step(&v.brightness, 1); break;
	case PANE_LESS_CONTRAST: tone_step(&v.contrast, -1); break;
	case PANE_MORE_CONTRAST: tone_step(&v.contrast, 1); break;
	case PANE_GAMMA_DOWN: tone_step(&v.gamma, -1); break;
	case PANE_GAMMA_UP: tone_step(&v.gamma, 1); break;
	case PANE_LEVELS: v.levels = !v.levels; break;
	case PANE_TONES_RESET:
		v.brightness = v.contrast = v.gamma = v.levels = 0;
		break;
	}
	image_view_clamp(&v, iw, ih, bw, bh);
	m->view = v;
	m->view_w = iw;
	m->view_h = ih;
	prepared_render(p, m->cols, m->rows, ui_depth(), &v);
	m->dirty = 1;
}

char *
pane_view_status(const struct prepared *p)
{
	struct image_view tones;
	char *adj, *s;

	if (!pane_image(p))
		return NULL;
	tones = p->view;
	tones.scale = 0;
	adj = image_view_text(&tones, NULL);
	s = xasprintf("%s %.3gx%s%s", p->view.scale > 0 ? "zoom" : "fit",
	    p->scale, adj != NULL ? "  " : "", adj != NULL ? adj : "");
	free(adj);
	return s;
}

void
pane_play(struct player *pl, const struct prepared *p, struct pane_msg *msg,
    const char *goes_on)
{
	char *cause = NULL;

	if (p == NULL || p->kind != MEDIA_KIND_AUDIO)
		return;
	if (player_poll(pl)) {
		player_stop(pl);
		return;
	}
	/* A failure not shown yet belongs to the playback before this one. */
	free(player_failure(pl));
	if (p->play_error != NULL)
		cause = xstrdup(p->play_error);
	if (cause != NULL || player_start(pl, p->play_path != NULL ?
	    p->play_path : p->it.path, &cause) != 0) {
		pane_msg_set(msg, 1, "%s; %s", cause, goes_on);
		free(cause);
	}
}

void
pane_status(const struct pane_field *f, int n)
{
	ui_clear_to(0, 0, COLS, ui_attr(UI_STATUS));
	pane_fields(0, 0, COLS, " | ", f, n, ui_attr(UI_STATUS));
}

void
pane_item_row(int y, const struct pane_field *lead, int nlead,
    const struct prepared *p, int meta_drop)
{
	const struct queue_item *it = p != NULL ? &p->it : NULL;
	int nmeta = it != NULL ? it->nmeta : 0, i, n = nlead, width = COLS;
	struct pane_field *f = xcalloc((size_t)(nlead + nmeta) + 1,
	    sizeof *f);
	char **kv = xcalloc((size_t)nmeta + 1, sizeof *kv);
	char *v = pane_view_status(p);

	/*
	 * The view goes at the right end, three spaces after the fields,
	 * which fit in what is left: a picture that is not what the file
	 * looks like must say so, so the metadata gives way to it.  At its
	 * longest (zoomed, every tone changed) it leaves 12 columns of 80.
	 */
	if (v != NULL) {
		int vw = (int)strlen(v);

		width = COLS - vw - 3;
		if (width < 1)
			width = 1;
		ui_clear_to(y, width, COLS - width, ui_attr(UI_NORMAL));
		ui_print(y, width + 3 < COLS ? width + 3 : width, COLS - width,
		    v, ui_attr(UI_KEY));
		free(v);
	}

	memcpy(f, lead, (size_t)nlead * sizeof *f);
	for (i = 0; i < nmeta; i++) {
		kv[i] = xasprintf("%s=%s", it->meta[i].key,
		    it->meta[i].value);
		f[n++] = (struct pane_field){ kv[i], meta_drop, PANE_KEEP };
	}
	pane_fields(y, 0, width, "  ", f, n, ui_attr(UI_DIM));
	for (i = 0; i < nmeta; i++)
		free(kv[i]);
	free(kv);
	free(f);
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
	if (cur != NULL && cur->error == NULL) {
		/* The centre may have to move in: more of the image shows. */
		if (pane_image(cur))
			image_view_clamp(&m->view, cur->img.width,
			    cur->img.height, m->cols, 2 * m->rows);
		prepared_render(cur, m->cols, m->rows, ui_depth(),
		    pane_image(cur) ? &m->view : NULL);
	}
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

/*
 * The overlay's box: the whole width from row 2 to the fourth row from the
 * bottom, so nothing of the pane or the panel shows through at any width;
 * the text starts at column 4 (*x0 + 2).  Returns the first row to write
 * in; *ylast is the last.
 */
static int
overlay_box(int *x0, int *w, int *ylast)
{
	int h = LINES - 4, y0 = 2;

	pane_box(y0, 0, h, COLS);
	*x0 = 4;
	*w = COLS - 8;
	*ylast = y0 + h - 2;
	return y0 + 1;
}

/* One row of the help: a key ("" under it, where its text wraps) and a
 * line of its text. */
struct help_row {
	char key[16];
	char *text;
	int attr;
};

static void
help_add(struct help_row **rows, int *n, const char *key, const char *text,
    int width, int attr)
{
	struct ui_text v;
	int i;

	ui_text_init(&v);
	ui_text_set(&v, text);
	ui_text_wrap(&v, width);
	*rows = xreallocarray(*rows, (size_t)*n + (size_t)v.nlines + 1,
	    sizeof **rows);
	for (i = 0; i < v.nlines; i++) {
		struct help_row *r = &(*rows)[(*n)++];

		snprintf(r->key, sizeof r->key, "%s", i == 0 && key != NULL ?
		    key : "");
		r->text = xstrndup(v.text + v.lines[i].off, v.lines[i].len);
		r->attr = attr;
	}
	ui_text_free(&v);
}

/* The help's rows for a text column width wide: classes, keys, footer. */
static struct help_row *
help_rows(const struct project *p, const char *verb, const char *suffix,
    const struct pane_key *keys, size_t nkeys, const char *footer, int width,
    int *n)
{
	struct help_row *rows = NULL;
	size_t k;
	int i;

	*n = 0;
	for (i = 0; i < p->nclasses; i++) {
		char *line = xasprintf("%s%s%s%s", verb, p->classes[i].name,
		    p->classes[i].borderline ? " (borderline)" : "", suffix);
		char key[2] = { p->classes[i].key, '\0' };

		help_add(&rows, n, key, line, width,
		    ui_attr(UI_NORMAL));
		free(line);
	}
	for (k = 0; k < nkeys; k++)
		if (keys[k].name != NULL)
			help_add(&rows, n, keys[k].name, keys[k].help, width,
			    ui_attr(UI_NORMAL));
	if (footer != NULL)
		help_add(&rows, n, NULL, footer, width, ui_attr(UI_DIM));
	return rows;
}

void
pane_help(const struct project *p, const char *title, const char *verb,
    const char *suffix, const struct pane_key *keys, size_t nkeys,
    const char *footer, struct pane_scroll *sc)
{
	int x0, w, last, y = overlay_box(&x0, &w, &last), i, n, room;
	struct help_row *rows = help_rows(p, verb, suffix, keys, nkeys,
	    footer, w - 16, &n);
	char *head;

	/* The rows under the title; a help longer than them scrolls, with its
	 * position on the last. */
	room = last - y;
	if (n > room)
		room--;
	sc->lines = n;
	sc->rows = room;
	if (sc->top > n - room)
		sc->top = n - room;
	if (sc->top < 0)
		sc->top = 0;
	head = xasprintf("%s (%s)", title, n > room ? "arrows PgUp PgDn "
	    "Home End scroll, any other key closes" : "any key closes");
	ui_print(y++, x0 + 2, w - 4, head, ui_attr(UI_KEY));
	free(head);
	for (i = sc->top; i < n && i < sc->top + room; i++, y++) {
		if (rows[i].key[0] != '\0')
			ui_print(y, x0 + 2, 12, rows[i].key, ui_attr(UI_KEY));
		ui_print(y, x0 + 14, w - 16, rows[i].text, rows[i].attr);
	}
	if (n > room) {
		char pos[64];

		snprintf(pos, sizeof pos, "lines %d-%d of %d", sc->top + 1,
		    i, n);
		ui_print(last, x0 + 2, w - 4, pos, ui_attr(UI_DIM));
	}
	for (i = 0; i < n; i++)
		free(rows[i].text);
	free(rows);
}

int
pane_help_key(struct pane_scroll *sc, int code, int key)
{
	int page = sc->rows > 1 ? sc->rows - 1 : 1, top = sc->top;

	if (!code || sc->lines <= sc->rows)
		return 0;
	switch (key) {
	case KEY_UP: top--; break;
	case KEY_DOWN: top++; break;
	case KEY_PPAGE: top -= page; break;
	case KEY_NPAGE: top += page; break;
	case KEY_HOME: top = 0; break;
	case KEY_END: top = sc->lines - sc->rows; break;
	default: return 0;
	}
	if (top > sc->lines - sc->rows)
		top = sc->lines - sc->rows;
	sc->top = top < 0 ? 0 : top;
	return 1;
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

/* s with every from replaced by to; malloc'd. */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	struct buf b = { 0 };
	size_t n = strlen(from);
	const char *q;

	if (n == 0)
		return xstrdup(s);
	while ((q = strstr(s, from)) != NULL) {
		buf_add(&b, s, (size_t)(q - s));
		buf_puts(&b, to);
		s = q + n;
	}
	buf_puts(&b, s);
	return b.s != NULL ? b.s : xstrdup("");
}

char *
pane_redact(const char *text, const char *path, int base_too,
    const char *as)
{
	const char *base;
	char *once, *twice;

	if (path == NULL || *path == '\0')
		return xstrdup(text);
	once = replace_all(text, path, as);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	/* A name of one or two bytes would turn up inside other words. */
	if (!base_too || strlen(base) < 3)
		return once;
	twice = replace_all(once, base, as);
	free(once);
	return twice;
}

void
pane_msg_hide(struct pane_msg *m, const char *path, int base_too,
    const char *as)
{
	free(m->hide);
	free(m->as);
	m->hide = path != NULL ? xstrdup(path) : NULL;
	m->as = path != NULL ? xstrdup(as) : NULL;
	m->hide_base = base_too;
}

void
pane_msg_set(struct pane_msg *m, int warn, const char *fmt, ...)
{
	va_list ap;
	char *t;

	free(m->text);
	va_start(ap, fmt);
	t = xvasprintf(fmt, ap);
	va_end(ap);
	if (m->hide != NULL) {
		m->text = pane_redact(t, m->hide, m->hide_base, m->as);
		free(t);
	} else
		m->text = t;
	m->warn = warn;
}

void
pane_msg_clear(struct pane_msg *m)
{
	free(m->text);
	m->text = NULL;
}

void
pane_msg_free(struct pane_msg *m)
{
	pane_msg_clear(m);
	pane_msg_hide(m, NULL, 0, NULL);
}

void
pane_footer(struct media_pane *pane, const struct pane_msg *m,
    const char *keys, int attr)
{
	int rows = 0, i;

	if (m->text != NULL) {
		rows = pane_wrap_rows(m->text, COLS);
		if (rows > PANE_MSG_ROWS)
			rows = PANE_MSG_ROWS;
		for (i = 0; i < rows; i++)
			ui_clear_to(LINES - 1 - rows + i, 0, COLS,
			    ui_attr(UI_NORMAL));
		pane_wrap(LINES - 1 - rows, 0, COLS, rows, m->text, m->warn ?
		    ui_attr(UI_WARNING) : ui_attr(UI_NORMAL));
	}
	pane_hints(LINES - 1, keys, attr);
	/* Rows over the pane's bottom: the picture is sent again under
	 * them when they come or go (pane_refresh). */
	if (pane != NULL && (rows > 1 ? rows - 1 : 0) != pane->covered) {
		pane->covered = rows > 1 ? rows - 1 : 0;
		pane->dirty = 1;
	}
}

void
pane_bottom(const struct pane_msg *m, const char *keys, int attr)
{
	pane_footer(NULL, m, keys, attr);
}

enum pane_input
pane_wait_key(struct player *pl, struct pane_msg *msg, const char *goes_on,
    int waiting, int *key)
{
	int playing = player_poll(pl), r;
	char *why = player_failure(pl);
	wint_t wk;

	/* player_failure gives each failure once: it is said once. */
	if (why != NULL) {
		pane_msg_set(msg, 1, "playback failed: %s; %s", why, goes_on);
		free(why);
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
