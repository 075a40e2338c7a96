/*
 * tags.h: a labeler's free-text tags on items (the label screen's `t`).
 *
 * Tags are append-only rows per (item, user, tag): adding writes a row,
 * removing writes a removal row; a tag is in force when its newest row is
 * not a removal.  Every function checks the caller's role (labeler, sme or
 * admin) in core.  Functions return 0 on success or -1 with *cause
 * (malloc'd, caller frees).
 */
#ifndef ACCORD_TAGS_H
#define ACCORD_TAGS_H

#include "accord/store.h"

/* Every distinct tag in the project, sorted (for completion). */
int tags_all(struct store *st, char ***tags, int *n, char **cause);
/* user's tags in force on item, sorted. */
int tags_mine(struct store *st, const char *user, long long item,
    char ***tags, int *n, char **cause);
/* Make user's tags on item exactly tags[0..n): rows are added for new tags
 * and removal rows for dropped ones (append-only).  Tags: 1-64 bytes, no
 * control characters, no commas; trimmed. */
int tags_set(struct store *st, const char *user, long long item,
    const char *const *tags, int n, char **cause);
void tags_free(char **tags, int n);

#endif
