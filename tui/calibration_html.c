/*
 * calibration_html.c: the page `accord calibration --html FILE` writes:
 * the figures as attributes of #meta, a reliability diagram (#reliability:
 * one bar a bin of confidence, its height the share correct, a dot at the
 * bin's mean confidence, and the diagonal a calibrated confidence lies
 * on), and the table (#bins) with the same numbers.  Laid out with the
 * report toolkit (include/accord/report.h), as agree_html.c is.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "accord/report.h"
#include "calibration_html.h"
#include "html.h"

/* The plot area of the diagram, in SVG user units. */
#define W 480
#define H 360
#define LEFT 56
#define TOP 16
#define PW (W - LEFT - 16)
#define PH (H - TOP - 48)

static void
attr_num(struct buf *b, const char *name, double v)
{
	buf_printf(b, " data-%s=\"", name);
	if (isfinite(v))
		report_num(b, NULL, v);
	buf_puts(b, "\"");
}

static void
meta(struct buf *b, const struct calibration_report *r)
{
	const struct calibration *c = &r->cal;

	buf_puts(b, "<p id=\"meta\" data-method=\"");
	report_text(b, consensus_method_name(r->method));
	buf_printf(b, "\" data-gold=\"%lld\" data-scored=\"%lld\" "
	    "data-ties=\"%lld\" data-unlabeled=\"%lld\" data-bins=\"%d\"",
	    r->gold, c->n, r->ties, r->unlabeled, c->nbins);
	attr_num(b, "ece", c->ece);
	attr_num(b, "mce", c->mce);
	attr_num(b, "brier", c->brier);
	buf_puts(b, ">Confidence of the ");
	report_text(b, consensus_method_name(r->method));
	buf_printf(b, " consensus against %lld gold items (%lld scored; %lld "
	    "ties and %lld without labels left out). ", r->gold, c->n,
	    r->ties, r->unlabeled);
	if (c->n > 0) {
		buf_puts(b, "Expected calibration error ");
		report_num(b, "%.4f", c->ece);
		buf_puts(b, ", largest bin gap ");
		report_num(b, "%.4f", c->mce);
		buf_puts(b, ", Brier score ");
		report_num(b, "%.4f", c->brier);
		buf_puts(b, ". ");
	} else
		buf_puts(b, "No gold item has a consensus: nothing to score. ");
	buf_puts(b, "A calibrated confidence lies on the diagonal. "
	    "Formulas: docs/statistics.md.</p>\n");
}

static double
px(double v)
{
	return LEFT + v * PW;
}

static double
py(double v)
{
	return TOP + (1 - v) * PH;
}

static void
diagram(struct buf *b, const struct calibration_report *r)
{
	const struct calibration *c = &r->cal;
	int i;

	buf_printf(b, "<svg id=\"reliability\" class=\"chart\" "
	    "width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\">\n<title>Reliability "
	    "diagram</title>\n", W, H, W, H);
	buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"none\" stroke=\"#888\"/>\n", LEFT, TOP, PW, PH);
	for (i = 0; i <= 10; i += 2) {
		double v = i / 10.0;

		buf_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
		    "text-anchor=\"middle\">%.1f</text>\n", px(v), TOP + PH + 14,
		    v);
		buf_printf(b, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
		    "text-anchor=\"end\">%.1f</text>\n", LEFT - 4, py(v) + 4, v);
	}
	buf_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" "
	    "text-anchor=\"middle\">confidence</text>\n", px(0.5), H - 8);
	buf_printf(b, "<text x=\"14\" y=\"%.1f\" font-size=\"12\" "
	    "text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">share "
	    "correct</text>\n", py(0.5), py(0.5));
	for (i = 0; i < c->nbins; i++) {
		const struct calibration_bin *x = &c->bins[i];

		if (x->n == 0)
			continue;
		buf_printf(b, "<rect class=\"bin\" x=\"%.2f\" y=\"%.2f\" "
		    "width=\"%.2f\" height=\"%.2f\" fill=\"#6a9fd4\" "
		    "stroke=\"#fff\" data-count=\"%lld\"", px(x->lo),
		    py(x->accuracy), px(x->hi) - px(x->lo),
		    py(0) - py(x->accuracy), x->n);
		attr_num(b, "lo", x->lo);
		attr_num(b, "hi", x->hi);
		attr_num(b, "confidence", x->confidence);
		attr_num(b, "accuracy", x->accuracy);
		buf_puts(b, "><title>");
		buf_printf(b, "[%.2f, %.2f): %lld items, mean confidence %.3f, "
		    "share correct %.3f", x->lo, x->hi, x->n, x->confidence,
		    x->accuracy);
		buf_puts(b, "</title></rect>\n");
		buf_printf(b, "<circle class=\"mean\" cx=\"%.2f\" cy=\"%.2f\" "
		    "r=\"3\" fill=\"#c0392b\"/>\n", px(x->confidence),
		    py(x->accuracy));
	}
	buf_printf(b, "<line class=\"diagonal\" x1=\"%.1f\" y1=\"%.1f\" "
	    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
	    "stroke-dasharray=\"4 3\"/>\n", px(0), py(0), px(1), py(1));
	buf_puts(b, "</svg>\n");
}

static void
td_maybe(struct buf *b, const char *key, double v)
{
	struct report_value rv = { 0 };

	rv.value = v;
	rv.defined = isfinite(v);
	rv.why = "no items";
	report_td_value(b, key, &rv);
}

static void
table(struct buf *b, const struct calibration_report *r)
{
	static const char *const heads[] = { "confidence", "items",
		"mean confidence", "share correct", "gap", NULL };
	const struct calibration *c = &r->cal;
	int i;

	html_table_begin(b, NULL, "bins", heads);
	for (i = 0; i < c->nbins; i++) {
		const struct calibration_bin *x = &c->bins[i];
		char name[64];

		snprintf(name, sizeof name, "[%.2f, %.2f%c", x->lo, x->hi,
		    i == c->nbins - 1 ? ']' : ')');
		html_tr_named(b, "bin", name);
		html_td_int(b, "count", x->n);
		td_maybe(b, "confidence", x->confidence);
		td_maybe(b, "accuracy", x->accuracy);
		td_maybe(b, "gap", x->n > 0 ? x->accuracy - x->confidence :
		    NAN);
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</table>\n");
}

int
calibration_html_write(const char *file, const struct calibration_report *r,
    char **cause)
{
	struct buf b = { 0 };
	char *title = xasprintf("accord calibration: %s (%s)", r->task,
	    consensus_method_name(r->method));
	int ret;

	report_page_begin(&b, title);
	free(title);
	meta(&b, r);
	diagram(&b, r);
	table(&b, r);
	report_page_end(&b);
	ret = report_write_file(file, b.s, b.len, cause);
	buf_free(&b);
	return ret;
}
