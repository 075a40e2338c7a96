/*
 * pane_line.c: rows that fit the width (pane_line.h).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "accord/util.h"
#include "pane_line.h"
#include "ui.h"
#include "ui_text.h"

static int
wide_width(const wchar_t *ws, size_t n)
{
	size_t i;
	int w = 0;

	for (i = 0; i < n; i++)
		w += wcwidth(ws[i]);
	return w;
}

int
pane_text_width(const char *text)
{
	size_t n;
	wchar_t *ws = ui_widen(text, &n);
	int w = wide_width(ws, n);

	free(ws);
	return w;
}

/* Back to the locale's multibyte form. */
static char *
narrow(const wchar_t *ws)
{
	size_t k = wcstombs(NULL, ws, 0);
	char *s;

	if (k == (size_t)-1)
		return xstrdup("?");
	s = xmalloc(k + 1);
	wcstombs(s, ws, k + 1);
	return s;
}

char *
pane_ellipsize(const char *text, int width, int middle)
{
	const wchar_t *dots = ui_utf8() ? L"\u2026" : L"...";
	int dw = (int)wcslen(dots), head, tail, w;
	size_t n, i, j, len;
	wchar_t *ws = ui_widen(text, &n), *out;
	char *s;

	if (wide_width(ws, n) <= width || width <= dw) {
		free(ws);
		return width <= dw && pane_text_width(text) > width ?
		    xstrdup("") : xstrdup(text != NULL ? text : "");
	}
	head = width - dw;
	tail = 0;
	if (middle) {
		tail = head / 2;
		head -= tail;
	}
	for (i = 0, w = 0; i < n && w + wcwidth(ws[i]) <= head; i++)
		w += wcwidth(ws[i]);
	for (j = n, w = 0; j > i && w + wcwidth(ws[j - 1]) <= tail; j--)
		w += wcwidth(ws[j - 1]);
	len = i + (size_t)dw + (n - j);
	out = xcalloc(len + 1, sizeof *out);
	wmemcpy(out, ws, i);
	wmemcpy(out + i, dots, (size_t)dw);
	wmemcpy(out + i + dw, ws + j, n - j);
	s = narrow(out);
	free(out);
	free(ws);
	return s;
}

/* The width of the shown fields of f joined by sep (width sepw). */
static int
fields_width(char **t, const int *on, int n, int sepw)
{
	int i, w = 0, k = 0;

	for (i = 0; i < n; i++)
		if (on[i])
			w += pane_text_width(t[i]) + (k++ ? sepw : 0);
	return w;
}

/* The shown field to drop next: the lowest rank, the last of it; -1. */
static int
next_drop(const struct pane_field *f, const int *on, int n)
{
	int i, best = -1;

	for (i = 0; i < n; i++)
		if (on[i] && f[i].drop > 0 && (best < 0 ||
		    f[i].drop <= f[best].drop))
			best = i;
	return best;
}

/* The widest shown field that may be shortened and still can be; -1. */
static int
next_shrink(const struct pane_field *f, char **t, const int *on, int n)
{
	int i, best = -1, bw = 0;

	for (i = 0; i < n; i++) {
		int w = pane_text_width(t[i]);

		if (on[i] && f[i].give != PANE_KEEP && w > 4 && w > bw) {
			best = i;
			bw = w;
		}
	}
	return best;
}

int
pane_fields(int y, int x, int width, const char *sep,
    const struct pane_field *f, int n, int attr)
{
	char **t = xcalloc((size_t)n + 1, sizeof *t);
	int *on = xcalloc((size_t)n + 1, sizeof *on);
	int sepw = pane_text_width(sep), i, k, over, used = 0;
	struct buf b = { 0 };

	for (i = 0; i < n; i++) {
		t[i] = xstrdup(f[i].text != NULL ? f[i].text : "");
		on[i] = *t[i] != '\0';
	}
	while (fields_width(t, on, n, sepw) > width &&
	    (k = next_drop(f, on, n)) >= 0)
		on[k] = 0;
	while ((over = fields_width(t, on, n, sepw) - width) > 0 &&
	    (k = next_shrink(f, t, on, n)) >= 0) {
		int w = pane_text_width(t[k]) - over;
		char *s = pane_ellipsize(t[k], w < 4 ? 4 : w,
		    f[k].give == PANE_MIDDLE);

		/* At 4 columns a field is as short as it goes: next_shrink
		 * passes it over, so the loop ends. */
		free(t[k]);
		t[k] = s;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (!on[i])
			continue;
		if (k++)
			buf_puts(&b, sep);
		buf_puts(&b, t[i]);
	}
	if (b.s != NULL)
		used = ui_print(y, x, width, b.s, attr);
	buf_free(&b);
	for (i = 0; i < n; i++)
		free(t[i]);
	free(t);
	free(on);
	return used;
}

int
pane_hints(int y, const char *keys, int attr)
{
	char *copy = xstrdup(keys), *p = copy, *item[64];
	int n = 0, i, k, dropped = 0, w;
	int on[64];
	struct buf b = { 0 };

	/* Items are separated by two spaces (or more). */
	while (*p != '\0' && n < 64) {
		char *e = strstr(p, "  ");

		item[n] = p;
		on[n++] = 1;
		if (e == NULL)
			break;
		*e = '\0';
		for (p = e + 1; *p == ' '; p++)
			;
	}
	for (;;) {
		for (i = 0, w = 0, k = 0; i < n; i++)
			if (on[i])
				w += pane_text_width(item[i]) + (k++ ? 2 : 0);
		/* The terminal's last cell is left alone: writing it may
		 * scroll some terminals. */
		if (w < COLS)
			break;
		for (i = n - 3; i >= 0 && !on[i]; i--)
			;
		if (i < 0)
			break;
		on[i] = 0;
		dropped++;
	}
	for (i = 0, k = 0; i < n; i++)
		if (on[i]) {
			if (k++)
				buf_puts(&b, "  ");
			buf_puts(&b, item[i]);
		}
	ui_print(y, 0, COLS, b.s != NULL ? b.s : "", attr);
	buf_free(&b);
	free(copy);
	return dropped;
}

int
pane_wrap_rows(const char *text, int width)
{
	struct ui_text v;
	int n;

	ui_text_init(&v);
	ui_text_set(&v, text);
	ui_text_wrap(&v, width < 1 ? 1 : width);
	n = v.nlines > 0 ? v.nlines : 1;
	ui_text_free(&v);
	return n;
}

int
pane_wrap(int y, int x, int width, int rows, const char *text, int attr)
{
	struct ui_text v;
	int i, n;

	if (rows < 1 || width < 1)
		return 0;
	ui_text_init(&v);
	ui_text_set(&v, text);
	ui_text_wrap(&v, width);
	n = v.nlines < rows ? v.nlines : rows;
	for (i = 0; i < n; i++) {
		char *line = xstrndup(v.text + v.lines[i].off, v.lines[i].len);

		if (i == rows - 1 && v.nlines > rows) {
			/* More than fits: the last row ends with an
			 * ellipsis. */
			char *more = xasprintf("%s%s", line, ui_utf8() ?
			    " \u2026" : " ...");

			if (pane_text_width(more) > width) {
				free(more);
				more = pane_ellipsize(line,
				    pane_text_width(line) - 1, 0);
			}
			ui_print(y + i, x, width, more, attr);
			free(more);
		} else
			ui_print(y + i, x, width, line, attr);
		free(line);
	}
	ui_text_free(&v);
	return n;
}
