/*
 * test_report.c: the HTML/SVG report toolkit: escaping, numbers, the bar
 * chart (intervals, undefined values, negative values, long names), the
 * heatmap, table cells, and the atomic file write.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accord/report.h"
#include "accord/util.h"
#include "t.h"

static int
has(const struct buf *b, const char *s)
{
	return b->s != NULL && strstr(b->s, s) != NULL;
}

static int
count(const struct buf *b, const char *s)
{
	const char *p = b->s;
	int n = 0;

	while (p != NULL && (p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

static void
t_text_escapes_markup_controls_and_bad_utf8(void)
{
	struct buf b = { 0 };

	report_text(&b, "<script>a&b</script> \"q\" 'x' \x1b[31m \xff caf\xc3\xa9");
	T_EQ_STR(b.s, "&lt;script&gt;a&amp;b&lt;/script&gt; &quot;q&quot; "
	    "&#39;x&#39; ?[31m \xef\xbf\xbd caf\xc3\xa9");
	buf_free(&b);
	report_text(&b, NULL);
	buf_add(&b, "", 0);
	T_EQ_STR(b.s, "");
	buf_free(&b);
}

static void
t_numbers_never_nan_or_negative_zero(void)
{
	struct buf b = { 0 };

	report_num(&b, "%.3f", -0.0);
	buf_puts(&b, " ");
	report_num(&b, "%.3f", NAN);
	buf_puts(&b, " ");
	report_num(&b, NULL, 0.1 + 0.2);
	buf_puts(&b, " ");
	report_num(&b, "%.3f", -1e-9);
	T_EQ_STR(b.s, "0.000 undefined 0.3 0.000");
	buf_free(&b);
}

static void
t_page_is_self_contained(void)
{
	struct buf b = { 0 };

	report_page_begin(&b, "a <b> & c");
	report_page_end(&b);
	T_CHECK(strncmp(b.s, "<!DOCTYPE html>", 15) == 0);
	T_CHECK(has(&b, "<meta charset=\"utf-8\">"));
	T_CHECK(has(&b, "<title>a &lt;b&gt; &amp; c</title>"));
	T_CHECK(has(&b, "<h1>a &lt;b&gt; &amp; c</h1>"));
	T_CHECK(!has(&b, "http") && !has(&b, "<script") && !has(&b, "url("));
	T_CHECK(has(&b, "</body>\n</html>\n"));
	buf_free(&b);
}

static void
t_bars_values_intervals_and_undefined(void)
{
	static const struct report_series series[] = {
		{ "kappa", "kappa" }, { "hlp", "HLP" },
	};
	static const char *const groups[] = { "alice",
		"a very long slice name that goes on and on<&>" };
	static const char *const notes[] = { "n = 3 items", NULL };
	struct report_value v[4];
	struct report_bars c = { 0 };
	struct buf b = { 0 };

	memset(v, 0, sizeof v);
	v[0].value = -0.25;
	v[0].defined = 1;
	v[1].value = 0.8;
	v[1].defined = 1;
	v[1].has_ci = 1;
	v[1].lo = 0.7;
	v[1].hi = 0.9;
	v[2].why = "one labeler";
	v[3].value = 0.5;
	v[3].defined = 1;
	v[3].ci_why = "no bootstrap";
	c.id = "chart-1";
	c.title = "T";
	c.ngroups = 2;
	c.nseries = 2;
	c.groups = groups;
	c.notes = notes;
	c.series = series;
	c.values = v;
	report_svg_bars(&b, &c);

	T_CHECK(strncmp(b.s, "<svg class=\"chart\" id=\"chart-1\"", 31) == 0);
	T_EQ_INT(count(&b, "<rect class=\"bar\""), 3);
	T_CHECK(has(&b, "data-series=\"kappa\" data-value=\"-0.25\""));
	T_CHECK(has(&b, "data-value=\"0.8\""));
	T_CHECK(has(&b, "data-lo=\"0.7\" data-hi=\"0.9\""));
	T_CHECK(has(&b, ">0.800 [0.700, 0.900]</text>"));
	T_CHECK(has(&b, ">-0.250</text>"));
	T_CHECK(has(&b, ">kappa: undefined (one labeler)</text>"));
	T_CHECK(has(&b, ">0.500 (CI undefined: no bootstrap)</text>"));
	/* A negative value widens the axis to -0.25 and is tick-labelled. */
	T_CHECK(has(&b, ">-0.25</text>"));
	T_CHECK(has(&b, "data-note=\"n = 3 items\""));
	/* The long name is cut for display, whole (escaped) in attributes. */
	T_CHECK(has(&b, "data-group=\"a very long slice name that goes on and "
	    "on&lt;&amp;&gt;\""));
	T_CHECK(has(&b, ">a very long slice name that g\u2026</text>"));
	T_CHECK(!has(&b, "<&>"));
	T_CHECK(!has(&b, "nan"));
	buf_free(&b);
}

static void
t_heatmap_cells_with_counts(void)
{
	static const char *const names[] = { "ok", "<x>" };
	static const long long counts[] = { 10, 2, 2, 0 };
	struct report_heatmap h = { 0 };
	struct buf b = { 0 };

	h.id = "conf";
	h.title = "confusion";
	h.row_axis = "rows";
	h.col_axis = "cols";
	h.nrows = h.ncols = 2;
	h.rows = h.cols = names;
	h.counts = counts;
	report_svg_heatmap(&b, &h);
	T_EQ_INT(count(&b, "<rect class=\"cell\""), 4);
	T_CHECK(has(&b, "data-row=\"ok\" data-col=\"ok\" data-count=\"10\""));
	T_CHECK(has(&b, "data-row=\"ok\" data-col=\"&lt;x&gt;\" "
	    "data-count=\"2\""));
	T_CHECK(has(&b, "data-row=\"&lt;x&gt;\" data-col=\"&lt;x&gt;\" "
	    "data-count=\"0\""));
	/* The largest count is the darkest blue; zero stays white. */
	T_CHECK(has(&b, "data-count=\"10\" x=\"150\" y=\"110\" width=\"64\" "
	    "height=\"64\" fill=\"#08306b\""));
	T_CHECK(has(&b, "data-count=\"0\" x=\"214\" y=\"174\" width=\"64\" "
	    "height=\"64\" fill=\"#ffffff\""));
	T_CHECK(has(&b, "<title>ok / &lt;x&gt;: 2</title>"));
	T_EQ_INT(count(&b, "class=\"count\""), 4);
	T_CHECK(has(&b, ">10</text>"));
	buf_free(&b);
}

static void
t_table_cells(void)
{
	struct report_value v = { 0 };
	struct buf b = { 0 };

	v.why = "no labels";
	v.ci_why = "no bootstrap";
	report_td_value(&b, "fleiss", &v);
	report_td_interval(&b, "hlp_ci", &v);
	v.defined = 1;
	v.value = 0.123456;
	v.has_ci = 1;
	v.lo = 0.1;
	v.hi = 0.2;
	report_td_value(&b, "fleiss", &v);
	report_td_interval(&b, "hlp_ci", &v);
	report_td_num(&b, "share", 0.5, "%.1f");
	report_td_text(&b, "a&b");
	T_EQ_STR(b.s,
	    "<td class=\"undef\" data-key=\"fleiss\" data-why=\"no labels\">"
	    "undefined (no labels)</td>"
	    "<td class=\"undef\" data-key=\"hlp_ci\" data-why=\"no bootstrap\">"
	    "undefined (no bootstrap)</td>"
	    "<td class=\"num\" data-key=\"fleiss\" data-value=\"0.123456\">"
	    "0.123</td>"
	    "<td class=\"num\" data-key=\"hlp_ci\" data-lo=\"0.1\" "
	    "data-hi=\"0.2\">[0.100, 0.200]</td>"
	    "<td class=\"num\" data-key=\"share\" data-value=\"0.5\">0.5</td>"
	    "<td>a&amp;b</td>");
	buf_free(&b);
}

/* Entries of dir other than . and .. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
t_write_file_is_atomic(void)
{
	char dir[256];
	char *path, *sub, *cause = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	struct stat sb;

	if (t_mkdtemp(dir, sizeof dir, "report") == NULL) {
		T_FAIL("mkdtemp");
		return;
	}
	path = xasprintf("%s/page.html", dir);
	sub = xasprintf("%s/sub", dir);
	T_EQ_INT(report_write_file(path, "one", 3, &cause), 0);
	T_EQ_INT(report_write_file(path, "second", 6, &cause), 0);
	T_EQ_INT(acc_read_file(path, 100, &data, &len, &cause), 0);
	T_EQ_STR((const char *)data, "second");
	T_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0600) == 0600);
	free(data);
	T_EQ_INT(entries(dir), 1);

	/* Renaming over a directory fails: no file is left behind. */
	T_CHECK(mkdir(sub, 0755) == 0);
	T_EQ_INT(report_write_file(sub, "x", 1, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "rename") != NULL);
	free(cause);
	cause = NULL;
	T_EQ_INT(entries(dir), 2);
	T_EQ_INT(entries(sub), 0);
	rmdir(sub);

	/* A missing directory: one message, nothing created. */
	free(sub);
	sub = xasprintf("%s/nope/page.html", dir);
	T_EQ_INT(report_write_file(sub, "x", 1, &cause), -1);
	T_CHECK(cause != NULL && strstr(cause, "cannot create") != NULL);
	free(cause);
	T_EQ_INT(entries(dir), 1);

	unlink(path);
	rmdir(dir);
	free(path);
	free(sub);
}

int
main(void)
{
	T_RUN(t_text_escapes_markup_controls_and_bad_utf8);
	T_RUN(t_numbers_never_nan_or_negative_zero);
	T_RUN(t_page_is_self_contained);
	T_RUN(t_bars_values_intervals_and_undefined);
	T_RUN(t_heatmap_cells_with_counts);
	T_RUN(t_table_cells);
	T_RUN(t_write_file_is_atomic);
	return t_done();
}
