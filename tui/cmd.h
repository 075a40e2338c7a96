/*
 * cmd.h: what every subcommand shares: the command table entry, and the
 * one-line error conventions (usage mistakes exit 2, failures exit 1).
 */
#ifndef ACCORD_CMD_H
#define ACCORD_CMD_H

#include <stdint.h>
#include <stdio.h>

#include "accord/store.h"
#include "accord/util.h"

struct cmd_entry {
	const char *name;
	const char *summary;
	const char *usage;	/* full --help text */
	int (*exec)(int argc, char **argv);
};

#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* "accord NAME: message (see accord NAME --help)" on stderr; returns 2. */
int cmd_usage(const struct cmd_entry *c, const char *fmt, ...) ACC_PRINTF(2, 3);
/* --bootstrap N (0..1000000) and --seed S (>= 0) into *out: 0, or the
 * usage error printed and EXIT_USAGE returned. */
int cmd_opt_bootstrap(const struct cmd_entry *c, const char *arg, int *out);
int cmd_opt_seed(const struct cmd_entry *c, const char *arg, uint64_t *out);
/* "accord: WHERE: message" (or "accord: message" with WHERE NULL); returns 1. */
int cmd_fail(const char *where, const char *fmt, ...) ACC_PRINTF(2, 3);
/* Print the usage text to stdout; returns 0. */
int cmd_help(const struct cmd_entry *c);
/* True if argv holds -h or --help before any "--". */
int cmd_wants_help(int argc, char **argv);
/* Open the store, printing the error; NULL on failure. */
struct store *cmd_open(const char *db);
/* The OS user, or NULL after printing an error. */
const char *cmd_user(void);

/* Print s to f with control characters made inert. */
void cmd_print_safe(FILE *f, const char *s);

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_member_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_items_entry;
extern const struct cmd_entry cmd_labels_entry;
extern const struct cmd_entry cmd_label_entry;
extern const struct cmd_entry cmd_agree_entry;
extern const struct cmd_entry cmd_stats_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_guideline_entry;
extern const struct cmd_entry cmd_gold_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_adjudicate_entry;
extern const struct cmd_entry cmd_errors_entry;
extern const struct cmd_entry cmd_drift_entry;
extern const struct cmd_entry cmd_review_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_backup_entry;

#endif
