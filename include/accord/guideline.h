/*
 * guideline.h: the versioned label definitions.
 *
 * A guideline version is a text (Markdown-ish) plus, per class, the
 * description parsed out of it (guideline_classes).  Versions are only
 * added, never changed: version v+1 is a new guidelines row and a
 * guideline_classes row for every class.
 *
 * The text format:
 *   - a line "## NAME" starts the section of class NAME; its body, up to
 *     the next line starting with '#', is the class's description.  Every
 *     "## " heading must name a class of the project, at most once; text
 *     that describes no class goes before the first "## " heading or under
 *     "#" / "###" headings.  A class without a section has description "".
 *   - inside a class section, a line "examples: 12, 40" (ids as `accord
 *     items` shows them, separated by commas or spaces) names example
 *     items; each must be an item of the project.  The line stays part of
 *     the description.
 *
 * Reading needs any role (labelers read the guideline in force); adding a
 * version needs sme or admin, and a refusal is audited.  Functions return
 * 0 on success or -1 with *cause (malloc'd, caller frees).
 */
#ifndef ACCORD_GUIDELINE_H
#define ACCORD_GUIDELINE_H

#include "accord/store.h"

/* The newest version and its text (caller frees *text). */
int guideline_current(struct store *st, int *version, char **text,
    char **cause);

struct guideline_version {
	int version;
	char *author;
	char *created_at;
	char *reason;
};

/* Every version, oldest first.  guideline_log_free() after. */
int guideline_log(struct store *st, const char *user,
    struct guideline_version **out, int *n, char **cause);
void guideline_log_free(struct guideline_version *v, int n);

/* One version's row (version 0: the newest); free with
 * guideline_log_free(v, 1). */
int guideline_info(struct store *st, int version, struct guideline_version **v,
    char **cause);

struct guideline_class {
	char *name;
	char key;
	char *description;
	int nexamples;
	long long *examples;	/* item ids from "examples:" lines */
};

/* The class descriptions of `version`, in class order.
 * guideline_classes_free() after. */
int guideline_classes(struct store *st, int version,
    struct guideline_class **out, int *n, char **cause);
void guideline_classes_free(struct guideline_class *c, int n);

/*
 * Check text against the format above and the store (class names, item
 * ids).  0 if it can be stored; else -1 with *cause "line N: ...", the
 * first problem.
 */
int guideline_check(struct store *st, const char *text, char **cause);

/* Whether two texts are the same guideline: equal but for trailing
 * blanks and newlines at the end (editors add or drop the last newline). */
int guideline_same(const char *a, const char *b);

/*
 * Store text as a new version by `user` (sme or admin) with a non-empty
 * one-line reason, in one BEGIN IMMEDIATE transaction.  *newver gets the
 * new version, or 0 when text equals the newest version's (nothing is
 * stored: "no change", by guideline_same).  The text is stored ending in
 * exactly one newline.  guideline_add_on refuses when the newest version
 * is no longer `base` (someone saved a version meanwhile); base 0 skips
 * that check.
 */
int guideline_add(struct store *st, const char *user, const char *text,
    const char *reason, int *newver, char **cause);
int guideline_add_on(struct store *st, const char *user, int base,
    const char *text, const char *reason, int *newver, char **cause);

/*
 * The guideline version of user's newest label row, 0 if they have none:
 * the version they last worked under, for "the guideline changed since
 * your last session".
 */
int guideline_last_seen(struct store *st, const char *user, int *version,
    char **cause);

/*
 * A unified line diff (3 lines of context, "--- name_a" / "+++ name_b"
 * header, "@@ -l,n +l,n @@" hunks) from a to b, computed with a longest
 * common subsequence of lines after trimming the common head and tail.
 * Returns "" when the texts are equal.  When the differing middle is over
 * GUIDELINE_DIFF_MAX_CELLS (lines a x lines b) it is shown as removed and
 * added whole.  Caller frees.
 */
#define GUIDELINE_DIFF_MAX_CELLS (4L * 1024 * 1024)
char *guideline_diff(const char *a, const char *b, const char *name_a,
    const char *name_b);

#endif
