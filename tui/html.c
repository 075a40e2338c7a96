/*
 * html.c: table cells and rows the HTML pages share (agree_html.c,
 * errors_html.c), on top of the report toolkit (include/accord/report.h).
 */
#include <stdlib.h>
#include <string.h>

#include "accord/report.h"
#include "html.h"

void
html_bar_value(struct report_value *v, const struct agree_stat *s,
    const struct agree_ci *ci)
{
	memset(v, 0, sizeof *v);
	v->value = s->value;
	v->defined = s->defined;
	v->why = s->why ? s->why : "?";
	if (ci == NULL)
		return;
	if (ci->defined) {
		v->has_ci = 1;
		v->lo = ci->lo;
		v->hi = ci->hi;
	} else
		v->ci_why = ci->why ? ci->why : "?";
}

/* A table cell with a statistic: value or "undefined (why)". */
void
html_td_stat(struct buf *b, const char *key, const struct agree_stat *s)
{
	struct report_value v;

	html_bar_value(&v, s, NULL);
	report_td_value(b, key, &v);
}

/* A table cell with an interval: "[lo, hi]" or "undefined (why)". */
void
html_td_ci(struct buf *b, const char *key, const struct agree_ci *c)
{
	struct report_value v = { 0 };

	v.defined = 1;
	v.has_ci = c->defined;
	v.lo = c->lo;
	v.hi = c->hi;
	v.ci_why = c->why ? c->why : "?";
	report_td_interval(b, key, &v);
}

void
html_td_int(struct buf *b, const char *key, long long v)
{
	buf_printf(b, "<td class=\"num\" data-key=\"%s\" data-value=\"%lld\">"
	    "%lld</td>", key, v, v);
}

/* <tr data-a="X" data-b="Y"><td>X</td><td>Y</td>: a row of a pair. */
void
html_tr_pair(struct buf *b, const char *x, const char *y)
{
	buf_puts(b, "<tr data-a=\"");
	report_text(b, x);
	buf_puts(b, "\" data-b=\"");
	report_text(b, y);
	buf_puts(b, "\">");
	report_td_text(b, x);
	report_td_text(b, y);
}

void
html_bars_alloc(struct html_bars *h, int n, int nseries)
{
	h->n = n;
	h->v = xcalloc((size_t)n * nseries + 1, sizeof *h->v);
	h->names = xcalloc((size_t)n + 1, sizeof *h->names);
	h->notes = xcalloc((size_t)n + 1, sizeof *h->notes);
}

void
html_bars_free(struct html_bars *h)
{
	int i;

	for (i = 0; i < h->n; i++)
		free(h->notes[i]);
	free(h->notes);
	free(h->names);
	free(h->v);
}

/* <tr data-ATTR="NAME"><td>NAME</td>: a row named by its first cell. */
void
html_tr_named(struct buf *b, const char *attr, const char *name)
{
	buf_printf(b, "<tr data-%s=\"", attr);
	report_text(b, name);
	buf_puts(b, "\">");
	report_td_text(b, name);
}

/* <table id="PREFIX-NAME"><tr><th>..</th>...</tr> */
void
html_table_begin(struct buf *b, const char *prefix, const char *name,
    const char *const *heads)
{
	buf_printf(b, "<table id=\"%s%s%s\">\n<tr>", prefix ? prefix : "",
	    prefix ? "-" : "", name);
	for (; *heads != NULL; heads++) {
		buf_puts(b, "<th>");
		report_text(b, *heads);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr>\n");
}
