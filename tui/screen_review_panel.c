/*
 * screen_review_panel.c: the review screen's panel: an item's labels,
 * history, decisions, gold and comments, scrolled by PgDn/PgUp.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accord/util.h"
#include "pane_line.h"
#include "screen_review_panel.h"
#include "ui.h"
#include "ui_text.h"

static const char *
class_name(const struct project *proj, int id)
{
	const struct class_def *c = project_class_by_id(proj, id);

	return c ? c->name : "?";
}

/* "2026-11-30T02:31:07.123Z" -> "11-30 02:31" */
static void
short_time(const char *iso, char out[16])
{
	if (strlen(iso) >= 16)
		snprintf(out, 16, "%.5s %.5s", iso + 5, iso + 11);
	else
		snprintf(out, 16, "%s", iso);
}

const char *
review_panel_decision(const struct project *proj,
    const struct review_detail *det)
{
	static char buf[128];
	const struct review_adjudication *a;

	if (det == NULL || det->nadj == 0)
		return "undecided";
	a = &det->adj[det->nadj - 1];
	if (strcmp(a->status, "class") == 0)
		snprintf(buf, sizeof buf, "decided %s", class_name(proj,
		    a->class_id));
	else if (strcmp(a->status, "ambiguous") == 0)
		snprintf(buf, sizeof buf, "ambiguous");
	else
		snprintf(buf, sizeof buf, "sent back");
	return buf;
}

/*
 * The panel writer: one line at a time while rows are left, after
 * skipping the `skip` lines scrolled off the top (PgDn/PgUp).  A line
 * that does not fit sets `more`.
 */
struct pen {
	int y, x, w, last;
	int skip, more;
};

static int
pen_row(struct pen *p, const char *text, int attr)
{
	if (p->skip > 0) {
		p->skip--;
		return 1;
	}
	if (p->y > p->last) {
		p->more = 1;
		return 0;
	}
	if (p->y == p->last) {
		p->more = 1;
		ui_print(p->y++, p->x, p->w, "... more: PgDn", ui_attr(UI_DIM));
		return 0;
	}
	ui_print(p->y++, p->x, p->w, text, attr);
	return 1;
}

/*
 * A line of the panel, wrapped to its width rather than cut (at 80 columns
 * the panel is 34 wide: a label's time, a note, a comment ran off it); the
 * rows after the first are indented, so one line reads as one.  Each row
 * counts as a line for `skip` and `more`.
 */
static int
pen_line(struct pen *p, const char *text, int attr)
{
	struct ui_text v;
	char *row, *rest;
	int i, r;

	if (p->w <= 8 || pane_text_width(text) <= p->w)
		return pen_row(p, text, attr);
	ui_text_init(&v);
	ui_text_set(&v, text);
	ui_text_wrap(&v, p->w);
	row = xstrndup(v.text + v.lines[0].off, v.lines[0].len);
	rest = xstrdup(v.nlines > 1 ? v.text + v.lines[1].off : "");
	r = pen_row(p, row, attr);
	free(row);
	ui_text_set(&v, rest);
	ui_text_wrap(&v, p->w - 3);
	for (i = 0; r && *rest != '\0' && i < v.nlines; i++) {
		row = xasprintf("   %.*s", (int)v.lines[i].len,
		    v.text + v.lines[i].off);
		r = pen_row(p, row, attr);
		free(row);
	}
	free(rest);
	ui_text_free(&v);
	return r;
}

static void
draw_labels(const struct project *proj, const struct review_detail *d,
    struct pen *p)
{
	char line[512], t[16];
	int i, n = 0, old = 0;

	for (i = 0; i < d->nlabels; i++)
		n += d->labels[i].in_force, old += !d->labels[i].in_force;
	snprintf(line, sizeof line, "labels in force (%d)", n);
	pen_line(p, line, ui_attr(UI_KEY));
	for (i = 0; i < d->nlabels; i++) {
		const struct review_label *l = &d->labels[i];
		char secs[16];

		if (!l->in_force)
			continue;
		short_time(l->created_at, t);
		if (l->seconds >= 0)
			snprintf(secs, sizeof secs, "%.1fs", l->seconds);
		else
			snprintf(secs, sizeof secs, "-");
		snprintf(line, sizeof line, " %-10s %-10s v%d %6s %s%s",
		    l->labeler, class_name(proj, l->class_id), l->guideline,
		    secs, t,
		    strcmp(l->origin, "import") == 0 ? " imported" : "");
		pen_line(p, line, ui_attr(UI_NORMAL));
		if (l->note[0] != '\0' || l->tags[0] != '\0') {
			struct buf b = { 0 };

			buf_puts(&b, "  ");
			if (l->note[0] != '\0')
				buf_printf(&b, " note: %s", l->note);
			if (l->tags[0] != '\0')
				buf_printf(&b, " tags: %s", l->tags);
			pen_line(p, b.s, ui_attr(UI_DIM));
			buf_free(&b);
		}
	}
	if (old == 0)
		return;
	snprintf(line, sizeof line, "history (%d earlier row%s)", old,
	    old == 1 ? "" : "s");
	pen_line(p, line, ui_attr(UI_KEY));
	for (i = 0; i < d->nlabels; i++) {
		const struct review_label *l = &d->labels[i];

		if (l->in_force)
			continue;
		short_time(l->created_at, t);
		snprintf(line, sizeof line, " %-10s %-10s v%d %s%s%s",
		    l->labeler, l->class_id ? class_name(proj, l->class_id) :
		    "(withdrawn)", l->guideline, t, l->note[0] ? "  " : "",
		    l->note);
		pen_line(p, line, ui_attr(UI_DIM));
	}
}

/* The decisions made on the item, oldest first, then its gold class. */
static void
draw_decisions(const struct project *proj, const struct review_detail *d,
    struct pen *p)
{
	char line[512], t[16];
	int i;

	if (d->nadj > 0) {
		pen_line(p, "decisions", ui_attr(UI_KEY));
		for (i = 0; i < d->nadj; i++) {
			const struct review_adjudication *a = &d->adj[i];

			short_time(a->created_at, t);
			snprintf(line, sizeof line, " %s %s: %s v%d%s%s", t,
			    a->user, strcmp(a->status, "class") == 0 ?
			    class_name(proj, a->class_id) : strcmp(a->status,
			    "relabel") == 0 ? "sent back" : a->status,
			    a->guideline, a->note[0] ? "  " : "", a->note);
			pen_line(p, line, ui_attr(UI_NORMAL));
		}
	}
	if (d->gold_class != 0) {
		snprintf(line, sizeof line, "gold: %s", class_name(proj,
		    d->gold_class));
		pen_line(p, line, ui_attr(UI_SELECTED));
	}
}

static void
draw_comments(const struct review_detail *d, struct pen *p)
{
	char line[512], t[16];
	int i;

	snprintf(line, sizeof line, "comments (%d)", d->ncomments);
	pen_line(p, line, ui_attr(UI_KEY));
	for (i = 0; i < d->ncomments; i++) {
		const struct review_comment *c = &d->comments[i];

		short_time(c->created_at, t);
		snprintf(line, sizeof line, " %s %s: %s", t, c->user, c->text);
		pen_line(p, line, ui_attr(UI_NORMAL));
	}
}

int
review_panel_draw(const struct review_panel *rp)
{
	const struct project *proj = rp->proj;
	struct pen p = { 2, rp->x, COLS - rp->x, LINES - 3, 0, 0 };
	char line[512];
	struct buf b = { 0 };
	int i;

	mvvline(2, rp->x - 1, ACS_VLINE, LINES - 4);
	/* Every class on the decide line, whole: a class that does not fit
	 * goes on the next row ("b unsure" was lost at 80 columns). */
	buf_puts(&b, "decide:");
	for (i = 0; i < proj->nclasses; i++) {
		char *one = xasprintf("%c %s", proj->classes[i].key,
		    proj->classes[i].name);

		if (b.len > 7 && pane_text_width(b.s) + 2 +
		    pane_text_width(one) > p.w) {
			pen_line(&p, b.s, ui_attr(UI_DIM));
			b.len = 0;
			buf_puts(&b, "       ");
		}
		buf_printf(&b, "%s%s", b.len > 7 ? "  " : " ", one);
		free(one);
	}
	pen_line(&p, b.s, ui_attr(UI_DIM));
	buf_free(&b);
	if (rp->why != NULL) {
		snprintf(line, sizeof line, "why (next decision): %s", rp->why);
		pen_line(&p, line, ui_attr(UI_SELECTED));
	}
	if (rp->det == NULL)
		return 0;
	p.skip = rp->top;
	draw_labels(proj, rp->det, &p);
	draw_decisions(proj, rp->det, &p);
	draw_comments(rp->det, &p);
	return p.more;
}
