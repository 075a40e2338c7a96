/* screen.h: the full-screen views. */
#ifndef ACCORD_SCREEN_H
#define ACCORD_SCREEN_H

/*
 * The labeling screen for the OS user `user` on store db (already checked
 * to be a member).  Returns the exit status for accord label.
 */
int screen_label_run(const char *db, const char *user, const char *batch);

struct agree_opts;

/*
 * The agreement dashboard for `user` (already checked to be sme or admin)
 * on store db, computed with the bootstrap options o.  Returns the exit
 * status for accord stats.
 */
int screen_stats_run(const char *db, const char *user,
    const struct agree_opts *o);
struct review_filter;

/*
 * The SME review screen for `user` (checked to be sme or admin) on db: the
 * disagreement queue for filter (copied), opened at item when not 0 (put
 * first when the filter leaves it out).  Returns accord review's exit
 * status.
 */
int screen_review_run(const char *db, const char *user,
    const struct review_filter *filter, long long item);

#endif
