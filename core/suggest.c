/*
 * suggest.c: the closest valid name to a mistyped one, and the list of
 * valid names, for "no such X" messages (include/accord/suggest.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "accord/project.h"
#include "accord/suggest.h"
#include "accord/util.h"
#include "sqlutil.h"

/* Past this many names the list is cut: a line, not a screenful. */
#define SUGGEST_LIST_MAX 30

size_t
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, r;
	size_t *d;

	/*
	 * The full (la+1) x (lb+1) table: names are short, and the
	 * transposition step needs the row before the previous one.
	 */
	d = xcalloc((la + 1) * (lb + 1), sizeof *d);
#define D(x, y) d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t v = D(i - 1, j - 1) + (ca != cb);

			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *
suggest_closest(const char *word, const char *const *names, size_t n)
{
	size_t len = strlen(word), limit, best = (size_t)-1, i, dist;
	const char *pick = NULL;
	int tie = 0;

	/*
	 * One edit in a short word already makes most other short words
	 * ("ok" -> "no"): below 5 bytes only one edit counts as a typo.
	 */
	limit = len <= 4 ? 1 : len / 3 < 2 ? 2 : len / 3;
	for (i = 0; i < n; i++) {
		dist = suggest_distance(word, names[i]);
		if (dist < best) {
			best = dist;
			pick = names[i];
			tie = 0;
		} else if (dist == best)
			tie = 1;
	}
	return pick != NULL && best <= limit && !tie ? pick : NULL;
}

char *
suggest_choices(const char *word, const char *what, const char *const *names,
    size_t n)
{
	const char *near = suggest_closest(word, names, n);
	struct buf b = { 0 };
	size_t i;
	char *p;

	if (n == 0)
		return xasprintf("there are no %s", what);
	/* Version 9 is no typo of version 1: numbers get the list only. */
	if (near != NULL && word[strspn(word, "0123456789")] != '\0') {
		p = acc_printable(near);
		buf_printf(&b, "did you mean '%s'? ", p);
		free(p);
	}
	buf_printf(&b, "%s: ", what);
	for (i = 0; i < n && i < SUGGEST_LIST_MAX; i++) {
		p = acc_printable(names[i]);
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", p);
		free(p);
	}
	if (n > SUGGEST_LIST_MAX)
		buf_printf(&b, ", ... (%zu in all)", n);
	return b.s;
}

int
suggest_known(struct store *st, const char *sql, const char *word,
    const char *what, char **tail, char **cause)
{
	struct sql_stmt *s;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc, found = 0;

	*tail = NULL;
	if (sql_prepare(st, sql, &s, cause) != 0)
		return -1;
	while ((rc = sql_next(st, s, cause)) == 1) {
		if (strcmp(sql_text(s, 0), word) == 0)
			found = 1;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(sql_text(s, 0));
	}
	sql_finalize(st, s);
	if (rc == 0 && !found)
		*tail = suggest_choices(word, what,
		    (const char *const *)names, n);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc < 0 ? -1 : found;
}

char *
suggest_class(const struct project *p, const char *word)
{
	const char **names;
	char *tail;
	int i;

	names = xcalloc(p->nclasses > 0 ? (size_t)p->nclasses : 1,
	    sizeof *names);
	for (i = 0; i < p->nclasses; i++)
		names[i] = p->classes[i].name;
	tail = suggest_choices(word, "classes", names, (size_t)p->nclasses);
	free(names);
	return tail;
}

int
suggest_error(struct store *st, char **cause, const char *sql,
    const char *word, const char *what, const char *fmt, ...)
{
	char *msg, *tail, *why = NULL;
	va_list ap;

	if (cause == NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* A failed listing must not hide the message it would have helped. */
	if (suggest_known(st, sql, word, what, &tail, &why) != 0 ||
	    tail == NULL) {
		free(why);
		free(tail);
		*cause = msg;
		return -1;
	}
	*cause = xasprintf("%s (%s)", msg, tail);
	free(msg);
	free(tail);
	return -1;
}

int
suggest_batch_id(struct store *st, const char *name, long long *id,
    char **cause)
{
	int r = sql_int(st, "SELECT id FROM batches WHERE name = ?", name, id,
	    cause);

	if (r == 0)
		return suggest_error(st, cause, SUGGEST_BATCHES, name,
		    "import batches", "no import batch named '%s'", name);
	return r < 0 ? -1 : 0;
}
