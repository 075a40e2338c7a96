/*
 * ui_text.c: the text viewer (ui_text.h): word wrap by display width,
 * scrolling, search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <curses.h>

#include "accord/util.h"
#include "ui.h"
#include "ui_text.h"

void
ui_text_init(struct ui_text *v)
{
	memset(v, 0, sizeof *v);
}

void
ui_text_free(struct ui_text *v)
{
	free(v->text);
	free(v->lines);
	free(v->query);
	ui_text_init(v);
}

void
ui_text_set(struct ui_text *v, const char *text)
{
	char *query = v->query;

	v->query = NULL;
	ui_text_free(v);
	v->query = query;
	v->text = xstrdup(text != NULL ? text : "");
}

static void
push_line(struct ui_text *v, size_t *cap, size_t off, size_t len,
    int heading)
{
	if ((size_t)v->nlines == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		v->lines = xreallocarray(v->lines, *cap, sizeof *v->lines);
	}
	v->lines[v->nlines].off = off;
	v->lines[v->nlines].len = len;
	v->lines[v->nlines].heading = heading;
	v->nlines++;
}

/*
 * The display width of the character at p (at most n bytes) in *cw, its
 * length in bytes returned.  Bytes that do not decode count one column
 * each, and so do control characters: ui_print shows both as one '?'.
 */
static size_t
char_at(const char *p, size_t n, int *cw, wchar_t *wc)
{
	mbstate_t st;
	size_t k;

	memset(&st, 0, sizeof st);
	k = mbrtowc(wc, p, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*wc = 0;
		*cw = 1;
		return 1;
	}
	*cw = wcwidth(*wc);
	if (*cw < 0)
		*cw = 1;
	return k;
}

/*
 * One source line [ls, le) as screen lines of at most width columns:
 * broken after the last space that fits, or inside a word longer than the
 * width; the spaces at a break are dropped.
 */
static void
wrap_line(struct ui_text *v, size_t *cap, const char *ls, const char *le,
    int width)
{
	const char *pos = ls;
	int heading = *ls == '#';

	if (ls == le) {
		push_line(v, cap, (size_t)(ls - v->text), 0, heading);
		return;
	}
	while (pos < le) {
		const char *q = pos, *brk = NULL, *end;
		int col = 0, cw;
		wchar_t wc;

		while (q < le) {
			size_t k = char_at(q, (size_t)(le - q), &cw, &wc);

			if (col + cw > width)
				break;
			if (wc == L' ')
				brk = q;
			col += cw;
			q += k;
		}
		if (q >= le) {
			push_line(v, cap, (size_t)(pos - v->text),
			    (size_t)(le - pos), heading);
			return;
		}
		if (*q == ' ')
			end = q;
		else if (brk != NULL && brk > pos)
			end = brk;
		else if (q > pos)
			end = q;
		else
			end = q + char_at(q, (size_t)(le - q), &cw, &wc);
		while (end > pos && end[-1] == ' ' && end - 1 > pos)
			end--;
		push_line(v, cap, (size_t)(pos - v->text), (size_t)(end - pos),
		    heading);
		pos = end;
		while (pos < le && *pos == ' ')
			pos++;
	}
}

void
ui_text_wrap(struct ui_text *v, int width)
{
	const char *p = v->text != NULL ? v->text : "";
	size_t cap = 0, first = 0;

	if (v->nlines > 0 && v->top < v->nlines)
		first = v->lines[v->top].off;
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
	v->width = width;
	for (;;) {
		const char *e = strchr(p, '\n');
		const char *le = e != NULL ? e : p + strlen(p);

		if (le > p && le[-1] == '\r')
			le--;
		if (e == NULL && le == p && p != v->text)
			break;		/* no line after the last newline */
		wrap_line(v, &cap, p, le, width);
		if (e == NULL)
			break;
		p = e + 1;
	}
	/* Keep the line that was first in view. */
	v->top = 0;
	while (v->top + 1 < v->nlines && v->lines[v->top + 1].off <= first)
		v->top++;
}

static int
max_top(const struct ui_text *v)
{
	int rows = v->rows > 0 ? v->rows : 1;

	return v->nlines > rows ? v->nlines - rows : 0;
}

static void
scroll_to(struct ui_text *v, int top)
{
	int m = max_top(v);

	v->top = top < 0 ? 0 : top > m ? m : top;
}

/* Print bytes [a, b) of the text at (y, *x), within the row's end xe. */
static void
print_part(struct ui_text *v, int y, int *x, int xe, size_t a, size_t b,
    int attr)
{
	char *s;

	if (b <= a || *x >= xe)
		return;
	s = xstrndup(v->text + a, b - a);
	*x += ui_print(y, *x, xe - *x, s, attr);
	free(s);
}

void
ui_text_draw(struct ui_text *v, int y, int x, int cols, int rows, int foot)
{
	char pos[64];
	int i;

	if (cols < 1 || rows < 1)
		return;
	if (v->text == NULL)
		ui_text_set(v, NULL);
	if (cols != v->width)
		ui_text_wrap(v, cols);
	v->rows = rows;
	scroll_to(v, v->top);
	for (i = 0; i < rows && v->top + i < v->nlines; i++) {
		const struct ui_text_line *l = &v->lines[v->top + i];
		size_t a = l->off, b = l->off + l->len;
		size_t ma = v->m_off, mb = v->m_off + v->m_len;
		int attr = ui_attr(l->heading ? UI_KEY : UI_NORMAL), cx = x;

		if (v->m_len == 0 || mb <= a || ma >= b) {
			print_part(v, y + i, &cx, x + cols, a, b, attr);
			continue;
		}
		if (ma < a)
			ma = a;
		if (mb > b)
			mb = b;
		print_part(v, y + i, &cx, x + cols, a, ma, attr);
		print_part(v, y + i, &cx, x + cols, ma, mb, attr | A_REVERSE);
		print_part(v, y + i, &cx, x + cols, mb, b, attr);
	}
	if (v->nlines == 0)
		snprintf(pos, sizeof pos, "(empty)");
	else
		snprintf(pos, sizeof pos, "lines %d-%d of %d", v->top + 1,
		    v->top + i, v->nlines);
	i = ui_print(foot, x, cols, pos, ui_attr(UI_DIM));
	if (v->msg[0] != '\0' && i + 2 < cols)
		ui_print(foot, x + i + 2, cols - i - 2, v->msg,
		    ui_attr(UI_WARNING));
}

/* The first match of the query at or after byte from, or -1. */
static long
find_from(const struct ui_text *v, size_t from)
{
	size_t n = strlen(v->text), q = strlen(v->query), i;

	if (q == 0 || q > n)
		return -1;
	for (i = from; i + q <= n; i++)
		if (strncasecmp(v->text + i, v->query, q) == 0)
			return (long)i;
	return -1;
}

/* Find the query from byte from (then from the top), show the match. */
static void
search(struct ui_text *v, size_t from)
{
	long at = find_from(v, from);
	int line;

	if (at < 0 && from > 0 && (at = find_from(v, 0)) >= 0)
		snprintf(v->msg, sizeof v->msg, "from the top again");
	if (at < 0) {
		char *q = acc_printable(v->query);

		snprintf(v->msg, sizeof v->msg, "not found: %s", q);
		free(q);
		v->m_len = 0;
		return;
	}
	v->m_off = (size_t)at;
	v->m_len = strlen(v->query);
	for (line = 0; line + 1 < v->nlines &&
	    v->lines[line + 1].off <= v->m_off; line++)
		;
	if (line < v->top || line >= v->top + v->rows)
		scroll_to(v, line);
}

static void
ask_search(struct ui_text *v, void (*redraw)(void *), void *arg)
{
	char *q = ui_edit_line("/", NULL, NULL, 0, redraw, arg);

	if (q == NULL)
		return;
	if (q[0] != '\0') {
		free(v->query);
		v->query = q;
	} else
		free(q);
	if (v->query == NULL)
		return;
	search(v, v->nlines > 0 ? v->lines[v->top].off : 0);
}

int
ui_text_key(struct ui_text *v, int code, int key,
    void (*redraw)(void *), void *arg)
{
	int page = v->rows > 1 ? v->rows - 1 : 1;

	v->msg[0] = '\0';
	if (code) {
		switch (key) {
		case KEY_UP: scroll_to(v, v->top - 1); return 1;
		case KEY_DOWN: scroll_to(v, v->top + 1); return 1;
		case KEY_PPAGE: scroll_to(v, v->top - page); return 1;
		case KEY_NPAGE: scroll_to(v, v->top + page); return 1;
		case KEY_HOME: scroll_to(v, 0); return 1;
		case KEY_END: scroll_to(v, max_top(v)); return 1;
		case KEY_MOUSE: return 1;
		}
		return 0;
	}
	switch (key) {
	case 'k': scroll_to(v, v->top - 1); return 1;
	case 'j': scroll_to(v, v->top + 1); return 1;
	case 'b': scroll_to(v, v->top - page); return 1;
	case ' ': scroll_to(v, v->top + page); return 1;
	case '/': ask_search(v, redraw, arg); return 1;
	case 'n':
		if (v->query == NULL)
			snprintf(v->msg, sizeof v->msg, "/ searches first");
		else
			search(v, v->m_len ? v->m_off + 1 :
			    v->nlines > 0 ? v->lines[v->top].off : 0);
		return 1;
	}
	return 0;
}
