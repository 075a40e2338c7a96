/*
 * guideline.c: guideline versions: reading, checking and adding them, and
 * a line diff between two of them.
 */
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accord/guideline.h"
#include "accord/project.h"
#include "accord/suggest.h"
#include "internal.h"
#include "sqlutil.h"

#define GUIDELINE_MAX_BYTES ((size_t)1 << 20)
#define REASON_MAX_BYTES 1000
#define DIFF_CONTEXT 3

int
guideline_current(struct store *st, int *version, char **text, char **cause)
{
	*text = NULL;
	return guideline_text(st, 0, text, version, cause);
}

void
guideline_log_free(struct guideline_version *v, int n)
{
	int i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].author);
		free(v[i].created_at);
		free(v[i].reason);
	}
	free(v);
}

static int
read_versions(struct store *st, int version, struct guideline_version **out,
    int *n, char **cause)
{
	struct sql_stmt *s;
	struct guideline_version *v = NULL;
	int k = 0, rc;

	if (sql_prepare(st, version > 0 ? "SELECT version, author, created_at, "
	    "reason FROM guidelines WHERE version = ?" : version == 0 ?
	    "SELECT version, author, created_at, reason FROM guidelines "
	    "ORDER BY version DESC LIMIT 1" : "SELECT version, author, "
	    "created_at, reason FROM guidelines ORDER BY version", &s,
	    cause) != 0)
		return -1;
	if (version > 0)
		sql_bind_int(s, 1, version);
	while ((rc = sql_step(s)) == SQL_ROW) {
		v = xreallocarray(v, (size_t)k + 1, sizeof *v);
		v[k].version = sql_col_int(s, 0);
		v[k].author = xstrdup(sql_text(s, 1));
		v[k].created_at = xstrdup(sql_text(s, 2));
		v[k].reason = xstrdup(sql_text(s, 3));
		k++;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		guideline_log_free(v, k);
		return sql_fail(st, cause, "cannot read guidelines");
	}
	*out = v;
	*n = k;
	return 0;
}

int
guideline_log(struct store *st, const char *user,
    struct guideline_version **out, int *n, char **cause)
{
	*out = NULL;
	*n = 0;
	if (project_require(st, user, ROLE_LABELER, "reading the guideline",
	    cause) != 0)
		return -1;
	return read_versions(st, -1, out, n, cause);
}

int
guideline_info(struct store *st, int version, struct guideline_version **v,
    char **cause)
{
	int n;

	*v = NULL;
	if (read_versions(st, version, v, &n, cause) != 0)
		return -1;
	if (n == 0) {
		char word[16];

		snprintf(word, sizeof word, "%d", version);
		return suggest_error(st, cause, SUGGEST_VERSIONS, word,
		    "versions", "no guideline version %d", version);
	}
	return 0;
}

/* A line of text: [p, p + len), without its newline. */
struct line {
	const char *p;
	size_t len;
};

static struct line *
split_lines(const char *text, size_t *n)
{
	struct line *v = NULL;
	size_t k = 0, cap = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[k].p = p;
		v[k++].len = len;
		p = e ? e + 1 : p + len;
	}
	*n = k;
	return v;
}

/* "## NAME" (level two exactly): the trimmed name, else NULL. */
static char *
class_heading(const struct line *l)
{
	const char *h = l->p + 3;
	size_t hl;

	if (l->len < 3 || strncmp(l->p, "## ", 3) != 0)
		return NULL;
	hl = l->len - 3;
	while (hl > 0 && (h[hl - 1] == ' ' || h[hl - 1] == '\r' ||
	    h[hl - 1] == '\t'))
		hl--;
	while (hl > 0 && (*h == ' ' || *h == '\t'))
		h++, hl--;
	return xstrndup(h, hl);
}

/*
 * An "examples:" line: the text after the colon in *rest, else 0.  Leading
 * blanks and list markers ("- ", "* ") are allowed, the word in any case.
 */
static int
examples_line(const struct line *l, const char **rest, size_t *rlen)
{
	const char *p = l->p, *e = l->p + l->len;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p + 1 < e && (*p == '-' || *p == '*') && p[1] == ' ')
		p += 2;
	if ((size_t)(e - p) < 9 || strncasecmp(p, "examples:", 9) != 0)
		return 0;
	*rest = p + 9;
	*rlen = (size_t)(e - p - 9);
	return 1;
}

/* Parse the ids of an examples line; -1 with *cause naming a bad word. */
static int
parse_examples(const char *p, size_t len, long long **ids, int *n,
    char **cause)
{
	const char *e = p + len;

	*ids = NULL;
	*n = 0;
	while (p < e) {
		const char *w;
		char *word;
		long long id;

		while (p < e && (*p == ',' || isspace((unsigned char)*p)))
			p++;
		if (p == e)
			break;
		w = p;
		while (p < e && *p != ',' && !isspace((unsigned char)*p))
			p++;
		word = xstrndup(w, (size_t)(p - w));
		if (*word == '#')
			memmove(word, word + 1, strlen(word));
		if (acc_parse_int(word, 1, 0x7fffffffffffffffLL, &id) != 0) {
			acc_error(cause, "example '%s' is not an item id", word);
			free(word);
			free(*ids);
			*ids = NULL;
			*n = 0;
			return -1;
		}
		free(word);
		*ids = xreallocarray(*ids, (size_t)*n + 1, sizeof **ids);
		(*ids)[(*n)++] = id;
	}
	return 0;
}

/* The project's class names, for messages: "ok, scratch, dent". */
static char *
class_names(const struct project *p)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "");
	for (i = 0; i < p->nclasses; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", p->classes[i].name);
	return b.s;
}

/*
 * A '## NAME' heading at line lineno (1-based) must name a class not seen
 * before; seen[position] keeps the line of each class's section.  Returns
 * 0, or -1 with *cause.
 */
static int
check_heading(const struct project *p, const char *name, size_t lineno,
    int *seen, char **cause)
{
	const struct class_def *c = project_class(p, name);

	if (c == NULL) {
		char *all = class_names(p);

		acc_error(cause, "line %zu: '## %s' names no class "
		    "(classes: %s; other sections take # or ###)", lineno,
		    name, all);
		free(all);
		return -1;
	}
	if (seen[c->position] > 0)
		return acc_error(cause, "line %zu: class %s has a second "
		    "section (the first is at line %d)", lineno, name,
		    seen[c->position]);
	seen[c->position] = (int)lineno;
	return 0;
}

/*
 * An examples: line's ids (rest, rlen) must each name an item; s is
 * "SELECT 1 FROM items WHERE id = ?".  Returns 0, or -1 with *cause.
 */
static int
check_examples(struct store *st, struct sql_stmt *s, const char *rest,
    size_t rlen, size_t lineno, char **cause)
{
	long long *ids;
	int k, j, rc;
	char *why = NULL;

	if (parse_examples(rest, rlen, &ids, &k, &why) != 0) {
		acc_error(cause, "line %zu: %s", lineno, why);
		free(why);
		return -1;
	}
	for (j = 0; j < k; j++) {
		sql_bind_int(s, 1, ids[j]);
		rc = sql_step(s);
		sql_reset(s);
		if (rc == SQL_ROW)
			continue;
		if (rc == SQL_DONE)
			acc_error(cause, "line %zu: example %lld is not an "
			    "item of this project", lineno, ids[j]);
		else
			sql_fail(st, cause, "cannot read items");
		free(ids);
		return -1;
	}
	free(ids);
	return 0;
}

int
guideline_check(struct store *st, const char *text, char **cause)
{
	struct project p;
	struct line *l;
	size_t n, i;
	int *seen, in_class = 0, r = -1;
	const char *why;
	struct sql_stmt *s = NULL;

	if (*text == '\0')
		return acc_error(cause, "the guideline is empty");
	if (strlen(text) > GUIDELINE_MAX_BYTES)
		return acc_error(cause, "the guideline is larger than %zu bytes",
		    GUIDELINE_MAX_BYTES);
	if ((why = acc_text_problem(text, 1)) != NULL)
		return acc_error(cause, "the guideline %s", why);
	if (project_load(st, &p, cause) != 0)
		return -1;
	seen = xcalloc((size_t)p.nclasses + 1, sizeof *seen);
	l = split_lines(text, &n);
	if (sql_prepare(st, "SELECT 1 FROM items WHERE id = ?", &s, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		char *name = class_heading(&l[i]);
		const char *rest;
		size_t rlen;

		if (name != NULL) {
			int k = check_heading(&p, name, i + 1, seen, cause);

			free(name);
			if (k != 0)
				goto out;
			in_class = 1;
		} else if (l[i].len > 0 && l[i].p[0] == '#')
			in_class = 0;
		else if (examples_line(&l[i], &rest, &rlen)) {
			if (!in_class) {
				acc_error(cause, "line %zu: examples: belongs in a "
				    "class section (under '## NAME')", i + 1);
				goto out;
			}
			if (check_examples(st, s, rest, rlen, i + 1,
			    cause) != 0)
				goto out;
		}
	}
	r = 0;
out:
	sql_finalize(st, s);
	free(l);
	free(seen);
	project_free(&p);
	return r;
}

void
guideline_classes_free(struct guideline_class *c, int n)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].description);
		free(c[i].examples);
	}
	free(c);
}

/* The example ids of a description (its "examples:" lines); bad words
 * are skipped (they were refused when the version was stored). */
static void
description_examples(struct guideline_class *c)
{
	struct line *l;
	size_t n, i;

	l = split_lines(c->description, &n);
	for (i = 0; i < n; i++) {
		const char *rest;
		size_t rlen;
		long long *ids;
		int k;

		if (!examples_line(&l[i], &rest, &rlen) ||
		    parse_examples(rest, rlen, &ids, &k, NULL) != 0)
			continue;
		c->examples = xreallocarray(c->examples,
		    (size_t)c->nexamples + (size_t)k + 1, sizeof *c->examples);
		memcpy(c->examples + c->nexamples, ids, (size_t)k * sizeof *ids);
		c->nexamples += k;
		free(ids);
	}
	free(l);
}

int
guideline_classes(struct store *st, int version, struct guideline_class **out,
    int *n, char **cause)
{
	struct sql_stmt *s;
	struct guideline_class *c = NULL;
	int k = 0, rc;

	*out = NULL;
	*n = 0;
	if (sql_prepare(st, "SELECT c.name, c.key, coalesce(g.description, '') "
	    "FROM classes c LEFT JOIN guideline_classes g ON g.class = c.id "
	    "AND g.version = ? ORDER BY c.position", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, version);
	while ((rc = sql_step(s)) == SQL_ROW) {
		c = xreallocarray(c, (size_t)k + 1, sizeof *c);
		memset(&c[k], 0, sizeof c[k]);
		c[k].name = xstrdup(sql_text(s, 0));
		c[k].key = sql_text(s, 1)[0];
		c[k].description = xstrdup(sql_text(s, 2));
		description_examples(&c[k]);
		k++;
	}
	sql_finalize(st, s);
	if (rc != SQL_DONE) {
		guideline_classes_free(c, k);
		return sql_fail(st, cause, "cannot read guideline classes");
	}
	*out = c;
	*n = k;
	return 0;
}

/* The new version's rows, inside the caller's transaction. */
static int
add_rows(struct store *st, const char *user, int version, const char *text,
    const char *reason, char **cause)
{
	struct project p;
	struct sql_stmt *s = NULL;
	char now[32], *detail;
	const struct sql_arg a[] = { SQL_INT(version), SQL_TEXT(text),
	    SQL_TEXT(user), SQL_TEXT(now), SQL_TEXT(reason) };
	int i, r = -1;

	if (project_load(st, &p, cause) != 0)
		return -1;
	acc_now_iso(now);
	if (SQL_WRITE(st, "INSERT INTO guidelines (version, text, author, "
	    "created_at, reason) VALUES (?, ?, ?, ?, ?)", a, cause) != 0 ||
	    sql_prepare(st, "INSERT INTO guideline_classes (version, class, "
	    "description) VALUES (?, ?, ?)", &s, cause) != 0)
		goto out;
	for (i = 0; i < p.nclasses; i++) {
		char *desc = guideline_class_section(text, p.classes[i].name);

		sql_bind_int(s, 1, version);
		sql_bind_int(s, 2, p.classes[i].id);
		sql_bind_text(s, 3, desc ? desc : "");
		free(desc);
		if (sql_step_done(st, s, cause) != 0)
			goto out;
	}
	detail = xasprintf("v%d: %s", version, reason);
	r = store_audit(st, user, "guideline", detail, cause);
	free(detail);
out:
	sql_finalize(st, s);
	project_free(&p);
	return r;
}

/* Length of s without its trailing blanks and newlines. */
static size_t
trimmed_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

int
guideline_same(const char *a, const char *b)
{
	size_t na = trimmed_len(a);

	return na == trimmed_len(b) && memcmp(a, b, na) == 0;
}

int
guideline_add_on(struct store *st, const char *user, int base,
    const char *text, const char *reason, int *newver, char **cause)
{
	char *cur = NULL;
	const char *why;
	int v;

	*newver = 0;
	if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
		return acc_error(cause, "a new guideline version needs a reason");
	if (strlen(reason) > REASON_MAX_BYTES)
		return acc_error(cause, "the reason is longer than %d bytes",
		    REASON_MAX_BYTES);
	if ((why = acc_text_problem(reason, 0)) != NULL)
		return acc_error(cause, "the reason %s", why);
	if (project_begin(st, user, ROLE_SME, "editing the guideline",
	    cause) != 0)
		return -1;
	if (guideline_current(st, &v, &cur, cause) != 0)
		goto fail;
	if (base > 0 && v != base) {
		acc_error(cause, "the guideline changed meanwhile: v%d is now the "
		    "newest, this text was edited from v%d", v, base);
		goto fail;
	}
	if (guideline_same(cur, text)) {
		free(cur);
		store_rollback(st);
		return 0;
	}
	free(cur);
	cur = xasprintf("%.*s\n", (int)trimmed_len(text), text);
	if (guideline_check(st, cur, cause) != 0 ||
	    add_rows(st, user, v + 1, cur, reason, cause) != 0 ||
	    store_commit(st, cause) != 0)
		goto fail;
	free(cur);
	*newver = v + 1;
	return 0;
fail:
	free(cur);
	store_rollback(st);
	return -1;
}

int
guideline_add(struct store *st, const char *user, const char *text,
    const char *reason, int *newver, char **cause)
{
	return guideline_add_on(st, user, 0, text, reason, newver, cause);
}

int
guideline_last_seen(struct store *st, const char *user, int *version,
    char **cause)
{
	long long v = 0;

	*version = 0;
	/* labels_labeler (labeler, id): one index seek. */
	if (sql_int(st, "SELECT guideline FROM labels WHERE labeler = ? "
	    "ORDER BY id DESC LIMIT 1", user, &v, cause) < 0)
		return -1;
	*version = (int)v;
	return 0;
}

/* --- diff ------------------------------------------------------------- */

static int
line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* One step of the edit script: ' ' both, '-' only a, '+' only b. */
struct op {
	char kind;
	size_t ai, bi;		/* line indexes (of a for ' ' and '-') */
};

/*
 * The edit script of a -> b: the common head and tail, and between them a
 * longest common subsequence (the classic dynamic programme, Hunt and
 * McIlroy's problem without their speed-up: guidelines are short).
 */
static struct op *
diff_ops(const struct line *a, size_t na, const struct line *b, size_t nb,
    size_t *nops)
{
	struct op *ops = xcalloc(na + nb + 1, sizeof *ops);
	size_t head = 0, tail = 0, n, m, i, j, k = 0;
	unsigned *L = NULL;

	while (head < na && head < nb && line_eq(&a[head], &b[head]))
		head++;
	while (tail < na - head && tail < nb - head &&
	    line_eq(&a[na - 1 - tail], &b[nb - 1 - tail]))
		tail++;
	n = na - head - tail;
	m = nb - head - tail;
	for (i = 0; i < head; i++)
		ops[k++] = (struct op){ ' ', i, i };
	if (n > 0 && m > 0 && (double)(n + 1) * (double)(m + 1) <=
	    (double)GUIDELINE_DIFF_MAX_CELLS) {
		/* L[i][j]: LCS length of a[head+i..] and b[head+j..]. */
		L = xcalloc((n + 1) * (m + 1), sizeof *L);
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				L[i * (m + 1) + j] = line_eq(&a[head + i],
				    &b[head + j]) ? L[(i + 1) * (m + 1) + j + 1] +
				    1 : L[(i + 1) * (m + 1) + j] >
				    L[i * (m + 1) + j + 1] ?
				    L[(i + 1) * (m + 1) + j] :
				    L[i * (m + 1) + j + 1];
	}
	i = j = 0;
	while (i < n || j < m) {
		if (L != NULL && i < n && j < m &&
		    line_eq(&a[head + i], &b[head + j])) {
			ops[k++] = (struct op){ ' ', head + i, head + j };
			i++, j++;
		} else if (i < n && (j == m || L == NULL ||
		    L[(i + 1) * (m + 1) + j] >= L[i * (m + 1) + j + 1])) {
			ops[k++] = (struct op){ '-', head + i, head + j };
			i++;
		} else {
			ops[k++] = (struct op){ '+', head + i, head + j };
			j++;
		}
	}
	for (i = 0; i < tail; i++)
		ops[k++] = (struct op){ ' ', na - tail + i, nb - tail + i };
	free(L);
	*nops = k;
	return ops;
}

/* Hunk start in unified format: the first line's number, or for an empty
 * range the number of the line before it. */
static size_t
hunk_start(size_t first, size_t count)
{
	return count > 0 ? first + 1 : first;
}

char *
guideline_diff(const char *ta, const char *tb, const char *name_a,
    const char *name_b)
{
	struct line *a, *b;
	struct op *ops;
	struct buf out = { 0 };
	size_t na, nb, nops, i, h0, h1, j;

	buf_puts(&out, "");
	a = split_lines(ta, &na);
	b = split_lines(tb, &nb);
	ops = diff_ops(a, na, b, nb, &nops);
	for (i = 0; i < nops && ops[i].kind == ' '; i++)
		;
	if (i < nops)
		buf_printf(&out, "--- %s\n+++ %s\n", name_a, name_b);
	while (i < nops) {
		size_t ac = 0, bc = 0, last;

		/* A hunk: context before the first change, changes joined while
		 * the gap between them is at most twice the context. */
		h0 = i > DIFF_CONTEXT ? i - DIFF_CONTEXT : 0;
		last = i;
		for (j = i; j < nops; j++) {
			if (ops[j].kind != ' ')
				last = j;
			else if (j - last > 2 * DIFF_CONTEXT)
				break;
		}
		h1 = last + DIFF_CONTEXT + 1 < nops ? last + DIFF_CONTEXT + 1 :
		    nops;
		for (j = h0; j < h1; j++) {
			ac += ops[j].kind != '+';
			bc += ops[j].kind != '-';
		}
		buf_printf(&out, "@@ -%zu,%zu +%zu,%zu @@\n",
		    hunk_start(ops[h0].ai, ac), ac, hunk_start(ops[h0].bi, bc),
		    bc);
		for (j = h0; j < h1; j++) {
			const struct line *l = ops[j].kind == '+' ?
			    &b[ops[j].bi] : &a[ops[j].ai];

			buf_add(&out, &ops[j].kind, 1);
			buf_add(&out, l->p, l->len);
			buf_add(&out, "\n", 1);
		}
		for (i = h1; i < nops && ops[i].kind == ' '; i++)
			;
	}
	free(ops);
	free(a);
	free(b);
	return out.s;
}
