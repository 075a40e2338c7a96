/*
 * ui_edit.c: the modal one-line editor on the bottom row (ui_edit_line),
 * for notes, tags, comments and filters.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "accord/util.h"
#include "ui.h"

/* The text being edited, as wide characters, and where it is drawn. */
struct edit {
	wchar_t buf[1024];
	size_t len, cur;	/* characters in buf; the cursor's index */
	int y, cols;		/* the bottom row and its width */
	char *const *complete;	/* Tab's words, or NULL */
	int ncomplete;
};

enum edit_step {
	EDIT_MORE,		/* go on reading keys */
	EDIT_ACCEPT,		/* Enter */
	EDIT_CANCEL,		/* Esc */
};

/* The prompt, the text (as much as fits) and the cursor; then refresh. */
static void
edit_draw(const struct edit *e, const char *prompt)
{
	int px, cx = (int)strlen(prompt);
	size_t i;

	ui_clear_to(e->y, 0, e->cols, A_NORMAL);
	px = ui_print(e->y, 0, e->cols, prompt, ui_attr(UI_KEY));
	move(e->y, px);
	for (i = 0; i < e->len && px < e->cols - 1; i++) {
		wchar_t one[2] = { e->buf[i], 0 };

		addnwstr(one, 1);
		px += wcwidth(e->buf[i]) > 0 ? wcwidth(e->buf[i]) : 1;
	}
	for (i = 0; i < e->cur; i++)
		cx += wcwidth(e->buf[i]) > 0 ? wcwidth(e->buf[i]) : 1;
	move(e->y, cx < e->cols ? cx : e->cols - 1);
	refresh();
}

/* Backspace: the character before the cursor goes. */
static void
edit_backspace(struct edit *e)
{
	if (e->cur > 0) {
		memmove(&e->buf[e->cur - 1], &e->buf[e->cur],
		    (e->len - e->cur) * sizeof *e->buf);
		e->cur--, e->len--;
	}
}

/* The word being completed: after the last comma, leading spaces skipped. */
static size_t
word_start(const wchar_t *b, size_t len)
{
	size_t s = len;

	while (s > 0 && b[s - 1] != L',')
		s--;
	while (s < len && b[s] == L' ')
		s++;
	return s;
}

/* Tab at the end of the text: the word becomes the first word it starts. */
static void
edit_complete(struct edit *e)
{
	size_t ws = word_start(e->buf, e->len), wn;
	char word[512];
	wchar_t w[256];
	int k, match = -1;

	if (e->complete == NULL || e->cur != e->len)
		return;
	e->buf[e->len] = 0;
	if (wcstombs(word, &e->buf[ws], sizeof word) == (size_t)-1)
		return;
	for (k = 0; k < e->ncomplete && match < 0; k++)
		if (strncmp(e->complete[k], word, strlen(word)) == 0)
			match = k;
	if (match < 0)
		return;
	wn = mbstowcs(w, e->complete[match], sizeof w / sizeof w[0] - 1);
	if (wn != (size_t)-1 &&
	    ws + wn < sizeof e->buf / sizeof e->buf[0] - 1) {
		memcpy(&e->buf[ws], w, wn * sizeof *w);
		e->len = e->cur = ws + wn;
	}
}

/* A keypad key: moves, deletes, Enter; a resize redraws the screen. */
static enum edit_step
edit_code(struct edit *e, wint_t ch, void (*redraw)(void *), void *arg)
{
	switch (ch) {
	case KEY_RESIZE:
		if (redraw != NULL)
			redraw(arg);
		curs_set(1);
		e->y = LINES - 1;
		e->cols = COLS;
		break;
	case KEY_LEFT: if (e->cur > 0) e->cur--; break;
	case KEY_RIGHT: if (e->cur < e->len) e->cur++; break;
	case KEY_HOME: e->cur = 0; break;
	case KEY_END: e->cur = e->len; break;
	case KEY_BACKSPACE: edit_backspace(e); break;
	case KEY_DC:
		if (e->cur < e->len) {
			memmove(&e->buf[e->cur], &e->buf[e->cur + 1],
			    (e->len - e->cur - 1) * sizeof *e->buf);
			e->len--;
		}
		break;
	case KEY_ENTER: return EDIT_ACCEPT;
	}
	return EDIT_MORE;
}

/* A character: control keys edit, printable ones are inserted. */
static enum edit_step
edit_char(struct edit *e, wint_t ch)
{
	switch (ch) {
	case L'\r': case L'\n': return EDIT_ACCEPT;
	case 27: return EDIT_CANCEL;
	case 1: e->cur = 0; break;		/* ^A */
	case 5: e->cur = e->len; break;		/* ^E */
	case 21: e->len = e->cur = 0; break;	/* ^U */
	case 127: case 8: edit_backspace(e); break;
	case L'\t': edit_complete(e); break;
	default:
		if (ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0) &&
		    e->len < sizeof e->buf / sizeof e->buf[0] - 1) {
			memmove(&e->buf[e->cur + 1], &e->buf[e->cur],
			    (e->len - e->cur) * sizeof *e->buf);
			e->buf[e->cur++] = (wchar_t)ch;
			e->len++;
		}
	}
	return EDIT_MORE;
}

/* The text as UTF-8, spaces trimmed at both ends. */
static char *
edit_text(struct edit *e)
{
	size_t n, a, b;
	char *out;

	e->buf[e->len] = 0;
	n = wcstombs(NULL, e->buf, 0);
	if (n == (size_t)-1)
		return xstrdup("");
	out = xmalloc(n + 1);
	wcstombs(out, e->buf, n + 1);
	a = strspn(out, " ");
	b = strlen(out);
	while (b > a && out[b - 1] == ' ')
		b--;
	memmove(out, out + a, b - a);
	out[b - a] = '\0';
	return out;
}

char *
ui_edit_line(const char *prompt, const char *initial, char *const *complete,
    int ncomplete, void (*redraw)(void *), void *arg)
{
	struct edit e;
	enum edit_step step = EDIT_MORE;

	e.len = 0;
	e.y = LINES - 1;
	e.cols = COLS;
	e.complete = complete;
	e.ncomplete = ncomplete;
	if (initial != NULL) {
		size_t n = mbstowcs(e.buf, initial,
		    sizeof e.buf / sizeof e.buf[0] - 1);

		e.len = n == (size_t)-1 ? 0 : n;
	}
	e.cur = e.len;
	curs_set(1);
	while (step == EDIT_MORE) {
		wint_t ch;
		int r;

		edit_draw(&e, prompt);
		r = ui_get_wch(250, &ch);
		if (r == ERR) {
			/* A quit signal or a lost terminal cancels the edit;
			 * the screen's loop then quits. */
			if (ui_quit_requested())
				step = EDIT_CANCEL;
			continue;
		}
		step = r == KEY_CODE_YES ? edit_code(&e, ch, redraw, arg) :
		    edit_char(&e, ch);
	}
	curs_set(0);
	ui_clear_to(e.y, 0, e.cols, A_NORMAL);
	if (step == EDIT_CANCEL)
		return NULL;
	return edit_text(&e);
}
