/*
 * config.h: project settings after init: listing, reading and changing
 * them (accord config).
 *
 * The settings table is append-only: a change is a new (key, value) row
 * with who and when, and the newest row per key is in force.  Keys:
 *
 *   task       the task's name (any member reads it on the screens)
 *   overlap    labels wanted per item, 1..100
 *   gold-rate  share of a labeler's items that are gold, 0..1 (or "5%")
 *   gold-seed  integer that, with the user name, seeds the gold mixing
 *   show-paths what the label screen shows of an item's path: full,
 *              basename or none (the item number only); "none" is written
 *              at init, and a store made before the key existed reads
 *              "full", so it keeps its behaviour
 *   media, ordinal   fixed at init: listed, never changed
 *
 * Functions return 0 on success or -1 with *cause (malloc'd, caller frees).
 */
#ifndef ACCORD_CONFIG_H
#define ACCORD_CONFIG_H

#include "accord/store.h"

#define CONFIG_GOLD_RATE_DEFAULT "0.05"
#define CONFIG_GOLD_SEED_DEFAULT "1"
/* show-paths: never set (a store older than the key), and set at init. */
#define CONFIG_SHOW_PATHS_DEFAULT "full"
#define CONFIG_SHOW_PATHS_NEW "none"

enum config_paths {
	CONFIG_PATHS_FULL,
	CONFIG_PATHS_BASENAME,
	CONFIG_PATHS_NONE,
};

struct setting {
	char *key;
	char *value;
	char *set_by;		/* "" for a default never set */
	char *set_at;
	int is_default;
};

/* Every key above with its value in force, by key.  config_list_free()
 * after.  Any member may read. */
int config_list(struct store *st, const char *user, struct setting **out,
    int *n, char **cause);
void config_list_free(struct setting *s, int n);

/* The value in force of key (its default if never set); caller frees. */
int config_get(struct store *st, const char *key, char **value, char **cause);

/*
 * Check value for key and put it in the stored form (*norm, malloc'd):
 * "20%" -> "0.2".  Refuses unknown keys and the keys fixed at init.
 */
int config_check(const char *key, const char *value, char **norm,
    char **cause);

/* Set key (admin only, refusal audited): a settings row and an audit row,
 * one transaction.  Setting the value in force adds nothing. */
int config_set(struct store *st, const char *user, const char *key,
    const char *value, char **cause);

/* The gold rate and seed in force (defaults when never set). */
int config_gold(struct store *st, double *rate, long long *seed,
    char **cause);

/* "full", "basename" or "none" as an enum config_paths; -1 otherwise. */
int config_paths_parse(const char *value);

/* The show-paths setting in force (the default when never set); on error
 * *out is CONFIG_PATHS_NONE, which shows the least. */
int config_paths(struct store *st, enum config_paths *out, char **cause);

#endif
