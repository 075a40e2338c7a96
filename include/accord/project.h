/*
 * project.h: a labeling project's settings, classes, members and roles, and
 * guideline versions.
 *
 * Identity: every function taking `user` trusts it to be the real OS user
 * (tui passes acc_os_user()); core enforces what that user's role allows.
 * Functions returning int give 0 on success, -1 with *cause (malloc'd,
 * caller frees) on failure; those that change the store run their own
 * transaction and write an audit row.
 */
#ifndef ACCORD_PROJECT_H
#define ACCORD_PROJECT_H

#include "accord/media.h"
#include "accord/store.h"

enum role {
	ROLE_NONE = 0,
	ROLE_LABELER = 1,
	ROLE_SME = 2,
	ROLE_ADMIN = 3,
};

const char *role_name(enum role r);		/* "labeler", ..., "none" */
enum role role_from_name(const char *s);	/* ROLE_NONE if unknown */

/* Keys the screens use for actions; a class may not take one of these. */
#define PROJECT_RESERVED_KEYS "abceghjklmnpqrstuwzDG"
#define PROJECT_MAX_CLASSES 36

struct class_def {
	int id;
	char *name;
	char key;		/* '1'.. or a letter; 'b' for the borderline class */
	int position;		/* 0-based order on the scale */
	int borderline;
	char *description;	/* from the guideline in force; "" if none */
};

struct project {
	char *task;
	enum media_kind media;
	int overlap;		/* labels wanted per item (k) */
	int ordinal;		/* classes form an ordered scale */
	int guideline;		/* newest guideline version */
	int nclasses;
	struct class_def *classes;	/* by position */
};

struct project_spec {
	const char *task;
	enum media_kind media;
	const char *classes;	/* "ok,scratch:s,dent": name[:key], in order */
	const char *borderline;	/* NULL, or the borderline class's name */
	int ordinal;
	int overlap;		/* 1..100 */
	/* Guideline v1 text; NULL makes one from the class names.  Sections
	 * headed "## NAME" describe class NAME. */
	const char *guideline_text;
	/* Share of gold items in each labeler's queue ("0.05", "5%"); NULL:
	 * the default (config.h). */
	const char *gold_rate;
};

/*
 * Create the store at path with the project described by spec and `user` as
 * its admin.  Refuses an existing file; validates everything before writing,
 * and on any failure leaves no file behind.
 */
int project_init(const char *path, const struct project_spec *spec,
    const char *user, char **cause);

/* Load settings, classes and the newest guideline.  project_free() after. */
int project_load(struct store *st, struct project *p, char **cause);
void project_free(struct project *p);

const struct class_def *project_class(const struct project *p,
    const char *name);
const struct class_def *project_class_by_id(const struct project *p, int id);

/* The user's current role (ROLE_NONE if not a member). */
int project_role(struct store *st, const char *user, enum role *out,
    char **cause);

/*
 * Refuse unless `user` has at least role `min`.  A refusal is written to the
 * audit table (action "refused", detail = what) and *cause says who lacks
 * which role.  0 if allowed.
 */
int project_require(struct store *st, const char *user, enum role min,
    const char *what, char **cause);

/*
 * BEGIN IMMEDIATE, then project_require inside it, so the check and the
 * write it guards see the same membership.  0 leaves the write
 * transaction open for the caller to commit or roll back.  A refusal
 * commits its audit row, ending the transaction, and returns -1 with
 * *cause (the caller frees it); so does a failed BEGIN.
 */
int project_begin(struct store *st, const char *user, enum role min,
    const char *what, char **cause);

struct member {
	char *user;
	enum role role;
	char *changed_by;
	char *changed_at;
};

/* Add a member or change their role (admin only; user must be an OS user). */
int member_set(struct store *st, const char *actor, const char *user,
    enum role role, char **cause);
/* Remove a member (admin only; the last admin cannot be removed). */
int member_remove(struct store *st, const char *actor, const char *user,
    char **cause);
/* Current members, ordered by name (user must be a member).
 * member_list_free() after. */
int member_list(struct store *st, const char *user, struct member **out,
    int *n, char **cause);
void member_list_free(struct member *m, int n);

/*
 * Split guideline text into per-class descriptions: the body under a
 * "## NAME" heading (up to the next "#"-heading) describes class NAME.
 * Returns a malloc'd description or NULL if the text has no such section.
 */
char *guideline_class_section(const char *text, const char *name);

/* Text of guideline `version` (0: newest); caller frees. */
int guideline_text(struct store *st, int version, char **text, int *got_version,
    char **cause);

#endif
