/*
 * report_html.c: self-contained HTML pages with inline SVG charts
 * (include/accord/report.h).  No scripts and no external resources: the
 * page is plain markup and one inline stylesheet.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accord/report.h"

/* Categorical colours for series (Tableau 10, colour-blind tolerant). */
static const char *const report_palette[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1",
	"#edc948", "#9c755f",
};
#define REPORT_NPALETTE (sizeof report_palette / sizeof report_palette[0])

/* Geometry of the bar chart, in SVG user units (pixels at 100%). */
#define BARS_WIDTH 920
#define BARS_LABEL 210	/* group names */
#define BARS_PLOT 430	/* the axis */
#define BARS_ROW 18	/* one bar */
#define BARS_GAP 12	/* between groups */
#define BARS_TOP 58	/* title and legend */
#define BARS_BOTTOM 30	/* axis ticks */
/* Longest group name drawn before it is cut (the <title> keeps it all). */
#define BARS_NAME_MAX 30

#define HEAT_LABEL 150
#define HEAT_TOP 110

void
report_text(struct buf *b, const char *s)
{
	char *p = acc_printable(s != NULL ? s : "");
	const char *q;

	for (q = p; *q != '\0'; q++) {
		switch (*q) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_add(b, q, 1);
		}
	}
	free(p);
}

void
report_num(struct buf *b, const char *fmt, double v)
{
	char out[64];
	const char *p;

	/*
	 * The statistics reaching a report are finite by construction
	 * (undefined ones carry a reason instead), but a page must never
	 * say "nan": guard anyway.
	 */
	if (!isfinite(v)) {
		buf_puts(b, "undefined");
		return;
	}
	if (fmt == NULL)
		fmt = "%.12g";
	snprintf(out, sizeof out, fmt, v);
	/* A tiny negative rounded to zero reads "0.000", not "-0.000". */
	p = out;
	if (*p == '-' && strpbrk(p, "123456789") == NULL)
		p++;
	buf_puts(b, p);
}

/* Cut s to at most max code points, adding an ellipsis; caller frees. */
static char *
report_cut(const char *s, int max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int n = 0;

	for (; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue;
		if (n++ == max - 1) {
			/* Cut here only if more than one code point is left. */
			const unsigned char *r = p + 1;
			int more = 0;

			for (; *r != '\0'; r++)
				if ((*r & 0xc0) != 0x80)
					more++;
			if (more == 0)
				break;
			return xasprintf("%.*s\u2026", (int)(p - (const unsigned
			    char *)s), s);
		}
	}
	return xstrdup(s ? s : "");
}

static const char report_css[] =
"body{font-family:sans-serif;margin:24px;color:#222;background:#fff;"
"max-width:1100px}\n"
"h1{font-size:1.5em}h2{font-size:1.25em;margin-top:1.6em;"
"border-bottom:1px solid #ccc}h3{font-size:1.05em;margin-top:1.2em}\n"
"table{border-collapse:collapse;margin:8px 0 16px}\n"
"th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;"
"vertical-align:top}\n"
"th{background:#f2f2f2}td.num{text-align:right;white-space:nowrap;"
"font-variant-numeric:tabular-nums}\n"
".undef{color:#777;font-style:italic}.note{color:#555}\n"
"svg{display:block;margin:8px 0 16px}\n"
"svg text{font-family:sans-serif;font-size:12px;fill:#222}\n"
"svg text.title{font-size:14px;font-weight:bold}\n"
"svg text.undef{fill:#777;font-style:italic}\n"
"svg text.tick{fill:#555;font-size:11px}\n"
"svg line.ci{stroke:#222;stroke-width:1.5}\n"
"svg line.axis,svg line.grid{stroke:#bbb}\n";

void
report_page_begin(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	report_text(b, title);
	buf_puts(b, "</title>\n<style>\n");
	buf_puts(b, report_css);
	buf_puts(b, "</style>\n</head>\n<body>\n<h1>");
	report_text(b, title);
	buf_puts(b, "</h1>\n");
}

void
report_page_end(struct buf *b)
{
	buf_puts(b, "</body>\n</html>\n");
}

/*
 * An inline <svg> (no xmlns: the HTML parser puts <svg> in the SVG
 * namespace, and the page then holds no URL at all) with its title.
 */
static void
svg_begin(struct buf *b, const char *cls, const char *id, int width,
    int height, const char *title)
{
	buf_printf(b, "<svg class=\"%s\" id=\"", cls);
	report_text(b, id);
	buf_printf(b, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\">\n<text class=\"title\" x=\"0\" y=\"16\">", width,
	    height, width, height);
	report_text(b, title);
	buf_puts(b, "</text>\n");
}

/* Table cells */

void
report_td_num(struct buf *b, const char *key, double v, const char *fmt)
{
	buf_puts(b, "<td class=\"num\" data-key=\"");
	report_text(b, key);
	buf_puts(b, "\" data-value=\"");
	report_num(b, NULL, v);
	buf_puts(b, "\">");
	report_num(b, fmt, v);
	buf_puts(b, "</td>");
}

static void
td_undefined(struct buf *b, const char *key, const char *why)
{
	buf_puts(b, "<td class=\"undef\" data-key=\"");
	report_text(b, key);
	buf_puts(b, "\" data-why=\"");
	report_text(b, why ? why : "?");
	buf_puts(b, "\">undefined (");
	report_text(b, why ? why : "?");
	buf_puts(b, ")</td>");
}

void
report_td_value(struct buf *b, const char *key, const struct report_value *v)
{
	if (v->defined)
		report_td_num(b, key, v->value, "%.3f");
	else
		td_undefined(b, key, v->why);
}

void
report_td_interval(struct buf *b, const char *key,
    const struct report_value *v)
{
	if (!v->has_ci) {
		td_undefined(b, key, v->ci_why);
		return;
	}
	buf_puts(b, "<td class=\"num\" data-key=\"");
	report_text(b, key);
	buf_puts(b, "\" data-lo=\"");
	report_num(b, NULL, v->lo);
	buf_puts(b, "\" data-hi=\"");
	report_num(b, NULL, v->hi);
	buf_puts(b, "\">[");
	report_num(b, "%.3f", v->lo);
	buf_puts(b, ", ");
	report_num(b, "%.3f", v->hi);
	buf_puts(b, "]</td>");
}

void
report_td_text(struct buf *b, const char *s)
{
	buf_puts(b, "<td>");
	report_text(b, s);
	buf_puts(b, "</td>");
}

/* Bar chart */

static void
bars_range(const struct report_bars *c, double *lo, double *hi)
{
	int i, n = c->ngroups * c->nseries;

	*lo = 0;
	*hi = 1;
	for (i = 0; i < n; i++) {
		const struct report_value *v = &c->values[i];

		if (!v->defined || !isfinite(v->value))
			continue;
		if (v->value < *lo)
			*lo = v->value;
		if (v->value > *hi)
			*hi = v->value;
		if (v->has_ci && isfinite(v->lo) && isfinite(v->hi)) {
			if (v->lo < *lo)
				*lo = v->lo;
			if (v->hi > *hi)
				*hi = v->hi;
		}
	}
	/* Round outwards to a quarter so the ticks fall on round figures. */
	*lo = floor(*lo * 4) / 4;
	*hi = ceil(*hi * 4) / 4;
}

static int
group_height(const struct report_bars *c, int g)
{
	int h = c->nseries * BARS_ROW;
	int min = c->notes != NULL && c->notes[g] != NULL ? 2 * 15 : 15;

	return (h < min ? min : h) + BARS_GAP;
}

/* The value text after a bar: "0.812 [0.700, 0.900]" or "undefined (x)". */
static void
bars_value_text(struct buf *b, const struct report_value *v)
{
	if (!v->defined) {
		buf_puts(b, "undefined (");
		report_text(b, v->why ? v->why : "?");
		buf_puts(b, ")");
		return;
	}
	report_num(b, "%.3f", v->value);
	if (v->has_ci) {
		buf_puts(b, " [");
		report_num(b, "%.3f", v->lo);
		buf_puts(b, ", ");
		report_num(b, "%.3f", v->hi);
		buf_puts(b, "]");
	} else if (v->ci_why != NULL) {
		buf_puts(b, " (CI undefined: ");
		report_text(b, v->ci_why);
		buf_puts(b, ")");
	}
}

/* Where the bars fall: the axis from lo to hi, its scale, zero's x. */
struct bars_axis {
	double lo, hi, scale, x0;
	int height;	/* the whole chart's */
};

static void
bars_axis(const struct report_bars *c, struct bars_axis *ax)
{
	int g;

	bars_range(c, &ax->lo, &ax->hi);
	ax->scale = BARS_PLOT / (ax->hi - ax->lo);
	ax->x0 = BARS_LABEL + (0 - ax->lo) * ax->scale;
	ax->height = BARS_TOP + BARS_BOTTOM;
	for (g = 0; g < c->ngroups; g++)
		ax->height += group_height(c, g);
}

/* Legend: one swatch per series. */
static void
bars_legend(struct buf *b, const struct report_bars *c)
{
	double t;
	int s;

	for (s = 0, t = 0; s < c->nseries; s++) {
		buf_printf(b, "<g class=\"legend\" data-series=\"");
		report_text(b, c->series[s].key);
		buf_printf(b, "\"><rect x=\"%.0f\" y=\"28\" width=\"12\" "
		    "height=\"12\" fill=\"%s\"/><text x=\"%.0f\" y=\"38\">", t,
		    report_palette[s % REPORT_NPALETTE], t + 16);
		report_text(b, c->series[s].name);
		buf_puts(b, "</text></g>\n");
		t += 16 + 7.0 * (double)strlen(c->series[s].name) + 20;
	}
}

/* Grid lines and ticks every quarter (every half on a wide axis). */
static void
bars_grid(struct buf *b, const struct bars_axis *ax)
{
	int plot_top = BARS_TOP - 6, bottom = ax->height - BARS_BOTTOM + 4;
	double t, step = ax->hi - ax->lo > 1.5 ? 0.5 : 0.25;

	for (t = ax->lo; t <= ax->hi + 1e-9; t += step) {
		double x = BARS_LABEL + (t - ax->lo) * ax->scale;

		buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" "
		    "x2=\"%.1f\" y2=\"%d\"/>", x, plot_top, x, bottom);
		buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">", x, ax->height - 10);
		report_num(b, "%.2f", t);
		buf_puts(b, "</text>\n");
	}
	buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
	    "y2=\"%d\" stroke=\"#555\"/>\n", ax->x0, plot_top, ax->x0, bottom);
}

/* A group's <g> start: its name (cut, whole in the <title>), its note. */
static void
bars_group_head(struct buf *b, const struct report_bars *c, int g, int y)
{
	const char *note = c->notes != NULL ? c->notes[g] : NULL;
	char *name = report_cut(c->groups[g], BARS_NAME_MAX);

	buf_puts(b, "<g class=\"group\" data-group=\"");
	report_text(b, c->groups[g]);
	if (note != NULL) {
		buf_puts(b, "\" data-note=\"");
		report_text(b, note);
	}
	buf_puts(b, "\"><title>");
	report_text(b, c->groups[g]);
	if (note != NULL) {
		buf_puts(b, " (");
		report_text(b, note);
		buf_puts(b, ")");
	}
	buf_printf(b, "</title>\n<text class=\"name\" x=\"0\" y=\"%d\">",
	    y + 12);
	report_text(b, name);
	buf_puts(b, "</text>");
	if (note != NULL) {
		buf_printf(b, "<text class=\"tick\" x=\"0\" y=\"%d\">", y + 27);
		report_text(b, note);
		buf_puts(b, "</text>");
	}
	buf_puts(b, "\n");
	free(name);
}

/* The interval of a bar at row ry: a line with a tick at each end. */
static void
bars_ci(struct buf *b, const struct report_series *series,
    const struct report_value *v, const struct bars_axis *ax, int ry)
{
	double cl = BARS_LABEL + (v->lo - ax->lo) * ax->scale;
	double ch = BARS_LABEL + (v->hi - ax->lo) * ax->scale;
	int cy = ry + BARS_ROW / 2;

	buf_puts(b, "<line class=\"ci\" data-series=\"");
	report_text(b, series->key);
	buf_puts(b, "\" data-lo=\"");
	report_num(b, NULL, v->lo);
	buf_puts(b, "\" data-hi=\"");
	report_num(b, NULL, v->hi);
	buf_printf(b, "\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", cl,
	    cy, ch, cy);
	buf_printf(b, "<line class=\"ci\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
	    "y2=\"%d\"/><line class=\"ci\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
	    "y2=\"%d\"/>", cl, cy - 4, cl, cy + 4, ch, cy - 4, ch, cy + 4);
}

/*
 * Series s of group g at row ry: the bar from zero with its interval and
 * value text, or for an undefined figure the text alone.
 */
static void
bars_bar(struct buf *b, const struct report_bars *c, int g, int s,
    const struct bars_axis *ax, int ry)
{
	const struct report_value *v = &c->values[(size_t)g * c->nseries + s];
	const struct report_series *series = &c->series[s];
	double x1, x2;

	if (!v->defined) {
		buf_printf(b, "<text class=\"undef\" data-series=\"");
		report_text(b, series->key);
		buf_printf(b, "\" x=\"%d\" y=\"%d\">", BARS_LABEL + 4, ry + 12);
		report_text(b, series->name);
		buf_puts(b, ": ");
		bars_value_text(b, v);
		buf_puts(b, "</text>\n");
		return;
	}
	x1 = BARS_LABEL + (v->value - ax->lo) * ax->scale;
	x2 = ax->x0 < x1 ? x1 : ax->x0;
	x1 = ax->x0 < x1 ? ax->x0 : x1;
	buf_printf(b, "<rect class=\"bar\" data-series=\"");
	report_text(b, series->key);
	buf_puts(b, "\" data-value=\"");
	report_num(b, NULL, v->value);
	buf_printf(b, "\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
	    "fill=\"%s\"><title>", x1, ry + 2, x2 - x1 < 1 ? 1 : x2 - x1,
	    BARS_ROW - 4, report_palette[s % REPORT_NPALETTE]);
	report_text(b, c->groups[g]);
	buf_puts(b, ", ");
	report_text(b, series->name);
	buf_puts(b, ": ");
	bars_value_text(b, v);
	buf_puts(b, "</title></rect>");
	if (v->has_ci)
		bars_ci(b, series, v, ax, ry);
	buf_printf(b, "<text class=\"value\" data-series=\"");
	report_text(b, series->key);
	buf_printf(b, "\" x=\"%d\" y=\"%d\">", BARS_LABEL + BARS_PLOT + 10,
	    ry + 12);
	bars_value_text(b, v);
	buf_puts(b, "</text>\n");
}

void
report_svg_bars(struct buf *b, const struct report_bars *c)
{
	struct bars_axis ax;
	int g, s, y;

	bars_axis(c, &ax);
	svg_begin(b, "chart", c->id, BARS_WIDTH, ax.height, c->title);
	bars_legend(b, c);
	bars_grid(b, &ax);
	y = BARS_TOP;
	for (g = 0; g < c->ngroups; g++) {
		bars_group_head(b, c, g, y);
		for (s = 0; s < c->nseries; s++)
			bars_bar(b, c, g, s, &ax, y + s * BARS_ROW);
		buf_puts(b, "</g>\n");
		y += group_height(c, g);
	}
	buf_puts(b, "</svg>\n");
}

/* Heatmap */

/* The column names along the top, slanted so long ones do not collide. */
static void
heat_col_names(struct buf *b, const struct report_heatmap *h, int cell)
{
	int c;

	for (c = 0; c < h->ncols; c++) {
		char *name = report_cut(h->cols[c], 14);
		int x = HEAT_LABEL + c * cell + cell / 2;

		buf_printf(b, "<text class=\"colname\" x=\"%d\" y=\"%d\" "
		    "transform=\"rotate(-35 %d %d)\">", x, HEAT_TOP - 8, x,
		    HEAT_TOP - 8);
		report_text(b, name);
		buf_puts(b, "<title>");
		report_text(b, h->cols[c]);
		buf_puts(b, "</title></text>\n");
		free(name);
	}
}

/* Cell (r, c) with its count, shaded by the count's share of max. */
static void
heat_cell(struct buf *b, const struct report_heatmap *h, int r, int c,
    long long max, int cell)
{
	long long v = h->counts[(size_t)r * h->ncols + c];
	double t = max > 0 ? (double)v / (double)max : 0;
	/* White to #08306b (ColorBrewer Blues' darkest). */
	int rr = (int)(255 + t * (8 - 255) + 0.5);
	int gg = (int)(255 + t * (48 - 255) + 0.5);
	int bb = (int)(255 + t * (107 - 255) + 0.5);
	int x = HEAT_LABEL + c * cell, y = HEAT_TOP + r * cell;

	buf_puts(b, "<g><rect class=\"cell\" data-row=\"");
	report_text(b, h->rows[r]);
	buf_puts(b, "\" data-col=\"");
	report_text(b, h->cols[c]);
	buf_printf(b, "\" data-count=\"%lld\" x=\"%d\" y=\"%d\" width=\"%d\" "
	    "height=\"%d\" fill=\"#%02x%02x%02x\" stroke=\"#ccc\"><title>", v,
	    x, y, cell, cell, rr, gg, bb);
	report_text(b, h->rows[r]);
	buf_puts(b, " / ");
	report_text(b, h->cols[c]);
	buf_printf(b, ": %lld</title></rect>", v);
	buf_printf(b, "<text class=\"count\" x=\"%d\" y=\"%d\" "
	    "text-anchor=\"middle\"%s>%lld</text></g>\n", x + cell / 2,
	    y + cell / 2 + 4, t > 0.5 ? " style=\"fill:#fff\"" : "", v);
}

void
report_svg_heatmap(struct buf *b, const struct report_heatmap *h)
{
	long long max = 0;
	int cell, r, c, width, height;
	size_t i, n = (size_t)h->nrows * h->ncols;

	for (i = 0; i < n; i++)
		if (h->counts[i] > max)
			max = h->counts[i];
	/* Big cells for a few classes; at least room for a 5-digit count. */
	cell = h->ncols > 0 ? 640 / h->ncols : 64;
	if (cell > 64)
		cell = 64;
	if (cell < 44)
		cell = 44;
	width = HEAT_LABEL + cell * h->ncols + 20;
	if (width < 600)
		width = 600; /* room for the title */
	height = HEAT_TOP + cell * h->nrows + 30;

	svg_begin(b, "heatmap", h->id, width, height, h->title);
	buf_printf(b, "<text class=\"tick\" x=\"%d\" y=\"36\">", HEAT_LABEL);
	report_text(b, h->col_axis);
	buf_printf(b, " \u2192</text>\n<text class=\"tick\" x=\"0\" y=\"%d\">",
	    HEAT_TOP - 6);
	report_text(b, h->row_axis);
	buf_puts(b, " \u2193</text>\n");
	heat_col_names(b, h, cell);
	for (r = 0; r < h->nrows; r++) {
		char *name = report_cut(h->rows[r], 18);

		buf_printf(b, "<text class=\"rowname\" x=\"0\" y=\"%d\">",
		    HEAT_TOP + r * cell + cell / 2 + 4);
		report_text(b, name);
		buf_puts(b, "<title>");
		report_text(b, h->rows[r]);
		buf_puts(b, "</title></text>\n");
		free(name);
		for (c = 0; c < h->ncols; c++)
			heat_cell(b, h, r, c, max, cell);
	}
	buf_puts(b, "</svg>\n");
}

/* Writing */

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
report_write_file(const char *path, const char *data, size_t len,
    char **cause)
{
	char *tmp = NULL;
	int fd = -1, attempt, err;

	/*
	 * O_EXCL with a fresh name rather than mkstemp: the mode argument
	 * then goes through the umask as for any file the user creates,
	 * where mkstemp would leave the report readable by its owner only.
	 */
	for (attempt = 0; attempt < 100 && fd < 0; attempt++) {
		free(tmp);
		tmp = xasprintf("%s.tmp.%ld.%d", path, (long)getpid(), attempt);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err = errno;
		free(tmp);
		return acc_error(cause, "cannot create a file beside it: %s",
		    strerror(err));
	}
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return acc_error(cause, "write failed: %s", strerror(err));
	}
	if (close(fd) != 0) {
		err = errno;
		unlink(tmp);
		free(tmp);
		return acc_error(cause, "write failed: %s", strerror(err));
	}
	if (rename(tmp, path) != 0) {
		err = errno;
		unlink(tmp);
		free(tmp);
		return acc_error(cause, "cannot rename the new file into "
		    "place: %s", strerror(err));
	}
	free(tmp);
	return 0;
}
