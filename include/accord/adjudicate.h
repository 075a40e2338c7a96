/*
 * adjudicate.h: what SMEs decide about an item: a class, ambiguous, sent
 * back for relabeling; comments; gold items.
 *
 * Every function appends rows (adjudications, comments, gold, audit) in
 * one transaction, tagged with the user, the time and the guideline
 * version in force; nothing is updated in place.  The caller's role is
 * checked here, in core: sme or admin, else the call is refused, the
 * refusal audited, and -1 returned with *cause.  Functions return 0 on
 * success or -1 with *cause (malloc'd, caller frees).  `item` is an item
 * id; `cls` a class id (classes.id); note/text are UTF-8, stored intact.
 */
#ifndef ACCORD_ADJUDICATE_H
#define ACCORD_ADJUDICATE_H

#include "accord/store.h"

/* The item's class is `cls` (adjudications row, status 'class'). */
int adjudicate_class(struct store *st, const char *user, long long item,
    long long cls, const char *note, char **cause);
/* No class fits: kept out of training exports (status 'ambiguous'). */
int adjudicate_ambiguous(struct store *st, const char *user, long long item,
    const char *note, char **cause);
/* Send back for relabeling under the current guideline (status 'relabel'):
 * the item comes first in labelers' queues (see queue.h). */
int adjudicate_relabel(struct store *st, const char *user, long long item,
    const char *note, char **cause);
/* A comment on the item's thread. */
int comment_add(struct store *st, const char *user, long long item,
    const char *text, char **cause);
/* Make the item gold with class cls / stop using it as gold (a row with
 * class NULL). */
int gold_add(struct store *st, const char *user, long long item,
    long long cls, char **cause);
int gold_remove(struct store *st, const char *user, long long item,
    char **cause);

#endif
