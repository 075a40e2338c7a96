/*
 * label.h: a labeler writing and reading back their own labels (the label
 * screen, `accord label`).
 *
 * Labels are append-only rows: a new row supersedes the labeler's
 * previous row on the item, and a row without a class withdraws their
 * label.  A labeler's newest row on an item is their label in force
 * (core/label_int.h holds the rule for core).  Blind labeling: nothing
 * here returns another labeler's labels.
 *
 * Every function checks the caller's role (labeler, sme or admin) in core:
 * a non-member is refused (and audited) with *cause set.  Functions return
 * 0 on success or -1 with *cause (malloc'd, caller frees).
 */
#ifndef ACCORD_LABEL_H
#define ACCORD_LABEL_H

#include "accord/store.h"

/*
 * Write user's label on item: class_id > 0 labels, class_id == 0 withdraws
 * user's label (undo).  The row records the newest guideline version,
 * seconds spent (< 0: not recorded), note (NULL: ""), origin 'screen',
 * and supersedes user's previous row on the item.  Releases the lease.
 * One BEGIN IMMEDIATE transaction, committed without a sync inside the
 * write lock, then the WAL synced outside it (group commit, concurrent
 * labelers' syncs overlap): when this returns 0 the label is on disk.  *label_id (may be
 * NULL) gets the new row's id.
 */
int label_put(struct store *st, const char *user, long long item,
    int class_id, const char *note, double seconds, long long *label_id,
    char **cause);

/*
 * label_put with what the labeler saw of the item (view: how the screen
 * showed it, media.h image_view_text; NULL or "": fitted, unadjusted),
 * kept in the row's view column.
 */
int label_put_view(struct store *st, const char *user, long long item,
    int class_id, const char *note, double seconds, const char *view,
    long long *label_id, char **cause);

/* user's label in force on item: *class_id 0 if none; *note malloc'd or
 * NULL.  Returns 0 or -1. */
int label_mine(struct store *st, const char *user, long long item,
    int *class_id, char **note, char **cause);

/*
 * The items user has a label in force on, oldest first by user's newest
 * label row (so the last is the most recently labeled).  *items malloc'd.
 */
int label_history(struct store *st, const char *user, long long **items,
    int *n, char **cause);
/* The same, only the newest max of them (max < 0: all), still oldest
 * first; costs max index seeks, not the user's whole history. */
int label_history_recent(struct store *st, const char *user, int max,
    long long **items, int *n, char **cause);

/*
 * Undo: withdraw user's most recent label in force (a row with class NULL
 * superseding it; nothing is deleted).  *item gets the item it was on, or 0
 * if user has no label to undo.
 */
int label_undo(struct store *st, const char *user, long long *item,
    char **cause);

#endif
