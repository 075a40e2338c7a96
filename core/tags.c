/*
 * tags.c: a labeler's tags on items, append-only rows per (item, user,
 * tag) whose newest row says whether the tag is in force.
 *
 * Blind labeling: a user's tags are read back only by that user; the
 * project's tags are offered for completion without their users.
 */
#include <stdlib.h>
#include <string.h>

#include "accord/tags.h"
#include "internal.h"

#define TAG_MAX_BYTES 64

void
tags_free(char **tags, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
}

/* Strings from a one-column query, in its order. */
static int
tags_query(struct store *st, struct sql_stmt *s, char ***tags, int *n,
    char **cause)
{
	char **v = NULL;
	int k = 0, cap = 0, rc;

	while ((rc = sql_step(s)) == SQL_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[k++] = xstrdup(sql_text(s, 0));
	}
	if (rc != SQL_DONE) {
		tags_free(v, k);
		return sql_fail(st, cause, "cannot read tags");
	}
	*tags = v;
	*n = k;
	return 0;
}

/*
 * Tags in force somewhere in the project (a tag whose every use was
 * removed is not offered for completion), with the OS user's role checked:
 * the contract has no user argument.
 */
int
tags_all(struct store *st, char ***tags, int *n, char **cause)
{
	struct sql_stmt *s;
	int r;

	*tags = NULL;
	*n = 0;
	if (queue_require(st, acc_os_user(), cause) != 0)
		return -1;
	if (sql_prepare(st, "SELECT DISTINCT tag FROM tags t WHERE removed = 0 "
	    "AND id = (SELECT max(id) FROM tags u WHERE u.item = t.item AND "
	    "u.tag = t.tag AND u.\"user\" = t.\"user\") ORDER BY tag", &s, cause) != 0)
		return -1;
	r = tags_query(st, s, tags, n, cause);
	sql_finalize(st, s);
	return r;
}

static int
tags_in_force(struct store *st, const char *user, long long item,
    char ***tags, int *n, char **cause)
{
	struct sql_stmt *s;
	int r;

	if (sql_prepare(st, "SELECT tag FROM tags t WHERE item = ?1 AND "
	    "\"user\" = ?2 AND removed = 0 AND id = (SELECT max(id) FROM tags u "
	    "WHERE u.item = ?1 AND u.tag = t.tag AND u.\"user\" = ?2) "
	    "ORDER BY tag", &s, cause) != 0)
		return -1;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	r = tags_query(st, s, tags, n, cause);
	sql_finalize(st, s);
	return r;
}

int
tags_mine(struct store *st, const char *user, long long item, char ***tags,
    int *n, char **cause)
{
	*tags = NULL;
	*n = 0;
	if (queue_require(st, user, cause) != 0)
		return -1;
	return tags_in_force(st, user, item, tags, n, cause);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Trim, check and de-duplicate tags into a sorted list; -1 with *cause
 * naming the first bad tag. */
static int
tags_clean(const char *const *tags, int n, char ***out, int *nout,
    char **cause)
{
	char **v;
	int i, k = 0, u;

	v = xcalloc(n > 0 ? (size_t)n : 1, sizeof *v);
	for (i = 0; i < n; i++) {
		const char *s = tags[i], *e, *why;
		char *t;

		if (s == NULL)
			continue;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		t = xstrndup(s, (size_t)(e - s));
		if (*t == '\0' || strlen(t) > TAG_MAX_BYTES)
			why = "must be 1-64 bytes";
		else if (strchr(t, ',') != NULL)
			why = "must not contain a comma";
		else
			why = acc_text_problem(t, 0);
		if (why != NULL) {
			char *shown = acc_printable(t);

			acc_error(cause, "tag '%s' %s", shown, why);
			free(shown);
			free(t);
			tags_free(v, k);
			return -1;
		}
		v[k++] = t;
	}
	qsort(v, (size_t)k, sizeof *v, cmp_str);
	for (i = 1, u = k > 0 ? 1 : 0; i < k; i++) {
		if (strcmp(v[i], v[u - 1]) == 0)
			free(v[i]);
		else
			v[u++] = v[i];
	}
	*out = v;
	*nout = u;
	return 0;
}

static int
sorted_has(char **v, int n, const char *s)
{
	return n > 0 && bsearch(&s, v, (size_t)n, sizeof *v, cmp_str) != NULL;
}

int
tags_set(struct store *st, const char *user, long long item,
    const char *const *tags, int n, char **cause)
{
	struct sql_stmt *s = NULL;
	char **want = NULL, **have = NULL, now[32];
	int nwant = 0, nhave = 0, i, r = -1;

	if (queue_begin(st, user, cause) != 0)
		return -1;
	if (tags_clean(tags, n, &want, &nwant, cause) != 0 ||
	    queue_item_exists(st, item, cause) != 0 ||
	    tags_in_force(st, user, item, &have, &nhave, cause) != 0)
		goto out;
	acc_now_iso(now);
	if (sql_prepare(st, "INSERT INTO tags (item, \"user\", tag, removed, "
	    "created_at) VALUES (?, ?, ?, ?, ?)", &s, cause) != 0)
		goto out;
	sql_bind_int(s, 1, item);
	sql_bind_text(s, 2, user);
	sql_bind_text(s, 5, now);
	for (i = 0; i < nwant; i++) {
		if (sorted_has(have, nhave, want[i]))
			continue;
		sql_bind_text(s, 3, want[i]);
		sql_bind_int(s, 4, 0);
		if (sql_step_done(st, s, cause) != 0)
			goto out;
	}
	for (i = 0; i < nhave; i++) {
		if (sorted_has(want, nwant, have[i]))
			continue;
		sql_bind_text(s, 3, have[i]);
		sql_bind_int(s, 4, 1);
		if (sql_step_done(st, s, cause) != 0)
			goto out;
	}
	r = store_commit(st, cause);
out:
	sql_finalize(st, s);
	if (r != 0)
		store_rollback(st);
	tags_free(want, nwant);
	tags_free(have, nhave);
	return r;
}
