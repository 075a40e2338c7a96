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

#endif
